package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// indexedCase is one MaskedGemmIndexed call: X (m x k), a stored W of
// wr x wc (leading dimension ldw), the maps and the column ranges.
type indexedCase struct {
	m, n, k    int
	wr, wc     int
	rows, cols []int32
	lo, hi     []int
}

func (c indexedCase) String() string {
	return fmt.Sprintf("m=%d n=%d k=%d W=%dx%d rows=%v cols=%v lo=%v", c.m, c.n, c.k, c.wr, c.wc, c.rows != nil, c.cols != nil, c.lo != nil)
}

// pickIndices returns n distinct indices below extent in random order, or
// nil (the identity) when extent == n and none is true.
func pickIndices(r *rand.Rand, n, extent int, none bool) []int32 {
	if none {
		return nil
	}
	p := r.Perm(extent)[:n]
	idx := make([]int32, n)
	for i, v := range p {
		idx[i] = int32(v)
	}
	return idx
}

func indexedCases(r *rand.Rand) []indexedCase {
	type shape struct{ m, n, k int }
	shapes := []shape{{1, 1, 1}, {1, 40, 33}, {2, 17, 9}, {3, 17, 9}, {7, 33, 65}, {16, 100, 100}, {14, 32, 3}, {15, 33, 257}, {64, 200, 150}, {5, 0, 4}, {0, 5, 4}, {4, 5, 0}}
	for range 8 {
		shapes = append(shapes, shape{1 + r.IntN(70), 1 + r.IntN(70), 1 + r.IntN(70)})
	}
	var cs []indexedCase
	for _, s := range shapes {
		for variant := range 4 { // rows and cols nil or not
			c := indexedCase{m: s.m, n: s.n, k: s.k, wr: s.n, wc: s.k}
			if variant&1 != 0 {
				c.wr = s.n + r.IntN(5)
			}
			if variant&2 != 0 {
				c.wc = s.k + r.IntN(5)
			}
			c.rows = pickIndices(r, s.n, c.wr, variant&1 == 0)
			c.cols = pickIndices(r, s.k, c.wc, variant&2 == 0)
			kinds := maskKinds(r, s.n, s.k)
			for _, kind := range []string{"staircase", "ranges", "all", "none", "strict"} {
				c.lo, c.hi = kinds[kind][0], kinds[kind][1]
				cs = append(cs, c)
			}
		}
	}
	return cs
}

// mappedW returns the n x k matrix W' with W'[j][p] = w[rows[j]*ldw+cols[p]]
// (leading dimension k), the permuted copy MaskedGemmIndexed avoids.
func mappedW(w []float32, ldw int, rows, cols []int32, n, k int) []float32 {
	out := make([]float32, n*k)
	for j := range n {
		r := j
		if rows != nil {
			r = int(rows[j])
		}
		for p := range k {
			c := p
			if cols != nil {
				c = int(cols[p])
			}
			out[j*k+p] = w[r*ldw+c]
		}
	}
	return out
}

