package engine

import (
	"context"
	"math"
	"runtime"

	"github.com/arinfer/arinfer/kernels"
)

// Scoring of the wavenet: a pass runs the network over a group of streams
// in chunks of time steps, layer by layer, with the scoring kernels
// (Conv2D on the dilated convolution over a sequence laid out as an image
// with H = time, W = 1; the 1x1 maps and the head as dense convolutions;
// GateRows). Each layer keeps a queue of its last d_l inputs, which the
// next chunk reads as the rows before its first step, so chunking is
// exact, recomputes nothing, and bounds the memory of a pass whatever the
// length. Streams are spread over the cores; a single stream's chunk rows
// are.
//
// The activations of a pass over g streams (each buffer g streams apart):
//
//	h[0], h[1]  (dmax+tc) rows x R   a layer's input and output (ping-pong):
//	                                 rows dmax-d_l..dmax-1 hold layer l's queue
//	                                 (the steps before the chunk), rows dmax..
//	                                 the chunk
//	a           (dmax+tc) rows x 2G  the dilated pre-activations (rows dmax..;
//	                                 the rows above mirror h's geometry, as the
//	                                 kernels address outputs like their inputs)
//	gt          tc rows x G          the gated units
//	sk          tc rows x S          the skip sum, then relu of it
//	hist        Σ_l d_l rows x R     the queues: layer l's at g·R·(d_1+...+d_{l-1})
//	z           tc rows x C          the outputs of a chunk (reported passes only)

// passMode says what a pass computes after the layers of a chunk.
type passMode uint8

const (
	passScore  passMode = iota // log p(x|y) of the steps, added to ws.lp
	passPrime                  // only the queues (the skip products, the last layer and the head are skipped)
	passReport                 // the outputs of every step, reported through OnStep
)

// waveRowGrain is the fewest time steps a core takes of a split chunk.
const waveRowGrain = 32

// waveWork is one goroutine's workspace for passes and generation.
type waveWork struct {
	g, tc  int // streams and chunk steps the pass buffers hold
	hs, as int // floats per stream of h and a
	h      [2][]float32
	a      []float32
	gt     []float32
	sk     []float32
	z      []float32
	hist   []float32
	lbias  []float32 // g x L x 2G: dil{l}_b + dil{l}_cls[y] per stream
	lab    []int     // the labels of a marginal's pass
	lp     []float64 // g: log p(x|y) of a pass
	lpu    []float64 // log p of each head unit (stream, block) of a chunk
	mx, sm []float64 // marginal: running logsumexp per stream
	post   []float64 // g x N: log p(y) + log p(known steps | y)

	// The chunk being computed: steps [c0, c0+n) of the streams of x
	// (stream e's step t at x[e*stride+t]), labels nil or one per stream.
	x      []float32
	stride int
	c0, n  int
	labels []int
	// The head's units of a chunk: blk steps at most (all streams), es
	// streams by nr steps each; nblk units across a stream's steps.
	blk, es, nr, nblk int
	layer             waveLayerTask
	head              waveHeadTask

	// Generation (wavenet_sample.go).
	y      []float32 // g x (R+S): [h_l(t) | skip(t)] per stream
	sa     []float32 // g x L x 2G: each layer's pre-activations
	sg     []float32 // g x G
	h1     []float32 // g x O
	logits []float32 // g x C
	vals   []float32 // g
	ptr    []int     // L: the oldest slot of each queue
	prob   []float64 // max(C, N)
	labs   []int     // g labels of a sample group
	rng    rngs
	// Generation on two cores (wavenet_duo.go).
	duo *waveDuo
	dz  []float32 // g x L x G: each layer's gate output
}

// waveHeadBuf is a head worker's scratch.
type waveHeadBuf struct{ h, z []float32 }

// waveTasks holds the parallel tasks of one call.
type waveTasks struct {
	score  waveScore
	sample waveSample
}

// LogProb implements Model: log p(x), for a class-conditional model the
// marginal log sum_y p(y) p(x|y) (one pass per class).
func (m *waveNet) LogProb(ctx context.Context, x []float32, out []float64) error {
	return m.score(ctx, x, nil, out)
}

