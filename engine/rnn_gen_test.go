package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	for i, cfg := range []Config{
		{Arch: "lstm", Dims: 9, Hidden: []int{3, 3}, Embed: 2, Dist: Categorical, Categories: 4},
		{Arch: "gru", Dims: 9, Hidden: []int{4}, Embed: 2},
	} {
		genFuzzers = append(genFuzzers, func() fuzzModel {
			r := randomRNN(rand.New(rand.NewPCG(uint64(i), 94)), cfg)
			m, err := New(r.cfg, r.w)
			if err != nil {
				panic(err)
			}
			return fuzzModel{m: m, x: make([]float32, 2*9), opt: SampleOptions{Seed: 5}, steps: 4}
		})
	}
}

// rnnGenConfigs are the recurrent models the shared generator checks run
// on: LSTM and GRU, Bernoulli and categorical (small and large K), one
// and several layers, one dimension.
var rnnGenConfigs = []Config{
	{Arch: "lstm", Dims: 1, Hidden: []int{2}, Embed: 1},
	{Arch: "lstm", Dims: 20, Hidden: []int{7}, Embed: 3},
	{Arch: "lstm", Dims: 12, Hidden: []int{9, 9, 9}, Embed: 4, Dist: Categorical, Categories: 5},
	{Arch: "gru", Dims: 16, Hidden: []int{16, 16}, Embed: 5},
	{Arch: "gru", Dims: 10, Hidden: []int{33}, Embed: 8, Dist: Categorical, Categories: 40},
}

// TestRNNGenerator runs the shared generator checks on LSTMs and GRUs
// from scratch, after a known prefix and with every dimension known. The
// batch is 3 streams: below rnnGemmMin, so every stream runs its own GEMVs
// and its arithmetic does not depend on the batch (a fork to rnnGemmMin
// streams or more, as the forks of 9 are, runs a GEMM, which rounds
// differently; the restored copies they are compared with run it too).
func TestRNNGenerator(t *testing.T) {
	for i, cfg := range rnnGenConfigs {
		rng := rand.New(rand.NewPCG(uint64(i), 95))
		r := randomRNN(rng, cfg)
		m := buildRNN(t, r)
		other := buildRNN(t, randomRNN(rng, cfg))
		D := cfg.Dims
		for _, kn := range []int{0, D / 3, D} {
			if kn == 0 && D < 3 {
				continue // D/3 is 0
			}
			const B = 3
			x := randSymbols(rng, B*D, r.K)
			opt := SampleOptions{Seed: uint64(20 + i), Temperature: 0.8}
			if kn > 0 {
				opt.Known = prefixMask(D, kn)
			}
			t.Run(fmt.Sprintf("%s/known%d", rnnName(cfg), kn), func(t *testing.T) {
				checkGenerator(t, genCase{name: rnnName(cfg), m: m, x: x, opt: opt}, other)
			})
		}
	}
}

// countRNN returns the examples of every RNN step f computes, one entry
// per step.
func countRNN(f func()) []int {
	var mu sync.Mutex
	var steps []int
	rnnHook = func(B int) {
		mu.Lock()
		steps = append(steps, B)
		mu.Unlock()
	}
	defer func() { rnnHook = nil }()
	f()
	return steps
}

