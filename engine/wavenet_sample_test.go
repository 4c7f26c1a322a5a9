package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/arinfer/arinfer/format"
	"github.com/arinfer/arinfer/kernels"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// prefixMask returns the Known mask of the first kn of T steps.
func prefixMask(T, kn int) []bool {
	known := make([]bool, T)
	for t := 0; t < kn; t++ {
		known[t] = true
	}
	return known
}

// checkWaveSteps compares the logits every step reported (logits[t],
// stream-major) with the reference's outputs over each finished sequence
// (T steps per stream) at steps t0..len(logits)-1: |got - want| <=
// tol·(1 + |want|).
func checkWaveSteps(t *testing.T, r *waveRef, x []float32, T int, labels []int, logits [][]float32, t0 int, tol float64) {
	t.Helper()
	B := len(x) / T
	for e := 0; e < B; e++ {
		xe := x[e*T : (e+1)*T]
		y := -1
		if labels != nil {
			y = labels[e]
		}
		want := r.logits(xe, y)
		for tt := t0; tt < len(logits); tt++ {
			for k := 0; k < r.C; k++ {
				w, g := want[tt*r.C+k], float64(logits[tt][e*r.C+k])
				require.InDelta(t, w, g, tol*(1+math.Abs(w)), "stream %d step %d logit %d", e, tt, k)
			}
		}
	}
}

// TestWaveSamplerConditionalsEqualForwardPass: the queue generator's
// per-step logits equal a full forward pass over the same prefix, for
// receptive fields larger and smaller than the sequence, from scratch and
// after priming (a known prefix of 1 step, half the sequence, all of it;
// with the priming pass in chunks shorter than the dilations), with given
// and drawn labels.
func TestWaveSamplerConditionalsEqualForwardPass(t *testing.T) {
	for i, cfg := range waveConfigs {
		t.Run(waveName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 81))
			r := randomWave(rng, cfg)
			m := buildWave(t, r, Options{})
			for _, T := range []int{7, 40} {
				mt := withLength(t, m, T)
				for _, B := range []int{1, 5} {
					for _, kn := range []int{0, 1, T / 2, T} {
						for _, given := range []bool{false, true} {
							if given && (cfg.Classes == 0 || B == 1) {
								continue
							}
							chunk := 0
							if kn == T/2 {
								chunk = 3
							}
							t.Run(fmt.Sprintf("T%d-batch%d-known%d-labels%v", T, B, kn, given), func(t *testing.T) {
								forAllTiers(t, func(t *testing.T) {
									x := randSymbols(rng, B*T, r.K)
									opt := SampleOptions{Seed: uint64(7 + B), Temperature: 1.3, Known: prefixMask(T, kn)}
									var labels []int
									if cfg.Classes > 0 {
										if given {
											labels = randLabels(rng, B, cfg.Classes)
											opt.Labels = labels
										} else {
											labels = drawnLabels(r, x, T, kn, opt.Seed)
										}
									}
									var logits [][]float32
									withChunk(mt, chunk, func() { logits = sampleSteps(t, mt, x, opt, kn) })
									checkWaveSteps(t, r, x, T, labels, logits, 0, 2e-5)
								})
							})
						}
					}
				}
			}
		})
	}
}

// roundedWave returns r with the weights the generation step streams
// rounded as wt stores them, and for BF16Dot the inputs of the products
// rounded to bfloat16 too: the model a generator in wt computes.
func roundedWave(r *waveRef, wt kernels.WeightType) *waveRef {
	q := *r
	q.w, q.cache = MapWeights{F: map[string][]float32{}, S: r.w.S}, nil
	round := func(v float32) float32 { return v }
	switch wt {
	case kernels.F16:
		round = func(v float32) float32 { return format.F16ToF32(format.F32ToF16(v)) }
	case kernels.BF16, kernels.BF16Dot:
		round = func(v float32) float32 { return format.BF16ToF32(format.F32ToBF16(v)) }
	}
	for name, v := range r.w.F {
		// Every matrix but the input layer's (a lookup) is a step matrix.
		if !strings.HasSuffix(name, "_w") || name == "in_w" {
			q.w.F[name] = v
			continue
		}
		c := make([]float32, len(v))
		for i, a := range v {
			c[i] = round(a)
		}
		q.w.F[name] = c
	}
	if wt == kernels.BF16Dot {
		q.rx = func(v float64) float64 { return float64(round(float32(v))) }
	}
	return &q
}

