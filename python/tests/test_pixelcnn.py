"""The PyTorch reference image models (python/pixelcnn.py) against SPEC 3.5-3.7:
causality (each logit depends only on earlier pixels), no blind spot in the
gated stacks, exact normalisation on a tiny image, the class marginal, the
.arw round trip, and the resumable training script."""

import itertools
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import arw
import pixelcnn

HERE = os.path.dirname(os.path.abspath(__file__))
PY = os.path.dirname(HERE)


def randomize(m, scale=0.5, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * scale)
    return m


def variants():
    return {
        "pixelcnn-k3-in5": pixelcnn.PixelCNN(5, 4, channels=6, layers=2, kernel_size=3, input_kernel=5,
                                             head_channels=7, k=4, classes=3),
        "pixelcnn-k1-l1": pixelcnn.PixelCNN(4, 4, channels=4, layers=1, kernel_size=1, input_kernel=3,
                                            head_channels=3),
        "pixelcnn-l0": pixelcnn.PixelCNN(3, 5, channels=4, layers=0, kernel_size=3, input_kernel=3,
                                         head_channels=3, classes=2),
        "gated-k3": pixelcnn.GatedPixelCNN(5, 4, channels=6, layers=3, kernel_size=3, head_channels=7, classes=3),
        "gated-k5-cat": pixelcnn.GatedPixelCNN(6, 6, channels=5, layers=2, kernel_size=5, head_channels=4, k=3),
    }


def input_gradient(m, x, y, r, c):
    """d(logits at (r, c)) / d(input map), through the model's own _image."""
    u = m._image(x).detach().requires_grad_(True)
    orig = m._image
    m._image = lambda _: u
    try:
        z = m.logits(x, y)
    finally:
        m._image = orig
    z[0, :, r, c].sum().backward()
    return u.grad[0, 0]


@pytest.mark.parametrize("name", list(variants()))
def test_causal(name):
    """The logits of pixel (r, c) do not depend on (r, c) or any later pixel."""
    m = randomize(variants()[name]).double()
    H, W = m.h, m.w
    gen = torch.Generator().manual_seed(1)
    x = torch.randint(0, m.k, (1, H * W), generator=gen).double()
    y = torch.tensor([1]) if m.classes else None
    for t in range(H * W):
        g = input_gradient(m, x, y, t // W, t % W).reshape(-1)
        assert torch.all(g[t:] == 0), (name, t)


def test_gated_no_blind_spot():
    """A deep enough gated stack sees every earlier pixel (the blind spot of
    a plain masked stack is gone), and nothing later."""
    m = randomize(pixelcnn.GatedPixelCNN(6, 6, channels=5, layers=6, kernel_size=3, head_channels=4)).double()
    x = torch.zeros(1, 36).double()
    g = input_gradient(m, x, None, 5, 3).reshape(-1)
    t = 5 * 6 + 3
    assert torch.all(g[:t] != 0)
    assert torch.all(g[t:] == 0)


@pytest.mark.parametrize("arch", ["pixelcnn", "gatedpixelcnn"])
def test_normalised(arch):
    """Summing p(x | y) over every image of a 2x3 three-level model gives 1."""
    if arch == "pixelcnn":
        m = pixelcnn.PixelCNN(2, 3, channels=4, layers=2, kernel_size=3, input_kernel=3, head_channels=5, k=3,
                              classes=2)
    else:
        m = pixelcnn.GatedPixelCNN(2, 3, channels=4, layers=2, kernel_size=3, head_channels=5, k=3, classes=2)
    m = randomize(m).double()
    xs = torch.tensor(list(itertools.product(range(3), repeat=6))).double()
    for y in range(2):
        lp = m.log_prob(xs, torch.full((xs.shape[0],), y))
        assert torch.logsumexp(lp, 0).item() == pytest.approx(0, abs=1e-9)
    assert torch.logsumexp(m.log_prob(xs), 0).item() == pytest.approx(0, abs=1e-9)


def test_marginal_is_prior_mixture():
    m = randomize(variants()["gated-k3"]).double()
    x = torch.randint(0, 2, (4, m.h * m.w)).double()
    prior = torch.softmax(m.class_logits, 0)
    want = torch.log(sum(prior[c] * torch.exp(m.log_prob(x, torch.full((4,), c))) for c in range(3)))
    assert torch.allclose(m.log_prob(x), want, rtol=1e-12)


def test_labels_checked():
    m = variants()["gated-k3"]
    x = torch.zeros(2, m.h * m.w)
    with pytest.raises(ValueError):
        m.log_prob(x, torch.tensor([0, 3]))
    with pytest.raises(ValueError):
        variants()["pixelcnn-k1-l1"].log_prob(torch.zeros(1, 16), torch.tensor([0]))


@pytest.mark.parametrize("name", list(variants()))
def test_arw_round_trip(tmp_path, name):
    """tensors()/header() follow the SPEC (arw.py validates them) and
    from_arw rebuilds the same model."""
    m = randomize(variants()[name])
    path = str(tmp_path / "m.arw")
    tensors = m.tensors()
    arw.write(path, m.header(), tensors, dtypes={k: "float32" for k in tensors})
    header, t = arw.read(path)
    assert list(t) == m.tensor_names()
    m2 = pixelcnn.from_arw(path)
    x = torch.randint(0, m.k, (3, m.h * m.w)).float()
    assert torch.equal(m.log_prob(x), m2.log_prob(x))


def test_train_resumes(tmp_path):
    """A run that is stopped resumes
    from its checkpoint: the second invocation continues at epoch 1 and the
    final export is a valid .arw with the training metrics."""
    out = str(tmp_path / "g")
    cmd = [sys.executable, os.path.join(PY, "train_pixelcnn.py"), "--arch", "gatedpixelcnn", "--channels", "4",
           "--layers", "1", "--head-channels", "4", "--limit", "64", "--eval-subset", "32", "--batch", "16",
           "--threads", "1", "--out", out]
    subprocess.run(cmd + ["--max-epochs", "1"], check=True, capture_output=True)
    ck = torch.load(out + ".ckpt.pt")
    assert ck["state"]["epoch"] == 1 and ck["state"]["step"] == 4
    r = subprocess.run(cmd + ["--max-epochs", "2"], check=True, capture_output=True, text=True)
    assert "resumed from" in r.stderr
    assert torch.load(out + ".ckpt.pt")["state"]["step"] == 8
    header, _ = arw.read(out + ".arw")
    assert header["arch"] == "gatedpixelcnn" and header["classes"] == 10
    assert header["meta"]["test_nll_nats"] > 0
