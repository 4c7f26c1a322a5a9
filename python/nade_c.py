"""Fast NADE training gradients through a small C kernel (csrc/nade_grad.c).

The kernel is compiled on first use with the system C compiler into a
temporary directory and loaded with ctypes.  It is a training accelerator
only: models.NADE.log_prob / log_prob_fast remain the reference, and
tests/test_nade_c.py checks the kernel's values and gradients against them.
"""

import ctypes
import os
import subprocess
import tempfile

import numpy as np
import torch

_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "csrc", "nade_grad.c")
_lib = None


def _load():
    global _lib
    if _lib is None:
        out = os.path.join(tempfile.mkdtemp(prefix="arinfer-nade-"), "nade_grad.so")
        cmd = ["cc", "-O3", "-march=native", "-ffast-math", "-fopenmp-simd",
               "-shared", "-fPIC", "-o", out, _SRC, "-lmvec", "-lm"]
        subprocess.run(cmd, check=True, capture_output=True)
        lib = ctypes.CDLL(out)
        f = ctypes.c_void_p
        lib.nade_grad.argtypes = [ctypes.c_int] * 4 + [f] * 5 + [ctypes.c_float] + [f] * 9
        lib.nade_grad.restype = None
        _lib = lib
    return _lib


def _ptr(a):
    return a.ctypes.data_as(ctypes.c_void_p)


class NADEGrad:
    """Computes mean NLL and its gradient for a models.NADE (float32)."""

    def __init__(self, model):
        self.m = model
        self.lib = _load()
        d, h = model.d, model.h
        self.a = np.empty(h, np.float32)
        self.S = np.empty(h, np.float32)
        self.hbuf = np.empty(d * h, np.float32)
        self.dl = np.empty(d, np.float32)

    def log_prob(self, x):
        """log p(x) in nats (float64 numpy [B]); forward pass only."""
        Wo, Vo, c, bo, xo, o = self._prepare(x)
        lp = np.zeros(xo.shape[0], np.float64)
        self.lib.nade_grad(self.m.d, self.m.h, xo.shape[0], 0, _ptr(xo), _ptr(Wo), _ptr(c), _ptr(Vo), _ptr(bo),
                           ctypes.c_float(0), None, None, None, None,
                           _ptr(lp), _ptr(self.a), _ptr(self.S), _ptr(self.hbuf), _ptr(self.dl))
        return lp

    def _prepare(self, x):
        m = self.m
        o = m.order.numpy()
        xo = np.ascontiguousarray(x.numpy()[:, o] > 0.5, dtype=np.uint8)
        with torch.no_grad():
            Wo = np.ascontiguousarray(m.W.detach().numpy()[:, o].T, dtype=np.float32)
            Vo = np.ascontiguousarray(m.V.detach().numpy()[o], dtype=np.float32)
            c = np.ascontiguousarray(m.c.detach().numpy(), dtype=np.float32)
            bo = np.ascontiguousarray(m.b.detach().numpy()[o], dtype=np.float32)
        return Wo, Vo, c, bo, xo, o

    def loss_and_grad(self, x):
        """Return (-log p(x) per example, mean -log p(x)) in nats and set
        .grad of the model's parameters to the gradient of the mean."""
        m = self.m
        Wo, Vo, c, bo, xo, o = self._prepare(x)
        B = xo.shape[0]
        dWo = np.zeros_like(Wo)
        dVo = np.zeros_like(Vo)
        dc = np.zeros_like(c)
        dbo = np.zeros_like(bo)
        lp = np.zeros(B, np.float64)
        self.lib.nade_grad(m.d, m.h, B, 1, _ptr(xo), _ptr(Wo), _ptr(c), _ptr(Vo), _ptr(bo),
                           ctypes.c_float(1.0 / B), _ptr(dWo), _ptr(dc), _ptr(dVo), _ptr(dbo),
                           _ptr(lp), _ptr(self.a), _ptr(self.S), _ptr(self.hbuf), _ptr(self.dl))
        dW = np.empty_like(m.W.detach().numpy())
        dW[:, o] = dWo.T
        dV = np.empty_like(m.V.detach().numpy())
        dV[o] = dVo
        db = np.empty_like(bo)
        db[o] = dbo
        for p, g in ((m.W, dW), (m.V, dV), (m.c, dc), (m.b, db)):
            p.grad = torch.from_numpy(g)
        return -lp, float(-lp.mean())