// TestRNNForkComputesNoPrefix counts the steps of a generation, a fork
// and its continuation: the known prefix is computed once at Generate
// (one step for the batch per known dimension), the fork computes
// nothing, and the continuation one step for all its streams per
// remaining dimension.
func TestRNNForkComputesNoPrefix(t *testing.T) {
	for _, arch := range []string{"lstm", "gru"} {
		t.Run(arch, func(t *testing.T) {
			cfg := Config{Arch: arch, Dims: 20, Hidden: []int{6, 6}, Embed: 3, Dist: Categorical, Categories: 3}
			m := buildRNN(t, randomRNN(rand.New(rand.NewPCG(7, 96)), cfg))
			x := randSymbols(rand.New(rand.NewPCG(8, 96)), 2*20, 3)
			ctx := context.Background()
			var g Generator
			var err error
			steps := countRNN(func() {
				g, err = Generate(ctx, m, x, SampleOptions{Seed: 1, Known: prefixMask(20, 8)})
				require.NoError(t, err)
			})
			assert.Equal(t, []int{2, 2, 2, 2, 2, 2, 2, 2}, steps, "the prefix: one step of the 2 streams per known dimension")
			steps = countRNN(func() { advance(t, g, 4) })
			assert.Equal(t, []int{2, 2, 2, 2}, steps)
			var f Generator
			steps = countRNN(func() {
				f, err = g.Fork(32, 7)
				require.NoError(t, err)
			})
			assert.Empty(t, steps, "the fork computes nothing")
			steps = countRNN(func() { runGen(t, f) })
			assert.Equal(t, []int{64, 64, 64, 64, 64, 64, 64, 64}, steps, "after the fork point only, once for the 64 streams")
		})
	}
}

// TestRNNForkOfManyStreams forks one stream into rnnGemmMin streams and
// more, whose steps run one GEMM over the batch instead of one GEMV per
// stream: the continuations stay copies of the parent's state (distinct
// draws, the known prefix kept) and equal those of a generator restored
// from the fork's own state.
func TestRNNForkOfManyStreams(t *testing.T) {
	cfg := Config{Arch: "lstm", Dims: 14, Hidden: []int{5}, Embed: 2, Dist: Categorical, Categories: 6}
	m := buildRNN(t, randomRNN(rand.New(rand.NewPCG(9, 97)), cfg))
	x := randSymbols(rand.New(rand.NewPCG(10, 97)), 14, 6)
	ctx := context.Background()
	g, err := Generate(ctx, m, x, SampleOptions{Seed: 2, Known: prefixMask(14, 5)})
	require.NoError(t, err)
	advance(t, g, 2)
	head := append([]float32(nil), g.Values()[:7]...)
	f, err := g.Fork(rnnGemmMin+24, 3)
	require.NoError(t, err)
	s, err := f.MarshalBinary()
	require.NoError(t, err)
	r, err := Restore(m, s)
	require.NoError(t, err)
	a, b := runGen(t, f), runGen(t, r)
	require.Equal(t, a, b)
	distinct := map[string]bool{}
	for j := 0; j < rnnGemmMin+24; j++ {
		row := a.values[j*14 : (j+1)*14]
		assert.Equal(t, head, row[:7], "stream %d keeps the prefix", j)
		distinct[fmt.Sprint(row[7:])] = true
	}
	assert.Greater(t, len(distinct), (rnnGemmMin+24)*2/3, "the streams draw independently")
}

// TestRNNGenerateBadInput checks Generate's refusals: those of Sample,
// plus labels (the RNNs have no classes) and a cancelled prefix.
func TestRNNGenerateBadInput(t *testing.T) {
	ctx := context.Background()
	cfg := Config{Arch: "gru", Dims: 4, Hidden: []int{3}, Embed: 2, Dist: Categorical, Categories: 5}
	m := buildRNN(t, randomRNN(rand.New(rand.NewPCG(1, 98)), cfg))
	_, err := Generate(ctx, m, make([]float32, 5), SampleOptions{})
	assert.ErrorIs(t, err, ErrSize)
	_, err = Generate(ctx, m, make([]float32, 4), SampleOptions{Temperature: math.NaN()})
	assert.ErrorContains(t, err, "temperature")
	_, err = Generate(ctx, m, make([]float32, 4), SampleOptions{Known: []bool{false, true, false, false}})
	assert.ErrorContains(t, err, "first 1 steps")
	_, err = Generate(ctx, m, make([]float32, 4), SampleOptions{Known: []bool{true}})
	assert.ErrorIs(t, err, ErrSize)
	_, err = Generate(ctx, m, []float32{0, 0, 0, 0, 7, 0, 0, 0}, SampleOptions{Known: []bool{true, false, false, false}})
	assert.ErrorContains(t, err, "known dimension 0 of example 1 is 7")
	_, err = Generate(ctx, m, make([]float32, 4), SampleOptions{Labels: []int{0}})
	assert.ErrorContains(t, err, "unconditional")
	_, err = Generate(ctx, m, make([]float32, 4), SampleOptions{OnStep: func(Step) {}})
	assert.ErrorContains(t, err, "OnStep")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = Generate(cancelled, m, make([]float32, 4), SampleOptions{Known: prefixMask(4, 2)})
	assert.ErrorIs(t, err, context.Canceled)
	g, err := Generate(ctx, m, make([]float32, 4), SampleOptions{})
	require.NoError(t, err)
	_, err = g.Next(cancelled)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, g.Pos())
	_, err = g.Fork(0, 1)
	assert.Error(t, err)

	// The x given is copied, its unknown dimensions cleared.
	x := []float32{1, 2, 3, 4}
	g, err = Generate(ctx, m, x, SampleOptions{Known: prefixMask(4, 2)})
	require.NoError(t, err)
	assert.Equal(t, []float32{1, 2, 0, 0}, g.Values())
	assert.Equal(t, []float32{1, 2, 3, 4}, x)
	assert.Equal(t, 2, g.Pos())
}

