package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/arinfer/arinfer/kernels"
)

// MNIST-sized image models with random weights (the cost does not depend
// on the values): the shapes of the shipped models.
var convBenchConfigs = []Config{
	gat(28, 28, 64, 8, 3, 64, 0, 2),
	gat(28, 28, 48, 10, 3, 64, 10, 2),
	pix(28, 28, 64, 8, 3, 7, 64, 0, 2),
}

func convBenchName(c Config) string {
	s := fmt.Sprintf("%s-F%d-L%d-k%d", c.Arch, c.Channels, c.Layers, c.KernelSize)
	if c.Classes > 0 {
		s += fmt.Sprintf("-c%d", c.Classes)
	}
	return s
}

// BenchmarkConvLogProb scores batches of binary 28x28 images on all cores
// (a class-conditional model: the marginal, one pass per class) and
// reports images/s and the useful GFLOP/s.
func BenchmarkConvLogProb(b *testing.B) {
	for i, cfg := range convBenchConfigs {
		rng := rand.New(rand.NewPCG(uint64(i), 51))
		m, err := New(cfg, randomConv(rng, cfg).w)
		if err != nil {
			b.Fatal(err)
		}
		for _, B := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/%s/batch%d", kernels.Active(), convBenchName(cfg), B), func(b *testing.B) {
				x := randBinary(rng, B*cfg.Dims)
				out := make([]float64, B)
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if err := m.LogProb(ctx, x, out); err != nil {
						b.Fatal(err)
					}
				}
				ips := float64(b.N*B) / b.Elapsed().Seconds()
				b.ReportMetric(ips, "images/s")
				b.ReportMetric(ips*float64(m.Info().FLOPs*max(1, cfg.Classes))*1e-9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkConvSample draws batches of 1 and 64 samples (a new seed each
// time; the batch split over the cores) and reports samples/s and µs per
// sample.
func BenchmarkConvSample(b *testing.B) {
	for i, cfg := range convBenchConfigs {
		rng := rand.New(rand.NewPCG(uint64(i), 52))
		m, err := New(cfg, randomConv(rng, cfg).w)
		if err != nil {
			b.Fatal(err)
		}
		for _, B := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/%s/batch%d", kernels.Active(), convBenchName(cfg), B), func(b *testing.B) {
				x := make([]float32, B*cfg.Dims)
				ctx := context.Background()
				b.ReportAllocs()
				seed := uint64(0)
				for b.Loop() {
					seed++
					if err := m.Sample(ctx, x, SampleOptions{Seed: seed}); err != nil {
						b.Fatal(err)
					}
				}
				sps := float64(b.N*B) / b.Elapsed().Seconds()
				b.ReportMetric(sps, "samples/s")
				b.ReportMetric(1e6/sps, "µs/sample")
			})
		}
	}
}