// TestWaveStepWeights: with 16-bit step weights the generator's logits
// equal a float64 pass of the model with the same rounded weights (and
// rounded product inputs for BF16Dot) to float32 accuracy, and stay
// within a loose bound of the float32 model: 5e-3·(1+|z|) for F16,
// 3e-2·(1+|z|) for BF16 and 5e-2·(1+|z|) for BF16Dot on these random
// models (measured: at most 1.3e-3, 6.7e-3 and 1.6e-2). A known
// prefix runs in float32 (the scoring kernels).
func TestWaveStepWeights(t *testing.T) {
	loose := map[kernels.WeightType]float64{kernels.F16: 5e-3, kernels.BF16: 3e-2, kernels.BF16Dot: 5e-2}
	for i, cfg := range waveConfigs {
		for _, wt := range []kernels.WeightType{kernels.F16, kernels.BF16, kernels.BF16Dot} {
			t.Run(fmt.Sprintf("%s/%v", waveName(cfg), wt), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(i), 82))
				r := randomWave(rng, cfg)
				q := roundedWave(r, wt)
				const T, B = 30, 3
				m := withLength(t, buildWave(t, r, Options{StepWeights: wt}), T)
				forAllTiers(t, func(t *testing.T) {
					for _, kn := range []int{0, 10} {
						x := randSymbols(rng, B*T, r.K)
						opt := SampleOptions{Seed: 3, Known: prefixMask(T, kn)}
						var labels []int
						if cfg.Classes > 0 {
							labels = randLabels(rng, B, cfg.Classes)
							opt.Labels = labels
						}
						logits := sampleSteps(t, m, x, opt, kn)
						checkWaveSteps(t, r, x, T, labels, logits[:kn], 0, 2e-5)
						if kn == 0 {
							checkWaveSteps(t, q, x, T, labels, logits, 0, 2e-5)
						}
						checkWaveSteps(t, r, x, T, labels, logits, kn, loose[wt])
					}
				})
			})
		}
	}
}

// TestWaveStepCosts counts with the hook what the generator computes:
// the known prefix in one pass (every layer but the last, whose output no
// queue holds, and the head only to report the known steps to OnStep),
// then per step one input lookup, one dilated product and one residual
// and skip product per layer and one head: the same for a receptive field
// larger or smaller than the sequence.
func TestWaveStepCosts(t *testing.T) {
	for i, cfg := range []Config{
		wav(20, []int{1, 2, 4, 8, 16, 32}, 3, 2, 3, 4, 2, 2),
		wav(20, []int{1, 1, 2}, 3, 2, 3, 4, 0, 3),
	} {
		t.Run(waveName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 83))
			r := randomWave(rng, cfg)
			m := buildWave(t, r, Options{})
			const T, B = 20, 4
			L := len(cfg.Dilations)
			for _, kn := range []int{0, 7, T} {
				for _, onStep := range []bool{false, true} {
					x := randSymbols(rng, B*T, r.K)
					opt := SampleOptions{Seed: 1, Known: prefixMask(T, kn)}
					if cfg.Classes > 0 {
						opt.Labels = randLabels(rng, B, cfg.Classes)
					}
					if onStep {
						opt.OnStep = func(Step) {}
					}
					counts := countWave(t, func() { require.NoError(t, m.Sample(context.Background(), x, opt)) })
					want := map[waveKey]int{}
					for tt := 0; tt < T && (kn < T || onStep); tt++ {
						if tt >= kn {
							want[waveKey{'i', 0, tt}] = B
							want[waveKey{'h', 0, tt}] = B
							for l := 1; l <= L; l++ {
								want[waveKey{'d', l, tt}] = B
								want[waveKey{'r', l, tt}] = B
							}
							continue
						}
						for l := 0; l < L; l++ {
							want[waveKey{'c', l, tt}] = B
						}
						if onStep {
							want[waveKey{'c', L, tt}] = B
							want[waveKey{'z', 0, tt}] = B
						}
					}
					assert.Equal(t, want, counts, "known %d onstep %v", kn, onStep)
				}
			}
		})
	}
}

// exactWave enumerates p(x) over all K^T sequences of length T (see
// enumerateDist).
func exactWave(r *waveRef, T int, temp float64) []float64 { return enumerateDist(r, T, r.K, r.C, temp) }

