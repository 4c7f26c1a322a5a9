package engine

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/arinfer/arinfer/format"
	"github.com/arinfer/arinfer/kernels"
)

// madePush holds a component's weights transposed for the push sampler:
// row i of a table holds the weights from unit (or input step) i of the
// previous layer to the units [start[i], n) of the next one, which include
// every unit that sees i and is not yet final when i is. Rows are ragged
// (a table stores about the masked-in weights only) and start on 64-byte
// boundaries, as does start[i] in the accumulators: start[i] is rounded
// down to a multiple of 16 and the row is padded with zeros in front.
// The rows also end on a multiple of 16 targets (zero weights pad them),
// so a push is whole vectors, without the masked stores of a ragged end.
// Aligned pushes matter: when a push loads a vector that straddles two
// vectors stored by the previous push, or one written by a masked store,
// the store cannot be forwarded and the load waits for it to reach the
// cache: one MNIST sample's pushes took 59 us unaligned, 50 us aligned.
//
// An ensemble whose masks share one ordering (a connectivity-agnostic
// MADE) samples on one set of tables for all its components instead (see
// canonTables): the units keep one order, and a row holds the weights to
// every unit of the next layer (or every output), so that a sample reads
// the weights of one table set, which stays in cache across samples,
// where K sets of per-component tables did not (32 components of a
// MADE-2000: 200 MB).
type madePush struct {
	final  [][]int32  // per hidden layer: final[l][t] units have degree <= t
	events []int32    // the steps at which some unit becomes final, ascending
	in     []pushRows // per hidden layer l: from layer l-1 (the input for l = 0)
	out    pushRows   // from the last hidden layer to the outputs
	direct pushRows   // from input step s to the outputs s+1..D-1
	// unit[l][j] is where the j-th unit of layer l by degree keeps its
	// pre-activation (nil: at j); bias[l] is the pre-activations' start.
	unit [][]int32
	bias [][]float32
}

type pushRows struct {
	off   []int // row i is w[off[i]:off[i]+n-start[i]] (or h[...])
	start []int // row i's first target unit, a multiple of 16
	n     int   // number of target units rounded up to 16 (the rest are zero weights)
	w     []float32
	h     []uint16 // the same weights in binary16 when they all are binary16 values (w is then nil)
}

// push adds v times row i to the targets dst[start[i]:].
func (p *pushRows) push(i int, v float32, dst []float32) {
	o, s := p.off[i], p.start[i]
	if p.h != nil {
		kernels.AxpyF16(v, p.h[o:o+p.n-s], dst[s:])
		return
	}
	kernels.Axpy(v, p.w[o:o+p.n-s], dst[s:])
}

// transposeSuffix builds the push table of layer ly, whose row r reduces
// over the prefix [0, hi[r]) of its input with hi non-decreasing in r: input
// i then feeds the rows r >= the first row with hi[r] > i. When every
// weight is a binary16 value (a model stored in float16, such as the
// embedded default) the table keeps them in binary16: half the bytes for
// the same values, so a MADE-500 table set fits in L2.
func transposeSuffix(ly *madeLayer) pushRows {
	p := pushRows{off: make([]int, ly.in+1), start: make([]int, ly.in), n: pad16(ly.out)}
	r := 0
	for i := 0; i < ly.in; i++ {
		for r < ly.out && ly.hi[r] <= i {
			r++
		}
		p.start[i] = r &^ 15
		p.off[i+1] = p.off[i] + p.n - p.start[i]
	}
	fillTable(&p, ly, false)
	return p
}

// fillTable fills the table p, whose layout (off, start, n) is set, with
// ly's weights: row i, target r holds ly.at(r, i) when r < ly.out and
// either all is set or r sees input i (hi[r] > i), else 0 (every target r
// that sees i must be at or after start[i]). The table is in binary16
// when every weight it holds is a binary16 value, else in float32.
//
// It reads sixteen rows of ly at a time (a cache line of each, and again
// for the next sixteen inputs) and writes sixteen targets of a table row,
// one cache line: a column of ly at a time reads a line per weight when
// the rows are many (2000: 128 KB a column), a row at a time writes one.
// The targets are split among the cores (tableParallel).
func fillTable(p *pushRows, ly *madeLayer, all bool) {
	// The first weight the table holds decides most float32 models
	// before a binary16 table is allocated.
	for r := 0; r < ly.out && ly.in > 0; r++ {
		if all || ly.hi[r] > 0 {
			if _, ok := halfOf(ly.at(r, 0)); !ok {
				fillFloats(p, ly, all)
				return
			}
			break
		}
	}
	h := halves(p.off[ly.in])
	if !tableParallel(ly.out, func(lo, hi int, stop *atomic.Bool) bool { return fillHalves(h, p, ly, all, lo, hi, stop) }) {
		fillFloats(p, ly, all)
		return
	}
	p.h = h
}

