// Command benchprod measures, in one run, the production figures issue 15
// asks of every shipped model, with the CLI built twice: at a "before"
// commit and from the working tree ("after"):
//
//	go run ./scripts/benchprod [-before 9c71bc3] [-after HEAD] [-reps 5] [-target 2s] [-net]
//	    [-images N] [-samples N] [-wavs K] [-seconds S] [-streams 1]
//	    [-speech data/speech] [model.arw ...]
//
// Without arguments it measures every models/*.arw. For each model, in
// fresh processes of each binary: the resident memory after load and after
// the first sample, the wall time of the load and of load plus the first
// sample, and the scoring and sampling throughput of one CLI process; the
// table's legend says what each column times. Each figure is the median of
// -reps runs, the two binaries' runs interleaved (before, after, before,
// after, ...) so drift hits both, and printed with its min..max so the
// run-to-run noise is visible beside every ratio.
//
// Before anything long it checks its flags and models, resolves -before,
// builds both binaries (a commit's tree from git archive into a temporary
// directory; without -after, the working tree as it is; the models and
// data always come from the current tree) and
// loads the MNIST test split. Then it fixes each model's workload (the
// sizes the flags give, or sized from pilot runs of the after binary to
// take about -target each), prints the plan with an estimate of the run's
// length, and prints each model's table row as soon as it is measured.
//
// An audio model scores the test recordings of the corpus
// scripts/make-speech-corpus.sh writes (-speech; the first K, interleaving
// the voices) or, without it, recordings the after binary draws from the
// model first (said in the plan).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"time"

	"github.com/arinfer/arinfer/internal/benchfmt"
	"github.com/arinfer/arinfer/kernels"
)

