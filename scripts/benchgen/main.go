// Command benchgen measures generation as a value (issue 14) on the
// shipped models in one run and prints the markdown tables BENCHMARKS.md
// quotes:
//
//	go run ./scripts/benchgen [-reps 5] [-models models/mnist-gated.arw,...] [-speech models/speech-wavenet.arw]
//
// For each image model: completing 64 variants of one half-image (the top
// 14 rows of a digit the model drew itself) as 64 independent generators
// (engine.Generate of 64 copies, each stream computing the known rows)
// against the known rows computed once and forked into 64 (Generate,
// Fork, Next); the saving against the known rows' share of the
// independent run (the time of Generate alone over the whole run); and
// Sample of the 64 copies, the batch path, for reference. For the
// speech WaveNet the same with 32 streams continuing a 1-second prime of
// the corpus's first test recording by 0.25 s. Then, per model, the size
// of a one-stream state halfway through, the time to save
// (MarshalBinary) and restore it against one step of one stream, and the
// allocations per step. Medians of -reps runs (each after a garbage
// collection, outside its time), on ONE core
// (GOMAXPROCS=1): the fork saves work, and one core shows the work
// without the difference between a batch that Sample splits over the
// cores and a generator, whose Next runs its streams on one goroutine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arinfer/arinfer/audio"
	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/internal/benchfmt"
	"github.com/arinfer/arinfer/kernels"
)

func main() {
	reps := flag.Int("reps", 5, "repetitions of each measurement (medians are reported)")
	models := flag.String("models", "models/mnist-fvsbn.arw,models/mnist-nade.arw,models/mnist-made.arw,models/mnist-lstm.arw,models/mnist-gated.arw,models/mnist-wavenet.arw", "comma-separated image models")
	speech := flag.String("speech", "models/speech-wavenet.arw", "speech WaveNet (its 1-second prime is the first recording of data/speech/test/*/; empty: skipped)")
	flag.Parse()
	if flag.NArg() != 0 || *reps < 1 {
		fmt.Fprintln(os.Stderr, "usage: benchgen [-reps 5] [-models a.arw,b.arw] [-speech m.arw]")
		os.Exit(2)
	}
	paths := strings.Split(*models, ",")
	for _, p := range append(paths, *speech) {
		if p != "" {
			_, err := os.Stat(p)
			check(err)
		}
	}
	var prime []int16
	if *speech != "" {
		wavs, _ := filepath.Glob("data/speech/test/*/*.wav")
		if len(wavs) == 0 {
			check(errors.New("no data/speech/test/*/*.wav (scripts/make-speech-corpus.sh makes them); or -speech ''"))
		}
		p, err := audio.ReadWAVFile(wavs[0])
		check(err)
		if len(p.Samples) < 16000 {
			check(fmt.Errorf("%s is shorter than 1 s", wavs[0]))
		}
		prime = p.Samples[:16000]
	}
	runtime.GOMAXPROCS(1)
	fmt.Printf("CPU: %s; %s; GOMAXPROCS=%d (one core)\n\n", benchfmt.CPUName(), kernels.Describe(), runtime.GOMAXPROCS(0))
	ctx := context.Background()

	type stateRow struct {
		name                      string
		bytes                     int
		save, restore, step, allc float64
	}
	var states []stateRow
	fmt.Println("| model | prefix | streams | independent generators (ms) | prefix once + fork (ms) | saving | prefix's share of the independent run | saving / share | Sample of the batch (ms) |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, p := range paths {
		m, err := engine.Open(p)
		check(err)
		info := m.Info()
		D := info.Dims
		// The half-image: the top half of a digit the model drew.
		digit := make([]float32, D)
		check(m.Sample(ctx, digit, engine.SampleOptions{Seed: 1}))
		kn := D / 2
		known := make([]bool, D)
		for d := range known[:kn] {
			known[d] = true
		}
		var labels []int
		if info.Classes > 0 {
			labels = make([]int, 64)
		}
		row, err := forkRow(ctx, m, digit, known, kn, 64, labels, *reps)
		if errors.Is(err, engine.ErrNoGenerator) {
			fmt.Printf("| %s | no generator yet | | | | | | | |\n", p)
			continue
		}
		check(err)
		fmt.Printf("| %s | %d of %d pixels | 64 | %s |\n", p, kn, D, row)
		sr, err := stateCost(ctx, m, digit, *reps)
		check(err)
		sr.name = p
		states = append(states, stateRow(sr))
	}
	if *speech != "" {
		m, err := engine.Open(*speech)
		check(err)
		const T = 16000 + 4000
		mt, err := m.(engine.Sequence).WithLength(T)
		check(err)
		x := make([]float32, T)
		check(audio.EncodeCodes(x[:16000], prime, m.Info().Categories))
		known := make([]bool, T)
		for i := range known[:16000] {
			known[i] = true
		}
		labels := make([]int, 32)
		row, err := forkRow(ctx, mt, x, known, 16000, 32, labels, *reps)
		check(err)
		fmt.Printf("| %s | 1 s prime, 0.25 s more | 32 | %s |\n", *speech, row)
		sr, err := stateCost(ctx, mt, x, *reps)
		check(err)
		sr.name = *speech + " (1.25 s)"
		states = append(states, stateRow(sr))
	}
	fmt.Println()
	fmt.Println("| model | state of 1 stream halfway (bytes) | save (µs) | restore (µs) | one step of 1 stream (µs) | save / step | restore / step | allocs per step |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, s := range states {
		fmt.Printf("| %s | %d | %.1f | %.1f | %.2f | %.1f | %.1f | %g |\n", s.name, s.bytes, s.save*1e6, s.restore*1e6, s.step*1e6,
			s.save/s.step, s.restore/s.step, s.allc)
	}
}

