package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rnnRef is a float64 LSTM/GRU written straight from format/SPEC.md section
// 3.4 on the PyTorch tensors (no tabulation, no concatenation, no fused
// kernels): the peer of engine/rnn.go besides the PyTorch golden files.
type rnnRef struct {
	cfg  Config
	w    MapWeights
	K, C int
}

func rnnName(c Config) string {
	return fmt.Sprintf("%s-D%d-H%v-E%d-%v-K%d", c.Arch, c.Dims, c.Hidden, c.Embed, c.Dist, c.Categories)
}

func randomRNN(rng *rand.Rand, cfg Config) *rnnRef {
	r := &rnnRef{cfg: cfg, w: MapWeights{F: map[string][]float32{}, S: map[string][]int{}}, K: 2, C: 1}
	if cfg.Dist == Categorical {
		r.K, r.C = cfg.Categories, cfg.Categories
	}
	add := func(name string, scale float64, shape ...int) {
		v := make([]float32, prod(shape))
		for i := range v {
			v[i] = float32(rng.NormFloat64() * scale)
		}
		r.w.F[name], r.w.S[name] = v, shape
	}
	G := 4
	if cfg.Arch == "gru" {
		G = 3
	}
	H, E := cfg.Hidden[0], cfg.Embed
	add("embed", 1, r.K+1, E)
	for n := range cfg.Hidden {
		in := H
		if n == 0 {
			in = E
		}
		s := 1.2 / math.Sqrt(float64(in))
		add(fmt.Sprintf("weight_ih_l%d", n), s, G*H, in)
		add(fmt.Sprintf("weight_hh_l%d", n), 1.2/math.Sqrt(float64(H)), G*H, H)
		add(fmt.Sprintf("bias_ih_l%d", n), 0.5, G*H)
		add(fmt.Sprintf("bias_hh_l%d", n), 0.5, G*H)
	}
	add("out_weight", 1.5/math.Sqrt(float64(H)), r.C, H)
	add("out_bias", 0.5, r.C)
	return r
}

func (r *rnnRef) f64(name string) []float64 {
	v := r.w.F[name]
	o := make([]float64, len(v))
	for i, a := range v {
		o[i] = float64(a)
	}
	return o
}

// logits returns the D x C output pre-activations for x (one example).
func (r *rnnRef) logits(x []float32) [][]float64 {
	cfg := r.cfg
	L, H, E, D := len(cfg.Hidden), cfg.Hidden[0], cfg.Embed, cfg.Dims
	gru := cfg.Arch == "gru"
	emb := r.f64("embed")
	wout, bout := r.f64("out_weight"), r.f64("out_bias")
	type lay struct{ wih, whh, bih, bhh []float64 }
	ls := make([]lay, L)
	for n := range ls {
		ls[n] = lay{r.f64(fmt.Sprintf("weight_ih_l%d", n)), r.f64(fmt.Sprintf("weight_hh_l%d", n)),
			r.f64(fmt.Sprintf("bias_ih_l%d", n)), r.f64(fmt.Sprintf("bias_hh_l%d", n))}
	}
	h := make([][]float64, L)
	c := make([][]float64, L)
	for n := range h {
		h[n], c[n] = make([]float64, H), make([]float64, H)
	}
	affine := func(w, b, v []float64, row int) float64 {
		in := len(v)
		s := b[row]
		for j := 0; j < in; j++ {
			s += w[row*in+j] * v[j]
		}
		return s
	}
	out := make([][]float64, D)
	s := r.K
	for t := 0; t < D; t++ {
		u := emb[s*E : (s+1)*E]
		for n, l := range ls {
			nh := make([]float64, H)
			for j := 0; j < H; j++ {
				if gru {
					rg := sig64(affine(l.wih, l.bih, u, j) + affine(l.whh, l.bhh, h[n], j))
					z := sig64(affine(l.wih, l.bih, u, H+j) + affine(l.whh, l.bhh, h[n], H+j))
					nn := math.Tanh(affine(l.wih, l.bih, u, 2*H+j) + rg*affine(l.whh, l.bhh, h[n], 2*H+j))
					nh[j] = (1-z)*nn + z*h[n][j]
				} else {
					gate := func(k int) float64 { return affine(l.wih, l.bih, u, k*H+j) + affine(l.whh, l.bhh, h[n], k*H+j) }
					i, f, g, o := sig64(gate(0)), sig64(gate(1)), math.Tanh(gate(2)), sig64(gate(3))
					c[n][j] = f*c[n][j] + i*g
					nh[j] = o * math.Tanh(c[n][j])
				}
			}
			h[n] = nh
			u = nh
		}
		out[t] = make([]float64, r.C)
		for k := 0; k < r.C; k++ {
			out[t][k] = affine(wout, bout, h[L-1], k)
		}
		s = int(x[t])
	}
	return out
}