// fillHalves fills targets [lo, hi) of the binary16 table h (fillTable),
// and reports false, having filled some, at a weight that is not a
// binary16 value, or when stop is set (another range found one).
func fillHalves(h []uint16, p *pushRows, ly *madeLayer, all bool, lo, hi int, stop *atomic.Bool) bool {
	off, start := p.off, p.start
	var rows [16][]float32
	var ends [16]int
	for r0 := lo; r0 < hi; r0 += 16 {
		if stop.Load() {
			return false
		}
		n, e := tableBlock(ly, all, r0, min(16, hi-r0), &rows, &ends)
		for i := range e {
			c, o := ly.col(i), off[i]-start[i]+r0
			for j, row := range rows[:n] {
				if i >= ends[j] {
					continue
				}
				v := row[c]
				x, ok := halfBits(math.Float32bits(v))
				if !ok {
					if x, ok = halfOf(v); !ok {
						stop.Store(true)
						return false
					}
				}
				h[o+j] = x
			}
		}
	}
	return true
}

// fillFloats is fillTable in float32.
func fillFloats(p *pushRows, ly *madeLayer, all bool) {
	w, off, start := alignedFloats(p.off[ly.in]), p.off, p.start
	tableParallel(ly.out, func(lo, hi int, _ *atomic.Bool) bool {
		var rows [16][]float32
		var ends [16]int
		for r0 := lo; r0 < hi; r0 += 16 {
			n, e := tableBlock(ly, all, r0, min(16, hi-r0), &rows, &ends)
			for i := range e {
				c, o := ly.col(i), off[i]-start[i]+r0
				for j, row := range rows[:n] {
					if i < ends[j] {
						w[o+j] = row[c]
					}
				}
			}
		}
		return true
	})
	p.w = w
}

// tableParallel runs fill over the targets [0, n) of a table, split into
// ranges of whole 64-byte lines of binary16 targets (32) on up to
// GOMAXPROCS goroutines (the caller's among them), and reports whether
// every range returned true; stop is set when one returns false, for the
// others to give up. It starts goroutines of its own rather than use
// parallelFor's workers: tables are built on first use, from inside a
// worker's task, where waiting on the other workers could deadlock.
func tableParallel(n int, fill func(lo, hi int, stop *atomic.Bool) bool) bool {
	var stop atomic.Bool
	k := min(runtime.GOMAXPROCS(0), n/128)
	if k <= 1 {
		return fill(0, n, &stop)
	}
	var wg sync.WaitGroup
	var failed atomic.Bool
	cut := func(i int) int { return min(n, (i*n/k+31)&^31) }
	for i := 1; i < k; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !fill(cut(i), cut(i+1), &stop) {
				failed.Store(true)
			}
		}()
	}
	if !fill(0, cut(1), &stop) {
		failed.Store(true)
	}
	wg.Wait()
	return !failed.Load()
}

// tableBlock sets rows and ends to ly's n rows from r0 (at most 16) and
// the inputs each contributes to a table (all of them, or those it sees),
// and returns n and the largest end.
func tableBlock(ly *madeLayer, all bool, r0, n int, rows *[16][]float32, ends *[16]int) (int, int) {
	end := 0
	for j := range n {
		rows[j], ends[j] = ly.row(r0+j), ly.in
		if !all {
			ends[j] = ly.hi[r0+j]
		}
		end = max(end, ends[j])
	}
	return n, end
}

// halfBits converts the float32 bits b of a normal binary16 value: it
// reports false for any other (halfOf then decides).
func halfBits(b uint32) (uint16, bool) {
	e := b >> 23 & 0xff
	return uint16(b>>16&0x8000 | (e-112)<<10 | b>>13&0x3ff), e-113 <= 142-113 && b&0x1fff == 0
}