func main() {
	beforeRev := flag.String("before", "9c71bc3", "the `commit` the before binary is built at")
	afterRev := flag.String("after", "", "the `commit` the after binary is built at (default: the working tree, uncommitted changes included)")
	reps := flag.Int("reps", 5, "fresh processes per figure and binary; medians are reported with their min..max")
	tgt := flag.Duration("target", 2*time.Second, "time a scoring or sampling run should take beyond its load, for the sizes left at 0")
	images := flag.Int("images", 0, "binarized MNIST test images per scoring run, 1..10000 (0: sized to -target)")
	samples := flag.Int("samples", 0, "samples per sampling run of an image model (0: sized to -target, at least 64)")
	wavs := flag.Int("wavs", 0, "recordings per scoring run of an audio model (0: sized to -target)")
	seconds := flag.Float64("seconds", 0, "seconds of audio per stream per sampling run of an audio model, up to 3600 (0: sized to -target)")
	streams := flag.Int("streams", 1, "streams per sampling run of an audio model (sample -n)")
	speech := flag.String("speech", "data/speech", "speech corpus `dir` (scripts/make-speech-corpus.sh) whose test recordings an audio model scores")
	net := flag.Bool("net", false, "throughput over wall time less the same binary's load run in the same rep (default: the whole process's wall time)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/benchprod [flags] [model.arw ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	o := opts{reps: *reps, target: tgt.Seconds(), images: *images, samples: *samples, wavs: *wavs,
		seconds: *seconds, streams: *streams, net: *net}
	switch {
	case o.reps < 1:
		usage("-reps must be at least 1")
	case o.target <= 0:
		usage("-target must be positive")
	case o.images < 0 || o.images > maxImages:
		usage(fmt.Sprintf("-images must be in 0..%d", maxImages))
	case o.samples < 0:
		usage("-samples must not be negative")
	case o.wavs < 0:
		usage("-wavs must not be negative")
	case o.seconds < 0 || o.seconds > maxSeconds:
		usage(fmt.Sprintf("-seconds must be in 0..%g", float64(maxSeconds)))
	case o.streams < 1:
		usage("-streams must be at least 1")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	// Model paths are taken relative to where the command runs; the rest
	// from the repository root.
	root, err := git(ctx, "rev-parse", "--show-toplevel")
	check(err)
	jobs, skips, err := checkModels(modelArgs(root), root)
	if err != nil {
		usage(err.Error())
	}
	if len(jobs) == 0 {
		usage("no model to measure")
	}
	check(os.Chdir(root))
	speechDir, err := filepath.Abs(*speech)
	check(err)
	oldHash, err := commit(ctx, *beforeRev)
	if err != nil || oldHash == "" {
		usage(fmt.Sprintf("-before %s: not a commit here", *beforeRev))
	}
	var tree, newHash string
	if *afterRev == "" {
		tree, err = describeTree(ctx)
		check(err)
	} else {
		if newHash, err = commit(ctx, *afterRev); err != nil || newHash == "" {
			usage(fmt.Sprintf("-after %s: not a commit here", *afterRev))
		}
		tree = fmt.Sprintf("%s (%s)", *afterRev, newHash[:12])
	}
	tmp, err := os.MkdirTemp("", "benchprod")
	check(err)
	defer os.RemoveAll(tmp)
	d := &data{dir: tmp}
	if err := runAll(ctx, jobs, skips, d, o, oldHash, *beforeRev, newHash, tree, root, speechDir); err != nil {
		os.RemoveAll(tmp)
		check(err)
	}
}

// runAll builds the binaries, plans and measures.
func runAll(ctx context.Context, jobs []*job, skips []skip, d *data, o opts, oldHash, oldRev, newHash, tree, root, speechDir string) error {
	images, audio := 0, 0
	for _, j := range jobs {
		if j.audio() {
			audio++
		} else {
			images++
		}
	}
	if err := checkTime(ctx, d.dir); err != nil {
		return err
	}
	if images > 0 {
		if err := d.loadMNIST(); err != nil {
			return err
		}
	}
	progress("building the before binary at %s", oldHash[:12])
	old, err := buildAt(ctx, oldHash, d.dir, "arinfer-before")
	if err != nil {
		return err
	}
	progress("building the after binary from %s", tree)
	var cur string
	if newHash == "" {
		cur, err = buildTree(ctx, root, d.dir, "arinfer-after")
	} else {
		cur, err = buildAt(ctx, newHash, d.dir, "arinfer-after")
	}
	if err != nil {
		return err
	}
	bins := [2]string{before: old, after: cur}
	if audio > 0 {
		if d.wavs = speechTest(speechDir); len(d.wavs) > 0 {
			d.wavOf = fmt.Sprintf("the %d test recordings in %s, in sentence order, the voices interleaved", len(d.wavs), speechDir)
		} else {
			for _, j := range jobs {
				if j.audio() {
					progress("%s: no speech corpus in %s; drawing recordings to score", j.path, speechDir)
					if err := d.generateWAVs(ctx, cur, j, 8); err != nil {
						return err
					}
					break
				}
			}
		}
	}

	var total float64
	for _, j := range jobs {
		progress("%s: pilot runs", j.path)
		if err := plan(ctx, old, cur, j, d, o); err != nil {
			return err
		}
		total += j.est
	}
	fmt.Printf("Before: %s (%s); after: %s.\n", oldRev, oldHash[:12], tree)
	fmt.Printf("CPU: %s; %s; GOMAXPROCS=%d (the binaries use every core)\n", benchfmt.CPUName(), kernels.Describe(), runtime.NumCPU())
	fmt.Printf("%d reps per figure; a scoring or sampling run sized to about %.1f s where no size is given.\n", o.reps, o.target)
	if audio > 0 {
		fmt.Printf("Audio recordings scored: %s.\n", d.wavOf)
	}
	fmt.Println("Plan:")
	for _, j := range jobs {
		fmt.Printf("- %s (%s, %.2f MB): ", j.path, j.arch, j.size)
		if j.audio() {
			fmt.Printf("score %d WAV(s) (%.1f s), sample %d x %g s", len(j.wavs), j.wavSec, j.streams, j.seconds)
		} else {
			fmt.Printf("score %d images, sample %d", j.images, j.samples)
		}
		fmt.Printf("; about %.0f s", j.est)
		if j.noOld != "" {
			fmt.Printf("; after only: the before binary cannot open it (%s)", j.noOld)
		}
		fmt.Println()
	}
	for _, s := range skips {
		fmt.Printf("- %s: skipped, %s\n", s.path, s.why)
	}
	fmt.Printf("Estimated: %.1f min.\n\n", total/60)

	fl, err := floor(ctx, bins, o.reps)
	if err != nil {
		return err
	}
	fmt.Printf("Process floor (arinfer --help, no model): %s ms before, %s ms after.\n\n",
		fl[before].spread(func(v float64) string { return fmt.Sprintf("%.0f", v) }),
		fl[after].spread(func(v float64) string { return fmt.Sprintf("%.0f", v) }))
	fmt.Println(legend)
	if o.net {
		fmt.Println("- -net: score/s and sample/s divide by the wall time less the same rep's load run of the same binary.")
	}
	fmt.Println()
	fmt.Println(header())
	t0 := time.Now()
	for _, j := range jobs {
		f, err := measure(ctx, bins, j, d, o)
		if err != nil {
			return err
		}
		fmt.Println(row(j, f))
	}
	progress("measured in %.1f min", time.Since(t0).Minutes())
	return nil
}

// modelArgs returns the models named on the command line, or every
// models/*.arw of the repository.
func modelArgs(root string) []string {
	if flag.NArg() > 0 {
		return flag.Args()
	}
	paths, _ := filepath.Glob(filepath.Join(root, "models", "*.arw"))
	return paths
}

// usage reports a problem with the arguments and exits with status 2.
func usage(msg string) {
	fmt.Fprintln(os.Stderr, "benchprod:", msg)
	fmt.Fprintln(os.Stderr, "Run 'go run ./scripts/benchprod -h' for usage.")
	os.Exit(2)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchprod:", err)
		os.Exit(1)
	}
}
