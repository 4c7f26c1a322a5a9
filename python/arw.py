"""Reader and writer for .arw weight files, written from format/SPEC.md.

Standard library and numpy only.

    import arw
    arw.write("m.arw", {"arch": "fvsbn", "dims": 2, "shape": [2], "dist": "bernoulli"},
              {"order": np.array([1, 0], np.int32), "W": W, "b": b})
    header, tensors = arw.read("m.arw")

``write`` produces canonical files (SPEC.md section 4): the Go writer
(package format) produces the same bytes for the same content. ``read``
performs every check of SPEC.md section 5 and raises ``ArwError`` naming the
file, the field or tensor, and what was expected.
"""

import json
import struct
import zlib

import numpy as np

MAGIC = b"\x89ARW\r\n\x1a\n"
VERSION_MAJOR = 1
VERSION_MINOR = 2
PREAMBLE_SIZE = 64
ALIGNMENT = 64
MAX_HEADER_LEN = 16 << 20
MAX_RANK = 8
MAX_NAME_LEN = 256
MAX_HYPER = 2**31 - 2

# dtype name -> (element size, numpy storage dtype)
DTYPES = {
    "float32": (4, np.dtype("<f4")),
    "float16": (2, np.dtype("<f2")),
    "bfloat16": (2, np.dtype("<u2")),  # raw bits; converted on read
    "int32": (4, np.dtype("<i4")),
}
ARCHS = ("fvsbn", "nade", "made", "lstm", "gru", "pixelcnn", "gatedpixelcnn", "wavenet")
IMAGE_ARCHS = ("pixelcnn", "gatedpixelcnn")  # added in format 1.1 (SPEC.md 3.5)
COMMON_KEYS = ("arch", "dims", "shape", "dist", "categories", "meta", "tensors")
ARCH_KEYS = {
    "hidden": ("nade", "made", "lstm", "gru"),
    "masks": ("made",),
    "direct": ("made",),
    "embed": ("lstm", "gru"),
    "channels": IMAGE_ARCHS,
    "layers": IMAGE_ARCHS,
    "kernel_size": IMAGE_ARCHS,
    "input_kernel": ("pixelcnn",),
    "head_channels": IMAGE_ARCHS + ("wavenet",),
    "classes": IMAGE_ARCHS + ("wavenet",),
    "dilations": ("wavenet",),
    "residual_channels": ("wavenet",),
    "gate_channels": ("wavenet",),
    "skip_channels": ("wavenet",),
    "sample_rate": ("wavenet",),
}
# Reserved in 1.0 for a later version and still undefined in 1.2 (SPEC.md 2.1).
RESERVED_KEYS = ("mask_types", "gated")
# Limits of the image architectures (SPEC.md 3.5).
MAX_IMAGE_SIDE = 65535
MAX_IMAGE_PIXELS = 2**20
MAX_IMAGE_CATEGORIES = 65536
MAX_IMAGE_WIDTH = 65536  # channels, head_channels, classes
MAX_IMAGE_LAYERS = 1024
MAX_KERNEL = 255
# Limits of wavenet (SPEC.md 3.8).
MAX_WAVE_CATEGORIES = 65536
MAX_WAVE_LAYERS = 1024
MAX_DILATION = 65536
MAX_DILATION_SUM = 2**20
MAX_WAVE_WIDTH = 65536  # residual, gate, skip, head channels and classes
MAX_SAMPLE_RATE = 1000000
TENSOR_KEYS = ("name", "dtype", "shape", "offset", "length")

def min_minor(arch):
    """The smallest minor version defining ``arch``: what a writer records
    and a reader requires (SPEC.md 1.2)."""
    if arch == "wavenet":
        return 2
    return 1 if arch in IMAGE_ARCHS else 0


# Preamble: magic, major, minor, flags, header_len, data_offset, data_len,
# header_crc, data_crc, preamble_crc, 12 reserved bytes.
_PREAMBLE = struct.Struct("<8sHHIQQQIII12s")
assert _PREAMBLE.size == PREAMBLE_SIZE


class ArwError(ValueError):
    """A malformed .arw file or model. ``path``, ``field`` and ``msg`` are
    also available separately; ``checksum`` is True for a CRC mismatch."""

    def __init__(self, path, field, msg, checksum=False):
        self.path, self.field, self.msg, self.checksum = path, field, msg, checksum
        parts = ["arw"]
        if path:
            parts.append(str(path))
        if field:
            parts.append(field)
        super().__init__(": ".join(parts + [msg]))


