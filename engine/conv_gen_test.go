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
	for i, cfg := range []Config{pix(4, 3, 2, 2, 3, 3, 2, 2, 3), gat(3, 4, 2, 2, 3, 2, 0, 2)} {
		genFuzzers = append(genFuzzers, func() fuzzModel {
			r := randomConv(rand.New(rand.NewPCG(uint64(i), 94)), cfg)
			m, err := New(r.cfg, r.w)
			if err != nil {
				panic(err)
			}
			x := make([]float32, 2*cfg.Dims)
			x[1] = 1
			return fuzzModel{m: m, x: x, opt: SampleOptions{Seed: 4, Known: prefixMask(cfg.Dims, 2)}, steps: 3}
		})
	}
}

// convGenCases are the Generate calls the generator tests make on a model
// of cfg: from scratch, after a known prefix ending inside a row (its
// known pixels taken step by step) and after whole known rows (one
// forward pass); labels given, and drawn from the posterior of the known
// pixels.
func convGenCases(rng *rand.Rand, cfg Config, K int) []genCase {
	const B = 3
	H, W, D := cfg.Shape[0], cfg.Shape[1], cfg.Dims
	var cs []genCase
	for _, kn := range []int{0, min(D, W+1), (H / 2) * W} {
		for _, given := range []bool{true, false} {
			if cfg.Classes == 0 && !given {
				continue
			}
			opt := SampleOptions{Seed: uint64(20 + kn), Temperature: 0.85}
			if kn > 0 {
				opt.Known = prefixMask(D, kn)
			}
			if cfg.Classes > 0 && given {
				opt.Labels = randLabels(rng, B, cfg.Classes)
			}
			name := fmt.Sprintf("known%d", kn)
			if cfg.Classes > 0 {
				name += fmt.Sprintf("-given%v", given)
			}
			cs = append(cs, genCase{name: name, x: randSymbols(rng, B*D, K), opt: opt})
		}
	}
	return cs
}

// TestConvGenerator runs the shared generator checks on pixelcnns and
// gated pixelcnns of every test configuration (Bernoulli and categorical,
// with and without classes, single rows and columns, kernels wider than
// the image, no residual layer), and checks that the steps report the
// logits Sample's OnStep reports.
func TestConvGenerator(t *testing.T) {
	for i, cfg := range convConfigs {
		rng := rand.New(rand.NewPCG(uint64(i), 95))
		r := randomConv(rng, cfg)
		m := buildConv(t, r)
		other := buildConv(t, randomConv(rng, cfg))
		for _, c := range convGenCases(rng, cfg, r.K) {
			c.m = m
			c.name = convName(cfg) + "/" + c.name
			t.Run(c.name, func(t *testing.T) {
				checkGenerator(t, c, other)
				checkConvGenLogits(t, c)
			})
		}
	}
}

// checkConvGenLogits checks the steps of a generator against the steps
// Sample reports with OnStep: the same logits and values, the known
// steps not reported.
func checkConvGenLogits(t *testing.T, c genCase) {
	var want []Step
	opt := c.opt
	opt.OnStep = func(s Step) {
		if !s.Known {
			s.Logits = append([]float32(nil), s.Logits...)
			s.Values = append([]float32(nil), s.Values...)
			want = append(want, s)
		}
	}
	require.NoError(t, c.m.Sample(context.Background(), append([]float32(nil), c.x...), opt))
	g, err := Generate(context.Background(), c.m, c.x, c.opt)
	require.NoError(t, err)
	var got []Step
	for s, err := range Steps(context.Background(), g) {
		require.NoError(t, err)
		s.Logits = append([]float32(nil), s.Logits...)
		s.Values = append([]float32(nil), s.Values...)
		got = append(got, s)
	}
	assert.Equal(t, want, got)
}

// TestConvGeneratorWholeImageKnown: with every pixel known there is
// nothing to draw: the generator starts at the end with the image.
func TestConvGeneratorWholeImageKnown(t *testing.T) {
	for i, cfg := range []Config{pix(3, 4, 2, 1, 3, 3, 2, 2, 2), gat(3, 4, 2, 2, 3, 2, 0, 3)} {
		rng := rand.New(rand.NewPCG(uint64(i), 96))
		r := randomConv(rng, cfg)
		m := buildConv(t, r)
		x := randSymbols(rng, 2*cfg.Dims, r.K)
		c := genCase{name: convName(cfg), m: m, x: x, opt: SampleOptions{Seed: 1, Known: prefixMask(cfg.Dims, cfg.Dims)}}
		checkGenerator(t, c, buildConv(t, randomConv(rng, cfg)))
		g, err := Generate(context.Background(), m, x, c.opt)
		require.NoError(t, err)
		assert.Equal(t, cfg.Dims, g.Pos())
		assert.Equal(t, x, g.Values())
	}
}

