package engine

import (
	"context"
	"io"

	"github.com/arinfer/arinfer/kernels"
)

// fvsbnGen is the FVSBN's Generator: every stream's running logits (B x
// D, ordering space), as Sample keeps them. After step t draws x_t = 1,
// column t of the weights is added to the logits of the later steps; a
// step reads logit t and draws with the stream's own random stream.
type fvsbnGen struct {
	genBase
	m      *fvsbn
	logits []float32 // B x D: stream e's logit of step t at e·D+t (t >= pos still to be used)
	lg     []float32 // B: the logits of the last step
}

// fvsbnGenHook, when not nil (tests only), is told every step t a
// generator computes, for n streams at once: the known steps of Generate
// and every Next.
var fvsbnGenHook func(t, n int)

func (m *fvsbn) generate(ctx context.Context, x []float32, opt SampleOptions) (Generator, error) {
	g := &fvsbnGen{m: m}
	if err := g.initBase(m.info, x, &opt); err != nil {
		return nil, err
	}
	D, B := m.info.Dims, g.B
	kn, err := knownPrefix(opt.Known, m.order)
	if err != nil {
		return nil, err
	}
	if err := checkKnownBinary(g.x, D, m.order[:kn]); err != nil {
		return nil, err
	}
	g.logits = make([]float32, B*D)
	g.lg = make([]float32, B)
	g.zeroUnknown(m.order, kn)
	for e := 0; e < B; e++ {
		copy(g.logits[e*D:(e+1)*D], m.b)
	}
	// The known prefix: the same additions, in the same order per
	// stream, as Sample makes in its steps.
	for t := 0; t < kn; t++ {
		if t%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		d := int(m.order[t])
		for e := 0; e < B; e++ {
			m.observe(t, g.x[e*D+d], g.logits[e*D:(e+1)*D])
		}
		if fvsbnGenHook != nil {
			fvsbnGenHook(t, B)
		}
	}
	g.pos = kn
	return g, nil
}

// observe adds x_t = v's contribution to the logits (one example's D,
// ordering space) of the steps after t: column t of the weights when v is
// 1.
func (m *fvsbn) observe(t int, v float32, logits []float32) {
	D := m.info.Dims
	if v != 0 && t+1 < D {
		kernels.Axpy(1, m.wt[t*D+t+1:(t+1)*D], logits[t+1:D])
	}
}

func (g *fvsbnGen) Next(ctx context.Context) (Step, error) {
	m, D, t := g.m, g.T, g.pos
	if t >= D {
		return Step{}, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return Step{}, err
	}
	d := int(m.order[t])
	for e := 0; e < g.B; e++ {
		row := g.logits[e*D : (e+1)*D]
		lg := row[t]
		v := g.rng.bernoulli(e, lg, g.invT)
		g.x[e*D+d] = v
		m.observe(t, v, row)
		g.lg[e], g.vals[e] = lg, v
	}
	if fvsbnGenHook != nil {
		fvsbnGenHook(t, g.B)
	}
	g.pos++
	return Step{Index: t, Dim: d, Logits: g.lg, Values: g.vals}, nil
}

func (g *fvsbnGen) Fork(n int, seed uint64) (Generator, error) {
	f := &fvsbnGen{m: g.m}
	if err := g.forkBase(&f.genBase, n, seed); err != nil {
		return nil, err
	}
	f.logits = repeatRows(g.logits, g.T, n)
	f.lg = make([]float32, f.B)
	return f, nil
}

// MarshalBinary writes, after the common sections, the running logits of
// the steps still to come: section "logits", f32, B·(D-pos) values
// (stream-major, stream e's logits of steps pos..D-1 in ordering order).
func (g *fvsbnGen) MarshalBinary() ([]byte, error) {
	D, rest := g.T, g.T-g.pos
	w := newStateWriter(4*(len(g.x)+g.B*rest) + pcgSize*g.B)
	g.writeHeader(w)
	tail := make([]float32, 0, g.B*rest)
	for e := 0; e < g.B; e++ {
		tail = append(tail, g.logits[e*D+g.pos:(e+1)*D]...)
	}
	w.f32("logits", tail)
	return w.finish(), nil
}

func (m *fvsbn) restore(r *stateReader, h *genHeader) (Generator, error) {
	g := &fvsbnGen{m: m}
	if err := g.readBase(r, m.info, h); err != nil {
		return nil, err
	}
	if err := checkFutureZero(g.x, h, m.order); err != nil {
		return nil, err
	}
	D, B, rest := h.T, h.B, h.T-h.pos
	tail := make([]float32, B*rest)
	r.f32("logits", tail)
	if r.err != nil {
		return nil, r.err
	}
	// The logits of the steps taken are not read again: they stay 0.
	g.logits = make([]float32, B*D)
	for e := 0; e < B; e++ {
		copy(g.logits[e*D+h.pos:(e+1)*D], tail[e*rest:(e+1)*rest])
	}
	g.lg = make([]float32, B)
	return g, nil
}

// checkFutureZero checks that the dimensions of the steps still to come
// (order[pos:]) hold 0 in every stream of a restored state, as a
// generator keeps them.
func checkFutureZero(x []float32, h *genHeader, order []int32) error {
	for e := 0; e < h.B; e++ {
		for t, d := range order[h.pos:] {
			if v := x[e*h.T+int(d)]; v != 0 {
				return stateErr("stream %d holds %v at dimension %d, which step %d has not drawn yet", e, v, d, h.pos+t)
			}
		}
	}
	return nil
}
