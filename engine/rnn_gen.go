package engine

import (
	"context"
	"fmt"
	"io"
)

// rnnGen is the LSTM/GRU Generator. Its state is what Sample carries
// between steps: the hidden states [h_0 | … | h_{L-1}] of every stream
// (and the LSTM cells), the next step's input symbol being the last value
// (the start symbol K before the first step), which the values hold. A
// step is rnn.step on the B streams, the draws those of Sample, so a
// generator of B streams does the arithmetic of a Sample call of B
// examples: one GEMV per stream and layer below rnnGemmMin streams, one
// GEMM over the streams from there on.
type rnnGen struct {
	genBase
	m  *rnn
	ws rnnWork   // hs, cs: the state; g, out, sym: a step's
	p  []float64 // categorical's scratch (C)
}

// rnnMaxGenWork bounds the float32 values of a generator's state and step
// buffers, B x (2·L·H + 4H + C) (1 GiB): a larger batch is refused with an
// error, a restored one before anything is sized from it.
const rnnMaxGenWork = 1 << 28

// checkGenBatch refuses generators of B streams over rnnMaxGenWork.
func (m *rnn) checkGenBatch(B int) error {
	per := int64(2*m.L*m.H + 4*m.H + m.C)
	if int64(B)*per > rnnMaxGenWork {
		return fmt.Errorf("%w: a generator of %d streams needs %d values of state and workspace per stream, more than the %d in all this model allows", ErrSize, B, per, rnnMaxGenWork)
	}
	return nil
}

func (m *rnn) generate(ctx context.Context, x []float32, opt SampleOptions) (Generator, error) {
	g := &rnnGen{m: m}
	if err := g.initBase(m.info, x, &opt); err != nil {
		return nil, err
	}
	D, B := m.info.Dims, g.B
	kn, err := knownPrefix(opt.Known, m.ident)
	if err != nil {
		return nil, err
	}
	if err := checkKnownValues(g.x, D, kn, m.K, m.info.Dist); err != nil {
		return nil, err
	}
	if err := m.checkGenBatch(B); err != nil {
		return nil, err
	}
	for e := 0; e < B; e++ {
		clear(g.x[e*D+kn : (e+1)*D])
	}
	g.setup()
	// The known prefix: Sample's steps on the given values.
	for t := 0; t < kn; t++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m.step(&g.ws, B)
		for e := 0; e < B; e++ {
			g.ws.sym[e] = int32(g.x[e*D+t])
		}
	}
	g.pos = kn
	return g, nil
}

// setup sizes g's buffers for its B streams with zero states and the
// start symbol as input, and preallocates the draws' scratch.
func (g *rnnGen) setup() {
	m := g.m
	m.prepare(&g.ws, g.B)
	if m.C > 1 {
		g.p = make([]float64, m.C)
		g.rng.p32 = make([]float32, m.C)
	}
}

// setSym sets the next step's input symbols from the values: the value of
// step pos-1, or the start symbol at pos 0.
func (g *rnnGen) setSym() {
	for e := range g.ws.sym[:g.B] {
		s := int32(g.m.K)
		if g.pos > 0 {
			s = int32(g.x[e*g.T+g.pos-1])
		}
		g.ws.sym[e] = s
	}
}

func (g *rnnGen) Next(ctx context.Context) (Step, error) {
	m, ws, D, C := g.m, &g.ws, g.T, g.m.C
	t := g.pos
	if t >= D {
		return Step{}, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return Step{}, err
	}
	m.step(ws, g.B)
	for e := 0; e < g.B; e++ {
		var v float32
		if C == 1 {
			v = g.rng.bernoulli(e, ws.out[e], g.invT)
		} else {
			v = float32(g.rng.categorical(e, ws.out[e*C:(e+1)*C], g.invT, g.p))
		}
		g.x[e*D+t] = v
		g.vals[e] = v
		ws.sym[e] = int32(v)
	}
	g.pos++
	return Step{Index: t, Dim: t, Logits: ws.out[:g.B*C], Values: g.vals}, nil
}

func (g *rnnGen) Fork(n int, seed uint64) (Generator, error) {
	m := g.m
	f := &rnnGen{m: m}
	if err := g.forkBase(&f.genBase, n, seed); err != nil {
		return nil, err
	}
	if err := m.checkGenBatch(f.B); err != nil {
		return nil, err
	}
	f.setup()
	LH := m.L * m.H
	repeatInto(f.ws.hs, g.ws.hs[:g.B*LH], LH, n)
	if !m.gru {
		repeatInto(f.ws.cs, g.ws.cs[:g.B*LH], LH, n)
	}
	f.setSym()
	return f, nil
}

// repeatInto writes the rows of src (each per long) to dst with every row
// repeated n times: row e becomes rows e·n .. e·n+n-1.
func repeatInto(dst, src []float32, per, n int) {
	for e := 0; e*per < len(src); e++ {
		row := src[e*per : (e+1)*per]
		for j := 0; j < n; j++ {
			copy(dst[(e*n+j)*per:], row)
		}
	}
}

// MarshalBinary writes the common sections, then "hidden" (f32, B·L·H:
// stream e's [h_0 | … | h_{L-1}] at e·L·H) and, for an LSTM, "cell" (f32,
// B·L·H, laid out alike).
func (g *rnnGen) MarshalBinary() ([]byte, error) {
	m := g.m
	n := g.B * m.L * m.H
	w := newStateWriter(4*(len(g.x)+2*n) + pcgSize*g.B + 256)
	g.writeHeader(w)
	w.f32("hidden", g.ws.hs[:n])
	if !m.gru {
		w.f32("cell", g.ws.cs[:n])
	}
	return w.finish(), nil
}

func (m *rnn) restore(r *stateReader, h *genHeader) (Generator, error) {
	g := &rnnGen{m: m}
	if err := g.readBase(r, m.info, h); err != nil {
		return nil, err
	}
	if err := m.checkGenBatch(g.B); err != nil {
		return nil, stateErr("%v", err)
	}
	D := g.T
	for e := 0; e < g.B; e++ {
		for t := g.pos; t < D; t++ {
			if v := g.x[e*D+t]; v != 0 {
				return nil, stateErr("stream %d has value %v at dimension %d, after the position %d", e, v, t, g.pos)
			}
		}
	}
	// The sections must be in the state before their buffers are made.
	LH := m.L * m.H
	sections := int64(2)
	if m.gru {
		sections = 1
	}
	if need := sections * int64(g.B) * int64(LH) * 4; need > int64(len(r.b)) {
		return nil, stateErr("%d streams of %d x %d hidden values do not fit the %d bytes left", g.B, sections, LH, len(r.b))
	}
	g.setup()
	n := g.B * LH
	r.f32("hidden", g.ws.hs[:n])
	if !m.gru {
		r.f32("cell", g.ws.cs[:n])
	}
	if r.err != nil {
		return nil, r.err
	}
	g.setSym()
	return g, nil
}
