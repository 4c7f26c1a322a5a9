"""PyTorch reference modules for the image models of format/SPEC.md 3.5-3.7.

``PixelCNN`` (arch ``pixelcnn``: a mask-A input convolution, mask-B residual
layers, two 1x1 output layers) and ``GatedPixelCNN`` (arch
``gatedpixelcnn``: vertical and horizontal stacks with gated units, no blind
spot) hold their parameters exactly as ``.arw`` stores them: ``tensors()``
returns the SPEC's tensor names and shapes, ``header()`` its keys, and
``from_arw`` rebuilds a module from a file. Both take an optional class
label; ``log_prob(x)`` without labels is the unconditional
log sum_y p(y) p(x | y) of SPEC 3.5.

    m = GatedPixelCNN(h=28, w=28, channels=64, layers=8, kernel_size=3, head_channels=64, classes=10)
    lp = m.log_prob(x, y)     # x: [B, H*W] values 0..K-1 (float or int), y: [B] labels
"""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def _check_odd(name, k, lo):
    if k < lo or k % 2 != 1:
        raise ValueError("%s must be odd and >= %d, not %d" % (name, lo, k))


def mask(kind, k):
    """The SPEC 3.5 mask of a k x k kernel: 'A' keeps the taps strictly
    before the centre in raster order, 'B' also the centre."""
    n = (k - 1) // 2
    m = torch.zeros(k, k)
    m[:n, :] = 1
    m[n, :n] = 1
    if kind == "B":
        m[n, n] = 1
    return m


def _param(*shape):
    return nn.Parameter(torch.empty(*shape))


class _ImageModel(nn.Module):
    """What both architectures share: image shape, output distribution,
    classes and the class prior, the input map u = x / (K - 1), the
    log-likelihood from the logits."""

    arch = None

    def __init__(self, h, w, k, classes):
        super().__init__()
        if h < 1 or w < 1:
            raise ValueError("image shape must be positive, not %dx%d" % (h, w))
        if k < 2:
            raise ValueError("categories must be >= 2")
        self.h, self.w, self.k, self.classes = h, w, k, classes
        self.c_out = 1 if k == 2 else k
        if classes:
            self.class_logits = nn.Parameter(torch.zeros(classes))

    @property
    def dist(self):
        return "bernoulli" if self.k == 2 else "categorical"

    def _image(self, x):
        """[B, H*W] (or [B, H, W]) values -> the float32 input map [B, 1, H, W]."""
        x = x.reshape(x.shape[0], 1, self.h, self.w)
        u = (x.to(torch.float64) / (self.k - 1)).to(torch.float32)  # SPEC 3.5: rounded to float32
        return u.to(self.head1_w.dtype)

    def _bias(self, tab, y):
        """Rows y of a [classes, C] table as a [B, C, 1, 1] bias (0 without classes)."""
        if y is None:
            return 0
        return tab[y].reshape(y.shape[0], -1, 1, 1)

    def _check_y(self, y, b):
        if y is None:
            return None
        if not self.classes:
            raise ValueError("an unconditional model takes no label")
        y = torch.as_tensor(y, dtype=torch.long).reshape(-1)
        if y.shape[0] != b or (y < 0).any() or (y >= self.classes).any():
            raise ValueError("labels must be %d values in [0, %d)" % (b, self.classes))
        return y

    def cond_log_prob(self, x, y=None):
        """log p(x | y) per image (log p(x) for an unconditional model), [B]."""
        xi = x.reshape(x.shape[0], self.h * self.w)
        y = self._check_y(y, xi.shape[0])
        if self.classes and y is None:
            raise ValueError("a class-conditional model needs labels here; use log_prob for the marginal")
        z = self.logits(x, y)  # [B, C, H, W]
        if self.k == 2:
            t = xi.to(z.dtype)
            l = z.reshape(z.shape[0], -1)
            return (t * F.logsigmoid(l) + (1 - t) * F.logsigmoid(-l)).sum(1)
        lp = F.log_softmax(z, dim=1).reshape(z.shape[0], self.k, -1)
        return lp.gather(1, xi.long().unsqueeze(1)).squeeze(1).sum(1)

    def log_prior(self):
        return F.log_softmax(self.class_logits, dim=0)

    def log_prob(self, x, y=None):
        """log p(x | y) with labels; without, the model's log p(x): for a
        class-conditional model logsumexp_y log p(y) + log p(x | y)."""
        if y is not None or not self.classes:
            return self.cond_log_prob(x, y)
        b = x.shape[0]
        lp = torch.stack([self.cond_log_prob(x, torch.full((b,), c, dtype=torch.long)) for c in range(self.classes)], 1)
        return torch.logsumexp(lp + self.log_prior().to(lp.dtype), dim=1)

    def _head(self, s):
        o = F.relu(F.conv2d(F.relu(s), self.head1_w[:, :, None, None], self.head1_b))
        return F.conv2d(o, self.head2_w[:, :, None, None], self.head2_b)

    def header(self):
        hd = {"arch": self.arch, "dims": self.h * self.w, "shape": [self.h, self.w], "dist": self.dist,
              "categories": self.k}
        hd.update(self._keys())
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


