package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	genFuzzers = append(genFuzzers, func() fuzzModel {
		r := randomModel(rand.New(rand.NewPCG(1, 100)), Config{Arch: "fvsbn", Dims: 7})
		m, err := New(r.cfg, r.w)
		if err != nil {
			panic(err)
		}
		x := randBinary(rand.New(rand.NewPCG(2, 100)), 2*7)
		opt := SampleOptions{Seed: 3, Known: orderMask(r.w.I["order"], 2)}
		return fuzzModel{m: m, x: x, opt: opt, steps: 2}
	})
}

// orderMask returns the Known mask (data order) of the first kn steps of
// an ordering.
func orderMask(order []int32, kn int) []bool {
	known := make([]bool, len(order))
	for _, d := range order[:kn] {
		known[d] = true
	}
	return known
}

// bernoulliGenConfigs are the FVSBN and NADE models the generator tests
// run: one dimension, a few, and enough for several kernel vectors and a
// ragged tail.
var bernoulliGenConfigs = map[string][]Config{
	"fvsbn": {{Arch: "fvsbn", Dims: 1}, {Arch: "fvsbn", Dims: 7}, {Arch: "fvsbn", Dims: 70}},
	"nade":  {{Arch: "nade", Dims: 1, Hidden: []int{3}}, {Arch: "nade", Dims: 9, Hidden: []int{5}}, {Arch: "nade", Dims: 40, Hidden: []int{33}}},
}

// testBernoulliGenerator runs the shared generator checks on the models
// of one Bernoulli architecture with one ordering (FVSBN, NADE): from
// scratch, after half the steps known, and with every step known, at a
// temperature and at 1, for B = 3 streams (each stream's arithmetic is
// its own: the batch size changes nothing). It also checks that the steps
// the generator reports are those Sample's OnStep reports.
func testBernoulliGenerator(t *testing.T, arch string, seed uint64) {
	for i, cfg := range bernoulliGenConfigs[arch] {
		rng := rand.New(rand.NewPCG(uint64(i), seed))
		r := randomModel(rng, cfg)
		m := build(t, r)
		other := build(t, randomModel(rng, cfg))
		D, order := cfg.Dims, r.w.I["order"]
		for _, kn := range slices.Compact([]int{0, D / 2, D}) {
			const B = 3
			x := randBinary(rng, B*D)
			opt := SampleOptions{Seed: seed + uint64(kn), Temperature: 0.8}
			if kn > 0 {
				opt.Known = orderMask(order, kn)
			}
			if kn == D {
				opt.Temperature = 0
			}
			name := fmt.Sprintf("%s/known%d", cfgName(cfg), kn)
			t.Run(name, func(t *testing.T) {
				t.Run("checks", func(t *testing.T) {
					checkGenerator(t, genCase{name: name, m: m, x: x, opt: opt}, other)
				})
				t.Run("onstep", func(t *testing.T) { checkStepsAreOnSteps(t, m, x, opt) })
			})
		}
	}
}

// checkStepsAreOnSteps checks on every tier that the steps a generator
// reports (index, dimension, logits, values) are the drawn steps Sample
// reports to OnStep with the same options.
func checkStepsAreOnSteps(t *testing.T, m Model, x []float32, opt SampleOptions) {
	ctx := context.Background()
	forAllTiers(t, func(t *testing.T) {
		var want []Step
		o := opt
		o.OnStep = func(s Step) {
			if !s.Known {
				s.Logits = append([]float32(nil), s.Logits...)
				s.Values = append([]float32(nil), s.Values...)
				want = append(want, s)
			}
		}
		require.NoError(t, m.Sample(ctx, append([]float32(nil), x...), o))
		g, err := Generate(ctx, m, x, opt)
		require.NoError(t, err)
		var got []Step
		for s, err := range Steps(ctx, g) {
			require.NoError(t, err)
			s.Logits = append([]float32(nil), s.Logits...)
			s.Values = append([]float32(nil), s.Values...)
			got = append(got, s)
		}
		assert.Equal(t, want, got)
	})
}

func TestFVSBNGenerator(t *testing.T) { testBernoulliGenerator(t, "fvsbn", 101) }

