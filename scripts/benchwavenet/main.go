// Command benchwavenet measures WaveNet generation and scoring side by side
// with PyTorch on the same machine in one run and prints the markdown tables
// BENCHMARKS.md quotes:
//
//	go run ./scripts/benchwavenet [-speech models/speech-wavenet.arw] [-mnist models/mnist-wavenet.arw]
//
// The timing model has nv-wavenet's published size (20 layers, dilations
// 1..512 twice, R = G = 64, S = 256, O = 256, 256 mu-law outputs) with
// random weights (written to a temporary .arw that PyTorch reads too).
// Tables: single-stream generation on ONE core (GOMAXPROCS=1) for each
// storage of the step weights, as a real-time factor at 16 kHz, with the
// fraction of the measured FMA peak and of the measured read bandwidth of a
// weight-sized buffer; single-stream generation on TWO cores (the engine
// splits a step between them) against PyTorch at batch 1 on one and on
// two threads; batches of 8 and 32 streams on all cores; PyTorch's
// generation by rerunning the receptive field and by the same queue
// algorithm; scoring against PyTorch's conv1d, both as GFLOP/s against the
// FMA peak of the cores they run on; allocations per sample; and
// the shipped models' test NLL. PyTorch runs python/bench_wavenet.py with
// OPENBLAS_CORETYPE set and OPENBLAS_L2_SIZE unset for that command only.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/arinfer/arinfer/audio"
	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/format"
	"github.com/arinfer/arinfer/internal/benchfmt"
	"github.com/arinfer/arinfer/internal/fmapeak"
	"github.com/arinfer/arinfer/kernels"
	"github.com/arinfer/arinfer/mnist"
)

// The timing model: nv-wavenet's published size.
const (
	layers = 20
	R, G   = 64, 64
	S, O   = 256, 256
	K      = 256
	rate   = 16000
)

func dilations() []int {
	d := make([]int, layers)
	for i := range d {
		d[i] = 1 << (i % 10)
	}
	return d
}

// torchRow is one measurement of python/bench_wavenet.py.
type torchRow struct {
	Threads int     `json:"threads"`
	Batch   int     `json:"batch"`
	PerSec  float64 `json:"samples_per_s"`
}

// torchResult is what python/bench_wavenet.py prints.
type torchResult struct {
	Score    torchRow   `json:"score"`
	Rerun    torchRow   `json:"rerun"`
	Queue    []torchRow `json:"queue"`
	Torch    string     `json:"torch"`
	Coretype string     `json:"openblas_coretype"`
	L2Size   string     `json:"openblas_l2_size"`
	MKLDNN   bool       `json:"mkldnn"`
}

// queue returns PyTorch's queue-algorithm row for batch B (zero if
// absent): the first one, which for batch 1 is the one-thread row.
func (r torchResult) queue(B int) torchRow {
	for _, q := range r.Queue {
		if q.Batch == B {
			return q
		}
	}
	return torchRow{}
}

// queueOn returns PyTorch's queue-algorithm row for batch B on the given
// threads (zero if absent).
func (r torchResult) queueOn(B, threads int) torchRow {
	for _, q := range r.Queue {
		if q.Batch == B && q.Threads == threads {
			return q
		}
	}
	return torchRow{}
}

