package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/arinfer/arinfer/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWaveLogProbMatchesReference scores random sequences of several
// lengths (shorter and longer than the receptive field), one stream (its
// chunks' steps split over the cores) and several (streams split), in
// chunks of the model's size and of 1, 3 and 7 steps (chunks shorter than
// a dilation: the queues carry the steps before a chunk), against the
// float64 reference: LogProb (the marginal for a conditional model) and
// LogProbGiven.
func TestWaveLogProbMatchesReference(t *testing.T) {
	ctx := context.Background()
	for i, cfg := range waveConfigs {
		t.Run(waveName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 71))
			r := randomWave(rng, cfg)
			m := buildWave(t, r, Options{})
			for _, T := range []int{1, 7, 40} {
				mt := withLength(t, m, T)
				require.Equal(t, T, mt.Info().Dims)
				require.Equal(t, []int{T}, mt.Info().Shape)
				for _, B := range []int{1, 3} {
					x := randSymbols(rng, B*T, r.K)
					var labels []int
					if r.N > 0 {
						labels = randLabels(rng, B, r.N)
					}
					want, wantGiven := make([]float64, B), make([]float64, B)
					for e := range want {
						xe := x[e*T : (e+1)*T]
						want[e] = r.logProb(xe)
						if labels != nil {
							wantGiven[e] = r.logProbGiven(xe, labels[e])
						}
					}
					for _, chunk := range []int{0, 1, 3, 7} {
						t.Run(fmt.Sprintf("T%d-batch%d-chunk%d", T, B, chunk), func(t *testing.T) {
							forAllTiers(t, func(t *testing.T) {
								withChunk(mt, chunk, func() {
									got := make([]float64, B)
									require.NoError(t, mt.LogProb(ctx, x, got))
									for e := range got {
										assert.InDelta(t, want[e], got[e], 1e-4*math.Abs(want[e])+1e-3, "stream %d", e)
									}
									if labels == nil {
										return
									}
									require.NoError(t, mt.(ClassConditional).LogProbGiven(ctx, x, labels, got))
									for e := range got {
										xe := x[e*T : (e+1)*T]
										assert.InDelta(t, wantGiven[e], got[e], r.tol(xe, labels[e], wantGiven[e]), "stream %d label %d", e, labels[e])
									}
								})
							})
						})
					}
				}
			}
		})
	}
}

// TestWaveMarginalIsMixture checks LogProb = logsumexp_y(log p(y) +
// LogProbGiven(y)) on the engine's own numbers.
func TestWaveMarginalIsMixture(t *testing.T) {
	cfg := wav(20, []int{1, 2, 4}, 3, 3, 4, 5, 4, 3)
	r := randomWave(rand.New(rand.NewPCG(7, 72)), cfg)
	m := buildWave(t, r, Options{}).(ClassConditional)
	x := randSymbols(rand.New(rand.NewPCG(8, 72)), 2*20, 3)
	ctx := context.Background()
	got := make([]float64, 2)
	require.NoError(t, m.LogProb(ctx, x, got))
	terms := make([][]float64, 2)
	prior := r.logPrior()
	for y := 0; y < 4; y++ {
		given := make([]float64, 2)
		require.NoError(t, m.LogProbGiven(ctx, x, []int{y, y}, given))
		for e := range given {
			terms[e] = append(terms[e], prior[y]+given[e])
		}
	}
	for e := range got {
		assert.InDelta(t, logSumExp64(terms[e]), got[e], 1e-9*math.Abs(got[e]))
	}
}

// TestWaveScoringIsOnePass counts with the hook every step each layer and
// the head compute while scoring: exactly once per stream, whatever the
// chunk.
func TestWaveScoringIsOnePass(t *testing.T) {
	cfg := wav(30, []int{1, 4, 16}, 3, 2, 3, 4, 0, 2)
	r := randomWave(rand.New(rand.NewPCG(9, 73)), cfg)
	m := buildWave(t, r, Options{})
	x := randSymbols(rand.New(rand.NewPCG(10, 73)), 4*30, 2)
	for _, chunk := range []int{0, 5} {
		for _, B := range []int{1, 4} {
			counts := countWave(t, func() {
				withChunk(m, chunk, func() {
					require.NoError(t, m.LogProb(context.Background(), x[:B*30], make([]float64, B)))
				})
			})
			want := map[waveKey]int{}
			for tt := 0; tt < 30; tt++ {
				for l := 0; l <= 3; l++ {
					want[waveKey{'c', l, tt}] = B
				}
				want[waveKey{'z', 0, tt}] = B
			}
			assert.Equal(t, want, counts, "chunk %d batch %d", chunk, B)
		}
	}
}

