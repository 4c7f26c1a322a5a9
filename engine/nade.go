package engine

import (
	"context"
	"sync"

	"github.com/arinfer/arinfer/kernels"
)

// nade is the neural autoregressive distribution estimator (Larochelle &
// Murray 2011). At load its weights are permuted into ordering space so
// that step t uses row t of w (the input weights of the dimension drawn at
// step t) and row t of v (its output weights): the hidden pre-activation
// a_t = c + sum_{s<t} x_s w_s is kept as a running sum, O(DH) per example.
// The hidden layer h = sigmoid(a) changes only after a step whose value is
// 1 (about 10% of MNIST's pixels), so it is kept too and recomputed only
// then: a step that follows a 0 costs one dot product.
type nade struct {
	info  Info
	h     int
	order []int32
	ld    int       // row stride of w and v: H rounded up to 16 floats
	w     []float32 // D x H: w[t*ld+j] = W[j, order[t]]
	c     []float32 // H
	v     []float32 // D x H: v[t*ld+j] = V[order[t], j]
	b     []float32 // b[t] = b[order[t]]
	pool  sync.Pool // *nadeWork
}

type nadeWork struct {
	xo, logits []float32 // one example, ordering space
	a, h       []float32 // hidden pre-activation and sigmoid(a), B x H when sampling
	stale      []bool    // per example: a changed since h was computed
	rng        rngs
	vals, lg   []float32
	run        nadeScore
	samp       nadeSampleTask
}

func newNADE(info Info, H int, w Weights) (*nade, error) {
	D := info.Dims
	if H < 1 {
		return nil, errorf("nade: hidden size %d must be at least 1", H)
	}
	order, err := itensor(w, "order", D)
	if err != nil {
		return nil, err
	}
	if err := checkOrder("order", order); err != nil {
		return nil, err
	}
	W, err := tensor(w, "W", H, D)
	if err != nil {
		return nil, err
	}
	c, err := tensor(w, "c", H)
	if err != nil {
		return nil, err
	}
	V, err := tensor(w, "V", D, H)
	if err != nil {
		return nil, err
	}
	b, err := tensor(w, "b", D)
	if err != nil {
		return nil, err
	}
	ld := (H + 15) &^ 15 // 64-byte aligned rows (see newLayer)
	m := &nade{info: info, h: H, ld: ld, order: order, w: alignedFloats(D * ld), c: append([]float32(nil), c...),
		v: alignedFloats(D * ld), b: make([]float32, D)}
	m.info.Params = 2*D*H + H + D
	m.info.FLOPs = 4 * D * H // per step: the output dot and the running-sum axpy
	for t, d := range order {
		m.b[t] = b[d]
		copy(m.v[t*ld:t*ld+H], V[int(d)*H:])
		for j := 0; j < H; j++ {
			m.w[t*ld+j] = W[j*D+int(d)]
		}
	}
	m.pool.New = func() any { return new(nadeWork) }
	return m, nil
}

func (m *nade) Info() Info { return m.info }

// row returns the H weights of step t in w or v.
func (m *nade) row(w []float32, t int) []float32 { return w[t*m.ld : t*m.ld+m.h] }

type nadeScore struct {
	m   *nade
	ctx context.Context
	x   []float32
	out []float64
}

func (s *nadeScore) run(lo, hi int) error {
	m := s.m
	D, H := m.info.Dims, m.h
	if !allBinary(s.x[lo*D : hi*D]) {
		return errNotBinary
	}
	ws := m.pool.Get().(*nadeWork)
	defer m.pool.Put(ws)
	ws.xo = growF(ws.xo, D)
	ws.logits = growF(ws.logits, D)
	ws.a = growF(ws.a, H)
	ws.h = growF(ws.h, H)
	for i := lo; i < hi; i++ {
		if i%16 == 0 {
			if err := s.ctx.Err(); err != nil {
				return err
			}
		}
		gather(ws.xo, s.x[i*D:], m.order)
		copy(ws.a, m.c)
		stale := true
		for t := 0; t < D; t++ {
			ws.logits[t] = m.logit(t, ws.a, ws.h, &stale)
			if ws.xo[t] != 0 {
				kernels.Axpy(1, m.row(m.w, t), ws.a)
				stale = true
			}
		}
		s.out[i] = float64(kernels.BernoulliLogProb(ws.logits, ws.xo))
	}
	return nil
}