func main() {
	python := flag.Bool("python", true, "also run PyTorch (python/bench_wavenet.py) in the same run")
	coretype := flag.String("coretype", "", "OPENBLAS_CORETYPE for PyTorch (default: SkylakeX on AVX-512, else Haswell)")
	reps := flag.Int("reps", 5, "repetitions of each measurement (medians are reported)")
	genLen := flag.Int("samples", 8000, "samples generated per stream per repetition")
	speech := flag.String("speech", "", "shipped speech model to score on the corpus's test split (data/speech)")
	mnistModel := flag.String("mnist", "", "shipped MNIST WaveNet to score on binarized MNIST test")
	flag.Parse()
	if flag.NArg() != 0 || *reps < 1 || *genLen < 100 {
		fmt.Fprintln(os.Stderr, "usage: benchwavenet [-reps 5] [-samples 8000] [-python=false] [-speech m.arw] [-mnist m.arw]")
		os.Exit(2)
	}
	for _, p := range []string{*speech, *mnistModel} {
		if p != "" {
			_, err := os.Stat(p)
			check(err)
		}
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
	procs := runtime.GOMAXPROCS(0)
	fmt.Printf("CPU: %s; %s; GOMAXPROCS=%d; measured FMA peak (%s, one core): %.1f GFLOP/s\n\n",
		benchfmt.CPUName(), kernels.Describe(), procs, kernels.Active(), peak.GFLOPS)

	dir, err := os.MkdirTemp("", "benchwavenet")
	check(err)
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "nv-size.arw")
	writeModel(path)

	var tr torchResult
	if *python {
		tr = runTorch(path, *coretype, 2**reps-1)
		fmt.Printf("PyTorch %s: OPENBLAS_CORETYPE=%s, OPENBLAS_L2_SIZE=%q (unset), oneDNN %v; batch-1 rows on 1 thread, the others on %d\n\n",
			tr.Torch, tr.Coretype, tr.L2Size, tr.MKLDNN, tr.Score.Threads)
	}

	// Weights one generation step streams, and their useful FLOPs.
	var macs int
	for l := 0; l < layers; l++ {
		macs += 2 * G * 2 * R // dilated conv
		if l < layers-1 {
			macs += R * G // residual
		}
		macs += S * G // skip
	}
	macs += O*S + K*O
	flopsPerSample := 2 * float64(macs)
	fmt.Printf("Model: nv-wavenet size (%d layers, dilations 1..512 twice, R=G=%d, S=%d, O=%d, %d outputs, random weights): %d weights streamed per sample (%.2f MB in float32), %.2f MFLOP per sample\n\n",
		layers, R, S, O, K, macs, float64(macs)*4/1e6, flopsPerSample/1e6)

	// Read bandwidth of a buffer the size of the step weights, one core
	// (kernels.Dot streams it; best of reps): the ceiling of a
	// bandwidth-bound step.
	bw := func(bytes int) float64 {
		n := bytes / 4
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i], b[i] = 1, 1
		}
		t := benchfmt.Median(*reps, func() {
			for r := 0; r < 20; r++ {
				kernels.Dot(a, b)
			}
		})
		return 2 * float64(bytes) * 20 / t / 1e9 // two streams of bytes each
	}
	bw32, bw16 := bw(macs*4), bw(macs*2)

	ctx := context.Background()
	oneCore := map[kernels.WeightType]float64{}
	fmt.Println("| generation, 1 stream, ONE core | samples/s | real-time factor at 16 kHz | GFLOP/s | of FMA peak | weight GB/s | of read bandwidth | PyTorch queue, 1 thread (samples/s) | ratio | allocs/sample |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	runtime.GOMAXPROCS(1)
	for _, wt := range []kernels.WeightType{kernels.F32, kernels.F16, kernels.BF16, kernels.BF16Dot} {
		m := open(path, wt, *genLen)
		sps, allocs := genSpeed(ctx, m, 1, *genLen, *reps)
		oneCore[wt] = sps
		elem, ceil := 4.0, bw32
		if wt != kernels.F32 {
			elem, ceil = 2, bw16
		}
		gbs := sps * float64(macs) * elem / 1e9
		gf := sps * flopsPerSample / 1e9
		fmt.Printf("| %s weights | %.0f | %.2f | %.1f | %.0f%% | %.1f | %.0f%% of %.0f GB/s | %s | %s | %g |\n",
			wt, sps, sps/rate, gf, 100*gf/peak.GFLOPS, gbs, 100*gbs/ceil, ceil, benchfmt.Num(tr.queue(1).PerSec), benchfmt.Ratio(sps, tr.queue(1).PerSec), allocs)
	}
	runtime.GOMAXPROCS(procs)
	if procs >= 2 {
		// One stream on two cores: the residual chain on one, the skip
		// sums, head and draws on the other (engine/wavenet_duo.go).
		runtime.GOMAXPROCS(2)
		pt1, pt2 := tr.queue(1).PerSec, tr.queueOn(1, 2).PerSec
		fmt.Println()
		fmt.Println("| generation, 1 stream, TWO cores | samples/s | real-time factor at 16 kHz | against ONE core | PyTorch queue, 1 thread | ratio | PyTorch queue, 2 threads | ratio | allocs/sample |")
		fmt.Println("|---|---|---|---|---|---|---|---|---|")
		for _, wt := range []kernels.WeightType{kernels.F32, kernels.F16, kernels.BF16, kernels.BF16Dot} {
			m := open(path, wt, *genLen)
			sps, allocs := genSpeed(ctx, m, 1, *genLen, *reps)
			fmt.Printf("| %s weights | %.0f | %.2f | %.2fx | %s | %s | %s | %s | %g |\n", wt, sps, sps/rate, sps/oneCore[wt],
				benchfmt.Num(pt1), benchfmt.Ratio(sps, pt1), benchfmt.Num(pt2), benchfmt.Ratio(sps, pt2), allocs)
		}
		runtime.GOMAXPROCS(procs)
	}
	if tr.Rerun.PerSec > 0 {
		fmt.Printf("\nPyTorch rerunning the receptive field (2048 samples) for every sample, 1 thread: %.1f samples/s\n", tr.Rerun.PerSec)
	}

	fmt.Println()
	fmt.Printf("| generation, several streams, %d cores | weights | samples/s (all streams) | real-time factor | PyTorch queue, %d threads (samples/s) | ratio |\n", procs, tr.queue(8).Threads)
	fmt.Println("|---|---|---|---|---|---|")
	for _, B := range []int{8, 32} {
		for _, wt := range []kernels.WeightType{kernels.F32, kernels.F16} {
			T := *genLen / 4
			m := open(path, wt, T)
			sps, _ := genSpeed(ctx, m, B, T, max(1, *reps/2))
			pt := tr.queue(B).PerSec
			if wt != kernels.F32 {
				pt = 0
			}
			fmt.Printf("| batch %d | %s | %.0f | %.2f | %s | %s |\n", B, wt, sps, sps/rate, benchfmt.Num(pt), benchfmt.Ratio(sps, pt))
		}
	}

	// Scoring one 16000-sample sequence on all cores.
	m := open(path, kernels.F32, rate)
	x := make([]float32, rate)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range x {
		x[i] = float32(rng.IntN(K))
	}
	var out [1]float64
	score := func() { check(m.LogProb(ctx, x, out[:])) }
	sps := rate / benchfmt.Median(*reps, score)
	allocs := testing.AllocsPerRun(2, score)
	fmt.Println()
	// Both sides' useful GFLOP/s against the FMA peak of all the cores
	// they run on (the one-core peak times the cores): where that
	// fraction is high the ratio is bounded by how far PyTorch is from
	// the peak.
	all := peak.GFLOPS * float64(procs)
	ours, theirs := sps*flopsPerSample/1e9, tr.Score.PerSec*flopsPerSample/1e9
	fmt.Printf("| scoring a 16000-sample sequence, %d cores | samples/s | GFLOP/s, of %d-core FMA peak | PyTorch conv1d, %d threads (samples/s) | GFLOP/s, of %d-core FMA peak | ratio | allocs/sequence |\n",
		procs, procs, tr.Score.Threads, tr.Score.Threads)
	fmt.Println("|---|---|---|---|---|---|---|")
	fmt.Printf("| nv-wavenet size | %.0f | %.1f, %.0f%% | %s | %.1f, %.0f%% | %s | %g |\n", sps, ours, 100*ours/all,
		benchfmt.Num(tr.Score.PerSec), theirs, 100*theirs/(peak.GFLOPS*float64(tr.Score.Threads)), benchfmt.Ratio(sps, tr.Score.PerSec), allocs)

	if *speech != "" || *mnistModel != "" {
		fmt.Println()
		fmt.Println("| shipped model | test data | NLL | |")
		fmt.Println("|---|---|---|---|")
	}
	if *speech != "" {
		bits, secs := scoreSpeech(ctx, *speech)
		fmt.Printf("| %s | espeak-ng corpus test split (%.1f s) | %.3f bits per sample | |\n", *speech, secs, bits)
	}
	if *mnistModel != "" {
		nats := scoreMNIST(ctx, *mnistModel)
		fmt.Printf("| %s | binarized MNIST test (10000 images) | %.2f nats per image | |\n", *mnistModel, nats)
	}
}

