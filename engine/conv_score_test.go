package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func buildConv(t testing.TB, r *convRef) Model {
	t.Helper()
	m, err := New(r.cfg, r.w)
	require.NoError(t, err)
	return m
}

// convOf returns the convModel behind m.
func convOf(m Model) *convModel {
	if c, ok := m.(classCondModel); ok {
		return c.convModel
	}
	return m.(*convModel)
}

func randLabels(rng *rand.Rand, n, N int) []int {
	l := make([]int, n)
	for i := range l {
		l[i] = rng.IntN(N)
	}
	return l
}

func TestConvLogProbMatchesReference(t *testing.T) {
	for i, cfg := range convConfigs {
		t.Run(convName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 31))
			r := randomConv(rng, cfg)
			m := buildConv(t, r)
			info := m.Info()
			assert.Equal(t, cfg.Arch, info.Arch)
			assert.Equal(t, cfg.Classes, info.Classes)
			assert.Equal(t, r.K, info.Categories)
			assert.Equal(t, cfg.Shape, info.Shape)
			var params int
			for _, v := range r.w.F {
				params += len(v)
			}
			assert.Equal(t, params, info.Params)
			assert.Positive(t, info.FLOPs)
			cc, isCC := m.(ClassConditional)
			assert.Equal(t, cfg.Classes > 0, isCC, "implements ClassConditional iff it has classes")

			D, B := cfg.Dims, 7
			x := randSymbols(rng, B*D, r.K)
			want := make([]float64, B)
			for e := range want {
				want[e] = r.logProb(x[e*D : (e+1)*D])
			}
			var labels []int
			var wantGiven []float64
			if isCC {
				labels = randLabels(rng, B, cfg.Classes)
				wantGiven = make([]float64, B)
				for e := range wantGiven {
					wantGiven[e] = r.logProbGiven(x[e*D:(e+1)*D], labels[e])
				}
			}
			cm := convOf(m)
			def := cm.chunk
			defer func() { cm.chunk = def }()
			forAllTiers(t, func(t *testing.T) {
				// One chunk per call, and chunks of 1 and 3 images (a
				// chunk's images share each convolution; the label runs of
				// LogProbGiven split them).
				for _, chunk := range []int{def, 1, 3} {
					cm.chunk = chunk
					got := make([]float64, B)
					require.NoError(t, m.LogProb(context.Background(), x, got))
					for e := range got {
						assert.InEpsilon(t, want[e], got[e], 1e-4, "chunk %d example %d", chunk, e)
					}
					if isCC {
						require.NoError(t, cc.LogProbGiven(context.Background(), x, labels, got))
						for e := range got {
							assert.InEpsilon(t, wantGiven[e], got[e], 1e-4, "chunk %d example %d given %d", chunk, e, labels[e])
						}
					}
				}
			})
		})
	}
}

// TestConvMarginalIsMixture checks LogProb against LogProbGiven for every
// class: log p(x) = logsumexp_y log p(y) + log p(x|y).
func TestConvMarginalIsMixture(t *testing.T) {
	for i, cfg := range convConfigs {
		if cfg.Classes == 0 {
			continue
		}
		t.Run(convName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 32))
			r := randomConv(rng, cfg)
			m := buildConv(t, r).(ClassConditional)
			D, B, N := cfg.Dims, 5, cfg.Classes
			x := randSymbols(rng, B*D, r.K)
			marg := make([]float64, B)
			require.NoError(t, m.LogProb(context.Background(), x, marg))
			prior := r.logPrior()
			terms := make([][]float64, B)
			for y := 0; y < N; y++ {
				labels := make([]int, B)
				for e := range labels {
					labels[e] = y
				}
				got := make([]float64, B)
				require.NoError(t, m.LogProbGiven(context.Background(), x, labels, got))
				for e := range got {
					terms[e] = append(terms[e], prior[y]+got[e])
				}
			}
			for e := range marg {
				mx := math.Inf(-1)
				for _, v := range terms[e] {
					mx = math.Max(mx, v)
				}
				var s float64
				for _, v := range terms[e] {
					s += math.Exp(v - mx)
				}
				assert.InDelta(t, mx+math.Log(s), marg[e], 1e-9*(1+math.Abs(marg[e])), "example %d", e)
			}
		})
	}
}

// TestConvLogProbLargeBatch spreads a batch over the workers: the same
// values as one example at a time.
func TestConvLogProbLargeBatch(t *testing.T) {
	for i, cfg := range []Config{pix(6, 5, 4, 2, 3, 5, 3, 2, 2), gat(5, 6, 3, 2, 3, 4, 0, 4)} {
		t.Run(convName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 33))
			r := randomConv(rng, cfg)
			m := buildConv(t, r)
			D, B := cfg.Dims, 61
			x := randSymbols(rng, B*D, r.K)
			convOf(m).chunk = 4
			all := make([]float64, B)
			require.NoError(t, m.LogProb(context.Background(), x, all))
			for e := 0; e < B; e++ {
				one := make([]float64, 1)
				require.NoError(t, m.LogProb(context.Background(), x[e*D:(e+1)*D], one))
				assert.InEpsilon(t, one[0], all[e], 1e-6, "example %d", e)
			}
		})
	}
}

func TestConvScoringAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items)")
	}
	for i, cfg := range convConfigs {
		t.Run(convName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 34))
			r := randomConv(rng, cfg)
			m := buildConv(t, r)
			D, B := cfg.Dims, 20
			x := randSymbols(rng, B*D, r.K)
			out := make([]float64, B)
			ctx := context.Background()
			convOf(m).chunk = 3 // several chunks, on both workers
			score := func() { require.NoError(t, m.LogProb(ctx, x, out)) }
			score()
			assert.Zero(t, testing.AllocsPerRun(10, score), "allocs per LogProb")
			if cc, ok := m.(ClassConditional); ok {
				labels := randLabels(rng, B, cfg.Classes)
				given := func() { require.NoError(t, cc.LogProbGiven(ctx, x, labels, out)) }
				given()
				assert.Zero(t, testing.AllocsPerRun(10, given), "allocs per LogProbGiven")
			}
		})
	}
}

func TestConvBadInput(t *testing.T) {
	ctx := context.Background()
	cond := randomConv(rand.New(rand.NewPCG(1, 1)), pix(3, 4, 2, 1, 3, 3, 2, 3, 2))
	m := buildConv(t, cond).(ClassConditional)
	x := make([]float32, 2*12)
	assert.ErrorIs(t, m.LogProb(ctx, x[:23], make([]float64, 2)), ErrSize)
	x[13] = 0.5
	assert.EqualError(t, m.LogProb(ctx, x, make([]float64, 2)), "engine: example 1 dimension 1 is 0.5; a Bernoulli model takes 0 or 1")
	x[13] = 1
	assert.ErrorIs(t, m.LogProbGiven(ctx, x, []int{0}, make([]float64, 2)), ErrSize)
	assert.EqualError(t, m.LogProbGiven(ctx, x, []int{0, 3}, make([]float64, 2)), "engine: pixelcnn: label 3 of example 1 is not a class 0..2")
	assert.EqualError(t, m.LogProbGiven(ctx, x, []int{-1, 0}, make([]float64, 2)), "engine: pixelcnn: label -1 of example 0 is not a class 0..2")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, m.LogProb(cancelled, x, make([]float64, 2)), context.Canceled)

	cat := randomConv(rand.New(rand.NewPCG(1, 1)), gat(2, 3, 2, 1, 3, 2, 0, 5))
	g := buildConv(t, cat)
	_, isCC := g.(ClassConditional)
	assert.False(t, isCC)
	assert.EqualError(t, g.LogProb(ctx, []float32{0, 1, 4, 5, 0, 0}, make([]float64, 1)),
		"engine: example 0 dimension 3 is 5; a categorical model with 5 categories takes an integer 0..4")
	assert.ErrorContains(t, g.LogProb(ctx, []float32{0, 1, 2.5, 0, 0, 0}, make([]float64, 1)), "dimension 2 is 2.5")
	assert.ErrorContains(t, g.LogProb(ctx, []float32{0, float32(math.NaN()), 2, 0, 0, 0}, make([]float64, 1)), "dimension 1 is NaN")

	cases := []struct {
		name string
		cfg  Config
		edit func(c *Config, w MapWeights)
		want string
	}{
		{"flat shape", pix(3, 4, 2, 1, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.Shape = nil }, "shape [12] must be [H W]"},
		{"3-d shape", pix(3, 4, 2, 1, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.Shape = []int{1, 3, 4} }, "shape [1 3 4] must be [H W]"},
		{"wide image", pix(1, 4, 2, 1, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.Shape, c.Dims = []int{1, 70000}, 70000 }, "exceeds 65535 rows or columns"},
		{"big image", pix(1, 4, 2, 1, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.Shape, c.Dims = []int{1100, 1000}, 1100000 }, "or 1048576 pixels"},
		{"even kernel", pix(3, 4, 2, 1, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.KernelSize = 4 }, "kernel_size 4 must be an odd number in 1..255"},
		{"gated kernel 1", gat(3, 4, 2, 1, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.KernelSize = 1 }, "kernel_size 1 must be an odd number in 3..255"},
		{"even input kernel", pix(3, 4, 2, 1, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.InputKernel = 6 }, "input_kernel 6 must be an odd number in 3..255"},
		{"input kernel 1", pix(3, 4, 2, 1, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.InputKernel = 1 }, "input_kernel 1 must be"},
		{"gated input kernel", gat(3, 4, 2, 1, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.InputKernel = 3 }, "input_kernel 3 is a pixelcnn key"},
		{"no channels", pix(3, 4, 2, 1, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.Channels = 0 }, "channels 0 must be in 1..65536"},
		{"too many layers", pix(3, 4, 2, 1, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.Layers = 1025 }, "layers 1025 must be in 0..1024"},
		{"gated no layers", gat(3, 4, 2, 1, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.Layers = 0 }, "layers 0 must be in 1..1024"},
		{"head", gat(3, 4, 2, 1, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.HeadChannels = 70000 }, "head_channels 70000 must be in 1..65536"},
		{"classes", gat(3, 4, 2, 1, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.Classes = -1 }, "classes -1 must be in 0..65536"},
		{"categories", gat(3, 4, 2, 1, 3, 2, 0, 3), func(c *Config, w MapWeights) { c.Categories = 70000 }, "70000 categories exceed 65536"},
		{"absurd activations", pix(3, 4, 2, 1, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { c.Shape, c.Dims, c.Channels = []int{1024, 1024}, 1<<20, 65536 },
			"scoring one 1024x1024 image needs 137440002048 activations, more than 536870912"},
		{"absurd state", gat(3, 4, 2, 1, 3, 2, 0, 2), func(c *Config, w MapWeights) {
			c.Shape, c.Dims, c.Channels, c.Layers = []int{1, 65535}, 65535, 1024, 1024
		},
			"the sampler state of one example needs"},
		{"in_w shape", pix(3, 4, 2, 1, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { w.S["in_w"] = []int{2, 1, 3, 2} }, "tensor in_w has shape [2 1 3 2], want [2 1 3 3]"},
		{"res_w shape", pix(3, 4, 2, 2, 3, 3, 2, 0, 2), func(c *Config, w MapWeights) { w.S["res2_w"] = []int{2, 2, 3, 1} }, "tensor res2_w has shape [2 2 3 1], want [2 2 3 3]"},
		{"missing res", pix(3, 4, 2, 2, 3, 3, 2, 1, 2), func(c *Config, w MapWeights) { delete(w.F, "res2_cls") }, "missing float32 tensor res2_cls"},
		{"in_cls shape", pix(3, 4, 2, 1, 3, 3, 2, 2, 2), func(c *Config, w MapWeights) { w.S["in_cls"] = []int{3, 2} }, "tensor in_cls has shape [3 2], want [2 2]"},
		{"more classes than rows", pix(3, 4, 2, 1, 3, 3, 2, 2, 2), func(c *Config, w MapWeights) { c.Classes = 3 }, "tensor in_cls has shape [2 2], want [3 2]"},
		{"h1 shape", gat(3, 4, 2, 2, 3, 2, 0, 2), func(c *Config, w MapWeights) { w.S["h1_w"] = []int{4, 1, 1, 2} }, "tensor h1_w has shape [4 1 1 2], want [4 1 1 1]"},
		{"h2 shape", gat(3, 4, 2, 2, 3, 2, 0, 2), func(c *Config, w MapWeights) { w.S["h2_w"] = []int{4, 2, 1, 1} }, "tensor h2_w has shape [4 2 1 1], want [4 2 1 2]"},
		{"v1 shape", gat(3, 4, 2, 2, 3, 2, 0, 2), func(c *Config, w MapWeights) { w.S["v1_w"] = []int{4, 2, 2, 3} }, "tensor v1_w has shape [4 2 2 3], want [4 1 2 3]"},
		{"vh shape", gat(3, 4, 2, 2, 3, 2, 0, 2), func(c *Config, w MapWeights) { w.S["vh2_w"] = []int{4, 2} }, "tensor vh2_w has shape [4 2], want [4 4]"},
		{"short tensor", gat(3, 4, 2, 2, 3, 2, 0, 2), func(c *Config, w MapWeights) { w.F["ho1_w"] = w.F["ho1_w"][:3] }, "tensor ho1_w has 3 values, want 4"},
		{"head2 rows", gat(3, 4, 2, 1, 3, 2, 0, 3), func(c *Config, w MapWeights) { c.Categories = 4 }, "tensor head2_w has shape [3 2], want [4 2]"},
		{"no prior", gat(3, 4, 2, 1, 3, 2, 2, 2), func(c *Config, w MapWeights) { delete(w.F, "class_logits") }, "missing float32 tensor class_logits"},
		{"NaN prior", gat(3, 4, 2, 1, 3, 2, 2, 2), func(c *Config, w MapWeights) { w.F["class_logits"][1] = float32(math.Inf(1)) }, "class_logits holds +Inf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := randomConv(rand.New(rand.NewPCG(1, 1)), tc.cfg)
			cfg := r.cfg
			cfg.Shape = append([]int(nil), cfg.Shape...)
			tc.edit(&cfg, r.w)
			if cfg.Shape != nil {
				cfg.Dims = prod(cfg.Shape)
			}
			var err error
			assert.NotPanics(t, func() { _, err = New(cfg, r.w) })
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func ExampleClassConditional() {
	r := randomConv(rand.New(rand.NewPCG(1, 2)), pix(4, 4, 3, 1, 3, 3, 4, 2, 2))
	m, err := New(r.cfg, r.w)
	if err != nil {
		panic(err)
	}
	x := make([]float32, 16) // an empty image
	var marg, given [1]float64
	if err := m.LogProb(context.Background(), x, marg[:]); err != nil {
		panic(err)
	}
	cc := m.(ClassConditional)
	if err := cc.LogProbGiven(context.Background(), x, []int{1}, given[:]); err != nil {
		panic(err)
	}
	fmt.Println(m.Info().Classes, marg[0] > given[0]+r.logPrior()[1])
	// Output: 2 true
}