// rnnState writes the state of g with the values and hidden states given
// (nil: g's own), with a valid checksum.
func rnnState(g Generator, vals, hidden []float32, b int) []byte {
	rg := g.(*rnnGen)
	if vals == nil {
		vals = rg.x
	}
	if hidden == nil {
		hidden = rg.ws.hs[:rg.B*rg.m.L*rg.m.H]
	}
	c := *rg
	c.x = vals
	c.B = b
	w := newStateWriter(0)
	c.writeHeader(w)
	w.f32("hidden", hidden)
	if !rg.m.gru {
		w.f32("cell", rg.ws.cs[:len(hidden)])
	}
	return w.finish()
}

// TestRNNStateRefusals restores states with a valid checksum whose
// content is wrong for the model: a value after the position, a hidden
// state of the wrong size, more streams than the state holds, an LSTM
// state in a GRU of the same shape.
func TestRNNStateRefusals(t *testing.T) {
	ctx := context.Background()
	cfg := Config{Arch: "lstm", Dims: 6, Hidden: []int{4, 4}, Embed: 2}
	m := buildRNN(t, randomRNN(rand.New(rand.NewPCG(2, 99)), cfg))
	g, err := Generate(ctx, m, make([]float32, 2*6), SampleOptions{Seed: 4})
	require.NoError(t, err)
	advance(t, g, 3)
	_, err = Restore(m, rnnState(g, nil, nil, 2))
	require.NoError(t, err, "the state as written")

	vals := append([]float32(nil), g.Values()...)
	vals[6+4] = 1
	_, err = Restore(m, rnnState(g, vals, nil, 2))
	assert.ErrorIs(t, err, ErrState)
	assert.ErrorContains(t, err, "stream 1 has value 1 at dimension 4")

	_, err = Restore(m, rnnState(g, nil, make([]float32, 2*8-1), 2))
	assert.ErrorIs(t, err, ErrState)
	assert.ErrorContains(t, err, "section hidden has 15 values, want 16")

	// 1000 streams claimed (values and random streams for them), one
	// hidden state given: refused before the hidden states are sized.
	many := &rnnGen{m: g.(*rnnGen).m}
	many.genBase = g.(*rnnGen).genBase
	many.B = 1000
	many.x = make([]float32, 1000*6)
	many.rng.reset(1, 1000)
	w := newStateWriter(0)
	many.writeHeader(w)
	w.f32("hidden", make([]float32, 8))
	_, err = Restore(m, w.finish())
	assert.ErrorIs(t, err, ErrState)
	assert.ErrorContains(t, err, "do not fit")

	gcfg := cfg
	gcfg.Arch = "gru"
	gm := buildRNN(t, randomRNN(rand.New(rand.NewPCG(2, 99)), gcfg))
	s, err := g.MarshalBinary()
	require.NoError(t, err)
	_, err = Restore(gm, s)
	assert.ErrorIs(t, err, ErrState)
	assert.ErrorContains(t, err, "lstm model, not this gru")
}
