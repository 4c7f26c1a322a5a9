package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/arinfer/arinfer/format"
	"github.com/arinfer/arinfer/kernels"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// forAllTiers runs f with every kernel tier this machine has, or with
// those of them that ARINFER_TEST_TIERS lists (comma-separated names):
// scripts/test.sh runs the engine under qemu on the NEON tier only, as
// the kernels' own tests there cover the generic tier on arm64 and the
// plain runs cover the engine on it.
func forAllTiers(t *testing.T, f func(t *testing.T)) {
	prev := kernels.Active()
	defer func() { require.NoError(t, kernels.SetTier(prev)) }()
	only := os.Getenv("ARINFER_TEST_TIERS")
	for _, tier := range kernels.Available() {
		if only != "" && !slices.Contains(strings.Split(only, ","), tier.String()) {
			continue
		}
		require.NoError(t, kernels.SetTier(tier))
		t.Run(tier.String(), f)
	}
}

var testConfigs = []Config{
	{Arch: "fvsbn", Dims: 1},
	{Arch: "fvsbn", Dims: 7},
	{Arch: "fvsbn", Dims: 70},
	{Arch: "nade", Dims: 1, Hidden: []int{3}},
	{Arch: "nade", Dims: 9, Hidden: []int{5}},
	{Arch: "nade", Dims: 40, Hidden: []int{33}},
	{Arch: "made", Dims: 2, Hidden: []int{3}},
	{Arch: "made", Dims: 10, Hidden: []int{12}},
	{Arch: "made", Dims: 30, Hidden: []int{40, 25}},
	{Arch: "made", Dims: 30, Hidden: []int{20}, Direct: true},
	{Arch: "made", Dims: 12, Hidden: []int{16, 9, 7}, Masks: 4, Direct: true},
	{Arch: "made", Dims: 50, Hidden: []int{64}, Masks: 3},
	// The sampler's push rows start on multiples of 16 targets and are
	// padded to whole vectors: several 16-target stretches, a ragged last
	// one, and 16 + 1.
	{Arch: "made", Dims: 67, Hidden: []int{50}, Direct: true},
	{Arch: "made", Dims: 17, Hidden: []int{9}, Masks: 2, Direct: true},
	{Arch: "made", Dims: 33, Hidden: []int{24, 30}, Masks: 2, Direct: true},
	// Whole 16-wide vectors of real weights at the end of a row (the
	// sampler loop's last vector of a row takes its own path).
	{Arch: "made", Dims: 48, Hidden: []int{48}, Direct: true},
	{Arch: "made", Dims: 80, Hidden: []int{16}, Direct: true},
}

// halfVariants lists the weights a sampler test runs cfg with: as drawn,
// and, for MADE, whose push tables are binary16 when every weight is a
// binary16 value, also rounded to binary16 (roundToHalf).
func halfVariants(cfg Config) []bool {
	if cfg.Arch == "made" {
		return []bool{false, true}
	}
	return []bool{false}
}

// variantName names a test of cfg with binary16 weights (half) or not.
func variantName(cfg Config, half bool) string {
	if half {
		return cfgName(cfg) + "-f16"
	}
	return cfgName(cfg)
}

// roundToHalf rounds every float weight of r to the nearest binary16
// value, so that MADE's push tables are binary16.
func roundToHalf(r *refModel) {
	for _, v := range r.w.F {
		for j := range v {
			v[j] = format.F16ToF32(format.F32ToF16(v[j]))
		}
	}
}

func cfgName(c Config) string {
	return fmt.Sprintf("%s-D%d-H%v-K%d-direct%v", c.Arch, c.Dims, c.Hidden, c.Masks, c.Direct)
}

func randBinary(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		if rng.IntN(2) == 1 {
			x[i] = 1
		}
	}
	return x
}

func build(t *testing.T, r *refModel) Model {
	t.Helper()
	m, err := New(r.cfg, r.w)
	require.NoError(t, err)
	return m
}

func TestLogProbMatchesReference(t *testing.T) {
	for i, cfg := range testConfigs {
		t.Run(cfgName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			r := randomModel(rng, cfg)
			m := build(t, r)
			const B = 150 // more than one scoring chunk, spread over the workers
			x := randBinary(rng, B*cfg.Dims)
			want := make([]float64, B)
			for e := range want {
				want[e] = r.logProb(x[e*cfg.Dims : (e+1)*cfg.Dims])
			}
			forAllTiers(t, func(t *testing.T) {
				got := make([]float64, B)
				require.NoError(t, m.LogProb(context.Background(), x, got))
				for e := range got {
					assert.InEpsilon(t, want[e], got[e], 1e-5, "example %d", e)
				}
			})
		})
	}
}

