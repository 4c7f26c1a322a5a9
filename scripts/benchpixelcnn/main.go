// Command benchpixelcnn measures an image model (pixelcnn, gatedpixelcnn)
// side by side with PyTorch on the same machine in one run and prints the
// markdown tables BENCHMARKS.md quotes:
//
//	go run ./scripts/benchpixelcnn models/mnist-gated.arw
//
// Tables: scoring binarized MNIST test images (given their labels, and the
// unconditional likelihood of a class-conditional model) on all cores
// against PyTorch with as many threads; generation at batch 1 and 64
// (arinfer's cached generator against PyTorch's loop that reruns the network
// for every pixel, and against arinfer's own per-image scoring time); the
// model's convolutions at batch 64 against PyTorch's conv2d and the
// measured FMA peak; allocations per scored image and per generated image.
// PyTorch runs python/bench_pixelcnn.py with OPENBLAS_CORETYPE set and
// OPENBLAS_L2_SIZE unset for that command only.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/format"
	"github.com/arinfer/arinfer/internal/benchfmt"
	"github.com/arinfer/arinfer/internal/fmapeak"
	"github.com/arinfer/arinfer/kernels"
	"github.com/arinfer/arinfer/mnist"
)

type torchConv struct {
	Layer  string  `json:"layer"`
	GFLOPS float64 `json:"useful_gflops"`
}

type torchResult struct {
	Score         float64     `json:"score_images_per_s"`
	ScoreMarginal float64     `json:"score_marginal_images_per_s"`
	LoopB1        float64     `json:"loop_b1_s_per_image"`
	LoopB64       float64     `json:"loop_b64_s_per_image"`
	Conv          []torchConv `json:"conv"`
	Threads       int         `json:"threads"`
	Coretype      string      `json:"openblas_coretype"`
	L2Size        string      `json:"openblas_l2_size"`
	MKLDNN        bool        `json:"mkldnn"`
}

func main() {
	python := flag.Bool("python", true, "also run PyTorch (python/bench_pixelcnn.py) in the same run")
	coretype := flag.String("coretype", "", "OPENBLAS_CORETYPE for PyTorch (default: SkylakeX on AVX-512, else Haswell)")
	reps := flag.Int("reps", 5, "repetitions of each measurement (medians are reported)")
	nScore := flag.Int("n", 2000, "test images scored per repetition")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchpixelcnn [flags] model.arw")
		os.Exit(2)
	}
	path := flag.Arg(0)
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

	f, err := format.Open(path)
	check(err)
	hdr := f.Header()
	f.Close()
	m, err := engine.Open(path)
	check(err)
	info := m.Info()
	cc, _ := m.(engine.ClassConditional)

	dir, err := mnist.Locate()
	check(err)
	test, err := mnist.Binarized(dir, mnist.Test)
	check(err)
	n := min(*nScore, test.N)
	x := test.Float32()[:n*info.Dims]
	labels := make([]int, n)
	for i := range labels {
		labels[i] = int(test.Labels[i])
	}

	var tr torchResult
	if *python {
		tr = runTorch(path, *coretype, *nScore)
	}
	ctx := context.Background()
	out := make([]float64, n)

	// Scoring.
	scoreGiven := func() {
		if cc != nil {
			check(cc.LogProbGiven(ctx, x, labels, out))
		} else {
			check(m.LogProb(ctx, x, out))
		}
	}
	given := float64(n) / benchfmt.Median(*reps, scoreGiven)
	fmt.Printf("Model %s: %s %v, %d parameters, %d useful FLOPs per image, classes %d\n\n", path, info.Arch, info.Shape, info.Params, info.FLOPs, info.Classes)
	fmt.Println("| scoring (all cores) | arinfer (images/s) | PyTorch (images/s) | ratio | allocs/image |")
	fmt.Println("|---|---|---|---|---|")
	small := x[:64*info.Dims]
	allocs := testing.AllocsPerRun(3, func() {
		if cc != nil {
			check(cc.LogProbGiven(ctx, small, labels[:64], out[:64]))
		} else {
			check(m.LogProb(ctx, small, out[:64]))
		}
	}) / 64
	what := "log p(x)"
	if cc != nil {
		what = "log p(x | y), true labels"
	}
	fmt.Printf("| %s | %.0f | %s | %s | %g |\n", what, given, benchfmt.Num(tr.Score), benchfmt.Ratio(given, tr.Score), allocs)
	if cc != nil {
		nm := n / 4
		marg := float64(nm) / benchfmt.Median(max(1, *reps/2), func() { check(m.LogProb(ctx, x[:nm*info.Dims], out[:nm])) })
		fmt.Printf("| log p(x) = log sum_y p(y) p(x | y) | %.0f | %s | %s | |\n", marg, benchfmt.Num(tr.ScoreMarginal), benchfmt.Ratio(marg, tr.ScoreMarginal))
	}
	scoredPerImage := 1 / given

	// Generation.
	fmt.Println()
	fmt.Println("| generation | arinfer (ms/image) | PyTorch rerun loop (ms/image) | speed-up | arinfer scoring (ms/image) | generated / scored | allocs/image |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, B := range []int{1, 64} {
		buf := make([]float32, B*info.Dims)
		var lab []int
		if info.Classes > 0 {
			lab = make([]int, B)
			for i := range lab {
				lab[i] = 7
			}
		}
		seed := uint64(0)
		sample := func() {
			seed++
			check(m.Sample(ctx, buf, engine.SampleOptions{Seed: seed, Labels: lab}))
		}
		// Steady state: the workspaces exist after the first call.
		al := testing.AllocsPerRun(2, sample)
		var ns []float64
		for r := 0; r < *reps; r++ {
			res := testing.Benchmark(func(b *testing.B) {
				for b.Loop() {
					sample()
				}
			})
			ns = append(ns, float64(res.T.Nanoseconds())/float64(res.N))
		}
		slices.Sort(ns)
		perImage := ns[len(ns)/2] * 1e-9 / float64(B)
		loop := tr.LoopB1
		if B == 64 {
			loop = tr.LoopB64
		}
		fmt.Printf("| batch %d | %.3f | %s | %s | %.3f | %.2f | %g |\n", B, perImage*1e3, benchfmt.Num(loop*1e3), benchfmt.Ratio(loop, perImage),
			scoredPerImage*1e3, perImage/scoredPerImage, al/float64(B))
	}

	// Convolutions at batch 64.
	fmt.Println()
	fmt.Printf("| layer (batch 64, %dx%d) | arinfer one core (GFLOP/s) | of peak | arinfer both cores (GFLOP/s) | PyTorch conv2d, %d threads (GFLOP/s) | ratio (both cores) |\n", info.Shape[0], info.Shape[1], tr.Threads)
	fmt.Println("|---|---|---|---|---|---|")
	for i, l := range convLayers(hdr) {
		one, two := timeConv(l, info.Shape[0], info.Shape[1], *reps)
		pt := 0.0
		if i < len(tr.Conv) {
			pt = tr.Conv[i].GFLOPS
		}
		fmt.Printf("| %s | %.1f | %.0f%% | %.1f | %s | %s |\n", l.name, one, 100*one/peak.GFLOPS, two, benchfmt.Num(pt), benchfmt.Ratio(two, pt))
	}
	if *python {
		fmt.Printf("\nPyTorch: %d threads, OPENBLAS_CORETYPE=%s, OPENBLAS_L2_SIZE=%q (unset), oneDNN %v\n", tr.Threads, tr.Coretype, tr.L2Size, tr.MKLDNN)
	}
}

