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

// Accuracy model. A float32 sum of N terms, each a product rounded once,
// evaluated in any order (tree, vector lanes, FMA or not) is within
// γ_N·Σ|terms| of the exact sum, γ_N = N·u/(1-N·u), u = 2⁻²⁴ (Higham,
// Accuracy and Stability of Numerical Algorithms, §3.1). Tests compare
// every tier with a float64 reference against that bound, counting the
// initial y/C/bias as one more term and adding one unit for the float64
// reference's own rounding.
const unitRoundoff = 0x1p-24

func blasGamma(terms int) float64 {
	nu := float64(terms+1) * unitRoundoff
	return nu / (1 - nu)
}

var nan32 = float32(math.NaN())

// guarded is an r x c matrix (a vector when r = 1) with leading dimension
// ld embedded in a larger buffer: guardLen sentinels before and after it
// and in every gap between rows. check fails if a kernel wrote any of them.
type guarded struct {
	full          []float32
	start         int
	rows, cols, l int
}

// newGuarded copies the r x c matrix v (leading dimension ld) into a
// guarded buffer whose data starts off floats after the leading guard.
func newGuarded(v []float32, r, c, ld, off int) *guarded {
	n := 0
	if r > 0 && c > 0 {
		n = (r-1)*ld + c
	}
	g := &guarded{full: make([]float32, off+2*guardLen+n), start: off + guardLen, rows: r, cols: c, l: ld}
	for i := range g.full {
		g.full[i] = guardVal
	}
	for i := 0; i < r && c > 0; i++ {
		copy(g.full[g.start+i*ld:g.start+i*ld+c], v[i*ld:i*ld+c])
	}
	return g
}

func (g *guarded) data() []float32 {
	return g.full[g.start : len(g.full)-guardLen]
}

func (g *guarded) at(i, j int) float32 { return g.full[g.start+i*g.l+j] }

func (g *guarded) check(t *testing.T) {
	t.Helper()
	for k, v := range g.full {
		rel := k - g.start
		inside := rel >= 0 && rel < len(g.full)-guardLen-g.start && rel%g.l < g.cols && rel/g.l < g.rows
		if !inside && v != guardVal {
			t.Fatalf("element %d outside the %dx%d (ld %d) output was overwritten: %v", rel, g.rows, g.cols, g.l, v)
		}
	}
}

// randMat returns an r x c matrix with leading dimension ld whose padding
// columns hold NaN (a kernel that reads them produces NaN).
func randMat(r *rand.Rand, rows, cols, ld int) []float32 {
	if rows == 0 || cols == 0 {
		return nil
	}
	a := make([]float32, (rows-1)*ld+cols)
	for i := range a {
		if i%ld < cols {
			a[i] = float32(r.Float64()*2 - 1)
		} else {
			a[i] = nan32
		}
	}
	return a
}

func TestDot(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 1))
		for _, n := range sweepLengths() {
			for xoff := 0; xoff <= 3; xoff++ {
				for _, yoff := range []int{1, 2, 5, 8, 15} {
					x := randVec(r, n, xoff)
					y := randVec(r, n+3, yoff)
					y[n], y[n+1], y[n+2] = nan32, nan32, nan32 // beyond len(x): never read
					var want, scale float64
					for i := range x {
						want += float64(x[i]) * float64(y[i])
						scale += math.Abs(float64(x[i]) * float64(y[i]))
					}
					got := Dot(x, y)
					require.True(t, close32(float64(got), want, scale, blasGamma(n)),
						"n=%d xoff=%d yoff=%d: got %v want %v", n, xoff, yoff, got, want)
				}
			}
		}
	})
}

func TestAxpy(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(2, 2))
		for _, n := range sweepLengths() {
			for xoff := 0; xoff <= 3; xoff++ {
				for _, yoff := range []int{1, 3, 8, 15} {
					alpha := float32(r.Float64()*4 - 2)
					x := randVec(r, n, xoff)
					y0 := randVec(r, n, 0)
					g := newGuarded(y0, 1, n, max(n, 1), yoff)
					Axpy(alpha, x, g.data())
					g.check(t)
					for i := range n {
						want := float64(y0[i]) + float64(alpha)*float64(x[i])
						scale := math.Abs(float64(y0[i])) + math.Abs(float64(alpha)*float64(x[i]))
						if !close32(float64(g.at(0, i)), want, scale, blasGamma(2)) {
							t.Fatalf("n=%d xoff=%d yoff=%d: y[%d]=%v want %v", n, xoff, yoff, i, g.at(0, i), want)
						}
					}
				}
			}
		}
	})
}

