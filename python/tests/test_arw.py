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
    ("made", '"arch":"made"', '"arch":"wavenet"', 'is reserved for a later version'),
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
    ("made", '"dims":6', '"dims":6,"dilations":[1]', 'header.dilations: key is reserved'),
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
        (patch(g, 8, "<H", 2), "file has format version 2.0; this build reads version 1.x (up to 1.1); upgrade"),
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
    seeds = [good(n) for n in ("fvsbn", "made", "lstm", "mixed")]
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