// waveKey is one computation the hook reports: kind, layer and step.
type waveKey struct {
	kind     byte
	layer, t int
}

// countWave runs f with the hook counting every step of every stream.
func countWave(t *testing.T, f func()) map[waveKey]int {
	var mu sync.Mutex
	counts := map[waveKey]int{}
	waveHook = func(kind byte, layer, t0, t1, n int) {
		mu.Lock()
		for tt := t0; tt < t1; tt++ {
			counts[waveKey{kind, layer, tt}] += n
		}
		mu.Unlock()
	}
	defer func() { waveHook = nil }()
	f()
	return counts
}

// TestWaveLongSequenceMemory scores a sequence longer than many chunks
// with the default chunk and checks it against the reference, and that
// the workspace stays the size of a chunk, not of the sequence.
func TestWaveLongSequenceMemory(t *testing.T) {
	cfg := wav(8, []int{1, 2, 4, 8, 16, 32}, 4, 4, 4, 4, 0, 3)
	r := randomWave(rand.New(rand.NewPCG(11, 74)), cfg)
	m := buildWave(t, r, Options{})
	const T = 3000
	mt := withLength(t, m, T)
	x := randSymbols(rand.New(rand.NewPCG(12, 74)), T, 3)
	withChunk(mt, 256, func() {
		got := make([]float64, 1)
		require.NoError(t, mt.LogProb(context.Background(), x, got))
		want := r.logProb(x)
		assert.InDelta(t, want, got[0], r.tol(x, -1, want))
		ws := waveOf(mt).pool.Get().(*waveWork)
		defer waveOf(mt).pool.Put(ws)
		assert.LessOrEqual(t, cap(ws.sk), 256*4, "the skip sums of one chunk")
		assert.LessOrEqual(t, cap(ws.h[0]), (32+256)*4, "the residual stream of one chunk and its queue")
	})
}

func TestWaveScoringAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items)")
	}
	ctx := context.Background()
	for i, cfg := range waveConfigs {
		t.Run(waveName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 75))
			m := withLength(t, buildWave(t, randomWave(rng, cfg), Options{}), 50)
			for _, B := range []int{1, 6} {
				x := randSymbols(rng, B*50, m.Info().Categories)
				out := make([]float64, B)
				run := func() { require.NoError(t, m.LogProb(ctx, x, out)) }
				run()
				assert.Zero(t, testing.AllocsPerRun(5, run), "allocs per LogProb of %d streams", B)
				if cc, ok := m.(ClassConditional); ok {
					labels := randLabels(rng, B, cfg.Classes)
					given := func() { require.NoError(t, cc.LogProbGiven(ctx, x, labels, out)) }
					given()
					assert.Zero(t, testing.AllocsPerRun(5, given), "allocs per LogProbGiven of %d streams", B)
				}
			}
		})
	}
}