// testForkComputesNoPrefix counts the steps a generator of arch computes
// (its hook, set by withHook): Generate computes each known step once for
// the batch, a fork computes nothing, and the fork's continuation
// computes the steps after the fork point only, once per step for all
// its streams.
func testForkComputesNoPrefix(t *testing.T, arch string, withHook func(func(t, n int), func())) {
	cfg := bernoulliGenConfigs[arch][2]
	r := randomModel(rand.New(rand.NewPCG(5, 102)), cfg)
	m := build(t, r)
	D, kn, ahead := cfg.Dims, cfg.Dims/2, 4
	x := randBinary(rand.New(rand.NewPCG(6, 102)), 2*D)
	counts := map[int]int{}
	count := func(t, n int) { counts[t] += n }
	var g, f Generator
	var err error
	withHook(count, func() {
		g, err = Generate(context.Background(), m, x, SampleOptions{Seed: 1, Known: orderMask(r.w.I["order"], kn)})
	})
	require.NoError(t, err)
	want := map[int]int{}
	for s := 0; s < kn; s++ {
		want[s] = 2
	}
	assert.Equal(t, want, counts, "Generate: the known steps, once each for the 2 streams")

	advance(t, g, ahead)
	clear(counts)
	withHook(count, func() { f, err = g.Fork(64, 7) })
	require.NoError(t, err)
	assert.Empty(t, counts, "the fork computes nothing")

	withHook(count, func() { runGen(t, f) })
	clear(want)
	for s := kn + ahead; s < D; s++ {
		want[s] = 128
	}
	assert.Equal(t, want, counts, "the continuation: the steps after the fork point, once each for the 128 streams")
}

func TestFVSBNForkComputesNoPrefix(t *testing.T) {
	testForkComputesNoPrefix(t, "fvsbn", func(h func(t, n int), f func()) {
		fvsbnGenHook = h
		defer func() { fvsbnGenHook = nil }()
		f()
	})
}

// testGenerateRefuses checks that Generate refuses what Sample refuses,
// and labels for the unconditional model and a step callback (which
// Sample takes: it does not look at Labels).
func testGenerateRefuses(t *testing.T, cfg Config) {
	r := randomModel(rand.New(rand.NewPCG(7, 103)), cfg)
	m := build(t, r)
	D, order := cfg.Dims, r.w.I["order"]
	notPrefix := make([]bool, D)
	notPrefix[order[1]] = true
	half := make([]float32, 2*D)
	half[D+int(order[0])] = 0.5
	cases := []struct {
		name string
		x    []float32
		opt  SampleOptions
	}{
		{"empty buffer", nil, SampleOptions{}},
		{"ragged buffer", make([]float32, D+1), SampleOptions{}},
		{"negative temperature", make([]float32, D), SampleOptions{Temperature: -1}},
		{"known not a prefix", make([]float32, D), SampleOptions{Known: notPrefix}},
		{"known mask too short", make([]float32, D), SampleOptions{Known: make([]bool, D-1)}},
		{"known value 0.5", half, SampleOptions{Known: orderMask(order, 1)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Error(t, m.Sample(context.Background(), append([]float32(nil), c.x...), c.opt))
			_, err := Generate(context.Background(), m, c.x, c.opt)
			require.Error(t, err)
		})
	}
	_, err := Generate(context.Background(), m, make([]float32, D), SampleOptions{OnStep: func(Step) {}})
	require.Error(t, err)
	_, err = Generate(context.Background(), m, make([]float32, D), SampleOptions{Labels: []int{0}})
	require.ErrorContains(t, err, "unconditional")
}

func TestFVSBNGenerateRefuses(t *testing.T) {
	testGenerateRefuses(t, Config{Arch: "fvsbn", Dims: 6})
}

// testStateRefusesDrawnAhead checks that a state whose dimensions still
// to come hold a value (which a generator never saves: they are 0 until
// drawn) is refused, and the state with them 0 restored.
func testStateRefusesDrawnAhead(t *testing.T, cfg Config) {
	r := randomModel(rand.New(rand.NewPCG(8, 104)), cfg)
	m := build(t, r)
	D, order := cfg.Dims, r.w.I["order"]
	g, err := Generate(context.Background(), m, make([]float32, 2*D), SampleOptions{Seed: 2})
	require.NoError(t, err)
	advance(t, g, 2)
	ok, err := g.MarshalBinary()
	require.NoError(t, err)
	_, err = Restore(m, ok)
	require.NoError(t, err)
	baseOf(g).x[D+int(order[D-1])] = 1
	bad, err := g.MarshalBinary()
	require.NoError(t, err)
	_, err = Restore(m, bad)
	require.ErrorIs(t, err, ErrState)
	assert.Contains(t, err.Error(), "not drawn yet")
}

func TestFVSBNStateRefusesDrawnAhead(t *testing.T) {
	testStateRefusesDrawnAhead(t, Config{Arch: "fvsbn", Dims: 6})
}
