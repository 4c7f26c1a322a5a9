"""Tests of python/arw.py against SPEC.md and the Go-written files."""

import json
import math
import os
import re
import struct
import zlib

import numpy as np
import pytest

import arw
import make_testdata as td

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(HERE, "..", "..", "format", "testdata")
SPEC = os.path.join(HERE, "..", "..", "format", "SPEC.md")
NAMES = sorted(td.sample_headers())


def sample(name):
    h = td.sample_headers()[name]
    tensors, dtypes = td.sample_tensors(name, h)
    return h, tensors, dtypes


def rounded(a, dt):
    a = np.asarray(a, dtype=np.float32)
    if dt == "float16":
        return a.astype(np.float16).astype(np.float32)
    if dt == "bfloat16":
        return arw.bf16_bits_to_f32(arw.f32_to_bf16_bits(a))
    return a


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dt", ["float32", "float16", "bfloat16"])
def test_round_trip_every_arch_and_dtype(tmp_path, name, dt):
    h, tensors, _ = sample(name)
    dtypes = {k: dt for k, v in tensors.items() if v.dtype.kind == "f"}
    path = tmp_path / "m.arw"
    arw.write(path, h, tensors, dtypes)
    got_h, got = arw.read(path, as_float32=True)
    assert got_h == h
    assert list(got) == list(tensors), "file order"
    for k, v in tensors.items():
        assert got[k].shape == v.shape
        if v.dtype.kind == "i":
            assert got[k].dtype == np.int32
            np.testing.assert_array_equal(got[k], v)
        else:
            assert got[k].dtype == np.float32
            np.testing.assert_array_equal(got[k], rounded(v, dt))
    # canonical: writing what was read gives the same bytes
    again = tmp_path / "again.arw"
    arw.write(again, got_h, got, dtypes)
    assert again.read_bytes() == path.read_bytes()


def test_float16_kept_unless_asked(tmp_path):
    h, tensors, dtypes = sample("mixed")
    path = tmp_path / "m.arw"
    arw.write(path, h, tensors, dtypes)
    _, got = arw.read(path)
    assert got["W"].dtype == np.float16
    assert got["V"].dtype == np.float32  # bfloat16 is always converted
    np.testing.assert_array_equal(got["W"], tensors["W"].astype(np.float16))


@pytest.mark.parametrize("name", NAMES)
def test_reads_go_written_files(name):
    h, tensors, dtypes = sample(name)
    path = os.path.join(TESTDATA, "go_%s.arw" % name)
    got_h, got = arw.read(path, as_float32=True)
    assert got_h == h
    for k, v in tensors.items():
        np.testing.assert_array_equal(got[k], rounded(v, dtypes.get(k, "float32")) if v.dtype.kind == "f" else v)
    # The two writers agree byte for byte.
    with open(path, "rb") as f:
        assert arw.encode(h, tensors, dtypes) == f.read()


def test_info_reports_checksums():
    path = os.path.join(TESTDATA, "go_made.arw")
    inf = arw.info(path)
    assert inf["version"] == "1.0"
    assert [t["name"] for t in inf["tensors"]][:3] == ["order", "degrees1", "degrees2"]
    with open(path, "rb") as f:
        buf = f.read()
    data_off = struct.unpack_from("<Q", buf, 24)[0]
    assert inf["crc32"]["data"] == "%08x" % zlib.crc32(buf[data_off:])


def spec_example():
    text = open(SPEC, encoding="utf-8").read()
    block = text.split("<!-- spec-example -->\n```text\n", 1)[1].split("```", 1)[0]
    out = bytearray()
    for line in block.splitlines():
        hexpart = line.split(": ", 1)[1].split("  ", 1)[0]
        out += bytes.fromhex(hexpart.replace(" ", ""))
    return bytes(out)


def test_spec_example_and_crc_vector():
    assert zlib.crc32(b"123456789") == 0xCBF43926
    want = spec_example()
    h = {"arch": "fvsbn", "dims": 2, "shape": [2], "dist": "bernoulli"}
    t = {"order": np.array([1, 0], np.int32), "W": np.array([[0.5, 2], [3, 0.25]], np.float32),
         "b": np.array([-1, 0.5], np.float32)}
    assert arw.encode(h, t) == want
    _, h2, index, data = arw.decode(want)
    # log-likelihood of x = (1, 1) per SPEC.md 3.1, in float64
    order = np.frombuffer(data, "<i4", 2, index[0]["offset"])
    W = np.frombuffer(data, "<f4", 4, index[1]["offset"]).reshape(2, 2).astype(np.float64)
    b = np.frombuffer(data, "<f4", 2, index[2]["offset"]).astype(np.float64)
    pos = np.argsort(order)
    x = np.array([1.0, 1.0])
    ll = 0.0
    for i in range(2):
        l = b[i] + sum(W[i, j] * x[j] for j in range(2) if pos[j] < pos[i])
        ll += x[i] * -math.log1p(math.exp(-l)) + (1 - x[i]) * -math.log1p(math.exp(l))
    assert ll == pytest.approx(-0.787338671698, abs=1e-12)


