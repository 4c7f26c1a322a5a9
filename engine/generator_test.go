package engine

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/arinfer/arinfer/format"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// genCase is one generator the shared checks run on: a model and the
// examples (known prefix filled in) and options of a Generate call.
type genCase struct {
	name string
	m    Model
	x    []float32
	opt  SampleOptions
}

// genRun is every step of a generator run to its end.
type genRun struct {
	logits [][]float32
	values []float32
}

// runGen takes g's remaining steps, recording their logits, and returns
// them with g's final values.
func runGen(t *testing.T, g Generator) genRun {
	t.Helper()
	var r genRun
	for st, err := range Steps(context.Background(), g) {
		require.NoError(t, err)
		r.logits = append(r.logits, append([]float32(nil), st.Logits...))
	}
	_, err := g.Next(context.Background())
	require.ErrorIs(t, err, io.EOF)
	r.values = append([]float32(nil), g.Values()...)
	return r
}

// advance takes k steps of g.
func advance(t *testing.T, g Generator, k int) {
	t.Helper()
	for range k {
		_, err := g.Next(context.Background())
		require.NoError(t, err)
	}
}

// checkGenerator checks a generator against the properties issue 14
// asks of every architecture, on every tier:
//   - run to the end it draws what Sample draws with the same options;
//   - saved at several points (the start, the middle, one step before
//     the end, the end) and restored, it continues with the same logits
//     and values bit for bit, and its final state is the same bytes;
//   - forked in the middle into n streams per stream, stream e·n+j
//     continues as an exact copy of stream e whose random stream is
//     (seed, e·n+j) would (a restored copy, reseeded);
//   - a state cut short, with a byte changed, or saved from another model
//     (other) is refused with ErrState, never a panic;
//   - a step allocates nothing.
//
// With -short (the race and qemu runs of scripts/test.sh) it saves at the
// middle only. The refusals do not depend on the tier: they run on the
// first.
func checkGenerator(t *testing.T, c genCase, other Model) {
	ctx := context.Background()
	firstTier := true
	forAllTiers(t, func(t *testing.T) {
		g, err := Generate(ctx, c.m, c.x, c.opt)
		require.NoError(t, err)
		B, T, start := g.Batch(), g.Info().Dims, g.Pos()
		full := runGen(t, g)

		want := append([]float32(nil), c.x...)
		require.NoError(t, c.m.Sample(ctx, want, c.opt))
		assert.Equal(t, want, full.values, "%s: the generator's values are Sample's", c.name)

		points := []int{start, (start + T) / 2, T - 1, T}
		if testing.Short() {
			points = points[1:2]
		}
		for _, k := range points {
			if k < start {
				continue
			}
			g, err := Generate(ctx, c.m, c.x, c.opt)
			require.NoError(t, err)
			advance(t, g, k-start)
			state, err := g.MarshalBinary()
			require.NoError(t, err)
			r, err := Restore(c.m, state)
			require.NoError(t, err, "%s: restore at step %d", c.name, k)
			require.Equal(t, k, r.Pos())
			require.Equal(t, B, r.Batch())
			a, b := runGen(t, g), runGen(t, r)
			require.Equal(t, a, b, "%s: restored at step %d and continued", c.name, k)
			assert.Equal(t, full.values, a.values, "%s: saved at step %d", c.name, k)
			s1, err := g.MarshalBinary()
			require.NoError(t, err)
			s2, err := r.MarshalBinary()
			require.NoError(t, err)
			require.Equal(t, s1, s2, "%s: the final states", c.name)
		}

		// Fork in the middle.
		const n, seed = 3, 4242
		mid := (start + T) / 2
		g, err = Generate(ctx, c.m, c.x, c.opt)
		require.NoError(t, err)
		advance(t, g, mid-start)
		state, err := g.MarshalBinary()
		require.NoError(t, err)
		f, err := g.Fork(n, seed)
		require.NoError(t, err)
		require.Equal(t, B*n, f.Batch())
		require.Equal(t, mid, f.Pos())
		forked := runGen(t, f)
		for j := 0; j < n; j++ {
			r, err := Restore(c.m, state)
			require.NoError(t, err)
			base := baseOf(r)
			for e := 0; e < B; e++ {
				base.rng.r[e].Seed(seed, uint64(e*n+j)^0x9e3779b97f4a7c15)
			}
			ref := runGen(t, r)
			for e := 0; e < B; e++ {
				assert.Equal(t, ref.values[e*T:(e+1)*T], forked.values[(e*n+j)*T:(e*n+j+1)*T], "%s: fork stream %d·%d+%d", c.name, e, n, j)
			}
		}
		// The parent is unchanged by the fork.
		after, err := g.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, state, after)

		if firstTier {
			checkStateRefusals(t, c.m, state, other)
			firstTier = false
		}

		if !raceEnabled && mid < T {
			g, err := Generate(ctx, c.m, c.x, c.opt)
			require.NoError(t, err)
			steps := T - g.Pos()
			if steps >= 3 {
				advance(t, g, 1)
				allocs := testing.AllocsPerRun(steps-2, func() {
					if _, err := g.Next(ctx); err != nil {
						t.Fatal(err)
					}
				})
				assert.Zero(t, allocs, "%s: allocs per step", c.name)
			}
		}
	})
}

