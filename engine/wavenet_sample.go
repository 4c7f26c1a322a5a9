package engine

import (
	"context"
	"fmt"
	"runtime"

	"github.com/arinfer/arinfer/kernels"
)

// The wavenet's generator: the Fast WaveNet algorithm of Paine et al.
// (2016). Layer l's dilated convolution at step t reads its input at t-d_l
// and t, so each layer keeps a queue of its last d_l inputs per stream
// (ws.hist, the layout a pass leaves: layer l's d_l rows of R values, the
// oldest at ws.ptr[l]); a step pops h_{l-1}(t-d_l) and pushes h_{l-1}(t).
// One step of B streams is, per layer, the dilated product as two
// [2G x R] products, its tap on h_{l-1}(t-d_l) read straight from the
// queue (stepPast: it needs nothing of step t, so a second core may
// compute it ahead, see wavenet_duo.go) and its tap on h_{l-1}(t)
// (stepCur), the gate, and one product of the fused [(R+S) x G] residual
// and skip matrix accumulating into [h_l(t); skip(t)], then the head:
// O(L x channels^2) whatever the receptive field, every product over the
// B streams at once (kernels.Mat in Options.StepWeights). Each stream's
// vector y holds
//
//	[ h(t) | skip(t) ]   (R, S values)
//
// so the fused product adds into all of it: h(t) becomes h_l(t) in place.
//
// A known prefix (completion, priming) is one pass of the scoring kernels
// over it, which leaves exactly the queues the first generated step reads.

