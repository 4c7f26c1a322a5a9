package format

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the Go-written golden files in testdata/")

func sampleNames() []string {
	names := make([]string, 0)
	for n := range sampleHeaders() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// expectFloats returns the float32 values a reader must return for a
// tensor written from v with dtype dt: the values rounded through dt.
func expectFloats(v []float32, dt DType) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		switch dt {
		case F32:
			out[i] = x
		case F16:
			out[i] = F16ToF32(F32ToF16(x))
		case BF16:
			out[i] = BF16ToF32(F32ToBF16(x))
		}
	}
	return out
}

// checkModel asserts that f holds exactly header h and tensors ts.
func checkModel(t *testing.T, f *File, h Header, ts []Tensor) {
	t.Helper()
	got := f.Header()
	assert.Equal(t, h.Arch, f.Arch())
	assert.Equal(t, h.Dims, got.Dims)
	assert.Equal(t, h.Shape, got.Shape)
	assert.Equal(t, h.Dist, got.Dist)
	assert.Equal(t, h.Categories, got.Categories)
	assert.Equal(t, h.Hidden, got.Hidden)
	assert.Equal(t, h.Masks, got.Masks)
	assert.Equal(t, h.Direct, got.Direct)
	assert.Equal(t, h.Embed, got.Embed)
	assert.Equal(t, h.Channels, got.Channels)
	assert.Equal(t, h.Layers, got.Layers)
	assert.Equal(t, h.KernelSize, got.KernelSize)
	assert.Equal(t, h.InputKernel, got.InputKernel)
	assert.Equal(t, h.HeadChannels, got.HeadChannels)
	assert.Equal(t, h.Classes, got.Classes)
	assert.Equal(t, h.Dilations, got.Dilations)
	assert.Equal(t, h.ResidualChannels, got.ResidualChannels)
	assert.Equal(t, h.GateChannels, got.GateChannels)
	assert.Equal(t, h.SkipChannels, got.SkipChannels)
	assert.Equal(t, h.SampleRate, got.SampleRate)
	major, minor := f.Version()
	assert.Equal(t, VersionMajor, major)
	assert.Equal(t, int(minVersionMinor(h.Arch)), minor, "the writer records the smallest minor version that defines the file")
	if h.Meta == nil {
		assert.Nil(t, got.Meta)
	} else {
		assert.JSONEq(t, string(h.Meta), string(got.Meta))
	}
	infos := f.Tensors()
	require.Len(t, infos, len(ts))
	for i, want := range ts {
		assert.Equal(t, want.Name, infos[i].Name, "file order")
		assert.Equal(t, want.DType, infos[i].DType)
		assert.Equal(t, want.Shape, infos[i].Shape)
		assert.Zero(t, infos[i].Offset%Alignment)
		raw, err := f.Tensor(want.Name)
		require.NoError(t, err)
		assert.Equal(t, want.Data, raw.Data, want.Name)
		if want.DType == I32 {
			v, shape, err := f.Int32(want.Name)
			require.NoError(t, err)
			assert.Equal(t, want.Shape, shape)
			wantV := make([]int32, len(want.Data)/4)
			for j := range wantV {
				wantV[j] = rawInt32(want.Data, j)
			}
			assert.Equal(t, wantV, v, want.Name)
			_, _, err = f.Float32(want.Name)
			assert.ErrorContains(t, err, "not a floating-point type")
		} else {
			v, shape, err := f.Float32(want.Name)
			require.NoError(t, err)
			assert.Equal(t, want.Shape, shape)
			assert.Len(t, v, infos[i].NumElements())
			_, _, err = f.Int32(want.Name)
			assert.ErrorContains(t, err, "not int32")
		}
	}
}

