//go:build !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// These tests run on arm64 (natively or under qemu-aarch64) and check the
// NEON tier, next to the generic one, against float64 math: every length
// 0..67 and a sweep to ~1000, unaligned sub-slices, odd GEMV/GEMM shapes and
// strides, with guard bands around every output.

// u is the float32 unit roundoff.
const u = 1.0 / (1 << 24)

// useNEON makes the NEON tier active for the rest of the test.
func useNEON(t *testing.T) {
	t.Helper()
	prev := Active()
	if err := SetTier(NEON); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = SetTier(prev) })
}

// neonAndGeneric runs f under the NEON tier and the generic tier.
func neonAndGeneric(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, tier := range []Tier{NEON, Generic} {
		t.Run(tier.String(), func(t *testing.T) { withTier(tier, func() { f(t) }) })
	}
}

// TestNEONIsDefault checks that arm64 builds start on the NEON tier unless
// ARINFER_KERNELS says otherwise.
func TestNEONIsDefault(t *testing.T) {
	if os.Getenv(EnvVar) != "" {
		t.Skipf("%s is set", EnvVar)
	}
	if Active() != NEON {
		t.Fatalf("active tier is %v, want neon on arm64", Active())
	}
}

func TestNEONDot(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	neonAndGeneric(t, func(t *testing.T) {
		for _, n := range sweepLengths() {
			for off := 0; off < 4; off++ {
				x := randVec(r, n, off)
				y := randVec(r, n+off, 3-off) // longer than x: only len(x) counts
				var want, mag float64
				for i := range x {
					want += float64(x[i]) * float64(y[i])
					mag += math.Abs(float64(x[i]) * float64(y[i]))
				}
				got := Dot(x, y)
				if !close32(float64(got), want, mag, float64(n/4+16)*u) {
					t.Fatalf("n=%d off=%d: Dot=%v want %v (mag %v)", n, off, got, want, mag)
				}
			}
		}
	})
}

func TestNEONAxpy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	neonAndGeneric(t, func(t *testing.T) {
		for _, n := range sweepLengths() {
			for off := 0; off < 4; off++ {
				x := randVec(r, n, off)
				y0 := randVec(r, n, 0)
				full, y := guardVector(y0)
				alpha := float32(r.Float64()*4 - 2)
				Axpy(alpha, x, y)
				checkGuards(t, full)
				for i := range x {
					want := float64(y0[i]) + float64(alpha)*float64(x[i])
					mag := math.Abs(float64(y0[i])) + math.Abs(float64(alpha)*float64(x[i]))
					if !close32(float64(y[i]), want, mag, 2*u) {
						t.Fatalf("n=%d off=%d i=%d: got %v want %v", n, off, i, y[i], want)
					}
				}
			}
		}
	})
}

func TestNEONScaleAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	neonAndGeneric(t, func(t *testing.T) {
		for _, n := range sweepLengths() {
			for off := 0; off < 4; off++ {
				// Scale and Add are one IEEE operation per element: exact.
				x0 := randVec(r, n, off)
				full, x := guardVector(x0)
				alpha := float32(r.Float64()*4 - 2)
				Scale(alpha, x)
				checkGuards(t, full)
				for i := range x {
					if want := alpha * x0[i]; x[i] != want {
						t.Fatalf("Scale n=%d i=%d: got %v want %v", n, i, x[i], want)
					}
				}
				a := randVec(r, n+2, off)
				b := randVec(r, n+1, 3-off)
				full, dst := guardVector(make([]float32, n))
				Add(dst, a, b)
				checkGuards(t, full)
				for i := range dst {
					if want := a[i] + b[i]; dst[i] != want {
						t.Fatalf("Add n=%d i=%d: got %v want %v", n, i, dst[i], want)
					}
				}
			}
		}
	})
}

// neonGemvShapes are (m, n) pairs covering every row remainder mod 4 and every
// column remainder mod 8 and 32, plus MNIST-sized ones.
func neonGemvShapes() [][2]int {
	var s [][2]int
	for _, m := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 13} {
		for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100} {
			s = append(s, [2]int{m, n})
		}
	}
	return append(s, [2]int{500, 784}, [2]int{784, 500}, [2]int{37, 1000})
}

func TestNEONGemv(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	neonAndGeneric(t, func(t *testing.T) {
		for _, sh := range neonGemvShapes() {
			m, n := sh[0], sh[1]
			for _, pad := range []int{0, 3} {
				lda := max(n+pad, 1)
				a := randVec(r, max(m*lda, 1), pad)
				x := randVec(r, n, 1)
				y0 := randVec(r, m, 0)
				full, y := guardVector(y0)
				GemvAcc(m, n, a, lda, x, y)
				checkGuards(t, full)
				for i := 0; i < m; i++ {
					want, mag := float64(y0[i]), math.Abs(float64(y0[i]))
					for j := 0; j < n; j++ {
						p := float64(a[i*lda+j]) * float64(x[j])
						want += p
						mag += math.Abs(p)
					}
					if !close32(float64(y[i]), want, mag, float64(n/4+16)*u) {
						t.Fatalf("m=%d n=%d lda=%d row %d: got %v want %v", m, n, lda, i, y[i], want)
					}
				}
			}
		}
	})
}

