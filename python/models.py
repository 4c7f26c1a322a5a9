"""PyTorch reference models (FVSBN, NADE, MADE) with Bernoulli outputs.

Parameters are stored exactly as the .arw format stores them, so export is a
plain copy of ``tensors()``:

* tensors live in the natural data index space, Linear layout [out, in];
* ``order`` (int32 [D], or [K, D] for MADE) is a permutation: order[t] is the
  data index generated at step t; pos(i) is the step of data index i.

All ``log_prob`` methods return log p(x) in nats, shape [B], in the dtype of
the module (call ``.double()`` for a float64 reference).
"""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def _inverse(order):
    pos = torch.empty_like(order)
    pos[order] = torch.arange(order.numel(), dtype=order.dtype, device=order.device)
    return pos


def _check_order(order, d):
    order = torch.as_tensor(np.asarray(order), dtype=torch.int64)
    if order.shape != (d,) or not torch.equal(torch.sort(order).values, torch.arange(d)):
        raise ValueError("order must be a permutation of 0..%d" % (d - 1))
    return order


def bernoulli_log_prob(logits, x):
    """sum_i log Bernoulli(x_i; sigmoid(logit_i)), shape [B]."""
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)


def _header(arch, d, shape, **extra):
    h = {"arch": arch, "dims": d, "shape": list(shape), "dist": "bernoulli"}
    h.update(extra)
    return h


class FVSBN(nn.Module):
    """Fully visible sigmoid belief net: logit_i = b_i + sum_{pos(j)<pos(i)} W[i,j] x_j."""

    def __init__(self, d=784, order=None, shape=(28, 28)):
        super().__init__()
        self.d = d
        self.shape = tuple(shape)
        order = torch.arange(d) if order is None else _check_order(order, d)
        self.register_buffer("order", order)
        pos = _inverse(order)
        self.register_buffer("mask", (pos[None, :] < pos[:, None]).float())
        self.W = nn.Parameter(torch.zeros(d, d))
        self.b = nn.Parameter(torch.zeros(d))

    def logits(self, x):
        return F.linear(x, self.W * self.mask.to(self.W.dtype), self.b)

    def log_prob(self, x):
        x = x.to(self.W.dtype)
        return bernoulli_log_prob(self.logits(x), x)

    def tensors(self):
        return {
            "order": self.order.cpu().numpy().astype(np.int32),
            "W": (self.W * self.mask.to(self.W.dtype)).detach().cpu().numpy().astype(np.float32),
            "b": self.b.detach().cpu().numpy().astype(np.float32),
        }

    def header(self):
        return _header("fvsbn", self.d, self.shape)


class NADE(nn.Module):
    """NADE: h_i = sigmoid(c + sum_{pos(j)<pos(i)} W[:,j] x_j); logit_i = b_i + V[i,:].h_i."""

    def __init__(self, d=784, h=500, order=None, shape=(28, 28)):
        super().__init__()
        self.d, self.h = d, h
        self.shape = tuple(shape)
        order = torch.arange(d) if order is None else _check_order(order, d)
        self.register_buffer("order", order)
        self.W = nn.Parameter(torch.randn(h, d) * 0.01)
        self.c = nn.Parameter(torch.zeros(h))
        self.V = nn.Parameter(torch.randn(d, h) * 0.01)
        self.b = nn.Parameter(torch.zeros(d))

    def logits(self, x):
        """O(DH) cumulative-sum form, computed in ordering space."""
        x = x.to(self.W.dtype)
        o = self.order
        xo = x[:, o]                               # [B, D] in generation order
        Wo = self.W[:, o].t()                      # [D, H]: column of W per step
        contrib = xo[:, :, None] * Wo[None]        # [B, D, H]
        a = torch.cumsum(contrib, dim=1) - contrib  # exclusive prefix sum
        hid = torch.sigmoid(a + self.c)
        lo = (hid * self.V[o][None]).sum(-1) + self.b[o]  # [B, D] step order
        out = torch.empty_like(lo)
        out[:, o] = lo
        return out

    def log_prob_fast(self, x):
        """Same value as log_prob, with a hand-written O(DH) backward pass.

        Used for training: it keeps only one [D,B,H] tensor alive and updates
        it in place, which is several times faster than autograd here."""
        o = self.order
        return _NADEFast.apply(x.to(self.W.dtype)[:, o], self.W, self.c, self.V, self.b, o)

    def logits_naive(self, x):
        """Reference O(D^2 H) form: one masked hidden layer per dimension."""
        x = x.to(self.W.dtype)
        pos = _inverse(self.order)
        cols = []
        for i in range(self.d):
            m = (pos < pos[i]).to(x.dtype)
            hid = torch.sigmoid(self.c + (x * m) @ self.W.t())
            cols.append(self.b[i] + hid @ self.V[i])
        return torch.stack(cols, dim=1)

    def log_prob(self, x):
        x = x.to(self.W.dtype)
        return bernoulli_log_prob(self.logits(x), x)

    def tensors(self):
        f = lambda t: t.detach().cpu().numpy().astype(np.float32)
        return {
            "order": self.order.cpu().numpy().astype(np.int32),
            "W": f(self.W), "c": f(self.c), "V": f(self.V), "b": f(self.b),
        }

    def header(self):
        return _header("nade", self.d, self.shape, hidden=[self.h])


