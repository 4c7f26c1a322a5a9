package engine

import (
	"context"
	"encoding/binary"
	"io"
	"math/bits"
	"math/rand/v2"
)

// madeGen is MADE's Generator: each stream's mixture component and push
// sampler (pushState: the running pre-activations of every hidden layer
// and of the outputs), as Sample's step-at-a-time loop keeps them.
//
// Sample draws a stream's step uniforms up front (rngs.draws32: after the
// component, one 64-bit draw per two steps from known on, high half
// first), then the extra 21 bits of the steps the crude bound cannot
// decide (finish32), in step order. The generator takes the same draws
// lazily, in the same positions of the stream: g.rng is the cursor at the
// next pair of step uniforms (pend holds the low half of the pair drawn at
// the last step when the next step uses it), and a finishing draw reads
// the stream where Sample's would be, after every pair still to come and
// the finishing draws already taken (fin), on a copy of the cursor moved
// ahead (pcgSkip). So a fork's streams draw their remaining step uniforms
// from their own random streams, as the state section names them.
type madeGen struct {
	genBase
	m     *made
	known int      // known steps: step t's uniform is half (t-known)%2 of pair (t-known)/2
	pairs int      // the pairs of step uniforms: ceil((Dims-known)/2)
	comp  []int    // B: each stream's mixture component
	pend  []uint64 // B: the low 32-bit uniform of the last pair, when the next step takes it; else 0
	fin   []uint64 // B: the finishing draws taken
	st    []pushState
	lg    []float32 // B: the last step's logits
	dims  []int32   // B: the last step's data index per stream
	u, c  [1]float64
	buf   [20]byte // pcgSkip's scratch
}

// madeGenHook, when not nil (tests only), is told every step t the
// generators compute, for n streams: each known step of Generate (per
// stream), and each Next; and with t = -1 the forward passes that pick
// the components of n streams from their posterior given the prefix.
var madeGenHook func(t, n int)

// madeFinishHook, when not nil (tests only), is told the 53-bit uniform
// u of every draw of stream e at step t that the crude bound left to the
// exact test.
var madeFinishHook func(e, t int, u float64)

func (m *made) generate(ctx context.Context, x []float32, opt SampleOptions) (Generator, error) {
	g := &madeGen{m: m}
	if err := g.initBase(m.info, x, &opt); err != nil {
		return nil, err
	}
	_, _, known, err := m.sampleArgs(x, &opt)
	if err != nil {
		return nil, err
	}
	D, B := g.T, g.B
	g.zeroUnknown(m.comps[0].order, known) // every component's unknown dimensions
	// The components, from the random streams as Sample draws them.
	ws := &madeWork{rng: g.rng, comp: make([]int, B)}
	if len(m.comps) > 1 && known > 0 {
		ws.grow(m, B)
		if madeGenHook != nil {
			madeGenHook(-1, B)
		}
	}
	if err := m.pickComponents(ws, g.x, B, known); err != nil {
		return nil, err
	}
	g.alloc(B)
	copy(g.comp, ws.comp)
	// The known prefix: Sample's pushes of the known steps, per stream.
	for e := 0; e < B; e++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := &m.comps[g.comp[e]]
		st := &g.st[e]
		st.start(c)
		for t, d := range c.order[:known] {
			st.step(t)
			if v := g.x[e*D+int(d)]; v != 0 {
				st.input(t, v)
			}
			if madeGenHook != nil {
				madeGenHook(t, 1)
			}
		}
	}
	g.setKnown(known)
	g.pos = known
	return g, nil
}

func (g *madeGen) setKnown(known int) {
	g.known, g.pairs = known, (g.T-known+1)/2
}

// alloc sizes the per-stream buffers of B streams.
func (g *madeGen) alloc(B int) {
	g.comp = make([]int, B)
	g.pend = make([]uint64, B)
	g.fin = make([]uint64, B)
	ws := new(madeWork)
	ws.growStates(g.m, B)
	g.st = ws.states
	g.lg = make([]float32, B)
	g.dims = make([]int32, B)
}

func (g *madeGen) Next(ctx context.Context) (Step, error) {
	m, D, t := g.m, g.T, g.pos
	if t >= D {
		return Step{}, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return Step{}, err
	}
	for e := 0; e < g.B; e++ {
		st := &g.st[e]
		lg := st.step(t)
		d := m.comps[g.comp[e]].order[t]
		v := g.draw(e, t, float64(lg)*g.invT)
		g.x[e*D+int(d)] = v
		if v != 0 {
			st.input(t, v)
		}
		g.lg[e], g.vals[e], g.dims[e] = lg, v, d
	}
	if madeGenHook != nil {
		madeGenHook(t, g.B)
	}
	g.pos++
	dim := int(g.dims[0])
	if !m.sameOr {
		dim = -1
	}
	return Step{Index: t, Dim: dim, Dims: g.dims, Logits: g.lg, Values: g.vals}, nil
}

