package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func init() {
	genFuzzers = append(genFuzzers, func() fuzzModel {
		cfg := wav(12, []int{1, 2, 4}, 3, 3, 3, 4, 2, 4)
		r := randomWave(rand.New(rand.NewPCG(1, 90)), cfg)
		m, err := New(cfg, r.w)
		if err != nil {
			panic(err)
		}
		return fuzzModel{m: m, x: make([]float32, 2*12), opt: SampleOptions{Seed: 3}, steps: 5}
	})
}

// TestWaveGenerator runs the shared generator checks on wavenets:
// Bernoulli and categorical, with and without classes, from scratch and
// after a primed prefix, receptive fields above and below the length.
func TestWaveGenerator(t *testing.T) {
	for i, cfg := range waveConfigs {
		rng := rand.New(rand.NewPCG(uint64(i), 91))
		r := randomWave(rng, cfg)
		m := withLength(t, buildWave(t, r, Options{}), 24)
		other := withLength(t, buildWave(t, randomWave(rng, cfg), Options{}), 24)
		for _, kn := range []int{0, 7} {
			const B = 3
			x := randSymbols(rng, B*24, r.K)
			opt := SampleOptions{Seed: uint64(10 + i), Temperature: 0.9}
			if kn > 0 {
				opt.Known = prefixMask(24, kn)
			}
			if r.N > 0 && kn == 0 {
				opt.Labels = randLabels(rng, B, r.N)
			}
			t.Run(fmt.Sprintf("%s/known%d", waveName(cfg), kn), func(t *testing.T) {
				checkGenerator(t, genCase{name: waveName(cfg), m: m, x: x, opt: opt}, other)
			})
		}
	}
}

// TestWaveForkComputesNoPrefix counts the work of a fork and of its
// continuation: the fork computes nothing, and the continuation computes
// the steps after the fork point only, once per step for all streams.
func TestWaveForkComputesNoPrefix(t *testing.T) {
	cfg := wav(20, []int{1, 2, 4, 8}, 3, 3, 3, 4, 0, 3)
	m := buildWave(t, randomWave(rand.New(rand.NewPCG(5, 92)), cfg), Options{})
	x := randSymbols(rand.New(rand.NewPCG(6, 92)), 20, 3)
	g, err := Generate(context.Background(), m, x, SampleOptions{Seed: 1, Known: prefixMask(20, 8)})
	require.NoError(t, err)
	advance(t, g, 4)
	var f Generator
	counts := countWave(t, func() {
		f, err = g.Fork(64, 7)
		require.NoError(t, err)
	})
	assert.Empty(t, counts, "the fork computes nothing")
	counts = countWave(t, func() { runGen(t, f) })
	for k, n := range counts {
		assert.GreaterOrEqual(t, k.t, 12, "%c layer %d step %d: before the fork point", k.kind, k.layer, k.t)
		assert.Equal(t, 64, n, "%c layer %d step %d: once for the 64 streams", k.kind, k.layer, k.t)
	}
	assert.NotEmpty(t, counts)
}

// TestWaveStateRefusesOtherLengthAndStorage restores a state into the same
// weights viewed at another length, and into a model with another step
// weight storage: both refused.
func TestWaveStateRefusesOtherLengthAndStorage(t *testing.T) {
	cfg := wav(16, []int{1, 2}, 3, 2, 3, 3, 0, 3)
	r := randomWave(rand.New(rand.NewPCG(8, 93)), cfg)
	m := buildWave(t, r, Options{})
	g, err := Generate(context.Background(), m, make([]float32, 16), SampleOptions{})
	require.NoError(t, err)
	advance(t, g, 3)
	s, err := g.MarshalBinary()
	require.NoError(t, err)
	_, err = Restore(withLength(t, m, 17), s)
	require.ErrorIs(t, err, ErrState)
	assert.Contains(t, err.Error(), "17")
	_, err = Restore(buildWave(t, r, Options{StepWeights: 1}), s)
	require.ErrorIs(t, err, ErrState)
}

// TestWaveGeneratorOverCores runs the shared checks on 9 streams, whose
// steps the generator splits over the cores in groups of 4 streams.
func TestWaveGeneratorOverCores(t *testing.T) {
	for i, cfg := range []Config{waveConfigs[1], waveConfigs[3]} {
		rng := rand.New(rand.NewPCG(uint64(i), 95))
		r := randomWave(rng, cfg)
		m := withLength(t, buildWave(t, r, Options{}), 20)
		x := randSymbols(rng, 9*20, r.K)
		opt := SampleOptions{Seed: 5, Known: prefixMask(20, 4)}
		if r.N > 0 {
			opt.Labels = randLabels(rng, 9, r.N)
		}
		t.Run(waveName(cfg), func(t *testing.T) {
			checkGenerator(t, genCase{name: waveName(cfg), m: m, x: x, opt: opt}, nil)
		})
	}
}

// TestWaveStateHostileBatch restores a small state whose header claims
// many streams of a short sequence (the values fit, the queues would not):
// refused before the queues are allocated.
func TestWaveStateHostileBatch(t *testing.T) {
	cfg := wav(1, []int{512, 512}, 64, 2, 3, 3, 0, 3)
	m := buildWave(t, randomWave(rand.New(rand.NewPCG(9, 96)), cfg), Options{})
	g, err := Generate(context.Background(), m, make([]float32, 1), SampleOptions{})
	require.NoError(t, err)
	base := baseOf(g)
	// 1000 streams of one value each: 4 kB of values, 256 MB of queues.
	w := newStateWriter(0)
	base.B = 1000
	base.x = make([]float32, 1000)
	base.rng.reset(1, 1000)
	base.writeHeader(w)
	w.i64("queue_pos", 0, 0)
	state := w.finish()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	_, err = Restore(m, state)
	require.ErrorIs(t, err, ErrState)
	assert.Contains(t, err.Error(), "queues need")
	runtime.ReadMemStats(&ms)
	assert.Less(t, ms.TotalAlloc-before, uint64(1<<20), "nothing near the claimed size allocated")
}