func TestNEONGemvT(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	neonAndGeneric(t, func(t *testing.T) {
		for _, sh := range neonGemvShapes() {
			m, n := sh[0], sh[1]
			for _, pad := range []int{0, 5} {
				lda := max(n+pad, 1)
				a := randVec(r, max(m*lda, 1), pad)
				x := randVec(r, m, 2)
				y0 := randVec(r, n, 0)
				full, y := guardVector(y0)
				GemvT(m, n, a, lda, x, y)
				checkGuards(t, full)
				for j := 0; j < n; j++ {
					want, mag := float64(y0[j]), math.Abs(float64(y0[j]))
					for i := 0; i < m; i++ {
						p := float64(a[i*lda+j]) * float64(x[i])
						want += p
						mag += math.Abs(p)
					}
					if !close32(float64(y[j]), want, mag, float64(m+16)*u) {
						t.Fatalf("m=%d n=%d lda=%d col %d: got %v want %v", m, n, lda, j, y[j], want)
					}
				}
			}
		}
	})
}

// TestNEONGemmMicro drives the 8x12 micro-kernel directly, with C carved
// out of a guarded buffer exactly (7*ldc+12 elements) for several ldc.
func TestNEONGemmMicro(t *testing.T) {
	useNEON(t)
	if m, n := cur.mr, cur.nr; m != 8 || n != 12 {
		t.Fatalf("NEON tile is %dx%d, want 8x12", m, n)
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, k := range []int{0, 1, 2, 3, 7, 64, 257} {
		for _, ldc := range []int{12, 13, 16, 29} {
			a := randVec(r, 8*k, 1)
			b := randVec(r, 12*k, 3)
			c0 := randVec(r, 7*ldc+12, 0)
			full, c := guardVector(c0)
			cur.gemmMicro(k, a, b, c, ldc)
			checkGuards(t, full)
			for e := range c {
				i, j := e/ldc, e%ldc
				want, mag := float64(c0[e]), math.Abs(float64(c0[e]))
				if j < 12 {
					for p := 0; p < k; p++ {
						q := float64(a[p*8+i]) * float64(b[p*12+j])
						want += q
						mag += math.Abs(q)
					}
				}
				if j >= 12 && c[e] != c0[e] {
					t.Fatalf("k=%d ldc=%d: element (%d,%d) outside the tile changed", k, ldc, i, j)
				}
				if !close32(float64(c[e]), want, mag, float64(k+2)*u) {
					t.Fatalf("k=%d ldc=%d (%d,%d): got %v want %v", k, ldc, i, j, c[e], want)
				}
			}
		}
	}
}

// TestNEONGemm runs whole GEMMs through the BLIS driver on the NEON tile:
// every edge case of 8-row and 12-column tiles, several kc slices, both
// transposes, padded leading dimensions, bias and accumulate.
func TestNEONGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	shapes := [][3]int{{1, 1, 1}, {8, 12, 1}, {7, 11, 5}, {9, 13, 17}, {16, 24, 33}, {17, 25, 300}, {3, 40, 7}, {40, 3, 9}, {129, 37, 520}, {64, 1537, 3}}
	neonAndGeneric(t, func(t *testing.T) {
		for _, sh := range shapes {
			m, n, k := sh[0], sh[1], sh[2]
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				ta, tb := tr[0], tr[1]
				ar, ac := m, k
				if ta {
					ar, ac = k, m
				}
				br, bc := k, n
				if tb {
					br, bc = n, k
				}
				lda, ldb, ldc := ac+1, bc+2, n+3
				a := randVec(r, ar*lda, 1)
				b := randVec(r, br*ldb, 2)
				bias := randVec(r, n, 0)
				c0 := randVec(r, m*ldc, 0)
				full, c := guardVector(c0)
				acc := m%2 == 1
				if acc {
					GemmAcc(ta, tb, m, n, k, a, lda, b, ldb, c, ldc)
				} else {
					Gemm(ta, tb, m, n, k, a, lda, b, ldb, bias, c, ldc)
				}
				checkGuards(t, full)
				for i := 0; i < m; i++ {
					for j := 0; j < ldc; j++ {
						e := i*ldc + j
						if j >= n {
							if c[e] != c0[e] {
								t.Fatalf("%v: C padding (%d,%d) changed", sh, i, j)
							}
							continue
						}
						want := float64(bias[j])
						if acc {
							want = float64(c0[e])
						}
						mag := math.Abs(want)
						for p := 0; p < k; p++ {
							var av, bv float32
							if ta {
								av = a[p*lda+i]
							} else {
								av = a[i*lda+p]
							}
							if tb {
								bv = b[j*ldb+p]
							} else {
								bv = b[p*ldb+j]
							}
							q := float64(av) * float64(bv)
							want += q
							mag += math.Abs(q)
						}
						if !close32(float64(c[e]), want, mag, float64(k+16)*u) {
							t.Fatalf("%v trans=%v (%d,%d): got %v want %v", sh, tr, i, j, c[e], want)
						}
					}
				}
			}
		}
	})
}