def test_bfloat16_rounds_to_nearest_even():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(5000) * np.exp2(rng.integers(-30, 30, 5000))).astype(np.float32)
    bits = arw.f32_to_bf16_bits(x)
    lo = (x.view(np.uint32) >> 16).astype(np.uint16)
    hi = lo + np.uint16(1)
    xf = x.astype(np.float64)
    dlo = np.abs(xf - arw.bf16_bits_to_f32(lo).astype(np.float64))
    dhi = np.abs(arw.bf16_bits_to_f32(hi).astype(np.float64) - xf)
    want = np.where((dhi < dlo) | ((dhi == dlo) & (lo % 2 == 1)), hi, lo)
    np.testing.assert_array_equal(bits, want)
    assert np.isnan(arw.bf16_bits_to_f32(arw.f32_to_bf16_bits(np.array([np.nan], np.float32))))[0]


def spec_rounding():
    """The test vectors after <!-- spec-rounding --> in SPEC.md 2.2:
    (float32 bits, float16 bits, bfloat16 bits)."""
    text = open(SPEC, encoding="utf-8").read()
    rest = text.split("<!-- spec-rounding -->\n", 1)[1]
    row = re.compile(r"^\| `([0-9A-F]{8})` \|.*\| `([0-9A-F]{4})` \| `([0-9A-F]{4})` \|$")
    out = []
    for line in rest.splitlines():
        if not line.startswith("|"):
            break
        m = row.match(line)
        if m:
            out.append(tuple(int(g, 16) for g in m.groups()))
    return out


def test_rounding_vectors_of_the_spec(tmp_path):
    vectors = spec_rounding()
    assert len(vectors) >= 20
    f32 = np.array([v[0] for v in vectors], np.uint32).view(np.float32)
    f16 = np.array([v[1] for v in vectors], np.uint16)
    bf16 = np.array([v[2] for v in vectors], np.uint16)
    np.testing.assert_array_equal(arw.f32_to_f16_bits(f32), f16)
    np.testing.assert_array_equal(arw.f32_to_bf16_bits(f32), bf16)
    # The writer stores the same bits.
    h = {"arch": "fvsbn", "dims": len(vectors), "shape": [len(vectors)], "dist": "bernoulli"}
    n = len(vectors)
    for dt, want in (("float16", f16), ("bfloat16", bf16)):
        t = {"order": np.arange(n, dtype=np.int32), "W": np.zeros((n, n), np.float32), "b": f32}
        _, _, index, data = arw.decode(arw.encode(h, t, {"b": dt}))
        got = np.frombuffer(data, "<u2", n, index[2]["offset"])
        np.testing.assert_array_equal(got, want, dt)


def test_float16_nan_survives_a_trip_through_float32():
    nan16 = np.array([s | 0x7C00 | m for s in (0, 0x8000) for m in range(1, 0x400)], np.uint16)
    f32 = nan16.view(np.float16).astype(np.float32)
    np.testing.assert_array_equal(arw.f32_to_f16_bits(f32), nan16)


@pytest.mark.parametrize("name", NAMES)
def test_writer_stores_canonical_order(name):
    """Whatever order the tensors come in, encode stores them in the order of
    SPEC.md section 3, and the bytes are the canonical file's."""
    h, t, dtypes = sample(name)
    want = open(os.path.join(TESTDATA, "go_%s.arw" % name), "rb").read()
    got = arw.encode(h, dict(reversed(list(t.items()))), dtypes)
    assert got == want
    _, hv, index, _ = arw.decode(got)
    assert [e["name"] for e in index] == [n for n, _, _ in arw.expected_tensors(hv)]


def test_made_per_layer_order_is_written_canonically():
    """Training code lists MADE per layer (W1, b1, degrees1, ...); the writer
    puts every degree tensor first, as SPEC.md 3.3 lists them."""
    h, t = arw.read(os.path.join(TESTDATA, "py_made.arw"))
    per_layer = ["order", "W1", "b1", "degrees1", "W2", "b2", "degrees2", "Wout", "bout", "A"]
    got = arw.encode(h, {k: t[k] for k in per_layer})
    assert got == open(os.path.join(TESTDATA, "go_made.arw"), "rb").read()