func TestSamplerConditionalsEqualForwardPass(t *testing.T) {
	for i, cfg := range testConfigs {
		for _, half := range halfVariants(cfg) {
			name := variantName(cfg, half)
			t.Run(name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(i), 2))
				r := randomModel(rng, cfg)
				if half {
					roundToHalf(r)
				}
				m := build(t, r)
				if mm, ok := m.(*made); ok {
					for k := range mm.comps {
						p := mm.comps[k].pushTables()
						for _, tab := range append(slices.Clone(p.in), p.out) {
							assert.Equal(t, half, tab.h != nil, "binary16 table")
							assert.Equal(t, half, tab.w == nil, "float32 table")
						}
					}
				}
				D := cfg.Dims
				for _, B := range []int{1, 6, 70} {
					t.Run(fmt.Sprintf("batch%d", B), func(t *testing.T) {
						forAllTiers(t, func(t *testing.T) {
							x := make([]float32, B*D)
							logits := make([][]float32, D) // per step, per example
							dims := make([][]int32, D)
							steps := 0
							err := m.Sample(context.Background(), x, SampleOptions{Seed: 7, OnStep: func(s Step) {
								require.Equal(t, steps, s.Index)
								logits[s.Index] = append([]float32(nil), s.Logits...)
								if s.Dims != nil {
									dims[s.Index] = append([]int32(nil), s.Dims...)
								} else {
									dims[s.Index] = make([]int32, B)
									for e := range dims[s.Index] {
										dims[s.Index][e] = int32(s.Dim)
									}
								}
								for e, v := range s.Values {
									assert.Equal(t, x[e*D+int(dims[s.Index][e])], v)
								}
								steps++
							}})
							require.NoError(t, err)
							require.Equal(t, D, steps)
							K := max(cfg.Masks, 1)
							if cfg.Arch != "made" {
								K = 1
							}
							for e := 0; e < B; e++ {
								xe := x[e*D : (e+1)*D]
								for _, v := range xe {
									require.True(t, v == 0 || v == 1)
								}
								// The conditionals must equal those of one component's
								// full forward pass over the finished sample.
								matched := false
								for k := 0; k < K && !matched; k++ {
									ref := r.logits(xe, k)
									ok := true
									for s := 0; s < D; s++ {
										d := dims[s][e]
										if math.Abs(float64(logits[s][e])-ref[d]) > 1e-4*(1+math.Abs(ref[d])) {
											ok = false
											break
										}
									}
									matched = ok
								}
								assert.True(t, matched, "example %d: sampler conditionals match no component's forward pass", e)
							}
						})
					})
				}
			})
		}
	}
}

// exactDist enumerates p(x) over all 2^D binary x.
func exactDist(r *refModel) []float64 {
	D := r.cfg.Dims
	p := make([]float64, 1<<D)
	x := make([]float32, D)
	for v := range p {
		for i := 0; i < D; i++ {
			x[i] = float32(v >> i & 1)
		}
		p[v] = math.Exp(r.logProb(x))
	}
	return p
}

func index(x []float32) int {
	v := 0
	for i, b := range x {
		if b != 0 {
			v |= 1 << i
		}
	}
	return v
}

// chiSquare returns Pearson's statistic and its degrees of freedom, pooling
// cells whose expected count is below 5.
func chiSquare(counts []int, p []float64, n int) (float64, int) {
	var stat, poolE float64
	var poolO, cells int
	for v, c := range counts {
		e := p[v] * float64(n)
		if e < 5 {
			poolE += e
			poolO += c
			continue
		}
		stat += (float64(c) - e) * (float64(c) - e) / e
		cells++
	}
	if poolE > 0 {
		stat += (float64(poolO) - poolE) * (float64(poolO) - poolE) / poolE
		cells++
	}
	return stat, cells - 1
}

