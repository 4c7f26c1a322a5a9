package engine

import (
	"context"
	"math"

	"github.com/arinfer/arinfer/kernels"
)

// forward runs component c on the n examples in ws.xo (ordering space) and
// leaves their logits in ws.logits.
func (m *made) forward(c *madeComp, ws *madeWork, n int) {
	D := m.info.Dims
	prev, ld := ws.xo, D
	for l := range c.hidden {
		ly := &c.hidden[l]
		h := ws.acts[l][:n*ly.out]
		ly.product(n, prev, ld, h, ly.out)
		kernels.Relu(h, h)
		prev, ld = h, ly.out
	}
	c.out.product(n, prev, ld, ws.logits, D)
	if c.direct != nil {
		c.direct.product(n, ws.xo, D, ws.tmp, D)
		kernels.Add(ws.logits[:n*D], ws.logits, ws.tmp)
	}
}

// packLayers prepares the component's layers for batched products
// (kernels.PackWeights: the panels are packed at the first batched product,
// then reused). Only a model with one mask does this: a mixture's
// components read the shared weights through their own maps, and a packed
// copy per component is what the shared weights avoid.
func (c *madeComp) packLayers() {
	for l := range c.hidden {
		c.hidden[l].pack()
	}
	c.out.pack()
	if c.direct != nil {
		c.direct.pack()
	}
}

func (ly *madeLayer) pack() {
	if ly.rows == nil && ly.cols == nil {
		ly.pk = kernels.PackWeights(ly.out, ly.in, ly.w, ly.ld, nil, ly.hi)
	}
}

// product computes the layer's masked pre-activations of the n rows of x
// into y: on the weights packed once (a single-mask model), on the shared
// weights as they are stored (component 0 of a mixture), or through the
// component's maps.
func (ly *madeLayer) product(n int, x []float32, ldx int, y []float32, ldy int) {
	if ly.pk != nil {
		ly.pk.Gemm(n, x, ldx, ly.b, y, ldy)
		return
	}
	if ly.rows == nil && ly.cols == nil {
		kernels.MaskedGemm(n, ly.out, ly.in, x, ldx, ly.w, ly.ld, nil, ly.hi, ly.b, y, ldy)
		return
	}
	kernels.MaskedGemmIndexed(n, ly.out, ly.in, x, ldx, ly.w, ly.ld, ly.rows, ly.cols, nil, ly.hi, ly.b, y, ldy)
}

// logProbs sets ll[e] to component c's log-likelihood of the first steps
// steps of each of the n examples in ws.xo (in its ordering), from its
// logits (forward). A single example of a component that reads the
// weights through maps and samples on the shared push tables (an ensemble
// with one ordering) runs on those tables instead (pushLogProb): through a
// column map one row is a gathering dot product per output, which made
// scoring one example of models/mnist-made32.arw three times slower than
// with a permuted copy per component, where the push steps, which skip the
// zero inputs and units, made it faster.
func (m *made) logProbs(c *madeComp, ws *madeWork, n, steps int, ll []float64) {
	D := m.info.Dims
	if n == 1 && c.base != nil && c != c.base {
		ll[0] = m.pushLogProb(c, ws, ws.xo[:D], steps)
		return
	}
	m.forward(c, ws, n)
	for e := 0; e < n; e++ {
		ll[e] = float64(kernels.BernoulliLogProb(ws.logits[e*D:e*D+steps], ws.xo[e*D:]))
	}
}

// pushLogProb returns component c's log-likelihood of xo[:steps] (one
// example in c's ordering): Sample's push steps with the values given, the
// logit of step t read before step t's value is pushed.
func (m *made) pushLogProb(c *madeComp, ws *madeWork, xo []float32, steps int) float64 {
	ws.growStates(m, 1)
	st := &ws.states[0]
	st.start(c)
	lg := ws.logits[:steps]
	for t := range lg {
		lg[t] = st.step(t)
		if v := xo[t]; v != 0 {
			st.input(t, v)
		}
	}
	return float64(kernels.BernoulliLogProb(lg, xo[:steps]))
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
	if !allBinary(s.x[lo*D : hi*D]) {
		return errNotBinary
	}
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
			if k == 0 || !m.sameOr {
				for e := 0; e < n; e++ {
					gather(ws.xo[e*D:], s.x[(i+e)*D:], c.order)
				}
			}
			m.logProbs(c, ws, n, D, ws.ll[k*scoreChunk:])
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
	ws := m.pool.Get().(*madeWork)
	ws.run = madeScore{m: m, ctx: ctx, x: x, out: out}
	err := scoreBinary(ctx, x, m.info.Dims, len(out), scoreGrain, &ws.run)
	ws.run = madeScore{}
	m.pool.Put(ws)
	return err
}
