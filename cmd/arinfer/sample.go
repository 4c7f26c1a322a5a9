package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/arinfer/arinfer"
	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/kernels"
)

// openModel opens the model at path, or the embedded default model when
// path is empty, and returns it with a name to show.
func openModel(path string) (engine.Model, string, error) {
	return openModelOptions(path, engine.Options{})
}

// openModelOptions is openModel with build options (the embedded default
// model is built with the defaults).
func openModelOptions(path string, o engine.Options) (engine.Model, string, error) {
	if path == "" {
		m, err := arinfer.Default()
		return m, arinfer.DefaultName, err
	}
	m, err := engine.OpenOptions(path, o)
	if err != nil {
		return nil, "", usageError{err}
	}
	return m, path, nil
}

func runSample(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sample", "[--model m.arw] [-n 16] [-o samples.png] [--class 7] [--complete digit.png --rows 14] [--stream]\n"+
		"       arinfer sample --model speech.arw [--seconds 2] [-o out.wav | -o -] [--prime in.wav] [--class 1] [--save-state gen.ars]\n"+
		"       arinfer sample --model speech.arw --resume gen.ars [-o out.wav | -o -] [--save-state gen.ars]", stdout)
	model := fs.String("model", "", "model `file` (.arw); default: the embedded MNIST model")
	n := fs.Int("n", 16, "number of samples (audio: recordings, default 1)")
	out := fs.String("o", "samples.png", "output PNG `file`; for an audio model a WAV file (default sample.wav; with -n > 1, out-1.wav …), or - for raw 16-bit little-endian PCM on stdout as it is generated")
	seed := fs.Uint64("seed", 1, "random seed")
	temp := fs.Float64("temperature", 1, "sampling temperature in (0, 100]")
	batch := fs.Int("batch", 64, "samples drawn per batch")
	complete := fs.String("complete", "", "complete this PNG `image`: keep its top --rows rows and sample the rest")
	rows := fs.Int("rows", 14, "with --complete: number of top rows to keep")
	rule := binarizeSample
	fs.Var(&rule, "binarize", "with --complete: threshold, sample or none, the `rule` that turns the image's grey levels into the model's values, as score --binarize (see score --help)")
	class := fs.Int("class", -1, "class `label` of every sample, for a class-conditional model (default: each sample's class is drawn from the model's prior)")
	stream := fs.Bool("stream", false, "draw the first samples in the terminal as their pixels are generated")
	delay := fs.Duration("delay", 2*time.Millisecond, "with --stream: pause after each pixel so the order is visible")
	seconds := fs.Float64("seconds", 2, "audio model: `seconds` of audio to generate per stream, in (0, 3600]")
	prime := fs.String("prime", "", "audio model: continue this WAV `recording` (16-bit mono PCM at the model's rate); the output starts with it")
	weights := fs.String("weights", "f32", "wavenet: storage of the weights the generation step streams: f32, f16, bf16 or bf16dot (scoring is always float32)")
	saveState := fs.String("save-state", "", "audio model: write the generation's state to this `file` when it ends, done or interrupted (Ctrl-C), for --resume")
	resume := fs.String("resume", "", "audio model: continue the generation saved in this state `file` (--save-state) where it stopped")
	if err := parse(fs, args); err != nil {
		return err
	}
	wt, err := kernels.ParseWeightType(*weights)
	if err != nil {
		return badInput("--weights %q: want f32, f16, bf16 or bf16dot", *weights)
	}
	if *n < 1 || *n > 1<<16 {
		return badInput("-n %d: want 1..65536 samples", *n)
	}
	if *batch < 1 {
		return badInput("--batch %d: want at least 1", *batch)
	}
	if !(*temp > 0 && *temp <= 100) {
		return badInput("--temperature %v: want a value in (0, 100]", *temp)
	}
	m, _, err := openModelOptions(*model, engine.Options{StepWeights: wt})
	if err != nil {
		return err
	}
	info := m.Info()
	if info.SampleRate > 0 {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["n"] {
			*n = 1 // one recording unless asked
		}
		return sampleAudio(ctx, m, audioSampleFlags{out: *out, outSet: set["o"], n: *n, seed: *seed, temp: *temp,
			class: *class, seconds: *seconds, prime: *prime, saveState: *saveState, resume: *resume, set: set, progress: stderr}, stdout)
	}
	if *saveState != "" || *resume != "" {
		return badInput("--save-state and --resume: only audio models' generations are saved and resumed from the command line so far")
	}
	if *prime != "" {
		return badInput("--prime: the %s model is not an audio model (use --complete for images)", info.Arch)
	}
	if err := checkOutDir(*out); err != nil {
		return err
	}
	h, w, ok := imageSize(info.Shape)
	if !ok {
		return badInput("model data shape %v is not an image; sample writes PNG grids of 2-D images", info.Shape)
	}
	labels, err := classLabels(info, *class, min(*n, *batch))
	if err != nil {
		return err
	}
	D := info.Dims
	x := make([]float32, *n*D)
	var known []bool
	ruleSet := false
	fs.Visit(func(f *flag.Flag) { ruleSet = ruleSet || f.Name == "binarize" })
	if ruleSet && *complete == "" {
		return badInput("--binarize: applies to the image of --complete only")
	}
	if *complete != "" {
		if *rows < 0 || *rows > h {
			return badInput("--rows %d: want 0..%d", *rows, h)
		}
		img, err := readPNGValues(*complete, info, h, w, rule, ruleSet)
		if err != nil {
			return err
		}
		known = make([]bool, D)
		for d := 0; d < *rows*w; d++ {
			known[d] = true
		}
		for e := 0; e < *n; e++ {
			copy(x[e*D:e*D+*rows*w], img)
		}
	}
	var view *streamView
	if *stream {
		view = newStreamView(stdout, h, w, info.Categories, min(*n, *batch), isTerminal(stdout), *delay)
		for d, k := range known {
			if k {
				for e := 0; e < min(*n, maxStreamed); e++ {
					view.set(e, d, x[e*D+d])
				}
			}
		}
	}
	forked, err := completeByFork(ctx, m, x, *n, *batch, known, labels, *seed, *temp, view)
	if err != nil {
		return err
	}
	for i := 0; i < *n && !forked; i += *batch {
		j := min(i+*batch, *n)
		opt := engine.SampleOptions{Seed: *seed + uint64(i), Temperature: *temp, Known: known}
		if labels != nil {
			opt.Labels = labels[:j-i]
		}
		if view != nil && i == 0 {
			opt.OnStep = view.onStep
		}
		// Each batch draws from its own seed, so a sample depends only on
		// --seed, its index within its batch and --batch.
		if err := m.Sample(ctx, x[i*D:j*D], opt); err != nil {
			if known != nil && !errors.Is(err, context.Canceled) {
				return usageError{fmt.Errorf("--complete: %w", err)}
			}
			return err
		}
	}
	if view != nil {
		view.finish()
	}
	img := grid(x, *n, h, w, info.Categories)
	if err := writePNG(*out, img); err != nil {
		return err
	}
	what := ""
	if labels != nil {
		what = fmt.Sprintf(" of class %d", *class)
	}
	fmt.Fprintf(stdout, "wrote %d samples%s of %s (%dx%d) to %s\n", *n, what, info.Arch, h, w, *out)
	return nil
}

