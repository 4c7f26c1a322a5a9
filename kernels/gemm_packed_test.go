package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPackedWeightsGemm checks PackedWeights.Gemm and GemmAcc against
// MaskedGemm (or Gemm with transB for a dense W) on the same tier, bit for
// bit, over odd shapes, several kc and nc blocks, every mask kind, strided
// X, W and C with NaN in their gaps and in W outside the ranges, and guard
// bands around C.
func TestPackedWeightsGemm(t *testing.T) {
	type shape struct{ m, n, k int }
	shapes := []shape{{1, 1, 1}, {2, 1, 1}, {1, 40, 33}, {2, 17, 9}, {3, 17, 9}, {7, 33, 65}, {13, 31, 17},
		{14, 32, 3}, {15, 33, 257}, {16, 100, 600}, {64, 200, 150}, {29, 4100, 5}, {5, 0, 4}, {0, 5, 4}, {4, 5, 0}}
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(15, 1))
		for _, s := range shapes {
			kinds := maskKinds(r, s.n, s.k)
			kinds["dense"] = [2][]int{nil, nil}
			for name, mk := range kinds {
				lo, hi := mk[0], mk[1]
				ldx, ldw, ldc := max(s.k, 1)+r.IntN(3), max(s.k, 1)+r.IntN(3), max(s.n, 1)+r.IntN(3)
				x := nanGaps(randVec(r, max(s.m*ldx, 1), 0), s.m, s.k, ldx)
				w := nanGaps(randVec(r, max(s.n*ldw, 1), 0), s.n, s.k, ldw)
				if hi != nil {
					poisonOutside(w, s.n, s.k, ldw, lo, hi)
				}
				bias := randVec(r, s.n, 0)
				p := PackWeights(s.n, s.k, w, ldw, lo, hi)
				for _, acc := range []bool{false, true} {
					t.Run(fmt.Sprintf("%dx%dx%d/%s/acc=%v", s.m, s.n, s.k, name, acc), func(t *testing.T) {
						c0 := nanGaps(randVec(r, max(s.m*ldc, 1), 0), s.m, s.n, ldc)
						want := append([]float32(nil), c0...)
						full, got := guardVector(c0)
						switch {
						case acc: // MaskedGemm's and GemmAcc's loop nest, accumulating into C
							gemm(false, true, s.m, s.n, s.k, x, ldx, w, ldw, want, ldc, lo, hi)
							p.GemmAcc(s.m, x, ldx, got, ldc)
						case hi == nil:
							Gemm(false, true, s.m, s.n, s.k, x, ldx, w, ldw, bias, want, ldc)
							p.Gemm(s.m, x, ldx, bias, got, ldc)
						default:
							MaskedGemm(s.m, s.n, s.k, x, ldx, w, ldw, lo, hi, bias, want, ldc)
							p.Gemm(s.m, x, ldx, bias, got, ldc)
						}
						checkGuards(t, full)
						for i := range want {
							if !sameBits(got[i], want[i]) {
								t.Fatalf("c[%d] = %v, want %v", i, got[i], want[i])
							}
						}
					})
				}
			}
		}
	})
}

// nanGaps sets the elements of an r x c matrix's rows beyond c (up to ld)
// to NaN: a kernel that reads them returns NaN.
func nanGaps(a []float32, r, c, ld int) []float32 {
	for i := 0; i < r; i++ {
		for j := c; j < ld && i*ld+j < len(a); j++ {
			a[i*ld+j] = float32(math.NaN())
		}
	}
	return a
}

// sameBits reports whether a and b are the same float32, NaN equal to NaN.
func sameBits(a, b float32) bool {
	return a == b || (a != a && b != b)
}

// TestPackedWeightsMemory checks that a staircase keeps about half the
// panels of a dense W, that nothing is packed before the first product or
// Prepare, that each tier packs once, and that a product allocates
// nothing.
func TestPackedWeightsMemory(t *testing.T) {
	const n, k = 300, 300
	r := rand.New(rand.NewPCG(15, 2))
	w := randVec(r, n*k, 0)
	hi := make([]int, n)
	for j := range hi {
		hi[j] = j * k / n
	}
	testAllTiers(t, func(t *testing.T) {
		dense, stair := PackWeights(n, k, w, k, nil, nil), PackWeights(n, k, w, k, nil, hi)
		assert.Zero(t, dense.PackedBytes())
		dense.Prepare()
		stair.Prepare()
		d, s := dense.PackedBytes(), stair.PackedBytes()
		assert.GreaterOrEqual(t, d, 4*n*k)
		assert.Less(t, float64(s), 0.6*float64(d), "a staircase stores about half of the panels")
		x, c := randVec(r, 4*k, 0), make([]float32, 4*n)
		stair.Gemm(4, x, k, nil, c, n)
		assert.Equal(t, s, stair.PackedBytes(), "packed once")
		if !raceEnabled { // under -race sync.Pool drops items: counts are meaningless
			assert.Equal(t, 0.0, testing.AllocsPerRun(10, func() { stair.Gemm(4, x, k, nil, c, n) }))
		}
	})
}

// TestPackedWeightsConcurrent runs first products from several goroutines
// at once (run with -race): one packing, the same results.
func TestPackedWeightsConcurrent(t *testing.T) {
	const m, n, k = 9, 70, 90
	r := rand.New(rand.NewPCG(15, 3))
	w, x := randVec(r, n*k, 0), randVec(r, m*k, 0)
	hi := make([]int, n)
	for j := range hi {
		hi[j] = r.IntN(k + 1)
	}
	want := make([]float32, m*n)
	MaskedGemm(m, n, k, x, k, w, k, nil, hi, nil, want, n)
	p := PackWeights(n, k, w, k, nil, hi)
	var wg sync.WaitGroup
	got := make([][]float32, 4)
	for g := range got {
		got[g] = make([]float32, m*n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Gemm(m, x, k, nil, got[g], n)
		}()
	}
	wg.Wait()
	for _, c := range got {
		require.Equal(t, want, c)
	}
}

// TestPackWeightsPanics checks the argument checks.
func TestPackWeightsPanics(t *testing.T) {
	w := make([]float32, 12)
	assert.Panics(t, func() { PackWeights(-1, 3, w, 3, nil, nil) })
	assert.Panics(t, func() { PackWeights(4, 4, w, 4, nil, nil) }, "w too short")
	assert.Panics(t, func() { PackWeights(4, 3, w, 3, []int{0, 0, 0, 0}, nil) }, "lo without hi")
	assert.Panics(t, func() { PackWeights(4, 3, w, 3, nil, []int{1, 2, 4, 0}) }, "range beyond k")
	p := PackWeights(4, 3, w, 3, nil, nil)
	assert.Panics(t, func() { p.Gemm(2, make([]float32, 5), 3, nil, make([]float32, 8), 4) }, "x too short")
	assert.Panics(t, func() { p.Gemm(2, make([]float32, 6), 3, nil, make([]float32, 7), 4) }, "c too short")
}
