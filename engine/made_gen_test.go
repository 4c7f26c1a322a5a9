package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	genFuzzers = append(genFuzzers, func() fuzzModel {
		r := randomModel(rand.New(rand.NewPCG(1, 110)), Config{Arch: "made", Dims: 6, Hidden: []int{8, 5}, Masks: 2, Direct: true})
		m, err := New(r.cfg, r.w)
		if err != nil {
			panic(err)
		}
		return fuzzModel{m: m, x: make([]float32, 2*6), opt: SampleOptions{Seed: 3, Temperature: 2}, steps: 3}
	})
}

// madeGenCase is a MADE the generator tests run: its configuration, its
// orderings (shared: every component has component 0's ordering;
// prefixed: every component's first kn steps are the same dimensions, in
// its own order) and whether its weights are binary16 values (binary16
// push tables).
type madeGenCase struct {
	cfg      Config
	shared   bool
	prefixed bool
	half     bool
	kn       []int // known prefixes to run
	temp     float64
}

var madeGenCases = []madeGenCase{
	{cfg: Config{Arch: "made", Dims: 2, Hidden: []int{3}}, kn: []int{0, 1}},
	{cfg: Config{Arch: "made", Dims: 10, Hidden: []int{12}}, kn: []int{0, 5}, temp: 0.8},
	{cfg: Config{Arch: "made", Dims: 10, Hidden: []int{12}}, half: true, kn: []int{0, 3}},
	{cfg: Config{Arch: "made", Dims: 30, Hidden: []int{40, 25}}, kn: []int{0, 11}, temp: 1.5},
	{cfg: Config{Arch: "made", Dims: 67, Hidden: []int{50}, Direct: true}, half: true, kn: []int{0, 30}},
	// Mixtures: orderings of their own (the first steps shared when
	// completing), one shared ordering (component 0's tables for all).
	{cfg: Config{Arch: "made", Dims: 12, Hidden: []int{16, 9, 7}, Masks: 4, Direct: true}, kn: []int{0}, temp: 1.2},
	{cfg: Config{Arch: "made", Dims: 17, Hidden: []int{9}, Masks: 3, Direct: true}, prefixed: true, half: true, kn: []int{0, 6}},
	{cfg: Config{Arch: "made", Dims: 20, Hidden: []int{24}, Masks: 3, Direct: true}, shared: true, kn: []int{0, 8}},
	{cfg: Config{Arch: "made", Dims: 35, Hidden: []int{30, 21}, Masks: 3}, shared: true, half: true, kn: []int{0, 20}, temp: 0.7},
}

// madeModel builds c's model from rng.
func madeModel(t *testing.T, rng *rand.Rand, c madeGenCase) (Model, []int32) {
	t.Helper()
	r := randomModel(rng, c.cfg)
	if c.half {
		roundToHalf(r)
	}
	D, o := c.cfg.Dims, r.w.I["order"]
	for k := 1; k < max(1, c.cfg.Masks); k++ {
		ok := o[k*D : (k+1)*D]
		switch {
		case c.shared:
			copy(ok, o[:D])
		case c.prefixed:
			n := c.kn[len(c.kn)-1]
			copy(ok, o[:D])
			rng.Shuffle(n, func(i, j int) { ok[i], ok[j] = ok[j], ok[i] })
			rng.Shuffle(D-n, func(i, j int) { ok[n+i], ok[n+j] = ok[n+j], ok[n+i] })
		}
	}
	return build(t, r), o[:D]
}

// madeKnown returns the Known mask of the first kn steps of order.
func madeKnown(order []int32, kn int) []bool {
	known := make([]bool, len(order))
	for _, d := range order[:kn] {
		known[d] = true
	}
	return known
}

// TestMADEGenerator runs the shared generator checks on MADEs of one and
// more hidden layers, float32 and binary16 push tables, with direct
// connections, and mixtures (orderings of their own, one shared
// ordering), from scratch and completing a known prefix (the mixtures
// then pick components by their posterior), for B = 3 streams (each
// stream's pushes are its own: the batch size changes nothing but the
// posterior's forward pass, which Sample runs on the same batch). It also
// checks the steps against Sample's OnStep.
func TestMADEGenerator(t *testing.T) {
	for i, c := range madeGenCases {
		rng := rand.New(rand.NewPCG(uint64(i), 111))
		m, order := madeModel(t, rng, c)
		other, _ := madeModel(t, rng, c)
		for _, kn := range c.kn {
			const B = 3
			x := randBinary(rng, B*c.cfg.Dims)
			opt := SampleOptions{Seed: uint64(20 + i), Temperature: c.temp}
			if kn > 0 {
				opt.Known = madeKnown(order, kn)
			}
			name := fmt.Sprintf("%s/known%d", variantName(c.cfg, c.half), kn)
			if c.shared {
				name += "-shared"
			}
			t.Run(name, func(t *testing.T) {
				checkGenerator(t, genCase{name: name, m: m, x: x, opt: opt}, other)
				checkMADEOnSteps(t, m, x, opt)
			})
		}
	}
}