// halfOf returns v in binary16 and whether that is exactly v.
func halfOf(v float32) (uint16, bool) {
	h := format.F32ToF16(v)
	return h, format.F16ToF32(h) == v
}

// pushTables returns component c's push tables, building them on first use
// (a model that only scores never pays for them).
func (c *madeComp) pushTables() *madePush {
	c.pushOnce.Do(func() {
		D := len(c.order)
		p := &madePush{final: make([][]int32, len(c.hidden)), in: make([]pushRows, len(c.hidden)), bias: make([][]float32, len(c.hidden))}
		for l := range c.hidden {
			ly := &c.hidden[l]
			if c.base == nil {
				p.in[l] = transposeSuffix(ly)
				p.bias[l] = ly.b
			}
			p.final[l] = make([]int32, D)
			for t := range p.final[l] {
				p.final[l][t] = int32(upperBound(ly.deg, int32(t)))
			}
		}
		for t := 0; t < D; t++ {
			for l := range p.final {
				if p.final[l][t] > 0 && (t == 0 || p.final[l][t] > p.final[l][t-1]) {
					p.events = append(p.events, int32(t))
					break
				}
			}
		}
		if c.base != nil {
			c.canonTables(p)
		} else {
			p.out = transposeSuffix(&c.out)
		}
		if c.directOf != nil {
			p.direct = c.directOf.pushTables().direct
		} else if c.direct != nil {
			p.direct = transposeSuffix(c.direct)
		}
		c.push = p
	})
	return c.push
}

// canonTables sets p's weight tables to views of the base component's
// full tables (transposeFull of each of its layers): the input rows as
// they are, and, for the rows from a hidden layer, this component's units
// by degree mapped to base's order (canon). A row from a hidden unit into
// the outputs starts at the unit's degree rounded down to 16: the outputs
// before its degree that the row also reaches have been drawn already when
// the unit becomes final, so adding to their logits is harmless, as is
// adding an input or a unit to the pre-activations of units that are
// already final.
func (c *madeComp) canonTables(p *madePush) {
	b := c.base
	b.fullOnce.Do(func() {
		b.full = make([]pushRows, len(b.hidden)+1)
		for l := range b.hidden {
			b.full[l] = transposeFull(&b.hidden[l])
		}
		b.full[len(b.hidden)] = transposeFull(&b.out)
	})
	L := len(c.hidden)
	p.unit = c.canon
	p.in[0] = b.full[0]
	for l := 0; l < L; l++ {
		p.bias[l] = b.hidden[l].b
		full := b.full[l+1]
		rows := pushRows{off: make([]int, len(c.canon[l])), start: make([]int, len(c.canon[l])), n: full.n, w: full.w, h: full.h}
		for j, u := range c.canon[l] {
			if l+1 == L { // into the outputs: from the unit's degree on
				rows.start[j] = min(int(c.hidden[l].deg[j])&^15, full.n)
			}
			rows.off[j] = int(u)*full.n + rows.start[j]
		}
		if l+1 < L {
			p.in[l+1] = rows
		} else {
			p.out = rows
		}
	}
}

// transposeFull builds the push table of layer ly without its mask: row i
// holds the weights from input i to every row of ly (padded with zeros to
// a multiple of 16), in binary16 when all are binary16 values.
func transposeFull(ly *madeLayer) pushRows {
	n := pad16(ly.out)
	p := pushRows{off: make([]int, ly.in+1), start: make([]int, ly.in), n: n}
	for i := range p.off {
		p.off[i] = i * n
	}
	fillTable(&p, ly, true)
	return p
}

