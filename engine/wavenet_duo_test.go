package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arinfer/arinfer/kernels"
)

// twoProcs makes sure the test has two Ps, so that generation may run on
// two cores (on a one-core machine the two goroutines share it).
func twoProcs(t *testing.T) {
	if old := runtime.GOMAXPROCS(0); old < 2 {
		runtime.GOMAXPROCS(2)
		t.Cleanup(func() { runtime.GOMAXPROCS(old) })
	}
}

// duoModel returns a random model of cfg (seeded) viewed at length T,
// its reference and the random source, with two Ps for the test.
func duoModel(t *testing.T, cfg Config, seed uint64, T int) (Model, *waveRef, *rand.Rand) {
	twoProcs(t)
	rng := rand.New(rand.NewPCG(seed, 89))
	r := randomWave(rng, cfg)
	return withLength(t, buildWave(t, r, Options{}), T), r, rng
}

// duoRun is one Sample call's values and every step's logits.
type duoRun struct {
	x      []float32
	logits [][]float32
}

// sampleDuo runs Sample on a copy of x with generation on two cores or
// on one, recording every step's logits with OnStep (onStep false: one
// stream, no OnStep, the batch-1 path).
func sampleDuo(t *testing.T, m Model, x []float32, opt SampleOptions, two, onStep bool) duoRun {
	t.Helper()
	waveOf(m).noDuo = !two
	defer func() { waveOf(m).noDuo = false }()
	r := duoRun{x: slices.Clone(x)}
	if onStep {
		opt.OnStep = func(s Step) { r.logits = append(r.logits, slices.Clone(s.Logits)) }
	}
	require.NoError(t, m.Sample(context.Background(), r.x, opt))
	return r
}

// TestWaveDuoMatchesOneCore: generating on two cores gives every step's
// logits and every sample bit for bit as on one core, for every test
// configuration (receptive fields larger and smaller than the sequence,
// classes given and drawn), on every tier, for each step weight type in
// turn, batches of 1, 3 and 5 streams, from scratch and after a known
// prefix, with OnStep and (one stream) without.
func TestWaveDuoMatchesOneCore(t *testing.T) {
	twoProcs(t)
	wts := []kernels.WeightType{kernels.F32, kernels.F16, kernels.BF16, kernels.BF16Dot}
	for i, cfg := range waveConfigs {
		wt := wts[i%len(wts)]
		t.Run(fmt.Sprintf("%s/%v", waveName(cfg), wt), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 89))
			r := randomWave(rng, cfg)
			const T = 25
			m := withLength(t, buildWave(t, r, Options{StepWeights: wt}), T)
			forAllTiers(t, func(t *testing.T) {
				for _, B := range []int{1, 3, 5} {
					for _, kn := range []int{0, 9} {
						x := randSymbols(rng, B*T, r.K)
						opt := SampleOptions{Seed: uint64(11 + B + kn), Temperature: 1.2, Known: prefixMask(T, kn)}
						if cfg.Classes > 0 && B == 3 {
							opt.Labels = randLabels(rng, B, cfg.Classes)
						}
						one := sampleDuo(t, m, x, opt, false, true)
						two := sampleDuo(t, m, x, opt, true, true)
						require.Len(t, two.logits, T) // OnStep hears the known steps too
						assert.Equal(t, one, two, "batch %d, known %d", B, kn)
						if B == 1 {
							assert.Equal(t, one.x, sampleDuo(t, m, x, opt, true, false).x, "known %d, no OnStep", kn)
						}
					}
				}
			})
		})
	}
}

// TestWaveDuoStopsCleanly: a context cancelled during two-core generation
// (from OnStep) ends Sample with the context's error, a panic in OnStep
// reaches the caller, and a slow OnStep (the helper gives up spinning and
// sleeps) changes nothing; after each, the model samples as before.
func TestWaveDuoStopsCleanly(t *testing.T) {
	const T = 30
	m, r, rng := duoModel(t, waveConfigs[1], 5, T)
	x := randSymbols(rng, 2*T, r.K)
	opt := SampleOptions{Seed: 4, Labels: []int{1, 2}}
	want := sampleDuo(t, m, x, opt, false, true)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := opt
	o.OnStep = func(s Step) {
		if s.Index == 7 {
			cancel()
		}
	}
	assert.ErrorIs(t, m.Sample(ctx, slices.Clone(x), o), context.Canceled)
	assert.Equal(t, want, sampleDuo(t, m, x, opt, true, true), "after a cancelled run")

	o.OnStep = func(s Step) {
		if s.Index == 12 {
			panic("from OnStep")
		}
	}
	assert.PanicsWithValue(t, "from OnStep", func() { _ = m.Sample(context.Background(), slices.Clone(x), o) })
	assert.Equal(t, want, sampleDuo(t, m, x, opt, true, true), "after a panic")

	slow := sampleDuo(t, m, x, opt, true, true)
	o.OnStep = func(s Step) {
		if s.Index%10 == 3 {
			time.Sleep(2 * duoSpin)
		}
	}
	got := slices.Clone(x)
	require.NoError(t, m.Sample(context.Background(), got, o))
	assert.Equal(t, slow.x, got, "with a slow OnStep")
	assert.Equal(t, want, slow)
}

