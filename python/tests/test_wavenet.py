"""The PyTorch reference WaveNet (python/wavenet.py) against SPEC 3.8-3.9: the
forward pass against a numpy transcription of the equations, causality, the
receptive field, exact normalisation by enumeration, the class marginal, the
.arw round trip, mu-law coding on every 16-bit input, the queue and rerun
generators against the full pass, and the resumable training script."""

import decimal
import itertools
import math
import os
import wave

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import arw
import train_wavenet
import wavenet


def randomize(m, scale=0.5, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=p.dtype) * scale)
    return m


def variants():
    return {
        "bern": wavenet.WaveNet([1, 2, 4], 4, 3, 5, 6, shape=[4, 5]),
        "bern-cls": wavenet.WaveNet([1, 2, 4, 8, 1], 5, 4, 3, 4, classes=3),
        "cat5": wavenet.WaveNet([2, 1, 3], 4, 2, 5, 3, k=5),
        "cat16-cls": wavenet.WaveNet([1, 2, 4, 8, 16], 6, 5, 7, 8, k=16, classes=2),
        "audio": wavenet.WaveNet([1, 2, 1, 2], 4, 4, 6, 5, k=256, classes=2, shape=[50], sample_rate=16000),
        "one-layer": wavenet.WaveNet([3], 3, 2, 2, 3, k=3),
    }


def values(m, b, t, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, m.k, (b, t), generator=g).double()


def labels(m, b):
    return torch.arange(b) % m.classes if m.classes else None


def spec_logits(m, x, y):
    """SPEC 3.8 transcribed with numpy loops over time (float64): z [B, C, T]."""
    t = {k: v.astype(np.float64) for k, v in m.tensors().items()}
    x = np.asarray(x, dtype=np.int64)
    B, T = x.shape
    R, G, L = m.R, m.G, m.L
    out = np.zeros((B, m.c_out, T))
    for b in range(B):
        def e(tau):
            v = np.zeros(m.c_in)
            if tau >= 1:
                if m.k == 2:
                    v[0] = x[b, tau - 1]
                else:
                    v[x[b, tau - 1]] = 1
            return v
        hs = [np.zeros((T, R)) for _ in range(L)]  # h_0 .. h_{L-1}
        for tau in range(T):
            hs[0][tau] = t["in_w"][:, :, 0] @ e(tau - 1) + t["in_w"][:, :, 1] @ e(tau) + t["in_b"]
        s = np.zeros((T, m.S))
        for l in range(1, L + 1):
            d = m.dilations[l - 1]
            w = t["dil%d_w" % l]
            for tau in range(T):
                prev = hs[l - 1][tau - d] if tau - d >= 0 else np.zeros(R)
                a = w[:, :, 0] @ prev + w[:, :, 1] @ hs[l - 1][tau] + t["dil%d_b" % l]
                if m.classes:
                    a = a + t["dil%d_cls" % l][y[b]]
                g = np.tanh(a[:G]) * (1 / (1 + np.exp(-a[G:])))
                if l < L:
                    hs[l][tau] = hs[l - 1][tau] + t["res%d_w" % l] @ g + t["res%d_b" % l]
                s[tau] += t["skip%d_w" % l] @ g + t["skip%d_b" % l]
        for tau in range(T):
            o = np.maximum(t["head1_w"] @ np.maximum(s[tau], 0) + t["head1_b"], 0)
            out[b, :, tau] = t["head2_w"] @ o + t["head2_b"]
    return out


@pytest.mark.parametrize("name", list(variants()))
def test_forward_matches_spec(name):
    m = randomize(variants()[name])
    x = values(m, 2, 13)
    y = labels(m, 2)
    want = spec_logits(m, x.numpy(), None if y is None else y.numpy())
    got = m.double().logits(x, y).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_input_layer_is_onehot_conv():
    """The categorical input layer (a gather) equals SPEC's conv1d with
    kernel 2 and left padding 1 on e(t) = onehot(x_{t-1}), e(0) = 0."""
    m = randomize(variants()["cat16-cls"]).double()
    x = values(m, 3, 20)
    e = F.pad(F.one_hot(x.long(), m.k).double().transpose(1, 2), (1, 0))[:, :, :20]
    want = F.conv1d(F.pad(e, (1, 0)), m.in_w, m.in_b)
    assert torch.allclose(m.input_layer(x.long()), want, rtol=0, atol=1e-14)