// temperedLogProb is log p(v) of one step with logits a at temperature T:
// a Bernoulli step (one logit) or softmax(a/T)_v.
func temperedLogProb(a []float64, v float32, T float64) float64 {
	if len(a) == 1 {
		if v == 1 {
			return -softplus(-a[0] / T)
		}
		return -softplus(a[0] / T)
	}
	mx := math.Inf(-1)
	for _, b := range a {
		mx = math.Max(mx, b/T)
	}
	var z float64
	for _, b := range a {
		z += math.Exp(b/T - mx)
	}
	return a[int(v)]/T - mx - math.Log(z)
}

// chiSquareCritical is the 0.999 quantile of chi-square with df degrees of
// freedom (Wilson–Hilferty approximation, accurate to a few percent here).
func chiSquareCritical(df int) float64 {
	const z = 3.090 // 0.999 normal quantile
	k := float64(df)
	c := 1 - 2/(9*k) + z*math.Sqrt(2/(9*k))
	return k * c * c * c
}

func TestSamplerMatchesExactDistribution(t *testing.T) {
	cfgs := []Config{
		{Arch: "fvsbn", Dims: 6},
		{Arch: "nade", Dims: 6, Hidden: []int{4}},
		{Arch: "made", Dims: 6, Hidden: []int{8}},
		{Arch: "made", Dims: 5, Hidden: []int{6, 5}, Masks: 3, Direct: true},
	}
	for i, cfg := range cfgs {
		t.Run(cfgName(cfg), func(t *testing.T) {
			r := randomModel(rand.New(rand.NewPCG(uint64(i), 3)), cfg)
			m := build(t, r)
			p := exactDist(r)
			var total float64
			for _, v := range p {
				total += v
			}
			require.InDelta(t, 1, total, 1e-9, "reference probabilities sum to 1")
			const N = 20000
			D := cfg.Dims
			x := make([]float32, N*D)
			require.NoError(t, m.Sample(context.Background(), x, SampleOptions{Seed: 12345}))
			counts := make([]int, 1<<D)
			for e := 0; e < N; e++ {
				counts[index(x[e*D:(e+1)*D])]++
			}
			stat, df := chiSquare(counts, p, N)
			assert.Less(t, stat, chiSquareCritical(df), "chi-square %.1f with %d degrees of freedom", stat, df)
		})
	}
}

func TestCompletionMatchesExactConditional(t *testing.T) {
	// A mixture whose components share an ordering but not their degrees:
	// completion must pick components by their posterior given the prefix.
	cfg := Config{Arch: "made", Dims: 6, Hidden: []int{8}, Masks: 3}
	r := randomModel(rand.New(rand.NewPCG(9, 9)), cfg)
	order := r.w.I["order"]
	copy(order[6:], order[:6])
	copy(order[12:], order[:6])
	m := build(t, r)
	p := exactDist(r)
	const kn, N = 2, 20000
	D := cfg.Dims
	known := make([]bool, D)
	prefix := []float32{1, 0}
	for s := 0; s < kn; s++ {
		known[order[s]] = true
	}
	x := make([]float32, N*D)
	for e := 0; e < N; e++ {
		for s := 0; s < kn; s++ {
			x[e*D+int(order[s])] = prefix[s]
		}
	}
	require.NoError(t, m.Sample(context.Background(), x, SampleOptions{Seed: 5, Known: known}))
	// Exact conditional: p(x) restricted to x agreeing with the prefix.
	cond := make([]float64, len(p))
	var z float64
	for v := range p {
		ok := true
		for s := 0; s < kn; s++ {
			if float32(v>>order[s]&1) != prefix[s] {
				ok = false
			}
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
		for s := 0; s < kn; s++ {
			require.Equal(t, prefix[s], x[e*D+int(order[s])], "completion changed a known dimension")
		}
		counts[index(x[e*D:(e+1)*D])]++
	}
	stat, df := chiSquare(counts, cond, N)
	assert.Less(t, stat, chiSquareCritical(df), "chi-square %.1f with %d degrees of freedom", stat, df)
}

func TestCompletionKeepsKnownAndSeedsRepeat(t *testing.T) {
	for i, cfg := range testConfigs {
		if cfg.Arch == "made" && cfg.Masks > 1 {
			continue // random orderings per component: see the error test below
		}
		t.Run(cfgName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 4))
			r := randomModel(rng, cfg)
			m := build(t, r)
			D, B := cfg.Dims, 8
			order := r.w.I["order"][:D]
			kn := D / 2
			known := make([]bool, D)
			for s := 0; s < kn; s++ {
				known[order[s]] = true
			}
			given := randBinary(rng, B*D)
			x := append([]float32(nil), given...)
			require.NoError(t, m.Sample(context.Background(), x, SampleOptions{Seed: 3, Known: known, Temperature: 0.7}))
			for e := 0; e < B; e++ {
				for d := 0; d < D; d++ {
					if known[d] {
						assert.Equal(t, given[e*D+d], x[e*D+d])
					}
				}
			}
			// Same seed, same samples; a larger batch repeats the smaller one.
			a := make([]float32, 3*D)
			b := make([]float32, 5*D)
			require.NoError(t, m.Sample(context.Background(), a, SampleOptions{Seed: 99}))
			require.NoError(t, m.Sample(context.Background(), b, SampleOptions{Seed: 99}))
			assert.Equal(t, a, b[:3*D])
			// A step callback changes the order of the work (a step at a
			// time for the whole batch), not the samples.
			c := make([]float32, 5*D)
			require.NoError(t, m.Sample(context.Background(), c, SampleOptions{Seed: 99, OnStep: func(Step) {}}))
			assert.Equal(t, b, c)
		})
	}
}

