package engine

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"unsafe"

	"github.com/arinfer/arinfer/format"
	"github.com/arinfer/arinfer/internal/half"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWeightRowsWiden checks the row widening against half's converters
// for every 16-bit pattern (NaN payloads, infinities, subnormals and
// signed zeros included), bit for bit, at every position of a row.
func TestWeightRowsWiden(t *testing.T) {
	for _, tc := range []struct {
		name string
		bf16 bool
		want func(uint16) float32
	}{{"float16", false, half.F16ToF32}, {"bfloat16", true, half.BF16ToF32}} {
		t.Run(tc.name, func(t *testing.T) {
			raw := make([]byte, 2<<16)
			for h := range 1 << 16 {
				raw[2*h], raw[2*h+1] = byte(h), byte(h>>8)
			}
			v := make([]float32, 1<<16)
			(&weightRows{bf16: tc.bf16}).widen(v, raw)
			for h := range 1 << 16 {
				require.Equal(t, math.Float32bits(tc.want(uint16(h))), math.Float32bits(v[h]), "%#04x", h)
			}
		})
	}
}

// TestMADEFromStoredDtypes builds MADEs from .arw files in each stored
// dtype and from maps holding the same float32 values (the file's values
// widened): the two must score and sample bit for bit and have the same
// digest. The file's 16-bit rows are widened a row at a time (a bfloat16
// tensor's hashed as they are read, a float16 tensor's hashed from the
// model's copy when the digest is asked for), the map's tensors go
// through Weights.Float32 (the large ones hashed on goroutines of their
// own); the values include signed zeros, binary16 subnormals, and float32
// subnormals (bfloat16, float32), which both flush.
func TestMADEFromStoredDtypes(t *testing.T) {
	cfgs := []Config{
		{Arch: "made", Dims: 300, Hidden: []int{240}, Masks: 3, Direct: true}, // W1, Wout of hashAlone values or more
		{Arch: "made", Dims: 30, Hidden: []int{24, 20}, Masks: 2},
		{Arch: "made", Dims: 17, Hidden: []int{33}, Direct: true},
	}
	type dtype struct {
		name   string
		round  func(float32) float32
		tensor func(string, []int, []float32) format.Tensor
	}
	dtypes := []dtype{
		{"float16", func(v float32) float32 { return half.F16ToF32(half.F32ToF16(v)) }, format.Float16Tensor},
		{"bfloat16", func(v float32) float32 { return half.BF16ToF32(half.F32ToBF16(v)) }, format.BFloat16Tensor},
		{"float32", func(v float32) float32 { return v }, format.Float32Tensor},
	}
	specials := []float32{float32(math.Copysign(0, -1)), 0, 3e-6, -5.96e-8, 6.1e-5, 1e-39, -2e-40, 65504}
	ctx := context.Background()
	for i, cfg := range cfgs {
		for oneOrder := range 2 {
			if oneOrder == 1 && cfg.Masks < 2 {
				continue
			}
			for _, dt := range dtypes {
				t.Run(fmt.Sprintf("%s-oneorder%v-%s", cfgName(cfg), oneOrder == 1, dt.name), func(t *testing.T) {
					r := madeMixture(uint64(40+i), cfg, oneOrder == 1)
					rng := rand.New(rand.NewPCG(uint64(i), 41))
					for _, name := range slices.Sorted(maps.Keys(r.w.F)) {
						v := r.w.F[name]
						for j := range v {
							if rng.IntN(10) == 0 {
								v[j] = specials[rng.IntN(len(specials))]
							}
							v[j] = dt.round(v[j])
						}
					}
					fromMap := build(t, r)
					fromFile := openMADE(t, r, dt.tensor)
					D := cfg.Dims
					const B = 6
					x := randBinary(rng, B*D)
					want, got := make([]float64, B), make([]float64, B)
					require.NoError(t, fromMap.LogProb(ctx, x, want))
					require.NoError(t, fromFile.LogProb(ctx, x, got))
					assert.Equal(t, want, got, "LogProb")
					sm, sf := make([]float32, B*D), make([]float32, B*D)
					require.NoError(t, fromMap.Sample(ctx, sm, SampleOptions{Seed: 3}))
					require.NoError(t, fromFile.Sample(ctx, sf, SampleOptions{Seed: 3}))
					assert.Equal(t, sm, sf, "Sample")
					// A float16 file's records are hashed when the digest
					// is first asked for, here after use, by several
					// goroutines at once.
					want32 := fromMap.Info().Digest()
					var wg sync.WaitGroup
					got32 := make([][32]byte, 4)
					for g := range got32 {
						wg.Go(func() { got32[g] = fromFile.Info().Digest() })
					}
					wg.Wait()
					for _, d := range got32 {
						assert.Equal(t, want32, d, "digest")
					}
				})
			}
		}
	}
}