// open builds the model at path with the given step weights, as a model of
// length-T sequences.
func open(path string, wt kernels.WeightType, T int) engine.Model {
	m, err := engine.OpenOptions(path, engine.Options{StepWeights: wt})
	check(err)
	mt, err := m.(engine.Sequence).WithLength(T)
	check(err)
	return mt
}

// genSpeed returns the samples per second of B streams generating T samples
// each (median of reps), and the allocations per generated sample.
func genSpeed(ctx context.Context, m engine.Model, B, T, reps int) (float64, float64) {
	if m.Info().Dims != T {
		check(fmt.Errorf("model of length %d timed as %d", m.Info().Dims, T))
	}
	x := make([]float32, B*T)
	seed := uint64(0)
	sample := func() {
		seed++
		check(m.Sample(ctx, x, engine.SampleOptions{Seed: seed}))
	}
	t := benchfmt.Median(reps, sample)
	allocs := testing.AllocsPerRun(1, sample)
	return float64(B*T) / t, allocs / float64(B*T)
}

// writeModel writes the timing model with random weights (uniform in
// ±1/sqrt(fan-in), like PyTorch's default initialisation) to path.
func writeModel(path string) {
	rng := rand.New(rand.NewPCG(13, 13))
	var ts []format.Tensor
	add := func(name string, fanIn int, shape ...int) {
		n := 1
		for _, s := range shape {
			n *= s
		}
		v := make([]float32, n)
		a := 1 / math.Sqrt(float64(fanIn))
		for i := range v {
			v[i] = float32((2*rng.Float64() - 1) * a)
		}
		ts = append(ts, format.Float32Tensor(name, shape, v))
	}
	add("in_w", 2*K, R, K, 2)
	add("in_b", 2*K, R)
	for l := 1; l <= layers; l++ {
		add(fmt.Sprintf("dil%d_w", l), 2*R, 2*G, R, 2)
		add(fmt.Sprintf("dil%d_b", l), 2*R, 2*G)
		if l < layers {
			add(fmt.Sprintf("res%d_w", l), G, R, G)
			add(fmt.Sprintf("res%d_b", l), G, R)
		}
		add(fmt.Sprintf("skip%d_w", l), G, S, G)
		add(fmt.Sprintf("skip%d_b", l), G, S)
	}
	add("head1_w", S, O, S)
	add("head1_b", S, O)
	add("head2_w", O, K, O)
	add("head2_b", O, K)
	h := format.Header{Arch: format.WaveNet, Dims: rate, Shape: []int{rate}, Dist: format.Categorical, Categories: K,
		Dilations: dilations(), ResidualChannels: R, GateChannels: G, SkipChannels: S, HeadChannels: O, SampleRate: rate}
	check(format.WriteFile(path, h, ts))
}