func (m *waveNet) score(ctx context.Context, x []float32, labels []int, out []float64) error {
	if err := checkBatch(&m.info, x, out); err != nil {
		return err
	}
	if err := m.checkValues(x); err != nil {
		return err
	}
	B := len(out)
	tc := min(m.chunk, m.T)
	g := max(1, min(B, m.chunk/tc))
	t := m.tasks.Get().(*waveTasks)
	defer m.tasks.Put(t)
	t.score = waveScore{m: m, ctx: ctx, x: x, labels: labels, out: out, g: g, tc: tc}
	defer func() { t.score = waveScore{} }()
	if p := runtime.GOMAXPROCS(0); p > 1 && B >= 2 {
		return parallelFor(ctx, B, max(1, min(g, B/p)), &t.score)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return t.score.groups(0, B, true)
}

// checkValues reports the first value of x outside the distribution's
// support.
func (m *waveNet) checkValues(x []float32) error {
	if m.C == 1 {
		return checkBinary(x, m.T)
	}
	return checkCategorical(x, m.T, m.K)
}

// waveScore scores streams [lo, hi) of one LogProb call.
type waveScore struct {
	m      *waveNet
	ctx    context.Context
	x      []float32
	labels []int // LogProbGiven: one per stream; nil: unconditional or marginal
	out    []float64
	g, tc  int // streams and steps of a pass
}

func (s *waveScore) run(lo, hi int) error { return s.groups(lo, hi, false) }

// groups scores streams [lo, hi) in passes over s.g streams; par spreads
// each chunk's steps over the cores.
func (s *waveScore) groups(lo, hi int, par bool) error {
	m := s.m
	ws := m.pool.Get().(*waveWork)
	defer m.pool.Put(ws)
	T := m.T
	for e0 := lo; e0 < hi; e0 += s.g {
		e1 := min(e0+s.g, hi)
		var labels []int
		if s.labels != nil {
			labels = s.labels[e0:e1]
		}
		if err := m.scoreGroup(s.ctx, ws, s.x[e0*T:e1*T], labels, s.out[e0:e1], s.tc, par); err != nil {
			return err
		}
	}
	return nil
}

// scoreGroup writes log p(x|y) (labels given or no classes) or log p(x)
// of the len(out) streams of x to out.
func (m *waveNet) scoreGroup(ctx context.Context, ws *waveWork, x []float32, labels []int, out []float64, tc int, par bool) error {
	g, T := len(out), m.T
	m.setup(ws, g, tc)
	if labels != nil || m.N == 0 {
		if err := m.pass(ctx, ws, x, T, T, labels, passScore, par, nil); err != nil {
			return err
		}
		copy(out, ws.lp[:g])
		return nil
	}
	ws.lab = growInt(ws.lab, g)
	ws.mx = growF64(ws.mx, g)
	ws.sm = growF64(ws.sm, g)
	for e := range g {
		ws.mx[e], ws.sm[e] = math.Inf(-1), 0
	}
	for y := 0; y < m.N; y++ {
		for e := range g {
			ws.lab[e] = y
		}
		if err := m.pass(ctx, ws, x, T, T, ws.lab[:g], passScore, par, nil); err != nil {
			return err
		}
		for e := range g {
			logSumExpAdd(&ws.mx[e], &ws.sm[e], m.logPrior[y]+ws.lp[e])
		}
	}
	for e := range out {
		out[e] = ws.mx[e] + math.Log(ws.sm[e])
	}
	return nil
}

// setup sizes ws for passes over g streams in chunks of tc steps.
func (c *waveCore) setup(ws *waveWork, g, tc int) {
	R, G := c.R, c.G
	ws.g, ws.tc = g, tc
	ws.hs, ws.as = (c.dmax+tc)*R, (c.dmax+tc)*2*G
	ws.h[0] = growF(ws.h[0], g*ws.hs)
	ws.h[1] = growF(ws.h[1], g*ws.hs)
	ws.a = growF(ws.a, g*ws.as)
	ws.gt = growF(ws.gt, g*tc*G)
	ws.sk = growF(ws.sk, g*tc*c.S)
	ws.hist = growF(ws.hist, g*c.cum[c.L]*R)
	ws.lp = growF64(ws.lp, g)
	ws.blk = max(1, min(tc, waveHeadFloats/(c.O+c.C)))
	ws.lpu = growF64(ws.lpu, g*((tc+ws.blk-1)/ws.blk))
}

// setLabels records the labels of a pass (nil: none) and the per-stream
// biases of the dilated convolutions they select.
func (c *waveCore) setLabels(ws *waveWork, labels []int) {
	ws.labels = labels
	if labels == nil {
		return
	}
	G2 := 2 * c.G
	ws.lbias = growF(ws.lbias, len(labels)*c.L*G2)
	for e, y := range labels {
		for l := range c.layers {
			ly := &c.layers[l]
			o := (e*c.L + l) * G2
			kernels.Add(ws.lbias[o:o+G2], ly.b, ly.cls[y*G2:(y+1)*G2])
		}
	}
}

// pass runs the network over steps [0, T) of the ws.g streams of x
// (stream e's step t at x[e*stride+t]; stream e with label labels[e], or
// none) from empty queues, in chunks of ws.tc steps, as mode says: it
// leaves log p(x|y) of each stream in ws.lp (passScore), or reports every
// step to onStep (passReport), and the queues of the last steps in
// ws.hist. par spreads each chunk's steps over the cores.
func (c *waveCore) pass(ctx context.Context, ws *waveWork, x []float32, stride, T int, labels []int, mode passMode, par bool, onStep func(Step)) error {
	g := ws.g
	clear(ws.hist[:g*c.cum[c.L]*c.R])
	clear(ws.lp[:g])
	c.setLabels(ws, labels)
	ws.x, ws.stride = x, stride
	if mode == passReport {
		ws.z = growF(ws.z, g*ws.tc*c.C)
		ws.logits = growF(ws.logits, g*c.C)
		ws.vals = growF(ws.vals, g)
	}
	if mode == passScore && par {
		if P := c.pipeStages(T, ws.tc); P > 1 {
			return c.scorePipe(ctx, ws, x, stride, T, labels, P)
		}
	}
	for c0 := 0; c0 < T; c0 += ws.tc {
		if err := ctx.Err(); err != nil {
			return err
		}
		ws.c0, ws.n = c0, min(ws.tc, T-c0)
		c.inputRows(ws)
		if err := c.chunkLayers(ctx, ws, 0, c.L, mode, par); err != nil {
			return err
		}
		if mode == passPrime {
			continue
		}
		if err := c.chunkHead(ctx, ws, mode, par); err != nil {
			return err
		}
		if mode == passScore {
			c.addLogProbs(ws)
			continue
		}
		c.report(ws, onStep)
	}
	return nil
}

// chunkLayers computes layers [l0, l1) of the chunk, each layer's queue
// moved in before and out after (passPrime skips the last layer's
// products, whose output only the head reads).
func (c *waveCore) chunkLayers(ctx context.Context, ws *waveWork, l0, l1 int, mode passMode, par bool) error {
	for l := l0; l < l1; l++ {
		c.moveQueue(ws, l, false)
		if mode != passPrime || l < c.L-1 {
			ws.layer = waveLayerTask{c: c, ws: ws, l: l, skip: mode != passPrime}
			if err := c.spread(ctx, ws.n, waveRowGrain, &ws.layer, par); err != nil {
				return err
			}
		}
		c.moveQueue(ws, l, true)
	}
	return nil
}

// chunkHead runs the head over the chunk's skip sums: the log
// probabilities of its head units (passScore) or its outputs (passReport).
func (c *waveCore) chunkHead(ctx context.Context, ws *waveWork, mode passMode, par bool) error {
	ws.nr = min(ws.n, ws.blk)
	ws.nblk = (ws.n + ws.nr - 1) / ws.nr
	ws.es = max(1, ws.blk/ws.n)
	ws.head = waveHeadTask{c: c, ws: ws, mode: mode}
	return c.spread(ctx, (ws.g+ws.es-1)/ws.es*ws.nblk, 1, &ws.head, par)
}

// addLogProbs adds the log probabilities of the chunk's head units to
// each stream's ws.lp.
func (c *waveCore) addLogProbs(ws *waveWork) {
	for e := 0; e < ws.g; e++ {
		for _, v := range ws.lpu[e*ws.nblk : (e+1)*ws.nblk] {
			ws.lp[e] += v
		}
	}
}

// spread runs task over [0, n): over the cores with par, else here.
func (c *waveCore) spread(ctx context.Context, n, grain int, task batchTask, par bool) error {
	if par {
		return parallelFor(ctx, n, grain, task)
	}
	return task.run(0, n)
}

// inputRows writes h_0 of the chunk's steps into h[0]: in_b + in0[x_{t-2}]
// + in1[x_{t-1}] (the terms before step 0 are zero).
func (c *waveCore) inputRows(ws *waveWork) {
	R := c.R
	h := ws.h[0]
	for e := 0; e < ws.g; e++ {
		xe := ws.x[e*ws.stride:]
		for r := 0; r < ws.n; r++ {
			o := e*ws.hs + (c.dmax+r)*R
			c.input(h[o:o+R], xe, ws.c0+r)
		}
	}
	hookWave('c', 0, ws.c0, ws.c0+ws.n, ws.g)
}

// input writes h_0(t) of the stream whose values are xe to dst (R values).
func (c *waveCore) input(dst, xe []float32, t int) {
	R := c.R
	copy(dst, c.inB)
	if t >= 2 {
		v := int(xe[t-2])
		kernels.Add(dst, dst, c.in0[v*R:(v+1)*R])
	}
	if t >= 1 {
		v := int(xe[t-1])
		kernels.Add(dst, dst, c.in1[v*R:(v+1)*R])
	}
}

// queue returns layer l's queues of the ws.g streams (d_l rows x R each).
func (c *waveCore) queue(ws *waveWork, l int) []float32 {
	o, n := ws.g*c.cum[l]*c.R, ws.g*c.dil[l]*c.R
	return ws.hist[o : o+n]
}

// moveQueue copies layer l's queues into the rows before the chunk of its
// input (save false), or the last d_l rows of the queue and the chunk back
// into the queue (save true).
func (c *waveCore) moveQueue(ws *waveWork, l int, save bool) {
	R, d := c.R, c.dil[l]
	q := c.queue(ws, l)
	src := ws.h[l%2]
	for e := 0; e < ws.g; e++ {
		qe := q[e*d*R : (e+1)*d*R]
		if save {
			o := e*ws.hs + (c.dmax-d+ws.n)*R
			copy(qe, src[o:o+d*R])
		} else {
			o := e*ws.hs + (c.dmax-d)*R
			copy(src[o:o+d*R], qe)
		}
	}
}

// waveLayerTask computes steps [lo, hi) of the chunk of one layer.
type waveLayerTask struct {
	c    *waveCore
	ws   *waveWork
	l    int
	skip bool // also the skip product
}

func (t *waveLayerTask) run(lo, hi int) error {
	t.c.layerRows(t.ws, t.l, lo, hi, t.skip)
	return nil
}

// layerRows computes layer l at steps [lo, hi) of the chunk: the dilated
// convolution of its input (h[l%2]), the gate, the skip product added to
// sk (with skip) and h_l = h_{l-1} + res·g + res_b in h[(l+1)%2].
func (c *waveCore) layerRows(ws *waveWork, l, lo, hi int, skip bool) {
	R, G, S, dm := c.R, c.G, c.S, c.dmax
	ly := &c.layers[l]
	g, d := ws.g, ly.d
	src := ws.h[l%2]
	in := kernels.Image{Data: src[(dm-d)*R:], N: g, H: d + ws.n, W: 1, LD: R, ImgStride: ws.hs}
	out := kernels.Image{Data: ws.a[(dm-d)*2*G:], N: g, H: d + ws.n, W: 1, LD: 2 * G, ImgStride: ws.as}
	c.dilated(ws, l, in, d+lo, d+hi, out)
	for e := 0; e < g; e++ {
		kernels.GateRows(hi-lo, G, ws.a[e*ws.as+(dm+lo)*2*G:], 2*G, ws.gt[(e*ws.tc+lo)*G:], G)
	}
	gate := kernels.Image{Data: ws.gt[lo*G:], N: g, H: 1, W: hi - lo, LD: G, ImgStride: ws.tc * G}
	if skip {
		sk := kernels.Image{Data: ws.sk[lo*S:], N: g, H: 1, W: hi - lo, LD: S, ImgStride: ws.tc * S}
		if l == 0 {
			kernels.Conv2D(ly.skip, gate, 0, 1, sk, c.skipB, false)
		} else {
			kernels.Conv2D(ly.skip, gate, 0, 1, sk, nil, true)
		}
	}
	if ly.res != nil {
		dst := ws.h[(l+1)%2]
		for e := 0; e < g; e++ {
			o := e*ws.hs + (dm+lo)*R
			copy(dst[o:o+(hi-lo)*R], src[o:o+(hi-lo)*R])
		}
		h := kernels.Image{Data: dst[(dm+lo)*R:], N: g, H: 1, W: hi - lo, LD: R, ImgStride: ws.hs}
		kernels.Conv2D(ly.res, gate, 0, 1, h, ly.resB, true)
	}
	hookWave('c', l+1, ws.c0+lo, ws.c0+hi, g)
}

// dilated computes rows [r0, r1) of layer l's dilated convolution, with
// the bias of each stream's label: one Conv2D per run of streams with the
// same label.
func (c *waveCore) dilated(ws *waveWork, l int, in kernels.Image, r0, r1 int, out kernels.Image) {
	ly := &c.layers[l]
	if ws.labels == nil {
		kernels.Conv2D(ly.conv, in, r0, r1, out, ly.b, false)
		return
	}
	G2 := 2 * c.G
	for lo := 0; lo < in.N; {
		hi := lo + 1
		for hi < in.N && ws.labels[hi] == ws.labels[lo] {
			hi++
		}
		o := (lo*c.L + l) * G2
		kernels.Conv2D(ly.conv, sub(in, lo, hi), r0, r1, sub(out, lo, hi), ws.lbias[o:o+G2], false)
		lo = hi
	}
}

// waveHeadTask runs the head over units [lo, hi) of a chunk: unit u is
// steps [b·nr, (b+1)·nr) (b = u%nblk) of streams [s·es, (s+1)·es) (s =
// u/nblk), so that a unit is up to ws.blk steps of one stream or of
// several.
type waveHeadTask struct {
	c    *waveCore
	ws   *waveWork
	mode passMode
}

func (t *waveHeadTask) run(lo, hi int) error {
	c, ws := t.c, t.ws
	hb := c.heads.Get().(*waveHeadBuf)
	defer c.heads.Put(hb)
	S, C, tc := c.S, c.C, ws.tc
	for u := lo; u < hi; u++ {
		b := u % ws.nblk
		e0 := u / ws.nblk * ws.es
		e1 := min(ws.g, e0+ws.es)
		r0 := b * ws.nr
		r1 := min(ws.n, r0+ws.nr)
		ne, nr := e1-e0, r1-r0
		sk := kernels.Image{Data: ws.sk[(e0*tc+r0)*S:], N: ne, H: 1, W: nr, LD: S, ImgStride: tc * S}
		var z kernels.Image
		if t.mode == passReport {
			z = kernels.Image{Data: ws.z[(e0*tc+r0)*C:], N: ne, H: 1, W: nr, LD: C, ImgStride: tc * C}
		} else {
			hb.z = growF(hb.z, ne*nr*C)
			z = img(hb.z, ne, 1, nr, C)
		}
		c.headRows(hb, sk, z)
		hookWave('z', 0, ws.c0+r0, ws.c0+r1, ne)
		if t.mode != passScore {
			continue
		}
		for e := e0; e < e1; e++ {
			t0 := e*ws.stride + ws.c0
			o := (e - e0) * z.ImgStride
			ws.lpu[e*ws.nblk+b] = segLogProb(z.Data[o:o+nr*C], ws.x[t0+r0:t0+r1], C)
		}
	}
	return nil
}

// headRows writes the outputs z of the steps whose skip sums are sk (the
// same geometry, S and C channels; sk is made relu(sk) in place).
func (c *waveCore) headRows(hb *waveHeadBuf, sk, z kernels.Image) {
	n := sk.N * sk.W
	for e := 0; e < sk.N; e++ {
		s := sk.Data[e*sk.ImgStride : e*sk.ImgStride+sk.W*c.S]
		kernels.Relu(s, s)
	}
	hb.h = growF(hb.h, n*c.O)
	h := img(hb.h, sk.N, 1, sk.W, c.O)
	kernels.Conv2D(c.head1, sk, 0, 1, h, c.b1, false)
	kernels.Relu(hb.h[:n*c.O], hb.h[:n*c.O])
	kernels.Conv2D(c.head2, h, 0, 1, z, c.b2, false)
}

// report calls onStep for every step of the chunk (known steps of a
// completion), with the outputs of all streams.
func (c *waveCore) report(ws *waveWork, onStep func(Step)) {
	C := c.C
	for r := 0; r < ws.n; r++ {
		t := ws.c0 + r
		for e := 0; e < ws.g; e++ {
			copy(ws.logits[e*C:(e+1)*C], ws.z[(e*ws.tc+r)*C:(e*ws.tc+r+1)*C])
			ws.vals[e] = ws.x[e*ws.stride+t]
		}
		onStep(Step{Index: t, Dim: t, Known: true, Logits: ws.logits[:ws.g*C], Values: ws.vals[:ws.g]})
	}
}
