package engine

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/arinfer/arinfer/kernels"
)

// made is the masked autoencoder for distribution estimation (Germain et
// al. 2015) with an ensemble of K orderings/masks sharing one set of
// weights. At load, each component's weights are permuted so that inputs
// are in its ordering and every layer's units are sorted by degree; then
// every mask is a staircase (row r of a layer reduces over a prefix
// [0, hi[r]) of the previous layer) and runs on the masked-matmul kernels,
// which skip masked-out blocks.
type made struct {
	info   Info
	sizes  []int // hidden sizes
	comps  []madeComp
	logK   float64
	sameOr bool // every component has the same ordering
	pool   sync.Pool
}

type madeLayer struct {
	out, in int
	ld      int       // row stride of w: in rounded up to 16 floats (64 bytes)
	w       []float32 // out x in (stride ld), permuted
	b       []float32
	hi      []int   // row r reduces over columns [0, hi[r])
	deg     []int32 // hidden layers: the sorted degrees of the rows
}

type madeComp struct {
	order  []int32
	hidden []madeLayer
	out    madeLayer  // D x H_L, rows in ordering space
	direct *madeLayer // D x D, row t reduces over [0, t)

	pushOnce sync.Once
	push     *madePush // the sampler's transposed weights, built on first use
}

// madePush holds a component's weights transposed for the push sampler:
// row i of a table holds the weights from unit (or input step) i of the
// previous layer to the units [start[i], n) of the next one, which include
// every unit that sees i and is not yet final when i is. Rows are ragged
// (a table stores about the masked-in weights only) and start on 64-byte
// boundaries, as does start[i] in the accumulators: start[i] is rounded
// down to a multiple of 16 and the row is padded with zeros in front.
// Aligned pushes matter: when a push loads a vector that straddles two
// vectors stored by the previous push, the store cannot be forwarded and
// the load waits for it to reach the cache, which made the unaligned
// sampler about twice as slow.
type madePush struct {
	in     []pushRows // per hidden layer l: from layer l-1 (the input for l = 0)
	out    pushRows   // from the last hidden layer to the outputs
	direct pushRows   // from input step s to the outputs s+1..D-1
}

type pushRows struct {
	off   []int // row i is w[off[i]:off[i]+n-start[i]]
	start []int // row i's first target unit, a multiple of 16
	n     int   // number of target units
	w     []float32
}

// row returns row i's weights and the index of their first target.
func (p *pushRows) row(i int) ([]float32, int) {
	o := p.off[i]
	return p.w[o : o+p.n-p.start[i]], p.start[i]
}

// transposeSuffix builds the push table of layer ly, whose row r reduces
// over the prefix [0, hi[r]) of its input with hi non-decreasing in r: input
// i then feeds the rows r >= the first row with hi[r] > i.
func transposeSuffix(ly *madeLayer) pushRows {
	p := pushRows{off: make([]int, ly.in+1), start: make([]int, ly.in), n: ly.out}
	r := 0
	for i := 0; i < ly.in; i++ {
		for r < ly.out && ly.hi[r] <= i {
			r++
		}
		p.start[i] = r &^ 15
		p.off[i+1] = p.off[i] + (ly.out-p.start[i]+15)&^15
	}
	p.w = alignedFloats(p.off[ly.in])
	for i := 0; i < ly.in; i++ {
		w, s := p.row(i)
		for k := range w {
			if r := s + k; ly.hi[r] > i {
				w[k] = ly.w[r*ly.ld+i]
			}
		}
	}
	return p
}

// pushTables returns component c's push tables, building them on first use
// (a model that only scores never pays for them).
func (c *madeComp) pushTables() *madePush {
	c.pushOnce.Do(func() {
		p := &madePush{in: make([]pushRows, len(c.hidden))}
		for l := range c.hidden {
			p.in[l] = transposeSuffix(&c.hidden[l])
		}
		p.out = transposeSuffix(&c.out)
		if c.direct != nil {
			p.direct = transposeSuffix(c.direct)
		}
		c.push = p
	})
	return c.push
}

type madeWork struct {
	xo, logits, tmp []float32
	acts            [][]float32 // per hidden layer: scoring chunk x H_l, or B x H_l
	ll              []float64   // K x chunk component log-likelihoods
	next            []int       // sampling: per example and layer, units computed
	comp            []int       // sampling: component of each example
	rng             rngs
	vals, lg, col   []float32
	dims            []int32
	tabs            []*madePush // sampling: push tables of each example's component
	pacc            [][]float32 // push sampling: per hidden layer, B aligned rows of pre-activations
	pout            []float32   // push sampling: B aligned rows of output pre-activations
	run             madeScore
}