def _prefix_sum_(a):
    """In-place inclusive prefix sum along dim 0 (torch's cumsum_ along the
    outer dim of a 3-D tensor is ~10x slower than this row loop)."""
    for t in range(1, a.shape[0]):
        a[t].add_(a[t - 1])
    return a


class _NADEFast(torch.autograd.Function):
    """log p(x) of NADE in ordering space with an explicit backward pass.

    Layout [D, B, H] so that the prefix sums along D and the per-step
    products are contiguous."""

    @staticmethod
    def forward(ctx, xo, W, c, V, b, o):
        Wo = W[:, o].t().contiguous()            # [D, H]
        Vo = V[o].contiguous()                   # [D, H]
        bo = b[o]
        xt = xo.t().contiguous()                 # [D, B]
        d, bsz = xt.shape
        hsz = W.shape[0]
        A = torch.empty(d, bsz, hsz, dtype=W.dtype)
        A[0].zero_()
        torch.mul(xt[:-1, :, None], Wo[:-1, None, :], out=A[1:])
        _prefix_sum_(A)                          # exclusive prefix sums
        A.add_(c)
        A.sigmoid_()                             # hidden units h_t
        logit = torch.bmm(A, Vo[:, :, None]).squeeze(-1) + bo[:, None]  # [D, B]
        lp = -F.binary_cross_entropy_with_logits(logit, xt, reduction="none").sum(0)
        ctx.save_for_backward(xt, Wo, Vo, logit, A, o)
        ctx.shape = (W.shape, V.shape)
        return lp

    @staticmethod
    def backward(ctx, g):
        xt, Wo, Vo, logit, H, o = ctx.saved_tensors
        dl = (xt - torch.sigmoid(logit)) * g[None, :]       # d lp / d logit  [D, B]
        dbo = dl.sum(1)
        dVo = torch.bmm(dl[:, None, :], H).squeeze(1)       # [D, H]
        H.addcmul_(H, H, value=-1)                          # h(1-h), in place
        H.mul_(dl[:, :, None])
        H.mul_(Vo[:, None, :])                              # dA_t  [D, B, H]
        dc = H.sum((0, 1))
        _prefix_sum_(H)                                     # inclusive prefix
        # dW_t = x_t * sum_{s>t} dA_s = x_t * (C_{D-1} - C_t)
        dWo = xt @ H[-1] - torch.bmm(xt[:, None, :], H).squeeze(1)
        W_shape, V_shape = ctx.shape
        dW = torch.empty(W_shape, dtype=Wo.dtype)
        dW[:, o] = dWo.t()
        dV = torch.empty(V_shape, dtype=Vo.dtype)
        dV[o] = dVo
        db = torch.empty_like(dbo)
        db[o] = dbo
        return None, dW, dc, dV, db, None


def made_degrees(d, hidden, k, rng, order_agnostic=False):
    """Draw K masks: orders int64 [K,D] and per-layer hidden degrees.

    Mask 0 uses the natural order; the others use the natural order too unless
    order_agnostic.  Hidden degrees of layer l are uniform on
    [min degree of layer l-1, D-1] (Germain et al. 2015)."""
    orders = np.zeros((k, d), dtype=np.int64)
    degs = [np.zeros((k, hl), dtype=np.int64) for hl in hidden]
    for m in range(k):
        orders[m] = np.arange(d) if (m == 0 or not order_agnostic) else rng.permutation(d)
        lo = 1
        for l, hl in enumerate(hidden):
            degs[l][m] = rng.integers(lo, d, size=hl)  # in [lo, d-1]
            lo = int(degs[l][m].min())
    return orders, degs