// TestConvStateBlocks checks that the generator's view of the sampler
// state covers it exactly.
func TestConvStateBlocks(t *testing.T) {
	for _, cfg := range convConfigs {
		m := convOf(buildConv(t, randomConv(rand.New(rand.NewPCG(1, 97)), cfg)))
		n := 0
		for _, b := range m.stateBlocks() {
			n += b.per * b.count
		}
		assert.Equal(t, m.net.stateFloats(), n, convName(cfg))
	}
}

// convKey is one computation of a layer's output pixel the hook reports.
type convKey struct {
	kind        byte
	layer, r, c int
}

// countConv counts, with the test hook, every computation of a layer's
// output pixel f makes (images summed).
func countConv(t *testing.T, f func()) map[convKey]int {
	t.Helper()
	counts := map[convKey]int{}
	convHook = func(kind byte, layer, r, c, n int) { counts[convKey{kind, layer, r, c}] += n }
	defer func() { convHook = nil }()
	f()
	return counts
}

// TestConvForkComputesNoPrefix counts the work of Generate, of a fork and
// of its continuation: Generate computes the known pixels once per
// example and nothing after them, the fork computes nothing, and the
// continuation computes the pixels from the fork point on only, once for
// each of the forked streams.
func TestConvForkComputesNoPrefix(t *testing.T) {
	for i, cfg := range []Config{pix(6, 5, 3, 2, 3, 5, 2, 2, 2), gat(6, 5, 3, 2, 3, 2, 2, 3)} {
		t.Run(convName(cfg), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 98))
			r := randomConv(rng, cfg)
			m := buildConv(t, r)
			const B, n, kn, steps = 2, 32, 12, 4 // kn: two rows and two pixels
			W, D := cfg.Shape[1], cfg.Dims
			x := randSymbols(rng, B*D, r.K)
			opt := SampleOptions{Seed: 1, Known: prefixMask(D, kn), Labels: randLabels(rng, B, cfg.Classes)}
			var g Generator
			var err error
			counts := countConv(t, func() {
				g, err = Generate(context.Background(), m, x, opt)
				require.NoError(t, err)
			})
			for k, c := range counts {
				assert.Less(t, k.r*W+k.c, kn, "%c layer %d pixel (%d, %d): after the known pixels", k.kind, k.layer, k.r, k.c)
				assert.Equal(t, B, c, "%c layer %d pixel (%d, %d): once per example", k.kind, k.layer, k.r, k.c)
			}
			assert.NotEmpty(t, counts)

			advance(t, g, steps)
			var f Generator
			counts = countConv(t, func() {
				f, err = g.Fork(n, 7)
				require.NoError(t, err)
			})
			assert.Empty(t, counts, "the fork computes nothing")

			at := kn + steps
			counts = countConv(t, func() { runGen(t, f) })
			for k, c := range counts {
				if k.kind == 'v' { // a whole row when it is complete
					assert.GreaterOrEqual(t, k.r, at/W, "v layer %d row %d: before the fork point", k.layer, k.r)
				} else {
					assert.GreaterOrEqual(t, k.r*W+k.c, at, "%c layer %d pixel (%d, %d): before the fork point", k.kind, k.layer, k.r, k.c)
				}
				assert.Equal(t, B*n, c, "%c layer %d pixel (%d, %d): once for the %d streams", k.kind, k.layer, k.r, k.c, B*n)
			}
			h, err := Generate(context.Background(), m, x, opt)
			require.NoError(t, err)
			advance(t, h, steps)
			one := countConv(t, func() { runGen(t, h) })
			assert.Equal(t, len(one), len(counts), "the pixels of an unforked continuation")
		})
	}
}

