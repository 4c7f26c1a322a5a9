package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// condRef is a float64 reference of a class-conditional model: the
// outputs of every dimension of x given label y, and log p(y).
type condRef interface {
	logits(x []float32, y int) []float64
	logPrior() []float64
}

// drawnLabels returns the labels Sample draws for a class-conditional
// model when SampleOptions.Labels is nil: each example (D values) its
// first draw from its own stream, from p(y | its first kn pixels)
// (computed here by the reference).
func drawnLabels(r condRef, x []float32, D, kn int, seed uint64) []int {
	B := len(x) / D
	var s rngs
	s.reset(seed, B)
	N := len(r.logPrior())
	p := make([]float64, N)
	l := make([]int, B)
	for e := range l {
		post := r.logPrior()
		for y := range post {
			z := r.logits(x[e*D:(e+1)*D], y)
			C := len(z) / D
			for t := 0; t < kn; t++ {
				post[y] += condLogProb(z[t*C:(t+1)*C], x[e*D+t])
			}
		}
		l[e] = s.categorical64(e, post, p)
	}
	return l
}

// condLogProb is the log-probability of value v under one pixel's outputs.
func condLogProb(a []float64, v float32) float64 {
	if len(a) == 1 {
		if v == 1 {
			return -softplus(-a[0])
		}
		return -softplus(a[0])
	}
	mx := math.Inf(-1)
	for _, b := range a {
		mx = math.Max(mx, b)
	}
	var s float64
	for _, b := range a {
		s += math.Exp(b - mx)
	}
	return a[int(v)] - mx - math.Log(s)
}

// sampleSteps samples x with opt, recording every step's logits; it
// checks the steps' bookkeeping (index, known flag, values).
func sampleSteps(t *testing.T, m Model, x []float32, opt SampleOptions, kn int) [][]float32 {
	D := m.Info().Dims
	B := len(x) / D
	given := slices.Clone(x)
	var logits [][]float32
	opt.OnStep = func(s Step) {
		tt := len(logits)
		require.Equal(t, tt, s.Index)
		require.Equal(t, tt, s.Dim)
		require.Nil(t, s.Dims)
		require.Equal(t, tt < kn, s.Known)
		require.Len(t, s.Logits, B*outputsPerStep(m.Info()))
		require.Len(t, s.Values, B)
		for e, v := range s.Values {
			if tt < kn {
				require.Equal(t, given[e*D+tt], v, "known value")
			}
			require.Equal(t, x[e*D+tt], v, "reported value")
		}
		logits = append(logits, slices.Clone(s.Logits))
	}
	require.NoError(t, m.Sample(context.Background(), x, opt))
	require.Len(t, logits, D)
	for e := 0; e < B; e++ {
		assert.Equal(t, given[e*D:e*D+kn], x[e*D:e*D+kn], "example %d: completion changed a known pixel", e)
	}
	return logits
}

// outputsPerStep is the number of logits a step reports per example: 1
// (Bernoulli) or the categories.
func outputsPerStep(info Info) int {
	if info.Dist == Bernoulli {
		return 1
	}
	return info.Categories
}

// checkConditionals compares the recorded conditionals of every step with
// a full forward pass of the reference over each finished sample.
func checkConditionals(t *testing.T, r *convRef, x []float32, labels []int, logits [][]float32) {
	D, C := r.D, r.C
	B := len(x) / D
	for e := 0; e < B; e++ {
		xe := x[e*D : (e+1)*D]
		for _, v := range xe {
			require.True(t, v >= 0 && v < float32(r.K) && v == float32(int(v)), "value %v", v)
		}
		y := -1
		if labels != nil {
			y = labels[e]
		}
		want := r.logits(xe, y)
		for tt := 0; tt < D; tt++ {
			for k := 0; k < C; k++ {
				w, g := want[tt*C+k], float64(logits[tt][e*C+k])
				require.InDelta(t, w, g, 2e-5*(1+math.Abs(w)), "example %d pixel %d logit %d", e, tt, k)
			}
		}
	}
}

