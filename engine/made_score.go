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
	ws := m.pool.Get().(*madeWork)
	ws.run = madeScore{m: m, ctx: ctx, x: x, out: out}
	err := scoreBinary(ctx, x, m.info.Dims, len(out), scoreGrain, &ws.run)
	ws.run = madeScore{}
	m.pool.Put(ws)
	return err
}