func TestRoundTripEveryArchAndDType(t *testing.T) {
	for _, name := range sampleNames() {
		for _, dt := range []DType{F32, F16, BF16} {
			t.Run(name+"/"+string(dt), func(t *testing.T) {
				h := sampleHeaders()[name]
				ts := sampleTensors(name, h, dt)
				b, err := Encode(h, ts)
				require.NoError(t, err)

				f, err := Read(bytes.NewReader(b), int64(len(b)))
				require.NoError(t, err)
				checkModel(t, f, h, ts)
				assert.True(t, f.Checksums().DataVerified)

				// Float values survive the trip, rounded through the dtype.
				for seed, s := range expectedTensors(&h) {
					if s.kind != kindFloat {
						continue
					}
					info := f.tensors[f.index[s.name]]
					got, _, err := f.Float32(s.name)
					require.NoError(t, err)
					assert.Equal(t, expectFloats(sampleFloats(seed, info.NumElements()), info.DType), got, s.name)
				}

				// Re-encoding what was read reproduces the same bytes.
				var again []Tensor
				for _, info := range f.Tensors() {
					tn, err := f.Tensor(info.Name)
					require.NoError(t, err)
					again = append(again, tn)
				}
				b2, err := Encode(f.Header(), again)
				require.NoError(t, err)
				assert.Equal(t, b, b2)

				// The memory-mapped path gives the same model.
				path := filepath.Join(t.TempDir(), name+".arw")
				require.NoError(t, WriteFile(path, h, ts))
				onDisk, err := os.ReadFile(path)
				require.NoError(t, err)
				assert.Equal(t, b, onDisk)
				mf, err := Open(path)
				require.NoError(t, err)
				checkModel(t, mf, h, ts)
				assert.Equal(t, path, mf.Path())
				require.NoError(t, mf.Close())
				require.NoError(t, mf.Close(), "Close is idempotent")
				_, _, err = mf.Float32(ts[1].Name)
				assert.ErrorContains(t, err, "closed")
			})
		}
	}
}

// TestEncodeWritesCanonicalOrder checks that the writer stores tensors in
// the canonical order of SPEC.md section 3 whatever order they are given
// in (reversed, and MADE's per-layer order W1, b1, degrees1, ... that
// training code produces), so the same content gives the same bytes.
func TestEncodeWritesCanonicalOrder(t *testing.T) {
	for _, name := range sampleNames() {
		t.Run(name, func(t *testing.T) {
			h := sampleHeaders()[name]
			ts := sampleTensors(name, h, F32)
			want, err := Encode(h, ts)
			require.NoError(t, err)
			reversed := slices.Clone(ts)
			slices.Reverse(reversed)
			got, err := Encode(h, reversed)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.Equal(t, ts[0].Name, reversed[len(reversed)-1].Name, "the caller's slice is not reordered")

			f, err := Read(bytes.NewReader(got), int64(len(got)))
			require.NoError(t, err)
			names, err := ExpectedTensors(h)
			require.NoError(t, err)
			var stored []string
			for _, ti := range f.Tensors() {
				stored = append(stored, ti.Name)
			}
			assert.Equal(t, names, stored)
		})
	}
	h := sampleHeaders()["made"]
	byName := map[string]Tensor{}
	for _, tn := range sampleTensors("made", h, F32) {
		byName[tn.Name] = tn
	}
	var perLayer []Tensor
	for _, n := range []string{"order", "W1", "b1", "degrees1", "W2", "b2", "degrees2", "Wout", "bout", "A"} {
		perLayer = append(perLayer, byName[n])
	}
	got, err := Encode(h, perLayer)
	require.NoError(t, err)
	golden, err := os.ReadFile(filepath.Join("testdata", "go_made.arw"))
	require.NoError(t, err)
	assert.Equal(t, golden, got)
}

func TestGoldenFiles(t *testing.T) {
	for _, name := range sampleNames() {
		t.Run(name, func(t *testing.T) {
			h := sampleHeaders()[name]
			b, err := Encode(h, sampleTensors(name, h, F32))
			require.NoError(t, err)
			path := filepath.Join("testdata", "go_"+name+".arw")
			if *update {
				require.NoError(t, os.WriteFile(path, b, 0o644))
			}
			golden, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./format -run TestGoldenFiles -update to create")
			assert.Equal(t, golden, b, "canonical bytes changed for %s", path)
		})
	}
}

// TestPythonWrittenFiles reads the files python/make_testdata.py wrote
// with python/arw.py and checks every value against the Go sample model.
// The two writers follow SPEC.md independently, so the files must also be
// byte-identical to the Go-written ones.
func TestPythonWrittenFiles(t *testing.T) {
	for _, name := range sampleNames() {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "py_"+name+".arw")
			f, err := Open(path)
			require.NoError(t, err)
			defer f.Close()
			h := sampleHeaders()[name]
			checkModel(t, f, h, sampleTensors(name, h, F32))
			goBytes, err := os.ReadFile(filepath.Join("testdata", "go_"+name+".arw"))
			require.NoError(t, err)
			pyBytes, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, goBytes, pyBytes)
		})
	}
}