def _align(n):
    return (n + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


def _crc(b):
    return zlib.crc32(b) & 0xFFFFFFFF


# ---------------------------------------------------------------- dtypes


def f32_to_bf16_bits(a):
    """float32 array -> bfloat16 bits (uint16), round to nearest, ties to even;
    NaN stays NaN (quiet bit set)."""
    b = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    nan = (b & 0x7FFFFFFF) > 0x7F800000
    r = ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype(np.uint16)
    r[nan] = ((b[nan] >> 16) | 0x40).astype(np.uint16)
    return r


def f32_to_f16_bits(a):
    """float32 array -> float16 bits (uint16), round to nearest, ties to even;
    values too large become infinity. A NaN stays a NaN with its sign and the
    top 10 bits of its payload, or payload 1 if those are all zero (SPEC.md
    2.2): numpy's float16 cast agrees on numbers but may quiet a NaN on
    hardware with float16 conversion instructions, so NaNs are set here."""
    b = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow to infinity is the rule
        r = np.asarray(b.view(np.float32).astype("<f2")).view(np.uint16).copy()
    nan = (b & 0x7FFFFFFF) > 0x7F800000
    if nan.any():
        n = b[nan]
        m = ((n >> 13) & 0x3FF).astype(np.uint16)
        m[m == 0] = 1
        r[nan] = ((n >> 16) & 0x8000).astype(np.uint16) | 0x7C00 | m
    return r


def bf16_bits_to_f32(bits):
    """bfloat16 bits (uint16 array) -> float32 array, exactly."""
    return (np.asarray(bits, dtype=np.uint32) << 16).view(np.float32)


# ---------------------------------------------------------------- architectures


def expected_tensors(h):
    """The tensors an architecture requires, in canonical order, as a list of
    (name, kind, shape) with kind "float" or "int". ``h`` is a validated
    header dict."""
    D = h["dims"]
    arch = h["arch"]
    if arch == "fvsbn":
        return [("order", "int", [D]), ("W", "float", [D, D]), ("b", "float", [D])]
    if arch == "nade":
        H = h["hidden"][0]
        return [("order", "int", [D]), ("W", "float", [H, D]), ("c", "float", [H]),
                ("V", "float", [D, H]), ("b", "float", [D])]
    if arch == "made":
        K = h["masks"]
        specs = [("order", "int", [K, D])]
        for l, H in enumerate(h["hidden"]):
            specs.append(("degrees%d" % (l + 1), "int", [K, H]))
        prev = D
        for l, H in enumerate(h["hidden"]):
            specs += [("W%d" % (l + 1), "float", [H, prev]), ("b%d" % (l + 1), "float", [H])]
            prev = H
        specs += [("Wout", "float", [D, prev]), ("bout", "float", [D])]
        if h["direct"]:
            specs.append(("A", "float", [D, D]))
        return specs
    if arch in ("lstm", "gru"):
        G = 4 if arch == "lstm" else 3
        H = h["hidden"][0]
        C = 1 if h["dist"] == "bernoulli" else h["categories"]
        specs = [("embed", "float", [h["categories"] + 1, h["embed"]])]
        inp = h["embed"]
        for n in range(len(h["hidden"])):
            specs += [("weight_ih_l%d" % n, "float", [G * H, inp]),
                      ("weight_hh_l%d" % n, "float", [G * H, H]),
                      ("bias_ih_l%d" % n, "float", [G * H]),
                      ("bias_hh_l%d" % n, "float", [G * H])]
            inp = H
        return specs + [("out_weight", "float", [C, H]), ("out_bias", "float", [C])]
    if arch in IMAGE_ARCHS:
        return _image_tensors(h)
    if arch == "wavenet":
        return _wavenet_tensors(h)
    raise AssertionError(arch)


def _image_tensors(h):
    """SPEC.md 3.6 (pixelcnn) and 3.7 (gatedpixelcnn)."""
    F, L, k = h["channels"], h["layers"], h["kernel_size"]
    O, N = h["head_channels"], h["classes"]
    C = 1 if h["dist"] == "bernoulli" else h["categories"]
    n = (k - 1) // 2
    specs = []

    def add(name, *shape):
        specs.append((name, "float", list(shape)))

    def cls(name, width):
        if N >= 1:
            add(name, N, width)

    if h["arch"] == "pixelcnn":
        k0 = h["input_kernel"]
        add("in_w", F, 1, k0, k0)
        add("in_b", F)
        cls("in_cls", F)
        for l in range(1, L + 1):
            add("res%d_w" % l, F, F, k, k)
            add("res%d_b" % l, F)
            cls("res%d_cls" % l, F)
    else:
        for l in range(1, L + 1):
            I = 1 if l == 1 else F
            add("v%d_w" % l, 2 * F, I, n + 1, k)
            add("v%d_b" % l, 2 * F)
            cls("v%d_cls" % l, 2 * F)
            if l == 1:
                add("h1_w", 2 * F, 1, 1, n)
            else:
                add("h%d_w" % l, 2 * F, F, 1, n + 1)
            add("h%d_b" % l, 2 * F)
            cls("h%d_cls" % l, 2 * F)
            add("vh%d_w" % l, 2 * F, 2 * F)
            add("vh%d_b" % l, 2 * F)
            add("ho%d_w" % l, F, F)
            add("ho%d_b" % l, F)
    add("head1_w", O, F)
    add("head1_b", O)
    add("head2_w", C, O)
    add("head2_b", C)
    if N >= 1:
        add("class_logits", N)
    return specs


def _wavenet_tensors(h):
    """SPEC.md 3.8: input convolution, then per residual layer l = 1..L the
    dilated convolution (and its class embedding), the residual 1x1 (not in
    the last layer) and the skip 1x1, then the head and the class prior."""
    R, G, S = h["residual_channels"], h["gate_channels"], h["skip_channels"]
    O, N = h["head_channels"], h["classes"]
    C = h["categories"] if h["dist"] == "categorical" else 1
    L = len(h["dilations"])
    out = [("in_w", "float", [R, C, 2]), ("in_b", "float", [R])]
    for l in range(1, L + 1):
        out.append(("dil%d_w" % l, "float", [2 * G, R, 2]))
        out.append(("dil%d_b" % l, "float", [2 * G]))
        if N > 0:
            out.append(("dil%d_cls" % l, "float", [N, 2 * G]))
        if l != L:
            out.append(("res%d_w" % l, "float", [R, G]))
            out.append(("res%d_b" % l, "float", [R]))
        out.append(("skip%d_w" % l, "float", [S, G]))
        out.append(("skip%d_b" % l, "float", [S]))
    out += [("head1_w", "float", [O, S]), ("head1_b", "float", [O]),
            ("head2_w", "float", [C, O]), ("head2_b", "float", [C])]
    if N > 0:
        out.append(("class_logits", "float", [N]))
    return out


# ---------------------------------------------------------------- header


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _describe(h):
    s = "dims=%d" % h["dims"]
    if h.get("hidden"):
        s += " hidden=%s" % h["hidden"]
    if h["arch"] == "made":
        s += " masks=%d direct=%s" % (h["masks"], h["direct"])
    if h["arch"] in ("lstm", "gru"):
        s += " embed=%d categories=%d dist=%s" % (h["embed"], h["categories"], h["dist"])
    if h["arch"] in IMAGE_ARCHS:
        s += " shape=%s channels=%d layers=%d kernel_size=%d" % (h["shape"], h["channels"], h["layers"],
                                                                 h["kernel_size"])
        if h["arch"] == "pixelcnn":
            s += " input_kernel=%d" % h["input_kernel"]
        s += " head_channels=%d classes=%d categories=%d dist=%s" % (h["head_channels"], h["classes"],
                                                                     h["categories"], h["dist"])
    if h["arch"] == "wavenet":
        s += " dilations=%s residual_channels=%d gate_channels=%d skip_channels=%d" % (
            h["dilations"], h["residual_channels"], h["gate_channels"], h["skip_channels"])
        s += " head_channels=%d classes=%d categories=%d dist=%s" % (h["head_channels"], h["classes"],
                                                                     h["categories"], h["dist"])
        if "sample_rate" in h:
            s += " sample_rate=%d" % h["sample_rate"]
    return s


def _check_hyper(path, m, minor):
    """Validate the top-level header object (without the tensor index) and
    return the normalized hyperparameters as a dict."""
    strict = minor <= VERSION_MINOR

    def err(key, msg):
        return ArwError(path, "header." + key, msg)

    def get(key, required):
        if key not in m:
            if required:
                raise err(key, "required key is missing")
            return None
        if m[key] is None:
            raise err(key, "must not be null")
        return m[key]

    def get_int(key, required, lo, hi):
        v = get(key, required)
        if v is None:
            return None
        if not _is_int(v):
            raise err(key, "want an integer, found %s" % json.dumps(v)[:40])
        if not lo <= v <= hi:
            raise err(key, "value %d outside [%d, %d]" % (v, lo, hi))
        return v

    def get_int_list(key, required, min_len, max_len, lo, hi):
        v = get(key, required)
        if v is None:
            return None
        if not isinstance(v, list):
            raise err(key, "want an array of integers, found %s" % json.dumps(v)[:40])
        if not min_len <= len(v) <= max_len:
            raise err(key, "array has %d entries, want between %d and %d" % (len(v), min_len, max_len))
        for i, x in enumerate(v):
            if not _is_int(x):
                raise err(key, "entry %d: want an integer, found %s" % (i, json.dumps(x)[:40]))
            if not lo <= x <= hi:
                raise err(key, "entry %d: value %d outside [%d, %d]" % (i, x, lo, hi))
        return list(v)

    arch = get("arch", True)
    if not isinstance(arch, str):
        raise err("arch", "want a string, found %s" % json.dumps(arch)[:40])
    if arch not in ARCHS:
        raise err("arch", "unknown architecture %r (this build, format %d.%d, knows %s)"
                  % (arch, VERSION_MAJOR, VERSION_MINOR, ", ".join(ARCHS)))
    if minor < min_minor(arch):
        raise ArwError(path, "preamble.minor", "arch %s is defined from format version %d.%d on, but the file "
                       "says %d.%d" % (arch, VERSION_MAJOR, min_minor(arch), VERSION_MAJOR, minor))
    for k in sorted(m):
        if k in COMMON_KEYS:
            continue
        if k in ARCH_KEYS:
            if arch not in ARCH_KEYS[k]:
                raise err(k, "key is not used by arch %s" % arch)
            continue
        if not strict:
            continue
        if k in RESERVED_KEYS:
            raise err(k, "key is reserved for a later version of the format; this build reads %d.%d"
                      % (VERSION_MAJOR, VERSION_MINOR))
        raise err(k, "unknown key in a version %d.%d file" % (VERSION_MAJOR, minor))

    h = {"arch": arch}
    h["dims"] = get_int("dims", True, 1, MAX_HYPER)
    h["shape"] = get_int_list("shape", True, 1, MAX_RANK, 1, MAX_HYPER)
    if int(np.prod(h["shape"], dtype=object)) != h["dims"]:
        raise err("shape", "shape %s has %d elements, but dims is %d"
                  % (h["shape"], int(np.prod(h["shape"], dtype=object)), h["dims"]))
    dist = get("dist", True)
    if dist not in ("bernoulli", "categorical"):
        raise err("dist", "unknown distribution %s (want bernoulli or categorical)" % json.dumps(dist)[:40])
    h["dist"] = dist
    k = get_int("categories", False, 2, MAX_HYPER)
    if k is None:
        if dist != "bernoulli":
            raise err("categories", "required key is missing (it may be omitted only for dist bernoulli)")
        k = 2
    if dist == "bernoulli" and k != 2:
        raise err("categories", "is %d, must be 2 for dist bernoulli" % k)
    if dist == "categorical" and arch not in ("lstm", "gru", "wavenet") + IMAGE_ARCHS:
        raise err("dist", "arch %s supports only dist bernoulli in format %d.%d"
                  % (arch, VERSION_MAJOR, VERSION_MINOR))
    if dist == "categorical" and arch in IMAGE_ARCHS and k > MAX_IMAGE_CATEGORIES:
        raise err("categories", "is %d; arch %s takes at most %d" % (k, arch, MAX_IMAGE_CATEGORIES))
    if dist == "categorical" and arch == "wavenet" and k > MAX_WAVE_CATEGORIES:
        raise err("categories", "is %d; arch wavenet takes at most %d" % (k, MAX_WAVE_CATEGORIES))
    h["categories"] = k
    if arch == "nade":
        h["hidden"] = get_int_list("hidden", True, 1, 1, 1, MAX_HYPER)
    elif arch == "made":
        if h["dims"] < 2:
            raise err("dims", "made needs dims >= 2 (hidden degrees range over [1, dims-1]); "
                              "use fvsbn for one dimension")
        h["hidden"] = get_int_list("hidden", True, 1, 1024, 1, MAX_HYPER)
        h["masks"] = get_int("masks", True, 1, MAX_HYPER)
        direct = get("direct", True)
        if not isinstance(direct, bool):
            raise err("direct", "want true or false, found %s" % json.dumps(direct)[:40])
        h["direct"] = direct
    elif arch in ("lstm", "gru"):
        h["hidden"] = get_int_list("hidden", True, 1, 1024, 1, MAX_HYPER)
        for i, x in enumerate(h["hidden"]):
            if x != h["hidden"][0]:
                raise err("hidden", "entry %d is %d but entry 0 is %d: all %s layers have the same size"
                          % (i, x, h["hidden"][0], arch))
        h["embed"] = get_int("embed", True, 1, MAX_HYPER)
    elif arch in IMAGE_ARCHS:
        shape = h["shape"]
        if len(shape) != 2:
            raise err("shape", "is %s; arch %s needs exactly [H, W]" % (shape, arch))
        if max(shape) > MAX_IMAGE_SIDE:
            raise err("shape", "is %s; H and W are at most %d" % (shape, MAX_IMAGE_SIDE))
        if h["dims"] > MAX_IMAGE_PIXELS:
            raise err("shape", "%s has %d pixels; arch %s takes at most %d" % (shape, h["dims"], arch, MAX_IMAGE_PIXELS))
        gated = arch == "gatedpixelcnn"

        def get_odd(key, lo):
            v = get_int(key, True, lo, MAX_KERNEL)
            if v % 2 == 0:
                raise err(key, "is %d, must be odd" % v)
            return v

        h["channels"] = get_int("channels", True, 1, MAX_IMAGE_WIDTH)
        h["layers"] = get_int("layers", True, 1 if gated else 0, MAX_IMAGE_LAYERS)
        h["kernel_size"] = get_odd("kernel_size", 3 if gated else 1)
        if not gated:
            h["input_kernel"] = get_odd("input_kernel", 3)
        h["head_channels"] = get_int("head_channels", True, 1, MAX_IMAGE_WIDTH)
        h["classes"] = get_int("classes", True, 0, MAX_IMAGE_WIDTH)
    elif arch == "wavenet":
        dil = get_int_list("dilations", True, 1, MAX_WAVE_LAYERS, 1, MAX_DILATION)
        if sum(dil) > MAX_DILATION_SUM:  # Python integers do not overflow
            raise err("dilations", "add up to %d; the sum is at most %d" % (sum(dil), MAX_DILATION_SUM))
        h["dilations"] = dil
        for key in ("residual_channels", "gate_channels", "skip_channels", "head_channels"):
            h[key] = get_int(key, True, 1, MAX_WAVE_WIDTH)
        h["classes"] = get_int("classes", True, 0, MAX_WAVE_WIDTH)
        rate = get_int("sample_rate", False, 1, MAX_SAMPLE_RATE)
        if rate is not None:
            if dist != "categorical":
                raise err("sample_rate", "marks an audio model (mu-law codes, SPEC.md 3.9), which needs dist "
                                         "categorical, not %s" % dist)
            h["sample_rate"] = rate
    meta = get("meta", False)
    if meta is not None:
        if not isinstance(meta, dict):
            raise err("meta", "must be a JSON object, found %s" % json.dumps(meta)[:40])
        h["meta"] = meta
    return h


def _canonical_json(obj):
    s = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode("utf-8")


def _reject_constant(name):
    raise ValueError("%s is not valid JSON" % name)


def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key %s" % json.dumps(k))
        d[k] = v
    return d


# ---------------------------------------------------------------- reading


def decode(buf, path="", verify_data=True):
    """Validate the complete file image ``buf`` (bytes-like) and return
    ``(version, header, index, data)``: version (major, minor), the normalized
    header dict (without "tensors"), the tensor index (list of dicts in file
    order), and a memoryview of the data section."""
    buf = memoryview(buf)
    size = len(buf)
    if size < PREAMBLE_SIZE:
        raise ArwError(path, "preamble", "file is %d bytes, shorter than the %d-byte preamble"
                       % (size, PREAMBLE_SIZE))
    (magic, major, minor, flags, header_len, data_off, data_len,
     header_crc, data_crc, preamble_crc, reserved) = _PREAMBLE.unpack_from(buf, 0)
    if magic != MAGIC:
        raise ArwError(path, "preamble.magic", "not an .arw file: first 8 bytes are %s, want %s"
                       % (magic.hex(), MAGIC.hex()))
    if major != VERSION_MAJOR:
        msg = ("file has format version %d.%d; this build reads version %d.x (up to %d.%d)"
               % (major, minor, VERSION_MAJOR, VERSION_MAJOR, VERSION_MINOR))
        if major > VERSION_MAJOR:
            msg += "; upgrade arinfer to read it"
        raise ArwError(path, "preamble.version", msg)
    got = _crc(buf[:48])
    if got != preamble_crc:
        raise ArwError(path, "preamble.preamble_crc", "stored CRC-32 %08x, computed %08x over bytes "
                       "[0,48): preamble is corrupt" % (preamble_crc, got), checksum=True)
    if flags != 0:
        raise ArwError(path, "preamble.flags", "flags are %#x, must be 0 in version %d.x" % (flags, VERSION_MAJOR))
    if reserved != bytes(12):
        raise ArwError(path, "preamble.reserved", "bytes [52,64) must be zero, found %s" % reserved.hex())
    if not 2 <= header_len <= MAX_HEADER_LEN:
        raise ArwError(path, "preamble.header_len", "header length %d outside [2, %d]" % (header_len, MAX_HEADER_LEN))
    if header_len > size - PREAMBLE_SIZE:
        raise ArwError(path, "preamble.header_len", "header length %d runs past the end of the %d-byte file"
                       % (header_len, size))
    if data_off % ALIGNMENT:
        raise ArwError(path, "preamble.data_offset", "data offset %d is not a multiple of %d" % (data_off, ALIGNMENT))
    if data_off < PREAMBLE_SIZE + header_len:
        raise ArwError(path, "preamble.data_offset", "data offset %d overlaps the header, which ends at %d"
                       % (data_off, PREAMBLE_SIZE + header_len))
    if data_off > size:
        raise ArwError(path, "preamble.data_offset", "data offset %d is past the end of the %d-byte file"
                       % (data_off, size))
    if data_len != size - data_off:
        raise ArwError(path, "preamble.data_len", "data section claims %d bytes from offset %d, but the file "
                       "has %d bytes after it (file size %d): truncated or extended"
                       % (data_len, data_off, size - data_off, size))
    got = _crc(buf[PREAMBLE_SIZE:data_off])
    if got != header_crc:
        raise ArwError(path, "preamble.header_crc", "stored CRC-32 %08x, computed %08x over the header bytes "
                       "[64,%d): header is corrupt" % (header_crc, got, data_off), checksum=True)
    hdr_end = PREAMBLE_SIZE + header_len
    pad = bytes(buf[hdr_end:data_off])
    if pad.count(0) != len(pad):
        i = next(i for i, c in enumerate(pad) if c)
        raise ArwError(path, "header padding", "byte %d between the header end (%d) and the data offset (%d) "
                       "is %#x, must be 0" % (hdr_end + i, hdr_end, data_off, pad[i]))
    try:
        text = bytes(buf[PREAMBLE_SIZE:hdr_end]).decode("utf-8")
    except UnicodeDecodeError:
        raise ArwError(path, "header", "JSON header is not valid UTF-8") from None
    try:
        m = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except ValueError as e:
        raise ArwError(path, "header", "invalid JSON: %s" % e) from None
    if not isinstance(m, dict):
        raise ArwError(path, "header", "must be a JSON object")
    h = _check_hyper(path, m, minor)
    if m.get("tensors") is None:
        raise ArwError(path, "header.tensors", "required key is missing" if "tensors" not in m
                       else "must not be null")
    index = _check_index(path, m["tensors"], minor <= VERSION_MINOR, data_len)
    data = buf[data_off:]
    if verify_data:
        got = _crc(data)
        if got != data_crc:
            raise ArwError(path, "preamble.data_crc", "stored CRC-32 %08x, computed %08x over the %d-byte data "
                           "section: data is corrupt" % (data_crc, got, len(data)), checksum=True)
    _check_arch(path, h, index, data, minor <= VERSION_MINOR)
    return (major, minor), h, index, data


def _check_index(path, items, strict, data_len):
    if not isinstance(items, list):
        raise ArwError(path, "header.tensors", "want an array of tensor entries, found %s" % json.dumps(items)[:40])
    index, seen = [], set()
    prev_end, prev_name = 0, ""
    for i, e in enumerate(items):
        field = "header.tensors[%d]" % i
        if not isinstance(e, dict):
            raise ArwError(path, field, "want an object, found %s" % json.dumps(e)[:40])
        if strict:
            for k in e:
                if k not in TENSOR_KEYS:
                    raise ArwError(path, field, "unknown key %s" % json.dumps(k))
        for k in TENSOR_KEYS:
            if e.get(k) is None:
                raise ArwError(path, field + "." + k, "required key is missing or null")
        name = e["name"]
        if not isinstance(name, str):
            raise ArwError(path, field + ".name", "want a string, found %s" % json.dumps(name)[:40])
        nbytes = len(name.encode("utf-8", "surrogatepass"))
        if not 1 <= nbytes <= MAX_NAME_LEN:
            raise ArwError(path, field + ".name", "name must be 1 to %d bytes, found %d" % (MAX_NAME_LEN, nbytes))
        tf = "tensor %s" % json.dumps(name, ensure_ascii=False)
        if name in seen:
            raise ArwError(path, tf, "appears twice in the tensor index")
        seen.add(name)
        dt = e["dtype"]
        if not isinstance(dt, str):
            raise ArwError(path, tf + ".dtype", "want a string, found %s" % json.dumps(dt)[:40])
        if dt not in DTYPES:
            raise ArwError(path, tf + ".dtype", "unknown dtype %s (this build, format %d.%d, reads %s)"
                           % (json.dumps(dt), VERSION_MAJOR, VERSION_MINOR, ", ".join(DTYPES)))
        shape = e["shape"]
        if not isinstance(shape, list) or len(shape) > MAX_RANK:
            raise ArwError(path, tf + ".shape", "want an array of at most %d integers, found %s"
                           % (MAX_RANK, json.dumps(shape)[:40]))
        n = DTYPES[dt][0]
        for j, d in enumerate(shape):
            if not _is_int(d) or d < 1:
                raise ArwError(path, tf + ".shape", "entry %d: want an integer >= 1, found %s" % (j, json.dumps(d)[:40]))
            n *= d
            if n > data_len:
                raise ArwError(path, tf + ".shape", "shape %s needs more bytes than the %d-byte data section"
                               % (shape, data_len))
        off, length = e["offset"], e["length"]
        for k, v in (("offset", off), ("length", length)):
            if not _is_int(v) or not 0 <= v < 2**64:
                raise ArwError(path, tf + "." + k, "want a non-negative integer below 2^64, found %s"
                               % json.dumps(v)[:40])
        if length != n:
            raise ArwError(path, tf + ".length", "length is %d bytes, but shape %s of %s needs %d"
                           % (length, shape, dt, n))
        if off % ALIGNMENT:
            raise ArwError(path, tf + ".offset", "offset %d is not a multiple of %d" % (off, ALIGNMENT))
        if off > data_len or length > data_len - off:
            raise ArwError(path, tf + ".offset", "bytes [%d, %d+%d) run past the end of the %d-byte data section"
                           % (off, off, length, data_len))
        if off < prev_end:
            raise ArwError(path, tf + ".offset", "offset %d overlaps or precedes tensor %s, which ends at %d "
                           "(tensors must be listed in data order without overlap)"
                           % (off, json.dumps(prev_name), prev_end))
        index.append({"name": name, "dtype": dt, "shape": list(shape), "offset": off, "length": length})
        prev_end, prev_name = off + length, name
    return index


def _raw(data, t):
    return np.frombuffer(data, dtype=DTYPES[t["dtype"]][1], count=t["length"] // DTYPES[t["dtype"]][0],
                         offset=t["offset"]).reshape(t["shape"])


def _check_arch(path, h, index, data, strict):
    by_name = {t["name"]: t for t in index}
    specs = expected_tensors(h)
    for name, kind, shape in specs:
        tf = "tensor %s" % json.dumps(name)
        t = by_name.get(name)
        if t is None:
            raise ArwError(path, tf, "required by arch %s but missing from the tensor index" % h["arch"])
        if kind == "int" and t["dtype"] != "int32":
            raise ArwError(path, tf + ".dtype", "is %s, want int32" % t["dtype"])
        if kind == "float" and t["dtype"] == "int32":
            raise ArwError(path, tf + ".dtype", "is %s, want float32, float16 or bfloat16" % t["dtype"])
        if t["shape"] != shape:
            raise ArwError(path, tf + ".shape", "is %s, want %s for arch %s with %s"
                           % (t["shape"], shape, h["arch"], _describe(h)))
    if strict:
        names = {s[0] for s in specs}
        for t in index:
            if t["name"] not in names:
                raise ArwError(path, "tensor %s" % json.dumps(t["name"]), "is not part of arch %s" % h["arch"])
    D = h["dims"]
    if h["arch"] in ("fvsbn", "nade", "made"):
        order = _raw(data, by_name["order"]).reshape(-1, D)
        for r, row in enumerate(order):
            ok = (row >= 0) & (row < D)
            if ok.all():
                counts = np.bincount(row, minlength=D)
                if (counts == 1).all():
                    continue
            for i, v in enumerate(row.tolist()):
                where = "element [%d,%d]" % (r, i) if len(by_name["order"]["shape"]) > 1 else "element %d" % i
                if not 0 <= v < D:
                    raise ArwError(path, 'tensor "order"', "%s is %d, outside [0, %d): not a permutation" % (where, v, D))
                if v in row[:i]:
                    raise ArwError(path, 'tensor "order"', "%s repeats data index %d: not a permutation" % (where, v))
    if h["arch"] == "made":
        for l in range(len(h["hidden"])):
            name = "degrees%d" % (l + 1)
            deg = _raw(data, by_name[name])
            bad = np.argwhere((deg < 1) | (deg > D - 1))
            if len(bad):
                r, c = bad[0]
                raise ArwError(path, "tensor %s" % json.dumps(name), "element [%d,%d] is %d, outside [1, %d]"
                               % (r, c, deg[r, c], D - 1))


def read(path, as_float32=False, verify_data=True):
    """Read and validate an .arw file. Returns ``(header, tensors)``: the
    header dict (arch, dims, shape, dist, categories, the architecture's
    hyperparameters and ``meta`` if present; ``categories`` is filled in for
    bernoulli) and an ordered dict of numpy arrays in file order. float32 and
    int32 tensors come back as float32/int32, float16 as float16 (float32 if
    ``as_float32``), bfloat16 always as float32 (numpy has no bfloat16)."""
    with open(path, "rb") as f:
        buf = f.read()
    _, h, index, data = decode(buf, str(path), verify_data)
    tensors = {}
    for t in index:
        a = _raw(data, t)
        if t["dtype"] == "bfloat16":
            a = bf16_bits_to_f32(a)
        elif t["dtype"] == "float16" and as_float32:
            a = a.astype(np.float32)
        else:
            a = a.astype(a.dtype.newbyteorder("="), copy=True)
        tensors[t["name"]] = a
    return h, tensors


def info(path):
    """Validate a file and describe it: version, header, tensor index (dtype,
    shape, offset, length per tensor) and the stored CRC-32 values."""
    with open(path, "rb") as f:
        buf = f.read()
    version, h, index, _ = decode(buf, str(path))
    crcs = _PREAMBLE.unpack_from(buf, 0)[7:10]
    return {"version": "%d.%d" % version, "header": h, "tensors": index,
            "crc32": {"header": "%08x" % crcs[0], "data": "%08x" % crcs[1], "preamble": "%08x" % crcs[2]}}


# ---------------------------------------------------------------- writing


def _to_storage(path, name, a, dt):
    """Convert array ``a`` to the little-endian bytes of dtype ``dt``."""
    tf = "tensor %s" % json.dumps(name)
    if dt not in DTYPES:
        raise ArwError(path, tf + ".dtype", "unknown dtype %r (known: %s)" % (dt, ", ".join(DTYPES)))
    a = np.asarray(a)
    if a.dtype == np.bool_ or a.dtype.kind not in "iuf":
        raise ArwError(path, tf, "numpy dtype %s cannot be stored" % a.dtype)
    if dt == "int32":
        if a.dtype.kind == "f":
            raise ArwError(path, tf, "float array cannot be stored as int32")
        if a.size and (a.min() < -2**31 or a.max() > 2**31 - 1):
            raise ArwError(path, tf, "values do not fit int32")
        return np.ascontiguousarray(a, dtype="<i4").tobytes()
    if dt == "bfloat16":
        return f32_to_bf16_bits(np.asarray(a, dtype=np.float32)).astype("<u2").tobytes()
    if dt == "float16":
        # from float32, so that rounding matches a float32 source exactly
        return f32_to_f16_bits(np.asarray(a, dtype=np.float32)).astype("<u2").tobytes()
    return np.ascontiguousarray(np.asarray(a, dtype=np.float32), dtype="<f4").tobytes()


def encode(header, tensors, dtypes=None, path=""):
    """Return the canonical .arw bytes for ``header`` (dict: arch, dims, shape,
    dist, categories, hidden, masks, direct, embed, channels, layers,
    kernel_size, input_kernel, head_channels, classes, dilations,
    residual_channels, gate_channels, skip_channels, sample_rate, meta as
    the arch needs; a ``sample_rate`` of None or 0 means "not an audio
    model" and is left out) and ``tensors`` (mapping name -> array, stored
    in the canonical order of SPEC.md section 3, ``expected_tensors``,
    whatever their iteration order).
    ``dtypes`` maps names to "float32", "float16", "bfloat16" or "int32";
    the default is int32 for integer arrays and float32 for float arrays.
    The result is validated with ``decode`` before it is returned."""
    dtypes = dict(dtypes or {})
    hdr = {k: v for k, v in header.items() if k != "tensors"}
    if hdr.get("dist") == "bernoulli" and "categories" not in hdr:
        hdr["categories"] = 2
    # Normalize numpy integers and tuples so that JSON encoding is exact.
    rate = hdr.get("sample_rate")
    if "sample_rate" in hdr and (rate is None or (isinstance(rate, (int, np.integer)) and not isinstance(rate, bool)
                                                  and rate == 0)):
        del hdr["sample_rate"]
    for k in ("dims", "categories", "masks", "embed", "channels", "layers", "kernel_size", "input_kernel",
              "head_channels", "classes", "residual_channels", "gate_channels", "skip_channels", "sample_rate"):
        if isinstance(hdr.get(k), np.integer):
            hdr[k] = int(hdr[k])
    for k in ("shape", "hidden", "dilations"):
        if isinstance(hdr.get(k), (tuple, list, np.ndarray)):
            hdr[k] = [int(x) if isinstance(x, np.integer) else x for x in hdr[k]]
    if isinstance(hdr.get("direct"), np.bool_):
        hdr["direct"] = bool(hdr["direct"])
    index, blobs, off = [], [], 0
    for name, a in _canonical_order(path, hdr, tensors):
        a = np.asarray(a)
        dt = dtypes.pop(name, None) or ("int32" if a.dtype.kind in "iu" else "float32")
        blob = _to_storage(path, name, a, dt)
        off = _align(off)
        index.append({"name": name, "dtype": dt, "shape": [int(d) for d in a.shape],
                      "offset": off, "length": len(blob)})
        blobs.append((off, blob))
        off += len(blob)
    if dtypes:
        raise ArwError(path, "dtypes", "names no tensor: %s" % ", ".join(sorted(dtypes)))
    data_len = off
    hdr["tensors"] = index
    try:
        js = _canonical_json(hdr)
    except (TypeError, ValueError) as e:
        raise ArwError(path, "header", "cannot encode as JSON: %s" % e) from None
    if len(js) > MAX_HEADER_LEN:
        raise ArwError(path, "header", "JSON header is %d bytes, more than the %d-byte limit"
                       % (len(js), MAX_HEADER_LEN))
    data_off = _align(PREAMBLE_SIZE + len(js))
    out = bytearray(data_off + data_len)
    out[PREAMBLE_SIZE:PREAMBLE_SIZE + len(js)] = js
    for o, blob in blobs:
        out[data_off + o:data_off + o + len(blob)] = blob
    header_crc = _crc(memoryview(out)[PREAMBLE_SIZE:data_off])
    data_crc = _crc(memoryview(out)[data_off:])
    pre = _PREAMBLE.pack(MAGIC, VERSION_MAJOR, min_minor(hdr.get("arch")), 0, len(js), data_off, data_len,
                         header_crc, data_crc, 0, bytes(12))
    out[:PREAMBLE_SIZE] = pre
    out[48:52] = struct.pack("<I", _crc(bytes(out[:48])))
    decode(out, path)
    return bytes(out)


def _canonical_order(path, hdr, tensors):
    """The (name, array) pairs of ``tensors`` in the canonical order of the
    header's architecture; names it does not define keep their order after
    the others (``decode`` then refuses them). An invalid header raises the
    error ``decode`` would."""
    h = _check_hyper(path, hdr, min_minor(hdr.get("arch")))
    rank = {name: i for i, (name, _, _) in enumerate(expected_tensors(h))}
    items = list(tensors.items())
    return sorted(items, key=lambda kv: rank.get(kv[0], len(rank)))


def write(path, header, tensors, dtypes=None):
    """Write the canonical .arw file for ``header`` and ``tensors`` (see
    ``encode``) to ``path``, through a temporary file renamed into place."""
    import os
    b = encode(header, tensors, dtypes, str(path))
    tmp = str(path) + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b)
    os.replace(tmp, path)


def main(argv=None):
    """``python3 python/arw.py FILE...``: validate files and print their
    description (see ``info``) as JSON; exit status 1 if any is invalid."""
    import sys
    status = 0
    for path in (sys.argv[1:] if argv is None else argv):
        try:
            print(json.dumps(dict(info(path), path=str(path)), ensure_ascii=False))
        except (OSError, ArwError) as e:
            print("%s: %s" % (path, e), file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