func newMADE(info Info, cfg Config, w Weights) (*made, error) {
	D := info.Dims
	L := len(cfg.Hidden)
	if L < 1 {
		return nil, errorf("made: needs at least one hidden layer")
	}
	for l, h := range cfg.Hidden {
		if h < 1 {
			return nil, errorf("made: hidden layer %d has size %d", l+1, h)
		}
	}
	K := cfg.Masks
	if K == 0 {
		K = 1
	}
	if K < 1 {
		return nil, errorf("made: %d masks", cfg.Masks)
	}
	orders, err := itensor(w, "order", K, D)
	if err != nil {
		return nil, err
	}
	m := &made{info: info, sizes: slices.Clone(cfg.Hidden), comps: make([]madeComp, K), logK: math.Log(float64(K)), sameOr: true}
	// Shared weights.
	Ws := make([][]float32, L)
	bs := make([][]float32, L)
	degs := make([][]int32, L)
	in := D
	for l, h := range cfg.Hidden {
		n := strconv.Itoa(l + 1)
		if Ws[l], err = tensor(w, "W"+n, h, in); err != nil {
			return nil, err
		}
		if bs[l], err = tensor(w, "b"+n, h); err != nil {
			return nil, err
		}
		if degs[l], err = itensor(w, "degrees"+n, K, h); err != nil {
			return nil, err
		}
		m.info.Params += h*in + h
		in = h
	}
	HL := cfg.Hidden[L-1]
	Wout, err := tensor(w, "Wout", D, HL)
	if err != nil {
		return nil, err
	}
	bout, err := tensor(w, "bout", D)
	if err != nil {
		return nil, err
	}
	m.info.Params += D*HL + D
	var A []float32
	if cfg.Direct {
		if A, err = tensor(w, "A", D, D); err != nil {
			return nil, err
		}
		m.info.Params += D * D
	}
	for k := range m.comps {
		order := orders[k*D : (k+1)*D]
		if err := checkOrder(fmt.Sprintf("order[%d]", k), order); err != nil {
			return nil, err
		}
		if k > 0 && !slices.Equal(order, orders[:D]) {
			m.sameOr = false
		}
		c := &m.comps[k]
		c.order = order
		c.hidden = make([]madeLayer, L)
		var prevPerm []int // nil: previous layer is the input, in ordering space
		var prevDeg []int32
		for l, h := range cfg.Hidden {
			deg := degs[l][k*h : (k+1)*h]
			for j, d := range deg {
				if d < 0 || int(d) > D {
					return nil, errorf("made: degrees%d[%d][%d] = %d is outside [0, %d]", l+1, k, j, d, D)
				}
			}
			perm := argsortStable(deg)
			in := D
			if l > 0 {
				in = cfg.Hidden[l-1]
			}
			ly := newLayer(h, in)
			ly.deg = make([]int32, h)
			for r, u := range perm {
				ly.deg[r] = deg[u]
				ly.b[r] = bs[l][u]
				row := Ws[l][u*in : (u+1)*in]
				for col := 0; col < in; col++ {
					if prevPerm == nil {
						ly.w[r*ly.ld+col] = row[order[col]]
					} else {
						ly.w[r*ly.ld+col] = row[prevPerm[col]]
					}
				}
				if prevPerm == nil {
					ly.hi[r] = min(int(deg[u]), D) // inputs of degree <= m are steps 0..m-1
				} else {
					ly.hi[r] = upperBound(prevDeg, deg[u])
				}
			}
			c.hidden[l] = ly
			prevPerm, prevDeg = perm, ly.deg
		}
		c.out = newLayer(D, HL)
		for t, d := range order {
			c.out.b[t] = bout[d]
			for col := 0; col < HL; col++ {
				c.out.w[t*c.out.ld+col] = Wout[int(d)*HL+prevPerm[col]]
			}
			c.out.hi[t] = upperBound(prevDeg, int32(t)) // output t sees degrees <= t
		}
		if A != nil {
			dl := newLayer(D, D)
			dl.b = nil
			for t, d := range order {
				dl.hi[t] = t
				for s := 0; s < t; s++ {
					dl.w[t*dl.ld+s] = A[int(d)*D+int(order[s])]
				}
			}
			c.direct = &dl
		}
	}
	c := &m.comps[0]
	for l := range c.hidden {
		m.info.FLOPs += 2 * sum(c.hidden[l].hi)
	}
	m.info.FLOPs += 2 * sum(c.out.hi)
	if c.direct != nil {
		m.info.FLOPs += 2 * sum(c.direct.hi)
	}
	m.pool.New = func() any { return new(madeWork) }
	return m, nil
}