func TestZeroCopyViews(t *testing.T) {
	if !littleEndian {
		t.Skip("views are zero-copy only on little-endian hosts; big-endian hosts get converted copies")
	}
	h := sampleHeaders()["made"]
	path := filepath.Join(t.TempDir(), "m.arw")
	require.NoError(t, WriteFile(path, h, sampleTensors("made", h, F32)))
	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	base := uintptr(unsafe.Pointer(unsafe.SliceData(f.data)))
	for _, info := range f.Tensors() {
		var p uintptr
		if info.DType == I32 {
			v, _, err := f.Int32(info.Name)
			require.NoError(t, err)
			p = uintptr(unsafe.Pointer(unsafe.SliceData(v)))
		} else {
			v, _, err := f.Float32(info.Name)
			require.NoError(t, err)
			p = uintptr(unsafe.Pointer(unsafe.SliceData(v)))
		}
		assert.Equal(t, base+uintptr(info.Offset), p, "%s is a view of the file", info.Name)
		assert.Zero(t, p%Alignment, "%s is 64-byte aligned in memory", info.Name)
	}
}

func TestHalfPrecisionConversionsAgainstFloat64(t *testing.T) {
	// Every binary16 value decodes to sign * mant * 2^exp computed in float64.
	for h := 0; h < 1<<16; h++ {
		sign := 1.0
		if h&0x8000 != 0 {
			sign = -1
		}
		e, m := (h>>10)&0x1f, h&0x3ff
		var want float64
		switch {
		case e == 0x1f && m == 0:
			want = math.Inf(int(sign))
		case e == 0x1f:
			assert.True(t, math.IsNaN(float64(F16ToF32(uint16(h)))))
			assert.Equal(t, uint16(h), F32ToF16(F16ToF32(uint16(h))), "NaN payload kept")
			continue
		case e == 0:
			want = sign * math.Ldexp(float64(m), -24)
		default:
			want = sign * math.Ldexp(float64(m|0x400), e-25)
		}
		got := F16ToF32(uint16(h))
		require.Equal(t, want, float64(got), "f16 %#04x", h)
		require.Equal(t, math.Signbit(want), math.Signbit(float64(got)))
		require.Equal(t, uint16(h), F32ToF16(got), "f16 %#04x round trip", h)
	}
	// float32 -> float16 picks the nearest value, ties to even.
	f16Nearest := func(x float32) uint16 {
		best := uint16(0)
		bestD := math.Inf(1)
		for h := 0; h < 0x7c00; h++ {
			d := math.Abs(float64(F16ToF32(uint16(h))) - math.Abs(float64(x)))
			if d < bestD || (d == bestD && h&1 == 0) {
				best, bestD = uint16(h), d
			}
		}
		// Beyond the largest finite value, round to infinity from 65520 on.
		if math.Abs(float64(x)) >= 65520 {
			best = 0x7c00
		}
		if math.Signbit(float64(x)) {
			best |= 0x8000
		}
		return best
	}
	cases := []float32{0, 1, -1, 0.1, 1.0 / 3, 65504, 65519.99, 65520, 1e9, 5.96e-8, 2.98e-8, 2.9802322e-08, 3e-8,
		6.1035156e-05, 6.1e-05, 1.0009765625, 1.00048828125, 1.000732421875, -2.5e-6, 1234.5678}
	for i := 0; i < 300; i++ {
		cases = append(cases, sampleValue(i, i)*float32(math.Ldexp(1, i%40-25)))
	}
	for _, x := range cases {
		assert.Equal(t, f16Nearest(x), F32ToF16(x), "F32ToF16(%g)", x)
	}
	// bfloat16: nearest of the two neighbours in float64, ties to even.
	for i := 0; i < 2000; i++ {
		x := sampleValue(i, 3*i) * float32(math.Ldexp(1, i%60-30))
		bits := math.Float32bits(x)
		lo := uint16(bits >> 16)
		hi := lo + 1
		dlo := math.Abs(float64(x) - float64(BF16ToF32(lo)))
		dhi := math.Abs(float64(BF16ToF32(hi)) - float64(x))
		want := lo
		if dhi < dlo || (dhi == dlo && lo&1 == 1) {
			want = hi
		}
		assert.Equal(t, want, F32ToBF16(x), "F32ToBF16(%g)", x)
	}
	assert.True(t, math.IsNaN(float64(BF16ToF32(F32ToBF16(float32(math.NaN()))))))
	assert.Equal(t, uint16(0x7f80), F32ToBF16(float32(math.Inf(1))))
	assert.Equal(t, uint16(0x7f80), F32ToBF16(math.MaxFloat32), "rounds up to infinity")
}

