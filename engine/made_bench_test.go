package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/arinfer/arinfer/kernels"
)

// shippedMADEs are the MADEs in ../models.
var shippedMADEs = []string{"made", "default", "made32"}

// BenchmarkMADEOpen measures what a command-line call pays before its
// first sample: opening a shipped MADE and drawing one sample.
func BenchmarkMADEOpen(b *testing.B) {
	for _, name := range shippedMADEs {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m, err := Open("../models/mnist-" + name + ".arw")
				if err != nil {
					b.Fatal(err)
				}
				x := make([]float32, m.Info().Dims)
				if err := m.Sample(context.Background(), x, SampleOptions{Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMADEScoreShipped scores batches of random binary images with the
// shipped MADEs on all cores and reports images/s.
func BenchmarkMADEScoreShipped(b *testing.B) {
	for _, name := range shippedMADEs {
		m, err := Open("../models/mnist-" + name + ".arw")
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 9))
		for _, B := range []int{1, 1000} {
			b.Run(fmt.Sprintf("%s/%s/batch%d", kernels.Active(), name, B), func(b *testing.B) {
				x := randBinary(rng, B*m.Info().Dims)
				out := make([]float64, B)
				ctx := context.Background()
				b.ReportAllocs()
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