func TestConvSamplerConditionalsEqualForwardPass(t *testing.T) {
	for i, cfg := range convConfigs {
		t.Run(convName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 41))
			r := randomConv(rng, cfg)
			m := buildConv(t, r)
			D, W := cfg.Dims, cfg.Shape[1]
			// Known prefixes: none, part of the first row, whole rows (one
			// batched forward pass), whole rows and a part, everything.
			knowns := []int{0, W / 2, W, min(D, 2*W+1), D}
			for _, B := range []int{1, 5} {
				for _, kn := range knowns {
					for _, given := range []bool{false, true} {
						if given && (cfg.Classes == 0 || B == 1) {
							continue
						}
						name := fmt.Sprintf("batch%d-known%d-labels%v", B, kn, given)
						t.Run(name, func(t *testing.T) {
							forAllTiers(t, func(t *testing.T) {
								x := randSymbols(rng, B*D, r.K)
								known := make([]bool, D)
								for d := 0; d < kn; d++ {
									known[d] = true
								}
								opt := SampleOptions{Seed: uint64(7 + B), Temperature: 1.3, Known: known}
								var labels []int
								if cfg.Classes > 0 {
									if given {
										labels = randLabels(rng, B, cfg.Classes)
										opt.Labels = labels
									} else {
										labels = drawnLabels(r, x, D, kn, opt.Seed)
									}
								}
								logits := sampleSteps(t, m, x, opt, kn)
								checkConditionals(t, r, x, labels, logits)
							})
						})
					}
				}
			}
		})
	}
}

// TestConvSamplerComputesEachPixelOnce counts, with the test hook, every
// computation of a layer's output pixel: exactly once per image for each
// pixel a sample needs, never for the others (the vertical stack of the
// last row; the last layer and head of the known rows when no step is
// reported).
func TestConvSamplerComputesEachPixelOnce(t *testing.T) {
	for i, cfg := range []Config{
		pix(5, 4, 3, 2, 3, 5, 2, 2, 2),
		pix(4, 6, 2, 1, 5, 3, 2, 0, 3),
		gat(5, 4, 3, 3, 3, 2, 2, 2),
		gat(4, 6, 2, 2, 5, 2, 0, 3),
	} {
		t.Run(convName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			r := randomConv(rng, cfg)
			m := buildConv(t, r)
			H, W, D, L := cfg.Shape[0], cfg.Shape[1], cfg.Dims, cfg.Layers
			for _, kn := range []int{0, W + 2, 2 * W, D} {
				for _, onStep := range []bool{false, true} {
					t.Run(fmt.Sprintf("known%d-onstep%v", kn, onStep), func(t *testing.T) {
						const B = 6
						type key struct {
							kind        byte
							layer, r, c int
						}
						var mu sync.Mutex
						counts := map[key]int{}
						convHook = func(kind byte, layer, r, c, n int) {
							mu.Lock()
							counts[key{kind, layer, r, c}] += n
							mu.Unlock()
						}
						defer func() { convHook = nil }()
						x := randSymbols(rng, B*D, r.K)
						known := make([]bool, D)
						for d := 0; d < kn; d++ {
							known[d] = true
						}
						opt := SampleOptions{Seed: 3, Known: known}
						if cfg.Classes > 0 {
							// Given labels: drawing them from the posterior
							// would score the known pixels once per class.
							opt.Labels = randLabels(rng, B, cfg.Classes)
						}
						if onStep {
							opt.OnStep = func(Step) {}
						}
						require.NoError(t, m.Sample(context.Background(), x, opt))
						convHook = nil
						kr := kn / W // rows of the batched forward pass
						want := map[key]int{}
						for row := 0; row < H && (kn < D || onStep); row++ {
							for c := 0; c < W; c++ {
								prefix := row < kr
								last := !prefix || onStep // the last layer and head
								if last {
									want[key{'z', 0, row, c}] = B
								}
								for l := 1; l <= L; l++ {
									if cfg.Arch == "pixelcnn" {
										if l < L || last {
											want[key{'s', l, row, c}] = B
										}
										continue
									}
									if row < H-1 || prefix {
										want[key{'v', l, row, c}] = B
									}
									if last {
										want[key{'h', l, row, c}] = B
									}
								}
								if cfg.Arch == "pixelcnn" && (L > 0 || last) {
									want[key{'s', 0, row, c}] = B
								}
							}
						}
						assert.Equal(t, want, counts)
					})
				}
			}
		})
	}
}