// forkRow times n completions of the known steps of x (one example) as
// n independent generators (engine.Generate of n copies, each computing
// the known steps) against one generator forked into n, and returns the
// table cells: both, the saving, the known steps' share of the
// independent run (the time of Generate alone), their ratio, and Sample
// of the n copies (the batch path) for reference.
func forkRow(ctx context.Context, m engine.Model, x []float32, known []bool, kn, n int, labels []int, reps int) (string, error) {
	D := m.Info().Dims
	xs := make([]float32, n*D)
	for e := 0; e < n; e++ {
		copy(xs[e*D:e*D+kn], x[:kn])
	}
	opt := engine.SampleOptions{Seed: 7, Known: known, Labels: labels}
	if _, err := engine.Generate(ctx, m, xs, opt); err != nil {
		return "", err
	}
	prefix := median(reps, func() {
		_, err := engine.Generate(ctx, m, xs, opt)
		check(err)
	})
	indep := median(reps, func() {
		g, err := engine.Generate(ctx, m, xs, opt)
		check(err)
		for _, err := range engine.Steps(ctx, g) {
			check(err)
		}
	})
	one := opt
	if labels != nil {
		one.Labels = labels[:1]
	}
	fork := median(reps, func() {
		g, err := engine.Generate(ctx, m, x, one)
		check(err)
		f, err := g.Fork(n, 7)
		check(err)
		for _, err := range engine.Steps(ctx, f) {
			check(err)
		}
	})
	sample := median(reps, func() {
		buf := append([]float32(nil), xs...)
		check(m.Sample(ctx, buf, opt))
	})
	saving := 1 - fork/indep
	share := prefix * float64(n-1) / float64(n) / indep
	return fmt.Sprintf("%.1f | %.1f | %.0f%% | %.0f%% | %.2f | %.1f", indep*1e3, fork*1e3, 100*saving, 100*share, saving/share, sample*1e3), nil
}

// stateCost saves and restores a one-stream generator of m halfway
// through (the known first half of x given) and times it against a step.
func stateCost(ctx context.Context, m engine.Model, x []float32, reps int) (struct {
	name                      string
	bytes                     int
	save, restore, step, allc float64
}, error) {
	var r struct {
		name                      string
		bytes                     int
		save, restore, step, allc float64
	}
	D := m.Info().Dims
	known := make([]bool, D)
	for d := range known[:D/2] {
		known[d] = true
	}
	opt := engine.SampleOptions{Seed: 3, Known: known}
	if m.Info().Classes > 0 {
		opt.Labels = []int{0}
	}
	g, err := engine.Generate(ctx, m, x[:D], opt)
	if err != nil {
		return r, err
	}
	state, err := g.MarshalBinary()
	if err != nil {
		return r, err
	}
	r.bytes = len(state)
	const inner = 200
	r.save = median(reps, func() {
		for range inner {
			_, err := g.MarshalBinary()
			check(err)
		}
	}) / inner
	r.restore = median(reps, func() {
		for range inner {
			_, err := engine.Restore(m, state)
			check(err)
		}
	}) / inner
	steps := min(200, D-g.Pos()-1)
	t0 := time.Now()
	r.allc = testing.AllocsPerRun(steps, func() {
		_, err := g.Next(ctx)
		check(err)
	})
	r.step = time.Since(t0).Seconds() / float64(steps+1)
	return r, nil
}

// median runs f reps times after one warm-up, each run after a garbage
// collection (outside the timing, so that a run does not pay for the
// previous one's garbage), and returns the median time in seconds.
func median(reps int, f func()) float64 {
	f()
	ts := make([]float64, reps)
	for i := range ts {
		runtime.GC()
		t0 := time.Now()
		f()
		ts[i] = time.Since(t0).Seconds()
	}
	slices.Sort(ts)
	return ts[len(ts)/2]
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}
