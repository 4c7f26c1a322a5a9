"""Write the PyTorch golden vectors that the Go engine tests check.

    /usr/bin/python3 python/make_golden.py            # random-weight models
    /usr/bin/python3 python/make_golden.py --trained  # the shipped models/*.arw
    /usr/bin/python3 python/make_golden.py --wavenet  # only the random-weight WaveNets

Random-weight models go to engine/testdata/golden/<name>.arw with
<name>.json beside them: the inputs (binary rows, data order) and PyTorch's
log p(x) per example in float32 (the reference the Go engine must match to a
relative 1e-5) and in float64. With --trained, the first 32 binarized MNIST
test images are scored by each shipped model (re-loaded from its .arw, so
the exporter is part of the loop) into models/golden/<name>.json.
"""

import argparse
import json
import math
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
    if arch in ("pixelcnn", "gatedpixelcnn"):
        import pixelcnn
        return pixelcnn.from_arw(path)
    if arch == "wavenet":
        import wavenet
        return wavenet.from_arw(path)
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


# Image models (SPEC 3.6, 3.7): name, class, constructor arguments. Small
# images in every variant (Bernoulli / 256 grey levels, with / without
# classes, kernel sizes 3 and 5, input kernels 5 and 7) and two deep stacks
# at MNIST size.
CONV = [
    ("pixelcnn-6x5-h8-l2", "PixelCNN", dict(h=6, w=5, channels=8, layers=2, kernel_size=3, input_kernel=5,
                                             head_channels=6)),
    ("pixelcnn-8x8-k256-c3", "PixelCNN", dict(h=8, w=8, channels=8, layers=3, kernel_size=3, input_kernel=7,
                                               head_channels=16, k=256, classes=3)),
    ("pixelcnn-5x7-k5-l0-c2", "PixelCNN", dict(h=5, w=7, channels=5, layers=0, kernel_size=5, input_kernel=3,
                                                head_channels=4, classes=2)),
    ("gated-6x6-h8-l3-c4", "GatedPixelCNN", dict(h=6, w=6, channels=8, layers=3, kernel_size=3, head_channels=8,
                                                  classes=4)),
    ("gated-5x7-k5-cat5", "GatedPixelCNN", dict(h=5, w=7, channels=6, layers=2, kernel_size=5, head_channels=8,
                                                 k=5)),
    ("gated-8x8-k256-c3", "GatedPixelCNN", dict(h=8, w=8, channels=8, layers=2, kernel_size=3, head_channels=8,
                                                 k=256, classes=3)),
    ("gated-28x28-h16-l12-c10", "GatedPixelCNN", dict(h=28, w=28, channels=16, layers=12, kernel_size=3,
                                                       head_channels=16, classes=10)),
    ("pixelcnn-28x28-h16-l10", "PixelCNN", dict(h=28, w=28, channels=16, layers=10, kernel_size=3,
                                                 input_kernel=7, head_channels=16)),
]


def randomize_conv(model, gen):
    """Weights uniform in +-1.5/sqrt(fan_in), biases, class rows and the
    class prior N(0, 0.3^2): conditionals far from uniform, activations of
    a deep residual stack still finite."""
    with torch.no_grad():
        for name in model.tensor_names():
            p = getattr(model, name)
            if p.dim() >= 2 and not name.endswith("_cls"):
                p.copy_((torch.rand(p.shape, generator=gen) * 2 - 1) * 1.5 / math.sqrt(p[0].numel()))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.3)
    return model


def golden_conv(path_json, model, x, labels, extra=None):
    """Like golden, for an image model: with labels, log_prob_* are log p(x | y)
    and marginal_* the unconditional log p(x)."""
    xt = torch.from_numpy(x)
    rec = {"inputs": x.astype(np.uint8).tolist(), "rtol": 1e-4}
    with torch.no_grad():
        for dt, suffix in ((torch.float32, "f32"), (torch.float64, "f64")):
            m = model.to(dt)
            if labels is not None:
                y = torch.from_numpy(labels)
                rec["log_prob_" + suffix] = m.log_prob(xt, y).double().numpy().tolist()
                rec["marginal_" + suffix] = m.log_prob(xt).double().numpy().tolist()
            else:
                rec["log_prob_" + suffix] = m.log_prob(xt).double().numpy().tolist()
    model.float()
    if labels is not None:
        rec["labels"] = labels.tolist()
    if extra:
        rec.update(extra)
    with open(path_json, "w") as f:
        json.dump(rec, f)
    return np.array(rec["log_prob_f32"])