// baseOf returns the genBase every generator embeds.
func baseOf(g Generator) *genBase {
	return g.(interface{ base() *genBase }).base()
}

// checkStateRefusals checks that every truncation, a changed byte at
// many positions, and a foreign model are refused with ErrState.
func checkStateRefusals(t *testing.T, m Model, state []byte, other Model) {
	t.Helper()
	step := max(1, len(state)/300)
	for n := 0; n < len(state); n += step {
		_, err := Restore(m, state[:n])
		require.ErrorIs(t, err, ErrState, "cut to %d of %d bytes", n, len(state))
	}
	bad := append([]byte(nil), state...)
	for i := 0; i < len(bad); i += step {
		bad[i] ^= 0x40
		_, err := Restore(m, bad)
		require.ErrorIs(t, err, ErrState, "byte %d changed", i)
		bad[i] ^= 0x40
	}
	if other != nil {
		_, err := Restore(other, state)
		require.ErrorIs(t, err, ErrState, "a state of another model")
		assert.Contains(t, err.Error(), "not this")
	}
}

// fuzzStates is the models FuzzRestore restores into, with a state of
// each as its seed corpus: one per architecture with a generator.
func fuzzStates(f *testing.F) []Model {
	var models []Model
	add := func(m Model, x []float32, opt SampleOptions, steps int) {
		g, err := Generate(context.Background(), m, x, opt)
		if err != nil {
			f.Fatal(err)
		}
		for range steps {
			if _, err := g.Next(context.Background()); err != nil {
				f.Fatal(err)
			}
		}
		s, err := g.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(len(models)), false, s)
		// The same with a section changed and the checksum fixed: the
		// fuzzer reaches the checks behind the checksum.
		f.Add(uint8(len(models)), true, s[:len(s)-4])
		models = append(models, m)
	}
	for _, fm := range genFuzzModels() {
		add(fm.m, fm.x, fm.opt, fm.steps)
	}
	return models
}

// FuzzRestore restores arbitrary bytes into each fuzz model (with fix,
// the bytes get a correct checksum appended, so that mutations reach the
// checks behind it): an error (ErrState) or a generator that saves the
// same state it was restored from and steps to the end, never a panic.
func FuzzRestore(f *testing.F) {
	models := fuzzStates(f)
	f.Add(uint8(0), false, []byte("ARS1"))
	f.Fuzz(func(t *testing.T, which uint8, fix bool, data []byte) {
		m := models[int(which)%len(models)]
		if fix {
			data = binary.LittleEndian.AppendUint32(append([]byte(nil), data...), crc32.Checksum(data, castagnoli))
		}
		g, err := Restore(m, data)
		if err != nil {
			if !errors.Is(err, ErrState) {
				t.Fatalf("error %v does not wrap ErrState", err)
			}
			return
		}
		s, err := g.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if string(s) != string(data) {
			t.Fatalf("restored %d bytes, saved %d different ones", len(data), len(s))
		}
		for {
			if _, err := g.Next(context.Background()); err != nil {
				if err != io.EOF {
					t.Fatal(err)
				}
				break
			}
		}
	})
}

// fuzzModel is a small model, a Generate call and the steps to take
// before saving: a seed of FuzzRestore.
type fuzzModel struct {
	m     Model
	x     []float32
	opt   SampleOptions
	steps int
}

// genFuzzers makes the fuzz models: each architecture's generator tests
// append theirs in an init function.
var genFuzzers []func() fuzzModel

func genFuzzModels() []fuzzModel {
	var fms []fuzzModel
	for _, mk := range genFuzzers {
		fms = append(fms, mk())
	}
	return fms
}

