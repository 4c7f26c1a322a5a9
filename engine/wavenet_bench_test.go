package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/arinfer/arinfer/kernels"
)

// nvWaveNet is the size of nv-wavenet's published model: 20 layers
// (dilations 1..512 twice), R = G = 64, S = 256, O = C = 256 (mu-law
// audio at 16 kHz). Random weights: the cost does not depend on them.
func nvWaveNet() Config {
	var dil []int
	for range 2 {
		for d := 1; d <= 512; d *= 2 {
			dil = append(dil, d)
		}
	}
	c := wav(16000, dil, 64, 64, 256, 256, 0, 256)
	c.SampleRate = 16000
	return c
}

// stepBytes is the bytes of weights one generation step streams.
func stepBytes(m Model) int {
	c := waveOf(m).waveCore
	n := c.h1m.Bytes() + c.h2m.Bytes()
	for _, ly := range c.layers {
		n += ly.past.Bytes() + ly.cur.Bytes() + ly.rs.Bytes()
	}
	return n
}

// BenchmarkWaveSample generates 1600 steps (0.1 s at 16 kHz) of 1, 8 and
// 32 streams with the nv-wavenet-sized model in each step weight type:
// one stream splits each step over two cores (wavenet_duo.go; -cpu 1 for
// one core), a batch is split over the cores by streams. It
// reports samples/s (all streams), the real-time factor at 16 kHz and,
// for one stream, the weight bandwidth (GB/s).
func BenchmarkWaveSample(b *testing.B) {
	cfg := nvWaveNet()
	r := randomWave(rand.New(rand.NewPCG(1, 91)), cfg)
	const T = 1600
	for _, wt := range []kernels.WeightType{kernels.F32, kernels.F16, kernels.BF16, kernels.BF16Dot} {
		m, err := NewOptions(cfg, r.w, Options{StepWeights: wt})
		if err != nil {
			b.Fatal(err)
		}
		m = withLength(b, m, T)
		for _, B := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("%s/nv-wavenet/%v/batch%d", kernels.Active(), wt, B), func(b *testing.B) {
				x := make([]float32, B*T)
				ctx := context.Background()
				seed := uint64(0)
				if err := m.Sample(ctx, x, SampleOptions{}); err != nil { // warm the workspaces
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					seed++
					if err := m.Sample(ctx, x, SampleOptions{Seed: seed}); err != nil {
						b.Fatal(err)
					}
				}
				sps := float64(b.N*B*T) / b.Elapsed().Seconds()
				b.ReportMetric(sps, "samples/s")
				b.ReportMetric(sps/16000, "xRT")
				if B == 1 {
					b.ReportMetric(sps*float64(stepBytes(m))*1e-9, "GB/s")
				}
			})
		}
	}
}

// BenchmarkWaveLogProb scores one 16000-step sequence (1 s at 16 kHz)
// with the nv-wavenet-sized model, its chunks' steps split over the
// cores, and reports samples/s and the useful GFLOP/s.
func BenchmarkWaveLogProb(b *testing.B) {
	cfg := nvWaveNet()
	r := randomWave(rand.New(rand.NewPCG(2, 91)), cfg)
	m, err := New(cfg, r.w)
	if err != nil {
		b.Fatal(err)
	}
	T := cfg.Dims
	for _, B := range []int{1, 4} {
		b.Run(fmt.Sprintf("%s/nv-wavenet/batch%d", kernels.Active(), B), func(b *testing.B) {
			x := randSymbols(rand.New(rand.NewPCG(3, 91)), B*T, 256)
			out := make([]float64, B)
			ctx := context.Background()
			if err := m.LogProb(ctx, x, out); err != nil { // warm the workspaces
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := m.LogProb(ctx, x, out); err != nil {
					b.Fatal(err)
				}
			}
			sps := float64(b.N*B*T) / b.Elapsed().Seconds()
			b.ReportMetric(sps, "samples/s")
			b.ReportMetric(sps*float64(waveOf(m).stepFLOPs)*1e-9, "GFLOP/s")
		})
	}
}