// TestConvGenerateBadInput: Generate refuses what Sample refuses.
func TestConvGenerateBadInput(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 99))
	cond := buildConv(t, randomConv(rng, pix(2, 3, 2, 1, 3, 3, 2, 2, 2)))
	unc := buildConv(t, randomConv(rng, gat(2, 3, 2, 1, 3, 2, 0, 3)))
	x := make([]float32, 6)
	for _, c := range []struct {
		name string
		m    Model
		x    []float32
		opt  SampleOptions
		want string
	}{
		{"known not a prefix", cond, x, SampleOptions{Known: []bool{false, true, false, false, false, false}}, "first 1 steps"},
		{"known of another size", cond, x, SampleOptions{Known: []bool{true}}, "wrong size"},
		{"buffer size", cond, x[:5], SampleOptions{}, "wrong size"},
		{"known value", unc, []float32{3, 0, 0, 0, 0, 0}, SampleOptions{Known: prefixMask(6, 1)}, "integer 0..2"},
		{"labels of an unconditional model", unc, x, SampleOptions{Labels: []int{0}}, "unconditional"},
		{"label count", cond, x, SampleOptions{Labels: []int{0, 1}}, "wrong size"},
		{"label value", cond, x, SampleOptions{Labels: []int{2}}, "not a class"},
		{"temperature", cond, x, SampleOptions{Temperature: -1}, "temperature"},
		{"OnStep", cond, x, SampleOptions{OnStep: func(Step) {}}, "OnStep"},
	} {
		_, err := Generate(ctx, c.m, c.x, c.opt)
		assert.ErrorContains(t, err, c.want, c.name)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err := Generate(cancelled, cond, x, SampleOptions{})
	assert.ErrorIs(t, err, context.Canceled)
	g, err := Generate(ctx, unc, x, SampleOptions{})
	require.NoError(t, err)
	_, err = g.Next(cancelled)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = g.Fork(0, 1)
	assert.Error(t, err)
}

// TestConvStateRefusesOtherModels: a state of a pixelcnn is refused by a
// gated pixelcnn of the same image size, and a state without its sampler
// state (its header claiming streams it does not hold) is refused before
// the sampler state is allocated.
func TestConvStateRefusesOtherModels(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 99))
	p := buildConv(t, randomConv(rng, pix(3, 4, 2, 1, 3, 3, 2, 0, 2)))
	gt := buildConv(t, randomConv(rng, gat(3, 4, 2, 1, 3, 2, 0, 2)))
	g, err := Generate(context.Background(), p, make([]float32, 2*12), SampleOptions{})
	require.NoError(t, err)
	advance(t, g, 5)
	s, err := g.MarshalBinary()
	require.NoError(t, err)
	_, err = Restore(gt, s)
	require.ErrorIs(t, err, ErrState)
	assert.Contains(t, err.Error(), "pixelcnn")
	r, err := Restore(p, s)
	require.NoError(t, err)
	assert.Equal(t, 5, r.Pos())

	w := newStateWriter(0)
	g.(*convGen).writeHeader(w)
	_, err = Restore(p, w.finish())
	require.ErrorIs(t, err, ErrState)
	assert.Contains(t, err.Error(), "bytes left")
}

// TestConvRestoreAtEveryStep saves a generator before every step (the
// row starts and ends, the known prefix's end included) and continues
// from the restored state (Sample's values) and from a fork of it (a
// restored copy with the fork's streams): the sampler state left out of
// a saved state (pixelcnn's residual stream at the current pixel, the
// gated stack's vertical pre-activations) is written before it is read.
func TestConvRestoreAtEveryStep(t *testing.T) {
	ctx := context.Background()
	for i, cfg := range []Config{pix(4, 5, 3, 2, 3, 5, 2, 2, 3), pix(4, 5, 3, 1, 5, 3, 2, 0, 2), gat(4, 5, 3, 3, 3, 2, 2, 3)} {
		rng := rand.New(rand.NewPCG(uint64(i), 100))
		r := randomConv(rng, cfg)
		m := buildConv(t, r)
		D := cfg.Dims
		opt := SampleOptions{Seed: 9, Known: prefixMask(D, 7)}
		if cfg.Classes > 0 {
			opt.Labels = randLabels(rng, 2, cfg.Classes)
		}
		x := randSymbols(rng, 2*D, r.K)
		want := append([]float32(nil), x...)
		require.NoError(t, m.Sample(ctx, want, opt))
		g, err := Generate(ctx, m, x, opt)
		require.NoError(t, err)
		for k := 7; k <= D; k++ {
			s, err := g.MarshalBinary()
			require.NoError(t, err)
			assert.Equal(t, want, runGen(t, mustRestore(t, m, s)).values, "%s: restored at step %d", convName(cfg), k)
			// A fork of one continuation per stream, seed 5: a restored
			// copy whose streams are (5, e).
			f, err := mustRestore(t, m, s).Fork(1, 5)
			require.NoError(t, err)
			ref := mustRestore(t, m, s)
			for e := range baseOf(ref).rng.r {
				baseOf(ref).rng.r[e].Seed(5, uint64(e)^0x9e3779b97f4a7c15)
			}
			assert.Equal(t, runGen(t, ref), runGen(t, f), "%s: forked at step %d", convName(cfg), k)
			if k < D {
				advance(t, g, 1)
			}
		}
	}
}

func mustRestore(t *testing.T, m Model, s []byte) Generator {
	t.Helper()
	g, err := Restore(m, s)
	require.NoError(t, err)
	return g
}
