package kernels

import (
	"fmt"
	"testing"
)

// BenchmarkDilatedConv/<tier>/<shape>: scoring a WaveNet layer's dilated
// convolution (R = 64 in, 2G = 128 out, kernel 2) with Conv2D over a
// sequence laid out as H = time, W = 1: N streams of T steps at dilation d.
// N=1 runs the raster (row-range) path, N=16 the image-blocked one.
// Reports GFLOP/s (2·Cout·Cin·2 per step).
func BenchmarkDilatedConv(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, s := range []struct{ n, steps, d int }{{1, 4096, 1}, {1, 4096, 512}, {16, 256, 1}, {16, 256, 128}} {
			b.Run(fmt.Sprintf("N%d-T%d-d%d", s.n, s.steps, s.d), func(b *testing.B) {
				cw, err := NewDilatedConv(benchVec(1, 128*64*2, 0.1), 128, 64, s.d)
				if err != nil {
					b.Fatal(err)
				}
				in := Image{Data: benchVec(2, s.n*s.steps*64, 1), N: s.n, H: s.steps, W: 1, LD: 64, ImgStride: s.steps * 64}
				out := Image{Data: make([]float32, s.n*s.steps*128), N: s.n, H: s.steps, W: 1, LD: 128, ImgStride: s.steps * 128}
				Conv2D(cw, in, 0, s.steps, out, nil, false)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					Conv2D(cw, in, 0, s.steps, out, nil, false)
				}
				reportFlops(b, float64(s.n*s.steps*cw.FLOPs()))
			})
		}
	})
}
