"""Recurrent autoregressive models (LSTM, GRU): the PyTorch reference.

The model of format/SPEC.md section 3.4: dimensions in raster order
t = 0..D-1; the input at step t is embed[s_t] with s_0 = K (the start
symbol, row K of the (K+1)-row embedding) and s_t = x_{t-1}; a stacked
torch.nn.LSTM / torch.nn.GRU (batch_first, bias=True, zero initial state);
a Linear output layer giving C = 1 logit (bernoulli) or C = K logits
(categorical) per step.

``tensors()`` returns the .arw tensors (names and layouts of the spec, which
are torch's own state_dict names for the recurrent weights) and ``header()``
the .arw header keys.
"""

import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class RNN(nn.Module):
    def __init__(self, arch="lstm", d=784, k=2, dist="bernoulli", hidden=128, layers=1,
                 embed=16, shape=None):
        super().__init__()
        if arch not in ("lstm", "gru"):
            raise ValueError("arch must be lstm or gru, not %r" % (arch,))
        if dist not in ("bernoulli", "categorical"):
            raise ValueError("dist must be bernoulli or categorical, not %r" % (dist,))
        if dist == "bernoulli" and k != 2:
            raise ValueError("a bernoulli model has k=2, not %d" % k)
        if k < 2 or d < 1 or hidden < 1 or layers < 1 or embed < 1:
            raise ValueError("sizes must be positive (k >= 2)")
        self.arch, self.d, self.k, self.dist = arch, d, k, dist
        self.hidden, self.layers, self.embed_dim = hidden, layers, embed
        self.shape = tuple(shape) if shape is not None else (d,)
        if int(np.prod(self.shape)) != d:
            raise ValueError("shape %s does not hold %d dims" % (self.shape, d))
        self.c = 1 if dist == "bernoulli" else k
        self.embed = nn.Embedding(k + 1, embed)
        cls = nn.LSTM if arch == "lstm" else nn.GRU
        self.rnn = cls(embed, hidden, num_layers=layers, batch_first=True)
        self.out = nn.Linear(hidden, self.c)

    def inputs(self, x):
        """Symbols fed at each step: [B, D] long, start symbol K then x[:, :-1]."""
        x = x.long()
        start = torch.full((x.shape[0], 1), self.k, dtype=torch.long, device=x.device)
        return torch.cat([start, x[:, :-1]], dim=1)

    def logits(self, x):
        """Output pre-activations [B, D, C] for data x [B, D] (values 0..K-1)."""
        h, _ = self.rnn(self.embed(self.inputs(x)))
        return self.out(h)

    def log_prob(self, x):
        """log p(x) in nats, shape [B]."""
        a = self.logits(x)
        if self.dist == "bernoulli":
            xf = x.to(a.dtype)
            return -F.binary_cross_entropy_with_logits(a[..., 0], xf, reduction="none").sum(-1)
        lp = torch.log_softmax(a, dim=-1)
        return lp.gather(-1, x.long().unsqueeze(-1)).squeeze(-1).sum(-1)

    @torch.no_grad()
    def step_logits(self, x):
        """Per-step conditionals computed one step at a time (the sampler's
        view), [B, D, C]; equal to logits(x) up to rounding."""
        B = x.shape[0]
        s = torch.full((B,), self.k, dtype=torch.long)
        state = None
        outs = []
        for t in range(self.d):
            h, state = self.rnn(self.embed(s).unsqueeze(1), state)
            outs.append(self.out(h[:, 0]))
            s = x[:, t].long()
        return torch.stack(outs, dim=1)

    def tensors(self):
        t = {"embed": self.embed.weight}
        sd = self.rnn.state_dict()
        for n in range(self.layers):
            for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                t["%s_l%d" % (w, n)] = sd["%s_l%d" % (w, n)]
        t["out_weight"] = self.out.weight
        t["out_bias"] = self.out.bias
        return {k: v.detach().cpu().numpy().astype(np.float32) for k, v in t.items()}

    def header(self):
        return {"arch": self.arch, "dims": self.d, "shape": list(self.shape), "dist": self.dist,
                "categories": self.k, "hidden": [self.hidden] * self.layers, "embed": self.embed_dim}