// TestWaveDuoFallsBackToOneCore: when the helper stalls in the middle of
// step after step (as it does without a core of its own on a loaded
// machine), the caller finishes the generation alone, with the same
// samples.
func TestWaveDuoFallsBackToOneCore(t *testing.T) {
	const T, kn = 60, 4
	m, r, rng := duoModel(t, waveConfigs[2], 6, T)
	for _, B := range []int{1, 3} {
		for _, at := range []int{kn, 20} {
			x := randSymbols(rng, B*T, r.K)
			opt := SampleOptions{Seed: 8, Known: prefixMask(T, kn)}
			want := sampleDuo(t, m, x, opt, false, true)
			stalled := 0
			duoStall = func(step int) {
				if step >= at {
					stalled++
					time.Sleep(3 * duoSpin)
				}
			}
			got := sampleDuo(t, m, x, opt, true, true)
			duoStall = nil
			// Every step from at stalls: the caller goes on alone after
			// duoNaps naps, one a stall (on a loaded machine a few more
			// or fewer), long before the end.
			assert.Less(t, stalled, (T-at)/2, "batch %d: the helper stopped", B)
			assert.Equal(t, want, got, "batch %d, stall at step %d", B, at)
		}
	}
}

// TestWaveStepsOnTwoCores: Steps over a WaveNet generator of a few streams
// runs on two cores and takes Next's steps bit for bit; leaving the loop
// after any step, or cancelling its context, leaves the generator between
// two steps, from which Next, MarshalBinary and Restore go on as if it
// had stepped with Next all along.
func TestWaveStepsOnTwoCores(t *testing.T) {
	twoProcs(t)
	for i, cfg := range waveConfigs[:4] {
		t.Run(waveName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 93))
			r := randomWave(rng, cfg)
			const T, kn = 26, 5
			m := withLength(t, buildWave(t, r, Options{}), T)
			for _, B := range []int{1, 3} {
				x := randSymbols(rng, B*T, r.K)
				opt := SampleOptions{Seed: uint64(20 + i), Temperature: 1.1, Known: prefixMask(T, kn)}
				start := func() Generator {
					g, err := Generate(context.Background(), m, x, opt)
					require.NoError(t, err)
					return g
				}
				waveOf(m).noDuo = true
				want := runGen(t, start())
				waveOf(m).noDuo = false
				assert.Equal(t, want, runGen(t, start()), "batch %d: Steps on two cores", B)
				for _, stop := range []int{kn, kn + 1, 13, T - 1} {
					rest := want.logits[stop+1-kn:]
					if len(rest) == 0 {
						rest = nil
					}
					// Leave the loop after step stop, go on with Next.
					g := start()
					var got genRun
					for st, err := range Steps(context.Background(), g) {
						require.NoError(t, err)
						got.logits = append(got.logits, slices.Clone(st.Logits))
						if st.Index == stop {
							break
						}
					}
					require.Equal(t, stop+1, g.Pos())
					state, err := g.MarshalBinary()
					require.NoError(t, err)
					after := runGen(t, g)
					got.logits = append(got.logits, after.logits...)
					got.values = after.values
					assert.Equal(t, want, got, "batch %d: broke after step %d", B, stop)
					restored, err := Restore(m, state)
					require.NoError(t, err)
					assert.Equal(t, rest, runGen(t, restored).logits, "batch %d: restored after step %d", B, stop)

					// Cancel during step stop: the error comes after it
					// (none after the last step: the run is over).
					g = start()
					ctx, cancel := context.WithCancel(context.Background())
					var n int
					var last error
					for st, err := range Steps(ctx, g) {
						if err != nil {
							last = err
							break
						}
						n++
						if st.Index == stop {
							cancel()
						}
					}
					cancel()
					if stop < T-1 {
						assert.ErrorIs(t, last, context.Canceled)
					} else {
						assert.NoError(t, last)
					}
					assert.Equal(t, stop+1-kn, n)
					assert.Equal(t, stop+1, g.Pos())
					assert.Equal(t, rest, runGen(t, g).logits, "batch %d: cancelled at step %d", B, stop)
				}
			}
		})
	}
}