def test_pytorch_rnn_state_dict_exports_unchanged(tmp_path):
    torch = pytest.importorskip("torch")
    K, E, H, N = 3, 2, 4, 2
    for arch, cls in (("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)):
        rnn = cls(E, H, N)
        t = {"embed": torch.nn.Embedding(K + 1, E).weight}
        t.update(rnn.state_dict())
        out = torch.nn.Linear(H, K)
        t["out_weight"], t["out_bias"] = out.weight, out.bias
        t = {k: v.detach().numpy() for k, v in t.items()}
        h = {"arch": arch, "dims": 5, "shape": [5], "dist": "categorical", "categories": K,
             "hidden": [H] * N, "embed": E}
        arw.write(tmp_path / "r.arw", h, t)
        _, got = arw.read(tmp_path / "r.arw")
        assert set(got) == set(t)


# ---------------------------------------------------------------- validation


def good(name="made"):
    h, tensors, dtypes = sample(name)
    return arw.encode(h, tensors, dtypes)


def fix(buf):
    """Recompute the three CRCs of a file image."""
    b = bytearray(buf)
    data_off = struct.unpack_from("<Q", b, 24)[0]
    if 64 <= data_off <= len(b):
        struct.pack_into("<I", b, 40, zlib.crc32(b[64:data_off]))
        struct.pack_into("<I", b, 44, zlib.crc32(b[data_off:]))
    struct.pack_into("<I", b, 48, zlib.crc32(b[:48]))
    return bytes(b)


def edit_header(buf, old, new):
    hl, do = struct.unpack_from("<QQ", buf, 16)
    js = buf[64:64 + hl].decode()
    assert old in js
    js = js.replace(old, new, 1).encode()
    data = buf[do:]
    data_off = arw._align(64 + len(js))
    b = bytearray(data_off + len(data))
    b[:64] = buf[:64]
    struct.pack_into("<QQ", b, 16, len(js), data_off)
    b[64:64 + len(js)] = js
    b[data_off:] = data
    return fix(b)


def patch(buf, off, fmt, v):
    b = bytearray(buf)
    struct.pack_into(fmt, b, off, v)
    return fix(b)


HEADER_CASES = [
    ("made", '"arch":"made"', '"arch":"transformer"', 'header.arch: unknown architecture'),
    ("made", '"arch":"made"', '"arch":"wavenet"', 'preamble.minor: arch wavenet is defined from format version 1.2'),
    ("made", '"dims":6', '"dims":7', 'header.shape: shape [1, 2, 3] has 6 elements, but dims is 7'),
    ("made", '"dims":6', '"dims":6.0', 'header.dims: want an integer'),
    ("made", '"dims":6', '"dims":true', 'header.dims: want an integer'),
    ("made", '"dims":6', '"dims":null', 'header.dims: must not be null'),
    ("made", '"dims":6', '"dims":NaN', 'header: invalid JSON'),
    ("made", '"dims":6', '"dims":6,"dims":6', 'duplicate key "dims"'),
    ("made", '"dist":"bernoulli"', '"dist":"categorical"', 'arch made supports only dist bernoulli'),
    ("made", '"categories":2', '"categories":3', 'header.categories: is 3, must be 2'),
    ("nade", '"hidden":[4]', '"hidden":[4],"masks":2', 'header.masks: key is not used by arch nade'),
    ("made", '"dims":6', '"dims":6,"dropout":0.5', 'header.dropout: unknown key in a version 1.0 file'),
    ("made", '"dims":6', '"dims":6,"dilations":[1]', 'header.dilations: key is not used by arch made'),
    ("made", '"dims":6', '"dims":6,"gated":true', 'header.gated: key is reserved'),
    ("made", '"direct":true', '"direct":1', 'header.direct: want true or false'),
    ("lstm", '"hidden":[3,3]', '"hidden":[3,4]', 'all lstm layers have the same size'),
    ("made", '"dtype":"float32","length":120,"name":"W1"', '"dtype":"q4_0","length":120,"name":"W1"',
     'tensor "W1".dtype: unknown dtype "q4_0"'),
    ("made", '"length":120,"name":"W1"', '"length":124,"name":"W1"', 'tensor "W1".length: length is 124 bytes'),
    ("made", '"name":"W1","offset":192', '"name":"W1","offset":196', 'tensor "W1".offset: offset 196 is not a multiple of 64'),
    ("made", '"name":"W1","offset":192', '"name":"W1","offset":128', 'overlaps or precedes tensor "degrees2"'),
    ("made", '"name":"W1","offset":192', '"name":"W1","offset":1099511627776', 'run past the end'),
    ("made", '"shape":[5,6]', '"shape":[1099511627776,1099511627776]', 'tensor "W1".shape: shape'),
    ("made", '"shape":[5,6]', '"shape":[0,6]', 'tensor "W1".shape: entry 0'),
    ("made", '"name":"degrees2"', '"name":"degrees1"', 'tensor "degrees1": appears twice'),
    ("made", '"name":"A"', '"name":"Z"', 'tensor "A": required by arch made but missing'),
    # image architectures (format 1.1)
    ("pixelcnn", '"shape":[3,4]', '"shape":[1,3,4]', 'header.shape: is [1, 3, 4]; arch pixelcnn needs exactly [H, W]'),
    ("pixelcnn", '"kernel_size":3', '"kernel_size":4', 'header.kernel_size: is 4, must be odd'),
    ("pixelcnn", '"input_kernel":5', '"input_kernel":1', 'header.input_kernel: value 1 outside [3, 255]'),
    ("pixelcnn", '"classes":2,', '', 'header.classes: required key is missing'),
    ("pixelcnn", '"classes":2', '"classes":true', 'header.classes: want an integer'),
    ("pixelcnn", '"layers":2', '"layers":1025', 'header.layers: value 1025 outside [0, 1024]'),
    ("gatedpixelcnn", '"layers":2', '"layers":0', 'header.layers: value 0 outside [1, 1024]'),
    ("gatedpixelcnn", '"kernel_size":3', '"kernel_size":1', 'header.kernel_size: value 1 outside [3, 255]'),
    ("gatedpixelcnn", '"dims":12', '"dims":12,"input_kernel":3', 'header.input_kernel: key is not used by arch gatedpixelcnn'),
    ("gatedpixelcnn", '"categories":4', '"categories":65537', 'header.categories: is 65537; arch gatedpixelcnn takes at most 65536'),
    ("gatedpixelcnn", '"dims":12', '"dims":12,"mask_types":["A"]', 'header.mask_types: key is reserved'),
    ("made", '"dims":6', '"dims":6,"head_channels":2', 'header.head_channels: key is not used by arch made'),
    ("gatedpixelcnn", '"name":"h1_w","offset":192,"shape":[4,1,1,1]', '"name":"h1_w","offset":192,"shape":[2,2,1,1]',
     'tensor "h1_w".shape: is [2, 2, 1, 1], want [4, 1, 1, 1]'),
    ("pixelcnn", '"name":"class_logits"', '"name":"prior"', 'tensor "class_logits": required by arch pixelcnn but missing'),
    # wavenet (format 1.2)
    ("wavenet", '"dilations":[1,2,4]', '"dilations":[]', 'header.dilations: array has 0 entries'),
    ("wavenet", '"dilations":[1,2,4]', '"dilations":[1,0,4]', 'header.dilations: entry 1: value 0 outside [1, 65536]'),
    ("wavenet", '"dilations":[1,2,4]', '"dilations":[%s,1]' % ",".join(["65536"] * 16),
     'header.dilations: add up to 1048577; the sum is at most 1048576'),
    ("wavenet", '"dilations":[1,2,4]', '"dilations":[%s]' % ",".join(["1"] * 1025), 'header.dilations: array has 1025'),
    ("wavenet", '"dilations":[1,2,4]', '"dilations":[1,true,4]', 'header.dilations: entry 1: want an integer'),
    ("wavenet", '"gate_channels":2,', '', 'header.gate_channels: required key is missing'),
    ("wavenet", '"residual_channels":3', '"residual_channels":0', 'header.residual_channels: value 0 outside'),
    ("wavenet", '"skip_channels":4', '"skip_channels":65537', 'header.skip_channels: value 65537 outside'),
    ("wavenet", '"classes":2', '"classes":-1', 'header.classes: value -1 outside [0, 65536]'),
    ("wavenet", '"dims":16', '"dims":16,"sample_rate":8000', 'header.sample_rate: marks an audio model'),
    ("wavenet", '"dims":16', '"dims":16,"mask_types":["A"]', 'header.mask_types: key is reserved'),
    ("wavenet", '"dims":16', '"dims":16,"channels":2', 'header.channels: key is not used by arch wavenet'),
    ("wavenet_audio", '"sample_rate":8000', '"sample_rate":0', 'header.sample_rate: value 0 outside [1, 1000000]'),
    ("wavenet_audio", '"sample_rate":8000', '"sample_rate":1000001', 'header.sample_rate: value 1000001 outside'),
    ("wavenet_audio", '"sample_rate":8000', '"sample_rate":8000.0', 'header.sample_rate: want an integer'),
    ("wavenet_audio", '"sample_rate":8000', '"sample_rate":null', 'header.sample_rate: must not be null'),
    ("wavenet_audio", '"categories":16', '"categories":65537', 'header.categories: is 65537; arch wavenet takes at most'),
    ("wavenet_audio", '"dims":8000', '"dims":8000,"gated":true', 'header.gated: key is reserved'),
    ("gatedpixelcnn", '"dims":12', '"dims":12,"dilations":[1]', 'header.dilations: key is not used by arch gatedpixelcnn'),
    ("lstm", '"dims":4', '"dims":4,"sample_rate":8000', 'header.sample_rate: key is not used by arch lstm'),
    ("wavenet", '"name":"dil2_w","offset":640,"shape":[4,3,2]', '"name":"dil2_w","offset":640,"shape":[4,6,1]',
     'tensor "dil2_w".shape: is [4, 6, 1], want [4, 3, 2]'),
    ("wavenet", '"name":"class_logits"', '"name":"prior"', 'tensor "class_logits": required by arch wavenet but missing'),
]


@pytest.mark.parametrize("model,old,new,want", HEADER_CASES)
def test_header_validation(model, old, new, want):
    with pytest.raises(arw.ArwError) as e:
        arw.decode(edit_header(good(model), old, new))
    assert want in str(e.value)


def test_preamble_validation():
    g = good("fvsbn")
    hl, do, dl = struct.unpack_from("<QQQ", g, 16)
    cases = [
        (b"", "preamble: file is 0 bytes"),
        (b"GGUF" + g[4:], "preamble.magic: not an .arw file"),
        (patch(g, 8, "<H", 2), "file has format version 2.0; this build reads version 1.x (up to 1.2); upgrade"),
        (patch(g, 12, "<I", 1), "preamble.flags"),
        (patch(g, 52, "<I", 1), "preamble.reserved"),
        (patch(g, 16, "<Q", 0), "preamble.header_len: header length 0 outside"),
        (patch(g, 16, "<Q", 1 << 63), "preamble.header_len"),
        (patch(g, 24, "<Q", do + 1), "preamble.data_offset: data offset %d is not a multiple of 64" % (do + 1)),
        (patch(g, 24, "<Q", 64), "preamble.data_offset: data offset 64 overlaps the header"),
        (patch(g, 24, "<Q", 1 << 62), "preamble.data_offset"),
        (patch(g, 32, "<Q", 1 << 40), "preamble.data_len: data section claims 1099511627776 bytes"),
        (fix(g + b"\0"), "truncated or extended"),
        (fix(g[:-1]), "truncated or extended"),
    ]
    for buf, want in cases:
        with pytest.raises(arw.ArwError) as e:
            arw.decode(buf, "x.arw")
        assert want in str(e.value), want
        assert str(e.value).startswith("arw: x.arw: ")


def test_checksums_detect_every_flipped_byte_region():
    g = good("nade")
    do = struct.unpack_from("<Q", g, 24)[0]
    for pos, field in ((10, "preamble_crc"), (70, "header_crc"), (do - 1, "header_crc"),
                       (do, "data_crc"), (len(g) - 1, "data_crc")):
        b = bytearray(g)
        b[pos] ^= 0x10
        with pytest.raises(arw.ArwError) as e:
            arw.decode(bytes(b))
        assert e.value.checksum and field in str(e.value), (pos, str(e.value))
    for n in range(len(g)):
        with pytest.raises(arw.ArwError):
            arw.decode(g[:n])


def test_arch_validation():
    h, t, _ = sample("made")
    bad = dict(t, order=t["order"].copy())
    bad["order"][1, 4] = bad["order"][1, 0]
    with pytest.raises(arw.ArwError, match=r'tensor "order": element \[1,4\] repeats data index'):
        arw.encode(h, bad)
    bad = dict(t, degrees2=t["degrees2"].copy())
    bad["degrees2"][1, 1] = 0
    with pytest.raises(arw.ArwError, match=r'tensor "degrees2": element \[1,1\] is 0, outside \[1, 5\]'):
        arw.encode(h, bad)
    with pytest.raises(arw.ArwError, match=r'tensor "Wout".shape: is \[5, 4\], want \[6, 4\]'):
        arw.encode(h, dict(t, Wout=np.zeros((5, 4), np.float32)))
    with pytest.raises(arw.ArwError, match=r'tensor "order".dtype: is float32, want int32'):
        arw.encode(h, dict(t, order=t["order"].astype(np.float32)))
    with pytest.raises(arw.ArwError, match=r'tensor "extra": is not part of arch made'):
        arw.encode(h, dict(t, extra=np.zeros(1, np.float32)))
    with pytest.raises(arw.ArwError, match=r"made needs dims >= 2"):
        arw.encode(dict(h, dims=1, shape=[1]), t)
    with pytest.raises(arw.ArwError, match=r"dtypes: names no tensor: nope"):
        arw.encode(h, t, {"nope": "float16"})


def test_image_models_need_minor_1():
    for name in ("pixelcnn", "gatedpixelcnn"):
        g = good(name)
        assert struct.unpack_from("<H", g, 10)[0] == 1, "the writer records version 1.1"
        with pytest.raises(arw.ArwError) as e:
            arw.decode(patch(g, 10, "<H", 0))
        assert e.value.field == "preamble.minor" and name in str(e.value)
    assert struct.unpack_from("<H", good("made"), 10)[0] == 0, "1.0 content stays version 1.0"
    assert arw.info(os.path.join(TESTDATA, "go_pixelcnn.arw"))["version"] == "1.1"


def image_header(arch, **kw):
    h = {"arch": arch, "dims": 12, "shape": [3, 4], "dist": "bernoulli", "categories": 2, "channels": 2,
         "layers": 2, "kernel_size": 3, "head_channels": 3, "classes": 2, "tensors": []}
    if arch == "pixelcnn":
        h["input_kernel"] = 5
    h.update(kw)
    h["dims"] = int(np.prod(h["shape"]))
    return h


IMAGE_LIMITS = [
    # (arch, edit, field named or None when valid): SPEC.md 3.5 at each boundary
    ("pixelcnn", {"shape": [1024, 1024]}, None),
    ("pixelcnn", {"shape": [1025, 1024]}, "header.shape"),
    ("gatedpixelcnn", {"shape": [65535, 16]}, None),
    ("gatedpixelcnn", {"shape": [65536, 1]}, "header.shape"),
    ("pixelcnn", {"shape": [1, 65535]}, None),
    ("pixelcnn", {"shape": [1, 65536]}, "header.shape"),
    ("pixelcnn", {"shape": [65535, 17]}, "header.shape"),
    ("pixelcnn", {"shape": [12]}, "header.shape"),
    ("gatedpixelcnn", {"shape": [1, 3, 4]}, "header.shape"),
    ("gatedpixelcnn", {"shape": [1, 1]}, None),
    ("pixelcnn", {"dist": "categorical", "categories": 65536}, None),
    ("pixelcnn", {"dist": "categorical", "categories": 65537}, "header.categories"),
    ("pixelcnn", {"categories": 3}, "header.categories"),
    ("gatedpixelcnn", {"channels": 65536}, None),
    ("gatedpixelcnn", {"channels": 65537}, "header.channels"),
    ("pixelcnn", {"channels": 0}, "header.channels"),
    ("pixelcnn", {"layers": 0}, None),
    ("gatedpixelcnn", {"layers": 0}, "header.layers"),
    ("gatedpixelcnn", {"layers": 1024}, None),
    ("pixelcnn", {"layers": 1025}, "header.layers"),
    ("pixelcnn", {"kernel_size": 1}, None),
    ("gatedpixelcnn", {"kernel_size": 1}, "header.kernel_size"),
    ("gatedpixelcnn", {"kernel_size": 255}, None),
    ("pixelcnn", {"kernel_size": 257}, "header.kernel_size"),
    ("gatedpixelcnn", {"kernel_size": 254}, "header.kernel_size"),
    ("pixelcnn", {"kernel_size": -3}, "header.kernel_size"),
    ("pixelcnn", {"input_kernel": 255}, None),
    ("pixelcnn", {"input_kernel": 1}, "header.input_kernel"),
    ("pixelcnn", {"input_kernel": 4}, "header.input_kernel"),
    ("gatedpixelcnn", {"input_kernel": 3}, "header.input_kernel"),
    ("pixelcnn", {"head_channels": 65536}, None),
    ("pixelcnn", {"head_channels": 65537}, "header.head_channels"),
    ("gatedpixelcnn", {"head_channels": 0}, "header.head_channels"),
    ("gatedpixelcnn", {"classes": 65536}, None),
    ("gatedpixelcnn", {"classes": 65537}, "header.classes"),
    ("pixelcnn", {"classes": -1}, "header.classes"),
    ("pixelcnn", {"hidden": [4]}, "header.hidden"),
]


@pytest.mark.parametrize("arch,edit,field", IMAGE_LIMITS)
def test_image_header_limits(arch, edit, field):
    m = image_header(arch, **edit)
    if field is None:
        h = arw._check_hyper("", m, 1)
        assert arw.expected_tensors(h)
        return
    with pytest.raises(arw.ArwError) as e:
        arw._check_hyper("", m, 1)
    assert e.value.field == field, str(e.value)


def test_image_tensors():
    """The tensor lists of SPEC.md 3.6 and 3.7, in canonical order."""
    h = arw._check_hyper("", image_header("pixelcnn", dist="categorical", categories=5, classes=3), 1)
    assert arw.expected_tensors(h) == [
        ("in_w", "float", [2, 1, 5, 5]), ("in_b", "float", [2]), ("in_cls", "float", [3, 2]),
        ("res1_w", "float", [2, 2, 3, 3]), ("res1_b", "float", [2]), ("res1_cls", "float", [3, 2]),
        ("res2_w", "float", [2, 2, 3, 3]), ("res2_b", "float", [2]), ("res2_cls", "float", [3, 2]),
        ("head1_w", "float", [3, 2]), ("head1_b", "float", [3]), ("head2_w", "float", [5, 3]),
        ("head2_b", "float", [5]), ("class_logits", "float", [3])]
    h = arw._check_hyper("", image_header("gatedpixelcnn", kernel_size=5, classes=0), 1)
    assert arw.expected_tensors(h) == [
        ("v1_w", "float", [4, 1, 3, 5]), ("v1_b", "float", [4]),
        ("h1_w", "float", [4, 1, 1, 2]), ("h1_b", "float", [4]),
        ("vh1_w", "float", [4, 4]), ("vh1_b", "float", [4]), ("ho1_w", "float", [2, 2]), ("ho1_b", "float", [2]),
        ("v2_w", "float", [4, 2, 3, 5]), ("v2_b", "float", [4]),
        ("h2_w", "float", [4, 2, 1, 3]), ("h2_b", "float", [4]),
        ("vh2_w", "float", [4, 4]), ("vh2_b", "float", [4]), ("ho2_w", "float", [2, 2]), ("ho2_b", "float", [2]),
        ("head1_w", "float", [3, 2]), ("head1_b", "float", [3]), ("head2_w", "float", [1, 3]),
        ("head2_b", "float", [1])]
    names = [n for n, _, _ in arw.expected_tensors(
        arw._check_hyper("", image_header("gatedpixelcnn", layers=1, classes=2), 1))]
    assert names == ["v1_w", "v1_b", "v1_cls", "h1_w", "h1_b", "h1_cls", "vh1_w", "vh1_b", "ho1_w", "ho1_b",
                     "head1_w", "head1_b", "head2_w", "head2_b", "class_logits"]


def test_image_arch_validation():
    h, t, _ = sample("pixelcnn")
    with pytest.raises(arw.ArwError, match=r'tensor "in_cls": is not part of arch pixelcnn'):
        arw.encode(dict(h, classes=0), t)
    with pytest.raises(arw.ArwError, match=r'tensor "res3_w": required by arch pixelcnn but missing'):
        arw.encode(dict(h, layers=3), t)
    with pytest.raises(arw.ArwError, match=r'tensor "in_w".shape: is \[2, 1, 5, 5\], want \[2, 1, 3, 3\]'):
        arw.encode(dict(h, input_kernel=3), t)
    with pytest.raises(arw.ArwError, match=r"header.input_kernel: key is not used by arch gatedpixelcnn"):
        arw.encode(dict(h, arch="gatedpixelcnn"), t)
    h, t, _ = sample("gatedpixelcnn")
    with pytest.raises(arw.ArwError, match=r'tensor "head2_w".shape: is \[4, 3\], want \[5, 3\]'):
        arw.encode(dict(h, categories=5), t)
    with pytest.raises(arw.ArwError, match=r'tensor "v2_w".shape: is \[4, 1, 2, 3\], want \[4, 2, 2, 3\]'):
        arw.encode(h, dict(t, v2_w=np.zeros((4, 1, 2, 3), np.float32)))
    with pytest.raises(arw.ArwError, match=r'tensor "vh1_b".dtype: is int32'):
        arw.encode(h, dict(t, vh1_b=np.zeros(4, np.int32)))
    with pytest.raises(arw.ArwError, match=r'tensor "v1_cls": required by arch gatedpixelcnn but missing'):
        arw.encode(dict(h, classes=2), t)
    # numpy integers in the header are written as plain JSON integers
    h2 = {k: (np.int64(v) if arw._is_int(v) else v) for k, v in h.items()}
    assert arw.encode(h2, t) == good("gatedpixelcnn")


def wave_header(**kw):
    h = {"arch": "wavenet", "dims": 10, "shape": [10], "dist": "bernoulli", "categories": 2,
         "dilations": [1, 2, 4], "residual_channels": 3, "gate_channels": 2, "skip_channels": 4,
         "head_channels": 5, "classes": 2, "tensors": []}
    h.update(kw)
    for k in [k for k, v in h.items() if v is None]:
        del h[k]
    return h


WAVE_LIMITS = [
    # (edit, field named or None when valid): SPEC.md 3.8 at each boundary
    ({"dilations": [1] * 1024}, None),
    ({"dilations": [1] * 1025}, "header.dilations"),
    ({"dilations": []}, "header.dilations"),
    ({"dilations": None}, "header.dilations"),
    ({"dilations": [65536]}, None),
    ({"dilations": [1, 65537]}, "header.dilations"),
    ({"dilations": [1, 0]}, "header.dilations"),
    ({"dilations": [-1]}, "header.dilations"),
    ({"dilations": [65536] * 16}, None),
    ({"dilations": [65536] * 16 + [1]}, "header.dilations"),
    ({"dilations": [65536] * 1024}, "header.dilations"),
    ({"dilations": 4}, "header.dilations"),
    ({"dist": "categorical", "categories": 65536}, None),
    ({"dist": "categorical", "categories": 65537}, "header.categories"),
    ({"categories": 3}, "header.categories"),
    ({"residual_channels": 65536}, None),
    ({"residual_channels": 65537}, "header.residual_channels"),
    ({"residual_channels": 0}, "header.residual_channels"),
    ({"gate_channels": 65536}, None),
    ({"gate_channels": 65537}, "header.gate_channels"),
    ({"gate_channels": None}, "header.gate_channels"),
    ({"skip_channels": 65536}, None),
    ({"skip_channels": 0}, "header.skip_channels"),
    ({"head_channels": 65536}, None),
    ({"head_channels": 65537}, "header.head_channels"),
    ({"classes": 65536}, None),
    ({"classes": 0}, None),
    ({"classes": 65537}, "header.classes"),
    ({"classes": -1}, "header.classes"),
    ({"dist": "categorical", "categories": 256, "sample_rate": 1}, None),
    ({"dist": "categorical", "categories": 256, "sample_rate": 1000000}, None),
    ({"dist": "categorical", "categories": 256, "sample_rate": 1000001}, "header.sample_rate"),
    ({"dist": "categorical", "categories": 256, "sample_rate": 0}, "header.sample_rate"),
    ({"dist": "categorical", "categories": 256, "sample_rate": True}, "header.sample_rate"),
    ({"sample_rate": 8000}, "header.sample_rate"),
    ({"shape": [3, 5, 7], "dims": 105}, None),
    ({"shape": [1], "dims": 1}, None),
    ({"channels": 2}, "header.channels"),
    ({"hidden": [2]}, "header.hidden"),
    ({"input_kernel": 3}, "header.input_kernel"),
]


@pytest.mark.parametrize("edit,field", WAVE_LIMITS)
def test_wavenet_header_limits(edit, field):
    m = wave_header(**edit)
    if field is None:
        h = arw._check_hyper("", m, 2)
        assert arw.expected_tensors(h)
        return
    with pytest.raises(arw.ArwError) as e:
        arw._check_hyper("", m, 2)
    assert e.value.field == field, str(e.value)


def test_wavenet_tensors():
    """The tensor list of SPEC.md 3.8, in canonical order: R=3, G=2, S=4,
    O=5, N=2, C_in = C = 7 (categorical)."""
    h = arw._check_hyper("", wave_header(dist="categorical", categories=7), 2)
    assert arw.expected_tensors(h) == [
        ("in_w", "float", [3, 7, 2]), ("in_b", "float", [3]),
        ("dil1_w", "float", [4, 3, 2]), ("dil1_b", "float", [4]), ("dil1_cls", "float", [2, 4]),
        ("res1_w", "float", [3, 2]), ("res1_b", "float", [3]), ("skip1_w", "float", [4, 2]), ("skip1_b", "float", [4]),
        ("dil2_w", "float", [4, 3, 2]), ("dil2_b", "float", [4]), ("dil2_cls", "float", [2, 4]),
        ("res2_w", "float", [3, 2]), ("res2_b", "float", [3]), ("skip2_w", "float", [4, 2]), ("skip2_b", "float", [4]),
        ("dil3_w", "float", [4, 3, 2]), ("dil3_b", "float", [4]), ("dil3_cls", "float", [2, 4]),
        ("skip3_w", "float", [4, 2]), ("skip3_b", "float", [4]),
        ("head1_w", "float", [5, 4]), ("head1_b", "float", [5]), ("head2_w", "float", [7, 5]),
        ("head2_b", "float", [7]), ("class_logits", "float", [2])]
    h = arw._check_hyper("", wave_header(dilations=[512], classes=0), 2)
    assert arw.expected_tensors(h) == [
        ("in_w", "float", [3, 1, 2]), ("in_b", "float", [3]), ("dil1_w", "float", [4, 3, 2]), ("dil1_b", "float", [4]),
        ("skip1_w", "float", [4, 2]), ("skip1_b", "float", [4]), ("head1_w", "float", [5, 4]), ("head1_b", "float", [5]),
        ("head2_w", "float", [1, 5]), ("head2_b", "float", [1])]


def test_wavenet_arch_validation():
    h, t, _ = sample("wavenet")
    with pytest.raises(arw.ArwError, match=r'tensor "res3_w": is not part of arch wavenet'):
        arw.encode(h, dict(t, res3_w=np.zeros((3, 2), np.float32)))
    with pytest.raises(arw.ArwError, match=r'tensor "dil1_cls": is not part of arch wavenet'):
        arw.encode(dict(h, classes=0), t)
    with pytest.raises(arw.ArwError, match=r'tensor "res3_w": required by arch wavenet but missing'):
        arw.encode(dict(h, dilations=[1, 2, 4, 8]), t)
    with pytest.raises(arw.ArwError, match=r'tensor "res2_w": is not part of arch wavenet'):
        arw.encode(dict(h, dilations=[1, 2]), t)
    with pytest.raises(arw.ArwError, match=r'tensor "in_w".shape: is \[3, 1, 2\], want \[3, 2, 2\]'):
        arw.encode(dict(h, dist="categorical"), t)
    with pytest.raises(arw.ArwError, match=r'tensor "dil1_w".shape: is \[4, 3, 2\], want \[6, 3, 2\]'):
        arw.encode(dict(h, gate_channels=3), t)
    with pytest.raises(arw.ArwError, match=r'tensor "dil2_cls".dtype: is int32'):
        arw.encode(h, dict(t, dil2_cls=np.zeros((2, 4), np.int32)))
    with pytest.raises(arw.ArwError, match=r"header.sample_rate: marks an audio model"):
        arw.encode(dict(h, sample_rate=16000), t)
    h, t, _ = sample("wavenet_audio")
    with pytest.raises(arw.ArwError, match=r'tensor "in_w".shape: is \[2, 16, 2\], want \[2, 17, 2\]'):
        arw.encode(dict(h, categories=17), t)
    with pytest.raises(arw.ArwError, match=r'tensor "dil1_cls": required by arch wavenet but missing'):
        arw.encode(dict(h, classes=1), t)


def test_wavenet_writer():
    """Minor version 2; sample_rate written only for an audio model (None or
    0 leave it out); numpy integers, tuples and arrays in the header are
    written as plain JSON."""
    for name in ("wavenet", "wavenet_audio"):
        g = good(name)
        assert struct.unpack_from("<H", g, 10)[0] == 2, "the writer records version 1.2"
        for minor in (0, 1):
            with pytest.raises(arw.ArwError) as e:
                arw.decode(patch(g, 10, "<H", minor))
            assert e.value.field == "preamble.minor" and "wavenet" in str(e.value)
        assert arw.decode(patch(g, 10, "<H", 3))[0] == (1, 3)
    assert arw.info(os.path.join(TESTDATA, "go_wavenet.arw"))["version"] == "1.2"
    h, t, _ = sample("wavenet")
    assert arw.encode(dict(h, sample_rate=None), t) == good("wavenet")
    assert arw.encode(dict(h, sample_rate=0), t) == good("wavenet")
    assert arw.encode(dict(h, sample_rate=np.int32(0)), t) == good("wavenet")
    h2 = {k: (np.int64(v) if arw._is_int(v) else v) for k, v in h.items()}
    h2["dilations"] = np.array(h["dilations"], np.int64)
    h2["shape"] = tuple(h["shape"])
    assert arw.encode(h2, t) == good("wavenet")
    h, t, _ = sample("wavenet_audio")
    h2 = dict(h, sample_rate=np.int64(8000), dilations=(1, 2))
    assert arw.encode(h2, t) == good("wavenet_audio")
    with pytest.raises(arw.ArwError, match=r"header.sample_rate: value -1 outside"):
        arw.encode(dict(h, sample_rate=-1), t)
    got, _ = arw.read(os.path.join(TESTDATA, "go_wavenet.arw"))
    assert "sample_rate" not in got


def test_newer_minor_version_ignores_unknown_keys():
    g = edit_header(good("fvsbn"), '"dims":6', '"dims":6,"future":{"x":1}')
    with pytest.raises(arw.ArwError, match="header.future: unknown key in a version 1.0 file"):
        arw.decode(g)
    version, h, _, _ = arw.decode(patch(g, 10, "<H", 7))
    assert version == (1, 7) and h["arch"] == "fvsbn"


def test_command_line(tmp_path, capsys):
    bad = tmp_path / "bad.arw"
    bad.write_bytes(b"hello")
    assert arw.main([os.path.join(TESTDATA, "go_lstm.arw"), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["header"]["arch"] == "lstm"
    assert "bad.arw: preamble: file is 5 bytes" in err


CONFORMANCE = os.path.join(TESTDATA, "conformance")
with open(os.path.join(CONFORMANCE, "manifest.json")) as _f:
    MANIFEST = json.load(_f)


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_conformance_suite_agrees_with_go(entry):
    """Every file of format/testdata/conformance is accepted, or refused
    naming the same field, by both readers."""
    path = os.path.join(CONFORMANCE, entry["file"])
    if entry["valid"]:
        header, tensors = arw.read(path)
        assert header["arch"] in arw.ARCHS and tensors
        return
    with pytest.raises(arw.ArwError) as e:
        arw.read(path)
    assert e.value.field == entry["field"], (str(e.value), entry["error"])
    assert e.value.checksum == entry.get("checksum", False)


def test_random_damage_raises_only_arw_error():
    """Mutated files (bit flips, byte overwrites, truncation, with the
    checksums repaired so the structural checks are reached) either decode
    or raise ArwError, never another exception."""
    rng = np.random.default_rng(1)
    seeds = [good(n) for n in ("fvsbn", "made", "lstm", "mixed", "pixelcnn", "gatedpixelcnn", "wavenet",
                               "wavenet_audio")]
    outcomes = {"ok": 0, "error": 0}
    for i in range(3000):
        b = bytearray(seeds[i % len(seeds)])
        for _ in range(int(rng.integers(1, 4))):
            kind = rng.integers(0, 3)
            pos = int(rng.integers(0, len(b)))
            if kind == 0:
                b[pos] ^= 1 << int(rng.integers(0, 8))
            elif kind == 1:
                b[pos] = int(rng.choice([0, 0x22, 0x2c, 0x30, 0x5b, 0x7b, 0x7d, 0xff]))
            else:
                del b[pos:]
                break
        if len(b) >= 64:
            b = bytearray(fix(bytes(b)))
        try:
            arw.decode(bytes(b))
            outcomes["ok"] += 1
        except arw.ArwError:
            outcomes["error"] += 1
    assert outcomes["error"] > 1000 and outcomes["ok"] > 100, outcomes