// newLayer allocates a layer whose weight rows start on 64-byte
// boundaries: row loads that straddle cache lines cost the GEMV kernels up
// to a third of their speed (500-float rows).
func newLayer(out, in int) madeLayer {
	ld := (in + 15) &^ 15
	return madeLayer{out: out, in: in, ld: ld, w: alignedFloats(out * ld), b: make([]float32, out), hi: make([]int, out)}
}

// argsortStable returns the indices of deg sorted by degree, ties in index order.
func argsortStable(deg []int32) []int {
	p := make([]int, len(deg))
	for i := range p {
		p[i] = i
	}
	sort.SliceStable(p, func(a, b int) bool { return deg[p[a]] < deg[p[b]] })
	return p
}

// upperBound returns the number of entries of the sorted s that are <= v.
func upperBound(s []int32, v int32) int {
	return sort.Search(len(s), func(i int) bool { return s[i] > v })
}

func (m *made) Info() Info { return m.info }

func (ws *madeWork) grow(m *made, rows int) {
	D := m.info.Dims
	ws.xo = growF(ws.xo, rows*D)
	ws.logits = growF(ws.logits, rows*D)
	ws.tmp = growF(ws.tmp, rows*D)
	if len(ws.acts) != len(m.sizes) {
		ws.acts = make([][]float32, len(m.sizes))
	}
	for l, h := range m.sizes {
		ws.acts[l] = growF(ws.acts[l], rows*h)
	}
}

// forward runs component c on the n examples in ws.xo (ordering space) and
// leaves their logits in ws.logits.
func (m *made) forward(c *madeComp, ws *madeWork, n int) {
	D := m.info.Dims
	prev, ld := ws.xo, D
	for l := range c.hidden {
		ly := &c.hidden[l]
		h := ws.acts[l][:n*ly.out]
		kernels.MaskedGemm(n, ly.out, ly.in, prev, ld, ly.w, ly.ld, nil, ly.hi, ly.b, h, ly.out)
		kernels.Relu(h, h)
		prev, ld = h, ly.out
	}
	kernels.MaskedGemm(n, D, c.out.in, prev, ld, c.out.w, c.out.ld, nil, c.out.hi, c.out.b, ws.logits, D)
	if c.direct != nil {
		kernels.MaskedGemm(n, D, D, ws.xo, D, c.direct.w, c.direct.ld, nil, c.direct.hi, nil, ws.tmp, D)
		kernels.Add(ws.logits[:n*D], ws.logits, ws.tmp)
	}
}

type madeScore struct {
	m   *made
	ctx context.Context
	x   []float32
	out []float64
}

func (s *madeScore) run(lo, hi int) error {
	m := s.m
	D, K := m.info.Dims, len(m.comps)
	ws := m.pool.Get().(*madeWork)
	defer m.pool.Put(ws)
	ws.grow(m, scoreChunk)
	ws.ll = growF64(ws.ll, K*scoreChunk)
	for i := lo; i < hi; i += scoreChunk {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		n := min(scoreChunk, hi-i)
		for k := range m.comps {
			c := &m.comps[k]
			for e := 0; e < n; e++ {
				gather(ws.xo[e*D:], s.x[(i+e)*D:], c.order)
			}
			m.forward(c, ws, n)
			for e := 0; e < n; e++ {
				ws.ll[k*scoreChunk+e] = float64(kernels.BernoulliLogProb(ws.logits[e*D:(e+1)*D], ws.xo[e*D:]))
			}
		}
		for e := 0; e < n; e++ {
			if K == 1 {
				s.out[i+e] = ws.ll[e]
				continue
			}
			mx := math.Inf(-1)
			for k := 0; k < K; k++ {
				mx = max(mx, ws.ll[k*scoreChunk+e])
			}
			var sum float64
			for k := 0; k < K; k++ {
				sum += math.Exp(ws.ll[k*scoreChunk+e] - mx)
			}
			s.out[i+e] = mx + math.Log(sum) - m.logK
		}
	}
	return nil
}

func (m *made) LogProb(ctx context.Context, x []float32, out []float64) error {
	if err := checkBatch(&m.info, x, out); err != nil {
		return err
	}
	if err := checkBinary(x, m.info.Dims); err != nil {
		return err
	}
	ws := m.pool.Get().(*madeWork)
	ws.run = madeScore{m: m, ctx: ctx, x: x, out: out}
	err := parallelFor(ctx, len(out), scoreGrain, &ws.run)
	ws.run = madeScore{}
	m.pool.Put(ws)
	return err
}

