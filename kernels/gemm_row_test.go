package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A one-row GEMM runs as a GEMV (gemmRow); check it on every tier, every
// transpose combination and with masks, against float64 sums.
func TestGemmOneRow(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	testAllTiers(t, func(t *testing.T) {
		for _, n := range []int{1, 7, 16, 33, 500} {
			for _, k := range []int{1, 5, 64, 129, 784} {
				for _, tA := range []bool{false, true} {
					for _, tB := range []bool{false, true} {
						lda, ldb := k+3, n+5
						if tA {
							lda = 2 // A is k x 1 with a row stride of 2
						}
						if tB {
							ldb = k + 5
						}
						a := randVec(r, k*lda, 0)
						b := randVec(r, max(n, k)*ldb, 0)
						bias := randVec(r, n, 0)
						full, c := guardVector(make([]float32, n))
						Gemm(tA, tB, 1, n, k, a, lda, b, ldb, bias, c, n)
						checkGuards(t, full)
						for j := 0; j < n; j++ {
							want, scale := float64(bias[j]), math.Abs(float64(bias[j]))
							for p := 0; p < k; p++ {
								av := a[p]
								if tA {
									av = a[p*lda]
								}
								bv := b[p*ldb+j]
								if tB {
									bv = b[j*ldb+p]
								}
								want += float64(av) * float64(bv)
								scale += math.Abs(float64(av) * float64(bv))
							}
							assert.True(t, close32(float64(c[j]), want, scale, float64(k+2)*0x1p-23),
								"n=%d k=%d tA=%v tB=%v j=%d: %v vs %v", n, k, tA, tB, j, c[j], want)
						}
						if !tB || tA {
							continue // MaskedGemm is X·Wᵀ with X untransposed
						}
						// Staircase mask: column j reduces over [0, hi[j]).
						hi := make([]int, n)
						for j := range hi {
							hi[j] = min(k, (j*k)/n+1)
						}
						full, c = guardVector(make([]float32, n))
						MaskedGemm(1, n, k, a, lda, b, ldb, nil, hi, bias, c, n)
						checkGuards(t, full)
						for j := 0; j < n; j++ {
							want, scale := float64(bias[j]), math.Abs(float64(bias[j]))
							for p := 0; p < hi[j]; p++ {
								want += float64(a[p]) * float64(b[j*ldb+p])
								scale += math.Abs(float64(a[p]) * float64(b[j*ldb+p]))
							}
							assert.True(t, close32(float64(c[j]), want, scale, float64(k+2)*0x1p-23), "masked n=%d k=%d j=%d", n, k, j)
						}
					}
				}
			}
		}
	})
}