func TestSamplesDoNotDependOnOnStep(t *testing.T) {
	// With a step callback the batch advances a step at a time through
	// the general step code; without one each example runs alone (MADE:
	// the one-hidden-layer loop or the deep one). Both must draw the same
	// samples, mixtures included, on every tier.
	for i, cfg := range testConfigs {
		for _, half := range halfVariants(cfg) {
			name := variantName(cfg, half)
			t.Run(name, func(t *testing.T) {
				r := randomModel(rand.New(rand.NewPCG(uint64(i), 9)), cfg)
				if half {
					roundToHalf(r)
				}
				m := build(t, r)
				D := cfg.Dims
				forAllTiers(t, func(t *testing.T) {
					a := make([]float32, 9*D)
					b := make([]float32, 9*D)
					require.NoError(t, m.Sample(context.Background(), a, SampleOptions{Seed: 5, Temperature: 1.3}))
					require.NoError(t, m.Sample(context.Background(), b, SampleOptions{Seed: 5, Temperature: 1.3, OnStep: func(Step) {}}))
					assert.Equal(t, a, b)
				})
			})
		}
	}
}

func TestBadInput(t *testing.T) {
	r := randomModel(rand.New(rand.NewPCG(1, 1)), Config{Arch: "made", Dims: 6, Hidden: []int{5}, Masks: 2})
	m := build(t, r)
	ctx := context.Background()
	assert.ErrorIs(t, m.LogProb(ctx, make([]float32, 7), make([]float64, 1)), ErrSize)
	assert.ErrorContains(t, m.LogProb(ctx, []float32{0, 1, 0.5, 0, 0, 0}, make([]float64, 1)), "dimension 2 is 0.5")
	assert.ErrorIs(t, m.Sample(ctx, make([]float32, 5), SampleOptions{}), ErrSize)
	assert.ErrorContains(t, m.Sample(ctx, make([]float32, 6), SampleOptions{Temperature: -1}), "temperature")
	assert.ErrorContains(t, m.Sample(ctx, make([]float32, 6), SampleOptions{Temperature: math.Inf(1)}), "temperature")
	known := make([]bool, 6)
	known[r.w.I["order"][1]] = true // step 1 without step 0
	assert.ErrorContains(t, m.Sample(ctx, make([]float32, 6), SampleOptions{Known: known}), "first 1 steps")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, m.LogProb(cancelled, make([]float32, 6), make([]float64, 1)), context.Canceled)
	assert.ErrorIs(t, m.Sample(cancelled, make([]float32, 6), SampleOptions{}), context.Canceled)

	bad := randomModel(rand.New(rand.NewPCG(1, 1)), Config{Arch: "nade", Dims: 4, Hidden: []int{3}})
	bad.w.I["order"][0] = bad.w.I["order"][1]
	_, err := New(bad.cfg, bad.w)
	assert.ErrorContains(t, err, "not a permutation")
	bad = randomModel(rand.New(rand.NewPCG(1, 1)), Config{Arch: "fvsbn", Dims: 4})
	bad.w.S["W"] = []int{4, 3}
	_, err = New(bad.cfg, bad.w)
	assert.ErrorContains(t, err, "tensor W has shape [4 3], want [4 4]")
}