// Sample implements Model with the queue-cached generator. A known prefix
// (SampleOptions.Known: the first steps) runs as one batched forward pass
// that fills the queues (its steps' outputs are computed only to report
// them to OnStep, or to draw labels from p(y | prefix)). Without OnStep a
// batch of B >= 2 streams is split into one group per core, each running
// all its steps independently (no barrier per step); with OnStep one
// goroutine runs the batch so that steps arrive in order. Every stream
// draws from its own random stream, so the samples do not depend on the
// batch size or the split.
func (m *waveNet) Sample(ctx context.Context, x []float32, opt SampleOptions) error {
	T := m.T
	B, err := checkSampleBuf(x, T)
	if err != nil {
		return err
	}
	invT, err := invTemperature(opt.Temperature)
	if err != nil {
		return err
	}
	kn, err := knownSteps(opt.Known, T)
	if err != nil {
		return err
	}
	if err := checkKnownValues(x, T, kn, m.K, m.info.Dist); err != nil {
		return err
	}
	if err := checkSampleLabels(m.arch, m.N, B, opt.Labels); err != nil {
		return err
	}
	group := m.groupSize(kn)
	if opt.OnStep != nil && B > group {
		return fmt.Errorf("%w: a batch of %d streams with OnStep needs more than the %d streams of generator state this model allows", ErrSize, B, group)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t := m.tasks.Get().(*waveTasks)
	defer m.tasks.Put(t)
	p := runtime.GOMAXPROCS(0)
	t.sample = waveSample{m: m, ctx: ctx, x: x, opt: opt, invT: invT, kn: kn, group: group, B: B}
	defer func() { t.sample = waveSample{} }()
	if opt.OnStep != nil || p == 1 || B == 1 {
		t.sample.par = p > 1 // the prefix pass may use the cores
		return t.sample.run(0, B)
	}
	t.sample.parts = min(p, B)
	return parallelFor(ctx, t.sample.parts, 1, &t.sample)
}

// knownSteps checks SampleOptions.Known for length-T sequences and
// returns the length of the known prefix.
func knownSteps(known []bool, T int) (int, error) {
	if known == nil {
		return 0, nil
	}
	if len(known) != T {
		return 0, fmt.Errorf("%w: Known has %d entries for %d dimensions", ErrSize, len(known), T)
	}
	n := 0
	for n < T && known[n] {
		n++
	}
	for t := n + 1; t < T; t++ {
		if known[t] {
			return 0, fmt.Errorf("engine: completion needs the known dimensions to be the first steps, but step %d is known and step %d is not", t, n)
		}
	}
	return n, nil
}

// groupSize is the number of streams a sampler advances together, with a
// prefix pass if kn > 0.
func (m *waveNet) groupSize(kn int) int {
	per := m.stateFloats()
	if kn > 0 {
		tc := int64(min(m.chunk, kn))
		per += int64(m.dmax)*int64(2*m.R+2*m.G) + tc*int64(2*m.R+3*m.G+m.S+m.C)
	}
	return int(max(1, waveGroupFloats/per))
}

// waveSample samples streams [lo, hi) of one Sample call (parts > 0:
// parts [lo, hi) of the batch cut into parts).
type waveSample struct {
	m     *waveNet
	ctx   context.Context
	x     []float32
	opt   SampleOptions
	invT  float64
	kn    int  // known steps (a prefix)
	group int  // streams advanced together
	B     int  // streams of the call
	parts int  // > 0: run takes parts of the batch, not streams
	par   bool // the prefix pass may spread over the cores
	// yield, when set (a Generator's steps, see waveGen.runSteps), is
	// told each step instead of OnStep; false stops the run after it.
	yield func(Step) bool
	done  int // steps taken so far (with yield)
}

func (s *waveSample) run(lo, hi int) error {
	if s.parts > 0 {
		lo, hi = lo*s.B/s.parts, hi*s.B/s.parts
	}
	m := s.m
	ws := m.pool.Get().(*waveWork)
	defer m.pool.Put(ws)
	for g := lo; g < hi; g += s.group {
		if err := m.sampleGroup(ws, s, g, min(g+s.group, hi)); err != nil {
			return err
		}
	}
	return nil
}

// sampleGroup samples streams [e0, e1) together.
func (m *waveNet) sampleGroup(ws *waveWork, s *waveSample, e0, e1 int) error {
	B, T := e1-e0, m.T
	x := s.x[e0*T : e1*T]
	opt := &s.opt
	if s.kn == T && opt.OnStep == nil {
		return nil // every step is known: nothing to draw or report
	}
	ws.rng.resetAt(opt.Seed, e0, B)
	ws.prob = growF64(ws.prob, max(m.C, m.N))
	tc := max(1, min(s.kn, m.chunk/B))
	m.setup(ws, B, tc)
	var labels []int
	if m.N > 0 {
		var given []int
		if opt.Labels != nil {
			given = opt.Labels[e0:e1]
		}
		var err error
		if labels, err = m.drawLabels(s.ctx, ws, x, B, s.kn, given, s.par); err != nil {
			return err
		}
	}
	if s.kn > 0 {
		mode := passPrime
		if opt.OnStep != nil {
			mode = passReport
		}
		if err := m.pass(s.ctx, ws, x, T, s.kn, labels, mode, s.par, opt.OnStep); err != nil {
			return err
		}
	} else {
		clear(ws.hist[:B*m.cum[m.L]*m.R])
		m.setLabels(ws, labels)
	}
	return m.drawSteps(ws, s, x, B)
}

// drawLabels returns the labels of the B streams of x: given, or drawn
// from each stream's random stream (its first draw) from p(y | the kn
// known steps) ∝ p(y) p(x_<kn | y), the prior when nothing is known. The
// likelihood of the known steps takes one pass per class over them.
func (m *waveNet) drawLabels(ctx context.Context, ws *waveWork, x []float32, B, kn int, given []int, par bool) ([]int, error) {
	N := m.N
	ws.labs = growInt(ws.labs, B)
	labels := ws.labs[:B]
	if given != nil {
		copy(labels, given)
		return labels, nil
	}
	ws.post = growF64(ws.post, B*N)
	for e := 0; e < B; e++ {
		copy(ws.post[e*N:(e+1)*N], m.logPrior)
	}
	if kn > 0 {
		ws.lab = growInt(ws.lab, B)
		for y := 0; y < N; y++ {
			for e := range ws.lab[:B] {
				ws.lab[e] = y
			}
			if err := m.pass(ctx, ws, x, m.T, kn, ws.lab[:B], passScore, par, nil); err != nil {
				return nil, err
			}
			for e := 0; e < B; e++ {
				ws.post[e*N+y] += ws.lp[e]
			}
		}
	}
	for e := range labels {
		labels[e] = ws.rng.categorical64(e, ws.post[e*N:(e+1)*N], ws.prob)
	}
	return labels, nil
}

// drawSteps draws steps kn..T-1 of the B streams of x, from the queues and
// labels a pass or sampleGroup left in ws: on two cores (wavenet_duo.go)
// when the call may use them, otherwise here.
func (m *waveNet) drawSteps(ws *waveWork, s *waveSample, x []float32, B int) error {
	m.initSteps(ws, B)
	if s.par && m.duoOK() {
		return m.drawStepsDuo(ws, s, x, B)
	}
	for t := s.kn; t < m.T; t++ {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		m.draw(ws, s, x, B, t, m.step(ws, x, B, t))
	}
	return nil
}

// draw draws step t of the B streams of x from their outputs z, and
// reports the step to OnStep.
func (m *waveNet) draw(ws *waveWork, s *waveSample, x []float32, B, t int, z []float32) {
	m.drawValues(ws, s, x, B, t, z)
	s.report(ws, t, B, z)
}

// drawValues draws step t of the B streams of x from their outputs z into
// x and ws.vals.
func (m *waveNet) drawValues(ws *waveWork, s *waveSample, x []float32, B, t int, z []float32) {
	T, C := m.T, m.C
	for e := 0; e < B; e++ {
		var v float32
		if C == 1 {
			v = ws.rng.bernoulli(e, z[e], s.invT)
		} else {
			v = float32(ws.rng.categorical(e, z[e*C:(e+1)*C], s.invT, ws.prob))
		}
		x[e*T+t] = v
		ws.vals[e] = v
	}
}

// report tells OnStep or yield, if set, about step t of the B streams;
// false: yield wants no more steps.
func (s *waveSample) report(ws *waveWork, t, B int, z []float32) bool {
	st := Step{Index: t, Dim: t, Logits: z, Values: ws.vals[:B]}
	if s.yield != nil {
		s.done = t + 1
		return s.yield(st)
	}
	if s.opt.OnStep != nil {
		s.opt.OnStep(st)
	}
	return true
}

// initSteps sizes the step's vectors for B streams and points every
// queue's oldest slot at its start (the layout a pass leaves).
func (m *waveNet) initSteps(ws *waveWork, B int) {
	ws.y = growF(ws.y, B*(m.R+m.S))
	ws.sa = growF(ws.sa, B*m.L*2*m.G)
	ws.sg = growF(ws.sg, B*m.G)
	ws.h1 = growF(ws.h1, B*m.O)
	ws.logits = growF(ws.logits, B*m.C)
	ws.vals = growF(ws.vals, B)
	ws.ptr = growInt(ws.ptr, m.L)
	clear(ws.ptr)
}

// step computes the outputs (B x C) of step t of the B streams of x, all
// steps before t known, and advances the queues.
func (m *waveNet) step(ws *waveWork, x []float32, B, t int) []float32 {
	m.stepRange(ws, x, 0, B, t)
	m.advanceQueues(ws)
	return ws.logits[:B*m.C]
}

// advanceQueues moves every layer's oldest slot on by one, after a step
// of all streams.
func (m *waveNet) advanceQueues(ws *waveWork) {
	for l, d := range m.dil {
		if ws.ptr[l]++; ws.ptr[l] == d {
			ws.ptr[l] = 0
		}
	}
}

// stepRange computes step t of streams [e0, e1) of x (their outputs in
// ws.logits), popping each layer's slot ws.ptr[l] and pushing into it;
// the slots move on in advanceQueues, once all streams have taken the
// step. Streams are independent, so ranges may run at once; a range that
// starts at a multiple of 4 does each stream's arithmetic exactly as the
// whole batch would (MatVec groups vectors by at most 4 from the first).
func (m *waveNet) stepRange(ws *waveWork, x []float32, e0, e1, t int) {
	R, G := m.R, m.G
	ld := R + m.S
	n := e1 - e0
	y := ws.y[e0*ld : e1*ld]
	m.stepInput(ws, x, e0, e1, t, true)
	sg := ws.sg[e0*G : e1*G]
	for l := range m.layers {
		ly := &m.layers[l]
		m.stepPast(ws, l, e0, e1)
		m.stepCur(ws, l, e0, e1, t, sg, G)
		if ly.res != nil {
			kernels.MatVec(ly.rs, n, sg, G, ly.rsB, y, ld, true)
		} else {
			kernels.MatVec(ly.rs, n, sg, G, ly.rsB, y[R:], ld, true)
		}
		hookWave('r', l+1, t, t+1, n)
	}
	m.stepHead(ws, e0, e1, t)
}

// stepInput begins step t of streams [e0, e1): h_0(t) into each stream's
// y, and with clearSkip the skip sums set to 0.
func (m *waveNet) stepInput(ws *waveWork, x []float32, e0, e1, t int, clearSkip bool) {
	R, T := m.R, m.T
	ld := R + m.S
	for e := e0; e < e1; e++ {
		ye := ws.y[e*ld : (e+1)*ld]
		m.input(ye[:R], x[e*T:(e+1)*T], t)
		if clearSkip {
			clear(ye[R:])
		}
	}
	hookWave('i', 0, t, t+1, e1-e0)
}

// stepPast begins layer l's dilated product for streams [e0, e1) at the
// step whose oldest queue slot is ws.ptr[l]: its pre-activations (ws.sa,
// stream e's at (e·L + l)·2G) are set to dil_b, plus dil_cls of the
// stream's class, plus the tap on h_{l-1}(t-d_l), the oldest slot. It
// reads nothing of step t itself, so it can run before step t starts.
func (m *waveNet) stepPast(ws *waveWork, l, e0, e1 int) {
	R, G2, L := m.R, 2*m.G, m.L
	ly := &m.layers[l]
	d, p := ly.d, ws.ptr[l]
	q := m.queue(ws, l)[(e0*d+p)*R:]
	sa := ws.sa[(e0*L+l)*G2:]
	if ws.labels != nil {
		for e := e0; e < e1; e++ {
			o := (e*L + l) * G2
			copy(ws.sa[o:o+G2], ws.lbias[o:o+G2])
		}
		kernels.MatVec(ly.past, e1-e0, q, d*R, nil, sa, L*G2, true)
	} else {
		kernels.MatVec(ly.past, e1-e0, q, d*R, ly.b, sa, L*G2, false)
	}
}

// stepCur ends layer l's dilated product at step t of streams [e0, e1)
// (after stepPast): it pushes h_{l-1}(t), in y, into the oldest queue
// slot, adds the tap on it to the pre-activations and writes the gate to
// g (G values per stream, ldg apart). The residual and skip product is
// the caller's.
func (m *waveNet) stepCur(ws *waveWork, l, e0, e1, t int, g []float32, ldg int) {
	R, G, L := m.R, m.G, m.L
	G2 := 2 * G
	ld := R + m.S
	n := e1 - e0
	ly := &m.layers[l]
	d, p := ly.d, ws.ptr[l]
	q := m.queue(ws, l)
	for e := e0; e < e1; e++ {
		copy(q[(e*d+p)*R:(e*d+p+1)*R], ws.y[e*ld:e*ld+R])
	}
	sa := ws.sa[(e0*L+l)*G2:]
	kernels.MatVec(ly.cur, n, ws.y[e0*ld:], ld, nil, sa, L*G2, true)
	hookWave('d', l+1, t, t+1, n)
	kernels.GateRows(n, G, sa, L*G2, g, ldg)
}

// stepHead ends step t of streams [e0, e1): the head on the skip sums,
// the outputs in ws.logits.
func (m *waveNet) stepHead(ws *waveWork, e0, e1, t int) {
	R := m.R
	ld := R + m.S
	n := e1 - e0
	y := ws.y[e0*ld : e1*ld]
	for e := e0; e < e1; e++ {
		sk := ws.y[e*ld+R : (e+1)*ld]
		kernels.Relu(sk, sk)
	}
	h1 := ws.h1[e0*m.O : e1*m.O]
	kernels.MatVec(m.h1m, n, y[R:], ld, m.b1, h1, m.O, false)
	kernels.Relu(h1, h1)
	kernels.MatVec(m.h2m, n, h1, m.O, m.b2, ws.logits[e0*m.C:e1*m.C], m.C, false)
	hookWave('h', 0, t, t+1, n)
}
