package engine

import (
	"context"
	"fmt"
	"io"
	"runtime"
)

// waveGen is the wavenet's Generator: the queues of every layer (ws.hist,
// each layer's oldest slot at ws.ptr[l]) and the step's vectors; a step
// is waveNet.step, the draws those of Sample.
type waveGen struct {
	genBase
	m    *waveNet
	ws   *waveWork
	prob []float64 // B x C: each stream's categorical scratch
	p32  []float32 // B x C
	task waveGenStep
}

func (m *waveNet) generate(ctx context.Context, x []float32, opt SampleOptions) (Generator, error) {
	g := &waveGen{m: m, ws: new(waveWork)}
	if err := g.initBase(m.info, x, &opt); err != nil {
		return nil, err
	}
	T, B := m.T, g.B
	kn, err := knownSteps(opt.Known, T)
	if err != nil {
		return nil, err
	}
	if err := checkKnownValues(g.x, T, kn, m.K, m.info.Dist); err != nil {
		return nil, err
	}
	if max := m.groupSize(kn); B > max {
		return nil, fmt.Errorf("%w: a generator of %d streams needs more than the %d streams of state this model allows", ErrSize, B, max)
	}
	for e := 0; e < B; e++ {
		clear(g.x[e*T+kn : (e+1)*T])
	}
	ws := g.ws
	ws.rng = g.rng // the same streams (rngs shares its slices)
	ws.prob = growF64(ws.prob, max(m.C, m.N))
	m.setup(ws, B, max(1, min(kn, m.chunk/B)))
	var labels []int
	if m.N > 0 {
		if labels, err = m.drawLabels(ctx, ws, g.x, B, kn, opt.Labels, true); err != nil {
			return nil, err
		}
		g.labels = append([]int(nil), labels...)
	}
	if kn > 0 {
		if err := m.pass(ctx, ws, g.x, T, kn, g.labels, passPrime, true, nil); err != nil {
			return nil, err
		}
	} else {
		clear(ws.hist[:B*m.cum[m.L]*m.R])
		m.setLabels(ws, g.labels)
	}
	m.initSteps(ws, B)
	ws.dropPass()
	g.scratch()
	g.pos = kn
	return g, nil
}

// dropPass releases a workspace's scoring buffers (a generator keeps only
// what a step reads).
func (ws *waveWork) dropPass() {
	ws.h = [2][]float32{}
	ws.a, ws.gt, ws.sk, ws.z = nil, nil, nil, nil
	ws.lpu, ws.lp = nil, nil
}

// stepSetup sizes a workspace for steps of B streams with empty queues
// and no labels: a fork's or a restored state's.
func (m *waveNet) stepSetup(ws *waveWork, B int) {
	ws.g = B
	ws.hist = make([]float32, B*m.cum[m.L]*m.R)
	m.initSteps(ws, B)
}

func (g *waveGen) Next(ctx context.Context) (Step, error) {
	t := g.pos
	if t >= g.T {
		return Step{}, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return Step{}, err
	}
	// Groups of 4 streams over the cores (see stepRange): the arithmetic
	// does not depend on the split.
	if units := g.units(); runtime.GOMAXPROCS(0) > 1 && units >= 2 {
		g.task = waveGenStep{g: g}
		if err := parallelFor(ctx, units, 1, &g.task); err != nil {
			return Step{}, err
		}
	} else {
		g.streams(0, g.B)
	}
	g.m.advanceQueues(g.ws)
	g.pos++
	C := g.m.C
	return Step{Index: t, Dim: t, Logits: g.ws.logits[:g.B*C], Values: g.vals}, nil
}

// streams takes step g.pos of streams [e0, e1) and draws their values.
func (g *waveGen) streams(e0, e1 int) {
	m, ws, T, C, t := g.m, g.ws, g.T, g.m.C, g.pos
	m.stepRange(ws, g.x, e0, e1, t)
	z := ws.logits
	rg := rngs{r: ws.rng.r} // the streams, with each stream's own scratch
	for e := e0; e < e1; e++ {
		var v float32
		if C == 1 {
			v = rg.bernoulli(e, z[e], g.invT)
		} else {
			rg.p32 = g.p32[e*C : (e+1)*C : (e+1)*C]
			v = float32(rg.categorical(e, z[e*C:(e+1)*C], g.invT, g.prob[e*C:(e+1)*C]))
		}
		g.x[e*T+t] = v
		g.vals[e] = v
	}
}

// units is the number of groups of up to 4 streams Next spreads over the
// cores (when there are two or more).
func (g *waveGen) units() int { return (g.B + 3) / 4 }

