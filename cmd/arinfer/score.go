package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/mnist"
)

// scoreResult is what score prints; with --json, as one JSON object.
type scoreResult struct {
	Model      string  `json:"model"`
	Arch       string  `json:"arch"`
	Data       string  `json:"data"`
	N          int     `json:"n"`
	NLLNats    float64 `json:"nll_nats"`
	BitsPerDim float64 `json:"bits_per_dim"`
}

func runScore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("score", "--model m.arw [--data mnist:test] [--json]", stdout)
	model := fs.String("model", "", "model `file` (.arw)")
	data := fs.String("data", "mnist:test", "data set: mnist:train, mnist:valid or mnist:test (binarized MNIST)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, err := loadModel(*model)
	if err != nil {
		return err
	}
	x, n, err := loadData(*data, m.Info())
	if err != nil {
		return err
	}
	ll := make([]float64, n)
	if err := m.LogProb(ctx, x, ll); err != nil {
		return err
	}
	var sum float64
	for _, v := range ll {
		sum += v
	}
	nll := -sum / float64(n)
	res := scoreResult{Model: *model, Arch: m.Info().Arch, Data: *data, N: n, NLLNats: nll,
		BitsPerDim: nll / float64(m.Info().Dims) / math.Ln2}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "%s on %s: NLL %.4f nats (%.5f bits/dim) over %d examples\n", res.Arch, res.Data, res.NLLNats, res.BitsPerDim, res.N)
	return nil
}

// loadData returns the examples of a --data value as float32 rows.
func loadData(spec string, info engine.Info) ([]float32, int, error) {
	name, ok := strings.CutPrefix(spec, "mnist:")
	if !ok {
		return nil, 0, badInput("--data %q: want mnist:train, mnist:valid or mnist:test", spec)
	}
	split, err := mnist.ParseSplit(name)
	if err != nil {
		return nil, 0, usageError{fmt.Errorf("--data %q: %w", spec, err)}
	}
	if info.Dims != mnist.Rows*mnist.Cols {
		return nil, 0, badInput("--data %s has %d pixels per image but the model has %d dimensions", spec, mnist.Rows*mnist.Cols, info.Dims)
	}
	dir, err := mnist.Locate()
	if err != nil {
		return nil, 0, err
	}
	set, err := mnist.Binarized(dir, split)
	if err != nil {
		return nil, 0, err
	}
	return set.Float32(), set.N, nil
}
