"""PyTorch reference WaveNet of format/SPEC.md 3.8, mu-law audio coding of 3.9,
and two generators (the Fast WaveNet queue algorithm and the naive rerun).

``WaveNet`` holds its parameters exactly as an ``.arw`` file stores them:
``tensors()`` returns the SPEC's tensor names and shapes in canonical order,
``header()`` its keys, ``to_arw``/``from_arw`` write and read a file through
python/arw.py. Sequences are [B, T] tensors of values 0..K-1 (float or int),
any length T >= 1.

    m = WaveNet([1, 2, 4, 8], residual_channels=32, gate_channels=32, skip_channels=64,
                head_channels=64, k=256, classes=4, shape=[16000], sample_rate=16000)
    lp = m.log_prob(x, y)             # log p(x | y) per sequence, [B]
    lm = m.log_prob_marginal(x)       # logsumexp_y log p(y) + log p(x | y)
    z = m.logits(x, y)                # [B, C, T]: z(t) of SPEC 3.8

    g = QueueGenerator(m, batch=8, y=labels)
    z = g.prime(prefix)               # [B, C]: logits of the sample after the prefix ([B, 0] to start)
    z = g.step(v)                     # feed the sample just drawn, get the next logits

``mulaw_encode``/``mulaw_decode`` are SPEC 3.9 in numpy binary64.
"""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- mu-law (SPEC 3.9)


def _round_half_away(v):
    """Round to nearest, halves away from zero (float64 numpy), exactly."""
    a = np.abs(v)
    f = np.floor(a)
    return np.sign(v) * (f + (a - f >= 0.5))


def mulaw_encode(s, k=256):
    """16-bit PCM samples (any integer array, values -32768..32767) -> mu-law
    codes 0..K-1 (int64), mu = K - 1, every step in binary64 as SPEC 3.9
    writes it: a = s / 32768, F(a) = sign(a) ln(1 + mu |a|) / ln(1 + mu),
    x = floor((F(a) + 1) / 2 * mu + 1/2)."""
    s = np.asarray(s)
    if s.size and (s.min() < -32768 or s.max() > 32767):
        raise ValueError("PCM samples must be in [-32768, 32767]")
    mu = float(k - 1)
    a = s.astype(np.float64) / 32768.0
    f = np.sign(a) * np.log(1.0 + mu * np.abs(a)) / np.log(1.0 + mu)
    return np.floor((f + 1.0) / 2.0 * mu + 0.5).astype(np.int64)


def mulaw_decode(x, k=256):
    """mu-law codes 0..K-1 -> 16-bit PCM samples (int16): y = 2x/mu - 1,
    a' = sign(y) ((1 + mu)^|y| - 1) / mu, s' = clamp(round(32768 a')) with
    halves rounded away from zero (SPEC 3.9)."""
    x = np.asarray(x)
    if x.size and (x.min() < 0 or x.max() > k - 1):
        raise ValueError("mu-law codes must be in [0, %d]" % (k - 1))
    mu = float(k - 1)
    y = 2.0 * x.astype(np.float64) / mu - 1.0
    a = np.sign(y) * (np.power(1.0 + mu, np.abs(y)) - 1.0) / mu
    return np.clip(_round_half_away(32768.0 * a), -32768, 32767).astype(np.int16)


# ---------------------------------------------------------------- the model (SPEC 3.8)


def _param(*shape):
    return nn.Parameter(torch.empty(*shape))


def receptive_field(dilations):
    """rho = 2 + sum(d_l): z(t) depends on x_{t-rho} ... x_{t-1} only."""
    return 2 + sum(dilations)