def from_arw(path):
    """Rebuild an RNN module from an lstm/gru .arw file (python/arw.py)."""
    import arw
    h, t = arw.read(path, as_float32=True)
    if h["arch"] not in ("lstm", "gru"):
        raise ValueError("%s: not an lstm/gru file (arch %r)" % (path, h["arch"]))
    m = RNN(h["arch"], d=h["dims"], k=h.get("categories", 2), dist=h["dist"], hidden=h["hidden"][0],
            layers=len(h["hidden"]), embed=h["embed"], shape=h["shape"])
    with torch.no_grad():
        m.embed.weight.copy_(torch.from_numpy(np.asarray(t["embed"])))
        sd = m.rnn.state_dict()
        for k in sd:
            sd[k].copy_(torch.from_numpy(np.asarray(t[k])))
        m.out.weight.copy_(torch.from_numpy(np.asarray(t["out_weight"])))
        m.out.bias.copy_(torch.from_numpy(np.asarray(t["out_bias"])))
    return m


# Random-weight golden models: name, constructor arguments.
GOLDEN = [
    ("lstm-d50-h16", dict(arch="lstm", d=50, hidden=16, embed=4)),
    ("lstm-d50-h12x2", dict(arch="lstm", d=50, hidden=12, layers=2, embed=3, shape=(5, 10))),
    ("gru-d50-h16", dict(arch="gru", d=50, hidden=16, embed=4)),
    ("gru-d50-h12x2", dict(arch="gru", d=50, hidden=12, layers=2, embed=3, shape=(5, 10))),
    ("lstm-d12-k5-h10x2", dict(arch="lstm", d=12, k=5, dist="categorical", hidden=10, layers=2, embed=6)),
    ("gru-d12-k5-h10", dict(arch="gru", d=12, k=5, dist="categorical", hidden=10, embed=6)),
    ("lstm-d8-k256-h24", dict(arch="lstm", d=8, k=256, dist="categorical", hidden=24, embed=8)),
    ("gru-d8-k256-h20x2", dict(arch="gru", d=8, k=256, dist="categorical", hidden=20, layers=2, embed=8)),
]


def make_golden(out):
    """Write engine/testdata/golden/<name>.{arw,json} for GOLDEN: random
    weights (N(0, 0.5^2), so that the conditionals are far from uniform),
    exported, re-read (the exporter is in the loop), and 16 random inputs
    scored by PyTorch in float32 and float64."""
    import arw
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(20261126)
    rng = np.random.default_rng(20261127)
    for name, kw in GOLDEN:
        m = RNN(**kw)
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
        path = os.path.join(out, name + ".arw")
        tensors = m.tensors()
        arw.write(path, m.header(), tensors, dtypes={k: "float32" for k in tensors})
        m2 = from_arw(path)
        if m2.dist == "bernoulli":
            x = (rng.random((16, m2.d)) < 0.3).astype(np.int64)
        else:
            x = rng.integers(0, m2.k, size=(16, m2.d))
        xt = torch.from_numpy(x)
        with torch.no_grad():
            f32 = m2.float().log_prob(xt).numpy().astype(np.float64)
            f64 = m2.double().log_prob(xt).numpy()
        rec = {"inputs": x.astype(np.uint8).tolist(), "log_prob_f32": f32.tolist(), "log_prob_f64": f64.tolist()}
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(rec, f)
        print(name, "mean log p %.4f (float32 vs float64 max rel %.2e)" % (
            f32.mean(), np.max(np.abs(f32 - f64) / np.abs(f64))))


def trained_golden(path, root):
    """Score the first 32 binarized MNIST test images with the trained model
    at path (re-read from its .arw) into models/golden/<name>.json, the file
    engine/golden_test.go's TestGoldenTrainedModels checks."""
    import mnist
    m = from_arw(os.path.join(root, path))
    x = torch.from_numpy(mnist.binarized("test")[0][:32].astype(np.int64))
    with torch.no_grad():
        f32 = m.float().log_prob(x).numpy().astype(np.float64)
        f64 = m.double().log_prob(x).numpy()
    rec = {"inputs": x.numpy().astype(np.uint8).tolist(), "log_prob_f32": f32.tolist(),
           "log_prob_f64": f64.tolist(), "model": path}
    out = os.path.join(root, "models", "golden", os.path.basename(path)[:-4] + ".json")
    with open(out, "w") as f:
        json.dump(rec, f)
    print(out, "mean NLL on the first 32 test images %.4f" % -f32.mean())


if __name__ == "__main__":
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if len(sys.argv) == 2 and sys.argv[1] == "golden":
        make_golden(os.path.join(root, "engine", "testdata", "golden"))
    elif len(sys.argv) == 3 and sys.argv[1] == "trained-golden":
        trained_golden(sys.argv[2], root)
    else:
        sys.exit("usage: rnn.py golden                          (engine/testdata/golden/{lstm,gru}-*)\n"
                 "       rnn.py trained-golden models/NAME.arw  (models/golden/NAME.json)")