def conv_models():
    import pixelcnn
    out = os.path.join(ROOT, "engine", "testdata", "golden")
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(20261205)
    rng = np.random.default_rng(20261205)
    for name, cls, kw in CONV:
        m = randomize_conv(getattr(pixelcnn, cls)(**kw), gen)
        path = os.path.join(out, name + ".arw")
        export.export_model(m, path)
        m2 = load_arw(path)  # the exporter is in the loop
        n = 4 if m.h * m.w > 100 else 12
        if m.k == 2:
            x = (rng.random((n, m.h * m.w)) < 0.3).astype(np.float32)
        else:
            x = rng.integers(0, m.k, (n, m.h * m.w)).astype(np.float32)
        labels = rng.integers(0, m.classes, n).astype(np.int64) if m.classes else None
        f32 = golden_conv(os.path.join(out, name + ".json"), m2, x, labels)
        print(name, "mean log p", f32.mean())


# WaveNets (SPEC 3.8): name, constructor arguments, sequence length T of the
# inputs. Every variant: Bernoulli, K = 16 and K = 256 audio (sample_rate),
# with and without classes, receptive field rho = 2 + sum(dilations) larger
# than T (the early steps and zero padding) and smaller (the stack slides),
# T equal to dims and not (any T is allowed), and an MNIST-size stack.
WAVENET = [
    ("wavenet-bern-4x5-d16", dict(dilations=[1, 2, 4, 8, 16], residual_channels=8, gate_channels=6,
                                  skip_channels=10, head_channels=12, shape=[4, 5]), 20),
    ("wavenet-bern-c3-d4", dict(dilations=[1, 2, 4], residual_channels=6, gate_channels=5, skip_channels=7,
                                head_channels=8, classes=3, shape=[64]), 64),
    ("wavenet-cat16-d4x2", dict(dilations=[1, 2, 4, 1, 2, 4], residual_channels=8, gate_channels=8,
                                skip_channels=12, head_channels=16, k=16, shape=[64]), 64),
    ("wavenet-cat16-c4-d16", dict(dilations=[1, 2, 4, 8, 16], residual_channels=7, gate_channels=9,
                                  skip_channels=8, head_channels=10, k=16, classes=4, shape=[20]), 20),
    ("wavenet-audio-k256-c2", dict(dilations=[1, 2, 4, 8, 16, 32] * 2, residual_channels=8, gate_channels=8,
                                   skip_channels=16, head_channels=16, k=256, classes=2, shape=[16000],
                                   sample_rate=16000), 300),
    ("wavenet-audio-k256-r8000", dict(dilations=[1, 2, 4, 8, 16, 32], residual_channels=6, gate_channels=4,
                                      skip_channels=8, head_channels=12, k=256, shape=[8000],
                                      sample_rate=8000), 50),
    ("wavenet-28x28-d512-c10", dict(dilations=[1 << i for i in range(10)], residual_channels=16,
                                    gate_channels=16, skip_channels=32, head_channels=32, classes=10,
                                    shape=[28, 28]), 784),
]


def randomize_wavenet(model, gen):
    """Weights uniform in +-2/sqrt(fan_in), biases, class rows and the class
    prior N(0, 0.3^2); head2_w in +-4.5/sqrt(O) (categorical) or +-12/sqrt(O)
    (the single Bernoulli logit) so the conditionals are far from uniform
    and vary along the sequence."""
    with torch.no_grad():
        for name in model.tensor_names():
            p = getattr(model, name)
            if p.dim() >= 2 and not name.endswith("_cls"):
                scale = (12.0 if model.k == 2 else 4.5) if name == "head2_w" else 2.0
                p.copy_((torch.rand(p.shape, generator=gen) * 2 - 1) * scale / math.sqrt(p[0].numel()))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.3)
    return model