// TestWaveSamplerMatchesExactDistribution draws many sequences from tiny
// models and compares their frequencies with exact enumeration (Pearson's
// chi-square at the 0.999 quantile), from scratch and after a known
// prefix (the exact conditional; a conditional model draws its labels
// from p(y | prefix)).
func TestWaveSamplerMatchesExactDistribution(t *testing.T) {
	for i, tc := range []struct {
		cfg  Config
		T    int
		temp float64
		kn   int
	}{
		{wav(8, []int{1, 2}, 3, 2, 3, 4, 0, 2), 8, 1, 0},
		{wav(6, []int{1, 2, 4}, 3, 2, 3, 4, 3, 2), 6, 1, 0},   // labels from the prior: the marginal
		{wav(8, []int{1, 2, 4}, 3, 2, 3, 4, 3, 2), 8, 1, 3},   // labels from the posterior given the prefix
		{wav(4, []int{1, 2}, 3, 2, 3, 4, 0, 3), 4, 0.7, 0},    // categorical, tempered
		{wav(6, []int{2, 1, 1}, 3, 3, 3, 3, 0, 2), 6, 1.4, 2}, // tempered completion
	} {
		t.Run(fmt.Sprintf("%s-T%d-temp%v-known%d", waveName(tc.cfg), tc.T, tc.temp, tc.kn), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 84))
			r := randomWave(rng, tc.cfg)
			m := withLength(t, buildWave(t, r, Options{}), tc.T)
			p := exactWave(r, tc.T, tc.temp)
			prefix := randSymbols(rng, tc.kn, r.K)
			const N = 20000
			x := make([]float32, N*tc.T)
			for e := 0; e < N; e++ {
				copy(x[e*tc.T:], prefix)
			}
			require.NoError(t, m.Sample(context.Background(), x, SampleOptions{Seed: 12345, Temperature: tc.temp, Known: prefixMask(tc.T, tc.kn)}))
			// Condition p on the prefix.
			var z float64
			for v := range p {
				for t, u := 0, v; t < tc.kn; t, u = t+1, u/r.K {
					if float32(u%r.K) != prefix[t] {
						p[v] = 0
					}
				}
				z += p[v]
			}
			for v := range p {
				p[v] /= z
			}
			counts := make([]int, len(p))
			for e := 0; e < N; e++ {
				require.Equal(t, prefix, x[e*tc.T:e*tc.T+tc.kn], "a known step changed")
				counts[seqIndex(x[e*tc.T:(e+1)*tc.T], r.K)]++
			}
			// Cells of probability 0 (outside the prefix) hold no sample;
			// drop them from the degrees of freedom.
			var cp []float64
			var cc []int
			for v := range p {
				if p[v] > 0 {
					cp, cc = append(cp, p[v]), append(cc, counts[v])
				} else {
					require.Zero(t, counts[v])
				}
			}
			stat, df := chiSquare(cc, cp, N)
			assert.Less(t, stat, chiSquareCritical(df), "chi-square %.1f with %d degrees of freedom", stat, df)
		})
	}
}

// TestWaveSeedsRepeat: the same seed gives the same samples whatever the
// batch size (1, 5, 8), the split over the cores (none with OnStep), the
// group size and the chunk of a known prefix's pass.
func TestWaveSeedsRepeat(t *testing.T) {
	for i, cfg := range waveConfigs {
		t.Run(waveName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 85))
			r := randomWave(rng, cfg)
			const T = 30
			m := withLength(t, buildWave(t, r, Options{}), T)
			forAllTiers(t, func(t *testing.T) {
				ctx := context.Background()
				opt := SampleOptions{Seed: 99, Temperature: 0.8}
				one, five, eight, serial := make([]float32, T), make([]float32, 5*T), make([]float32, 8*T), make([]float32, 8*T)
				require.NoError(t, m.Sample(ctx, one, opt))
				require.NoError(t, m.Sample(ctx, five, opt))
				require.NoError(t, m.Sample(ctx, eight, opt))
				opt.OnStep = func(Step) {}
				require.NoError(t, m.Sample(ctx, serial, opt))
				assert.Equal(t, one, eight[:T])
				assert.Equal(t, five, eight[:5*T])
				assert.Equal(t, eight, serial)
				// Groups of 3 streams: the same samples.
				s := waveSample{m: waveOf(m), ctx: ctx, x: make([]float32, 8*T), opt: SampleOptions{Seed: 99, Temperature: 0.8},
					invT: 1 / 0.8, group: 3, B: 8}
				require.NoError(t, s.run(0, 8))
				assert.Equal(t, eight, s.x)
				// Completion: with and without OnStep, batched or not, in
				// chunks of the model's size or of 2 steps, the same.
				for _, kn := range []int{1, 10, T - 1} {
					known := prefixMask(T, kn)
					a, b, c := slices.Clone(eight), slices.Clone(eight), slices.Clone(eight)
					require.NoError(t, m.Sample(ctx, a, SampleOptions{Seed: 5, Known: known}))
					require.NoError(t, m.Sample(ctx, b, SampleOptions{Seed: 5, Known: known, OnStep: func(Step) {}}))
					withChunk(m, 2, func() { require.NoError(t, m.Sample(ctx, c, SampleOptions{Seed: 5, Known: known})) })
					assert.Equal(t, a, b, "known %d", kn)
					assert.Equal(t, a, c, "known %d", kn)
					d := slices.Clone(eight[:T])
					require.NoError(t, m.Sample(ctx, d, SampleOptions{Seed: 5, Known: known}))
					assert.Equal(t, a[:T], d, "known %d", kn)
				}
			})
		})
	}
}