type convLayer struct {
	name      string
	cin, cout int
	kh, kw    int
	ay, ax    int
	keep      func(a, b int) bool
}

// convLayers lists the model's convolution shapes in the order
// python/bench_pixelcnn.py times them.
func convLayers(h format.Header) []convLayer {
	F, k := h.Channels, h.KernelSize
	n := (k - 1) / 2
	if h.Arch == format.GatedPixelCNN {
		return []convLayer{
			{fmt.Sprintf("vertical %dx%d %d->%d", n+1, k, F, 2*F), F, 2 * F, n + 1, k, n, n, nil},
			{fmt.Sprintf("horizontal 1x%d %d->%d", n+1, F, 2*F), F, 2 * F, 1, n + 1, 0, n, nil},
			{fmt.Sprintf("1x1 %d->%d", 2*F, 2*F), 2 * F, 2 * F, 1, 1, 0, 0, nil},
			{fmt.Sprintf("1x1 %d->%d", F, F), F, F, 1, 1, 0, 0, nil},
		}
	}
	maskB := func(a, b int) bool { return a < n || a == n && b <= n }
	return []convLayer{{fmt.Sprintf("mask-B %dx%d %d->%d", k, k, F, F), F, F, k, k, n, n, maskB}}
}

// timeConv returns the useful GFLOP/s of the layer over 64 images on one
// core and on all cores (the images split evenly between goroutines).
func timeConv(l convLayer, H, W, reps int) (one, all float64) {
	const N = 64
	w := make([]float32, l.cout*l.cin*l.kh*l.kw)
	for i := range w {
		w[i] = float32(i%7-3) * 0.01
	}
	cw, err := kernels.NewConv(w, l.cout, l.cin, l.kh, l.kw, l.ay, l.ax, l.keep)
	check(err)
	in := kernels.Image{Data: make([]float32, N*H*W*l.cin), N: N, H: H, W: W, LD: l.cin, ImgStride: H * W * l.cin}
	out := kernels.Image{Data: make([]float32, N*H*W*l.cout), N: N, H: H, W: W, LD: l.cout, ImgStride: H * W * l.cout}
	for i := range in.Data {
		in.Data[i] = float32(i%5) * 0.1
	}
	flops := float64(cw.FLOPs()) * N * float64(H*W)
	one = flops / benchfmt.Median(reps, func() { kernels.Conv2D(cw, in, 0, H, out, nil, false) }) / 1e9
	p := runtime.GOMAXPROCS(0)
	all = flops / benchfmt.Median(reps, func() {
		var wg sync.WaitGroup
		for g := 0; g < p; g++ {
			lo, hi := g*N/p, (g+1)*N/p
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, b := in, out
				a.Data, a.N = in.Data[lo*in.ImgStride:hi*in.ImgStride], hi-lo
				b.Data, b.N = out.Data[lo*out.ImgStride:hi*out.ImgStride], hi-lo
				kernels.Conv2D(cw, a, 0, H, b, nil, false)
			}()
		}
		wg.Wait()
	}) / 1e9
	return one, all
}

func runTorch(path, coretype string, n int) torchResult {
	cmd := exec.Command("/usr/bin/python3", "python/bench_pixelcnn.py", "--threads", fmt.Sprint(runtime.GOMAXPROCS(0)),
		"--score-images", fmt.Sprint(n), path)
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
		fmt.Fprintln(os.Stderr, "benchpixelcnn:", err)
		os.Exit(1)
	}
}