@pytest.mark.parametrize("name", list(variants()))
def test_causal(name):
    """z(t) does not depend on x_t or anything later, and does on x_{t-1}."""
    m = randomize(variants()[name]).double()
    T = 12
    x = values(m, 1, T)
    y = labels(m, 1)
    z = m.logits(x, y)
    for t in range(T):
        x2 = x.clone()
        x2[0, t] = (x2[0, t] + 1) % m.k
        z2 = m.logits(x2, y)
        assert torch.equal(z2[:, :, :t + 1], z[:, :, :t + 1]), t
        if t + 1 < T:
            assert not torch.equal(z2[:, :, t + 1], z[:, :, t + 1]), t


@pytest.mark.parametrize("dil", [[1, 2, 4], [3], [2, 5, 1, 1]])
def test_receptive_field(dil):
    """SPEC 3.8: z(t) depends on x_{t-rho} ... x_{t-1} with rho = 2 + sum(d):
    x_{t-rho} changes z(t), x_{t-rho-1} does not."""
    m = randomize(wavenet.WaveNet(dil, 3, 3, 4, 4, k=4)).double()
    rho = m.receptive_field
    assert rho == 2 + sum(dil)
    T = rho + 6
    x = values(m, 1, T)
    z = m.logits(x)
    for t in range(rho, T):
        for lag, changes in ((rho, True), (rho + 1, False)):
            if t - lag < 0:
                continue
            x2 = x.clone()
            x2[0, t - lag] = (x2[0, t - lag] + 1) % m.k
            assert torch.equal(m.logits(x2)[:, :, t], z[:, :, t]) != changes, (t, lag)


@pytest.mark.parametrize("k,T", [(2, 8), (3, 5)])
def test_normalised(k, T):
    """Summing p(x | y) over every sequence of length T gives 1 for each
    class, and so does the marginal."""
    m = randomize(wavenet.WaveNet([1, 2], 3, 3, 4, 5, k=k, classes=2)).double()
    xs = torch.tensor(list(itertools.product(range(k), repeat=T))).double()
    for y in range(2):
        lp = m.log_prob(xs, torch.full((xs.shape[0],), y))
        assert torch.logsumexp(lp, 0).item() == pytest.approx(0, abs=1e-10)
    assert torch.logsumexp(m.log_prob_marginal(xs), 0).item() == pytest.approx(0, abs=1e-10)


def test_marginal_is_prior_mixture():
    m = randomize(variants()["cat16-cls"]).double()
    x = values(m, 4, 15)
    prior = torch.softmax(m.class_logits, 0)
    want = torch.log(sum(prior[c] * torch.exp(m.log_prob(x, torch.full((4,), c))) for c in range(2)))
    assert torch.allclose(m.log_prob_marginal(x), want, rtol=1e-12)
    assert torch.equal(m.log_prob(x), m.log_prob_marginal(x))


def test_bad_input_rejected():
    m = variants()["cat16-cls"]
    x = torch.zeros(2, 5)
    for bad_y in (torch.tensor([0, 2]), torch.tensor([0]), torch.tensor([-1, 0])):
        with pytest.raises(ValueError):
            m.log_prob(x, bad_y)
    with pytest.raises(ValueError):
        m.cond_log_prob(x)  # a conditional model needs labels
    with pytest.raises(ValueError):
        variants()["cat5"].log_prob(x, torch.tensor([0, 0]))
    for bad_x in (torch.full((1, 4), 16.0), torch.full((1, 4), -1.0), torch.full((1, 4), 0.5), torch.zeros(1, 0)):
        with pytest.raises(ValueError):
            m.log_prob(bad_x, torch.tensor([0]))
    with pytest.raises(ValueError):
        wavenet.WaveNet([1, 0], 2, 2, 2, 2)
    with pytest.raises(ValueError):
        wavenet.WaveNet([1], 2, 2, 2, 2, k=2, sample_rate=16000)  # audio is categorical


