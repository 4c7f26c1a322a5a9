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