def wavenet_models():
    import wavenet
    out = os.path.join(ROOT, "engine", "testdata", "golden")
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(20261213)
    rng = np.random.default_rng(20261213)
    for name, kw, T in WAVENET:
        m = randomize_wavenet(wavenet.WaveNet(**kw), gen)
        path = os.path.join(out, name + ".arw")
        export.export_model(m, path)
        m2 = load_arw(path)  # the exporter is in the loop
        n = 4 if T > 100 else 8
        if m.k == 2:
            x = (rng.random((n, T)) < 0.3).astype(np.float32)
        elif m.sample_rate:
            # A noisy tone, mu-law coded (SPEC 3.9), so the codes look like audio.
            t = np.arange(T)[None, :]
            f = rng.uniform(0.02, 0.2, (n, 1))
            s = 12000 * np.sin(f * t) * rng.uniform(0.2, 1, (n, 1)) + rng.normal(0, 500, (n, T))
            x = wavenet.mulaw_encode(np.clip(np.round(s), -32768, 32767).astype(np.int64), m.k).astype(np.float32)
        else:
            x = rng.integers(0, m.k, (n, T)).astype(np.float32)
        labels = rng.integers(0, m.classes, n).astype(np.int64) if m.classes else None
        f32 = golden_conv(os.path.join(out, name + ".json"), m2, x, labels,
                          {"receptive_field": m.receptive_field})
        print(name, "T", T, "rho", m.receptive_field, "mean log p per step", f32.mean() / T,
              "(uniform %.3f)" % -math.log(m.k), os.path.getsize(path), "bytes")


def speech_examples(m, per_voice=1, samples=4000, corpus=None):
    """The first `samples` mu-law codes of the first test clips of each
    voice of the speech corpus (scripts/make-speech-corpus.sh), with the
    voices as labels."""
    import train_wavenet
    import wavenet
    corpus = corpus or os.path.join(ROOT, "data", "speech")
    rows = [r for r in train_wavenet.read_manifest(corpus) if r[0] == "test"]
    xs, ys, names = [], [], []
    for vi in range(m.classes or 1):
        for _, v, _, rel, _ in [r for r in rows if r[1] == vi][:per_voice]:
            s, rate = train_wavenet.read_wav(os.path.join(corpus, rel))
            if rate != m.sample_rate:
                raise SystemExit("%s: %d Hz, the model is %d Hz" % (rel, rate, m.sample_rate))
            xs.append(wavenet.mulaw_encode(s[:samples], m.k))
            ys.append(v)
            names.append(rel)
    n = min(len(x) for x in xs)
    return np.stack([x[:n] for x in xs]).astype(np.float32), np.array(ys, dtype=np.int64), names


def trained_models(files=None, out=None):
    """Golden vectors of the shipped models (models/*.arw, or files) in
    models/golden (or out): the first 32 binarized MNIST test images, or for
    an audio WaveNet the first 4000 samples of one test clip per voice."""
    import mnist
    out = out or os.path.join(ROOT, "models", "golden")
    os.makedirs(out, exist_ok=True)
    test, labels = mnist.binarized("test")
    test, labels = test[:32].astype(np.float32), labels[:32].astype(np.int64)
    if files is None:
        files = [os.path.join(ROOT, "models", fn) for fn in sorted(os.listdir(os.path.join(ROOT, "models")))
                 if fn.endswith(".arw")]
    for path in files:
        fn = os.path.basename(path)
        m = load_arw(path)
        extra = {"model": os.path.relpath(os.path.abspath(path), ROOT)}
        arch = getattr(m, "arch", None)
        if arch == "wavenet":
            extra["receptive_field"] = m.receptive_field
        if arch == "wavenet" and m.sample_rate:
            x, y, clips = speech_examples(m)
            extra["clips"] = clips
            f32 = golden_conv(os.path.join(out, fn[:-4] + ".json"), m, x, y if m.classes else None, extra)
            print(fn, "mean bits per sample on %d test clips' first %d samples" % x.shape,
                  -f32.mean() / x.shape[1] / math.log(2))
            continue
        if arch in ("pixelcnn", "gatedpixelcnn", "wavenet"):
            f32 = golden_conv(os.path.join(out, fn[:-4] + ".json"), m, test, labels if m.classes else None, extra)
        else:
            f32 = golden(os.path.join(out, fn[:-4] + ".json"), m, test, extra)
        print(fn, "mean NLL on the first 32 test images", -f32.mean())


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--trained", action="store_true")
    ap.add_argument("--conv", action="store_true", help="only the random-weight image models")
    ap.add_argument("--wavenet", action="store_true", help="only the random-weight WaveNets")
    a = ap.parse_args()
    if a.trained:
        trained_models()
    elif a.conv:
        conv_models()
    elif a.wavenet:
        wavenet_models()
    else:
        random_models()
        conv_models()
        wavenet_models()