class PixelCNN(_ImageModel):
    """SPEC 3.6: s_0 = conv_A(u) + in_cls[y]; s_l = s_{l-1} + conv_B(relu(s_{l-1})) + res{l}_cls[y];
    z = head2(relu(head1(relu(s_L))))."""

    arch = "pixelcnn"

    def __init__(self, h, w, channels, layers, kernel_size, input_kernel, head_channels, k=2, classes=0):
        super().__init__(h, w, k, classes)
        _check_odd("kernel_size", kernel_size, 1)
        _check_odd("input_kernel", input_kernel, 3)
        Fc, O = channels, head_channels
        self.channels, self.layers, self.kernel_size, self.input_kernel, self.head_channels = \
            channels, layers, kernel_size, input_kernel, head_channels
        self.in_w, self.in_b = _param(Fc, 1, input_kernel, input_kernel), _param(Fc)
        if classes:
            self.in_cls = _param(classes, Fc)
        for l in range(1, layers + 1):
            setattr(self, "res%d_w" % l, _param(Fc, Fc, kernel_size, kernel_size))
            setattr(self, "res%d_b" % l, _param(Fc))
            if classes:
                setattr(self, "res%d_cls" % l, _param(classes, Fc))
        self.head1_w, self.head1_b = _param(O, Fc), _param(O)
        self.head2_w, self.head2_b = _param(self.c_out, O), _param(self.c_out)
        self.register_buffer("mask_a", mask("A", input_kernel))
        self.register_buffer("mask_b", mask("B", kernel_size))
        self.reset_parameters()

    def reset_parameters(self):
        with torch.no_grad():
            for name in self.tensor_names():
                p = getattr(self, name)
                if name.endswith("_b") or name.endswith("_cls") or name == "class_logits":
                    p.zero_()
                else:
                    fan_in = p[0].numel()
                    p.uniform_(-1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))

    def tensor_names(self):
        names = ["in_w", "in_b"] + (["in_cls"] if self.classes else [])
        for l in range(1, self.layers + 1):
            names += ["res%d_w" % l, "res%d_b" % l] + (["res%d_cls" % l] if self.classes else [])
        names += ["head1_w", "head1_b", "head2_w", "head2_b"]
        return names + (["class_logits"] if self.classes else [])

    def _keys(self):
        return {"channels": self.channels, "layers": self.layers, "kernel_size": self.kernel_size,
                "input_kernel": self.input_kernel, "head_channels": self.head_channels, "classes": self.classes}

    def logits(self, x, y=None):
        u = self._image(x)
        s = F.conv2d(u, self.in_w * self.mask_a, self.in_b, padding=self.input_kernel // 2)
        if y is not None:
            s = s + self._bias(self.in_cls, y)
        for l in range(1, self.layers + 1):
            w = getattr(self, "res%d_w" % l) * self.mask_b
            r = F.conv2d(F.relu(s), w, getattr(self, "res%d_b" % l), padding=self.kernel_size // 2)
            if y is not None:
                r = r + self._bias(getattr(self, "res%d_cls" % l), y)
            s = s + r
        return self._head(s)


def gate(a):
    f = a.shape[1] // 2
    return torch.tanh(a[:, :f]) * torch.sigmoid(a[:, f:])


class GatedPixelCNN(_ImageModel):
    """SPEC 3.7: gated vertical and horizontal stacks (van den Oord et al.
    2016, "Conditional Image Generation with PixelCNN Decoders")."""

    arch = "gatedpixelcnn"

    def __init__(self, h, w, channels, layers, kernel_size, head_channels, k=2, classes=0):
        super().__init__(h, w, k, classes)
        _check_odd("kernel_size", kernel_size, 3)
        if layers < 1:
            raise ValueError("layers must be >= 1")
        Fc, O, n = channels, head_channels, kernel_size // 2
        self.channels, self.layers, self.kernel_size, self.head_channels = channels, layers, kernel_size, head_channels
        for l in range(1, layers + 1):
            cin = 1 if l == 1 else Fc
            setattr(self, "v%d_w" % l, _param(2 * Fc, cin, n + 1, kernel_size))
            setattr(self, "v%d_b" % l, _param(2 * Fc))
            setattr(self, "h%d_w" % l, _param(2 * Fc, cin, 1, n if l == 1 else n + 1))
            setattr(self, "h%d_b" % l, _param(2 * Fc))
            if classes:
                setattr(self, "v%d_cls" % l, _param(classes, 2 * Fc))
                setattr(self, "h%d_cls" % l, _param(classes, 2 * Fc))
            setattr(self, "vh%d_w" % l, _param(2 * Fc, 2 * Fc))
            setattr(self, "vh%d_b" % l, _param(2 * Fc))
            setattr(self, "ho%d_w" % l, _param(Fc, Fc))
            setattr(self, "ho%d_b" % l, _param(Fc))
        self.head1_w, self.head1_b = _param(O, Fc), _param(O)
        self.head2_w, self.head2_b = _param(self.c_out, O), _param(self.c_out)
        self.reset_parameters()

    reset_parameters = PixelCNN.reset_parameters

    def tensor_names(self):
        names = []
        for l in range(1, self.layers + 1):
            names += ["v%d_w" % l, "v%d_b" % l] + (["v%d_cls" % l] if self.classes else [])
            names += ["h%d_w" % l, "h%d_b" % l] + (["h%d_cls" % l] if self.classes else [])
            names += ["vh%d_w" % l, "vh%d_b" % l, "ho%d_w" % l, "ho%d_b" % l]
        names += ["head1_w", "head1_b", "head2_w", "head2_b"]
        return names + (["class_logits"] if self.classes else [])

    def _keys(self):
        return {"channels": self.channels, "layers": self.layers, "kernel_size": self.kernel_size,
                "head_channels": self.head_channels, "classes": self.classes}

    def logits(self, x, y=None):
        u = self._image(x)
        n, H = self.kernel_size // 2, self.h
        v = h = u
        for l in range(1, self.layers + 1):
            g = lambda name: getattr(self, name % l)  # noqa: E731
            # vconv: rows r-n..r, columns c-n..c+n (anchor (n, n)).
            vp = F.conv2d(F.pad(v, (n, n, n, 0)), g("v%d_w"), g("v%d_b"))
            if y is not None:
                vp = vp + self._bias(g("v%d_cls"), y)
            # hconv: columns c-n..c (l >= 2) or c-n..c-1 (l = 1) of row r.
            hp = F.conv2d(F.pad(h, (n, 0, 0, 0)), g("h%d_w"), g("h%d_b"))[:, :, :, :self.w]
            down = F.pad(vp, (0, 0, 1, 0))[:, :, :H, :]
            hp = hp + F.conv2d(down, g("vh%d_w")[:, :, None, None], g("vh%d_b"))
            if y is not None:
                hp = hp + self._bias(g("h%d_cls"), y)
            hn = F.conv2d(gate(hp), g("ho%d_w")[:, :, None, None], g("ho%d_b"))
            h = hn + h if l >= 2 else hn
            v = gate(vp)
        return self._head(h)


def build(header):
    """A module with the architecture and sizes of an .arw header."""
    H, W = header["shape"]
    kw = dict(h=H, w=W, channels=header["channels"], layers=header["layers"], kernel_size=header["kernel_size"],
              head_channels=header["head_channels"], k=header.get("categories", 2), classes=header["classes"])
    if header["arch"] == "pixelcnn":
        return PixelCNN(input_kernel=header["input_kernel"], **kw)
    if header["arch"] == "gatedpixelcnn":
        return GatedPixelCNN(**kw)
    raise ValueError("not an image model: %r" % header["arch"])


def from_arw(path):
    """Rebuild a module (float32 parameters) from an .arw file."""
    import arw
    header, t = arw.read(path)
    return build(header).load_tensors(t)