// exactRef is a float64 reference model whose outcomes can be enumerated.
type exactRef interface {
	logits(x []float32, y int) []float64 // all steps' outputs, C per step (y = -1: none)
	logProb(x []float32) float64         // log p(x), the marginal over classes
}

// enumerateDist enumerates p(x) over all K^D sequences of D values (x[0]
// varying fastest): the model's log p(x) (the marginal for a
// class-conditional model) at temperature 1, else the product of the
// tempered conditionals (unconditional models only). C is the outputs per
// step.
func enumerateDist(r exactRef, D, K, C int, temp float64) []float64 {
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
		if temp == 1 {
			p[v] = math.Exp(r.logProb(x))
			continue
		}
		z := r.logits(x, -1)
		lp := 0.0
		for i := range x {
			lp += temperedLogProb(z[i*C:(i+1)*C], x[i], temp)
		}
		p[v] = math.Exp(lp)
	}
	return p
}

// exactConv enumerates p(x) over all K^D images (see enumerateDist).
func exactConv(r *convRef, T float64) []float64 { return enumerateDist(r, r.D, r.K, r.C, T) }

func TestConvSamplerMatchesExactDistribution(t *testing.T) {
	for i, tc := range []struct {
		cfg Config
		T   float64
	}{
		{pix(3, 3, 3, 1, 3, 3, 3, 0, 2), 1},
		{pix(3, 3, 3, 2, 3, 5, 3, 3, 2), 1}, // labels drawn from the prior: the marginal
		{gat(3, 3, 3, 2, 3, 3, 0, 2), 0.7},
		{gat(3, 3, 2, 1, 3, 3, 2, 2), 1},
		{gat(2, 2, 2, 1, 3, 3, 0, 3), 1},
	} {
		t.Run(fmt.Sprintf("%s-T%v", convName(tc.cfg), tc.T), func(t *testing.T) {
			r := randomConv(rand.New(rand.NewPCG(uint64(i), 43)), tc.cfg)
			m := buildConv(t, r)
			p := exactConv(r, tc.T)
			var total float64
			for _, v := range p {
				total += v
			}
			require.InDelta(t, 1, total, 1e-9, "reference probabilities sum to 1")
			const N = 30000
			D := tc.cfg.Dims
			x := make([]float32, N*D)
			require.NoError(t, m.Sample(context.Background(), x, SampleOptions{Seed: 12345, Temperature: tc.T}))
			counts := make([]int, len(p))
			for e := 0; e < N; e++ {
				counts[seqIndex(x[e*D:(e+1)*D], r.K)]++
			}
			stat, df := chiSquare(counts, p, N)
			assert.Less(t, stat, chiSquareCritical(df), "chi-square %.1f with %d degrees of freedom", stat, df)
		})
	}
}

// TestConvCompletionMatchesExactConditional completes a fixed first row
// (the batched forward pass) and one more pixel.
func TestConvCompletionMatchesExactConditional(t *testing.T) {
	// With classes and no labels, the labels come from the posterior given
	// the known pixels.
	for i, cfg := range []Config{pix(3, 3, 3, 2, 3, 3, 3, 2, 2), gat(3, 3, 3, 2, 3, 3, 0, 2), gat(3, 3, 2, 2, 3, 3, 3, 2)} {
		t.Run(convName(cfg), func(t *testing.T) {
			r := randomConv(rand.New(rand.NewPCG(uint64(i), 44)), cfg)
			m := buildConv(t, r)
			p := exactConv(r, 1)
			const kn, N = 4, 20000
			D := cfg.Dims
			prefix := []float32{1, 0, 1, 1}
			known := make([]bool, D)
			x := make([]float32, N*D)
			for e := 0; e < N; e++ {
				copy(x[e*D:], prefix)
			}
			for d := 0; d < kn; d++ {
				known[d] = true
			}
			require.NoError(t, m.Sample(context.Background(), x, SampleOptions{Seed: 5, Known: known}))
			cond := make([]float64, len(p))
			var z float64
			for v := range p {
				ok := true
				for d := 0; d < kn; d++ {
					ok = ok && float32(v>>d&1) == prefix[d]
				}
				if ok {
					cond[v] = p[v]
					z += p[v]
				}
			}
			for v := range cond {
				cond[v] /= z
			}
			counts := make([]int, len(p))
			for e := 0; e < N; e++ {
				require.Equal(t, prefix, x[e*D:e*D+kn], "completion changed a known pixel")
				counts[seqIndex(x[e*D:(e+1)*D], 2)]++
			}
			stat, df := chiSquare(counts, cond, N)
			assert.Less(t, stat, chiSquareCritical(df), "chi-square %.1f with %d degrees of freedom", stat, df)
		})
	}
}

