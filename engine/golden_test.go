package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// golden is one file written by python/make_golden.py: inputs and the log
// p(x) PyTorch assigns them, for the .arw model beside it. For a
// class-conditional model (python/pixelcnn.py), F32 and F64 are log p(x|y)
// for the labels, and MarginalF32/MarginalF64 the unconditional log p(x).
type golden struct {
	Inputs      [][]uint8 `json:"inputs"`
	F32         []float64 `json:"log_prob_f32"`
	F64         []float64 `json:"log_prob_f64"`
	Labels      []int     `json:"labels"`       // present iff the model has classes
	MarginalF32 []float64 `json:"marginal_f32"` // present iff the model has classes
	MarginalF64 []float64 `json:"marginal_f64"`
	RTol        float64   `json:"rtol"`  // relative tolerance; 0 means 1e-5
	Model       string    `json:"model"` // trained models: path from the repository root
	// ReceptiveField is a wavenet's ρ (python/wavenet.py), 0 for others.
	ReceptiveField int `json:"receptive_field"`
}

func checkGolden(t *testing.T, jsonPath, arwPath string) {
	raw, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var g golden
	require.NoError(t, json.Unmarshal(raw, &g))
	require.NotEmpty(t, g.Inputs)
	require.Len(t, g.F32, len(g.Inputs))
	m, err := Open(arwPath)
	require.NoError(t, err)
	if s, ok := m.(Sequence); ok {
		// A wavenet scores sequences of any length: the inputs' length.
		require.Equal(t, g.ReceptiveField, s.ReceptiveField())
		m, err = s.WithLength(len(g.Inputs[0]))
		require.NoError(t, err)
	}
	D := m.Info().Dims
	x := make([]float32, 0, len(g.Inputs)*D)
	for _, row := range g.Inputs {
		require.Len(t, row, D)
		for _, v := range row {
			x = append(x, float32(v))
		}
	}
	rtol := g.RTol
	if rtol == 0 {
		rtol = 1e-5 // PyTorch float32 and arinfer float32 agree to a relative 1e-5
	}
	cc, isCC := m.(ClassConditional)
	require.Equal(t, g.Labels != nil, isCC, "labels iff the model has classes")
	if isCC {
		require.Len(t, g.Labels, len(g.Inputs))
		require.Len(t, g.MarginalF32, len(g.Inputs))
		require.Len(t, g.MarginalF64, len(g.Inputs))
	}
	n := len(g.Inputs)
	if isCC && D > 100 {
		// A 28x28 conv model on every tier under -race and qemu: the first
		// 8 examples.
		n = min(n, 8)
	}
	forAllTiers(t, func(t *testing.T) {
		got := make([]float64, n)
		if isCC {
			// The marginal costs a pass per class: its first 4 examples
			// (every tier, under -race and qemu too) are checked.
			nm := min(4, len(got))
			require.NoError(t, m.LogProb(context.Background(), x[:nm*D], got[:nm]))
			for e := range got[:nm] {
				assert.InEpsilon(t, g.MarginalF32[e], got[e], rtol, "example %d marginal vs PyTorch float32", e)
				assert.InEpsilon(t, g.MarginalF64[e], got[e], rtol, "example %d marginal vs PyTorch float64", e)
			}
			require.NoError(t, cc.LogProbGiven(context.Background(), x[:n*D], g.Labels[:n], got))
		} else {
			require.NoError(t, m.LogProb(context.Background(), x[:n*D], got))
		}
		for e := range got {
			assert.InEpsilon(t, g.F32[e], got[e], rtol, "example %d vs PyTorch float32", e)
			assert.InEpsilon(t, g.F64[e], got[e], rtol, "example %d vs PyTorch float64", e)
		}
	})
}

// TestGoldenRandomModels checks random-weight models exported from PyTorch.
func TestGoldenRandomModels(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files, "run python/make_golden.py")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) { checkGolden(t, f, strings.TrimSuffix(f, ".json")+".arw") })
	}
}

// TestGoldenTrainedModels checks the shipped models on MNIST test images.
func TestGoldenTrainedModels(t *testing.T) {
	files, err := filepath.Glob("../models/golden/*.json")
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("no trained models shipped yet")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var g golden
		require.NoError(t, json.Unmarshal(raw, &g))
		t.Run(filepath.Base(g.Model), func(t *testing.T) { checkGolden(t, f, filepath.Join("..", g.Model)) })
	}
}