// draw is stream e's Bernoulli draw of step t (t >= known) with logit z
// (temperature applied): rngs.draw32 with the uniform and bound draws32
// gave Sample for the step, and finish32's bits from where Sample's
// stream holds them.
func (g *madeGen) draw(e, t int, z float64) float32 {
	k := t - g.known
	var b uint64
	if k%2 == 0 {
		r := g.rng.r[e].Uint64()
		b = r >> 32
		if t+1 < g.T {
			g.pend[e] = r & (1<<32 - 1)
		}
	} else {
		b, g.pend[e] = g.pend[e], 0
	}
	setDraw32(g.u[:], g.c[:], 0, b)
	if d := decide32(z, g.c[0]); d >= 0 {
		return float32(d)
	}
	// Sample's stream after the pairs still to come and the finishing
	// draws taken.
	p := g.rng.r[e]
	pcgSkip(&p, uint64(g.pairs-k/2-1)+g.fin[e], &g.buf)
	g.fin[e]++
	u := g.u[0] + float64(p.Uint64()>>43)*0x1p-53
	if madeFinishHook != nil {
		madeFinishHook(e, t, u)
	}
	return bernoulliExact(z, u)
}

func (g *madeGen) Fork(n int, seed uint64) (Generator, error) {
	f := &madeGen{m: g.m}
	if err := g.forkBase(&f.genBase, n, seed); err != nil {
		return nil, err
	}
	f.setKnown(g.known)
	f.alloc(f.B)
	for e := 0; e < g.B; e++ {
		src := &g.st[e]
		for j := 0; j < n; j++ {
			i := e*n + j
			f.comp[i], f.pend[i], f.fin[i] = g.comp[e], g.pend[e], g.fin[e]
			dst := &f.st[i]
			dst.p = src.p
			for l := range src.acc {
				copy(dst.acc[l], src.acc[l])
			}
			copy(dst.out, src.out)
			copy(dst.next, src.next)
		}
	}
	return f, nil
}

// MarshalBinary writes, after the common sections:
//
//	known      i64  1         the known steps (the uniforms' origin)
//	component  i64  B         each stream's mixture component, 0..K-1
//	pending    i64  B         the low half of the last pair of uniforms when the next step takes it, else 0
//	finishes   i64  B         finishing draws taken, 0..pos-known
//	hidden     f32  B·ΣH_l    each stream's hidden pre-activations, layer by layer, in push order
//	output     f32  B·D       each stream's output pre-activations, in ordering order
func (g *madeGen) MarshalBinary() ([]byte, error) {
	B, D, H := g.B, g.T, sum(g.m.sizes)
	w := newStateWriter(4*(len(g.x)+B*(H+D)) + (24+pcgSize)*B + 256)
	g.writeHeader(w)
	w.i64("known", int64(g.known))
	iv := make([]int64, B)
	for e, c := range g.comp {
		iv[e] = int64(c)
	}
	w.i64("component", iv...)
	for e, p := range g.pend {
		iv[e] = int64(p)
	}
	w.i64("pending", iv...)
	for e, f := range g.fin {
		iv[e] = int64(f)
	}
	w.i64("finishes", iv...)
	hid := make([]float32, 0, B*H)
	out := make([]float32, 0, B*D)
	for e := range g.st {
		st := &g.st[e]
		for l, h := range g.m.sizes {
			hid = append(hid, st.acc[l][:h]...)
		}
		out = append(out, st.out[:D]...)
	}
	w.f32("hidden", hid)
	w.f32("output", out)
	return w.finish(), nil
}

