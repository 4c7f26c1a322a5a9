package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
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

// scoreBatch is the number of examples scored per call (and progress step).
const scoreBatch = 1000

func runScore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("score", "[--model m.arw] [--data mnist:test | --data clip.wav[,more.wav]] [--class y] [--json]", stdout)
	model := fs.String("model", "", "model `file` (.arw); default: the embedded MNIST model")
	data := fs.String("data", "mnist:test", "data: mnist:train|valid|test (binarized MNIST), an IDX image file, or PNG files/directories (comma-separated); for an audio model WAV files or directories of them (comma-separated, 16-bit mono PCM at the model's rate)")
	class := fs.Int("class", -1, "score log p(x | this class `label`) under a class-conditional model (default: the unconditional log p(x))")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, name, err := openModel(*model)
	if err != nil {
		return err
	}
	if m.Info().SampleRate > 0 || isAudioPath(*data) {
		if m.Info().SampleRate == 0 {
			return badInput("--data %s: the %s model is not an audio model", *data, m.Info().Arch)
		}
		n, nats, samples, err := scoreAudio(ctx, m, *data, *class)
		if err != nil {
			return err
		}
		res := scoreResult{Model: name, Arch: m.Info().Arch, Data: *data, N: n, NLLNats: nats / float64(n),
			BitsPerDim: nats / float64(samples) / math.Ln2, Samples: samples}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(res)
		}
		fmt.Fprintf(stdout, "%s on %s: %.4f bits per sample over %d samples (%.2f s at %d Hz) in %d recordings\n",
			res.Arch, res.Data, res.BitsPerDim, samples, float64(samples)/float64(m.Info().SampleRate), m.Info().SampleRate, n)
		return nil
	}
	if *class != -1 {
		return badInput("--class: only for audio models here (image models score the unconditional likelihood)")
	}
	x, n, err := loadData(*data, m.Info())
	if err != nil {
		return err
	}
	ll := make([]float64, n)
	bar := newProgress(stderr, n, "scoring")
	D := m.Info().Dims
	for i := 0; i < n; i += scoreBatch {
		j := min(i+scoreBatch, n)
		if err := m.LogProb(ctx, x[i*D:j*D], ll[i:j]); err != nil {
			return err
		}
		bar.add(j - i)
	}
	bar.finish()
	var sum float64
	for _, v := range ll {
		sum += v
	}
	nll := -sum / float64(n)
	res := scoreResult{Model: name, Arch: m.Info().Arch, Data: *data, N: n, NLLNats: nll,
		BitsPerDim: nll / float64(m.Info().Dims) / math.Ln2}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "%s on %s: NLL %.4f nats (%.5f bits/dim) over %d examples\n", res.Arch, res.Data, res.NLLNats, res.BitsPerDim, res.N)
	return nil
}