class WaveNet(nn.Module):
    """SPEC 3.8: a kernel-2 causal input convolution on the shifted input,
    L gated residual layers with dilated kernel-2 convolutions, 1x1 residual
    and skip maps, the head relu -> 1x1 -> relu -> 1x1, and optional global
    class conditioning with a class prior. k = 2 is a Bernoulli model (one
    logit per step), k > 2 categorical. ``shape`` is the data item's shape
    recorded in the header (default [1024]); ``sample_rate`` makes it an
    audio model (SPEC 3.9, categorical only)."""

    arch = "wavenet"

    def __init__(self, dilations, residual_channels, gate_channels, skip_channels, head_channels, k=2, classes=0,
                 shape=None, sample_rate=None):
        super().__init__()
        dilations = [int(d) for d in dilations]
        if not 1 <= len(dilations) <= 1024 or any(not 1 <= d <= 65536 for d in dilations) or \
                sum(dilations) > 1 << 20:
            raise ValueError("dilations must be 1..1024 values in [1, 65536] summing to <= 2^20: %s" % dilations)
        for name, v in (("residual_channels", residual_channels), ("gate_channels", gate_channels),
                        ("skip_channels", skip_channels), ("head_channels", head_channels)):
            if not 1 <= v <= 65536:
                raise ValueError("%s must be in [1, 65536], not %d" % (name, v))
        if not 2 <= k <= 65536:
            raise ValueError("categories must be in [2, 65536], not %d" % k)
        if not 0 <= classes <= 65536:
            raise ValueError("classes must be in [0, 65536], not %d" % classes)
        if sample_rate is not None and (k == 2 or not 1 <= sample_rate <= 1000000):
            raise ValueError("an audio model is categorical with sample_rate in [1, 1000000]")
        self.dilations = dilations
        self.L = len(dilations)
        self.R, self.G, self.S, self.O = residual_channels, gate_channels, skip_channels, head_channels
        self.k, self.classes, self.sample_rate = k, classes, sample_rate
        self.shape = list(shape) if shape is not None else [1024]
        self.c_in = 1 if k == 2 else k
        self.c_out = 1 if k == 2 else k
        R, G, S, O = self.R, self.G, self.S, self.O
        self.in_w, self.in_b = _param(R, self.c_in, 2), _param(R)
        for l in range(1, self.L + 1):
            setattr(self, "dil%d_w" % l, _param(2 * G, R, 2))
            setattr(self, "dil%d_b" % l, _param(2 * G))
            if classes:
                setattr(self, "dil%d_cls" % l, _param(classes, 2 * G))
            if l < self.L:
                setattr(self, "res%d_w" % l, _param(R, G))
                setattr(self, "res%d_b" % l, _param(R))
            setattr(self, "skip%d_w" % l, _param(S, G))
            setattr(self, "skip%d_b" % l, _param(S))
        self.head1_w, self.head1_b = _param(O, S), _param(O)
        self.head2_w, self.head2_b = _param(self.c_out, O), _param(self.c_out)
        if classes:
            self.class_logits = _param(classes)
        self.reset_parameters()

    # ------------------------------------------------------------ layout

    @property
    def dist(self):
        return "bernoulli" if self.k == 2 else "categorical"

    @property
    def receptive_field(self):
        return receptive_field(self.dilations)

    def tensor_names(self):
        names = ["in_w", "in_b"]
        for l in range(1, self.L + 1):
            names += ["dil%d_w" % l, "dil%d_b" % l] + (["dil%d_cls" % l] if self.classes else [])
            if l < self.L:
                names += ["res%d_w" % l, "res%d_b" % l]
            names += ["skip%d_w" % l, "skip%d_b" % l]
        names += ["head1_w", "head1_b", "head2_w", "head2_b"]
        return names + (["class_logits"] if self.classes else [])

    def reset_parameters(self):
        """Weights uniform in +-1/sqrt(fan_in), biases, class rows and the
        class prior zero."""
        with torch.no_grad():
            for name in self.tensor_names():
                p = getattr(self, name)
                if p.dim() >= 2 and not name.endswith("_cls"):
                    bound = 1 / math.sqrt(p[0].numel())
                    p.uniform_(-bound, bound)
                else:
                    p.zero_()

    def header(self):
        hd = {"arch": self.arch, "dims": int(np.prod(self.shape)), "shape": list(self.shape), "dist": self.dist,
              "categories": self.k, "dilations": list(self.dilations), "residual_channels": self.R,
              "gate_channels": self.G, "skip_channels": self.S, "head_channels": self.O, "classes": self.classes}
        if self.sample_rate is not None:
            hd["sample_rate"] = self.sample_rate
        return hd

    def tensors(self):
        """The SPEC's tensors, canonical order, as float32 numpy arrays."""
        return {name: getattr(self, name).detach().cpu().numpy().astype(np.float32) for name in self.tensor_names()}

    def load_tensors(self, t):
        with torch.no_grad():
            for name in self.tensor_names():
                p = getattr(self, name)
                v = torch.from_numpy(np.asarray(t[name], dtype=np.float32))
                if tuple(v.shape) != tuple(p.shape):
                    raise ValueError("tensor %s has shape %s, want %s" % (name, tuple(v.shape), tuple(p.shape)))
                p.copy_(v)
        return self

    def to_arw(self, path, meta=None, dtype="float32"):
        """Write the model (float32 by default) with an optional meta object."""
        import arw
        header = self.header()
        if meta:
            header["meta"] = meta
        tensors = self.tensors()
        arw.write(path, header, tensors, dtypes={k: dtype for k in tensors})

    # ------------------------------------------------------------ forward

    def _check_x(self, x):
        if x.dim() != 2 or x.shape[1] < 1:
            raise ValueError("sequences must be [B, T] with T >= 1, not %s" % (tuple(x.shape),))
        xl = x.long()
        if (xl < 0).any() or (xl >= self.k).any() or (x != xl.to(x.dtype)).any():
            raise ValueError("sequence values must be integers in [0, %d)" % self.k)
        return xl

    def _check_y(self, y, b):
        if y is None:
            if self.classes:
                raise ValueError("a class-conditional model needs labels here; use log_prob_marginal")
            return None
        if not self.classes:
            raise ValueError("an unconditional model takes no label")
        y = torch.as_tensor(y, dtype=torch.long).reshape(-1)
        if y.shape[0] != b or (y < 0).any() or (y >= self.classes).any():
            raise ValueError("labels must be %d values in [0, %d)" % (b, self.classes))
        return y

    def input_layer(self, xl):
        """h_0 [B, R, T] of the values xl [B, T] (long): in_w[:, :, 0] e(t-1) +
        in_w[:, :, 1] e(t) + in_b with e(t) the one-hot (or the bit) of
        x_{t-1} and e(t) = 0 for t <= 0."""
        dt = self.in_w.dtype
        B, T = xl.shape
        if self.k == 2:
            e = F.pad(xl.to(dt).unsqueeze(1), (1, 0))[:, :, :T]  # e(t) = x_{t-1}
            return F.conv1d(F.pad(e, (1, 0)), self.in_w, self.in_b)
        # One-hot convolution as a gather: tap j of value v is in_w[:, v, j].
        w0 = self.in_w[:, :, 0].t()  # [K, R]
        w1 = self.in_w[:, :, 1].t()
        h = self.in_b.reshape(1, 1, -1).expand(B, T, -1)
        if T >= 2:
            h = h + F.pad(w1[xl[:, :T - 1]], (0, 0, 1, 0))  # e(t) = onehot(x_{t-1}), t >= 1
        if T >= 3:
            h = h + F.pad(w0[xl[:, :T - 2]], (0, 0, 2, 0))  # e(t-1) = onehot(x_{t-2}), t >= 2
        return h.transpose(1, 2)

    def layer(self, l, h, cls):
        """Layer l (1-based) on h_{l-1} [B, R, T]: returns (h_l or None for
        the last layer, g_l [B, G, T]). cls is dil{l}_cls[y] [B, 2G] or None."""
        d = self.dilations[l - 1]
        a = F.conv1d(F.pad(h, (d, 0)), getattr(self, "dil%d_w" % l), getattr(self, "dil%d_b" % l), dilation=d)
        if cls is not None:
            a = a + cls.unsqueeze(2)
        g = torch.tanh(a[:, :self.G]) * torch.sigmoid(a[:, self.G:])
        if l == self.L:
            return None, g
        return h + F.conv1d(g, getattr(self, "res%d_w" % l).unsqueeze(2), getattr(self, "res%d_b" % l)), g

    def head(self, s):
        """z [B, C, T] from the skip sum s [B, S, T]."""
        o = F.relu(F.conv1d(F.relu(s), self.head1_w.unsqueeze(2), self.head1_b))
        return F.conv1d(o, self.head2_w.unsqueeze(2), self.head2_b)

    def logits(self, x, y=None):
        """z(t) for t = 0..T-1, [B, C, T], of sequences x [B, T] (labels y [B]
        for a class-conditional model)."""
        xl = self._check_x(x)
        y = self._check_y(y, xl.shape[0])
        h = self.input_layer(xl)
        s = None
        for l in range(1, self.L + 1):
            cls = getattr(self, "dil%d_cls" % l)[y] if y is not None else None
            h, g = self.layer(l, h, cls)
            sk = F.conv1d(g, getattr(self, "skip%d_w" % l).unsqueeze(2), getattr(self, "skip%d_b" % l))
            s = sk if s is None else s + sk
        return self.head(s)

    def step_log_probs(self, z, xl):
        """log p(x_t | x_<t) [B, T] from logits z [B, C, T] and values xl."""
        if self.k == 2:
            t = xl.to(z.dtype)
            l = z[:, 0]
            return t * F.logsigmoid(l) + (1 - t) * F.logsigmoid(-l)
        return F.log_softmax(z, dim=1).gather(1, xl.unsqueeze(1)).squeeze(1)

    def cond_log_prob(self, x, y=None):
        """log p(x | y) per sequence, [B] (log p(x) for an unconditional model)."""
        xl = self._check_x(x)
        return self.step_log_probs(self.logits(x, y), xl).sum(1)

    def log_prior(self):
        return F.log_softmax(self.class_logits, dim=0)

    def log_prob_marginal(self, x):
        """log p(x) = logsumexp_y log p(y) + log p(x | y) (SPEC 3.8 Classes);
        log p(x) for an unconditional model."""
        if not self.classes:
            return self.cond_log_prob(x)
        b = x.shape[0]
        lp = torch.stack([self.cond_log_prob(x, torch.full((b,), c, dtype=torch.long))
                          for c in range(self.classes)], 1)
        return torch.logsumexp(lp + self.log_prior().to(lp.dtype), dim=1)

    def log_prob(self, x, y=None):
        """log p(x | y) per sequence with labels; without labels the model's
        log p(x) (the class marginal for a class-conditional model)."""
        if y is None:
            return self.log_prob_marginal(x)
        return self.cond_log_prob(x, y)


