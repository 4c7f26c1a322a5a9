package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// testAllTiers runs f once for every tier this CPU and build can run, as a
// subtest named after the tier, with that tier active, then restores the
// tier that was active before. Like the standard library's
// cryptotest.TestAllImplementations, it always includes the generic tier.
func testAllTiers(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	prev := Active()
	defer func() { require.NoError(t, SetTier(prev)) }()
	for _, tier := range Available() {
		require.NoError(t, SetTier(tier))
		t.Run(tier.String(), f)
	}
}

// withTier runs f with tier active and restores the previous tier.
func withTier(tier Tier, f func()) {
	prev := Active()
	if err := SetTier(tier); err != nil {
		panic(err)
	}
	defer func() { _ = SetTier(prev) }()
	f()
}

// Guard bands, as in gonum's internal/asm tests: every output slice is
// carved out of a larger one whose ends hold sentinel values that a kernel
// must leave unchanged.
const (
	guardLen = 31
	guardVal = float32(-7.3e31)
)

// guardVector returns a copy of v with guardLen sentinels on each side and
// the view of v inside it.
func guardVector(v []float32) (full, inner []float32) {
	full = make([]float32, len(v)+2*guardLen)
	for i := range full {
		full[i] = guardVal
	}
	copy(full[guardLen:], v)
	return full, full[guardLen : guardLen+len(v)]
}

// checkGuards fails t if a sentinel of full was overwritten.
func checkGuards(t *testing.T, full []float32) {
	t.Helper()
	n := len(full)
	for i := 0; i < guardLen; i++ {
		if full[i] != guardVal || full[n-1-i] != guardVal {
			t.Fatalf("guard band overwritten: head[%d]=%v tail[%d]=%v", i, full[i], i, full[n-1-i])
		}
	}
}

// randVec returns n values uniform in [-1, 1) with an offset of off unused
// leading elements, so callers can test unaligned sub-slices.
func randVec(r *rand.Rand, n, off int) []float32 {
	v := make([]float32, n+off)
	for i := range v {
		v[i] = float32(r.Float64()*2 - 1)
	}
	return v[off:]
}

// close32 reports whether got is within tol of want, relative to scale
// (the magnitude of the terms that were summed, which bounds float32
// rounding of a dot product regardless of cancellation).
func close32(got, want, scale, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Max(scale, 1e-30)
}

// sweepLengths are the vector lengths every kernel is tested on: 0..67
// (every tail of every vector width) and a sweep to about 1000.
func sweepLengths() []int {
	var ns []int
	for n := 0; n <= 67; n++ {
		ns = append(ns, n)
	}
	for _, n := range []int{95, 96, 97, 127, 128, 129, 255, 256, 257, 500, 511, 512, 513, 784, 999, 1000, 1023, 1024, 1025} {
		ns = append(ns, n)
	}
	return ns
}
