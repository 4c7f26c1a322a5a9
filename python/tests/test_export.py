"""The exporter end to end: PyTorch module -> .arw -> module with the same
log-likelihoods, for every dense architecture and dtype."""

import os
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import arw  # noqa: E402
import export  # noqa: E402
import make_golden  # noqa: E402
import models  # noqa: E402

CASES = [
    ("fvsbn", dict(d=12, shape=(3, 4))),
    ("nade", dict(d=12, h=7, shape=(3, 4))),
    ("made", dict(d=12, hidden=(9,), masks=1, shape=(3, 4))),
    ("made", dict(d=12, hidden=(9, 8), masks=3, direct=True, order_agnostic=True, shape=(3, 4))),
]


@pytest.mark.parametrize("arch,kw", CASES)
def test_export_roundtrip_float32(tmp_path, arch, kw):
    torch.manual_seed(0)
    if arch in ("fvsbn", "nade"):
        kw = dict(kw, order=np.random.default_rng(1).permutation(kw["d"]))
    m = make_golden.randomize(models.build(arch, **kw), torch.Generator().manual_seed(3))
    path = str(tmp_path / "m.arw")
    export.export_model(m, path, meta={"note": "test"})
    header, tensors = arw.read(path)
    assert header["arch"] == arch and header["dims"] == kw["d"]
    assert header["meta"] == {"note": "test"}
    for name, v in m.tensors().items():
        np.testing.assert_array_equal(tensors[name], v)
    m2 = make_golden.load_arw(path)
    x = (torch.rand(32, kw["d"]) < 0.4).float()
    with torch.no_grad():
        np.testing.assert_array_equal(m.log_prob(x).numpy(), m2.log_prob(x).numpy())


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_export_half_precision(tmp_path, dtype):
    m = make_golden.randomize(models.build("made", d=10, hidden=(8,), shape=(2, 5)),
                              torch.Generator().manual_seed(5))
    path = str(tmp_path / "m.arw")
    export.write(path, m.header(), m.tensors(), dtype)
    _, tensors = arw.read(path)
    for name, v in m.tensors().items():
        if v.dtype == np.int32:
            np.testing.assert_array_equal(tensors[name], v)
        else:
            # float16 keeps 11 significant bits, bfloat16 8: round-to-nearest error bound.
            rel = 2.0 ** -11 if dtype == "float16" else 2.0 ** -8
            np.testing.assert_allclose(np.asarray(tensors[name], dtype=np.float32), v, rtol=rel, atol=6e-8)
