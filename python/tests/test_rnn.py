import itertools

import numpy as np
import pytest
import torch

import rnn


def randomize(m, scale=0.7, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * scale)
    return m


CASES = [
    dict(arch="lstm", d=6, hidden=5, embed=3),
    dict(arch="lstm", d=5, k=3, dist="categorical", hidden=4, layers=2, embed=2),
    dict(arch="gru", d=6, hidden=5, embed=3, layers=3),
    dict(arch="gru", d=4, k=4, dist="categorical", hidden=6, embed=2),
]
IDS = ["lstm-bern", "lstm-cat-2layer", "gru-bern-3layer", "gru-cat"]


def sig(x):
    return 1 / (1 + np.exp(-x))


def spec_log_prob(m, x):
    """log p(x) from format/SPEC.md section 3.4's equations in numpy float64
    on the exported tensors: checks the gate order and layout of tensors()."""
    t = {k: v.astype(np.float64) for k, v in m.tensors().items()}
    H, L, K = m.hidden, m.layers, m.k
    out = []
    for row in x:
        h = [np.zeros(H) for _ in range(L)]
        c = [np.zeros(H) for _ in range(L)]
        s, lp = K, 0.0
        for step in range(m.d):
            u = t["embed"][s]
            for n in range(L):
                gi = t["weight_ih_l%d" % n] @ u + t["bias_ih_l%d" % n]
                gh = t["weight_hh_l%d" % n] @ h[n] + t["bias_hh_l%d" % n]
                if m.arch == "lstm":
                    i, f = sig(gi[:H] + gh[:H]), sig(gi[H:2 * H] + gh[H:2 * H])
                    g, o = np.tanh(gi[2 * H:3 * H] + gh[2 * H:3 * H]), sig(gi[3 * H:] + gh[3 * H:])
                    c[n] = f * c[n] + i * g
                    h[n] = o * np.tanh(c[n])
                else:
                    r, z = sig(gi[:H] + gh[:H]), sig(gi[H:2 * H] + gh[H:2 * H])
                    nn_ = np.tanh(gi[2 * H:] + r * gh[2 * H:])
                    h[n] = (1 - z) * nn_ + z * h[n]
                u = h[n]
            a = t["out_weight"] @ h[-1] + t["out_bias"]
            v = int(row[step])
            if m.dist == "bernoulli":
                lp += np.log(sig(a[0])) if v == 1 else np.log(sig(-a[0]))
            else:
                lp += a[v] - np.log(np.sum(np.exp(a)))
            s = v
        out.append(lp)
    return np.array(out)


def all_sequences(m):
    return np.array(list(itertools.product(range(m.k), repeat=m.d)))


@pytest.mark.parametrize("kw", CASES, ids=IDS)
def test_log_prob_matches_spec_equations(kw):
    m = randomize(rnn.RNN(**kw)).double()
    x = all_sequences(m)[::3]
    got = m.log_prob(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, spec_log_prob(m, x), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("kw", CASES, ids=IDS)
def test_normalized(kw):
    m = randomize(rnn.RNN(**kw)).double()
    lp = m.log_prob(torch.from_numpy(all_sequences(m))).detach().numpy()
    assert abs(np.exp(lp).sum() - 1) < 1e-9


@pytest.mark.parametrize("kw", CASES, ids=IDS)
def test_step_loop_equals_batched_forward(kw):
    m = randomize(rnn.RNN(**kw)).double()
    x = torch.from_numpy(all_sequences(m)[::5])
    with torch.no_grad():
        np.testing.assert_allclose(m.step_logits(x).numpy(), m.logits(x).numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kw", CASES, ids=IDS)
def test_arw_round_trip(kw, tmp_path):
    import arw
    m = randomize(rnn.RNN(**kw))
    path = str(tmp_path / "m.arw")
    tensors = m.tensors()
    arw.write(path, m.header(), tensors, dtypes={k: "float32" for k in tensors})
    h, _ = arw.read(path)
    assert h["arch"] == kw["arch"] and h["embed"] == kw["embed"]
    assert h["hidden"] == [kw["hidden"]] * kw.get("layers", 1)
    m2 = rnn.from_arw(path)
    x = torch.from_numpy(all_sequences(m)[::7])
    with torch.no_grad():
        np.testing.assert_array_equal(m2.log_prob(x).numpy(), m.log_prob(x).numpy())


def test_tensor_names_and_shapes():
    m = rnn.RNN("gru", d=10, k=7, dist="categorical", hidden=6, layers=2, embed=3)
    shapes = {k: v.shape for k, v in m.tensors().items()}
    assert list(shapes) == ["embed", "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "out_weight", "out_bias"]
    assert shapes["embed"] == (8, 3)
    assert shapes["weight_ih_l0"] == (18, 3) and shapes["weight_ih_l1"] == (18, 6)
    assert shapes["out_weight"] == (7, 6) and shapes["out_bias"] == (7,)


@pytest.mark.parametrize("kw,msg", [
    (dict(arch="rnn"), "lstm or gru"),
    (dict(dist="poisson"), "bernoulli or categorical"),
    (dict(k=3), "k=2"),
    (dict(hidden=0), "positive"),
    (dict(d=6, shape=(4, 2)), "does not hold"),
])
def test_bad_arguments(kw, msg):
    with pytest.raises(ValueError, match=msg):
        rnn.RNN(**kw)
