package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arinfer/arinfer/format"
)

var allWeightTypes = []WeightType{F32, F16, BF16, BF16Dot}

// matvecDims are the row and column counts MatVec is tested on: every tail
// of every tier's panel height and vector width.
var matvecDims = []int{1, 3, 15, 16, 17, 63, 64, 65, 127, 128, 320, 513}

// matvecNBs are the batch sizes: every tail of every tier's vector block.
var matvecNBs = []int{1, 2, 3, 4, 5, 8, 32}

// typeRel is the relative error of rounding one product's operands to wt
// (the bound of the MatVec doc comment against the float32 weights).
func typeRel(wt WeightType) float64 {
	switch wt {
	case F16:
		return 0x1p-11
	case BF16:
		return 0x1p-8
	case BF16Dot:
		return 0x1p-8 + 0x1p-8 + 0x1p-16
	}
	return 0
}

// matvecCase is one MatVec call with its inputs and float64 references.
type matvecCase struct {
	m, n, nb, ldx, ldy int
	wt                 WeightType
	acc                bool
	w, x, bias, y0     []float32
	a                  *Mat
	// want and tol: the exact value on the stored weights and the float32
	// summation bound; orig and otol: the exact value on the float32
	// weights and the bound with the type's rounding (index b*m + i).
	want, tol, orig, otol []float64
}

func (c *matvecCase) String() string {
	return fmt.Sprintf("%s %dx%d nb=%d ldx=%d ldy=%d acc=%v bias=%v", c.wt, c.m, c.n, c.nb, c.ldx, c.ldy, c.acc, c.bias != nil)
}

func newMatvecCase(t *testing.T, r *rand.Rand, wt WeightType, m, n, nb int, acc, withBias bool) *matvecCase {
	c := &matvecCase{m: m, n: n, nb: nb, wt: wt, acc: acc, ldx: n + r.IntN(4), ldy: m + r.IntN(4)}
	c.w = randVec(r, m*n, 0)
	c.x = randMat(r, nb, n, c.ldx) // NaN between vectors: never read
	if withBias {
		c.bias = randVec(r, m, 0)
	}
	c.y0 = make([]float32, (nb-1)*c.ldy+m)
	for i := range c.y0 {
		c.y0[i] = guardVal
		if i%c.ldy < m && acc {
			c.y0[i] = float32(r.Float64()*2 - 1)
		}
	}
	var err error
	c.a, err = NewMat(c.w, m, n, wt)
	require.NoError(t, err)
	c.reference()
	return c
}

// reference computes want, tol, orig and otol.
func (c *matvecCase) reference() {
	m, n := c.m, c.n
	ws := make([]float64, m*n) // the stored weights
	for k := range ws {
		ws[k] = float64(c.a.weight(k))
	}
	c.want, c.tol = make([]float64, c.nb*m), make([]float64, c.nb*m)
	c.orig, c.otol = make([]float64, c.nb*m), make([]float64, c.nb*m)
	xo, xr := make([]float64, n), make([]float64, n)
	gamma := blasGamma(n + 2)
	for b := 0; b < c.nb; b++ {
		var xs float64
		for j := range xr {
			v := c.x[b*c.ldx+j]
			xo[j] = float64(v)
			xs += math.Abs(xo[j])
			if c.wt == BF16Dot {
				v = bf16ToF32(f32ToBF16(v))
			}
			xr[j] = float64(v)
		}
		for i := 0; i < m; i++ {
			var want, scale, orig, oscale float64
			if c.acc {
				want = float64(c.y0[b*c.ldy+i])
				scale = math.Abs(want)
			}
			if c.bias != nil {
				want += float64(c.bias[i])
				scale += math.Abs(float64(c.bias[i]))
			}
			orig = want
			wrow, orow := ws[i*n:(i+1)*n], c.w[i*n:(i+1)*n]
			for j, xv := range xr {
				p := wrow[j] * xv
				want += p
				scale += math.Abs(p)
				po := float64(orow[j]) * xo[j]
				orig += po
				oscale += math.Abs(po)
			}
			k := b*m + i
			c.want[k], c.tol[k] = want, gamma*scale
			// F16 rounds weights below 2^-14 to subnormals, absolute error 2^-25.
			c.orig[k], c.otol[k] = orig, gamma*scale+typeRel(c.wt)*oscale+0x1p-25*xs
		}
	}
}

