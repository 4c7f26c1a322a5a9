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

// teacherForced returns log p(x|y) (labels nil: no classes) of the
// streams of x (length-T sequences of m) as the generator computes it:
// the first kn steps by the priming pass (their outputs reported), the
// others by the queue steps, each fed the value x holds instead of a draw.
func teacherForced(t *testing.T, m Model, x []float32, labels []int, kn int) []float64 {
	w := waveOf(m)
	T, C := w.T, w.C
	B := len(x) / T
	ws := new(waveWork)
	w.setup(ws, B, max(1, min(kn, w.chunk)))
	lp := make([]float64, B)
	add := func(s Step) {
		for e := 0; e < B; e++ {
			a := make([]float64, C)
			for k := range a {
				a[k] = float64(s.Logits[e*C+k])
			}
			lp[e] += condLogProb(a, x[e*T+s.Index])
		}
	}
	if kn > 0 {
		require.NoError(t, w.pass(context.Background(), ws, x, T, kn, labels, passReport, false, add))
	} else {
		clear(ws.hist)
		w.setLabels(ws, labels)
	}
	w.initSteps(ws, B)
	for tt := kn; tt < T; tt++ {
		add(Step{Index: tt, Logits: w.step(ws, x, B, tt)})
	}
	return lp
}

// TestWaveGoldenThroughGenerator scores the PyTorch golden files of the
// wavenets through the generator: half of each sequence by the priming
// pass, the rest by the queue steps (or all of it by steps), with the
// golden labels; the conditionals at the golden values sum to log p(x|y).
func TestWaveGoldenThroughGenerator(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/wavenet-*.json")
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("no wavenet golden files yet (python/make_golden.py --wavenet)")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			var g golden
			require.NoError(t, json.Unmarshal(raw, &g))
			m, err := Open(strings.TrimSuffix(f, ".json") + ".arw")
			require.NoError(t, err)
			n := min(4, len(g.Inputs))
			T := len(g.Inputs[0])
			m = withLength(t, m, T)
			x := make([]float32, 0, n*T)
			for _, row := range g.Inputs[:n] {
				for _, v := range row {
					x = append(x, float32(v))
				}
			}
			var labels []int
			if g.Labels != nil {
				labels = g.Labels[:n]
			}
			forAllTiers(t, func(t *testing.T) {
				for _, kn := range []int{0, T / 2} {
					got := teacherForced(t, m, x, labels, kn)
					for e := range got {
						assert.InEpsilon(t, g.F64[e], got[e], g.RTol, "example %d, %d steps primed", e, kn)
					}
				}
			})
		})
	}
}