func TestAllBinary(t *testing.T) {
	bad := []float32{-1, 2, 0.5, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Float32frombits(1), math.Float32frombits(0x80000001), math.Nextafter32(1, 0), math.Nextafter32(1, 2),
		math.Float32frombits(0x3f800000 | 1<<31), math.MaxFloat32}
	for n := 0; n <= 9; n++ {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i % 2)
			if i%3 == 2 {
				x[i] = float32(math.Copysign(0, -1)) // -0 is 0
			}
		}
		assert.True(t, allBinary(x), "n=%d", n)
		for i := 0; i < n; i++ {
			for _, v := range bad {
				old := x[i]
				x[i] = v
				assert.False(t, allBinary(x), "n=%d x[%d]=%v", n, i, v)
				x[i] = old
			}
		}
	}
}

func TestLogProbNamesFirstNonBinaryValue(t *testing.T) {
	// The workers check their own examples; the error names the first
	// bad value of the batch whichever worker found one.
	for i, cfg := range []Config{
		{Arch: "fvsbn", Dims: 7},
		{Arch: "nade", Dims: 7, Hidden: []int{5}},
		{Arch: "made", Dims: 7, Hidden: []int{9}, Masks: 2},
	} {
		rng := rand.New(rand.NewPCG(uint64(i), 11))
		m := build(t, randomModel(rng, cfg))
		const n = 3000
		x := randBinary(rng, n*cfg.Dims)
		x[2500*cfg.Dims+3] = 3
		x[1700*cfg.Dims+5] = -1
		err := m.LogProb(context.Background(), x, make([]float64, n))
		assert.EqualError(t, err, "engine: example 1700 dimension 5 is -1; a Bernoulli model takes 0 or 1", cfg.Arch)
	}
}

func TestSteadyStateAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items)")
	}
	for i, cfg := range testConfigs {
		t.Run(cfgName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 5))
			m := build(t, randomModel(rng, cfg))
			D := cfg.Dims
			x := randBinary(rng, 1000*D)
			out := make([]float64, 1000)
			ctx := context.Background()
			s := make([]float32, 4*D)
			score := func() { require.NoError(t, m.LogProb(ctx, x, out)) }
			sample := func() { require.NoError(t, m.Sample(ctx, s, SampleOptions{Seed: 1})) }
			score()
			sample()
			assert.Zero(t, testing.AllocsPerRun(20, score), "allocs per LogProb")
			assert.Zero(t, testing.AllocsPerRun(20, sample), "allocs per Sample")
		})
	}
}

func TestAlignedFloats(t *testing.T) {
	for n := 0; n < 100; n += 7 {
		v := alignedFloats(n)
		require.Len(t, v, n)
		if n > 0 {
			assert.Zero(t, uintptr(unsafe.Pointer(&v[0]))&63, "n=%d", n)
		}
	}
}

func TestSubnormalWeightsFlushed(t *testing.T) {
	cfg := Config{Arch: "made", Dims: 20, Hidden: []int{24}, Direct: true, Masks: 2}
	rng := rand.New(rand.NewPCG(5, 5))
	r := randomModel(rng, cfg)
	x := randBinary(rng, 8*cfg.Dims)
	// Make a third of every float tensor subnormal: the copy the model
	// keeps has none, and no log-likelihood changes.
	for name, v := range r.w.F {
		for i := range v {
			if i%3 == 0 {
				v[i] = float32(math.Copysign(1e-40, float64(v[i])))
			}
		}
		r.w.F[name] = v
	}
	m := build(t, r).(*made)
	for k := range m.comps {
		c := &m.comps[k]
		for _, ly := range append(slices.Clone(c.hidden), c.out, *c.direct) {
			assert.False(t, slices.ContainsFunc(ly.w, isSubnormal))
			assert.False(t, slices.ContainsFunc(ly.b, isSubnormal))
		}
	}
	got := make([]float64, 8)
	require.NoError(t, m.LogProb(context.Background(), x, got))
	// The flushed weights are zeros, which is what the reference (float64)
	// makes of 1e-40 within its tolerance too.
	for e := range got {
		assert.InEpsilon(t, r.logProb(x[e*cfg.Dims:(e+1)*cfg.Dims]), got[e], 1e-5)
	}
	assert.Equal(t, []float32{0, 0, -0.5, 0}, flushSubnormals([]float32{1e-40, -1e-45, -0.5, 0}))
	v := []float32{1, 2}
	assert.Same(t, &v[0], &flushSubnormals(v)[0], "no copy without subnormals")
}