// Sample picks a component per example (uniformly, or by its posterior
// given the known dimensions when completing) and computes every hidden
// unit exactly once, at the first step at which all the inputs its degree
// allows are known: at step t, the units of degree t in each layer, then
// output t.
//
// Each example runs on running pre-activations ("push"): when step t's
// value is 1 it adds its column of weights to the pre-activations of the
// first layer's units and of the outputs that see it, and when a hidden
// unit is final and positive it adds its column times its value to the
// next layer. Zeros cost nothing, so a sample of a sparse image (MNIST is
// ~13% ones) costs a fraction of one masked forward pass. When the batch is
// large and every example uses one component, the batched path
// (stepShared) reads each weight once per batch instead.
func (m *made) Sample(ctx context.Context, x []float32, opt SampleOptions) error {
	D, L, K := m.info.Dims, len(m.sizes), len(m.comps)
	B, err := checkSampleBuf(x, D)
	if err != nil {
		return err
	}
	invT, err := invTemperature(opt.Temperature)
	if err != nil {
		return err
	}
	known := 0
	for k := range m.comps {
		n, err := knownPrefix(opt.Known, m.comps[k].order)
		if err != nil {
			if K > 1 {
				return fmt.Errorf("component %d: %w", k, err)
			}
			return err
		}
		known = n
		if err := checkKnownBinary(x, D, m.comps[k].order[:known]); err != nil {
			return err
		}
	}
	ws := m.pool.Get().(*madeWork)
	defer m.pool.Put(ws)
	ws.grow(m, B)
	ws.rng.reset(opt.Seed, B)
	ws.vals = growF(ws.vals, B)
	ws.lg = growF(ws.lg, B)
	ws.dims = growI32(ws.dims, B)
	ws.comp = growInt(ws.comp, B)
	ws.next = growInt(ws.next, B*L)
	clear(ws.next)
	if err := m.pickComponents(ws, x, B, known); err != nil {
		return err
	}
	for e := 0; e < B; e++ {
		gather(ws.xo[e*D:(e+1)*D], x[e*D:], m.comps[ws.comp[e]].order)
	}
	shared := B >= sharedBatch // every example uses the same component: batch the products
	for e := 1; e < B && shared; e++ {
		shared = ws.comp[e] == ws.comp[0]
	}
	if shared {
		ws.col = growF(ws.col, B)
	} else {
		ws.tabs = ws.tabs[:0]
		ws.pushGrow(m, B)
		for e := 0; e < B; e++ {
			c := &m.comps[ws.comp[e]]
			ws.tabs = append(ws.tabs, c.pushTables())
			m.pushStart(c, ws, e)
		}
	}
	for t := 0; t < D; t++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if shared {
			m.stepShared(&m.comps[ws.comp[0]], ws, t, B)
		} else {
			for e := 0; e < B; e++ {
				ws.lg[e] = m.pushStep(&m.comps[ws.comp[e]], ws.tabs[e], ws, t, e)
			}
		}
		for e := 0; e < B; e++ {
			c := &m.comps[ws.comp[e]]
			d := c.order[t]
			v := ws.xo[e*D+t]
			if t >= known {
				v = ws.rng.bernoulli(e, ws.lg[e], invT)
				ws.xo[e*D+t] = v
				x[e*D+int(d)] = v
			}
			if !shared && v != 0 {
				m.pushInput(ws.tabs[e], ws, t, e, v)
			}
			ws.vals[e], ws.dims[e] = v, d
		}
		if opt.OnStep != nil {
			dim := int(ws.dims[0])
			if !m.sameOr {
				dim = -1
			}
			opt.OnStep(Step{Index: t, Dim: dim, Dims: ws.dims[:B], Known: t < known, Logits: ws.lg[:B], Values: ws.vals[:B]})
		}
	}
	return nil
}

// sharedBatch is the batch size from which a batch whose examples all use
// one component samples with batched products (stepShared) instead of one
// push sampler per example (see BenchmarkSample).
const sharedBatch = 64

// pushGrow sizes the push sampler's accumulators for B examples: per
// hidden layer and for the outputs, one 64-byte-aligned row per example
// (stride rounded up to 16 floats), so that every push is aligned.
func (ws *madeWork) pushGrow(m *made, B int) {
	if len(ws.pacc) != len(m.sizes) {
		ws.pacc = make([][]float32, len(m.sizes))
	}
	for l, h := range m.sizes {
		if n := B * pad16(h); cap(ws.pacc[l]) < n {
			ws.pacc[l] = alignedFloats(n)
		}
	}
	if n := B * pad16(m.info.Dims); cap(ws.pout) < n {
		ws.pout = alignedFloats(n)
	}
}

