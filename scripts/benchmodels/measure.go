package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/arinfer/arinfer/engine"
)

// scoreResult is arinfer's scoring of the test images.
type scoreResult struct {
	images int     // test images scored per pass
	rate   float64 // images per second, median of the passes
	allocs float64 // allocations per scored image
}

// measureScore scores the first n test images reps times on all cores and
// takes the median. n is every image of x, or, for a model so slow that a
// pass over all of them would take longer than budget (a class-conditional
// model scores once per class), as many as a pass does in budget, at least
// 100; the rate is measured first on 100 images (after a warm-up pass).
func measureScore(ctx context.Context, m engine.Model, x []float32, reps int, budget time.Duration) (scoreResult, error) {
	D := m.Info().Dims
	total := len(x) / D
	out := make([]float64, total)
	probe := min(100, total)
	var perImage time.Duration
	for range 2 { // the first pass warms up, the second is timed
		t0 := time.Now()
		if err := m.LogProb(ctx, x[:probe*D], out[:probe]); err != nil {
			return scoreResult{}, err
		}
		perImage = time.Since(t0) / time.Duration(probe)
	}
	n := total
	if perImage*time.Duration(total) > budget {
		n = max(probe, min(total, int(budget/max(perImage, 1))))
	}
	var times []float64
	for range max(reps, 1) {
		t0 := time.Now()
		if err := m.LogProb(ctx, x[:n*D], out[:n]); err != nil {
			return scoreResult{}, err
		}
		times = append(times, time.Since(t0).Seconds())
	}
	slices.Sort(times)
	res := scoreResult{images: n, rate: float64(n) / times[len(times)/2]}
	small := max(1, min(100, n/10))
	var err error
	res.allocs = testing.AllocsPerRun(5, func() {
		if e := m.LogProb(ctx, x[:small*D], out[:small]); e != nil {
			err = e
		}
	}) / float64(small)
	return res, err
}

// measureSample returns arinfer's sampling rate (samples per second,
// median of reps benchmarks of about a second each) at batch B, and the
// most allocations per Sample call any of them saw.
func measureSample(ctx context.Context, m engine.Model, B, reps int) (float64, int64, error) {
	buf := make([]float32, B*m.Info().Dims)
	seed := uint64(0)
	var ns []float64
	var allocs int64
	var err error
	for range max(reps, 1) {
		res := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				seed++
				if e := m.Sample(ctx, buf, engine.SampleOptions{Seed: seed}); e != nil && err == nil {
					err = e
				}
			}
		})
		if err != nil {
			return 0, 0, err
		}
		ns = append(ns, float64(res.T.Nanoseconds())/float64(res.N))
		allocs = max(allocs, res.AllocsPerOp())
	}
	slices.Sort(ns)
	return float64(B) / (ns[len(ns)/2] * 1e-9), allocs, nil
}
