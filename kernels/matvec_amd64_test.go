//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"
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

// f16Ones are the AVX-512 tier's two one-vector float16 kernels: the zmm
// widening and the ymm one (what f16OnYMM picks).
var f16Ones = []struct {
	name string
	one  matPanelFunc
}{{"zmm", matvecF16x1AVX512}, {"ymm", matvecF16x1YAVX512}}

// withF16One runs f on the AVX-512 tier with one as its one-vector float16
// kernel (the table restored after), or skips tb on a CPU without
// AVX-512, AVX512VL and F16C.
func withF16One(tb testing.TB, one matPanelFunc, f func()) {
	tab := tiers[AVX512]
	if tab == nil || !hasF16C || !cpuid.CPU.Supports(cpuid.AVX512VL) {
		tb.Skip("no AVX-512 with AVX512VL and F16C")
	}
	saved := tab.matvec.k[F16]
	defer func() { tab.matvec.k[F16] = saved }()
	k := *saved
	k.one = one
	tab.matvec.k[F16] = &k
	withTier(AVX512, f)
}

// TestMatVecF16YMM runs the AVX-512 tier's one-vector float16 MatVec with
// each of its two kernels, whichever this CPU uses: each within the
// float64 references' bounds (guard bands kept), and the two equal bit
// for bit.
func TestMatVecF16YMM(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 4))
	for _, s := range [][3]int{{1, 1, 1}, {64, 64, 1}, {65, 17, 2}, {130, 129, 3}, {320, 64, 1}, {17, 300, 2}, {256, 256, 1}, {64, 2, 3}} {
		for _, acc := range []bool{false, true} {
			c := newMatvecCase(t, r, F16, s[0], s[1], s[2], acc, !acc)
			var outs [2][]float32
			for i, kc := range f16Ones {
				withF16One(t, kc.one, func() {
					c.check(t)
					outs[i] = append([]float32(nil), c.y0...)
					MatVec(c.a, c.nb, c.x, c.ldx, c.bias, outs[i], c.ldy, c.acc)
				})
			}
			for j := range outs[0] {
				if math.Float32bits(outs[0][j]) != math.Float32bits(outs[1][j]) {
					t.Fatalf("%v: y[%d] = %v with the zmm widening, %v with the ymm one", c, j, outs[0][j], outs[1][j])
				}
			}
		}
	}
}

// BenchmarkMatVecF16Widen times the AVX-512 tier's one-vector float16
// MatVec with each of its kernels in one run (f16OnYMM picks ymm on Zen
// 4, zmm elsewhere):
//
//	go test -run XXX -bench MatVecF16Widen -count 6 ./kernels
func BenchmarkMatVecF16Widen(b *testing.B) {
	for _, kc := range f16Ones {
		for _, s := range [][2]int{{128, 64}, {320, 64}, {256, 256}} {
			m, n := s[0], s[1]
			b.Run(fmt.Sprintf("%s/%dx%d", kc.name, m, n), func(b *testing.B) {
				withF16One(b, kc.one, func() {
					a := benchMat(b, 1, m, n, F16)
					x, bias := benchVec(2, n, 1), benchVec(3, m, 1)
					y := make([]float32, m)
					MatVec(a, 1, x, n, bias, y, m, false) // packs a
					b.ReportAllocs()
					for b.Loop() {
						MatVec(a, 1, x, n, bias, y, m, false)
					}
					reportFlops(b, float64(2*m*n))
				})
			})
		}
	}
}