func pad16(n int) int { return (n + 15) &^ 15 }

// paccRow returns example e's pre-activations of hidden layer l.
func (ws *madeWork) paccRow(l, h, e int) []float32 {
	ld := pad16(h)
	return ws.pacc[l][e*ld : e*ld+h]
}

// poutRow returns example e's output pre-activations (logits).
func (ws *madeWork) poutRow(D, e int) []float32 {
	ld := pad16(D)
	return ws.pout[e*ld : e*ld+D]
}

// pushStart sets example e's running pre-activations to the biases.
func (m *made) pushStart(c *madeComp, ws *madeWork, e int) {
	for l := range c.hidden {
		ly := &c.hidden[l]
		copy(ws.paccRow(l, ly.out, e), ly.b)
	}
	copy(ws.poutRow(m.info.Dims, e), c.out.b)
}

// pushStep makes final every hidden unit of example e that step t makes
// computable (degree <= t), pushes each positive one into the next layer
// (or the outputs), and returns the logit of step t.
func (m *made) pushStep(c *madeComp, p *madePush, ws *madeWork, t, e int) float32 {
	L := len(m.sizes)
	out := ws.poutRow(m.info.Dims, e)
	for l := range c.hidden {
		ly := &c.hidden[l]
		j := ws.next[e*L+l]
		if j == ly.out || int(ly.deg[j]) > t {
			continue
		}
		acc := ws.paccRow(l, ly.out, e)
		tab, dst := &p.out, out
		if l+1 < L {
			tab, dst = &p.in[l+1], ws.paccRow(l+1, c.hidden[l+1].out, e)
		}
		for ; j < ly.out && int(ly.deg[j]) <= t; j++ {
			if v := acc[j]; v > 0 { // relu: zero units push nothing
				w, s := tab.row(j)
				kernels.Axpy(v, w, dst[s:])
			}
		}
		ws.next[e*L+l] = j
	}
	return out[t]
}

// pushInput adds step t's value v (non-zero) of example e to the running
// pre-activations of the first hidden layer and of the outputs.
func (m *made) pushInput(p *madePush, ws *madeWork, t, e int, v float32) {
	w, s := p.in[0].row(t)
	kernels.Axpy(v, w, ws.paccRow(0, m.sizes[0], e)[s:])
	if p.direct.w != nil {
		w, s = p.direct.row(t)
		kernels.Axpy(v, w, ws.poutRow(m.info.Dims, e)[s:])
	}
}

// stepShared computes step t for the whole batch at once when every
// example uses component c: each newly computable unit is one GEMV of the batch's
// previous layer (B x hi) with the unit's weights, and the logits of step
// t are one GEMV with output row t, so every weight is read once per batch
// instead of once per example. The logits go to ws.lg.
func (m *made) stepShared(c *madeComp, ws *madeWork, t, B int) {
	D := m.info.Dims
	prev, ld := ws.xo, D
	col := ws.col[:B]
	for l := range c.hidden {
		ly := &c.hidden[l]
		h := ws.acts[l]
		j := ws.next[l] // shared counters: example 0's slots
		for ; j < ly.out && int(ly.deg[j]) <= t; j++ {
			kernels.Gemv(B, ly.hi[j], prev, ld, ly.w[j*ly.ld:j*ly.ld+ly.hi[j]], nil, col)
			for e, v := range col {
				h[e*ly.out+j] = max(v+ly.b[j], 0)
			}
		}
		ws.next[l] = j
		prev, ld = h, ly.out
	}
	lg := ws.lg[:B]
	kernels.Gemv(B, c.out.hi[t], prev, ld, c.out.w[t*c.out.ld:t*c.out.ld+c.out.hi[t]], nil, lg)
	if c.direct != nil {
		kernels.GemvAcc(B, t, ws.xo, D, c.direct.w[t*c.direct.ld:t*c.direct.ld+t], lg)
	}
	for e := range lg {
		lg[e] += c.out.b[t]
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
		m.forward(c, ws, B)
		for e := 0; e < B; e++ {
			ws.ll[k*B+e] = float64(kernels.BernoulliLogProb(ws.logits[e*D:e*D+known], ws.xo[e*D:]))
		}
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

func sum(s []int) int {
	n := 0
	for _, v := range s {
		n += v
	}
	return n
}

func growF64(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func growInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

func growI32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}