// checkMADEOnSteps checks on every tier that the steps a generator
// reports are the steps after the known prefix that Sample reports to
// OnStep with the same options.
func checkMADEOnSteps(t *testing.T, m Model, x []float32, opt SampleOptions) {
	ctx := context.Background()
	forAllTiers(t, func(t *testing.T) {
		var want, got []Step
		o := opt
		o.OnStep = func(s Step) {
			if !s.Known {
				s.Logits = append([]float32(nil), s.Logits...)
				s.Values = append([]float32(nil), s.Values...)
				s.Dims = append([]int32(nil), s.Dims...)
				want = append(want, s)
			}
		}
		require.NoError(t, m.Sample(ctx, append([]float32(nil), x...), o))
		g, err := Generate(ctx, m, x, opt)
		require.NoError(t, err)
		for s, err := range Steps(ctx, g) {
			require.NoError(t, err)
			s.Logits = append([]float32(nil), s.Logits...)
			s.Values = append([]float32(nil), s.Values...)
			s.Dims = append([]int32(nil), s.Dims...)
			got = append(got, s)
		}
		assert.Equal(t, want, got)
	})
}

// TestMADEGeneratorFinishes runs the shared checks where many draws need
// finish32's extra bits (a high temperature puts the logits near 0, where
// the crude bound decides least), so that the states saved, restored and
// forked hold streams with finishing draws taken (where those bits come
// from: TestMADEGeneratorDrawsSampleStream).
func TestMADEGeneratorFinishes(t *testing.T) {
	c := madeGenCase{cfg: Config{Arch: "made", Dims: 80, Hidden: []int{16}, Direct: true}}
	rng := rand.New(rand.NewPCG(3, 112))
	m, order := madeModel(t, rng, c)
	other, _ := madeModel(t, rng, c)
	for _, kn := range []int{0, 9} {
		const B = 3
		x := randBinary(rng, B*80)
		opt := SampleOptions{Seed: 5, Temperature: 200}
		if kn > 0 {
			opt.Known = madeKnown(order, kn)
		}
		g, err := Generate(context.Background(), m, x, opt)
		require.NoError(t, err)
		advance(t, g, (80-kn)/2)
		var fin uint64
		for _, f := range g.(*madeGen).fin {
			fin += f
		}
		require.NotZero(t, fin, "finishing draws before the middle")
		t.Run(fmt.Sprintf("known%d", kn), func(t *testing.T) {
			checkGenerator(t, genCase{name: "finishes", m: m, x: x, opt: opt}, other)
		})
	}
}

// TestMADEGeneratorDrawsSampleStream checks the draws the generator
// leaves to the exact test against the random stream as Sample consumes
// it: one uniform for the component, then the pairs of 32-bit uniforms of
// every step after the prefix (draws32), then 21 more bits for each step
// whose logit the crude bound cannot decide, in step order (finish32).
// The steps undecided must be exactly those, and each 53-bit uniform the
// one Sample completes, also across a save and restore. (The samples
// alone hardly tell: the extra bits change a draw only when sigmoid(z)
// falls inside the 2^-32 interval of its uniform.)
func TestMADEGeneratorDrawsSampleStream(t *testing.T) {
	const D, B = 81, 3
	c := madeGenCase{cfg: Config{Arch: "made", Dims: D, Hidden: []int{16}, Masks: 2, Direct: true}, shared: true, kn: []int{9}}
	m, order := madeModel(t, rand.New(rand.NewPCG(4, 115)), c)
	type finish struct {
		e, t int
		u    float64
	}
	var got []finish
	madeFinishHook = func(e, t int, u float64) { got = append(got, finish{e, t, u}) }
	defer func() { madeFinishHook = nil }()
	for _, kn := range []int{0, 9, 10} { // an odd and an even number of steps to draw
		t.Run(fmt.Sprintf("known%d", kn), func(t *testing.T) {
			opt := SampleOptions{Seed: 6, Temperature: 200}
			if kn > 0 {
				opt.Known = madeKnown(order, kn)
			}
			var ref rngs
			ref.reset(opt.Seed, B)
			u, bound := make([]float64, B*D), make([]float64, B*D)
			for e := 0; e < B; e++ {
				ref.uniform(e) // the component
				ref.draws32(e, u[e*D+kn:(e+1)*D], bound[e*D+kn:(e+1)*D])
			}
			var want []finish
			expect := func(st Step) {
				for e := 0; e < B; e++ {
					z := float64(st.Logits[e]) / opt.Temperature
					if i := e*D + st.Index; decide32(z, bound[i]) < 0 {
						want = append(want, finish{e, st.Index, u[i] + float64(ref.r[e].Uint64()>>43)*0x1p-53})
					}
				}
			}
			got = got[:0]
			x := randBinary(rand.New(rand.NewPCG(uint64(kn), 115)), B*D)
			g, err := Generate(context.Background(), m, x, opt)
			require.NoError(t, err)
			for range (D - kn) / 2 {
				st, err := g.Next(context.Background())
				require.NoError(t, err)
				expect(st)
			}
			s, err := g.MarshalBinary()
			require.NoError(t, err)
			r, err := Restore(m, s)
			require.NoError(t, err)
			for st, err := range Steps(context.Background(), r) {
				require.NoError(t, err)
				expect(st)
			}
			require.NotEmpty(t, want)
			assert.Equal(t, want, got)
		})
	}
}

