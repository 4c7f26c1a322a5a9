"""Write the PyTorch golden vectors that the Go engine tests check.

    /usr/bin/python3 python/make_golden.py            # random-weight models
    /usr/bin/python3 python/make_golden.py --trained  # the shipped models/*.arw

Random-weight models go to engine/testdata/golden/<name>.arw with
<name>.json beside them: the inputs (binary rows, data order) and PyTorch's
log p(x) per example in float32 (the reference the Go engine must match to a
relative 1e-5) and in float64. With --trained, the first 32 binarized MNIST
test images are scored by each shipped model (re-loaded from its .arw, so
the exporter is part of the loop) into models/golden/<name>.json.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import arw  # noqa: E402
import export  # noqa: E402
import models  # noqa: E402

RANDOM = [
    ("fvsbn-d100", "fvsbn", dict(d=100, shape=(10, 10))),
    ("nade-d784-h32", "nade", dict(d=784, h=32)),
    ("made-d784-h48", "made", dict(d=784, hidden=(48,), masks=1)),
    ("made-d100-h40x30-k4-direct", "made", dict(d=100, hidden=(40, 30), masks=4, direct=True, shape=(10, 10))),
]


def randomize(model, gen):
    """Replace every parameter with N(0, s^2) values large enough that the
    conditionals are far from uniform (the default init makes them ~0.5)."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.3)
    return model


def load_arw(path):
    """Rebuild a python/models.py module from an .arw file."""
    header, t = arw.read(path)
    arch, d = header["arch"], header["dims"]
    if arch in ("lstm", "gru"):
        import rnn
        return rnn.from_arw(path)
    shape = tuple(header["shape"])
    if arch == "fvsbn":
        m = models.FVSBN(d=d, order=t["order"], shape=shape)
        params = {"W": m.W, "b": m.b}
    elif arch == "nade":
        m = models.NADE(d=d, h=header["hidden"][0], order=t["order"], shape=shape)
        params = {"W": m.W, "c": m.c, "V": m.V, "b": m.b}
    elif arch == "made":
        hidden = header["hidden"]
        degrees = [t["degrees%d" % (l + 1)] for l in range(len(hidden))]
        m = models.MADE(d=d, hidden=hidden, masks=header["masks"], direct=header.get("direct", False),
                        orders=t["order"], degrees=degrees, shape=shape)
        params = {"Wout": m.out.weight, "bout": m.out.bias}
        for l, layer in enumerate(m.layers):
            params["W%d" % (l + 1)] = layer.weight
            params["b%d" % (l + 1)] = layer.bias
        if m.direct:
            params["A"] = m.A
    else:
        raise ValueError("unsupported arch %r" % arch)
    with torch.no_grad():
        for name, p in params.items():
            p.copy_(torch.from_numpy(np.asarray(t[name], dtype=np.float32)))
    return m


def score(model, x):
    with torch.no_grad():
        f32 = model.float().log_prob(torch.from_numpy(x)).numpy().astype(np.float64)
        f64 = model.double().log_prob(torch.from_numpy(x).double()).numpy()
    model.float()
    return f32, f64


def golden(path_json, model, x, extra=None):
    f32, f64 = score(model, x)
    rec = {"inputs": x.astype(np.uint8).tolist(), "log_prob_f32": f32.tolist(), "log_prob_f64": f64.tolist()}
    if extra:
        rec.update(extra)
    with open(path_json, "w") as f:
        json.dump(rec, f)
    return f32


def random_models():
    out = os.path.join(ROOT, "engine", "testdata", "golden")
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(20261126)
    rng = np.random.default_rng(20261126)
    for name, arch, kw in RANDOM:
        kw = dict(kw)
        d = kw["d"]
        if arch in ("fvsbn", "nade"):
            kw["order"] = rng.permutation(d)
        else:
            kw["seed"] = int(rng.integers(1 << 30))
            kw["order_agnostic"] = True
        m = randomize(models.build(arch, **kw), gen)
        path = os.path.join(out, name + ".arw")
        export.export_model(m, path)
        m2 = load_arw(path)  # the exporter is in the loop
        x = (rng.random((16, d)) < 0.3).astype(np.float32)
        f32 = golden(os.path.join(out, name + ".json"), m2, x)
        print(name, "mean log p", f32.mean())


def trained_models():
    import mnist
    out = os.path.join(ROOT, "models", "golden")
    os.makedirs(out, exist_ok=True)
    test = mnist.binarized("test")[0][:32].astype(np.float32)
    for fn in sorted(os.listdir(os.path.join(ROOT, "models"))):
        if not fn.endswith(".arw"):
            continue
        m = load_arw(os.path.join(ROOT, "models", fn))
        f32 = golden(os.path.join(out, fn[:-4] + ".json"), m, test, {"model": "models/" + fn})
        print(fn, "mean NLL on the first 32 test images", -f32.mean())


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--trained", action="store_true")
    a = ap.parse_args()
    trained_models() if a.trained else random_models()
