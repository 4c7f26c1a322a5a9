package engine

import (
	"context"
	"math"

	"github.com/arinfer/arinfer/kernels"
)

// Scoring of the image models: one forward pass per chunk of images (per
// class for a class-conditional model's marginal), the head over blocks of
// pixels, the chunks spread over the cores.

// LogProb implements Model: log p(x), for a class-conditional model the
// marginal log sum_y p(y) p(x|y) (one forward pass per class).
func (m *convModel) LogProb(ctx context.Context, x []float32, out []float64) error {
	return m.score(ctx, x, nil, out)
}

func (m *convModel) score(ctx context.Context, x []float32, labels []int, out []float64) error {
	if err := checkBatch(&m.info, x, out); err != nil {
		return err
	}
	if m.info.Dist == Categorical {
		if err := checkCategorical(x, m.D, m.K); err != nil {
			return err
		}
	}
	t := m.tasks.Get().(*convTasks)
	defer m.tasks.Put(t)
	t.score = convScore{m: m, ctx: ctx, x: x, labels: labels, out: out}
	defer func() { t.score = convScore{} }()
	if m.info.Dist == Bernoulli {
		return scoreBinary(ctx, x, m.D, len(out), 1, &t.score)
	}
	return parallelFor(ctx, len(out), 1, &t.score)
}

// convScore scores examples [lo, hi) of one LogProb call.
type convScore struct {
	m      *convModel
	ctx    context.Context
	x      []float32
	labels []int // LogProbGiven: one per example; nil: unconditional or marginal
	out    []float64
}

func (s *convScore) run(lo, hi int) error {
	m := s.m
	ws := m.pool.Get().(*convWork)
	defer m.pool.Put(ws)
	for c := lo; c < hi; c += m.chunk {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		e := min(c+m.chunk, hi)
		if err := m.scoreChunk(ws, s, c, e); err != nil {
			return err
		}
	}
	return nil
}

// scoreChunk computes out[lo:hi] with one forward pass over those images
// (one per class for the marginal).
func (m *convModel) scoreChunk(ws *convWork, s *convScore, lo, hi int) error {
	g, D := hi-lo, m.D
	x := s.x[lo*D : hi*D]
	if m.info.Dist == Bernoulli && !allBinary(x) {
		return errNotBinary
	}
	m.fillU(ws, x, g, m.H)
	out := s.out[lo:hi]
	switch {
	case s.labels != nil:
		m.scorePass(ws, x, g, s.labels[lo:hi], out)
	case m.N == 0:
		m.scorePass(ws, x, g, nil, out)
	default:
		ws.lab = growInt(ws.lab, g)
		ws.mx = growF64(ws.mx, g)
		ws.sm = growF64(ws.sm, g)
		for e := range g {
			ws.mx[e], ws.sm[e] = math.Inf(-1), 0
		}
		for y := 0; y < m.N; y++ {
			if y > 0 {
				if err := s.ctx.Err(); err != nil {
					return err
				}
			}
			for e := range g {
				ws.lab[e] = y
			}
			m.scorePass(ws, x, g, ws.lab[:g], out)
			for e, v := range out {
				logSumExpAdd(&ws.mx[e], &ws.sm[e], m.logPrior[y]+v)
			}
		}
		for e := range out {
			out[e] = ws.mx[e] + math.Log(ws.sm[e])
		}
	}
	return nil
}

// logSumExpAdd adds v to the running logsumexp mx + log(sm).
func logSumExpAdd(mx, sm *float64, v float64) {
	switch {
	case math.IsInf(v, -1):
	case v > *mx:
		*sm = *sm*math.Exp(*mx-v) + 1
		*mx = v
	default:
		*sm += math.Exp(v - *mx)
	}
}

// scorePass writes log p(x|y) of the g images of x (u in ws.u) to out,
// with labels (or none).
func (m *convModel) scorePass(ws *convWork, x []float32, g int, labels []int, out []float64) {
	feat := m.net.forward(ws, g, m.H, labels, false, true)
	P := g * m.D
	feat = feat[:P*m.F]
	kernels.Relu(feat, feat)
	ws.lp = growF64(ws.lp, g)
	clear(ws.lp[:g])
	for q0 := 0; q0 < P; q0 += m.blk {
		q1 := min(q0+m.blk, P)
		z := m.headBlock(ws, feat[q0*m.F:q1*m.F], q1-q0)
		m.addLogProbs(ws.lp, z, x, q0, q1)
	}
	hookRows('z', 0, 0, m.H, m.W, g)
	copy(out, ws.lp[:g])
}

// headBlock runs the head over n pixels of relu'd features (n x F,
// contiguous) and returns their n x C outputs.
func (m *convModel) headBlock(ws *convWork, in []float32, n int) []float32 {
	ws.hblk = growF(ws.hblk, n*m.O)
	ws.zblk = growF(ws.zblk, n*m.C)
	kernels.Conv2D(m.head1, img(in, 1, 1, n, m.F), 0, 1, img(ws.hblk, 1, 1, n, m.O), m.b1, false)
	kernels.Relu(ws.hblk, ws.hblk)
	kernels.Conv2D(m.head2, img(ws.hblk, 1, 1, n, m.O), 0, 1, img(ws.zblk, 1, 1, n, m.C), m.b2, false)
	return ws.zblk
}

// addLogProbs adds the log-probabilities of the pixels [q0, q1) of the
// chunk (pixel q is pixel q%D of image q/D, value x[q]) under their
// outputs z ((q1-q0) x C) to lp.
func (m *convModel) addLogProbs(lp []float64, z, x []float32, q0, q1 int) {
	for q := q0; q < q1; {
		e := q / m.D
		end := min(q1, (e+1)*m.D)
		lp[e] += m.segLogProb(z[(q-q0)*m.C:(end-q0)*m.C], x[q:end])
		q = end
	}
}

// segLogProb returns the log-probability of the values xs of consecutive
// pixels of one image under their outputs z (len(xs) x C).
func (m *convModel) segLogProb(z, xs []float32) float64 { return segLogProb(z, xs, m.C) }

// segLogProb returns the log-probability of the values xs of consecutive
// steps under their outputs z (len(xs) x C; C = 1: Bernoulli logits).
func segLogProb(z, xs []float32, C int) float64 {
	if C == 1 {
		return float64(kernels.BernoulliLogProb(z[:len(xs)], xs))
	}
	var lp float64
	for i, v := range xs {
		a := z[i*C : (i+1)*C]
		lp += float64(a[int(v)]) - float64(kernels.LogSumExp(a))
	}
	return lp
}