// completeByFork completes the n examples of x (all holding the same
// known rows) by computing the known rows once and forking: batch i
// (of --batch samples) is forked off in one piece per core, its stream k
// drawing from random stream k of seed+i, as the batch of a Sample call
// would. It reports false,
// leaving the work to Sample, when there is nothing to complete, when the
// architecture has no generator, or when each sample draws a latent of
// its own from the known rows (a class without --class, a mixture's
// component), which a fork would share.
func completeByFork(ctx context.Context, m engine.Model, x []float32, n, batch int, known []bool, labels []int, seed uint64, temp float64, view *streamView) (bool, error) {
	info := m.Info()
	if known == nil || (info.Classes > 0 && labels == nil) || info.Components > 1 {
		return false, nil
	}
	D := info.Dims
	opt := engine.SampleOptions{Seed: seed, Temperature: temp, Known: known}
	if labels != nil {
		opt.Labels = labels[:1]
	}
	parent, err := engine.Generate(ctx, m, x[:D], opt)
	if errors.Is(err, engine.ErrNoGenerator) {
		return false, nil
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return false, err
		}
		return false, usageError{fmt.Errorf("--complete: %w", err)}
	}
	// Batch i forks its streams off the parent in one piece per core
	// (ForkStreams: the same random streams as one fork), run at once.
	pieces := runtime.GOMAXPROCS(0)
	if view != nil {
		pieces = 1 // the view draws the first batch's streams as they come
	}
	for i := 0; i < n; i += batch {
		k := min(batch, n-i)
		parts := min(pieces, k)
		errs := make([]error, parts)
		var wg sync.WaitGroup
		for p := 0; p < parts; p++ {
			lo, hi := p*k/parts, (p+1)*k/parts
			f, err := engine.ForkStreams(parent, hi-lo, seed+uint64(i), lo)
			if err != nil {
				return false, err
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for st, err := range engine.Steps(ctx, f) {
					if err != nil {
						errs[p] = err
						return
					}
					if view != nil && i == 0 {
						view.onStep(st)
					}
				}
				copy(x[(i+lo)*D:(i+hi)*D], f.Values())
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return false, err
		}
	}
	return true, nil
}

