package engine

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzConvModel builds small random pixelcnn and gatedpixelcnn models from
// the fuzzer's sizes and checks scoring (LogProb, LogProbGiven) and the
// cached sampler's conditionals (with a random known prefix and labels)
// against the float64 reference on the active tier.
func FuzzConvModel(f *testing.F) {
	f.Add(false, uint8(3), uint8(4), uint8(2), uint8(1), uint8(1), uint8(1), uint8(2), uint8(0), uint8(0), uint8(5), uint64(1))
	f.Add(true, uint8(4), uint8(3), uint8(3), uint8(2), uint8(1), uint8(0), uint8(3), uint8(2), uint8(1), uint8(7), uint64(2))
	f.Add(false, uint8(1), uint8(6), uint8(4), uint8(0), uint8(0), uint8(2), uint8(1), uint8(1), uint8(2), uint8(0), uint64(3))
	f.Add(true, uint8(6), uint8(1), uint8(1), uint8(3), uint8(2), uint8(0), uint8(2), uint8(0), uint8(0), uint8(3), uint64(4))
	f.Add(true, uint8(2), uint8(2), uint8(5), uint8(1), uint8(3), uint8(0), uint8(4), uint8(3), uint8(3), uint8(1), uint64(5))
	f.Add(false, uint8(5), uint8(5), uint8(3), uint8(3), uint8(2), uint8(3), uint8(2), uint8(2), uint8(0), uint8(12), uint64(6))
	f.Fuzz(func(t *testing.T, gated bool, h, w, ch, layers, kk, k0, head, classes, cats, known uint8, seed uint64) {
		H, W := 1+int(h)%6, 1+int(w)%6
		F, O, N, K := 1+int(ch)%5, 1+int(head)%4, int(classes)%4, 2+int(cats)%3
		var cfg Config
		if gated {
			cfg = gat(H, W, F, 1+int(layers)%3, 3+2*(int(kk)%3), O, N, K)
		} else {
			cfg = pix(H, W, F, int(layers)%4, 1+2*(int(kk)%4), 3+2*(int(k0)%3), O, N, K)
		}
		rng := rand.New(rand.NewPCG(seed, 61))
		r := randomConv(rng, cfg)
		m := buildConv(t, r)
		D, B := cfg.Dims, 2
		x := randSymbols(rng, B*D, r.K)
		got := make([]float64, B)
		require.NoError(t, m.LogProb(context.Background(), x, got))
		for e := range got {
			xe := x[e*D : (e+1)*D]
			want := r.logProb(xe)
			tol := 0.0
			for y := -1; y < N; y++ { // the marginal's terms
				if y >= 0 || N == 0 {
					tol = max(tol, r.logProbTol(xe, y, want))
				}
			}
			require.InDelta(t, want, got[e], tol, "LogProb example %d", e)
		}
		var labels []int
		if N > 0 {
			labels = randLabels(rng, B, N)
			require.NoError(t, m.(ClassConditional).LogProbGiven(context.Background(), x, labels, got))
			for e := range got {
				xe := x[e*D : (e+1)*D]
				want := r.logProbGiven(xe, labels[e])
				require.InDelta(t, want, got[e], r.logProbTol(xe, labels[e], want), "LogProbGiven example %d", e)
			}
		}
		kn := int(known) % (D + 1)
		mask := make([]bool, D)
		for d := 0; d < kn; d++ {
			mask[d] = true
		}
		opt := SampleOptions{Seed: seed, Known: mask, Labels: labels}
		logits := sampleSteps(t, m, x, opt, kn)
		checkConditionals(t, r, x, labels, logits)
	})
}
