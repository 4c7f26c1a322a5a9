// Command benchrnn measures an lstm/gru .arw model in arinfer: scoring
// throughput on binarized MNIST test images and streaming sampling, with
// allocations per step. scripts/bench-rnn.sh runs it beside the PyTorch
// step loop (scripts/bench_rnn.py) and prints the table of BENCHMARKS.md.
//
//	go run ./scripts/benchrnn -model models/mnist-lstm.arw -threads 1
//
// Output: one "key value" line per measurement (medians over -reps).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/kernels"
	"github.com/arinfer/arinfer/mnist"
)

func main() {
	path := flag.String("model", "models/mnist-lstm.arw", "lstm/gru .arw model over 784 binary dimensions")
	n := flag.Int("n", 500, "test images scored per repetition")
	reps := flag.Int("reps", 5, "repetitions (the median is printed)")
	samples := flag.Int("samples", 20, "samples per repetition at batch 1")
	threads := flag.Int("threads", 1, "GOMAXPROCS")
	flag.Parse()
	if err := run(*path, *n, *reps, *samples, *threads); err != nil {
		fmt.Fprintln(os.Stderr, "benchrnn:", err)
		os.Exit(1)
	}
}

// cpuSeconds is the process's user+system CPU time: on a loaded machine
// it measures the work of a single-threaded run better than wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func run(path string, n, reps, samples, threads int) error {
	runtime.GOMAXPROCS(threads)
	if err := kernels.EnvError(); err != nil {
		return err
	}
	m, err := engine.Open(path)
	if err != nil {
		return err
	}
	info := m.Info()
	D := info.Dims
	fmt.Printf("model %s arch=%s dims=%d params=%d\n", path, info.Arch, D, info.Params)
	fmt.Printf("tier %s\nthreads %d\n", kernels.Describe(), threads)
	dir, err := mnist.Locate()
	if err != nil {
		return err
	}
	test, err := mnist.Binarized(dir, mnist.Test)
	if err != nil {
		return err
	}
	if D != len(test.Image(0)) {
		return fmt.Errorf("model has %d dimensions, MNIST images %d", D, len(test.Image(0)))
	}
	x := test.Float32()[:n*D]
	out := make([]float64, n)
	ctx := context.Background()

	// Scoring: n images per call.
	if err := m.LogProb(ctx, x, out); err != nil { // warm-up (pools, pages)
		return err
	}
	var nll float64
	for _, v := range out {
		nll -= v
	}
	fmt.Printf("score_nll_first%d %.4f\n", n, nll/float64(n))
	var rates, cpuRates []float64
	for r := 0; r < reps; r++ {
		t0, c0 := time.Now(), cpuSeconds()
		if err := m.LogProb(ctx, x, out); err != nil {
			return err
		}
		rates = append(rates, float64(n)/time.Since(t0).Seconds())
		cpuRates = append(cpuRates, float64(n)/(cpuSeconds()-c0))
	}
	fmt.Printf("score_images_per_s %.1f\n", median(rates))
	fmt.Printf("score_images_per_cpu_s %.1f\n", median(cpuRates))

	// Sampling at batch 1 and batch 16.
	for _, B := range []int{1, 16} {
		s := make([]float32, B*D)
		if err := m.Sample(ctx, s, engine.SampleOptions{Seed: 1}); err != nil {
			return err
		}
		if err := m.Sample(ctx, s, engine.SampleOptions{Seed: 2}); err != nil {
			return err
		}
		per, cpuPer := make([]float64, 0, reps), make([]float64, 0, reps) // no allocation inside the measured loop
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mallocs := ms.Mallocs
		total := 0
		for r := 0; r < reps; r++ {
			k := max(1, samples/B)
			t0, c0 := time.Now(), cpuSeconds()
			for i := 0; i < k; i++ {
				if err := m.Sample(ctx, s, engine.SampleOptions{Seed: uint64(r*k + i)}); err != nil {
					return err
				}
			}
			per = append(per, time.Since(t0).Seconds()/float64(k*B))
			cpuPer = append(cpuPer, (cpuSeconds()-c0)/float64(k*B))
			total += k
		}
		runtime.ReadMemStats(&ms)
		fmt.Printf("sample_b%d_ms_per_sample %.3f\n", B, 1e3*median(per))
		fmt.Printf("sample_b%d_cpu_ms_per_sample %.3f\n", B, 1e3*median(cpuPer))
		fmt.Printf("sample_b%d_us_per_step %.2f\n", B, 1e6*median(per)*float64(B)/float64(D))
		fmt.Printf("sample_b%d_allocs_per_step %.4f\n", B, float64(ms.Mallocs-mallocs)/float64(total*D))
	}
	return nil
}