func TestConvSeedsRepeat(t *testing.T) {
	for i, cfg := range convConfigs {
		t.Run(convName(cfg), func(t *testing.T) {
			r := randomConv(rand.New(rand.NewPCG(uint64(i), 45)), cfg)
			m := buildConv(t, r)
			D := cfg.Dims
			forAllTiers(t, func(t *testing.T) {
				// Batch 1 is example 0 of batch 7; split over the cores
				// (no OnStep) or advanced together (OnStep), the same.
				one := make([]float32, D)
				seven := make([]float32, 7*D)
				serial := make([]float32, 7*D)
				opt := SampleOptions{Seed: 99, Temperature: 0.8}
				require.NoError(t, m.Sample(context.Background(), one, opt))
				require.NoError(t, m.Sample(context.Background(), seven, opt))
				opt.OnStep = func(Step) {}
				require.NoError(t, m.Sample(context.Background(), serial, opt))
				assert.Equal(t, one, seven[:D])
				assert.Equal(t, seven, serial)
				// Completion, with and without OnStep (which needs the
				// known rows' last layer and head), the same.
				W := cfg.Shape[1]
				for _, kn := range []int{W, min(D, W+1), D - 1} {
					known := make([]bool, D)
					for d := 0; d < kn; d++ {
						known[d] = true
					}
					a := slices.Clone(seven)
					b := slices.Clone(seven)
					require.NoError(t, m.Sample(context.Background(), a, SampleOptions{Seed: 5, Known: known}))
					require.NoError(t, m.Sample(context.Background(), b, SampleOptions{Seed: 5, Known: known, OnStep: func(Step) {}}))
					assert.Equal(t, a, b, "known %d", kn)
				}
				// Groups of 2 examples: the same samples.
				cm := convOf(m)
				s := convSample{m: cm, ctx: context.Background(), x: make([]float32, 7*D), opt: SampleOptions{Seed: 99, Temperature: 0.8}, invT: 1 / 0.8, group: 2}
				require.NoError(t, s.run(0, 7))
				assert.Equal(t, seven, s.x)
			})
		})
	}
}

func TestConvSampleBadInput(t *testing.T) {
	ctx := context.Background()
	cond := buildConv(t, randomConv(rand.New(rand.NewPCG(1, 1)), gat(2, 3, 2, 1, 3, 2, 3, 2)))
	unc := buildConv(t, randomConv(rand.New(rand.NewPCG(1, 1)), pix(2, 3, 2, 1, 3, 3, 2, 0, 4)))
	x := make([]float32, 12)
	assert.EqualError(t, unc.Sample(ctx, x, SampleOptions{Labels: []int{0, 0}}), "engine: pixelcnn: Labels given to an unconditional model")
	assert.ErrorIs(t, cond.Sample(ctx, x, SampleOptions{Labels: []int{0}}), ErrSize)
	assert.EqualError(t, cond.Sample(ctx, x, SampleOptions{Labels: []int{0, 3}}), "engine: gatedpixelcnn: label 3 of example 1 is not a class 0..2")
	assert.ErrorIs(t, cond.Sample(ctx, x[:11], SampleOptions{}), ErrSize)
	assert.ErrorIs(t, cond.Sample(ctx, nil, SampleOptions{}), ErrSize)
	assert.ErrorContains(t, cond.Sample(ctx, x, SampleOptions{Temperature: math.NaN()}), "temperature")
	assert.ErrorContains(t, cond.Sample(ctx, x, SampleOptions{Known: []bool{false, true, false, false, false, false}}), "first 1 steps")
	assert.ErrorIs(t, cond.Sample(ctx, x, SampleOptions{Known: []bool{true}}), ErrSize)
	bad := make([]float32, 12)
	bad[7] = 2
	assert.EqualError(t, cond.Sample(ctx, bad, SampleOptions{Known: []bool{true, true, false, false, false, false}}),
		"engine: known dimension 1 of example 1 is 2; a bernoulli model takes 0 or 1")
	bad[7] = 4
	assert.EqualError(t, unc.Sample(ctx, bad, SampleOptions{Known: []bool{true, true, false, false, false, false}}),
		"engine: known dimension 1 of example 1 is 4; a categorical model takes an integer 0..3")
	bad[7] = 0.5
	assert.ErrorContains(t, unc.Sample(ctx, bad, SampleOptions{Known: []bool{true, true, false, false, false, false}}), "is 0.5")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, cond.Sample(cancelled, x, SampleOptions{}), context.Canceled)
	assert.ErrorIs(t, unc.Sample(cancelled, x, SampleOptions{OnStep: func(Step) {}}), context.Canceled)
}

func TestConvSamplingAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items)")
	}
	for i, cfg := range convConfigs {
		t.Run(convName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 46))
			r := randomConv(rng, cfg)
			m := buildConv(t, r)
			D, W := cfg.Dims, cfg.Shape[1]
			ctx := context.Background()
			s1 := make([]float32, D)
			s8 := make([]float32, 8*D)
			known := make([]bool, D)
			for d := 0; d < min(D, W+1); d++ {
				known[d] = true
			}
			var labels []int
			if cfg.Classes > 0 {
				labels = randLabels(rng, 8, cfg.Classes)
			}
			runs := []struct {
				name string
				f    func()
			}{
				{"batch 1", func() { require.NoError(t, m.Sample(ctx, s1, SampleOptions{Seed: 1})) }},
				{"batch 8", func() {
					require.NoError(t, m.Sample(ctx, s8, SampleOptions{Seed: 1, Temperature: 0.9, Labels: labels}))
				}},
				{"batch 8 completion", func() { require.NoError(t, m.Sample(ctx, s8, SampleOptions{Seed: 2, Known: known})) }},
				{"batch 8 steps", func() { require.NoError(t, m.Sample(ctx, s8, SampleOptions{Seed: 3, OnStep: func(Step) {}})) }},
			}
			for _, run := range runs {
				run.f()
				assert.Zero(t, testing.AllocsPerRun(5, run.f), "allocs per Sample, %s", run.name)
			}
		})
	}
}

// TestConvGoldenThroughSampler scores the PyTorch golden files of the
// image models through the sampler's conditionals: all pixels but the last
// known (the known rows in one forward pass, the last row pixel by pixel),
// with the golden labels; the conditionals at the golden values sum to
// log p(x|y).
func TestConvGoldenThroughSampler(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.json")
	require.NoError(t, err)
	n := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if !strings.HasPrefix(name, "pixelcnn-") && !strings.HasPrefix(name, "gated-") {
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
			D, C := m.Info().Dims, convOf(m).C
			known := make([]bool, D)
			for i := 0; i < D-1; i++ {
				known[i] = true
			}
			forAllTiers(t, func(t *testing.T) {
				for e, row := range g.Inputs[:min(3, len(g.Inputs))] {
					x := make([]float32, D)
					for i, v := range row {
						x[i] = float32(v)
					}
					want := slices.Clone(x)
					var lp float64
					opt := SampleOptions{Known: known, OnStep: func(s Step) {
						a := make([]float64, C)
						for k := range a {
							a[k] = float64(s.Logits[k])
						}
						lp += condLogProb(a, want[s.Index])
					}}
					if g.Labels != nil {
						opt.Labels = g.Labels[e : e+1]
					}
					require.NoError(t, m.Sample(context.Background(), x, opt))
					assert.InEpsilon(t, g.F64[e], lp, g.RTol, "example %d", e)
				}
			})
		})
	}
	require.Equal(t, 8, n, "golden pixelcnn/gated files")
}