@pytest.mark.parametrize("name", list(variants()))
def test_arw_round_trip(tmp_path, name):
    """tensors()/header() follow the SPEC (arw.py validates them) and
    from_arw rebuilds the same model."""
    m = randomize(variants()[name])
    path = str(tmp_path / "m.arw")
    m.to_arw(path, {"note": "test"})
    header, t = arw.read(path)
    assert list(t) == m.tensor_names()
    assert header["meta"] == {"note": "test"}
    assert ("sample_rate" in header) == (m.sample_rate is not None)
    m2 = wavenet.from_arw(path)
    x = values(m, 3, 17).float()
    y = labels(m, 3)
    assert torch.equal(m.log_prob(x, y), m2.log_prob(x, y))
    assert m2.header() == m.header()


# ---------------------------------------------------------------- mu-law


def _encode_scalar(s, mu):
    a = s / 32768.0
    sign = (a > 0) - (a < 0)
    f = sign * math.log(1.0 + mu * abs(a)) / math.log(1.0 + mu)
    return math.floor((f + 1.0) / 2.0 * mu + 0.5)


def test_mulaw_encode_every_input():
    """encode equals SPEC 3.9's formula (scalar math, binary64) for all
    65536 inputs, is monotonic, maps 0 to 128 and the extremes to 0 and 255."""
    s = np.arange(-32768, 32768)
    x = wavenet.mulaw_encode(s)
    want = np.array([_encode_scalar(int(v), 255.0) for v in s])
    np.testing.assert_array_equal(x, want)
    assert x.min() == 0 and x.max() == 255 and np.all(np.diff(x) >= 0)
    assert x[32768] == 128 and x[0] == 0 and x[-1] == 255
    assert len(np.unique(x)) == 256


def test_mulaw_encode_exact_and_margin():
    """SPEC 3.9's claim: for K = 256 no input other than s = 0 puts the
    argument of floor within 1e-5 of an integer, so binary64 gives the exact
    code. Checked with 40-digit decimal arithmetic on a stride of inputs
    (and every input near each code boundary found by binary64)."""
    ctx = decimal.Context(prec=40)
    D = decimal.Decimal
    ln256 = ctx.ln(D(256))
    s = np.arange(-32768, 32768)
    a = s / 32768.0
    arg = (np.sign(a) * np.log1p(255 * np.abs(a)) / np.log(256.0) + 1) / 2 * 255 + 0.5
    dist = np.abs(arg - np.round(arg))
    dist[32768] = 1.0  # s = 0: exactly 128
    assert dist.min() > 1e-5
    x = wavenet.mulaw_encode(s)
    boundary = np.flatnonzero(np.diff(x)) + 1  # first sample of each new code
    check = sorted(set(range(0, 65536, 97)) | set(boundary.tolist()) | set((boundary - 1).tolist()))
    for i in check:
        v = int(s[i])
        if v == 0:
            continue
        f = ctx.divide(ctx.ln(ctx.add(D(1), ctx.divide(D(255 * abs(v)), D(32768)))), ln256)
        if v < 0:
            f = -f
        exact = int(((f + 1) / 2 * 255 + D("0.5")).to_integral_value(rounding=decimal.ROUND_FLOOR))
        assert exact == x[i], v


@pytest.mark.parametrize("k", [256, 16, 2])
def test_mulaw_round_trip(k):
    """encode(decode(x)) = x for every code; decode is the code's centre."""
    codes = np.arange(k)
    s = wavenet.mulaw_decode(codes, k)
    assert s.dtype == np.int16
    np.testing.assert_array_equal(wavenet.mulaw_encode(s, k), codes)
    if k == 256:
        assert s[0] == -32768 and s[255] == 32767  # 32768 clamps
        assert np.all(np.diff(s.astype(np.int64)) > 0)