// ulpDiff is the distance in float32 steps between a and b (both finite or
// equal), with +0 and -0 one step apart.
func ulpDiff(a, b float32) int64 {
	key := func(v float32) int64 {
		u := int64(math.Float32bits(v))
		if u>>31 != 0 {
			return -(u & 0x7fffffff) - 1
		}
		return u
	}
	d := key(a) - key(b)
	if d < 0 {
		d = -d
	}
	return d
}

// TestNEONActMatchesGeneric checks that the NEON activations compute the
// generic float32 algorithms lane by lane: on special values, a dense sweep
// and random bit patterns, every result is within neonActULP of the generic
// one (NaN exactly where the generic gives NaN). The only differences come
// from fusing a*b+c into FMA where the Go compiler did not, or vice versa.
func TestNEONActMatchesGeneric(t *testing.T) {
	useNEON(t)
	const neonActULP = 1
	r := rand.New(rand.NewPCG(15, 16))
	x := actInputs(r, 200000, 200000)
	for _, a := range unaryActs {
		got := make([]float32, len(x))
		want := make([]float32, len(x))
		a.f(got, x)
		withTier(Generic, func() { a.f(want, x) })
		var worst int64
		diff := 0
		for i := range x {
			g, w := got[i], want[i]
			if w != w || g != g {
				if (w != w) != (g != g) {
					t.Fatalf("%s(%v): neon %v, generic %v", a.name, x[i], g, w)
				}
				continue
			}
			d := ulpDiff(g, w)
			if d > neonActULP {
				t.Fatalf("%s(%v [%#08x]): neon %v, generic %v: %d ulp apart", a.name, x[i], math.Float32bits(x[i]), g, w, d)
			}
			if d != 0 {
				diff++
			}
			worst = max(worst, d)
		}
		t.Logf("%s: %d of %d results differ from generic, by at most %d ulp", a.name, diff, len(x), worst)
	}
}

// TestNEONReductionsSpecial puts NaN, ±Inf and extreme values at every
// position of 19-element vectors, so they land in the assembly body (first
// 16 elements) or the Go tail, and checks LogSumExp and BernoulliLogProb
// against the generic tier (exact for NaN/Inf results, within the float64
// summation-order difference otherwise).
func TestNEONReductionsSpecial(t *testing.T) {
	useNEON(t)
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	r := rand.New(rand.NewPCG(17, 18))
	for _, sv := range []float32{nan, inf, -inf, math.MaxFloat32, -math.MaxFloat32, 88, -104, 0} {
		for pos := 0; pos < 19; pos++ {
			x := randVec(r, 19, 0)
			bits := make([]float32, 19)
			for i := range x {
				x[i] *= 20
				bits[i] = float32(r.IntN(2))
			}
			x[pos] = sv
			got := LogSumExp(x)
			var want float32
			withTier(Generic, func() { want = LogSumExp(x) })
			if !sameOrClose(got, want) {
				t.Fatalf("LogSumExp with %v at %d: neon %v, generic %v", sv, pos, got, want)
			}
			got = BernoulliLogProb(x, bits)
			withTier(Generic, func() { want = BernoulliLogProb(x, bits) })
			if !sameOrClose(got, want) {
				t.Fatalf("BernoulliLogProb with %v at %d: neon %v, generic %v", sv, pos, got, want)
			}
		}
	}
	// Long vectors: all terms in the body but the tail of 5.
	x := randVec(r, 1029, 1)
	bits := make([]float32, len(x))
	for i := range x {
		x[i] *= 50
		bits[i] = float32(r.IntN(2))
	}
	var wl, wb float32
	withTier(Generic, func() { wl, wb = LogSumExp(x), BernoulliLogProb(x, bits) })
	if gl, gb := LogSumExp(x), BernoulliLogProb(x, bits); !sameOrClose(gl, wl) || !sameOrClose(gb, wb) {
		t.Fatalf("n=1029: LogSumExp neon %v generic %v, BernoulliLogProb neon %v generic %v", gl, wl, gb, wb)
	}
}

// sameOrClose reports whether two reductions agree: both NaN, the same
// infinity, or within 1 ulp (the float64 sums differ only in order).
func sameOrClose(a, b float32) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	if math.IsInf(float64(a), 0) || math.IsInf(float64(b), 0) {
		return a == b
	}
	return ulpDiff(a, b) <= 1
}