func (r *rnnRef) logProb(x []float32) float64 {
	var lp float64
	for t, a := range r.logits(x) {
		if r.C == 1 {
			if x[t] == 1 {
				lp -= softplus(-a[0])
			} else {
				lp -= softplus(a[0])
			}
			continue
		}
		mx := math.Inf(-1)
		for _, v := range a {
			mx = math.Max(mx, v)
		}
		var z float64
		for _, v := range a {
			z += math.Exp(v - mx)
		}
		lp += a[int(x[t])] - mx - math.Log(z)
	}
	return lp
}

func randSymbols(rng *rand.Rand, n, K int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.IntN(K))
	}
	return x
}

var rnnConfigs = []Config{
	{Arch: "lstm", Dims: 1, Hidden: []int{1}, Embed: 1},
	{Arch: "lstm", Dims: 20, Hidden: []int{7}, Embed: 3},
	{Arch: "lstm", Dims: 30, Hidden: []int{16, 16}, Embed: 5},
	{Arch: "lstm", Dims: 12, Hidden: []int{9, 9, 9}, Embed: 4, Dist: Categorical, Categories: 5},
	{Arch: "lstm", Dims: 10, Hidden: []int{33}, Embed: 8, Dist: Categorical, Categories: 40},
	{Arch: "gru", Dims: 1, Hidden: []int{1}, Embed: 1},
	{Arch: "gru", Dims: 20, Hidden: []int{7}, Embed: 3},
	{Arch: "gru", Dims: 30, Hidden: []int{16, 16}, Embed: 5},
	{Arch: "gru", Dims: 12, Hidden: []int{9, 9, 9}, Embed: 4, Dist: Categorical, Categories: 5},
	{Arch: "gru", Dims: 10, Hidden: []int{33}, Embed: 8, Dist: Categorical, Categories: 40},
}

func buildRNN(t *testing.T, r *rnnRef) Model {
	t.Helper()
	m, err := New(r.cfg, r.w)
	require.NoError(t, err)
	return m
}

func TestRNNLogProbMatchesReference(t *testing.T) {
	for i, cfg := range rnnConfigs {
		t.Run(rnnName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 21))
			r := randomRNN(rng, cfg)
			m := buildRNN(t, r)
			info := m.Info()
			assert.Equal(t, cfg.Arch, info.Arch)
			assert.Equal(t, cfg.Dist, info.Dist)
			assert.Equal(t, r.K, info.Categories)
			var params int
			for _, v := range r.w.F {
				params += len(v)
			}
			assert.Equal(t, params, info.Params)
			D := cfg.Dims
			// 1 and 3 examples run one GEMV per example, 70 examples one
			// GEMM per step over chunks of at least rnnGemmMin examples.
			for _, B := range []int{1, 3, 70} {
				x := randSymbols(rng, B*D, r.K)
				forAllTiers(t, func(t *testing.T) {
					got := make([]float64, B)
					require.NoError(t, m.LogProb(context.Background(), x, got))
					for e := range got {
						want := r.logProb(x[e*D : (e+1)*D])
						assert.InDelta(t, want, got[e], 2e-5*(1+math.Abs(want)), "batch %d example %d", B, e)
					}
				})
			}
		})
	}
}

