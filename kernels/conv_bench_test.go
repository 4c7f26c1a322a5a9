package kernels

import (
	"fmt"
	"testing"
)

// Convolution benchmarks, named Conv2D/<tier>/<shape>-F<F>-b<batch> (and
// Conv2DAt/...), on 28x28 images (MNIST) with the shipped models' layer
// shapes for F = 64 and 32 feature maps:
//
//   - vert2x3: the Gated PixelCNN vertical stack, (n+1) x k = 2x3, F -> 2F;
//   - horiz1x2: the horizontal stack, 1 x (n+1) = 1x2, F -> 2F;
//   - dense2F: the vertical-to-horizontal 1x1, 2F -> 2F;
//   - denseF: the horizontal output 1x1, F -> F;
//   - maskB3: the PixelCNN residual mask-B 3x3 (5 taps), F -> F.
//
// GFLOP/s counts useful work only: 2·Cout·Cin·taps per output pixel
// (ConvWeights.FLOPs), masked-out taps and image-border zeros included as
// if computed (they are a few percent at 28x28). Conv2DAt computes one
// pixel (14, 14) of every image: batch 1 is the cached generator's step.

type benchConvShape struct {
	name      string
	kh, kw    int
	ay, ax    int
	keep      func(a, b int) bool
	cin, cout int // in units of F
}

var benchConvShapes = []benchConvShape{
	{"vert2x3", 2, 3, 1, 1, nil, 1, 2},
	{"horiz1x2", 1, 2, 0, 1, nil, 1, 2},
	{"dense2F", 1, 1, 0, 0, nil, 2, 2},
	{"denseF", 1, 1, 0, 0, nil, 1, 1},
	{"maskB3", 3, 3, 1, 1, maskB(3), 1, 1},
}

func benchConvSetup(b *testing.B, s benchConvShape, f, batch int) (*ConvWeights, Image, Image, []float32) {
	cin, cout := s.cin*f, s.cout*f
	cw, err := NewConv(benchVec(1, cout*cin*s.kh*s.kw, 0.1), cout, cin, s.kh, s.kw, s.ay, s.ax, s.keep)
	if err != nil {
		b.Fatal(err)
	}
	const h, w = 28, 28
	in := Image{Data: benchVec(2, batch*h*w*cin, 1), N: batch, H: h, W: w, LD: cin, ImgStride: h * w * cin}
	out := Image{Data: make([]float32, batch*h*w*cout), N: batch, H: h, W: w, LD: cout, ImgStride: h * w * cout}
	return cw, in, out, benchVec(3, cout, 0.1)
}

func BenchmarkConv2D(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, f := range []int{64, 32} {
			for _, s := range benchConvShapes {
				b.Run(fmt.Sprintf("%s-F%d-b64", s.name, f), func(b *testing.B) {
					cw, in, out, bias := benchConvSetup(b, s, f, 64)
					Conv2D(cw, in, 0, in.H, out, bias, false) // pack the weights
					b.ReportAllocs()
					for b.Loop() {
						Conv2D(cw, in, 0, in.H, out, bias, false)
					}
					benchSink = out.Data[0]
					reportFlops(b, float64(cw.FLOPs())*float64(in.N*in.H*in.W))
				})
			}
		}
	})
}

func BenchmarkConv2DAt(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, f := range []int{64, 32} {
			for _, batch := range []int{1, 64} {
				for _, s := range benchConvShapes {
					b.Run(fmt.Sprintf("%s-F%d-b%d", s.name, f, batch), func(b *testing.B) {
						cw, in, out, bias := benchConvSetup(b, s, f, batch)
						Conv2DAt(cw, in, 14, 14, out, bias, false)
						b.ReportAllocs()
						for b.Loop() {
							Conv2DAt(cw, in, 14, 14, out, bias, false)
						}
						benchSink = out.Data[0]
						reportFlops(b, float64(cw.FLOPs())*float64(batch))
					})
				}
			}
		}
	})
}

// BenchmarkGateRows: the gated activation of a whole 28x28 image's 2F
// pre-activations (F = 64), ns/elem per output element.
func BenchmarkGateRows(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, f := range []int{64, 32} {
			b.Run(fmt.Sprintf("F%d-784px", f), func(b *testing.B) {
				const n = 784
				src := benchVec(1, n*2*f, 4)
				dst := make([]float32, n*f)
				b.ReportAllocs()
				for b.Loop() {
					GateRows(n, f, src, 2*f, dst, f)
				}
				benchSink = dst[0]
				if s := b.Elapsed().Seconds(); s > 0 {
					b.ReportMetric(s*1e9/float64(b.N)/float64(n*f), "ns/elem")
				}
			})
		}
	})
}