// TestWaveWithLength checks that a length view shares the weights and
// the pools (nothing copied) and keeps everything but the length.
func TestWaveWithLength(t *testing.T) {
	cfg := wav(12, []int{1, 2, 4, 8, 16}, 4, 3, 5, 6, 2, 4)
	cfg.Shape = []int{3, 4}
	m := buildWave(t, randomWave(rand.New(rand.NewPCG(13, 76)), cfg), Options{})
	info := m.Info()
	assert.Equal(t, 12, info.Dims)
	assert.Equal(t, []int{3, 4}, info.Shape)
	assert.Equal(t, 2+31, m.(Sequence).ReceptiveField())
	v := withLength(t, m, 100000)
	assert.Same(t, waveOf(m).waveCore, waveOf(v).waveCore, "the view shares the weights")
	vi := v.Info()
	assert.Equal(t, 100000, vi.Dims)
	assert.Equal(t, []int{100000}, vi.Shape)
	assert.Equal(t, info.Params, vi.Params)
	assert.Equal(t, info.Classes, vi.Classes)
	assert.Equal(t, info.FLOPs/12*100000, vi.FLOPs)
	_, ok := v.(ClassConditional)
	assert.True(t, ok)
	if !raceEnabled {
		assert.LessOrEqual(t, testing.AllocsPerRun(10, func() { _, _ = m.(Sequence).WithLength(5) }), 3.0, "a view is a few small allocations")
	}
	for _, T := range []int{0, -1, maxWaveLen + 1} {
		_, err := m.(Sequence).WithLength(T)
		assert.ErrorContains(t, err, "sequence length", "T = %d", T)
	}
}

// TestWaveBadInput: inconsistent tensors and hyperparameters, bad values,
// labels and buffers are errors, never panics.
func TestWaveBadInput(t *testing.T) {
	ctx := context.Background()
	base := wav(6, []int{1, 2}, 3, 2, 4, 5, 2, 2)
	good := randomWave(rand.New(rand.NewPCG(14, 77)), base)
	bad := func(edit func(c *Config, w MapWeights)) error {
		c := base
		c.Dilations = append([]int(nil), base.Dilations...)
		w := MapWeights{F: map[string][]float32{}, S: map[string][]int{}}
		for k, v := range good.w.F {
			w.F[k], w.S[k] = v, good.w.S[k]
		}
		edit(&c, w)
		_, err := New(c, w)
		return err
	}
	for _, tc := range []struct {
		name string
		edit func(c *Config, w MapWeights)
		want string
	}{
		{"no dilations", func(c *Config, w MapWeights) { c.Dilations = nil }, "0 dilations"},
		{"dilation 0", func(c *Config, w MapWeights) { c.Dilations[1] = 0 }, "dilation 0 of layer 2"},
		{"dilation too large", func(c *Config, w MapWeights) { c.Dilations[0] = 65537 }, "dilation 65537"},
		{"dilation sum", func(c *Config, w MapWeights) {
			c.Dilations = make([]int, 17)
			for i := range c.Dilations {
				c.Dilations[i] = 65536
			}
		}, "sum to"},
		{"too many layers", func(c *Config, w MapWeights) { c.Dilations = make([]int, 1025) }, "1025 dilations"},
		{"residual channels", func(c *Config, w MapWeights) { c.ResidualChannels = 0 }, "residual_channels 0"},
		{"gate channels", func(c *Config, w MapWeights) { c.GateChannels = 65537 }, "gate_channels 65537"},
		{"skip channels", func(c *Config, w MapWeights) { c.SkipChannels = -1 }, "skip_channels -1"},
		{"head channels", func(c *Config, w MapWeights) { c.HeadChannels = 0 }, "head_channels 0"},
		{"classes", func(c *Config, w MapWeights) { c.Classes = -1 }, "classes -1"},
		{"sample rate", func(c *Config, w MapWeights) { c.SampleRate = 2000000 }, "sample_rate 2000000"},
		{"audio bernoulli", func(c *Config, w MapWeights) { c.SampleRate = 16000 }, "must be categorical"},
		{"categories", func(c *Config, w MapWeights) { c.Dist, c.Categories = Categorical, 70000 }, "70000 categories"},
		{"huge state", func(c *Config, w MapWeights) {
			c.Dilations = []int{65536, 65536, 65536, 65536}
			c.ResidualChannels = 65536
		}, "needs"},
		{"missing tensor", func(c *Config, w MapWeights) { delete(w.F, "skip2_w") }, "skip2_w"},
		{"wrong dil shape", func(c *Config, w MapWeights) { w.S["dil2_w"] = []int{4, 3, 1} }, "dil2_w"},
		{"wrong in_w shape", func(c *Config, w MapWeights) { w.S["in_w"] = []int{3, 2, 2} }, "in_w"},
		{"missing class rows", func(c *Config, w MapWeights) { delete(w.F, "dil1_cls") }, "dil1_cls"},
		{"missing prior", func(c *Config, w MapWeights) { delete(w.F, "class_logits") }, "class_logits"},
		{"prior not finite", func(c *Config, w MapWeights) {
			w.F["class_logits"] = []float32{0, float32(math.Inf(1))}
		}, "finite"},
		{"categorical in_w", func(c *Config, w MapWeights) { c.Dist, c.Categories = Categorical, 3 }, "in_w"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorContains(t, bad(tc.edit), tc.want)
		})
	}
	_, err := NewOptions(base, good.w, Options{StepWeights: 9})
	assert.ErrorContains(t, err, "weight type")

	m := buildWave(t, good, Options{})
	cc := m.(ClassConditional)
	x := make([]float32, 12)
	out := make([]float64, 2)
	assert.ErrorIs(t, m.LogProb(ctx, x[:11], out), ErrSize)
	assert.ErrorIs(t, cc.LogProbGiven(ctx, x, []int{0}, out), ErrSize)
	assert.EqualError(t, cc.LogProbGiven(ctx, x, []int{0, 2}, out), "engine: wavenet: label 2 of example 1 is not a class 0..1")
	assert.EqualError(t, cc.LogProbGiven(ctx, x, []int{-1, 0}, out), "engine: wavenet: label -1 of example 0 is not a class 0..1")
	x[7] = 0.5
	assert.EqualError(t, m.LogProb(ctx, x, out), "engine: example 1 dimension 1 is 0.5; a Bernoulli model takes 0 or 1")
	cat := buildWave(t, randomWave(rand.New(rand.NewPCG(15, 77)), wav(4, []int{1}, 2, 2, 2, 2, 0, 3)), Options{})
	assert.ErrorContains(t, cat.LogProb(ctx, []float32{0, 1, 3, 2}, make([]float64, 1)), "dimension 2 is 3")
	assert.ErrorContains(t, cat.LogProb(ctx, []float32{0, 1, float32(math.NaN()), 2}, make([]float64, 1)), "dimension 2 is NaN")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	x[7] = 1
	assert.ErrorIs(t, m.LogProb(cancelled, x, out), context.Canceled)
	assert.ErrorIs(t, m.LogProb(cancelled, x[:6], out[:1]), context.Canceled)
}