func TestMaskedGemmIndexed(t *testing.T) {
	r0 := rand.New(rand.NewPCG(21, 21))
	cases := indexedCases(r0)
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(22, 22))
		for _, c := range cases {
			ldx, ldw, ldc := c.k+r.IntN(3), c.wc+r.IntN(3), max(c.n+r.IntN(3), 1)
			ldx, ldw = max(ldx, 1), max(ldw, 1)
			x := randMat(r, c.m, c.k, ldx)
			w := randMat(r, c.wr, c.wc, ldw)
			// Every weight the call may not read is NaN: unnamed rows and
			// columns, and named ones outside a column's range.
			read := make([]bool, len(w))
			for j := range c.n {
				for p := rangeLo(c.lo, j); p < c.hi[j]; p++ {
					read[mapIdx(c.rows, j)*ldw+mapIdx(c.cols, p)] = true
				}
			}
			for i := range w {
				if !read[i] {
					w[i] = nan32
				}
			}
			bias := randVec(r, c.n, 0)
			out := make([]float32, max(0, (c.m-1)*ldc+c.n))
			g := newGuarded(out, c.m, c.n, ldc, r.IntN(16))
			MaskedGemmIndexed(c.m, c.n, c.k, x, ldx, w, ldw, c.rows, c.cols, c.lo, c.hi, bias, g.data(), ldc)
			g.check(t)
			for i := 0; i < c.m; i++ {
				for j := 0; j < c.n; j++ {
					want := float64(bias[j])
					scale := math.Abs(want)
					for p := rangeLo(c.lo, j); p < c.hi[j]; p++ {
						v := float64(x[i*ldx+p]) * float64(w[mapIdx(c.rows, j)*ldw+mapIdx(c.cols, p)])
						want += v
						scale += math.Abs(v)
					}
					got := float64(g.at(i, j))
					require.False(t, math.IsNaN(got), "%v: c[%d,%d] is NaN: a weight outside the maps or ranges was read", c, i, j)
					require.True(t, close32(got, want, scale, blasGamma(c.k+1)), "%v: c[%d,%d]=%v want %v", c, i, j, got, want)
				}
			}
			// Bit for bit MaskedGemm on the permuted copy (whose packed
			// panels are the same) when MaskedGemm packs too (m > 1).
			if c.m > 1 && c.n > 0 && c.k > 0 {
				wp := mappedW(w, ldw, c.rows, c.cols, c.n, c.k)
				ref := make([]float32, len(out))
				MaskedGemm(c.m, c.n, c.k, x, ldx, wp, c.k, c.lo, c.hi, bias, ref, ldc)
				got := make([]float32, len(out))
				for i := range c.m {
					for j := range c.n {
						got[i*ldc+j] = g.at(i, j)
					}
				}
				require.True(t, slices.EqualFunc(ref, got, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }), "%v: differs from MaskedGemm on the permuted copy", c)
			}
		}
	})
}

func mapIdx(idx []int32, i int) int {
	if idx == nil {
		return i
	}
	return int(idx[i])
}

func TestMaskedGemmIndexedZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items)")
	}
	r := rand.New(rand.NewPCG(23, 23))
	const m, n, k = 32, 100, 80
	x, w := randMat(r, m, k, k), randMat(r, n+3, k+2, k+2)
	rows, cols := pickIndices(r, n, n+3, false), pickIndices(r, k, k+2, false)
	hi := make([]int, n)
	for j := range hi {
		hi[j] = j * k / n
	}
	c := make([]float32, m*n)
	testAllTiers(t, func(t *testing.T) {
		allocs := testing.AllocsPerRun(20, func() {
			MaskedGemmIndexed(m, n, k, x, k, w, k+2, rows, cols, nil, hi, nil, c, n)
		})
		assert.Zero(t, allocs)
	})
}

func TestMaskedGemmIndexedPanics(t *testing.T) {
	x, w, c := make([]float32, 4*3), make([]float32, 5*3), make([]float32, 4*2)
	hi := []int{3, 3}
	for _, tc := range []struct {
		name       string
		rows, cols []int32
		hi         []int
		w          []float32
	}{
		{"negative row", []int32{0, -1}, nil, hi, w},
		{"row past W", []int32{0, 5}, nil, hi, w},
		{"negative column", nil, []int32{0, -2, 1}, hi, w},
		{"column past ldw", nil, []int32{0, 3, 1}, hi, w},
		{"short rows", []int32{0}, nil, hi, w},
		{"short cols", nil, []int32{0, 1}, hi, w},
		{"nil hi", nil, nil, nil, w},
		{"range past k", nil, nil, []int{4, 3}, w},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Panics(t, func() { MaskedGemmIndexed(4, 2, 3, x, 3, tc.w, 3, tc.rows, tc.cols, nil, tc.hi, nil, c, 2) })
		})
	}
	assert.NotPanics(t, func() { MaskedGemmIndexed(4, 2, 3, x, 3, w, 3, []int32{4, 0}, []int32{2, 0, 1}, nil, hi, nil, c, 2) })
}