// openMADE writes r's weights to an .arw file, its float tensors stored
// by tensor, and opens it.
func openMADE(t *testing.T, r *refModel, tensor func(string, []int, []float32) format.Tensor) Model {
	t.Helper()
	cfg := r.cfg
	h := format.Header{Arch: format.MADE, Dims: cfg.Dims, Shape: []int{cfg.Dims}, Dist: format.Bernoulli, Categories: 2,
		Hidden: cfg.Hidden, Masks: max(cfg.Masks, 1), Direct: cfg.Direct}
	names, err := format.ExpectedTensors(h)
	require.NoError(t, err)
	ts := make([]format.Tensor, len(names))
	for i, n := range names {
		if v, ok := r.w.I[n]; ok {
			ts[i] = format.Int32Tensor(n, r.w.S[n], v)
		} else {
			ts[i] = tensor(n, r.w.S[n], r.w.F[n])
		}
	}
	path := filepath.Join(t.TempDir(), "made.arw")
	require.NoError(t, format.WriteFile(path, h, ts))
	m, err := Open(path)
	require.NoError(t, err)
	return m
}

// TestTensorRowsErrors: a tensor of the wrong shape or size, or missing,
// is the error tensor gives; rows come in order only.
func TestTensorRowsErrors(t *testing.T) {
	w := MapWeights{F: map[string][]float32{"W": make([]float32, 6), "short": make([]float32, 5)},
		S: map[string][]int{"W": {2, 3}, "short": {2, 3}}}
	_, err := tensorRows(w, "W", 3, 2)
	assert.EqualError(t, err, "engine: tensor W has shape [2 3], want [3 2]")
	_, err = tensorRows(w, "short", 2, 3)
	assert.EqualError(t, err, "engine: tensor short has 5 values, want 6")
	_, err = tensorRows(w, "missing", 2, 3)
	assert.EqualError(t, err, "engine: missing float32 tensor missing")
	r, err := tensorRows(w, "W", 2, 3)
	require.NoError(t, err)
	assert.False(t, r.hashFrom(func(int, []float32) {}), "a map's tensor is hashed as Float32 reads it")
	assert.Panics(t, func() { r.row(1) }, "row 1 before row 0")
	assert.Len(t, r.row(0), 3)
	assert.Len(t, r.row(1), 3)
	assert.Panics(t, func() { r.row(2) }, "past the last row")
	assert.Panics(t, func() { r.hashFrom(func(int, []float32) {}) }, "hashFrom after a row was read")
}

// TestBigSlice: large weight arrays start on a huge page boundary (2 MB),
// have the length asked for, zeroed, and alignedFloats keeps its 64-byte
// alignment for them.
func TestBigSlice(t *testing.T) {
	for _, n := range []int{hugePage / 4, hugePage/4 + 1, hugePage / 2, 3 * hugePage / 2} {
		f := bigSlice[float32](n)
		require.Len(t, f, n)
		assert.Zero(t, uintptr(unsafe.Pointer(&f[0]))%hugePage, "float32 n=%d", n)
		assert.Equal(t, -1, slices.IndexFunc(f, func(v float32) bool { return v != 0 }), "zeroed")
		h := bigSlice[uint16](n)
		require.Len(t, h, n)
		assert.Zero(t, uintptr(unsafe.Pointer(&h[0]))%hugePage, "uint16 n=%d", n)
		a := alignedFloats(n)
		require.Len(t, a, n)
		assert.Zero(t, uintptr(unsafe.Pointer(&a[0]))%64, "alignedFloats n=%d", n)
	}
	assert.Len(t, halves(hugePage/8-1), hugePage/8-1)
	assert.Zero(t, uintptr(unsafe.Pointer(&halves(hugePage / 8)[0]))%hugePage, "a table of 0.5 MB or more in huge pages")
}