// check runs MatVec on the active tier and compares every output with the
// exact value on the stored weights (within float32 summation error) and
// on the float32 weights (within the type's rounding bound); everything
// else in y must keep its guard value.
func (c *matvecCase) check(t *testing.T) {
	t.Helper()
	g := newGuarded(c.y0, c.nb, c.m, c.ldy, 1)
	MatVec(c.a, c.nb, c.x, c.ldx, c.bias, g.data(), c.ldy, c.acc)
	g.check(t)
	for b := 0; b < c.nb; b++ {
		for i := 0; i < c.m; i++ {
			k := b*c.m + i
			got := float64(g.at(b, i))
			if math.Abs(got-c.want[k]) > c.tol[k] {
				t.Fatalf("%v: y[%d][%d]=%v, want %v ± %.3g on the stored weights", c, b, i, got, c.want[k], c.tol[k])
			}
			if math.Abs(got-c.orig[k]) > c.otol[k] {
				t.Fatalf("%v: y[%d][%d]=%v, want %v ± %.3g on the float32 weights", c, b, i, got, c.orig[k], c.otol[k])
			}
		}
	}
}

func TestMatVec(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	var cases []*matvecCase
	k := 0
	for _, m := range matvecDims {
		for _, n := range matvecDims {
			for i, wt := range allWeightTypes {
				k++
				// Large shapes (whose tails the small ones also reach)
				// run one weight type each, in turn, to keep the test short.
				if m*n > 1<<13 && (k/len(allWeightTypes)+i)%len(allWeightTypes) != 0 {
					continue
				}
				nb := matvecNBs[k%len(matvecNBs)]
				if m*n*nb > 1<<15 {
					nb = 1 + k%2 // TestMatVecBatches runs every batch size
				}
				cases = append(cases, newMatvecCase(t, r, wt, m, n, nb, k%3 == 1, k%4 != 2))
			}
		}
	}
	testAllTiers(t, func(t *testing.T) {
		for _, c := range cases {
			c.check(t)
		}
	})
}

// TestMatVecBatches runs every batch size with acc and bias on and off on
// shapes with ragged panels and columns.
func TestMatVecBatches(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 2))
	var cases []*matvecCase
	for _, shape := range [][2]int{{17, 33}, {65, 7}, {130, 64}} {
		for _, wt := range allWeightTypes {
			for i, nb := range matvecNBs {
				// acc and bias in turn: each combination meets each shape
				// and type, and each batch size meets several.
				k := i + int(wt)
				cases = append(cases, newMatvecCase(t, r, wt, shape[0], shape[1], nb, k%2 == 1, k/2%2 == 0))
			}
		}
	}
	testAllTiers(t, func(t *testing.T) {
		for _, c := range cases {
			c.check(t)
		}
	})
}

// TestMatVecZeroBatch: nb = 0 touches nothing, whatever x and y are.
func TestMatVecZeroBatch(t *testing.T) {
	a, err := NewMat([]float32{1, 2, 3, 4, 5, 6}, 2, 3, F32)
	require.NoError(t, err)
	testAllTiers(t, func(t *testing.T) {
		require.NotPanics(t, func() { MatVec(a, 0, nil, 3, nil, nil, 2, false) })
	})
}