// Scale and Add round once per element, so every tier must match the
// generic kernel exactly.
func TestScale(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 3))
		for _, n := range sweepLengths() {
			for _, off := range []int{0, 1, 2, 3, 7, 15} {
				alpha := float32(r.Float64()*4 - 2)
				x0 := randVec(r, n, 0)
				want := append([]float32(nil), x0...)
				scaleGeneric(alpha, want)
				g := newGuarded(x0, 1, n, max(n, 1), off)
				Scale(alpha, g.data())
				g.check(t)
				require.True(t, slices.Equal(want, g.data()), "n=%d off=%d: got %v want %v", n, off, g.data(), want)
			}
		}
	})
}

func TestAdd(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(4, 4))
		for _, n := range sweepLengths() {
			for _, off := range []int{0, 1, 2, 3, 9, 15} {
				x := randVec(r, n+2, off%4)
				y := randVec(r, n+1, (off+1)%4)
				want := make([]float32, n)
				addGeneric(want, x, y)
				g := newGuarded(make([]float32, n), 1, n, max(n, 1), off)
				Add(g.data(), x, y)
				g.check(t)
				require.True(t, slices.Equal(want, g.data()), "n=%d off=%d: got %v want %v", n, off, g.data(), want)

				// In place: dst is x.
				xx := append([]float32(nil), x[:n]...)
				Add(xx, xx, y)
				require.True(t, slices.Equal(want, xx), "in place n=%d: got %v want %v", n, xx, want)
			}
		}
	})
}

var gemvDims = []int{0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 100, 257}

type gemvShape struct{ m, n, pad int }

func gemvShapes() []gemvShape {
	var s []gemvShape
	for _, m := range gemvDims {
		for _, n := range gemvDims {
			s = append(s, gemvShape{m, n, 0}, gemvShape{m, n, 5})
		}
	}
	for _, mn := range [][2]int{{784, 500}, {500, 784}, {500, 500}} {
		s = append(s, gemvShape{mn[0], mn[1], 0}, gemvShape{mn[0], mn[1], 3})
	}
	return s
}

// gemvRef returns y0[i] + sum_{lo[i] <= j < hi[i]} a[i*lda+j]*x[j] and the
// sum of the magnitudes of its terms (nil lo/hi: the whole row).
func gemvRef(m, n int, a []float32, lda int, x, y0 []float32, lo, hi []int) (want, scale []float64) {
	want, scale = make([]float64, m), make([]float64, m)
	for i := 0; i < m; i++ {
		l, h := 0, n
		if hi != nil {
			l, h = rangeLo(lo, i), hi[i]
		}
		want[i], scale[i] = float64(y0[i]), math.Abs(float64(y0[i]))
		for j := l; j < h; j++ {
			p := float64(a[i*lda+j]) * float64(x[j])
			want[i] += p
			scale[i] += math.Abs(p)
		}
	}
	return want, scale
}

func checkVecClose(t *testing.T, what string, g *guarded, want, scale []float64, tol float64) {
	t.Helper()
	g.check(t)
	for i := range want {
		got := float64(g.at(0, i))
		if !close32(got, want[i], scale[i], tol) {
			t.Fatalf("%s: y[%d]=%v want %v (scale %v, tol %v)", what, i, got, want[i], scale[i], tol)
		}
	}
}

func TestGemv(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 5))
		for _, s := range gemvShapes() {
			lda := max(s.n+s.pad, 1)
			a := randMat(r, s.m, s.n, lda)
			x := randVec(r, s.n, s.m%4)
			for _, withBias := range []bool{true, false} {
				var bias []float32
				y0 := make([]float32, s.m)
				if withBias {
					bias = randVec(r, s.m, 1)
					copy(y0, bias)
				}
				name := fmt.Sprintf("Gemv %dx%d lda=%d bias=%v", s.m, s.n, lda, withBias)
				g := newGuarded(randVec(r, s.m, 0), 1, s.m, max(s.m, 1), s.n%16)
				Gemv(s.m, s.n, a, lda, x, bias, g.data())
				want, scale := gemvRef(s.m, s.n, a, lda, x, y0, nil, nil)
				checkVecClose(t, name, g, want, scale, blasGamma(s.n+1))
			}
		}
	})
}