// Sample picks a component per example (uniformly, or by its posterior
// given the known dimensions when completing) and computes every hidden
// unit exactly once, at the first step at which all the inputs its degree
// allows are known: at step t, the units of degree t in each layer, then
// output t.
//
// Each example runs on running pre-activations ("push", pushState): when
// step t's value is 1 it adds its column of weights to the pre-activations
// of the first layer's units and of the outputs that see it, and when a
// hidden unit is final and positive it adds its column times its value to
// the next layer. Zeros cost nothing, so a sample of a sparse image (MNIST
// is ~10% ones) costs a fraction of one masked forward pass. Without an
// OnStep callback the examples are independent and are spread over the
// cores, one whole example at a time; with one, the batch advances a step
// at a time so that each step reaches the callback for every example.
func (m *made) Sample(ctx context.Context, x []float32, opt SampleOptions) error {
	D := m.info.Dims
	B, invT, known, err := m.sampleArgs(x, &opt)
	if err != nil {
		return err
	}
	ws := m.pool.Get().(*madeWork)
	defer m.pool.Put(ws)
	ws.grow(m, B)
	ws.rng.reset(opt.Seed, B)
	ws.comp = growInt(ws.comp, B)
	if err := m.pickComponents(ws, x, B, known); err != nil {
		return err
	}
	for e := 0; e < B; e++ {
		gather(ws.xo[e*D:(e+1)*D], x[e*D:], m.comps[ws.comp[e]].order)
	}
	if opt.OnStep == nil {
		ws.samp = madeSampleTask{m: m, ctx: ctx, caller: ws, x: x, known: known, invT: invT}
		err := parallelFor(ctx, B, 1, &ws.samp)
		ws.samp = madeSampleTask{}
		return err
	}
	ws.vals = growF(ws.vals, B)
	ws.lg = growF(ws.lg, B)
	ws.dims = growI32(ws.dims, B)
	ws.growStates(m, B)
	ws.u = growF64(ws.u, B*D)
	ws.c = growF64(ws.c, B*D)
	for e := 0; e < B; e++ {
		ws.states[e].start(&m.comps[ws.comp[e]])
		ws.rng.draws32(e, ws.u[e*D+known:(e+1)*D], ws.c[e*D+known:(e+1)*D])
	}
	for t := 0; t < D; t++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		for e := 0; e < B; e++ {
			st := &ws.states[e]
			lg := st.step(t)
			d := m.comps[ws.comp[e]].order[t]
			v := ws.xo[e*D+t]
			if t >= known {
				v = ws.rng.draw32(e, float64(lg)*invT, ws.u[e*D+t], ws.c[e*D+t])
				ws.xo[e*D+t] = v
				x[e*D+int(d)] = v
			}
			if v != 0 {
				st.input(t, v)
			}
			ws.lg[e], ws.vals[e], ws.dims[e] = lg, v, d
		}
		dim := int(ws.dims[0])
		if !m.sameOr {
			dim = -1
		}
		opt.OnStep(Step{Index: t, Dim: dim, Dims: ws.dims[:B], Known: t < known, Logits: ws.lg[:B], Values: ws.vals[:B]})
	}
	return nil
}

// sampleArgs validates a Sample (or Generate) call and returns the batch
// size, the inverse temperature and the number of known leading steps,
// which must be the same first steps of every component's ordering and
// hold 0 or 1.
func (m *made) sampleArgs(x []float32, opt *SampleOptions) (B int, invT float64, known int, err error) {
	D, K := m.info.Dims, len(m.comps)
	if B, err = checkSampleBuf(x, D); err != nil {
		return
	}
	if invT, err = invTemperature(opt.Temperature); err != nil {
		return
	}
	if err = checkSampleLabels(m.info.Arch, 0, B, opt.Labels); err != nil {
		return
	}
	for k := range m.comps {
		n, err := knownPrefix(opt.Known, m.comps[k].order)
		if err != nil {
			if K > 1 {
				return 0, 0, 0, fmt.Errorf("component %d: %w", k, err)
			}
			return 0, 0, 0, err
		}
		known = n
		if err := checkKnownBinary(x, D, m.comps[k].order[:known]); err != nil {
			return 0, 0, 0, err
		}
	}
	return
}

// madeSampleTask samples examples [lo, hi) of one Sample call one whole
// example at a time (no OnStep callback), on a worker's own pushState;
// each example has its own random stream, so the result does not depend
// on how the batch is split.
type madeSampleTask struct {
	m      *made
	ctx    context.Context
	caller *madeWork // the call's components, gathered inputs and random streams
	x      []float32
	known  int
	invT   float64
}

