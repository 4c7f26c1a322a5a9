package engine

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzWaveNet builds small random wavenets from the fuzzer's sizes and
// checks scoring (LogProb, LogProbGiven; in chunks of the fuzzer's size)
// and the generator's conditionals (with a known prefix and labels)
// against the float64 reference on the active tier.
func FuzzWaveNet(f *testing.F) {
	f.Add(uint8(3), uint8(2), uint8(2), uint8(3), uint8(4), uint8(0), uint8(0), uint8(9), uint8(0), uint8(0), uint64(1))
	f.Add(uint8(1), uint8(7), uint8(1), uint8(1), uint8(2), uint8(2), uint8(3), uint8(20), uint8(5), uint8(3), uint64(2))
	f.Add(uint8(4), uint8(1), uint8(5), uint8(2), uint8(1), uint8(3), uint8(1), uint8(1), uint8(1), uint8(1), uint64(3))
	f.Add(uint8(2), uint8(30), uint8(3), uint8(4), uint8(3), uint8(1), uint8(2), uint8(33), uint8(12), uint8(2), uint64(4))
	f.Fuzz(func(t *testing.T, layers, dmax, r, g, s, classes, cats, length, known, chunk uint8, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 62))
		L := 1 + int(layers)%4
		dil := make([]int, L)
		for l := range dil {
			dil[l] = 1 + rng.IntN(1+int(dmax)%24)
		}
		N, K := int(classes)%4, 2+int(cats)%4
		cfg := wav(1+int(length)%40, dil, 1+int(r)%5, 1+int(g)%5, 1+int(s)%5, 1+rng.IntN(4), N, K)
		ref := randomWave(rng, cfg)
		m := buildWave(t, ref, Options{})
		T, B := cfg.Dims, 2
		x := randSymbols(rng, B*T, ref.K)
		var labels []int
		if N > 0 {
			labels = randLabels(rng, B, N)
		}
		withChunk(m, int(chunk)%9, func() {
			got := make([]float64, B)
			require.NoError(t, m.LogProb(context.Background(), x, got))
			for e := range got {
				xe := x[e*T : (e+1)*T]
				want := ref.logProb(xe)
				require.InDelta(t, want, got[e], ref.tol(xe, -1, want)+1e-4, "LogProb stream %d", e)
			}
			if labels != nil {
				require.NoError(t, m.(ClassConditional).LogProbGiven(context.Background(), x, labels, got))
				for e := range got {
					xe := x[e*T : (e+1)*T]
					want := ref.logProbGiven(xe, labels[e])
					require.InDelta(t, want, got[e], ref.tol(xe, labels[e], want), "LogProbGiven stream %d", e)
				}
			}
			kn := int(known) % (T + 1)
			logits := sampleSteps(t, m, x, SampleOptions{Seed: seed, Known: prefixMask(T, kn), Labels: labels}, kn)
			checkWaveSteps(t, ref, x, T, labels, logits, 0, 2e-5)
		})
	})
}