func TestGemvAcc(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(6, 6))
		for _, s := range gemvShapes() {
			lda := max(s.n+s.pad, 1)
			a := randMat(r, s.m, s.n, lda)
			x := randVec(r, s.n, 3)
			y0 := randVec(r, s.m, 0)
			g := newGuarded(y0, 1, s.m, max(s.m, 1), (s.m+s.n)%16)
			GemvAcc(s.m, s.n, a, lda, x, g.data())
			want, scale := gemvRef(s.m, s.n, a, lda, x, y0, nil, nil)
			checkVecClose(t, fmt.Sprintf("GemvAcc %dx%d lda=%d", s.m, s.n, lda), g, want, scale, blasGamma(s.n+1))
		}
	})
}

func TestGemvT(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 7))
		for _, s := range gemvShapes() {
			lda := max(s.n+s.pad, 1)
			a := randMat(r, s.m, s.n, lda)
			x := randVec(r, s.m, 2)
			y0 := randVec(r, s.n, 0)
			g := newGuarded(y0, 1, s.n, max(s.n, 1), s.m%16)
			GemvT(s.m, s.n, a, lda, x, g.data())
			want, scale := make([]float64, s.n), make([]float64, s.n)
			for j := 0; j < s.n; j++ {
				want[j], scale[j] = float64(y0[j]), math.Abs(float64(y0[j]))
				for i := 0; i < s.m; i++ {
					p := float64(a[i*lda+j]) * float64(x[i])
					want[j] += p
					scale[j] += math.Abs(p)
				}
			}
			checkVecClose(t, fmt.Sprintf("GemvT %dx%d lda=%d", s.m, s.n, lda), g, want, scale, blasGamma(s.m+1))
		}
	})
}

// maskKinds builds inner ranges [lo[i], hi[i]) within [0, n) for m rows
// (or columns): staircases (nil lo, nondecreasing hi, as MADE/FVSBN masks
// sorted by degree), arbitrary ranges, and the all and nothing cases.
func maskKinds(r *rand.Rand, m, n int) map[string][2][]int {
	stair := make([]int, m)
	for i := range stair {
		stair[i] = r.IntN(n + 1)
	}
	sortInts(stair)
	strict := make([]int, m) // FVSBN-like: row i sees columns < i*n/m
	for i := range strict {
		if m > 0 {
			strict[i] = i * n / m
		}
	}
	lo, hi := make([]int, m), make([]int, m)
	for i := range lo {
		a, b := r.IntN(n+1), r.IntN(n+1)
		lo[i], hi[i] = min(a, b), max(a, b)
	}
	all, none := make([]int, m), make([]int, m)
	for i := range all {
		all[i] = n
	}
	return map[string][2][]int{
		"staircase": {nil, stair},
		"strict":    {nil, strict},
		"ranges":    {lo, hi},
		"all":       {nil, all},
		"none":      {nil, none},
	}
}

func sortInts(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// poisonOutside sets every element of row i of a outside [lo[i], hi[i]) to
// NaN: a kernel that reads a masked-out weight returns NaN.
func poisonOutside(a []float32, rows, cols, ld int, lo, hi []int) {
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if j < rangeLo(lo, i) || j >= hi[i] {
				a[i*ld+j] = nan32
			}
		}
	}
}

func TestMaskedGemv(t *testing.T) {
	shapes := []gemvShape{{784, 500, 0}, {500, 784, 3}, {500, 500, 0}}
	for _, m := range []int{0, 1, 3, 7, 8, 9, 17, 33, 65, 100} {
		for _, n := range []int{0, 1, 5, 8, 9, 16, 17, 31, 63, 100, 257} {
			shapes = append(shapes, gemvShape{m, n, 2})
		}
	}
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(8, 8))
		for _, s := range shapes {
			lda := max(s.n+s.pad, 1)
			for kind, rg := range maskKinds(r, s.m, s.n) {
				lo, hi := rg[0], rg[1]
				a := randMat(r, s.m, s.n, lda)
				poisonOutside(a, s.m, s.n, lda, lo, hi)
				x := randVec(r, s.n, 1)
				bias := randVec(r, s.m, 0)
				g := newGuarded(make([]float32, s.m), 1, s.m, max(s.m, 1), 5)
				MaskedGemv(s.m, s.n, a, lda, x, lo, hi, bias, g.data())
				want, scale := gemvRef(s.m, s.n, a, lda, x, bias, lo, hi)
				name := fmt.Sprintf("MaskedGemv %dx%d %s", s.m, s.n, kind)
				for i := 0; i < s.m; i++ {
					require.False(t, math.IsNaN(float64(g.at(0, i))), "%s: y[%d] is NaN: a masked-out weight was read", name, i)
				}
				checkVecClose(t, name, g, want, scale, blasGamma(s.n+1))
			}
		}
	})
}

