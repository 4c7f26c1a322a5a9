// Command benchmodels measures shipped models side by side with PyTorch on
// the same machine in one run, and prints the markdown tables that
// BENCHMARKS.md quotes:
//
//	go run ./scripts/benchmodels [-reps 5] [model.arw ...]
//
// Without arguments it measures every models/*.arw. Before anything long
// runs it checks every argument (the file exists and loads; an error names
// every bad path and exits with status 2) and prints its plan: the models
// it measures, the ones it leaves out and why (an audio model, data that
// are not 784-pixel images), and for which models PyTorch runs beside
// arinfer. PyTorch (python/bench_models.py, which rebuilds fvsbn, nade and
// made) runs for those architectures only; lstm/gru, the image models and
// wavenet are measured in arinfer alone here, and the plan names the
// script that compares each with its own PyTorch peer.
//
// For each model: scoring throughput over the binarized MNIST test set on
// all cores (all 10,000 images, or for a model slower than -score-seconds
// per pass as many as it scores in that time; PyTorch with the same number
// of threads and images), sampling throughput at batch 1 and 64 (medians
// of -reps benchmarks; arinfer's cached sampler against PyTorch's loop that
// runs the whole network once per pixel), the limit (one masked forward
// pass per sample at this core's measured FMA peak), and allocations per
// sample and per scored image. Each table row is printed as soon as its
// model is measured: the scoring table first, then the sampling table.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/internal/benchfmt"
	"github.com/arinfer/arinfer/internal/fmapeak"
	"github.com/arinfer/arinfer/kernels"
	"github.com/arinfer/arinfer/mnist"
)

func main() {
	python := flag.Bool("python", true, "also run PyTorch (python/bench_models.py) in the same run, for fvsbn, nade and made")
	coretype := flag.String("coretype", "", "OPENBLAS_CORETYPE for PyTorch (default: SkylakeX on AVX-512, else Haswell)")
	reps := flag.Int("reps", 5, "repetitions of the scoring pass and of each sampling benchmark (medians are reported; PyTorch repeats min(reps, 3) times)")
	budget := flag.Duration("score-seconds", 20*time.Second, "longest scoring pass: a slower model scores fewer test images (at least 100)")
	flag.Parse()
	if *reps < 1 {
		usage("-reps must be at least 1")
	}
	paths := flag.Args()
	if len(paths) == 0 {
		if paths = defaultModels(); len(paths) == 0 {
			usage("no model given and no models/*.arw here")
		}
	}

	// Everything that can fail fast, before the first long measurement.
	jobs, skips, err := checkArgs(paths, *python)
	if err != nil {
		usage(err.Error())
	}
	if len(jobs) == 0 {
		for _, s := range skips {
			fmt.Fprintf(os.Stderr, "benchmodels: %s: skipped, %s\n", s.path, s.why)
		}
		usage("no model left to measure")
	}
	if slices.ContainsFunc(jobs, func(j job) bool { return j.torch }) {
		if err := checkTorch(); err != nil {
			usage(err.Error())
		}
	}
	dir, err := mnist.Locate()
	check(err)
	test, err := mnist.Binarized(dir, mnist.Test)
	check(err)
	x := test.Float32()

	fmt.Println("Plan:")
	for _, j := range jobs {
		peer := "arinfer and PyTorch"
		if !j.torch {
			peer = "arinfer only"
		}
		fmt.Printf("- %s (%s): %s", j.path, j.info.Arch, peer)
		if j.note != "" {
			fmt.Printf(" (%s)", j.note)
		}
		fmt.Println()
	}
	for _, s := range skips {
		fmt.Printf("- %s: skipped, %s\n", s.path, s.why)
	}
	fmt.Println()

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

	ctx := context.Background()
	torch := map[string]torchResult{}
	fmt.Println("| model | params | test images | arinfer score (images/s) | PyTorch score (images/s) | ratio | allocs/image |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, j := range jobs {
		progress("%s: scoring", j.path)
		m, err := engine.Open(j.path)
		check(err)
		sc, err := measureScore(ctx, m, x, *reps, *budget)
		check(err)
		var tr torchResult
		if j.torch {
			progress("%s: PyTorch (%d test images, sampling loop at batch 1 and 64)", j.path, sc.images)
			if tr, err = runTorch(j.path, *coretype, runtime.GOMAXPROCS(0), sc.images, min(*reps, 3)); err != nil {
				// The arguments were checked; a failure here costs this
				// model's PyTorch columns, not the run.
				fmt.Fprintln(os.Stderr, "benchmodels: PyTorch failed, its columns stay empty:", err)
			}
			torch[j.path] = tr
		}
		fmt.Printf("| %s | %d | %d | %.0f | %s | %s | %g |\n", j.path, j.info.Params, sc.images, sc.rate,
			benchfmt.Num(tr.Score), benchfmt.Ratio(sc.rate, tr.Score), sc.allocs)
	}

	fmt.Println()
	fmt.Println("| model | arinfer b=1 (samples/s) | PyTorch loop b=1 | speed-up | arinfer b=64 | PyTorch loop b=64 | speed-up | limit (samples/s, one pass at FMA peak) | b=1 / limit | allocs/sample |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, j := range jobs {
		progress("%s: sampling at batch 1 and 64", j.path)
		m, err := engine.Open(j.path)
		check(err)
		b1, allocs, err := measureSample(ctx, m, 1, *reps)
		check(err)
		b64, _, err := measureSample(ctx, m, 64, *reps)
		check(err)
		tr := torch[j.path]
		limit, ofLimit := "-", "-" // a model that does not report its FLOPs has no limit
		if j.info.FLOPs > 0 {
			l := peak.GFLOPS * 1e9 / float64(j.info.FLOPs)
			limit, ofLimit = fmt.Sprintf("%.0f", l), fmt.Sprintf("%.2f", b1/l)
		}
		fmt.Printf("| %s | %.0f | %s | %s | %.0f | %s | %s | %s | %s | %d |\n", j.path, b1, benchfmt.Num(tr.SampleB1), benchfmt.Ratio(b1, tr.SampleB1),
			b64, benchfmt.Num(tr.Sample64), benchfmt.Ratio(b64, tr.Sample64), limit, ofLimit, allocs)
	}
	for _, tr := range torch {
		if tr.Threads != 0 {
			fmt.Printf("\nPyTorch: OPENBLAS_CORETYPE=%s, %d threads, flush denormals %v\n", tr.Coretype, tr.Threads, tr.Flush)
			break
		}
	}
}

// progress says on stderr what the run is measuring now, so a long step
// shows which model it is on.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchmodels: "+format+"\n", args...)
}

// usage reports a problem with the arguments and exits with status 2.
func usage(msg string) {
	fmt.Fprintln(os.Stderr, "benchmodels:", msg)
	fmt.Fprintln(os.Stderr, "usage: go run ./scripts/benchmodels [-reps n] [-python=false] [model.arw ...]")
	os.Exit(2)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchmodels:", err)
		os.Exit(1)
	}
}
