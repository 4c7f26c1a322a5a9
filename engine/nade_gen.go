package engine

import (
	"context"
	"io"

	"github.com/arinfer/arinfer/kernels"
)

// nadeGen is NADE's Generator: every stream's running hidden
// pre-activation a = c + Σ_{s<pos} x_s w_s (B x H), as Sample keeps it,
// with h = sigmoid(a) cached and recomputed only after a step drew a 1
// (stale). A step is m.logit, a draw with the stream's own random stream
// and, after a 1, one row of input weights added to a.
type nadeGen struct {
	genBase
	m     *nade
	a, h  []float32 // B x H
	stale []bool    // B: a changed since h was computed
	lg    []float32 // B: the logits of the last step
}

// nadeGenHook, when not nil (tests only), is told every step t a
// generator computes, for n streams at once: the known steps of Generate
// and every Next.
var nadeGenHook func(t, n int)

func (m *nade) generate(ctx context.Context, x []float32, opt SampleOptions) (Generator, error) {
	g := &nadeGen{m: m}
	if err := g.initBase(m.info, x, &opt); err != nil {
		return nil, err
	}
	D, H, B := m.info.Dims, m.h, g.B
	kn, err := knownPrefix(opt.Known, m.order)
	if err != nil {
		return nil, err
	}
	if err := checkKnownBinary(g.x, D, m.order[:kn]); err != nil {
		return nil, err
	}
	g.alloc(B)
	g.zeroUnknown(m.order, kn)
	for e := 0; e < B; e++ {
		copy(g.a[e*H:(e+1)*H], m.c)
	}
	// The known prefix: the same rows added to a, in the same order per
	// stream, as Sample's steps add (the logits of known steps change
	// nothing and are not computed).
	for t := 0; t < kn; t++ {
		if t%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		d := int(m.order[t])
		for e := 0; e < B; e++ {
			if g.x[e*D+d] != 0 {
				kernels.Axpy(1, m.row(m.w, t), g.a[e*H:(e+1)*H])
			}
		}
		if nadeGenHook != nil {
			nadeGenHook(t, B)
		}
	}
	g.pos = kn
	return g, nil
}

// alloc sizes the buffers of B streams, each marked stale (h is computed
// from a at the next step).
func (g *nadeGen) alloc(B int) {
	H := g.m.h
	g.a = make([]float32, B*H)
	g.h = make([]float32, B*H)
	g.stale = make([]bool, B)
	for e := range g.stale {
		g.stale[e] = true
	}
	g.lg = make([]float32, B)
}

func (g *nadeGen) Next(ctx context.Context) (Step, error) {
	m, D, H, t := g.m, g.T, g.m.h, g.pos
	if t >= D {
		return Step{}, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return Step{}, err
	}
	d := int(m.order[t])
	for e := 0; e < g.B; e++ {
		a := g.a[e*H : (e+1)*H]
		lg := m.logit(t, a, g.h[e*H:(e+1)*H], &g.stale[e])
		v := g.rng.bernoulli(e, lg, g.invT)
		g.x[e*D+d] = v
		if v != 0 {
			kernels.Axpy(1, m.row(m.w, t), a)
			g.stale[e] = true
		}
		g.lg[e], g.vals[e] = lg, v
	}
	if nadeGenHook != nil {
		nadeGenHook(t, g.B)
	}
	g.pos++
	return Step{Index: t, Dim: d, Logits: g.lg, Values: g.vals}, nil
}

func (g *nadeGen) Fork(n int, seed uint64) (Generator, error) {
	f := &nadeGen{m: g.m}
	if err := g.forkBase(&f.genBase, n, seed); err != nil {
		return nil, err
	}
	H := g.m.h
	f.a = repeatRows(g.a, H, n)
	f.h = repeatRows(g.h, H, n)
	f.stale = make([]bool, 0, f.B)
	for _, s := range g.stale {
		for range n {
			f.stale = append(f.stale, s)
		}
	}
	f.lg = make([]float32, f.B)
	return f, nil
}

// MarshalBinary writes, after the common sections, the hidden
// pre-activations: section "pre_act", f32, B·H values (stream-major). The
// cached sigmoid is not saved: a restored generator computes it from a
// at its next step, the same values bit for bit.
func (g *nadeGen) MarshalBinary() ([]byte, error) {
	w := newStateWriter(4*(len(g.x)+len(g.a)) + pcgSize*g.B)
	g.writeHeader(w)
	w.f32("pre_act", g.a)
	return w.finish(), nil
}

func (m *nade) restore(r *stateReader, h *genHeader) (Generator, error) {
	g := &nadeGen{m: m}
	if err := g.readBase(r, m.info, h); err != nil {
		return nil, err
	}
	if err := checkFutureZero(g.x, h, m.order); err != nil {
		return nil, err
	}
	g.alloc(h.B)
	r.f32("pre_act", g.a)
	if r.err != nil {
		return nil, r.err
	}
	return g, nil
}
