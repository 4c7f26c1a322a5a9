import json

import numpy as np
import pytest
import torch

import models
import train


@pytest.mark.parametrize("arch,extra", [
    ("fvsbn", []),
    ("nade", ["--hidden", "8"]),
    ("made", ["--hidden", "16,12", "--masks", "2", "--direct"]),
])
def test_train_smoke(tmp_path, arch, extra):
    """A tiny run writes a checkpoint, tensors and metrics that agree."""
    out = str(tmp_path / arch)
    rc = train.main(["--arch", arch, "--out", out, "--limit", "64", "--batch", "32",
                     "--max-epochs", "2", "--eval-batch", "32"] + extra)
    assert rc == 0
    meta = json.load(open(out + ".json"))
    assert meta["final"] and meta["header"]["arch"] == arch
    t = dict(np.load(out + ".npz"))
    ck = torch.load(out + ".pt")
    m = models.build(arch, **ck["kwargs"])
    m.load_state_dict(ck["state_dict"])
    for k, v in m.tensors().items():
        np.testing.assert_array_equal(t[k], v)
    # The recorded test NLL is the loaded model's NLL on the first 64 test images.
    import mnist
    x = torch.from_numpy(mnist.binarized("test")[0][:64].astype(np.float64))
    with torch.no_grad():
        nll = -m.double().log_prob(x).mean().item()
    assert abs(nll - meta["metrics"]["test_nll"]) < 1e-3


def test_init_direct_and_valid_masks(tmp_path):
    """--init-direct starts a direct MADE at the FVSBN's likelihood;
    --valid-masks scores the mixture of the first masks."""
    fv = str(tmp_path / "fvsbn")
    assert train.main(["--arch", "fvsbn", "--out", fv, "--limit", "64", "--batch", "32",
                       "--max-epochs", "1", "--eval-batch", "32"]) == 0
    fck = torch.load(fv + ".pt")
    f = models.build("fvsbn", **fck["kwargs"])
    f.load_state_dict(fck["state_dict"])
    m = models.build("made", hidden=[16], masks=3, direct=True)
    train.init_direct(m, fck)
    import mnist
    x = torch.from_numpy(mnist.binarized("valid")[0][:32].astype(np.float32))
    with torch.no_grad():
        for k in range(3):
            np.testing.assert_allclose(m.log_prob_mask(x, k).numpy(), f.log_prob(x).numpy(), rtol=1e-5)
        # The first two masks' mixture, as the per-epoch validation scores
        # it (with output weights that make the masks differ).
        m.out.weight.normal_(0, 0.1)
        lp = torch.stack([m.log_prob_mask(x, k) for k in range(2)]).logsumexp(0) - np.log(2)
    assert abs(train.nll(m, x, 16, masks=2) - (-lp.mean().item())) < 1e-4
    with pytest.raises(SystemExit):
        train.init_direct(models.build("made", hidden=[16], masks=1, direct=False), fck)


def test_made_dropout_trains_only():
    """Dropout changes training-mode logits only; evaluation (and so the
    exported model) is the plain MADE."""
    torch.manual_seed(0)
    m = models.build("made", d=20, hidden=[32], masks=2, direct=True, shape=(20,))
    x = (torch.rand(8, 20) < 0.5).float()
    m.eval()
    ref = m.log_prob(x)
    m.dropout = 0.5
    m.train()
    assert not torch.allclose(m.log_prob(x), ref)
    m.eval()
    torch.testing.assert_close(m.log_prob(x), ref)


def test_teacher_pool(tmp_path):
    """python/teacher.py's samples carry the NADE's exact conditionals, and
    train.py --teacher-pool trains a MADE on them with soft targets."""
    import teacher
    nade = models.build("nade", h=8)
    with torch.no_grad():
        for p in nade.parameters():
            p.normal_(0, 0.5)
    x, q = teacher.sample_nade(nade, 64, torch.Generator().manual_seed(1), batch=40)
    assert x.shape == q.shape == (64, 784) and x.dtype == np.uint8
    assert set(np.unique(x)) <= {0, 1}
    with torch.no_grad():
        want = torch.sigmoid(nade.logits(torch.from_numpy(x).float())).numpy()
    np.testing.assert_allclose(q, want, rtol=1e-5, atol=1e-6)
    pool = str(tmp_path / "pool.npz")
    np.savez(pool, x=x, q=q.astype(np.float16), order=nade.order.numpy().astype(np.int32))
    out = str(tmp_path / "made")
    args = ["--arch", "made", "--hidden", "16", "--masks", "2", "--direct", "--out", out,
            "--limit", "64", "--batch", "32", "--max-epochs", "2", "--eval-batch", "32",
            "--teacher-pool", pool, "--pool-per-epoch", "48"]
    assert train.main(args) == 0
    assert json.load(open(out + ".json"))["final"]
    # The soft-target loss is the cross-entropy against the targets.
    m = models.build("made", hidden=[16], masks=2, direct=True)
    xb = torch.from_numpy(x[:8]).float()
    tb = torch.from_numpy(q[:8])
    with torch.no_grad():
        p = torch.sigmoid(m.logits(xb, 1)).double()
        want = -(tb * p.log() + (1 - tb) * (1 - p).log()).sum(-1).mean().item()
        assert abs(train.train_loss(m, xb, 1, tb).item() - want) < 1e-3
        # Hard targets give the NLL.
        assert abs(train.train_loss(m, xb, 1, xb).item() + m.log_prob_mask(xb, 1).mean().item()) < 1e-3
    # A pool in another order is refused: its targets are not the MADE's conditionals.
    np.savez(pool, x=x, q=q.astype(np.float16), order=np.arange(784)[::-1].astype(np.int32))
    with pytest.raises(SystemExit):
        train.main(args)