// imageSize reads (height, width) from a [H W] or [1 H W] data shape.
func imageSize(shape []int) (int, int, bool) {
	switch {
	case len(shape) == 2:
		return shape[0], shape[1], true
	case len(shape) == 3 && shape[0] == 1:
		return shape[1], shape[2], true
	}
	return 0, 0, false
}

// checkOutDir fails unless the output file's directory exists.
func checkOutDir(path string) error {
	if path == "" {
		return badInput("-o: empty output path")
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return badInput("-o %s: directory %s does not exist", path, dir)
	}
	return nil
}

const (
	cellScale = 2 // each pixel is drawn as a 2x2 block
	cellGap   = 2 // pixels between cells
)

// grid lays n images of h x w, with values 0..k-1 (black to white), out
// in a near-square grid.
func grid(x []float32, n, h, w, k int) *image.Gray {
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	cw, ch := w*cellScale+cellGap, h*cellScale+cellGap
	img := image.NewGray(image.Rect(0, 0, cols*cw+cellGap, rows*ch+cellGap))
	for i := range img.Pix {
		img.Pix[i] = 96 // gap colour
	}
	for s := 0; s < n; s++ {
		ox, oy := cellGap+(s%cols)*cw, cellGap+(s/cols)*ch
		for r := 0; r < h*cellScale; r++ {
			for c := 0; c < w*cellScale; c++ {
				v := x[s*h*w+(r/cellScale)*w+c/cellScale]
				img.SetGray(ox+c, oy+r, color.Gray{Y: uint8(max(0, min(1, v/float32(k-1)))*255 + 0.5)})
			}
		}
	}
	return img
}

// writePNG writes img to path through a temporary file in the same
// directory, so a failure leaves no partial output.
func writePNG(path string, img image.Image) error {
	return writeAtomic(path, "-o", ".png", func(w io.Writer) error { return png.Encode(w, img) })
}

// writeAtomic writes a file through write into a temporary file in the
// same directory, renamed to path when all went well, so a failure
// leaves no partial output (and an older file whole); flag names the
// option the path came from for the error.
func writeAtomic(path, flag, ext string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".arinfer-*"+ext)
	if err != nil {
		return usageError{fmt.Errorf("%s %s: %w", flag, path, err)}
	}
	tmp := f.Name()
	err = f.Chmod(0o644) // CreateTemp makes 0600; an output file is for sharing
	if err == nil {
		err = write(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