def build(header):
    """A module with the architecture and sizes of an .arw header."""
    if header["arch"] != "wavenet":
        raise ValueError("not a wavenet: %r" % header["arch"])
    return WaveNet(header["dilations"], header["residual_channels"], header["gate_channels"],
                   header["skip_channels"], header["head_channels"], k=header.get("categories", 2),
                   classes=header["classes"], shape=header["shape"], sample_rate=header.get("sample_rate"))


def from_arw(path):
    """Rebuild a module (float32 parameters) from an .arw file."""
    import arw
    header, t = arw.read(path)
    return build(header).load_tensors(t)


# ---------------------------------------------------------------- generation


def sample_from_logits(z, k, gen=None, temperature=1.0):
    """One value per row of logits z [B, C] (float tensor of values)."""
    if k == 2:
        return torch.bernoulli(torch.sigmoid(z[:, 0] / temperature), generator=gen)
    return torch.multinomial(torch.softmax(z / temperature, 1), 1, generator=gen)[:, 0].to(z.dtype)


class QueueGenerator:
    """The Fast WaveNet generation algorithm (Paine et al. 2016) in PyTorch:
    layer l keeps a queue of its last d_l inputs h_{l-1}, so one step is a
    handful of matrix-vector (batch: matrix-matrix) products per layer,
    whatever the receptive field. Its per-step logits equal ``logits`` of the
    full pass over the same prefix.

    ``prime(x)`` ([B, P] known values, P may be 0) fills the queues with one
    full pass and returns z(P) [B, C]; ``step(v)`` takes the value x_t just
    drawn ([B]) and returns z(t + 1)."""

    def __init__(self, model, batch, y=None):
        self.m = model
        self.B = batch
        p = next(model.parameters())
        self.dtype = p.dtype
        y = model._check_y(y, batch)
        R, G = model.R, model.G
        with torch.no_grad():
            # Fused per-layer weights: [W0 W1] : [2G, 2R]; [res; skip] : [R+S, G].
            self.wd, self.bd, self.wrs, self.brs = [], [], [], []
            for l in range(1, model.L + 1):
                w = getattr(model, "dil%d_w" % l)
                self.wd.append(torch.cat([w[:, :, 0], w[:, :, 1]], 1).t().contiguous())  # [2R, 2G]
                b = getattr(model, "dil%d_b" % l).reshape(1, -1).expand(batch, -1)
                if y is not None:
                    b = b + getattr(model, "dil%d_cls" % l)[y]
                self.bd.append(b.contiguous())
                if l < model.L:
                    wrs = torch.cat([getattr(model, "res%d_w" % l), getattr(model, "skip%d_w" % l)], 0)
                    brs = torch.cat([getattr(model, "res%d_b" % l), getattr(model, "skip%d_b" % l)], 0)
                else:
                    wrs, brs = getattr(model, "skip%d_w" % l), getattr(model, "skip%d_b" % l)
                self.wrs.append(wrs.t().contiguous())
                self.brs.append(brs.reshape(1, -1).expand(batch, -1).contiguous())
            self.h1w, self.h1b = model.head1_w.t().contiguous(), model.head1_b
            self.h2w, self.h2b = model.head2_w.t().contiguous(), model.head2_b
            self.in0 = model.in_w[:, :, 0].t().contiguous()  # [C_in, R]
            self.in1 = model.in_w[:, :, 1].t().contiguous()
        self.y = y
        self.queues = [torch.zeros(d, batch, R, dtype=self.dtype) for d in model.dilations]
        self.pos = [0] * model.L
        self.e_prev = None  # e(t) of the last computed position, [B, R] contribution through tap 0
        self.u = torch.empty(batch, 2 * R, dtype=self.dtype)

    def _tap(self, w, v):
        """w^T e for e the one-hot (or bit) of values v [B]: [B, R]."""
        if self.m.k == 2:
            return v.to(self.dtype).unsqueeze(1) * w[0]
        return w[v.long()]

    @torch.no_grad()
    def prime(self, x):
        """Fill the queues from the known values x [B, P] (one full pass; P = 0
        starts from nothing) and return z(P), the logits of the next value."""
        m = self.m
        B, P = x.shape
        if B != self.B:
            raise ValueError("prime wants %d sequences, not %d" % (self.B, B))
        # Positions 0..P: the value at P is a placeholder no logit reads.
        xx = torch.cat([x.to(self.dtype), torch.zeros(B, 1, dtype=self.dtype)], 1)
        xl = m._check_x(xx)
        h = m.input_layer(xl)  # [B, R, P+1]
        s = None
        for l in range(1, m.L + 1):
            d = m.dilations[l - 1]
            q = torch.zeros(d, B, m.R, dtype=self.dtype)
            # queue l holds h_{l-1}(P-d+1 .. P) (zero before position 0).
            n = min(d, P + 1)
            q[d - n:] = h[:, :, P + 1 - n:].permute(2, 0, 1)
            self.queues[l - 1] = q
            self.pos[l - 1] = 0
            cls = getattr(m, "dil%d_cls" % l)[self.y] if self.y is not None else None
            h, g = m.layer(l, h, cls)
            sk = F.conv1d(g[:, :, P:], getattr(m, "skip%d_w" % l).unsqueeze(2), getattr(m, "skip%d_b" % l))
            s = sk if s is None else s + sk
        # e(P) = onehot(x_{P-1}) feeds tap 0 of the input layer at position P+1.
        self.e_prev = self._tap(self.in0, x[:, P - 1]) if P >= 1 else torch.zeros(B, m.R, dtype=self.dtype)
        return m.head(s)[:, :, 0]

    @torch.no_grad()
    def step(self, v):
        """Feed the value v [B] of the last position; return the next logits [B, C]."""
        m = self.m
        R, G = m.R, m.G
        h = self._tap(self.in1, v) + self.e_prev + m.in_b
        self.e_prev = self._tap(self.in0, v)
        s = None
        u = self.u
        for i in range(m.L):
            q, p = self.queues[i], self.pos[i]
            u[:, :R] = q[p]
            u[:, R:] = h
            q[p] = h
            self.pos[i] = p + 1 if p + 1 < q.shape[0] else 0
            a = torch.addmm(self.bd[i], u, self.wd[i])
            g = torch.tanh(a[:, :G]) * torch.sigmoid(a[:, G:])
            rs = torch.addmm(self.brs[i], g, self.wrs[i])
            if i < m.L - 1:
                h = h + rs[:, :R]
                sk = rs[:, R:]
            else:
                sk = rs
            s = sk if s is None else s + sk
        o = torch.relu(torch.addmm(self.h1b, torch.relu(s), self.h1w))
        return torch.addmm(self.h2b, o, self.h2w)

    @torch.no_grad()
    def generate(self, n, prefix=None, gen=None, temperature=1.0):
        """n new values after prefix ([B, P] or None), [B, n]."""
        x = prefix if prefix is not None else torch.zeros(self.B, 0)
        z = self.prime(x)
        out = torch.empty(self.B, n, dtype=self.dtype)
        for t in range(n):
            v = sample_from_logits(z, self.m.k, gen, temperature)
            out[:, t] = v
            if t + 1 < n:
                z = self.step(v)
        return out


class NaiveGenerator:
    """The straightforward generator: for every new value, rerun the full
    network over the receptive field (the last rho values and the new
    position), and keep the last position's logits."""

    def __init__(self, model, batch, y=None):
        self.m, self.B = model, batch
        self.y = model._check_y(y, batch)
        self.rho = model.receptive_field

    @torch.no_grad()
    def next_logits(self, x):
        """z(T) for the known values x [B, T] (T may be 0)."""
        B, T = x.shape
        w = x[:, max(0, T - self.rho):]
        w = torch.cat([w, torch.zeros(B, 1, dtype=w.dtype)], 1)
        return self.m.logits(w, self.y)[:, :, -1]

    @torch.no_grad()
    def generate(self, n, prefix=None, gen=None, temperature=1.0):
        dt = next(self.m.parameters()).dtype
        x = prefix.to(dt) if prefix is not None else torch.zeros(self.B, 0, dtype=dt)
        for _ in range(n):
            v = sample_from_logits(self.next_logits(x), self.m.k, gen, temperature)
            x = torch.cat([x, v.unsqueeze(1)], 1)
        return x[:, x.shape[1] - n:]
