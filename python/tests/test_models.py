import itertools
import math

import numpy as np
import pytest
import torch

import models

D = 7
ORDER = np.array([3, 0, 6, 1, 5, 2, 4])


def randomize(m, scale=1.0, seed=0):
    """Give every parameter nonzero random values (zero init would make the
    dependency checks vacuous)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * scale)
    return m


def small_models():
    return {
        "fvsbn": randomize(models.FVSBN(d=D, order=ORDER, shape=(1, D))).double(),
        "nade": randomize(models.NADE(d=D, h=5, order=ORDER, shape=(1, D))).double(),
        "made": randomize(models.MADE(d=D, hidden=(16,), masks=1, seed=3, shape=(1, D))).double(),
        "made-2layer-3mask-direct": randomize(models.MADE(d=D, hidden=(12, 10), masks=3, direct=True, seed=4,
                                                          order_agnostic=True, shape=(1, D))).double(),
    }


def logit_fns(m):
    """(order, logits function) for each mask of model m."""
    if isinstance(m, models.MADE):
        return [(m.orders[k].numpy(), (lambda k: lambda x: m.logits(x, k))(k)) for k in range(m.k)]
    return [(m.order.numpy(), m.logits)]


@pytest.mark.parametrize("name", list(small_models()))
def test_autoregressive(name):
    """Jacobian of the logits: d logit_i / d x_j is zero unless pos(j) < pos(i)."""
    m = small_models()[name]
    x = torch.rand(1, D, dtype=torch.float64)
    for order, fn in logit_fns(m):
        pos = np.argsort(order)
        jac = torch.autograd.functional.jacobian(lambda v: fn(v[None])[0], x[0]).numpy()  # [i, j]
        allowed = pos[None, :] < pos[:, None]
        assert np.all(jac[~allowed] == 0), "%s: dependency on a later input" % name
        nz = np.abs(jac[allowed]) > 0
        if not isinstance(m, models.MADE):
            assert nz.all(), "%s: an allowed dependency is missing" % name
        else:
            assert nz.mean() > 0.5, "%s: too few dependencies (%s)" % (name, nz.mean())


@pytest.mark.parametrize("name", list(small_models()))
def test_normalized(name):
    """exp(log_prob) sums to 1 over all 2^D binary inputs."""
    m = small_models()[name]
    xs = torch.tensor(list(itertools.product([0.0, 1.0], repeat=D)), dtype=torch.float64)
    with torch.no_grad():
        lp = m.log_prob(xs)
    assert lp.shape == (2 ** D,)
    assert abs(torch.logsumexp(lp, 0).item()) < 1e-12
    # float32 agrees with float64.
    with torch.no_grad():
        lp32 = m.float().log_prob(xs.float())
    np.testing.assert_allclose(lp32.double().numpy(), lp.numpy(), rtol=1e-5, atol=1e-4)


def test_made_masks_naive():
    """MADE masks equal the connectivity rules written as explicit loops."""
    m = models.MADE(d=D, hidden=(9, 8), masks=2, direct=True, seed=5, order_agnostic=True)
    for k in range(2):
        pos = np.argsort(m.orders[k].numpy())
        m0 = pos + 1
        d1, d2 = m.degrees1[k].numpy(), m.degrees2[k].numpy()
        assert d1.min() >= 1 and d1.max() <= D - 1 and d2.min() >= 1 and d2.max() <= D - 1
        want1 = np.array([[d1[j] >= m0[i] for i in range(D)] for j in range(9)])
        want2 = np.array([[d2[j] >= d1[i] for i in range(9)] for j in range(8)])
        wantout = np.array([[m0[i] > d2[j] for j in range(8)] for i in range(D)])
        wantA = np.array([[m0[i] > m0[j] for j in range(D)] for i in range(D)])
        got = [g.numpy() for g in m.masks(k)]
        for g, w in zip(got, [want1, want2, wantout, wantA]):
            np.testing.assert_array_equal(g, w)


def test_made_mixture():
    """The K-mask MADE is the uniform mixture of its per-mask models."""
    m = randomize(models.MADE(d=D, hidden=(10,), masks=4, seed=6, order_agnostic=True)).double()
    x = (torch.rand(5, D) < 0.5).double()
    with torch.no_grad():
        per = torch.stack([m.log_prob_mask(x, k) for k in range(4)])
        got = m.log_prob(x)
    want = np.log(np.exp(per.numpy()).mean(0))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


def test_nade_fast_equals_naive():
    """The O(DH) cumulative-sum NADE (autograd and hand-written backward)
    equals the naive per-dimension form, values and gradients."""
    m = randomize(models.NADE(d=20, h=6, order=np.random.default_rng(1).permutation(20)), scale=0.5).double()
    x = (torch.rand(4, 20) < 0.4).double()
    g = torch.randn(4, dtype=torch.float64)
    np.testing.assert_allclose(m.logits(x).detach().numpy(), m.logits_naive(x).detach().numpy(), rtol=1e-12, atol=1e-12)
    grads = []
    for fn in (m.log_prob, m.log_prob_fast,
               lambda v: models.bernoulli_log_prob(m.logits_naive(v), v)):
        m.zero_grad()
        lp = fn(x)
        (lp * g).sum().backward()
        grads.append((lp.detach().numpy(), [p.grad.numpy().copy() for p in m.parameters()]))
    for lp, gr in grads[1:]:
        np.testing.assert_allclose(lp, grads[0][0], rtol=1e-12)
        for a, b in zip(gr, grads[0][1]):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_fvsbn_numpy_peer():
    """FVSBN log_prob equals a float64 numpy loop over the definition."""
    m = randomize(models.FVSBN(d=D, order=ORDER)).double()
    t = m.tensors()
    W, b = t["W"].astype(np.float64), t["b"].astype(np.float64)
    pos = np.argsort(ORDER)
    x = (np.random.default_rng(2).random((6, D)) < 0.5).astype(np.float64)
    want = np.zeros(6)
    for n in range(6):
        for i in range(D):
            a = b[i] + sum(W[i, j] * x[n, j] for j in range(D) if pos[j] < pos[i])
            p = 1 / (1 + math.exp(-a))
            want[n] += math.log(p if x[n, i] else 1 - p)
    # tensors() is float32, so compare to the float32-rounded parameters' model
    m32 = models.FVSBN(d=D, order=ORDER).double()
    with torch.no_grad():
        m32.W.copy_(torch.from_numpy(W))
        m32.b.copy_(torch.from_numpy(b))
        got = m32.log_prob(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_tensors_and_header():
    m = models.MADE(d=D, hidden=(4, 3), masks=2, direct=True, shape=(1, D))
    t = m.tensors()
    assert set(t) == {"order", "W1", "b1", "degrees1", "W2", "b2", "degrees2", "Wout", "bout", "A"}
    assert t["order"].dtype == np.int32 and t["order"].shape == (2, D)
    assert t["degrees1"].dtype == np.int32 and t["degrees1"].shape == (2, 4)
    assert t["W1"].shape == (4, D) and t["W2"].shape == (3, 4) and t["Wout"].shape == (D, 3)
    assert t["A"].shape == (D, D) and t["W1"].dtype == np.float32
    assert m.header() == {"arch": "made", "dims": D, "shape": [1, D], "dist": "bernoulli",
                          "hidden": [4, 3], "masks": 2, "direct": True}
    n = models.NADE(d=D, h=5)
    assert {k: v.shape for k, v in n.tensors().items()} == {"order": (D,), "W": (5, D), "c": (5,), "V": (D, 5), "b": (D,)}
    assert n.header()["hidden"] == [5] and n.header()["arch"] == "nade"
    f = models.FVSBN(d=D)
    assert {k: v.shape for k, v in f.tensors().items()} == {"order": (D,), "W": (D, D), "b": (D,)}
    assert models.FVSBN().header() == {"arch": "fvsbn", "dims": 784, "shape": [28, 28], "dist": "bernoulli"}


@pytest.mark.parametrize("bad", [[0, 1, 1, 3, 4, 5, 6], [0, 1, 2], [0, 1, 2, 3, 4, 5, 7]])
def test_bad_order(bad):
    with pytest.raises(ValueError, match="permutation"):
        models.FVSBN(d=D, order=bad)
    with pytest.raises(ValueError, match="permutation"):
        models.NADE(d=D, h=3, order=bad)