// logit returns the logit of step t, b_t + v_t · sigmoid(a), recomputing
// h = sigmoid(a) first if a changed since (*stale).
func (m *nade) logit(t int, a, h []float32, stale *bool) float32 {
	if *stale {
		kernels.Sigmoid(h, a)
		*stale = false
	}
	return m.b[t] + kernels.Dot(m.row(m.v, t), h)
}

func (m *nade) LogProb(ctx context.Context, x []float32, out []float64) error {
	if err := checkBatch(&m.info, x, out); err != nil {
		return err
	}
	ws := m.pool.Get().(*nadeWork)
	ws.run = nadeScore{m: m, ctx: ctx, x: x, out: out}
	err := scoreBinary(ctx, x, m.info.Dims, len(out), 4, &ws.run)
	ws.run = nadeScore{}
	m.pool.Put(ws)
	return err
}

// Sample runs NADE's own recurrence: each step takes the hidden layer of
// the running pre-activation (recomputed only after a 1), draws the
// dimension, and adds one row of input weights when it is 1. A whole sample
// costs at most one forward pass.
func (m *nade) Sample(ctx context.Context, x []float32, opt SampleOptions) error {
	D, H := m.info.Dims, m.h
	B, invT, known, err := sampleArgs(x, D, m.order, &opt)
	if err != nil {
		return err
	}
	ws := m.pool.Get().(*nadeWork)
	defer m.pool.Put(ws)
	ws.rng.reset(opt.Seed, B)
	if opt.OnStep == nil {
		// Independent examples: one whole example at a time, spread over
		// the cores (each has its own random stream, so the split does not
		// change the samples).
		ws.samp = nadeSampleTask{m: m, ctx: ctx, rng: &ws.rng, x: x, known: known, invT: invT}
		err := parallelFor(ctx, B, 1, &ws.samp)
		ws.samp = nadeSampleTask{}
		return err
	}
	ws.a = growF(ws.a, B*H)
	ws.h = growF(ws.h, B*H)
	ws.stale = growBool(ws.stale, B)
	ws.vals = growF(ws.vals, B)
	ws.lg = growF(ws.lg, B)
	for e := 0; e < B; e++ {
		copy(ws.a[e*H:(e+1)*H], m.c)
		ws.stale[e] = true
	}
	for t := 0; t < D; t++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := int(m.order[t])
		for e := 0; e < B; e++ {
			a := ws.a[e*H : (e+1)*H]
			lg := m.logit(t, a, ws.h[e*H:(e+1)*H], &ws.stale[e])
			v := x[e*D+d]
			if t >= known {
				v = ws.rng.bernoulli(e, lg, invT)
				x[e*D+d] = v
			}
			if v != 0 {
				kernels.Axpy(1, m.row(m.w, t), a)
				ws.stale[e] = true
			}
			ws.lg[e], ws.vals[e] = lg, v
		}
		if opt.OnStep != nil {
			opt.OnStep(Step{Index: t, Dim: d, Known: t < known, Logits: ws.lg[:B], Values: ws.vals[:B]})
		}
	}
	return nil
}

// nadeSampleTask samples examples [lo, hi) of one Sample call without a
// step callback, one whole example at a time, on a worker's own hidden
// layer.
type nadeSampleTask struct {
	m     *nade
	ctx   context.Context
	rng   *rngs
	x     []float32
	known int
	invT  float64
}

func (s *nadeSampleTask) run(lo, hi int) error {
	m := s.m
	D, H := m.info.Dims, m.h
	ws := m.pool.Get().(*nadeWork)
	defer m.pool.Put(ws)
	ws.a = growF(ws.a, H)
	ws.h = growF(ws.h, H)
	for e := lo; e < hi; e++ {
		copy(ws.a, m.c)
		stale := true
		xe := s.x[e*D : (e+1)*D]
		for t := 0; t < D; t++ {
			if t%64 == 0 {
				if err := s.ctx.Err(); err != nil {
					return err
				}
			}
			lg := m.logit(t, ws.a, ws.h, &stale)
			d := m.order[t]
			v := xe[d]
			if t >= s.known {
				v = s.rng.bernoulli(e, lg, s.invT)
				xe[d] = v
			}
			if v != 0 {
				kernels.Axpy(1, m.row(m.w, t), ws.a)
				stale = true
			}
		}
	}
	return nil
}

func growBool(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	return s[:n]
}
