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
// p(x) PyTorch assigns them, for the .arw model beside it.
type golden struct {
	Inputs [][]uint8 `json:"inputs"`
	F32    []float64 `json:"log_prob_f32"`
	F64    []float64 `json:"log_prob_f64"`
	Model  string    `json:"model"` // trained models: path from the repository root
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
	D := m.Info().Dims
	x := make([]float32, 0, len(g.Inputs)*D)
	for _, row := range g.Inputs {
		require.Len(t, row, D)
		for _, v := range row {
			x = append(x, float32(v))
		}
	}
	forAllTiers(t, func(t *testing.T) {
		got := make([]float64, len(g.Inputs))
		require.NoError(t, m.LogProb(context.Background(), x, got))
		for e := range got {
			// PyTorch float32 and arinfer float32 agree to a relative 1e-5.
			assert.InEpsilon(t, g.F32[e], got[e], 1e-5, "example %d vs PyTorch float32", e)
			assert.InEpsilon(t, g.F64[e], got[e], 1e-5, "example %d vs PyTorch float64", e)
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