func TestChecksumsDetectCorruption(t *testing.T) {
	h := sampleHeaders()["nade"]
	good, err := Encode(h, sampleTensors("nade", h, F32))
	require.NoError(t, err)
	_, data := splitFile(good)
	dataOff := len(good) - len(data)
	cases := []struct {
		name  string
		pos   int
		field string
	}{
		{"preamble version minor", offMinor, "preamble.preamble_crc"},
		{"preamble header crc field", offHeaderCRC, "preamble.preamble_crc"},
		{"header text", PreambleSize + 10, "preamble.header_crc"},
		{"header padding", dataOff - 1, "preamble.header_crc"},
		{"data first byte", dataOff, "preamble.data_crc"},
		{"data last byte", len(good) - 1, "preamble.data_crc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := slices.Clone(good)
			b[c.pos] ^= 0x10
			_, err := Read(bytes.NewReader(b), int64(len(b)))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrChecksum)
			assert.ErrorContains(t, err, c.field)
		})
	}
	t.Run("deferred data check", func(t *testing.T) {
		b := slices.Clone(good)
		b[len(b)-1] ^= 1
		f, err := ReadOptions(bytes.NewReader(b), int64(len(b)), Options{SkipDataChecksum: true})
		require.NoError(t, err)
		assert.False(t, f.Checksums().DataVerified)
		err = f.VerifyData()
		assert.ErrorIs(t, err, ErrChecksum)
		assert.False(t, f.Checksums().DataVerified)

		f, err = ReadOptions(bytes.NewReader(good), int64(len(good)), Options{SkipDataChecksum: true})
		require.NoError(t, err)
		require.NoError(t, f.VerifyData())
		assert.True(t, f.Checksums().DataVerified)
	})
	t.Run("every truncation is refused", func(t *testing.T) {
		for n := 0; n < len(good); n++ {
			_, err := Read(bytes.NewReader(good[:n]), int64(n))
			require.Error(t, err, "truncated to %d bytes", n)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(filepath.Join(dir, "missing.arw"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.ErrorContains(t, err, "missing.arw")

	empty := filepath.Join(dir, "empty.arw")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	_, err = Open(empty)
	assert.ErrorContains(t, err, "empty.arw: preamble: file is 0 bytes")

	_, err = Open(dir)
	assert.ErrorContains(t, err, "not a regular file")

	text := filepath.Join(dir, "text.arw")
	require.NoError(t, os.WriteFile(text, bytes.Repeat([]byte("hello world "), 20), 0o644))
	_, err = Open(text)
	assert.ErrorContains(t, err, "preamble.magic: not an .arw file")

	// A reader shorter than the size it is given is an error, not an
	// allocation of the claimed size.
	h := sampleHeaders()["fvsbn"]
	good, err := Encode(h, sampleTensors("fvsbn", h, F32))
	require.NoError(t, err)
	_, err = Read(bytes.NewReader(good), 1<<40)
	assert.Error(t, err)
}

func TestErrorsWrapSentinels(t *testing.T) {
	e := &Error{Path: "m.arw", Field: "preamble.data_crc", Msg: "bad", Err: ErrChecksum}
	assert.Equal(t, "arw: m.arw: preamble.data_crc: bad", e.Error())
	assert.True(t, errors.Is(e, ErrChecksum))
	e = &Error{Path: "m.arw", Msg: "cannot open", Err: os.ErrNotExist}
	assert.Equal(t, "arw: m.arw: cannot open: file does not exist", e.Error())
}

// TestReadFallbackNamesFile covers the path Open takes when memory mapping
// is unavailable: a plain read that still names the file in errors.
func TestReadFallbackNamesFile(t *testing.T) {
	h := sampleHeaders()["gru"]
	ts := sampleTensors("gru", h, F32)
	path := filepath.Join(t.TempDir(), "g.arw")
	require.NoError(t, WriteFile(path, h, ts))
	fd, err := os.Open(path)
	require.NoError(t, err)
	defer fd.Close()
	st, err := fd.Stat()
	require.NoError(t, err)
	f, err := readAt(path, fd, st.Size(), Options{})
	require.NoError(t, err)
	checkModel(t, f, h, ts)
	_, err = readAt(path, fd, st.Size()-1, Options{})
	assert.ErrorContains(t, err, "g.arw: preamble.data_len")
}

// eofReaderAt returns io.EOF together with a complete read at the end of
// the source, which the io.ReaderAt contract allows.
type eofReaderAt struct{ b []byte }

func (r eofReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(r.b)) {
		return 0, io.EOF
	}
	n := copy(p, r.b[off:])
	if off+int64(n) == int64(len(r.b)) {
		return n, io.EOF
	}
	return n, nil
}

func TestReadAcceptsEOFWithCompleteRead(t *testing.T) {
	h := sampleHeaders()["nade"]
	b, err := Encode(h, sampleTensors("nade", h, F32))
	require.NoError(t, err)
	f, err := Read(eofReaderAt{b}, int64(len(b)))
	require.NoError(t, err)
	assert.Equal(t, NADE, f.Arch())
	_, err = Read(eofReaderAt{b[:len(b)-10]}, int64(len(b)))
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}