// TestDigestFollowsSpec computes a wavenet's digest as format/STATE.md 2
// defines it, independently of the engine's code, and checks that the
// model built from a map and from an .arw file of the same weights both
// have it, and that another step weight storage changes it.
func TestDigestFollowsSpec(t *testing.T) {
	cfg := wav(8, []int{1, 2}, 3, 2, 3, 4, 2, 5)
	r := randomWave(rand.New(rand.NewPCG(3, 94)), cfg)
	m := buildWave(t, r, Options{})
	names := slices.Sorted(maps.Keys(r.w.F))
	top := sha256.New()
	fmt.Fprintf(top, "arinfer model\x00wavenet\x008\x00[8]\x00categorical\x005\x00step=f32\x00")
	for _, n := range names {
		h := sha256.New()
		fmt.Fprintf(h, "f32\x00%s\x00%v\x00", n, r.w.S[n])
		for _, v := range r.w.F[n] {
			h.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(v)))
		}
		top.Write(h.Sum(nil))
	}
	var want [32]byte
	top.Sum(want[:0])
	assert.Equal(t, want, m.Info().Digest())
	assert.Equal(t, want, withLength(t, m, 99).Info().Digest(), "a length view keeps the digest")
	h := format.Header{Arch: format.WaveNet, Dims: 8, Shape: []int{8}, Dist: format.Categorical, Categories: 5,
		Dilations: cfg.Dilations, ResidualChannels: 3, GateChannels: 2, SkipChannels: 3, HeadChannels: 4, Classes: 2}
	path := t.TempDir() + "/w.arw"
	require.NoError(t, writeWaveFile(path, h, r))
	fm, err := Open(path)
	require.NoError(t, err)
	assert.Equal(t, want, fm.Info().Digest(), "the same weights from a file")
	assert.NotEqual(t, want, buildWave(t, r, Options{StepWeights: 2}).Info().Digest())
}

// TestUnconditionalRefusesLabels: Sample and Generate of every
// unconditional architecture refuse Labels, as SampleOptions says.
func TestUnconditionalRefusesLabels(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 96))
	models := map[string]Model{}
	for _, cfg := range []Config{
		{Arch: "fvsbn", Dims: 5},
		{Arch: "nade", Dims: 5, Hidden: []int{3}},
		{Arch: "made", Dims: 5, Hidden: []int{4}, Masks: 2},
	} {
		models[cfg.Arch] = build(t, randomModel(rng, cfg))
	}
	for _, arch := range []string{"lstm", "gru"} {
		models[arch] = buildRNN(t, randomRNN(rng, Config{Arch: arch, Dims: 5, Hidden: []int{3}, Embed: 2}))
	}
	for arch, m := range models {
		t.Run(arch, func(t *testing.T) {
			opt := SampleOptions{Labels: []int{0}}
			assert.ErrorContains(t, m.Sample(ctx, make([]float32, 5), opt), "unconditional")
			_, err := Generate(ctx, m, make([]float32, 5), opt)
			assert.ErrorContains(t, err, "unconditional")
		})
	}
}

// TestForkStreamsPieces cuts a fork of 10 streams into pieces of 4, 5 and
// 1 with ForkStreams, runs them at once, and checks they draw what the one
// fork draws.
func TestForkStreamsPieces(t *testing.T) {
	ctx := context.Background()
	cfg := wav(16, []int{1, 2, 4}, 3, 3, 3, 4, 0, 3)
	m := buildWave(t, randomWave(rand.New(rand.NewPCG(2, 97)), cfg), Options{})
	x := randSymbols(rand.New(rand.NewPCG(3, 97)), 16, 3)
	g, err := Generate(ctx, m, x, SampleOptions{Seed: 1, Known: prefixMask(16, 5)})
	require.NoError(t, err)
	whole, err := g.Fork(10, 77)
	require.NoError(t, err)
	want := runGen(t, whole).values
	var pieces []Generator
	first := 0
	for _, n := range []int{4, 5, 1} {
		p, err := ForkStreams(g, n, 77, first)
		require.NoError(t, err)
		pieces = append(pieces, p)
		first += n
	}
	var wg sync.WaitGroup
	for _, p := range pieces {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range Steps(ctx, p) {
			}
		}()
	}
	wg.Wait()
	var got []float32
	for _, p := range pieces {
		got = append(got, p.Values()...)
	}
	assert.Equal(t, want, got)
	_, err = ForkStreams(g, 2, 77, -1)
	assert.Error(t, err)
}