func FuzzMaskedGemmIndexed(f *testing.F) {
	f.Add([]byte{}, uint8(1), uint8(1), uint8(1), uint8(0))
	f.Add([]byte{3, 1, 4, 1, 5}, uint8(6), uint8(16), uint8(4), uint8(0x13))
	f.Add([]byte("indexed"), uint8(15), uint8(33), uint8(9), uint8(0x2f))
	f.Add([]byte{0x80}, uint8(70), uint8(70), uint8(70), uint8(0xff))
	f.Add([]byte{9, 9, 9}, uint8(1), uint8(65), uint8(44), uint8(0x06))
	f.Fuzz(func(t *testing.T, data []byte, mb, nb, kb uint8, flags uint8) {
		m, n, k := int(mb)%80, int(nb)%80, int(kb)%80
		wr, wc := n+int(flags&3), k+int(flags>>2&3)
		ldw := max(wc+int(flags>>4&1), 1)
		var rows, cols []int32
		if flags&0x20 != 0 || wr > n {
			rows = fuzzPerm(data, 14, n, wr)
		}
		if flags&0x40 != 0 || wc > k {
			cols = fuzzPerm(data, 15, k, wc)
		}
		lo, hi := make([]int, n), make([]int, n)
		for j := range n {
			u := int(fuzzVals(data, 16+j, 2)[0]*16+128) % (k + 1)
			v := int(fuzzVals(data, 17+j, 2)[1]*16+128) % (k + 1)
			lo[j], hi[j] = min(u, v), max(u, v)
		}
		if flags&0x80 != 0 {
			lo = nil
		}
		x := fuzzMat(data, 8, m, k, max(k, 1))
		w := fuzzMat(data, 9, wr, wc, ldw)
		bias := fuzzVals(data, 10, n)
		what := fmt.Sprintf("MaskedGemmIndexed %dx%dx%d W=%dx%d ldw=%d rows=%v cols=%v", m, n, k, wr, wc, ldw, rows, cols)
		requireTiersAgree(t, what, func() []float32 {
			c := make([]float32, m*n)
			MaskedGemmIndexed(m, n, k, x, max(k, 1), w, ldw, rows, cols, lo, hi, bias, c, max(n, 1))
			return c
		})
	})
}

// fuzzPerm returns n distinct indices below extent (>= n) from data.
func fuzzPerm(data []byte, salt, n, extent int) []int32 {
	p := make([]int32, extent)
	for i := range p {
		p[i] = int32(i)
	}
	v := fuzzVals(data, salt, extent)
	for i := extent - 1; i > 0; i-- {
		j := int(math.Abs(float64(v[i]))*16) % (i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p[:n]
}

// BenchmarkMaskedGemmIndexed runs the benchmark masks of MaskedGemm with W
// read through maps (random permutations of its rows and columns: a MADE
// component other than the first), as MaskedGemm runs them on the stored
// order.
func BenchmarkMaskedGemmIndexed(b *testing.B) {
	masks := benchMasks()
	r := rand.New(rand.NewPCG(24, 24))
	benchTiers(b, func(b *testing.B) {
		for _, mk := range masks {
			for _, batch := range []int{1, 16, 64, 256} {
				n, k := mk.out, mk.in
				x, w, bias, c := benchVec(1, batch*k, 1), benchVec(2, n*k, 1), benchVec(3, n, 1), make([]float32, batch*n)
				rows, cols := pickIndices(r, n, n, false), pickIndices(r, k, k, false)
				for _, m := range []struct {
					name       string
					rows, cols []int32
				}{{"rows", rows, nil}, {"cols", nil, cols}} {
					b.Run(fmt.Sprintf("%s/%s/batch%d", mk.name, m.name, batch), func(b *testing.B) {
						MaskedGemmIndexed(batch, n, k, x, k, w, k, m.rows, m.cols, nil, mk.hi, bias, c, n) // size the pool buffers
						b.ReportAllocs()
						for b.Loop() {
							MaskedGemmIndexed(batch, n, k, x, k, w, k, m.rows, m.cols, nil, mk.hi, bias, c, n)
						}
						benchSink = c[0]
						reportFlops(b, float64(batch)*maskedFlops(mk.hi))
					})
				}
			}
		}
	})
}
