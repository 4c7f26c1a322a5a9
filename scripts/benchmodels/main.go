// Command benchmodels measures shipped models side by side with PyTorch on
// the same machine in one run, and prints the markdown tables that
// BENCHMARKS.md quotes:
//
//	go run ./scripts/benchmodels models/mnist-fvsbn.arw models/mnist-nade.arw ...
//
// For each model: scoring throughput over the binarized MNIST test set on
// all cores (arinfer and PyTorch with the same number of threads),
// sampling throughput at batch 1 and 64 (medians of -reps benchmarks;
// arinfer's cached sampler against PyTorch's loop that runs the whole
// network once per pixel), the limit
// (one masked forward pass per sample at this core's measured FMA peak),
// and allocations per sample and per scored image.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/internal/benchfmt"
	"github.com/arinfer/arinfer/internal/fmapeak"
	"github.com/arinfer/arinfer/kernels"
	"github.com/arinfer/arinfer/mnist"
)

type torchResult struct {
	Model    string  `json:"model"`
	Score    float64 `json:"score_images_per_s"`
	SampleB1 float64 `json:"sample_loop_b1_samples_per_s"`
	Sample64 float64 `json:"sample_loop_b64_samples_per_s"`
	Coretype string  `json:"openblas_coretype"`
	Threads  int     `json:"threads"`
	Flush    bool    `json:"flush_denormal"`
}

func main() {
	python := flag.Bool("python", true, "also run PyTorch (python/bench_models.py) in the same run")
	coretype := flag.String("coretype", "", "OPENBLAS_CORETYPE for PyTorch (default: SkylakeX on AVX-512, else Haswell)")
	reps := flag.Int("reps", 5, "repetitions of the scoring pass and of each sampling benchmark (medians are reported)")
	flag.Parse()
	paths := flag.Args()
	if len(paths) == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchmodels [flags] model.arw ...")
		os.Exit(2)
	}
	if *coretype == "" {
		*coretype = "Haswell"
		if slices.Contains(kernels.Available(), kernels.AVX512) {
			*coretype = "SkylakeX"
		}
	}
	peak := fmapeak.YMM()
	if kernels.Active() == kernels.AVX512 {
		peak = fmapeak.ZMM()
	}
	fmt.Printf("CPU: %s; %s; GOMAXPROCS=%d; measured FMA peak (%s, one core): %.1f GFLOP/s\n\n",
		benchfmt.CPUName(), kernels.Describe(), runtime.GOMAXPROCS(0), kernels.Active(), peak.GFLOPS)

	dir, err := mnist.Locate()
	check(err)
	test, err := mnist.Binarized(dir, mnist.Test)
	check(err)
	x := test.Float32()

	torch := map[string]torchResult{}
	if *python {
		torch = runTorch(paths, *coretype)
	}

	fmt.Println("| model | params | arinfer score (images/s) | PyTorch score (images/s) | ratio | allocs/image |")
	fmt.Println("|---|---|---|---|---|---|")
	type sampleRow struct {
		name    string
		b1, b64 float64
		allocs  float64
		limit   float64
		t1, t64 float64
	}
	var rows []sampleRow
	for _, p := range paths {
		m, err := engine.Open(p)
		check(err)
		info := m.Info()
		out := make([]float64, test.N)
		ctx := context.Background()
		var times []float64
		for r := 0; r < *reps; r++ {
			t0 := time.Now()
			check(m.LogProb(ctx, x, out))
			times = append(times, time.Since(t0).Seconds())
		}
		slices.Sort(times)
		score := float64(test.N) / times[len(times)/2]
		small := x[:100*info.Dims]
		allocs := testing.AllocsPerRun(5, func() { check(m.LogProb(ctx, small, out[:100])) }) / 100
		tr := torch[p]
		fmt.Printf("| %s | %d | %.0f | %s | %s | %g |\n", p, info.Params, score, benchfmt.Num(tr.Score), benchfmt.Ratio(score, tr.Score), allocs)

		sr := sampleRow{name: p, limit: peak.GFLOPS * 1e9 / float64(info.FLOPs), t1: tr.SampleB1, t64: tr.Sample64}
		for _, B := range []int{1, 64} {
			buf := make([]float32, B*info.Dims)
			seed := uint64(0)
			// The machine is shared and noisy: the median of reps
			// benchmarks, each about a second of sampling.
			var ns []float64
			var allocs int64
			for r := 0; r < *reps; r++ {
				res := testing.Benchmark(func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						seed++
						check(m.Sample(ctx, buf, engine.SampleOptions{Seed: seed}))
					}
				})
				ns = append(ns, float64(res.T.Nanoseconds())/float64(res.N))
				allocs = max(allocs, res.AllocsPerOp())
			}
			slices.Sort(ns)
			rate := float64(B) / (ns[len(ns)/2] * 1e-9)
			if B == 1 {
				sr.b1, sr.allocs = rate, float64(allocs)
			} else {
				sr.b64 = rate
			}
		}
		rows = append(rows, sr)
	}
	fmt.Println()
	fmt.Println("| model | arinfer b=1 (samples/s) | PyTorch loop b=1 | speed-up | arinfer b=64 | PyTorch loop b=64 | speed-up | limit (samples/s, one pass at FMA peak) | b=1 / limit | allocs/sample |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %.0f | %s | %s | %.0f | %s | %s | %.0f | %.2f | %g |\n", r.name, r.b1, benchfmt.Num(r.t1), benchfmt.Ratio(r.b1, r.t1),
			r.b64, benchfmt.Num(r.t64), benchfmt.Ratio(r.b64, r.t64), r.limit, r.b1/r.limit, r.allocs)
	}
	if *python {
		for _, p := range paths {
			t := torch[p]
			fmt.Printf("\nPyTorch: OPENBLAS_CORETYPE=%s, %d threads, flush denormals %v\n", t.Coretype, t.Threads, t.Flush)
			break
		}
	}
}

func runTorch(paths []string, coretype string) map[string]torchResult {
	args := append([]string{"python/bench_models.py", "--threads", fmt.Sprint(runtime.GOMAXPROCS(0))}, paths...)
	cmd := exec.Command("/usr/bin/python3", args...)
	cmd.Env = benchfmt.TorchEnv(coretype) // OPENBLAS_L2_SIZE unset
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	check(err)
	res := map[string]torchResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r torchResult
		check(json.Unmarshal(sc.Bytes(), &r))
		res[r.Model] = r
	}
	return res
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchmodels:", err)
		os.Exit(1)
	}
}
