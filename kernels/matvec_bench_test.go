package kernels

import (
	"fmt"
	"testing"
)

// MatVec benchmarks, named MatVec/<tier>/<type>/<M>x<N> and
// WaveNetStep/<tier>/<type>/nb=<batch>. Each reports GB/s of weights
// streamed (Mat.Bytes per product) and GFLOP/s (2·M·N per vector).
//
//   - MatVec: one product at batch 1. 128x128 is a WaveNet dilated
//     convolution at R = G = 64 ([2G x 2R] over [h(t-d); h(t)]), 320x64 the
//     fused residual+skip matrix ([(R+S) x G]), 256x256 a head layer.
//   - WaveNetStep: the matrix products of one nv-wavenet generation step
//     (20 layers of dil 128x128 and resskip 320x64, the last 256x64, then
//     the two 256x256 head layers), each layer's weights separate, as a
//     model holds them (3.4 MB in float32: more than a core's L2, so batch
//     1 streams them from L3). It reports samples/s (batch vectors per
//     step) and MB of weights per step.

func benchMat(b *testing.B, seed uint64, m, n int, wt WeightType) *Mat {
	a, err := NewMat(benchVec(seed, m*n, 0.1), m, n, wt)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func BenchmarkMatVec(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, wt := range allWeightTypes {
			for _, s := range [][2]int{{128, 128}, {128, 64}, {64, 64}, {320, 64}, {256, 256}, {512, 128}, {512, 256}} {
				m, n := s[0], s[1]
				b.Run(fmt.Sprintf("%s/%dx%d", wt, m, n), func(b *testing.B) {
					a := benchMat(b, 1, m, n, wt)
					x, bias := benchVec(2, n, 1), benchVec(3, m, 1)
					y := make([]float32, m)
					MatVec(a, 1, x, n, bias, y, m, false)
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						MatVec(a, 1, x, n, bias, y, m, false)
					}
					reportFlops(b, float64(2*m*n))
					reportBytes(b, float64(a.Bytes()))
				})
			}
		}
	})
}

// reportBytes reports bytesPerOp·N / elapsed as GB/s.
func reportBytes(b *testing.B, bytesPerOp float64) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(bytesPerOp*float64(b.N)/s/1e9, "GB/s")
	}
}

// waveStep is the matrices of one nv-wavenet step and its activations.
type waveStep struct {
	dil, res []*Mat
	head     [2]*Mat
	nb       int
	h, a, g  []float32 // nb x 128 (the [h(t-d); h(t)] input), nb x 128, nb x 64
	rs, o, z []float32 // nb x 320, nb x 256, nb x 256
}

const (
	waveLayers = 20
	waveR      = 64
	waveS      = 256
	waveO      = 256
)

func newWaveStep(b *testing.B, wt WeightType, nb int) *waveStep {
	w := &waveStep{nb: nb}
	for l := 0; l < waveLayers; l++ {
		w.dil = append(w.dil, benchMat(b, uint64(10+l), 2*waveR, 2*waveR, wt))
		rows := waveR + waveS
		if l == waveLayers-1 {
			rows = waveS
		}
		w.res = append(w.res, benchMat(b, uint64(40+l), rows, waveR, wt))
	}
	w.head[0] = benchMat(b, 80, waveO, waveS, wt)
	w.head[1] = benchMat(b, 81, waveO, waveO, wt)
	w.h = benchVec(90, nb*2*waveR, 1)
	w.a = make([]float32, nb*2*waveR)
	w.g = benchVec(91, nb*waveR, 1)
	w.rs = make([]float32, nb*(waveR+waveS))
	w.o = make([]float32, nb*waveO)
	w.z = make([]float32, nb*waveO)
	return w
}

// bytes returns the weight bytes one step streams.
func (w *waveStep) bytes() int {
	n := w.head[0].Bytes() + w.head[1].Bytes()
	for l := range w.dil {
		n += w.dil[l].Bytes() + w.res[l].Bytes()
	}
	return n
}

// flops returns the floating-point operations of one step per vector.
func (w *waveStep) flops() int {
	n := 0
	for _, a := range append(append([]*Mat{w.head[0], w.head[1]}, w.dil...), w.res...) {
		n += 2 * a.Rows() * a.Cols()
	}
	return n
}

// run does the step's products (the gates and nonlinearities, which are
// not MatVec, left out): per layer the dilated convolution into a and the
// residual+skip product of g into rs, accumulating the skip sum; then the
// head.
func (w *waveStep) run() {
	nb := w.nb
	for l := range w.dil {
		MatVec(w.dil[l], nb, w.h, 2*waveR, nil, w.a, 2*waveR, false)
		MatVec(w.res[l], nb, w.g, waveR, nil, w.rs, waveR+waveS, l > 0)
	}
	MatVec(w.head[0], nb, w.rs[waveR:], waveR+waveS, nil, w.o, waveO, false)
	MatVec(w.head[1], nb, w.o, waveO, nil, w.z, waveO, false)
}

func BenchmarkWaveNetStep(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, wt := range allWeightTypes {
			for _, nb := range []int{1, 8, 32} {
				b.Run(fmt.Sprintf("%s/nb=%d", wt, nb), func(b *testing.B) {
					w := newWaveStep(b, wt, nb)
					w.run()
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						w.run()
					}
					if s := b.Elapsed().Seconds(); s > 0 {
						b.ReportMetric(float64(nb*b.N)/s, "samples/s")
					}
					reportBytes(b, float64(w.bytes()))
					reportFlops(b, float64(nb*w.flops()))
					b.ReportMetric(float64(w.bytes())/1e6, "MB/step")
				})
			}
		}
	})
}