func (m *made) restore(r *stateReader, h *genHeader) (Generator, error) {
	g := &madeGen{m: m}
	if err := g.readBase(r, m.info, h); err != nil {
		return nil, err
	}
	B, D, K, pos := g.B, g.T, len(m.comps), g.pos
	var known [1]int64
	r.i64("known", known[:])
	if r.err == nil && (known[0] < 0 || known[0] > int64(pos)) {
		return nil, stateErr("known steps %d outside 0..%d", known[0], pos)
	}
	comp := make([]int64, B)
	r.i64("component", comp)
	for e, c := range comp {
		if r.err == nil && (c < 0 || c >= int64(K)) {
			return nil, stateErr("stream %d has component %d, the model has %d", e, c, K)
		}
	}
	// A pending half exists after an even step past the prefix that is
	// not the last.
	odd := (pos-int(known[0]))%2 == 1 && pos < D
	pend := make([]int64, B)
	r.i64("pending", pend)
	for e, p := range pend {
		if r.err == nil && (p < 0 || p >= 1<<32 || !odd && p != 0) {
			return nil, stateErr("stream %d has pending uniform %d at step %d", e, p, pos)
		}
	}
	fin := make([]int64, B)
	r.i64("finishes", fin)
	for e, f := range fin {
		if r.err == nil && (f < 0 || f > int64(pos)-known[0]) {
			return nil, stateErr("stream %d has %d finishing draws in %d steps", e, f, int64(pos)-known[0])
		}
	}
	hid := make([]float32, B*sum(m.sizes))
	r.f32("hidden", hid)
	out := make([]float32, B*D)
	r.f32("output", out)
	if r.err != nil {
		return nil, r.err
	}
	g.setKnown(int(known[0]))
	g.alloc(B)
	for e := 0; e < B; e++ {
		g.comp[e], g.pend[e], g.fin[e] = int(comp[e]), uint64(pend[e]), uint64(fin[e])
		c := &m.comps[g.comp[e]]
		// The dimensions still to come are 0, as Values says.
		for _, d := range c.order[pos:] {
			if g.x[e*D+int(d)] != 0 {
				return nil, stateErr("stream %d has value %v at dimension %d, which step %d draws", e, g.x[e*D+int(d)], d, pos)
			}
		}
		st := &g.st[e]
		st.p = c.pushTables()
		for l, n := range m.sizes {
			hid = hid[copy(st.acc[l], hid[:n]):]
			if pos > 0 {
				st.next[l] = int(st.p.final[l][pos-1])
			}
		}
		copy(st.out, out[e*D:(e+1)*D])
	}
	return g, nil
}

// pcgSkip advances p by n draws in O(log n) steps. A PCG steps its 128-bit
// state s to a·s + c (mod 2^128) before each output; n steps take s to
// A·s + C with A = a^n and C = c·(a^(n-1) + ... + a + 1), built by
// squaring (F. B. Brown, "Random number generation with arbitrary strides",
// 1994). The state is read and written through the PCG's binary encoding
// ("pcg:" then the high and low words, big-endian), with buf as scratch.
func pcgSkip(p *rand.PCG, n uint64, buf *[20]byte) {
	if n == 0 {
		return
	}
	accMul, accAdd := u128{0, 1}, u128{}
	curMul, curAdd := pcgMul, pcgInc
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			accMul = accMul.mul(curMul)
			accAdd = accAdd.mul(curMul).add(curAdd)
		}
		curAdd = curMul.add(u128{0, 1}).mul(curAdd)
		curMul = curMul.mul(curMul)
	}
	b, _ := p.AppendBinary(buf[:0])
	s := u128{binary.BigEndian.Uint64(b[4:]), binary.BigEndian.Uint64(b[12:])}
	s = accMul.mul(s).add(accAdd)
	binary.BigEndian.PutUint64(buf[4:], s.hi)
	binary.BigEndian.PutUint64(buf[12:], s.lo)
	_ = p.UnmarshalBinary(buf[:]) // the encoding AppendBinary wrote: never fails
}

// u128 is an unsigned 128-bit integer, arithmetic mod 2^128.
type u128 struct{ hi, lo uint64 }

func (a u128) mul(b u128) u128 {
	hi, lo := bits.Mul64(a.lo, b.lo)
	return u128{hi + a.hi*b.lo + a.lo*b.hi, lo}
}

func (a u128) add(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}
}

// pcgMul and pcgInc are the PCG's multiplier a and increment c, read off
// the generator itself: from state 0 one step gives c, from state 1 a + c.
var pcgMul, pcgInc = func() (u128, u128) {
	state := func(hi, lo uint64) u128 {
		p := rand.NewPCG(hi, lo)
		p.Uint64()
		b, _ := p.MarshalBinary()
		return u128{binary.BigEndian.Uint64(b[4:]), binary.BigEndian.Uint64(b[12:])}
	}
	c := state(0, 0)
	a1 := state(0, 1)
	a := a1.add(u128{^c.hi, ^c.lo}).add(u128{0, 1}) // (a + c) - c
	return a, c
}()