func (s *madeSampleTask) run(lo, hi int) error {
	m, cw := s.m, s.caller
	D := m.info.Dims
	ws := m.pool.Get().(*madeWork)
	defer m.pool.Put(ws)
	ws.growStates(m, 1)
	st := &ws.states[0]
	ws.u = growF64(ws.u, D)
	ws.c = growF64(ws.c, D)
	for e := lo; e < hi; e++ {
		c := &m.comps[cw.comp[e]]
		st.start(c)
		xo, xe := cw.xo[e*D:(e+1)*D], s.x[e*D:(e+1)*D]
		// The example's uniforms for its steps, with their logit bounds,
		// drawn up front (draws32): the steps then mostly only compare.
		cw.rng.draws32(e, ws.u[s.known:D], ws.c[s.known:D])
		if len(m.sizes) == 1 {
			if err := s.one(st, e, xo, ws.u[:D], ws.c[:D]); err != nil {
				return err
			}
		} else if err := s.deep(st, e, xo, ws.u[:D], ws.c[:D]); err != nil {
			return err
		}
		for t := s.known; t < D; t++ {
			xe[c.order[t]] = xo[t]
		}
	}
	return nil
}

// one samples the example in xo (ordering space) on a MADE with one hidden
// layer: deep's loop with pushState.step and input written out, which
// saves a call and a layer loop per step.
func (s *madeSampleTask) one(st *pushState, e int, xo []float32, u, c []float64) error {
	p := st.p
	if run := madeLoopFor(p); run != nil {
		return s.oneAsm(run, st, e, xo, u, c)
	}
	out, acc, final := st.out, st.acc[0], p.final[0]
	var unit []int32
	if p.unit != nil {
		unit = p.unit[0]
	}
	out = out[:len(xo)]
	u, c = u[:len(xo)], c[:len(xo)]
	j := 0
	for t := range xo {
		if t%64 == 0 {
			if err := s.ctx.Err(); err != nil {
				return err
			}
		}
		if end := int(final[t]); unit == nil { // hidden units of degree t
			for ; j < end; j++ {
				if v := acc[j]; v > 0 {
					p.out.push(j, v, st.out)
				}
			}
		} else {
			for ; j < end; j++ {
				if v := acc[unit[j]]; v > 0 {
					p.out.push(j, v, st.out)
				}
			}
		}
		v := xo[t]
		if t >= s.known {
			z := float64(out[t]) * s.invT
			if d := decide32(z, c[t]); d >= 0 {
				v = float32(d)
			} else {
				v = s.caller.rng.finish32(e, z, u[t])
			}
			xo[t] = v
		}
		if v != 0 {
			p.in[0].push(t, v, acc)
			if p.direct.n != 0 {
				p.direct.push(t, v, st.out)
			}
		}
	}
	return nil
}

// oneAsm is one with the steps in assembly (madeLoop): Go draws only the
// steps the crude bound cannot decide, and checks ctx every 1024 steps.
func (s *madeSampleTask) oneAsm(run func(*madeLoop), st *pushState, e int, xo []float32, u, c []float64) error {
	p := st.p
	D := len(xo)
	u, c = u[:D], c[:D]
	l := &st.loop
	*l = madeLoop{
		xo: unsafe.Pointer(&xo[0]), out: unsafe.Pointer(&st.out[0]), acc: unsafe.Pointer(&st.acc[0][0]),
		final: unsafe.Pointer(&p.final[0][:D][0]), c: unsafe.Pointer(&c[0]),
		in: newLoopTab(&p.in[0]), outT: newLoopTab(&p.out), dir: newLoopTab(&p.direct),
		invT: s.invT, slack: logitSlack, known: s.known,
	}
	if p.unit != nil {
		l.unit = unsafe.Pointer(&p.unit[0][0])
	}
	for l.t < D {
		if err := s.ctx.Err(); err != nil {
			*l = madeLoop{}
			return err
		}
		l.end, l.undecided = min(D, l.t+1024), 0
		run(l)
		if l.undecided != 0 {
			t := l.t
			z := float64(st.out[t]) * s.invT
			v := s.caller.rng.finish32(e, z, u[t])
			xo[t] = v
			if v != 0 {
				p.in[0].push(t, v, st.acc[0])
				if p.direct.n != 0 {
					p.direct.push(t, v, st.out)
				}
			}
			l.t++
		}
	}
	*l = madeLoop{} // drop the pointers
	return nil
}

