package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/arinfer/arinfer/kernels"
)

// BenchmarkRNNStep times one recurrent step of B examples on both paths,
// one GEMV per example and layer ("gemv") and one GEMM of the batch on the
// packed weights ("gemm"), for the shipped LSTM's size (H = 64, E = 16) and
// a larger one (H = 256, two layers): the batch from which "gemm" wins is
// rnnGemmMin. Reported per example and step.
//
//	go test -run '^$' -bench RNNStep ./engine/
func BenchmarkRNNStep(b *testing.B) {
	b.Logf("%s", kernels.Describe())
	for _, cfg := range []Config{
		{Arch: "lstm", Dims: 784, Hidden: []int{64}, Embed: 16},
		{Arch: "lstm", Dims: 784, Hidden: []int{256, 256}, Embed: 16},
		{Arch: "gru", Dims: 784, Hidden: []int{256, 256}, Embed: 16},
	} {
		r := randomRNN(rand.New(rand.NewPCG(1, 2)), cfg)
		mm, err := New(r.cfg, r.w)
		if err != nil {
			b.Fatal(err)
		}
		m := mm.(*rnn)
		for _, B := range []int{1, 2, 4, 8, 16, 32, 64} {
			for _, path := range []string{"gemv", "gemm"} {
				name := fmt.Sprintf("%s-H%dx%d/B%d/%s", cfg.Arch, cfg.Hidden[0], len(cfg.Hidden), B, path)
				b.Run(name, func(b *testing.B) {
					prev := rnnGemmMin
					defer func() { rnnGemmMin = prev }()
					rnnGemmMin = 1 << 30 // gemv
					if path == "gemm" {
						rnnGemmMin = 1
					}
					ws := new(rnnWork)
					m.prepare(ws, B)
					m.step(ws, B) // pack, size the pool buffers
					b.ReportAllocs()
					for b.Loop() {
						m.step(ws, B)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*B), "ns/example")
				})
			}
		}
	}
}