// scoreSpeech returns the test split's NLL in bits per sample under the
// (unconditional) model, and the seconds of audio scored.
func scoreSpeech(ctx context.Context, path string) (bits, secs float64) {
	m, err := engine.Open(path)
	check(err)
	files, err := filepath.Glob("data/speech/test/*/*.wav")
	check(err)
	if len(files) == 0 {
		check(fmt.Errorf("no test recordings under data/speech/test (run scripts/make-speech-corpus.sh)"))
	}
	var nats float64
	var n int
	for _, f := range files {
		p, err := audio.ReadWAVFile(f)
		check(err)
		mt, err := m.(engine.Sequence).WithLength(len(p.Samples))
		check(err)
		x := make([]float32, len(p.Samples))
		check(audio.EncodeCodes(x, p.Samples, m.Info().Categories))
		var ll [1]float64
		check(mt.LogProb(ctx, x, ll[:]))
		nats -= ll[0]
		n += len(p.Samples)
	}
	return nats / float64(n) / math.Ln2, float64(n) / float64(m.Info().SampleRate)
}

// scoreMNIST returns the mean NLL (nats per image) on binarized MNIST test.
func scoreMNIST(ctx context.Context, path string) float64 {
	m, err := engine.Open(path)
	check(err)
	dir, err := mnist.Locate()
	check(err)
	test, err := mnist.Binarized(dir, mnist.Test)
	check(err)
	out := make([]float64, test.N)
	check(m.LogProb(ctx, test.Float32(), out))
	var s float64
	for _, v := range out {
		s -= v
	}
	return s / float64(test.N)
}

// runTorch runs the PyTorch peer; its scoring time is the median of reps
// passes (PyTorch's conv1d on two threads varies by up to 5x from pass to
// pass here).
func runTorch(path, coretype string, reps int) torchResult {
	cmd := exec.Command("/usr/bin/python3", "python/bench_wavenet.py", "--model", path, "--reps", fmt.Sprint(reps),
		"--batch-threads", fmt.Sprint(runtime.GOMAXPROCS(0)), "--score-threads", fmt.Sprint(runtime.GOMAXPROCS(0)))
	cmd.Env = benchfmt.TorchEnv(coretype)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	check(err)
	var r torchResult
	check(json.Unmarshal(bytes.TrimSpace(out), &r))
	return r
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchwavenet:", strings.TrimSpace(err.Error()))
		os.Exit(1)
	}
}