func TestRNNSamplerConditionalsEqualScoring(t *testing.T) {
	for i, cfg := range rnnConfigs {
		t.Run(rnnName(cfg), func(t *testing.T) {
			r := randomRNN(rand.New(rand.NewPCG(uint64(i), 22)), cfg)
			m := buildRNN(t, r)
			D, C := cfg.Dims, r.C
			for _, B := range []int{1, 2, rnnGemmMin - 1, rnnGemmMin + 3} { // GEMVs, then one GEMM per step
				forAllTiers(t, func(t *testing.T) {
					x := make([]float32, B*D)
					logits := make([]float32, 0, B*D*C)
					steps := 0
					opt := SampleOptions{Seed: 7, Temperature: 1.3, OnStep: func(s Step) {
						require.Equal(t, steps, s.Index)
						require.Equal(t, steps, s.Dim)
						require.Nil(t, s.Dims)
						require.False(t, s.Known)
						require.Len(t, s.Logits, B*C)
						require.Len(t, s.Values, B)
						logits = append(logits, s.Logits...)
						steps++
					}}
					require.NoError(t, m.Sample(context.Background(), x, opt))
					require.Equal(t, D, steps)
					for e := 0; e < B; e++ {
						xe := x[e*D : (e+1)*D]
						want := r.logits(xe)
						for tt := 0; tt < D; tt++ {
							assert.True(t, xe[tt] >= 0 && xe[tt] < float32(r.K) && xe[tt] == float32(int(xe[tt])), "value %v", xe[tt])
							for k := 0; k < C; k++ {
								got := float64(logits[(tt*B+e)*C+k])
								require.InDelta(t, want[tt][k], got, 1e-5*(1+math.Abs(want[tt][k])), "example %d step %d logit %d", e, tt, k)
							}
						}
					}
					// The values the sampler reports score to its own
					// conditionals: LogProb of the samples equals the sum of
					// the reported conditionals.
					lp := make([]float64, B)
					require.NoError(t, m.LogProb(context.Background(), x, lp))
					for e := 0; e < B; e++ {
						assert.InDelta(t, r.logProb(x[e*D:(e+1)*D]), lp[e], 2e-5*(1+math.Abs(lp[e])))
					}
				})
			}
		})
	}
}

// exactRNN enumerates p(x) over all K^D sequences; index v holds the
// sequence whose digit t (base K, least significant first) is x_t.
func exactRNN(r *rnnRef) []float64 {
	D, K := r.cfg.Dims, r.K
	n := 1
	for i := 0; i < D; i++ {
		n *= K
	}
	p := make([]float64, n)
	x := make([]float32, D)
	for v := range p {
		for t, u := 0, v; t < D; t, u = t+1, u/K {
			x[t] = float32(u % K)
		}
		p[v] = math.Exp(r.logProb(x))
	}
	return p
}

func seqIndex(x []float32, K int) int {
	v := 0
	for t := len(x) - 1; t >= 0; t-- {
		v = v*K + int(x[t])
	}
	return v
}

func TestRNNSamplerMatchesExactDistribution(t *testing.T) {
	cfgs := []Config{
		{Arch: "lstm", Dims: 6, Hidden: []int{5}, Embed: 3},
		{Arch: "gru", Dims: 6, Hidden: []int{4, 4}, Embed: 2},
		{Arch: "lstm", Dims: 3, Hidden: []int{6, 6}, Embed: 3, Dist: Categorical, Categories: 4},
		{Arch: "gru", Dims: 3, Hidden: []int{6}, Embed: 3, Dist: Categorical, Categories: 4},
	}
	for i, cfg := range cfgs {
		t.Run(rnnName(cfg), func(t *testing.T) {
			r := randomRNN(rand.New(rand.NewPCG(uint64(i), 23)), cfg)
			m := buildRNN(t, r)
			p := exactRNN(r)
			var total float64
			for _, v := range p {
				total += v
			}
			require.InDelta(t, 1, total, 1e-9, "reference probabilities sum to 1")
			const N = 20000
			D := cfg.Dims
			for _, temp := range []float64{1, 0.6} {
				// Temperature T: every conditional is softmax(a/T); the
				// exact distribution is the product of those conditionals.
				q := p
				if temp != 1 {
					q = exactTempered(r, temp)
				}
				x := make([]float32, N*D)
				require.NoError(t, m.Sample(context.Background(), x, SampleOptions{Seed: 12345, Temperature: temp}))
				counts := make([]int, len(p))
				for e := 0; e < N; e++ {
					counts[seqIndex(x[e*D:(e+1)*D], r.K)]++
				}
				stat, df := chiSquare(counts, q, N)
				assert.Less(t, stat, chiSquareCritical(df), "T=%v: chi-square %.1f with %d degrees of freedom", temp, stat, df)
			}
		})
	}
}