// deep samples the example in xo on a MADE of any depth.
func (s *madeSampleTask) deep(st *pushState, e int, xo []float32, u, c []float64) error {
	events := st.p.events
	for t := range xo {
		if t%64 == 0 {
			if err := s.ctx.Err(); err != nil {
				return err
			}
		}
		if len(events) > 0 && int(events[0]) == t {
			st.step(t) // some hidden units become final
			events = events[1:]
		}
		v := xo[t]
		if t >= s.known {
			v = s.caller.rng.draw32(e, float64(st.out[t])*s.invT, u[t], c[t])
			xo[t] = v
		}
		if v != 0 {
			st.input(t, v)
		}
	}
	return nil
}

// pushState is one example's push sampler: the running pre-activations of
// every hidden layer and of the outputs, in 64-byte-aligned rows padded to
// 16 floats so that every push is aligned whole vectors (see madePush),
// and how many units of each layer are final.
type pushState struct {
	p    *madePush
	acc  [][]float32 // per hidden layer
	out  []float32
	next []int
	loop madeLoop // the assembly loop's state (oneAsm)
}

// growStates sizes ws.states for B examples of m.
func (ws *madeWork) growStates(m *made, B int) {
	for len(ws.states) < B {
		st := pushState{acc: make([][]float32, len(m.sizes)), next: make([]int, len(m.sizes))}
		for l, h := range m.sizes {
			st.acc[l] = alignedFloats(pad16(h))
		}
		st.out = alignedFloats(pad16(m.info.Dims))
		ws.states = append(ws.states, st)
	}
}

// start sets the pre-activations to component c's biases.
func (s *pushState) start(c *madeComp) {
	s.p = c.pushTables()
	for l := range c.hidden {
		clear(s.acc[l][copy(s.acc[l], s.p.bias[l]):])
	}
	clear(s.out[copy(s.out, c.out.b):])
	clear(s.next)
}

// step makes final every hidden unit that step t makes computable (degree
// <= t), pushes each positive one into the next layer (or the outputs),
// and returns the logit of step t.
func (s *pushState) step(t int) float32 {
	p := s.p
	L := len(p.in)
	for l := 0; l < L; l++ {
		j, end := s.next[l], int(p.final[l][t])
		if j == end {
			continue
		}
		acc := s.acc[l]
		tab, dst := &p.out, s.out
		if l+1 < L {
			tab, dst = &p.in[l+1], s.acc[l+1]
		}
		for ; j < end; j++ {
			a := j
			if p.unit != nil {
				a = int(p.unit[l][j])
			}
			if v := acc[a]; v > 0 { // relu: zero units push nothing
				tab.push(j, v, dst)
			}
		}
		s.next[l] = j
	}
	return s.out[t]
}

// input adds step t's value v (non-zero) to the pre-activations of the
// first hidden layer and of the outputs.
func (s *pushState) input(t int, v float32) {
	p := s.p
	p.in[0].push(t, v, s.acc[0])
	if p.direct.n != 0 {
		p.direct.push(t, v, s.out)
	}
}

// pickComponents draws each example's mixture component: uniformly, or,
// when the first known steps are given, from the posterior
// p(k | known) ∝ p_k(known), computed with one forward pass per component.
func (m *made) pickComponents(ws *madeWork, x []float32, B, known int) error {
	K, D := len(m.comps), m.info.Dims
	if K == 1 {
		clear(ws.comp[:B])
		return nil
	}
	if known == 0 {
		for e := 0; e < B; e++ {
			ws.comp[e] = min(int(ws.rng.uniform(e)*float64(K)), K-1)
		}
		return nil
	}
	ws.ll = growF64(ws.ll, K*B)
	for k := range m.comps {
		c := &m.comps[k]
		for e := 0; e < B; e++ {
			gather(ws.xo[e*D:], x[e*D:], c.order)
		}
		m.logProbs(c, ws, B, known, ws.ll[k*B:])
	}
	for e := 0; e < B; e++ {
		mx := math.Inf(-1)
		for k := 0; k < K; k++ {
			mx = max(mx, ws.ll[k*B+e])
		}
		var sum float64
		for k := 0; k < K; k++ {
			sum += math.Exp(ws.ll[k*B+e] - mx)
		}
		u := ws.rng.uniform(e) * sum
		ws.comp[e] = K - 1
		for k := 0; k < K; k++ {
			u -= math.Exp(ws.ll[k*B+e] - mx)
			if u < 0 {
				ws.comp[e] = k
				break
			}
		}
	}
	return nil
}
