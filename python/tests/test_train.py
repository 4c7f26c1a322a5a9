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