type gemmCase struct {
	m, n, k        int
	transA, transB bool
}

func gemmCases(r *rand.Rand) []gemmCase {
	var cs []gemmCase
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			for range 12 {
				cs = append(cs, gemmCase{1 + r.IntN(70), 1 + r.IntN(70), 1 + r.IntN(70), ta, tb})
			}
			cs = append(cs,
				gemmCase{64, 64, 9, ta, tb},
				gemmCase{256, 64, 100, ta, tb},
				gemmCase{6, 16, 1, ta, tb},
				gemmCase{14, 32, 3, ta, tb},
				gemmCase{15, 33, 257, ta, tb},
				gemmCase{0, 5, 5, ta, tb},
				gemmCase{5, 0, 5, ta, tb},
				gemmCase{5, 5, 0, ta, tb},
			)
		}
	}
	return append(cs, gemmCase{512, 512, 512, false, false}, gemmCase{300, 200, 600, false, true})
}

// gemmOperands returns op(A) (m x k) and op(B) (k x n) stored as the
// transpose flags say, with padded leading dimensions (padding is NaN).
func gemmOperands(r *rand.Rand, c gemmCase) (a []float32, lda int, b []float32, ldb int) {
	ar, ac := c.m, c.k
	if c.transA {
		ar, ac = c.k, c.m
	}
	br, bc := c.k, c.n
	if c.transB {
		br, bc = c.n, c.k
	}
	lda, ldb = max(ac+r.IntN(4), 1), max(bc+r.IntN(4), 1)
	return randMat(r, ar, ac, lda), lda, randMat(r, br, bc, ldb), ldb
}

func opAt(x []float32, ld int, trans bool, i, j int) float64 {
	if trans {
		return float64(x[j*ld+i])
	}
	return float64(x[i*ld+j])
}

// gemmFixture is one Gemm case with its operands and the float64
// reference of op(A)·op(B) (sum) and of sum |terms| (abs), computed once
// and shared by every tier.
type gemmFixture struct {
	gemmCase
	a, b          []float32
	lda, ldb, ldc int
	sum, abs      []float64
}

func newGemmFixture(r *rand.Rand, c gemmCase) gemmFixture {
	f := gemmFixture{gemmCase: c}
	f.a, f.lda, f.b, f.ldb = gemmOperands(r, c)
	f.ldc = max(c.n+r.IntN(5), 1)
	f.sum, f.abs = make([]float64, c.m*c.n), make([]float64, c.m*c.n)
	for i := 0; i < c.m; i++ {
		for p := 0; p < c.k; p++ {
			av := opAt(f.a, f.lda, c.transA, i, p)
			for j := 0; j < c.n; j++ {
				v := av * opAt(f.b, f.ldb, c.transB, p, j)
				f.sum[i*c.n+j] += v
				f.abs[i*c.n+j] += math.Abs(v)
			}
		}
	}
	return f
}

func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	var fs []gemmFixture
	for _, c := range gemmCases(r) {
		fs = append(fs, newGemmFixture(r, c))
	}
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(10, 10))
		for _, f := range fs {
			for _, mode := range []string{"bias", "nil bias", "acc"} {
				var bias []float32
				c0 := make([]float32, max(0, (f.m-1)*f.ldc+f.n))
				switch mode {
				case "bias":
					bias = randVec(r, f.n, 1)
				case "acc":
					c0 = randMat(r, f.m, f.n, f.ldc)
				}
				g := newGuarded(c0, f.m, f.n, f.ldc, r.IntN(16))
				name := fmt.Sprintf("%+v lda=%d ldb=%d ldc=%d %s", f.gemmCase, f.lda, f.ldb, f.ldc, mode)
				if mode == "acc" {
					GemmAcc(f.transA, f.transB, f.m, f.n, f.k, f.a, f.lda, f.b, f.ldb, g.data(), f.ldc)
				} else {
					Gemm(f.transA, f.transB, f.m, f.n, f.k, f.a, f.lda, f.b, f.ldb, bias, g.data(), f.ldc)
				}
				g.check(t)
				tol := blasGamma(f.k + 1)
				for i := 0; i < f.m; i++ {
					for j := 0; j < f.n; j++ {
						init := float64(c0[i*f.ldc+j])
						if bias != nil {
							init = float64(bias[j])
						}
						want := init + f.sum[i*f.n+j]
						scale := math.Abs(init) + f.abs[i*f.n+j]
						if got := float64(g.at(i, j)); !close32(got, want, scale, tol) {
							t.Fatalf("%s: c[%d,%d]=%v want %v (scale %v)", name, i, j, got, want, scale)
						}
					}
				}
			}
		}
	})
}

