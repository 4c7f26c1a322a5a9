package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"syscall"
)

// scoreResult is what score prints; with --json, as one JSON object.
type scoreResult struct {
	Model      string  `json:"model"`
	Arch       string  `json:"arch"`
	Data       string  `json:"data"`
	N          int     `json:"n"`
	NLLNats    float64 `json:"nll_nats"`
	BitsPerDim float64 `json:"bits_per_dim"`      // for audio: bits per sample
	Samples    int     `json:"samples,omitempty"` // audio: samples scored in all
}

// exampleScore is one line of --per-example: one example's score.
type exampleScore struct {
	Index      int     `json:"index"`             // 0-based position in --data
	Source     string  `json:"source"`            // PNG or WAV path, idx-path:position, mnist:<split>:position
	NLLNats    float64 `json:"nll_nats"`          // -log p(x) in nats
	BitsPerDim float64 `json:"bits_per_dim"`      // nll_nats / D / ln 2; for audio: per sample
	Samples    int     `json:"samples,omitempty"` // audio: the recording's samples
}

// scoreBatch is the number of examples scored per call (and progress step).
const scoreBatch = 1000

// exampleWriter writes --per-example lines to stdout, a batch at a time.
type exampleWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

func newExampleWriter(stdout io.Writer) *exampleWriter {
	w := bufio.NewWriter(stdout)
	return &exampleWriter{w: w, enc: json.NewEncoder(w)}
}

// add buffers one line; flush writes the buffered lines out.
func (e *exampleWriter) add(s exampleScore) error { return e.enc.Encode(s) }

func (e *exampleWriter) flush() error {
	if err := e.w.Flush(); err != nil {
		if errors.Is(err, syscall.EPIPE) {
			return errBrokenPipe
		}
		return fmt.Errorf("writing the scores: %w", err)
	}
	return nil
}

func runScore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("score", "[--model m.arw] [--data mnist:test | --data clip.wav[,more.wav]] [--binarize sample|threshold|none] [--class y] [--per-example] [--json]", stdout)
	model := fs.String("model", "", "model `file` (.arw); default: the embedded MNIST model")
	data := fs.String("data", "mnist:test", "data: mnist:train|valid|test (MNIST; binarized as --binarize says), an IDX image file, or PNG files/directories (comma-separated); for an audio model WAV files or directories of them (comma-separated, 16-bit mono PCM at the model's rate)")
	class := fs.Int("class", -1, "score log p(x | this class `label`) under a class-conditional model (default: the unconditional log p(x))")
	rule := binarizeSample
	fs.Var(&rule, "binarize", "threshold, sample or none: the `rule` for "+valueRules)
	perExample := fs.Bool("per-example", false, "write each example's score as a line of JSON as it is scored ({\"index\", \"source\", \"nll_nats\", \"bits_per_dim\"}; audio: one per WAV file, bits per sample, \"samples\"), then the summary: with --json its JSON line last (all of stdout is JSON Lines), without it the usual text line")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	ruleSet := false
	fs.Visit(func(f *flag.Flag) { ruleSet = ruleSet || f.Name == "binarize" })
	m, name, err := openModel(*model)
	if err != nil {
		return err
	}
	var lines *exampleWriter
	if *perExample {
		lines = newExampleWriter(stdout)
	}
	info := m.Info()
	if info.SampleRate > 0 || isAudioPath(*data) {
		if info.SampleRate == 0 {
			return badInput("--data %s: the %s model is not an audio model", *data, info.Arch)
		}
		if ruleSet {
			return badInput("--binarize: for image data; an audio model scores the mu-law codes of its WAV files")
		}
		var each func(i int, path string, ll float64, samples int) error
		if lines != nil {
			each = func(i int, path string, ll float64, samples int) error {
				if err := lines.add(exampleScore{Index: i, Source: path, NLLNats: -ll, BitsPerDim: -ll / float64(samples) / math.Ln2, Samples: samples}); err != nil {
					return err
				}
				return lines.flush()
			}
		}
		n, nats, samples, err := scoreAudio(ctx, m, *data, *class, each)
		if err != nil {
			return err
		}
		res := scoreResult{Model: name, Arch: info.Arch, Data: *data, N: n, NLLNats: nats / float64(n),
			BitsPerDim: nats / float64(samples) / math.Ln2, Samples: samples}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(res)
		}
		fmt.Fprintf(stdout, "%s on %s: %.4f bits per sample over %d samples (%.2f s at %d Hz) in %d recordings\n",
			res.Arch, res.Data, res.BitsPerDim, samples, float64(samples)/float64(info.SampleRate), info.SampleRate, n)
		return nil
	}
	if *class != -1 {
		return badInput("--class: only for audio models here (image models score the unconditional likelihood)")
	}
	set, err := loadData(*data, info, rule, ruleSet)
	if err != nil {
		return err
	}
	n, D := set.n, info.Dims
	if n == 0 {
		return badInput("--data %s: no examples", *data)
	}
	ll := make([]float64, n)
	bar := newProgress(stderr, n, "scoring")
	for i := 0; i < n; i += scoreBatch {
		j := min(i+scoreBatch, n)
		if err := m.LogProb(ctx, set.x[i*D:j*D], ll[i:j]); err != nil {
			return err
		}
		bar.add(j - i)
		if lines == nil {
			continue
		}
		for e := i; e < j; e++ {
			if err := lines.add(exampleScore{Index: e, Source: set.source(e), NLLNats: -ll[e], BitsPerDim: -ll[e] / float64(D) / math.Ln2}); err != nil {
				return err
			}
		}
		if err := lines.flush(); err != nil {
			return err
		}
	}
	bar.finish()
	var sum float64
	for _, v := range ll {
		sum += v
	}
	nll := -sum / float64(n)
	res := scoreResult{Model: name, Arch: info.Arch, Data: *data, N: n, NLLNats: nll,
		BitsPerDim: nll / float64(D) / math.Ln2}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "%s on %s: NLL %.4f nats (%.5f bits/dim) over %d examples\n", res.Arch, res.Data, res.NLLNats, res.BitsPerDim, res.N)
	return nil
}