// runSteps takes the remaining steps of a few streams on two cores
// (wavenet_duo.go), telling yield about each; it reports false, doing
// nothing, when it may not (one core, or enough streams for Next to spread
// them over the cores), and the caller then steps with Next. It stops
// after a step for which yield returns false, or when ctx is done (with
// its error), always between two steps: Next, Fork or MarshalBinary then
// go on from there. The steps are Next's, bit for bit.
func (g *waveGen) runSteps(ctx context.Context, yield func(Step) bool) (bool, error) {
	m, ws := g.m, g.ws
	if g.pos >= g.T || g.units() >= 2 || !m.duoOK() {
		return false, nil
	}
	if err := ctx.Err(); err != nil {
		return true, err
	}
	ws.vals = g.vals
	ws.prob = growF64(ws.prob, m.C)
	s := waveSample{m: m, ctx: ctx, x: g.x, invT: g.invT, kn: g.pos, B: g.B, par: true, yield: yield, done: g.pos}
	err := m.drawStepsDuo(ws, &s, g.x, g.B)
	g.pos = s.done
	return true, err
}

// waveGenStep is a step of a group of streams' units [lo, hi) (4 streams
// each), for parallelFor.
type waveGenStep struct{ g *waveGen }

func (s *waveGenStep) run(lo, hi int) error {
	s.g.streams(4*lo, min(4*hi, s.g.B))
	return nil
}

func (g *waveGen) Fork(n int, seed uint64) (Generator, error) {
	m := g.m
	f := &waveGen{m: m, ws: new(waveWork)}
	if err := g.forkBase(&f.genBase, n, seed); err != nil {
		return nil, err
	}
	if max := m.groupSize(0); f.B > max {
		return nil, fmt.Errorf("%w: a fork of %d streams needs more than the %d streams of state this model allows", ErrSize, f.B, max)
	}
	m.stepSetup(f.ws, f.B)
	f.ws.rng = f.rng
	copy(f.ws.ptr, g.ws.ptr)
	// Layer l's queues: B blocks of d_l x R, each repeated n times.
	for l := range m.layers {
		src, dst := m.queue(g.ws, l), m.queue(f.ws, l)
		per := m.dil[l] * m.R
		copy(dst, repeatRows(src, per, n))
	}
	m.setLabels(f.ws, f.labels)
	f.scratch()
	return f, nil
}

func (g *waveGen) MarshalBinary() ([]byte, error) {
	m, ws := g.m, g.ws
	q := ws.hist[:g.B*m.cum[m.L]*m.R]
	w := newStateWriter(4*(len(g.x)+len(q)) + pcgSize*g.B)
	g.writeHeader(w)
	ptr := make([]int64, m.L)
	for l, p := range ws.ptr[:m.L] {
		ptr[l] = int64(p)
	}
	w.i64("queue_pos", ptr...)
	w.f32("queues", q)
	return w.finish(), nil
}

func (m *waveNet) restore(r *stateReader, h *genHeader) (Generator, error) {
	g := &waveGen{m: m, ws: new(waveWork)}
	if err := g.readBase(r, m.info, h); err != nil {
		return nil, err
	}
	if max := m.groupSize(0); g.B > max {
		return nil, stateErr("%d streams exceed the %d this model allows", g.B, max)
	}
	// The queues are far larger than the values per stream: check that
	// the bytes left can hold them before allocating them.
	if need := 4 * int64(g.B) * int64(m.cum[m.L]) * int64(m.R); need > int64(len(r.b)) {
		return nil, stateErr("%d streams of queues need %d bytes, %d are left", g.B, need, len(r.b))
	}
	ws := g.ws
	m.stepSetup(ws, g.B)
	ws.rng = g.rng
	ptr := make([]int64, m.L)
	r.i64("queue_pos", ptr)
	for l, p := range ptr {
		if r.err == nil && (p < 0 || p >= int64(m.dil[l])) {
			return nil, stateErr("layer %d's queue position %d outside 0..%d", l+1, p, m.dil[l]-1)
		}
		ws.ptr[l] = int(p)
	}
	r.f32("queues", ws.hist)
	if r.err != nil {
		return nil, r.err
	}
	m.setLabels(ws, g.labels)
	g.scratch()
	return g, nil
}

// scratch sizes the draws' per-stream scratch.
func (g *waveGen) scratch() {
	if C := g.m.C; C > 1 {
		g.prob = make([]float64, g.B*C)
		g.p32 = make([]float32, g.B*C)
	}
}