func TestMaskedGemm(t *testing.T) {
	type shape struct{ m, n, k int }
	shapes := []shape{{1, 1, 1}, {3, 17, 9}, {7, 33, 65}, {16, 100, 100}, {32, 500, 784}, {5, 784, 500}, {40, 70, 300}}
	rs := rand.New(rand.NewPCG(11, 11))
	for range 10 {
		shapes = append(shapes, shape{1 + rs.IntN(70), 1 + rs.IntN(70), 1 + rs.IntN(70)})
	}
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(12, 12))
		for _, s := range shapes {
			for kind, rg := range maskKinds(r, s.n, s.k) {
				lo, hi := rg[0], rg[1]
				ldx, ldw, ldc := s.k+r.IntN(3), s.k+r.IntN(3), s.n+r.IntN(3)
				x := randMat(r, s.m, s.k, ldx)
				w := randMat(r, s.n, s.k, ldw)
				poisonOutside(w, s.n, s.k, ldw, lo, hi)
				bias := randVec(r, s.n, 0)
				g := newGuarded(make([]float32, (s.m-1)*ldc+s.n), s.m, s.n, ldc, 3)
				MaskedGemm(s.m, s.n, s.k, x, ldx, w, ldw, lo, hi, bias, g.data(), ldc)
				g.check(t)
				name := fmt.Sprintf("MaskedGemm %v %s", s, kind)
				for i := 0; i < s.m; i++ {
					for j := 0; j < s.n; j++ {
						want := float64(bias[j])
						scale := math.Abs(want)
						for p := rangeLo(lo, j); p < hi[j]; p++ {
							v := float64(x[i*ldx+p]) * float64(w[j*ldw+p])
							want += v
							scale += math.Abs(v)
						}
						got := float64(g.at(i, j))
						require.False(t, math.IsNaN(got), "%s: c[%d,%d] is NaN: a masked-out weight was read", name, i, j)
						if !close32(got, want, scale, blasGamma(s.k+1)) {
							t.Fatalf("%s: c[%d,%d]=%v want %v", name, i, j, got, want)
						}
					}
				}
			}
		}
	})
}

// TestTierKernelsDirect calls each table entry of every tier directly (not
// through the exported wrappers) on exact-length slices whose neighbours
// hold NaN, against the generic entry, so a kernel that reads one element
// too many or too few fails even when the exported checks would hide it.
func TestTierKernelsDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	for _, tier := range Available() {
		k := tiers[tier]
		t.Run(tier.String(), func(t *testing.T) {
			for _, n := range sweepLengths() {
				buf := randVec(r, 2*n+2, 0)
				buf[0], buf[n+1] = nan32, nan32
				x, y := buf[1:n+1:n+1], buf[n+2:]
				got, want := k.dot(x, y), dotGeneric(x, y)
				var scale float64
				for i := range x {
					scale += math.Abs(float64(x[i]) * float64(y[i]))
				}
				assert.True(t, close32(float64(got), float64(want), scale, 2*blasGamma(n)), "dot n=%d: %v vs %v", n, got, want)
			}
			// Micro-kernel against the generic loop it specifies.
			mr, nr := k.mr, k.nr
			for _, kk := range []int{1, 2, 3, 4, 5, 7, 8, 9, 31, 256} {
				a, b := randVec(r, kk*mr, 0), randVec(r, kk*nr, 0)
				ldc := nr + 3
				c0 := randMat(r, mr, nr, ldc)
				g := newGuarded(c0, mr, nr, ldc, 1)
				k.gemmMicro(kk, a, b, g.data(), ldc)
				g.check(t)
				for i := 0; i < mr; i++ {
					for j := 0; j < nr; j++ {
						want, scale := float64(c0[i*ldc+j]), math.Abs(float64(c0[i*ldc+j]))
						for p := 0; p < kk; p++ {
							v := float64(a[p*mr+i]) * float64(b[p*nr+j])
							want += v
							scale += math.Abs(v)
						}
						require.True(t, close32(float64(g.at(i, j)), want, scale, blasGamma(kk+1)),
							"micro %dx%d k=%d c[%d,%d]=%v want %v", mr, nr, kk, i, j, g.at(i, j), want)
					}
				}
			}
		})
	}
}