// TestMatVecSpecials: infinities and NaNs in the weights (stored as such or
// made by rounding an overflowing float32) and in x propagate as the
// generic kernel's do, on every tier; subnormal weights are kept.
func TestMatVecSpecials(t *testing.T) {
	inf := float32(math.Inf(1))
	w := []float32{
		1, 2, 3, 4,
		inf, 1, 0, 0,
		nan32, 1, 1, 1,
		70000, 1, 1, 1, // +Inf in F16
		1e-41, 1e-41, 6e-8, 1e-39, // subnormal in float32, bfloat16 or binary16
		-inf, 0, 1, 0,
	}
	x := []float32{1, 0.5, 0.25, 2}
	for _, wt := range allWeightTypes {
		a, err := NewMat(w, 6, 4, wt)
		require.NoError(t, err)
		var want []float32
		withTier(Generic, func() {
			want = make([]float32, 6)
			MatVec(a, 1, x, 4, nil, want, 6, false)
		})
		assert.True(t, math.IsInf(float64(want[1]), 1), "%s: %v", wt, want)
		assert.True(t, math.IsNaN(float64(want[2])), "%s: %v", wt, want)
		assert.True(t, math.IsInf(float64(want[5]), -1), "%s: %v", wt, want)
		assert.Equal(t, wt == F16, math.IsInf(float64(want[3]), 1), "%s: %v", wt, want)
		assert.NotZero(t, want[4], "%s: subnormal weights dropped", wt)
		testAllTiers(t, func(t *testing.T) {
			for nb := 1; nb <= 5; nb++ {
				xs := make([]float32, 4*nb)
				for b := 0; b < nb; b++ {
					copy(xs[4*b:], x)
				}
				y := make([]float32, 6*nb)
				MatVec(a, nb, xs, 4, nil, y, 6, false)
				for b := 0; b < nb; b++ {
					for i := 0; i < 6; i++ {
						g, e := y[6*b+i], want[i]
						switch {
						case e != e:
							require.True(t, g != g, "%s nb=%d: y[%d]=%v, want NaN", wt, nb, i, g)
						case i == 4 && dotFlushes(wt):
							// VDPBF16PS flushes subnormal products to zero.
							require.InDelta(t, e, g, 0x1p-100, "%s nb=%d: y[%d]", wt, nb, i)
						default:
							require.InDelta(t, e, g, 1e-6*math.Abs(float64(e)), "%s nb=%d: y[%d]", wt, nb, i)
						}
					}
				}
			}
		})
	}
}

// dotFlushes reports whether the active tier runs wt on VDPBF16PS, which
// flushes subnormal inputs and products to zero.
func dotFlushes(wt WeightType) bool {
	k := cur.matvec.kernel(wt)
	return k != nil && k.layout == layoutPairs
}

// TestWeightRounding: NewMat rounds like the format package's float16 and
// bfloat16 conversions, on every special and a sweep of float32 bit
// patterns.
func TestWeightRounding(t *testing.T) {
	var w []float32
	for _, b := range []uint32{0, 0x80000000, 1, 0x807fffff, 0x7f800000, 0xff800000, 0x7f800001, 0x7fc00000,
		0xffffffff, 0x7f7fffff, 0x477fefff, 0x477ff000, 0x33000000, 0x33000001, 0x38800000, 0x387fe000, 0x3f808000, 0x3f818000} {
		w = append(w, math.Float32frombits(b))
	}
	for b := uint64(0); b < 1<<32; b += 0x10001 * 13 {
		w = append(w, math.Float32frombits(uint32(b)))
	}
	a16, err := NewMat(w, 1, len(w), F16)
	require.NoError(t, err)
	abf, err := NewMat(w, 1, len(w), BF16)
	require.NoError(t, err)
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }
	for j, v := range w {
		h, bf := format.F16ToF32(format.F32ToF16(v)), format.BF16ToF32(format.F32ToBF16(v))
		require.True(t, same(h, a16.At(0, j)), "f16 of %#08x: %#08x, format %#08x", math.Float32bits(v), math.Float32bits(a16.At(0, j)), math.Float32bits(h))
		require.True(t, same(bf, abf.At(0, j)), "bf16 of %#08x: %#08x, format %#08x", math.Float32bits(v), math.Float32bits(abf.At(0, j)), math.Float32bits(bf))
	}
}