// TestWaveFromFile builds a wavenet from a .arw file the format package
// writes and checks it scores as the same model built from the map.
func TestWaveFromFile(t *testing.T) {
	cfg := wav(8, []int{1, 2, 4}, 3, 2, 4, 5, 2, 6)
	cfg.SampleRate = 8000
	r := randomWave(rand.New(rand.NewPCG(16, 78)), cfg)
	h := format.Header{Arch: format.WaveNet, Dims: 8, Shape: []int{8}, Dist: format.Categorical, Categories: 6,
		Dilations: cfg.Dilations, ResidualChannels: 3, GateChannels: 2, SkipChannels: 4, HeadChannels: 5,
		Classes: 2, SampleRate: 8000}
	path := t.TempDir() + "/w.arw"
	require.NoError(t, writeWaveFile(path, h, r))
	m, err := Open(path)
	require.NoError(t, err)
	assert.Equal(t, 8000, m.Info().SampleRate)
	assert.Equal(t, "wavenet", m.Info().Arch)
	x := randSymbols(rand.New(rand.NewPCG(17, 78)), 3*8, 6)
	got := make([]float64, 3)
	require.NoError(t, m.LogProb(context.Background(), x, got))
	for e := range got {
		want := r.logProb(x[e*8 : (e+1)*8])
		assert.InDelta(t, want, got[e], r.tol(x[e*8:(e+1)*8], -1, want)+1e-4)
	}
	m16, err := OpenOptions(path, Options{StepWeights: 1})
	require.NoError(t, err)
	// The same model but for the digest, which covers the step weights'
	// storage (a generator state continues only where it was saved).
	i32, i16 := m.Info(), m16.Info()
	assert.NotEqual(t, i32.Digest(), i16.Digest())
	i32.digest, i16.digest = nil, nil
	assert.Equal(t, i32, i16)
}