func TestMADESharedOrdering(t *testing.T) {
	// A connectivity-agnostic ensemble: every mask has the same ordering,
	// so the direct connections are built once and shared, and every
	// component samples on component 0's tables (canonTables).
	for i, cfg := range []Config{
		{Arch: "made", Dims: 20, Hidden: []int{24}, Masks: 3, Direct: true},
		{Arch: "made", Dims: 37, Hidden: []int{40}, Masks: 4},
		{Arch: "made", Dims: 35, Hidden: []int{30, 21}, Masks: 3, Direct: true},
		{Arch: "made", Dims: 48, Hidden: []int{80}, Masks: 2, Direct: true},
		{Arch: "made", Dims: 100, Hidden: []int{64}, Masks: 3},
	} {
		for _, half := range halfVariants(cfg) {
			name := variantName(cfg, half)
			t.Run(name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(8, uint64(i)))
				r := randomModel(rng, cfg)
				if half {
					roundToHalf(r)
				}
				o := r.w.I["order"]
				for k := 1; k < cfg.Masks; k++ {
					copy(o[k*cfg.Dims:(k+1)*cfg.Dims], o[:cfg.Dims])
				}
				m := build(t, r).(*made)
				require.True(t, m.sameOr)
				p0 := m.comps[0].pushTables()
				for k := 1; k < cfg.Masks; k++ {
					p := m.comps[k].pushTables()
					if cfg.Direct {
						assert.Same(t, m.comps[0].direct, m.comps[k].direct)
						assert.Same(t, &p0.direct.off[0], &p.direct.off[0])
					}
					for l := range p.in {
						assert.Equal(t, half, p.in[l].h != nil, "binary16 table")
						assert.Equal(t, unsafe.SliceData(p0.in[l].w), unsafe.SliceData(p.in[l].w), "layer %d: one table for all components", l)
						assert.Equal(t, unsafe.SliceData(p0.in[l].h), unsafe.SliceData(p.in[l].h), "layer %d: one table for all components", l)
					}
					assert.Equal(t, unsafe.SliceData(p0.out.w), unsafe.SliceData(p.out.w))
					assert.Equal(t, unsafe.SliceData(p0.out.h), unsafe.SliceData(p.out.h))
				}
				x := randBinary(rng, 10*cfg.Dims)
				got := make([]float64, 10)
				forAllTiers(t, func(t *testing.T) {
					require.NoError(t, m.LogProb(context.Background(), x, got))
					for e := range got {
						assert.InEpsilon(t, r.logProb(x[e*cfg.Dims:(e+1)*cfg.Dims]), got[e], 1e-5)
					}
					// Every sample's conditionals are one component's
					// forward pass, and the samples come from more than one.
					const B = 24
					s := make([]float32, B*cfg.Dims)
					var lg [][]float32
					require.NoError(t, m.Sample(context.Background(), s, SampleOptions{Seed: 2, OnStep: func(st Step) {
						lg = append(lg, slices.Clone(st.Logits))
					}}))
					used := map[int]bool{}
					for e := 0; e < B; e++ {
						xe := s[e*cfg.Dims : (e+1)*cfg.Dims]
						matched := -1
						for k := 0; k < cfg.Masks && matched < 0; k++ {
							ref := r.logits(xe, k)
							ok := true
							for step, d := range o[:cfg.Dims] {
								ok = ok && math.Abs(float64(lg[step][e])-ref[d]) <= 1e-4*(1+math.Abs(ref[d]))
							}
							if ok {
								matched = k
							}
						}
						assert.GreaterOrEqual(t, matched, 0, "example %d matches no component", e)
						used[matched] = true
					}
					assert.Greater(t, len(used), 1, "components used")
					// Without the callback (the one-layer loop or the deep
					// one), the same samples.
					s2 := make([]float32, B*cfg.Dims)
					require.NoError(t, m.Sample(context.Background(), s2, SampleOptions{Seed: 2}))
					assert.Equal(t, s, s2)
				})
			})
		}
	}
}