def test_mulaw_rejects_out_of_range():
    with pytest.raises(ValueError):
        wavenet.mulaw_encode(np.array([32768]))
    with pytest.raises(ValueError):
        wavenet.mulaw_decode(np.array([256]))


def test_round_half_away():
    v = np.array([0.5, -0.5, 1.5, -2.5, 2.4999999999999996, 0.49999999999999994, 0.0])
    np.testing.assert_array_equal(wavenet._round_half_away(v), [1, -1, 2, -3, 2, 0, 0])


# ---------------------------------------------------------------- generators


@pytest.mark.parametrize("name", list(variants()))
@pytest.mark.parametrize("prime", [0, 1, 7, 30])
def test_queue_matches_full_pass(name, prime):
    """The queue generator's per-step logits equal the full pass over the
    same sequence, with and without a primed prefix, for receptive fields
    larger and smaller than the sequence."""
    m = randomize(variants()[name]).double()
    B, T = 3, 40
    x = values(m, B, T, seed=prime)
    y = labels(m, B)
    z = m.logits(x, y)
    g = wavenet.QueueGenerator(m, B, y)
    zs = [g.prime(x[:, :prime])]
    for t in range(prime, T - 1):
        zs.append(g.step(x[:, t]))
    got = torch.stack(zs, 2)
    assert torch.allclose(got, z[:, :, prime:], rtol=0, atol=1e-12)


def test_queue_float32():
    m = randomize(variants()["audio"])
    x = values(m, 2, 30).float()
    y = labels(m, 2)
    z = m.logits(x, y)
    g = wavenet.QueueGenerator(m, 2, y)
    zs = [g.prime(x[:, :0])] + [g.step(x[:, t]) for t in range(29)]
    assert torch.allclose(torch.stack(zs, 2), z, rtol=0, atol=1e-4)


@pytest.mark.parametrize("name", ["bern-cls", "cat16-cls", "one-layer"])
def test_naive_matches_full_pass(name):
    """Rerunning only the receptive field gives the full pass's logits."""
    m = randomize(variants()[name]).double()
    T = m.receptive_field + 10
    x = values(m, 2, T)
    y = labels(m, 2)
    z = m.logits(x, y)
    g = wavenet.NaiveGenerator(m, 2, y)
    for t in range(T):
        assert torch.allclose(g.next_logits(x[:, :t]), z[:, :, t], rtol=0, atol=1e-12), t


