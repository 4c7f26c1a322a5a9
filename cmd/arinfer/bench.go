package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/kernels"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "[--model m.arw]", stdout)
	model := fs.String("model", "", "model `file` (.arw); default: the embedded MNIST model")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, name, err := openModel(*model)
	if err != nil {
		return err
	}
	info := m.Info()
	fmt.Fprintf(stdout, "model:   %s (%s, %d dims, %d parameters)\n", name, info.Arch, info.Dims, info.Params)
	fmt.Fprintf(stdout, "kernels: %s (available: %v)\n", kernels.Describe(), kernels.Available())
	fmt.Fprintf(stdout, "cores:   %d (GOMAXPROCS)\n", runtime.GOMAXPROCS(0))
	if seq, ok := m.(engine.Sequence); ok {
		return benchSequence(ctx, seq, stdout)
	}

	n := 2000
	if info.Classes > 0 || info.Arch == "pixelcnn" || info.Arch == "gatedpixelcnn" {
		n = 256 // a convolutional pass costs far more than a dense one
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*info.Dims)
	for i := range x {
		x[i] = float32(rng.IntN(2))
	}
	out := make([]float64, n)
	var best time.Duration
	for r := 0; r < 3; r++ {
		t0 := time.Now()
		if err := m.LogProb(ctx, x, out); err != nil {
			return err
		}
		if d := time.Since(t0); r == 0 || d < best {
			best = d
		}
	}
	what := ""
	if info.Classes > 0 {
		what = ", log sum_y p(y) p(x|y)"
	}
	fmt.Fprintf(stdout, "score:   %.0f images/s (batch %d, all cores%s)\n", float64(n)/best.Seconds(), n, what)
	if cc, ok := m.(engine.ClassConditional); ok {
		labels := make([]int, n)
		for i := range labels {
			labels[i] = i % info.Classes
		}
		for r := 0; r < 3; r++ {
			t0 := time.Now()
			if err := cc.LogProbGiven(ctx, x, labels, out); err != nil {
				return err
			}
			if d := time.Since(t0); r == 0 || d < best {
				best = d
			}
		}
		fmt.Fprintf(stdout, "score:   %.0f images/s given their class, log p(x|y) (batch %d, all cores)\n", float64(n)/best.Seconds(), n)
	}
	for _, B := range []int{1, 64} {
		buf := make([]float32, B*info.Dims)
		seed := uint64(0)
		var serr error
		res := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				seed++
				if err := m.Sample(ctx, buf, engine.SampleOptions{Seed: seed}); err != nil {
					serr = err
					b.SkipNow()
				}
			}
		})
		if serr != nil {
			return serr
		}
		where := "one core"
		if B > 1 {
			where = "up to all cores" // MADE, NADE and the image models spread a batch's examples over the cores
		}
		fmt.Fprintf(stdout, "sample:  %.0f samples/s at batch %d (%s, %d allocs/op)\n",
			float64(B)/(float64(res.NsPerOp())*1e-9), B, where, res.AllocsPerOp())
	}
	return nil
}

// benchSequence measures a sequence model (wavenet) per step: scoring one
// 16000-step sequence on all cores, and generating at batch 1 (one core)
// and 8 (all cores), as samples/s and, for an audio model, as a real-time
// factor.
func benchSequence(ctx context.Context, seq engine.Sequence, stdout io.Writer) error {
	info := seq.Info()
	rtf := func(sps float64) string {
		if info.SampleRate == 0 {
			return ""
		}
		return fmt.Sprintf(", %.2fx real time at %d Hz", sps/float64(info.SampleRate), info.SampleRate)
	}
	const T = 16000
	m, err := seq.WithLength(T)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, T)
	for i := range x {
		x[i] = float32(rng.IntN(info.Categories))
	}
	var out [1]float64
	var best time.Duration
	for r := 0; r < 3; r++ {
		t0 := time.Now()
		if err := m.LogProb(ctx, x, out[:]); err != nil {
			return err
		}
		if d := time.Since(t0); r == 0 || d < best {
			best = d
		}
	}
	sps := T / best.Seconds()
	fmt.Fprintf(stdout, "score:   %.0f samples/s (one %d-step sequence, all cores%s)\n", sps, T, rtf(sps))
	const G = 2000
	if m, err = seq.WithLength(G); err != nil {
		return err
	}
	for _, B := range []int{1, 8} {
		buf := make([]float32, B*G)
		seed := uint64(1)
		sample := func() error {
			seed++
			return m.Sample(ctx, buf, engine.SampleOptions{Seed: seed})
		}
		if err := sample(); err != nil { // warm-up: workspaces
			return err
		}
		allocs := testing.AllocsPerRun(1, func() { _ = sample() })
		best = 0
		for r := 0; r < 3; r++ {
			t0 := time.Now()
			if err := sample(); err != nil {
				return err
			}
			if d := time.Since(t0); r == 0 || d < best {
				best = d
			}
		}
		where := "one core"
		if B > 1 {
			where = "streams split over the cores"
		}
		sps := float64(B*G) / best.Seconds()
		fmt.Fprintf(stdout, "sample:  %.0f samples/s at batch %d (%s%s, %g allocs/sample)\n", sps, B, where, rtf(sps), allocs/float64(B*G))
	}
	return nil
}