func TestParseWeightType(t *testing.T) {
	for _, wt := range allWeightTypes {
		got, err := ParseWeightType(" " + wt.String() + " ")
		require.NoError(t, err)
		require.Equal(t, wt, got)
	}
	got, err := ParseWeightType("BF16Dot")
	require.NoError(t, err)
	require.Equal(t, BF16Dot, got)
	_, err = ParseWeightType("f64")
	require.Error(t, err)
	require.Equal(t, "WeightType(9)", WeightType(9).String())
	require.Equal(t, []int{4, 2, 2, 2}, []int{F32.elemSize(), F16.elemSize(), BF16.elemSize(), BF16Dot.elemSize()})
}

func TestNewMatErrors(t *testing.T) {
	tests := []struct {
		name string
		w    []float32
		m, n int
		wt   WeightType
	}{
		{"zero rows", nil, 0, 3, F32},
		{"negative cols", nil, 2, -1, F32},
		{"short w", make([]float32, 5), 2, 3, F32},
		{"long w", make([]float32, 7), 2, 3, F16},
		{"huge", nil, 1 << 24, 1 << 24, BF16},
		{"too many rows", nil, 1<<24 + 1, 1, F32},
		{"unknown type", make([]float32, 6), 2, 3, numWeightTypes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := NewMat(tc.w, tc.m, tc.n, tc.wt)
			require.Error(t, err)
			require.Nil(t, a)
		})
	}
	a, err := NewMat(make([]float32, 6), 2, 3, BF16)
	require.NoError(t, err)
	require.Equal(t, []int{2, 3, 12}, []int{a.Rows(), a.Cols(), a.Bytes()})
	require.Equal(t, BF16, a.Type())
	require.Panics(t, func() { a.At(2, 0) })
}

func TestMatVecPanics(t *testing.T) {
	a, err := NewMat(make([]float32, 6), 2, 3, F16)
	require.NoError(t, err)
	x, y := make([]float32, 8), make([]float32, 8)
	require.NotPanics(t, func() { MatVec(a, 2, x, 4, nil, y, 3, false) })
	tests := []struct {
		name string
		f    func()
	}{
		{"nil matrix", func() { MatVec(nil, 1, x, 3, nil, y, 2, false) }},
		{"negative nb", func() { MatVec(a, -1, x, 3, nil, y, 2, false) }},
		{"ldx < n", func() { MatVec(a, 1, x, 2, nil, y, 2, false) }},
		{"ldy < m", func() { MatVec(a, 1, x, 3, nil, y, 1, false) }},
		{"short x", func() { MatVec(a, 2, x[:6], 4, nil, y, 3, false) }},
		{"short y", func() { MatVec(a, 3, x, 2, nil, y[:5], 3, false) }},
		{"short bias", func() { MatVec(a, 1, x, 3, []float32{1}, y, 2, false) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Panics(t, tc.f) })
	}
}

// TestMatVecAllocs: MatVec allocates nothing once the weights are packed
// and the pools are warm, for every type, full and ragged panels, and
// batches with and without a tail.
func TestMatVecAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	r := rand.New(rand.NewPCG(13, 3))
	testAllTiers(t, func(t *testing.T) {
		for _, wt := range allWeightTypes {
			a, err := NewMat(randVec(r, 70*65, 0), 70, 65, wt)
			require.NoError(t, err)
			x := randVec(r, 6*65, 0)
			y := make([]float32, 6*70)
			bias := randVec(r, 70, 0)
			f := func() {
				MatVec(a, 1, x, 65, bias, y, 70, false)
				MatVec(a, 4, x, 65, nil, y, 70, true)
				MatVec(a, 6, x, 65, bias, y, 70, true)
			}
			f()
			require.Zero(t, testing.AllocsPerRun(20, f), "%s", wt)
		}
	})
}

// TestMatVecConcurrent: goroutines sharing a fresh Mat (so that their
// first uses race to pack it) each get the right result; -race checks the
// packing's synchronisation.
func TestMatVecConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 4))
	testAllTiers(t, func(t *testing.T) {
		for _, wt := range allWeightTypes {
			c := newMatvecCase(t, r, wt, 70, 33, 5, true, true)
			a := c.a
			var wg sync.WaitGroup
			outs := make([][]float32, 4)
			for w := range outs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					outs[w] = append([]float32(nil), c.y0...)
					MatVec(a, c.nb, c.x, c.ldx, c.bias, outs[w], c.ldy, c.acc)
				}()
			}
			wg.Wait()
			c.check(t)
			for w := 1; w < len(outs); w++ {
				require.Equal(t, outs[0], outs[w], "%v: worker %d", c, w)
			}
		}
	})
}