func TestWaveSampleBadInput(t *testing.T) {
	ctx := context.Background()
	cond := buildWave(t, randomWave(rand.New(rand.NewPCG(1, 86)), wav(6, []int{1, 2}, 2, 2, 2, 2, 3, 2)), Options{})
	unc := buildWave(t, randomWave(rand.New(rand.NewPCG(2, 86)), wav(6, []int{1, 2}, 2, 2, 2, 2, 0, 4)), Options{})
	x := make([]float32, 12)
	assert.EqualError(t, unc.Sample(ctx, x, SampleOptions{Labels: []int{0, 0}}), "engine: wavenet: Labels given to an unconditional model")
	assert.ErrorIs(t, cond.Sample(ctx, x, SampleOptions{Labels: []int{0}}), ErrSize)
	assert.EqualError(t, cond.Sample(ctx, x, SampleOptions{Labels: []int{0, 3}}), "engine: wavenet: label 3 of example 1 is not a class 0..2")
	assert.ErrorIs(t, cond.Sample(ctx, x[:11], SampleOptions{}), ErrSize)
	assert.ErrorIs(t, cond.Sample(ctx, nil, SampleOptions{}), ErrSize)
	assert.ErrorContains(t, cond.Sample(ctx, x, SampleOptions{Temperature: math.NaN()}), "temperature")
	assert.ErrorContains(t, cond.Sample(ctx, x, SampleOptions{Temperature: -1}), "temperature")
	assert.ErrorContains(t, cond.Sample(ctx, x, SampleOptions{Known: []bool{false, true, false, false, false, false}}),
		"step 1 is known and step 0 is not")
	assert.ErrorContains(t, cond.Sample(ctx, x, SampleOptions{Known: []bool{true, true, false, true, false, false}}),
		"step 3 is known and step 2 is not")
	assert.ErrorIs(t, cond.Sample(ctx, x, SampleOptions{Known: []bool{true}}), ErrSize)
	assert.ErrorIs(t, cond.Sample(ctx, x, SampleOptions{Known: prefixMask(7, 7)}), ErrSize, "Known longer than T")
	bad := make([]float32, 12)
	bad[7] = 2
	assert.EqualError(t, cond.Sample(ctx, bad, SampleOptions{Known: prefixMask(6, 2)}),
		"engine: known dimension 1 of example 1 is 2; a bernoulli model takes 0 or 1")
	bad[7] = 4
	assert.EqualError(t, unc.Sample(ctx, bad, SampleOptions{Known: prefixMask(6, 2)}),
		"engine: known dimension 1 of example 1 is 4; a categorical model takes an integer 0..3")
	bad[7] = float32(math.Inf(-1))
	assert.ErrorContains(t, unc.Sample(ctx, bad, SampleOptions{Known: prefixMask(6, 2)}), "is -Inf")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, cond.Sample(cancelled, x, SampleOptions{}), context.Canceled)
	assert.ErrorIs(t, unc.Sample(cancelled, x, SampleOptions{OnStep: func(Step) {}}), context.Canceled)
	// Cancelled while sampling: the step loop notices.
	steps := 0
	stop, cancel2 := context.WithCancel(ctx)
	err := unc.Sample(stop, x, SampleOptions{OnStep: func(Step) {
		if steps++; steps == 2 {
			cancel2()
		}
	}})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 2, steps)
}

func TestWaveSamplingAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items)")
	}
	wts := []kernels.WeightType{kernels.F16, kernels.BF16Dot, kernels.F32, kernels.BF16}
	for i, cfg := range waveConfigs {
		t.Run(waveName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 87))
			r := randomWave(rng, cfg)
			const T = 40
			m := withLength(t, buildWave(t, r, Options{StepWeights: wts[i%len(wts)]}), T)
			ctx := context.Background()
			s1, s8 := make([]float32, T), make([]float32, 8*T)
			known := prefixMask(T, 11)
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