// exactTempered enumerates the distribution of the sampler at temperature
// T: the product over steps of softmax(a_t/T) at the sequence's values.
func exactTempered(r *rnnRef, T float64) []float64 {
	D, K := r.cfg.Dims, r.K
	n := len(exactRNN(r))
	p := make([]float64, n)
	x := make([]float32, D)
	for v := range p {
		for t, u := 0, v; t < D; t, u = t+1, u/K {
			x[t] = float32(u % K)
		}
		lp := 0.0
		for t, a := range r.logits(x) {
			lp += temperedLogProb(a, x[t], T)
		}
		p[v] = math.Exp(lp)
	}
	return p
}

func TestRNNCompletionMatchesExactConditional(t *testing.T) {
	cfgs := []Config{
		{Arch: "lstm", Dims: 5, Hidden: []int{6}, Embed: 2},
		{Arch: "gru", Dims: 4, Hidden: []int{5, 5}, Embed: 3, Dist: Categorical, Categories: 3},
	}
	for i, cfg := range cfgs {
		t.Run(rnnName(cfg), func(t *testing.T) {
			r := randomRNN(rand.New(rand.NewPCG(uint64(i), 24)), cfg)
			m := buildRNN(t, r)
			p := exactRNN(r)
			const kn, N = 2, 20000
			D, K := cfg.Dims, r.K
			known := make([]bool, D)
			known[0], known[1] = true, true
			prefix := []float32{1, float32(K - 1)}
			x := make([]float32, N*D)
			for e := 0; e < N; e++ {
				copy(x[e*D:], prefix)
			}
			require.NoError(t, m.Sample(context.Background(), x, SampleOptions{Seed: 5, Known: known}))
			cond := make([]float64, len(p))
			var z float64
			for v := range p {
				if float32(v%K) == prefix[0] && float32(v/K%K) == prefix[1] {
					cond[v] = p[v]
					z += p[v]
				}
			}
			for v := range cond {
				cond[v] /= z
			}
			counts := make([]int, len(p))
			for e := 0; e < N; e++ {
				require.Equal(t, prefix, x[e*D:e*D+kn], "completion changed a known dimension")
				counts[seqIndex(x[e*D:(e+1)*D], K)]++
			}
			stat, df := chiSquare(counts, cond, N)
			assert.Less(t, stat, chiSquareCritical(df), "chi-square %.1f with %d degrees of freedom", stat, df)
		})
	}
}

func TestRNNCompletionKeepsKnownAndSeedsRepeat(t *testing.T) {
	for i, cfg := range rnnConfigs {
		t.Run(rnnName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 25))
			r := randomRNN(rng, cfg)
			m := buildRNN(t, r)
			D, B := cfg.Dims, 8
			kn := D / 2
			known := make([]bool, D)
			for s := 0; s < kn; s++ {
				known[s] = true
			}
			given := randSymbols(rng, B*D, r.K)
			x := append([]float32(nil), given...)
			var reported int
			opt := SampleOptions{Seed: 3, Known: known, Temperature: 0.7, OnStep: func(s Step) {
				assert.Equal(t, s.Index < kn, s.Known)
				if s.Known {
					for e := 0; e < B; e++ {
						assert.Equal(t, given[e*D+s.Index], s.Values[e])
					}
					reported++
				}
			}}
			require.NoError(t, m.Sample(context.Background(), x, opt))
			assert.Equal(t, kn, reported)
			for e := 0; e < B; e++ {
				assert.Equal(t, given[e*D:e*D+kn], x[e*D:e*D+kn])
			}
			// Same seed, same samples; a larger batch repeats the smaller
			// one (both below the GEMM threshold, so the arithmetic is the
			// same per example).
			a := make([]float32, 2*D)
			b := make([]float32, 3*D)
			require.NoError(t, m.Sample(context.Background(), a, SampleOptions{Seed: 99}))
			require.NoError(t, m.Sample(context.Background(), b, SampleOptions{Seed: 99}))
			assert.Equal(t, a, b[:2*D])
			c := make([]float32, 2*D)
			require.NoError(t, m.Sample(context.Background(), c, SampleOptions{Seed: 99}))
			assert.Equal(t, a, c)
		})
	}
}

