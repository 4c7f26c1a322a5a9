package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/arinfer/arinfer/kernels"
)

// MNIST-sized models with random weights: the cost of scoring and sampling
// does not depend on the values, so these stand for the shipped models.
var benchConfigs = []Config{
	{Arch: "fvsbn", Dims: 784, Shape: []int{28, 28}},
	{Arch: "nade", Dims: 784, Shape: []int{28, 28}, Hidden: []int{500}},
	{Arch: "made", Dims: 784, Shape: []int{28, 28}, Hidden: []int{500}},
	{Arch: "made", Dims: 784, Shape: []int{28, 28}, Hidden: []int{1000, 1000}, Masks: 8},
}

func benchName(c Config) string {
	s := c.Arch
	for _, h := range c.Hidden {
		s += fmt.Sprintf("-%d", h)
	}
	if c.Masks > 1 {
		s += fmt.Sprintf("-k%d", c.Masks)
	}
	return s
}

// BenchmarkLogProb scores batches of binary images on all cores and
// reports images/s.
func BenchmarkLogProb(b *testing.B) {
	for i, cfg := range benchConfigs {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		m, err := New(cfg, randomModel(rng, cfg).w)
		if err != nil {
			b.Fatal(err)
		}
		for _, B := range []int{1, 64, 1000} {
			b.Run(fmt.Sprintf("%s/%s/batch%d", kernels.Active(), benchName(cfg), B), func(b *testing.B) {
				x := randBinary(rng, B*cfg.Dims)
				out := make([]float64, B)
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					if err := m.LogProb(ctx, x, out); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*B)/b.Elapsed().Seconds(), "images/s")
			})
		}
	}
}

// BenchmarkSample draws batches of samples (batch 1 on one core; MADE and
// NADE spread a larger batch over the cores) and reports samples/s.
func BenchmarkSample(b *testing.B) {
	for i, cfg := range benchConfigs {
		rng := rand.New(rand.NewPCG(uint64(i), 8))
		m, err := New(cfg, randomModel(rng, cfg).w)
		if err != nil {
			b.Fatal(err)
		}
		benchSample(b, m, benchName(cfg))
	}
}

// benchSample draws batches of 1 and 64 samples from m (a new seed each
// time) and reports samples/s.
func benchSample(b *testing.B, m Model, name string) {
	for _, B := range []int{1, 64} {
		b.Run(fmt.Sprintf("%s/%s/batch%d", kernels.Active(), name, B), func(b *testing.B) {
			x := make([]float32, B*m.Info().Dims)
			ctx := context.Background()
			b.ReportAllocs()
			seed := uint64(0)
			for b.Loop() {
				seed++
				if err := m.Sample(ctx, x, SampleOptions{Seed: seed}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*B)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkSampleShipped samples the trained models in ../models: the push
// samplers' cost depends on how sparse the samples are, which random
// weights do not reproduce.
func BenchmarkSampleShipped(b *testing.B) {
	for _, name := range []string{"fvsbn", "nade", "made", "default", "made32"} {
		m, err := Open("../models/mnist-" + name + ".arw")
		if err != nil {
			b.Fatal(err)
		}
		benchSample(b, m, name)
	}
}