// TestMatVecSetTier: a Mat used on one tier gives the right result after
// SetTier to every other (each tier has its own packed copy).
func TestMatVecSetTier(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 5))
	for _, wt := range allWeightTypes {
		c := newMatvecCase(t, r, wt, 100, 40, 3, false, true)
		for _, tier := range append(Available(), Available()...) {
			withTier(tier, func() { c.check(t) })
		}
	}
}

// TestMatVecRows: every row window of MatVecRows (whole panels, windows
// starting or ending inside a panel, inside a single panel, single rows,
// empty) gives MatVec's rows bit for bit, on every tier and weight type,
// for batches below, at and above each tier's vector block, with and
// without acc and bias; rows outside the window and the gaps between
// vectors keep their guard values.
func TestMatVecRows(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 9))
	type rowsCase struct {
		*matvecCase
		windows [][2]int
	}
	var cases []rowsCase
	for _, shape := range [][2]int{{320, 64}, {130, 33}, {47, 128}, {7, 5}} {
		m := shape[0]
		windows := [][2]int{{0, m}, {0, 0}, {m / 2, m / 2}, {0, m / 5}, {m / 5, m}, {m / 3, 2 * m / 3}, {m - 1, m}, {1, 2}}
		for _, b := range []int{8, 16, 32, 64} {
			if b < m {
				windows = append(windows, [2]int{b, m}, [2]int{0, b}, [2]int{b - 3, b + 2})
			}
			if 2*b <= m {
				windows = append(windows, [2]int{b, 2 * b})
			}
		}
		for i, wt := range allWeightTypes {
			for j, nb := range []int{1, 3, 4, 5, 9} {
				k := i + j
				cases = append(cases, rowsCase{newMatvecCase(t, r, wt, m, shape[1], nb, k%2 == 1, k/2%2 == 0), windows})
			}
		}
	}
	testAllTiers(t, func(t *testing.T) {
		for _, c := range cases {
			full := append([]float32(nil), c.y0...)
			MatVec(c.a, c.nb, c.x, c.ldx, c.bias, full, c.ldy, c.acc)
			for _, w := range c.windows {
				g := newGuarded(c.y0, c.nb, c.m, c.ldy, 1)
				y := g.data()
				MatVecRows(c.a, w[0], w[1], c.nb, c.x, c.ldx, c.bias, y, c.ldy, c.acc)
				g.check(t)
				for b := 0; b < c.nb; b++ {
					for i := 0; i < c.m; i++ {
						want := c.y0[b*c.ldy+i]
						if i >= w[0] && i < w[1] {
							want = full[b*c.ldy+i]
						}
						if got := g.at(b, i); math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("%v rows [%d, %d): y[%d][%d] = %v, want %v", c.matvecCase, w[0], w[1], b, i, got, want)
						}
					}
				}
			}
		}
	})
}

func TestMatVecRowsPanics(t *testing.T) {
	a, err := NewMat(make([]float32, 6), 2, 3, F32)
	require.NoError(t, err)
	x, y := make([]float32, 8), make([]float32, 8)
	require.NotPanics(t, func() { MatVecRows(a, 1, 2, 1, x, 3, nil, y, 2, false) })
	for _, w := range [][2]int{{-1, 1}, {0, 3}, {2, 1}} {
		require.Panics(t, func() { MatVecRows(a, w[0], w[1], 1, x, 3, nil, y, 2, false) }, "rows %v", w)
	}
	require.Panics(t, func() { MatVecRows(nil, 0, 1, 1, x, 3, nil, y, 2, false) })
	require.Panics(t, func() { MatVecRows(a, 0, 2, 1, x, 3, []float32{1}, y, 2, false) }, "short bias")
}