def test_generators_agree_on_samples():
    """Same generator seed, same model: the queue and rerun generators draw
    the same values (their logits agree to rounding)."""
    m = randomize(variants()["cat16-cls"]).double()
    y = labels(m, 2)
    prefix = values(m, 2, 5)
    a = wavenet.QueueGenerator(m, 2, y).generate(25, prefix, torch.Generator().manual_seed(3))
    b = wavenet.NaiveGenerator(m, 2, y).generate(25, prefix, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    assert a.shape == (2, 25) and a.min() >= 0 and a.max() < m.k


# ---------------------------------------------------------------- training


def run(cmd):
    """One invocation of the training script (in this process: no second
    torch import); returns what it logged."""
    train_wavenet.train(train_wavenet.parse_args(cmd))
    out = cmd[cmd.index("--out") + 1]
    with open(out + ".train.log") as f:
        return f.read()


def test_mnist_limit_is_the_split_prefix():
    """--limit binarizes only the first images, bit-identical to the split."""
    import mnist
    data = train_wavenet.MNISTData(train_wavenet.parse_args(["--data", "mnist", "--out", "x", "--limit", "5"]))
    for s in ("valid",):  # a split with a nonzero offset (binarizing one costs seconds)
        x, y = mnist.binarized(s)
        assert np.array_equal(data.split[s][0].numpy(), x[:5]) and np.array_equal(data.split[s][1].numpy(), y[:5])


def test_train_mnist_resumes(tmp_path):
    """A stopped run resumes from its checkpoint (the second invocation
    continues at epoch 1) and the export is a valid .arw with the metrics."""
    out = str(tmp_path / "w")
    cmd = ["--data", "mnist", "--max-dilation", "4", "--residual", "3", "--gate", "3", "--skip", "4",
           "--head", "4", "--limit", "48", "--eval-subset", "16", "--batch", "16", "--out", out]
    run(cmd + ["--max-epochs", "1"])
    ck = torch.load(out + ".ckpt.pt")
    assert ck["state"]["epoch"] == 1 and ck["state"]["step"] == 3
    assert "resumed from" in run(cmd + ["--max-epochs", "2"])
    assert torch.load(out + ".ckpt.pt")["state"]["step"] == 6
    header, _ = arw.read(out + ".arw")
    assert header["arch"] == "wavenet" and header["classes"] == 10 and header["shape"] == [28, 28]
    assert header["meta"]["test_nll_nats"] > 0 and header["meta"]["test_nll_given_label_nats"] > 0
    with pytest.raises(SystemExit, match="other sizes"):
        run(cmd[:-2] + ["--residual", "5", "--out", out, "--max-epochs", "3"])


def write_corpus(root, voices=2, clips=2, rate=8000):
    """A tiny corpus in make-speech-corpus.sh's layout (manifest.tsv)."""
    rng = np.random.default_rng(0)
    rows = ["split\tvoice\tvoice_name\tpath\tsamples"]
    for sp in ("train", "valid", "test"):
        for v in range(voices):
            for c in range(clips):
                n = int(rng.integers(300, 900))
                t = np.arange(n)
                s = (8000 * np.sin(t * (0.05 + 0.03 * v)) + rng.normal(0, 300, n)).astype("<i2")
                rel = "%s/v%d/%02d.wav" % (sp, v, c)
                os.makedirs(os.path.join(root, sp, "v%d" % v), exist_ok=True)
                with wave.open(os.path.join(root, rel), "wb") as w:
                    w.setnchannels(1)
                    w.setsampwidth(2)
                    w.setframerate(rate)
                    w.writeframes(s.tobytes())
                rows.append("%s\t%d\tvoice%d\t%s\t%d" % (sp, v, v, rel, n))
    with open(os.path.join(root, "manifest.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


def test_train_speech_resumes(tmp_path):
    corpus = str(tmp_path / "corpus")
    write_corpus(corpus)
    out = str(tmp_path / "s")
    cmd = ["--data", "speech", "--corpus", corpus, "--max-dilation", "8", "--stacks", "2", "--residual", "3",
           "--gate", "3", "--skip", "4", "--head", "4", "--classes", "2", "--batch", "2", "--window", "200",
           "--eval-subset", "2", "--out", out]
    run(cmd + ["--max-epochs", "1"])
    ck = torch.load(out + ".ckpt.pt")
    steps = ck["state"]["step"]
    assert ck["state"]["epoch"] == 1 and steps >= 2
    assert "resumed from" in run(cmd + ["--max-epochs", "2"])
    assert torch.load(out + ".ckpt.pt")["state"]["step"] == 2 * steps
    header, _ = arw.read(out + ".arw")
    assert header["sample_rate"] == 8000 and header["categories"] == 256 and header["classes"] == 2
    assert header["dilations"] == [1, 2, 4, 8] * 2
    assert 0 < header["meta"]["test_nll_given_label_bits_per_sample"] < 9


def test_bench_runs(tmp_path, capsys):
    """bench_wavenet.py prints one JSON object with every row (tiny model, short runs), batch 1
    on one thread and on --batch-threads."""
    import json

    import bench_wavenet
    path = str(tmp_path / "m.arw")
    randomize(variants()["audio"]).to_arw(path)
    threads = torch.get_num_threads()
    try:
        bench_wavenet.main(["--model", path, "--score-steps", "200", "--reps", "1", "--seconds", "0.05",
                            "--batch-threads", "2"])
    finally:
        torch.set_num_threads(threads)
    res = json.loads(capsys.readouterr().out)
    assert res["score"]["samples_per_s"] > 0 and res["rerun"]["samples_per_s"] > 0
    assert [(q["batch"], q["threads"]) for q in res["queue"]] == [(1, 1), (8, 2), (32, 2), (1, 2)]
    assert all(q["samples_per_s"] > 0 for q in res["queue"])