// TestMADEGenForkComputesNoPrefix counts the steps the generators compute:
// Generate computes each known step once per stream (and, for a mixture,
// one posterior pass for the batch), a fork computes nothing, and its
// continuation computes the steps after the fork point only, once per
// step for all its streams.
func TestMADEGenForkComputesNoPrefix(t *testing.T) {
	c := madeGenCase{cfg: Config{Arch: "made", Dims: 30, Hidden: []int{20, 18}, Masks: 2, Direct: true}, shared: true, kn: []int{12}}
	m, order := madeModel(t, rand.New(rand.NewPCG(5, 113)), c)
	D, kn, ahead := 30, 12, 5
	x := randBinary(rand.New(rand.NewPCG(6, 113)), 2*D)
	counts := map[int]int{}
	madeGenHook = func(t, n int) { counts[t] += n }
	defer func() { madeGenHook = nil }()

	g, err := Generate(context.Background(), m, x, SampleOptions{Seed: 1, Known: madeKnown(order, kn)})
	require.NoError(t, err)
	want := map[int]int{-1: 2}
	for s := 0; s < kn; s++ {
		want[s] = 2
	}
	assert.Equal(t, want, counts, "Generate: one posterior pass, the known steps once per stream")

	advance(t, g, ahead)
	clear(counts)
	f, err := g.Fork(64, 7)
	require.NoError(t, err)
	assert.Empty(t, counts, "the fork computes nothing")

	runGen(t, f)
	clear(want)
	for s := kn + ahead; s < D; s++ {
		want[s] = 128
	}
	assert.Equal(t, want, counts, "the fork's steps: after the fork point, once for the 128 streams")
}

// TestMADEGenStateRefusesBadSections restores states whose MADE sections
// hold values out of range (with a correct checksum): each refused with
// ErrState.
func TestMADEGenStateRefusesBadSections(t *testing.T) {
	c := madeGenCase{cfg: Config{Arch: "made", Dims: 9, Hidden: []int{7}, Masks: 2}, shared: true, kn: []int{0}}
	m, order := madeModel(t, rand.New(rand.NewPCG(7, 114)), c)
	x := randBinary(rand.New(rand.NewPCG(8, 114)), 2*9)
	g, err := Generate(context.Background(), m, x, SampleOptions{Seed: 2, Known: madeKnown(order, 2)})
	require.NoError(t, err)
	advance(t, g, 3) // pos 5: a pending half
	mg := g.(*madeGen)
	good, err := g.MarshalBinary()
	require.NoError(t, err)
	_, err = Restore(m, good)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		edit func(g *madeGen)
		msg  string
	}{
		{"known", func(g *madeGen) { g.known = 6 }, "known steps 6"},
		{"negative known", func(g *madeGen) { g.known = -1 }, "known steps -1"},
		{"component", func(g *madeGen) { g.comp[1] = 2 }, "component 2"},
		{"pending range", func(g *madeGen) { g.pend[0] = 1 << 32 }, "pending uniform"},
		{"pending when none", func(g *madeGen) { g.known = 1; g.pend[0] = 5 }, "pending uniform"},
		{"finishes", func(g *madeGen) { g.fin[1] = 4 }, "finishing draws"},
		{"future value", func(g *madeGen) { g.x[int(g.m.comps[g.comp[0]].order[7])] = 1 }, "which step 5 draws"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Restore(m, good)
			require.NoError(t, err)
			bad := r.(*madeGen)
			require.Equal(t, mg.pend, bad.pend)
			tc.edit(bad)
			s, err := bad.MarshalBinary()
			require.NoError(t, err)
			_, err = Restore(m, s)
			require.ErrorIs(t, err, ErrState)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

// TestMADEGenPCGSkip checks the jump ahead against stepping the generator.
func TestMADEGenPCGSkip(t *testing.T) {
	var buf [20]byte
	for _, n := range []uint64{0, 1, 2, 3, 7, 64, 1000, 4097} {
		for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {^uint64(0), 0x9e3779b97f4a7c15}} {
			a, b := rand.NewPCG(seed[0], seed[1]), rand.NewPCG(seed[0], seed[1])
			for range n {
				a.Uint64()
			}
			pcgSkip(b, n, &buf)
			assert.Equal(t, *a, *b, "n = %d from %v", n, seed)
			assert.Equal(t, a.Uint64(), b.Uint64())
		}
	}
}