func TestRNNBadInput(t *testing.T) {
	ctx := context.Background()
	cat := randomRNN(rand.New(rand.NewPCG(1, 1)), Config{Arch: "gru", Dims: 4, Hidden: []int{3}, Embed: 2, Dist: Categorical, Categories: 5})
	m := buildRNN(t, cat)
	assert.ErrorIs(t, m.LogProb(ctx, make([]float32, 7), make([]float64, 2)), ErrSize)
	assert.ErrorContains(t, m.LogProb(ctx, []float32{0, 1, 5, 0}, make([]float64, 1)), "dimension 2 is 5")
	assert.ErrorContains(t, m.LogProb(ctx, []float32{0, 1, 2.5, 0}, make([]float64, 1)), "dimension 2 is 2.5")
	assert.ErrorContains(t, m.LogProb(ctx, []float32{0, -1, 2, 0}, make([]float64, 1)), "dimension 1 is -1")
	assert.ErrorContains(t, m.LogProb(ctx, []float32{0, float32(math.NaN()), 2, 0}, make([]float64, 1)), "dimension 1 is NaN")
	assert.ErrorIs(t, m.Sample(ctx, make([]float32, 5), SampleOptions{}), ErrSize)
	assert.ErrorContains(t, m.Sample(ctx, make([]float32, 4), SampleOptions{Temperature: math.NaN()}), "temperature")
	assert.ErrorContains(t, m.Sample(ctx, make([]float32, 4), SampleOptions{Known: []bool{false, true, false, false}}), "first 1 steps")
	assert.ErrorIs(t, m.Sample(ctx, make([]float32, 4), SampleOptions{Known: []bool{true}}), ErrSize)
	assert.ErrorContains(t, m.Sample(ctx, []float32{0, 0, 0, 0, 7, 0, 0, 0}, SampleOptions{Known: []bool{true, false, false, false}}),
		"known dimension 0 of example 1 is 7")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, m.LogProb(cancelled, make([]float32, 4), make([]float64, 1)), context.Canceled)
	assert.ErrorIs(t, m.Sample(cancelled, make([]float32, 4), SampleOptions{}), context.Canceled)

	bern := randomRNN(rand.New(rand.NewPCG(1, 1)), Config{Arch: "lstm", Dims: 4, Hidden: []int{3, 3}, Embed: 2})
	b := buildRNN(t, bern)
	assert.ErrorContains(t, b.LogProb(ctx, []float32{0, 1, 2, 0}, make([]float64, 1)), "dimension 2 is 2")

	cases := []struct {
		name string
		edit func(c *Config, w MapWeights)
		want string
	}{
		{"unequal layers", func(c *Config, w MapWeights) { c.Hidden = []int{3, 4} }, "equal hidden sizes"},
		{"no layers", func(c *Config, w MapWeights) { c.Hidden = nil }, "at least one hidden"},
		{"zero embed", func(c *Config, w MapWeights) { c.Embed = 0 }, "embedding width 0"},
		{"huge input table", func(c *Config, w MapWeights) { c.Dist, c.Categories, c.Hidden = Categorical, 1<<20, []int{1 << 10} },
			"input table of 1048577 symbols x 4096 gate rows exceeds 268435456 values"},
		{"bernoulli with 3 categories", func(c *Config, w MapWeights) { c.Categories = 3 }, "2 categories, not 3"},
		{"categorical with 1 category", func(c *Config, w MapWeights) { c.Dist, c.Categories = Categorical, 1 }, "at least 2 categories"},
		{"categorical nade", func(c *Config, w MapWeights) { c.Arch, c.Dist, c.Categories = "nade", Categorical, 3 }, "lstm, gru, pixelcnn, gatedpixelcnn and wavenet only"},
		{"unknown dist", func(c *Config, w MapWeights) { c.Dist = Dist(9) }, "unknown distribution"},
		{"embed rows", func(c *Config, w MapWeights) { w.S["embed"] = []int{2, 3} }, "tensor embed has shape [2 3], want [3 2]"},
		{"missing layer", func(c *Config, w MapWeights) { delete(w.F, "bias_hh_l1") }, "missing float32 tensor bias_hh_l1"},
		{"gate rows", func(c *Config, w MapWeights) { c.Arch = "gru" }, "tensor weight_ih_l0 has shape [12 2], want [9 2]"},
		{"out shape", func(c *Config, w MapWeights) { w.S["out_weight"] = []int{3, 1} }, "tensor out_weight has shape [3 1], want [1 3]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := randomRNN(rand.New(rand.NewPCG(1, 1)), Config{Arch: "lstm", Dims: 4, Hidden: []int{3, 3}, Embed: 2})
			cfg := r.cfg
			tc.edit(&cfg, r.w)
			_, err := New(cfg, r.w)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestRNNSteadyStateAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items)")
	}
	for i, cfg := range rnnConfigs {
		t.Run(rnnName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 26))
			r := randomRNN(rng, cfg)
			m := buildRNN(t, r)
			D := cfg.Dims
			x := randSymbols(rng, 100*D, r.K)
			out := make([]float64, 100)
			ctx := context.Background()
			s1 := make([]float32, D)
			s8 := make([]float32, 8*D)
			score := func() { require.NoError(t, m.LogProb(ctx, x, out)) }
			sample1 := func() { require.NoError(t, m.Sample(ctx, s1, SampleOptions{Seed: 1})) }
			sample8 := func() { require.NoError(t, m.Sample(ctx, s8, SampleOptions{Seed: 1, Temperature: 0.9})) }
			s40 := make([]float32, 40*D) // one GEMM per layer and step
			sample40 := func() { require.NoError(t, m.Sample(ctx, s40, SampleOptions{Seed: 1})) }
			score()
			sample1()
			sample8()
			sample40()
			assert.Zero(t, testing.AllocsPerRun(10, score), "allocs per LogProb")
			assert.Zero(t, testing.AllocsPerRun(10, sample1), "allocs per Sample, batch 1")
			assert.Zero(t, testing.AllocsPerRun(10, sample8), "allocs per Sample, batch 8")
			assert.Zero(t, testing.AllocsPerRun(5, sample40), "allocs per Sample, batch 40")
		})
	}
}

