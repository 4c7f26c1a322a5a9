//go:build !purego

package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestMatVecBF16DotFallback runs BF16Dot on the AVX-512 tier without
// VDPBF16PS (the BF16 kernel on x rounded to bfloat16, what a CPU without
// AVX512_BF16 runs) against the float64 references, so that path is
// tested on CPUs that have the instruction too.
func TestMatVecBF16DotFallback(t *testing.T) {
	tab := tiers[AVX512]
	if tab == nil {
		t.Skip("no AVX-512")
	}
	saved := tab.matvec.k[BF16Dot]
	fallback := *tab.matvec.k[BF16]
	fallback.xform = xRoundBF16
	tab.matvec.k[BF16Dot] = &fallback
	defer func() { tab.matvec.k[BF16Dot] = saved }()
	r := rand.New(rand.NewPCG(13, 9))
	withTier(AVX512, func() {
		for _, s := range [][3]int{{1, 1, 1}, {64, 64, 1}, {65, 17, 3}, {130, 129, 4}, {320, 64, 5}, {17, 300, 9}} {
			for _, acc := range []bool{false, true} {
				// Fresh matrices: nothing packed in the VDPBF16PS layout yet.
				c := newMatvecCase(t, r, BF16Dot, s[0], s[1], s[2], acc, !acc)
				c.check(t)
				if pk := c.a.packed[AVX512].Load(); pk == nil || pk.layout != layoutPanelIL {
					t.Fatalf("%v: packed for the fallback as %+v", c, pk)
				}
			}
		}
	})
}