class MADE(nn.Module):
    """MADE with shared weights across K masks and a uniform mixture over masks.

    m0(i) = pos_k(i)+1.  Hidden l unit j sees unit i of layer l-1 iff
    m_l(j) >= m_{l-1}(i); output i sees last-hidden j iff m0(i) > m_L(j);
    direct A[i,j] is used iff m0(i) > m0(j)."""

    def __init__(self, d=784, hidden=(500,), masks=1, direct=False, orders=None,
                 degrees=None, seed=0, order_agnostic=False, shape=(28, 28)):
        super().__init__()
        self.d = d
        self.hidden = list(hidden)
        self.k = masks
        self.direct = direct
        self.shape = tuple(shape)
        if orders is None or degrees is None:
            rng = np.random.default_rng(seed)
            orders, degrees = made_degrees(d, self.hidden, masks, rng, order_agnostic)
        orders = torch.as_tensor(np.asarray(orders), dtype=torch.int64).reshape(masks, d)
        for m in range(masks):
            _check_order(orders[m].numpy(), d)
        degrees = [torch.as_tensor(np.asarray(g), dtype=torch.int64).reshape(masks, hl)
                   for g, hl in zip(degrees, self.hidden)]
        for g in degrees:
            if g.numel() and (g.min() < 1 or g.max() > d - 1):
                raise ValueError("MADE degrees must be in [1, D-1]")
        self.register_buffer("orders", orders)
        for l, g in enumerate(degrees):
            self.register_buffer("degrees%d" % (l + 1), g)
        # Weights (PyTorch Linear default init).
        sizes = [d] + self.hidden
        self.layers = nn.ModuleList(nn.Linear(sizes[l], sizes[l + 1]) for l in range(len(self.hidden)))
        self.out = nn.Linear(sizes[-1], d)
        if direct:
            self.A = nn.Parameter(torch.zeros(d, d))
        self._mask_cache = {}
        # Training only (train.py --dropout): the probability of zeroing a
        # hidden unit, with the survivors scaled by 1/(1-p) so that
        # evaluation and the exported weights need no change.
        self.dropout = 0.0

    def degrees(self, l):
        return getattr(self, "degrees%d" % l)

    def masks(self, k):
        """Binary masks (as float tensors) for mask k: [hidden..., out, direct]."""
        m0 = _inverse(self.orders[k]) + 1
        prev = m0
        ms = []
        for l in range(1, len(self.hidden) + 1):
            ml = self.degrees(l)[k]
            ms.append((ml[:, None] >= prev[None, :]))
            prev = ml
        ms.append(m0[:, None] > prev[None, :])
        ms.append(m0[:, None] > m0[None, :])
        return ms

    def _float_masks(self, k, dtype):
        key = (k, dtype, self.orders.device)
        if key not in self._mask_cache:
            self._mask_cache[key] = [m.to(dtype) for m in self.masks(k)]
        return self._mask_cache[key]

    def _apply(self, fn, *args, **kwargs):
        self._mask_cache = {}
        return super()._apply(fn, *args, **kwargs)

    def logits(self, x, k):
        dtype = self.out.weight.dtype
        x = x.to(dtype)
        ms = self._float_masks(k, dtype)
        h = x
        for l, layer in enumerate(self.layers):
            h = F.relu(F.linear(h, layer.weight * ms[l], layer.bias))
            if self.training and self.dropout > 0:
                h = F.dropout(h, self.dropout, training=True)
        out = F.linear(h, self.out.weight * ms[-2], self.out.bias)
        if self.direct:
            out = out + F.linear(x, self.A * ms[-1])
        return out

    def log_prob_mask(self, x, k):
        x = x.to(self.out.weight.dtype)
        return bernoulli_log_prob(self.logits(x, k), x)

    def log_prob(self, x):
        lp = torch.stack([self.log_prob_mask(x, k) for k in range(self.k)], dim=0)
        return torch.logsumexp(lp, dim=0) - math.log(self.k)

    def tensors(self):
        f = lambda t: t.detach().cpu().numpy().astype(np.float32)
        t = {"order": self.orders.cpu().numpy().astype(np.int32)}
        for l, layer in enumerate(self.layers):
            t["W%d" % (l + 1)] = f(layer.weight)
            t["b%d" % (l + 1)] = f(layer.bias)
            t["degrees%d" % (l + 1)] = self.degrees(l + 1).cpu().numpy().astype(np.int32)
        t["Wout"] = f(self.out.weight)
        t["bout"] = f(self.out.bias)
        if self.direct:
            t["A"] = f(self.A)
        return t

    def header(self):
        return _header("made", self.d, self.shape, hidden=self.hidden, masks=self.k,
                       direct=self.direct)


def build(arch, **kw):
    """Construct a model by arch name ("fvsbn", "nade", "made")."""
    if arch == "fvsbn":
        return FVSBN(**kw)
    if arch == "nade":
        return NADE(**kw)
    if arch == "made":
        return MADE(**kw)
    raise ValueError("unknown arch %r" % arch)