// TestRNNGoldenOneAtATime scores the PyTorch golden files of the recurrent
// models one example per call (one GEMV per layer and step; the batch of
// TestGoldenRandomModels runs the GEMM path) and sample by sample through
// the sampler's conditionals (Known = every dimension).
func TestRNNGoldenOneAtATime(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.json")
	require.NoError(t, err)
	n := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if !strings.HasPrefix(name, "lstm-") && !strings.HasPrefix(name, "gru-") {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			var g golden
			require.NoError(t, json.Unmarshal(raw, &g))
			m, err := Open(strings.TrimSuffix(f, ".json") + ".arw")
			require.NoError(t, err)
			info := m.Info()
			D, K := info.Dims, info.Categories
			known := make([]bool, D)
			for i := range known {
				known[i] = true
			}
			forAllTiers(t, func(t *testing.T) {
				for e, row := range g.Inputs {
					x := make([]float32, D)
					for i, v := range row {
						x[i] = float32(v)
					}
					out := make([]float64, 1)
					require.NoError(t, m.LogProb(context.Background(), x, out))
					assert.InEpsilon(t, g.F64[e], out[0], 1e-5, "example %d", e)
					// The sampler's conditionals at the known values sum to
					// the same log-likelihood.
					var lp float64
					step := func(s Step) {
						v := int(s.Values[0])
						if info.Dist == Bernoulli {
							a := float64(s.Logits[0])
							if v == 1 {
								lp -= softplus(-a)
							} else {
								lp -= softplus(a)
							}
							return
						}
						mx := math.Inf(-1)
						for _, a := range s.Logits[:K] {
							mx = math.Max(mx, float64(a))
						}
						var z float64
						for _, a := range s.Logits[:K] {
							z += math.Exp(float64(a) - mx)
						}
						lp += float64(s.Logits[v]) - mx - math.Log(z)
					}
					require.NoError(t, m.Sample(context.Background(), x, SampleOptions{Known: known, OnStep: step}))
					assert.InEpsilon(t, g.F64[e], lp, 1e-5, "example %d through the sampler", e)
				}
			})
		})
	}
	require.Equal(t, 8, n, "golden lstm/gru files (python/rnn.py golden)")
}
