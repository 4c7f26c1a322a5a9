package engine

import (
	"context"
	"runtime"
	"sync"
)

// Scoring one stream over several cores. Splitting each chunk's rows
// over the cores costs two goroutine hand-offs per layer and chunk, and
// each core then reads every layer's weights and activations. Instead a
// pass over a single group runs as a pipeline: stage s computes layers
// [bound[s], bound[s+1]) of every chunk (stage 0 also the input layer,
// the last stage also the head and the log probabilities), then hands the
// chunk's output h_{bound[s+1]} and its partial skip sums to stage s+1
// through one of two slots, and goes on with the next chunk while stage
// s+1 works on this one. Every stage keeps the queues of its own layers.
// The arithmetic is the serial pass's, row for row, so the result is the
// same bit for bit; the stages are balanced by their multiply-adds.

// maxPipeStages bounds the stages of a pipelined pass.
const maxPipeStages = 16

// pipeStages returns the stages a scoring pass over T steps in chunks of
// tc steps runs in: one per core (c.pipe when tests set it), at most one
// per layer plus the head, and at most half the chunks (a pipeline of P
// stages over n chunks keeps its cores busy n/(n+P-1) of the time); 1
// means no pipeline.
func (c *waveCore) pipeStages(T, tc int) int {
	P := runtime.GOMAXPROCS(0)
	if c.pipe > 0 {
		P = c.pipe
	}
	chunks := (T + tc - 1) / tc
	return max(1, min(P, c.L+1, chunks/2, maxPipeStages))
}

// pipeBounds sets bound[0..P] to the stages' layer ranges, so that each
// stage's multiply-adds per step (the last stage's with the head's) are
// as close as layer boundaries allow to an equal share.
func (c *waveCore) pipeBounds(bound []int) {
	P := len(bound) - 1
	cost := func(l int) int {
		n := 2 * c.G * 2 * c.R
		if l < c.L-1 {
			n += c.R * c.G
		}
		return n + c.S*c.G
	}
	total := c.O*c.S + c.C*c.O + 8*c.C // the head, its log-softmax counted as 8 per output
	for l := range c.L {
		total += cost(l)
	}
	bound[0], bound[P] = 0, c.L
	l, acc := 0, 0
	for s := 1; s < P; s++ {
		target := s * total / P
		// Take layers while that brings the stages' end nearer the target.
		for l < c.L && acc+cost(l)/2 < target {
			acc += cost(l)
			l++
		}
		bound[s] = max(l, bound[s-1])
	}
}

// pipeSlot carries one chunk from a stage to the next: for each stream,
// the chunk's rows of the stage's output and of the skip sums.
type pipeSlot struct {
	h, sk []float32
}

// wavePipe is one pipelined scoring pass (pooled on the waveCore).
type wavePipe struct {
	c      *waveCore
	ctx    context.Context
	T      int
	P      int
	bound  [maxPipeStages + 1]int
	ws     [maxPipeStages]*waveWork // stage s's workspace (ws[0] the caller's)
	slots  [maxPipeStages][2]pipeSlot
	ready  [maxPipeStages]chan int // stage s -> s+1: the chunk in slot k%2, or -1: stop
	free   [maxPipeStages]chan struct{}
	err    error // stage 0's (only stage 0 checks ctx)
	wg     sync.WaitGroup
	inited bool
}

// scorePipe is pass in passScore mode, as a pipeline of P stages: it
// leaves log p(x|y) of each stream in ws.lp.
func (c *waveCore) scorePipe(ctx context.Context, ws *waveWork, x []float32, stride, T int, labels []int, P int) error {
	p := c.pipes.Get().(*wavePipe)
	defer c.pipes.Put(p)
	p.c, p.ctx, p.T, p.P, p.err = c, ctx, T, P, nil
	c.pipeBounds(p.bound[:P+1])
	if !p.inited {
		for s := range p.ready {
			p.ready[s] = make(chan int, 3)
			p.free[s] = make(chan struct{}, 2)
		}
		p.inited = true
	}
	g, tc := ws.g, ws.tc
	p.ws[0] = ws
	for s := range P {
		if s > 0 {
			w := c.pool.Get().(*waveWork)
			c.setup(w, g, tc)
			clear(w.hist[:g*c.cum[c.L]*c.R])
			clear(w.lp[:g])
			c.setLabels(w, labels)
			w.x, w.stride = x, stride
			p.ws[s] = w
		}
		if s < P-1 {
			for k := range p.slots[s] {
				sl := &p.slots[s][k]
				sl.h = growF(sl.h, g*tc*c.R)
				sl.sk = growF(sl.sk, g*tc*c.S)
			}
			drain(p.ready[s])
			for len(p.free[s]) > 0 {
				<-p.free[s]
			}
			p.free[s] <- struct{}{}
			p.free[s] <- struct{}{}
		}
	}
	runStages(p, P, &p.wg)
	last := p.ws[P-1]
	if P > 1 {
		copy(ws.lp[:g], last.lp[:g])
	}
	for s := 1; s < P; s++ {
		c.pool.Put(p.ws[s])
		p.ws[s] = nil
	}
	p.ws[0], p.ctx = nil, nil
	return p.err
}

func drain(ch chan int) {
	for len(ch) > 0 {
		<-ch
	}
}

// runStage runs stage s over every chunk.
func (p *wavePipe) runStage(s int) {
	c, ws := p.c, p.ws[s]
	last := s == p.P-1
	for k, c0 := 0, 0; c0 < p.T; k, c0 = k+1, c0+ws.tc {
		ws.c0, ws.n = c0, min(ws.tc, p.T-c0)
		if s == 0 {
			if err := p.ctx.Err(); err != nil {
				p.err = err
				p.stop(s)
				return
			}
			c.inputRows(ws)
		} else {
			if <-p.ready[s-1] < 0 {
				p.stop(s)
				return
			}
			p.slotRows(s-1, k%2, ws, false)
			p.free[s-1] <- struct{}{}
		}
		// Without spreading over the cores, nothing fails.
		_ = c.chunkLayers(p.ctx, ws, p.bound[s], p.bound[s+1], passScore, false)
		if last {
			_ = c.chunkHead(p.ctx, ws, passScore, false)
			c.addLogProbs(ws)
			continue
		}
		<-p.free[s]
		p.slotRows(s, k%2, ws, true)
		p.ready[s] <- k
	}
}

// stop tells the stages after s to stop.
func (p *wavePipe) stop(s int) {
	if s < p.P-1 {
		p.ready[s] <- -1
	}
}

// slotRows copies the chunk's rows of stage s's output (h[bound[s+1]%2])
// and skip sums between ws and slot k of boundary s: into the slot with
// put, out of it otherwise.
func (p *wavePipe) slotRows(s, k int, ws *waveWork, put bool) {
	c := p.c
	sl := &p.slots[s][k]
	R, S, n, tc := c.R, c.S, ws.n, ws.tc
	h := ws.h[p.bound[s+1]%2]
	for e := 0; e < ws.g; e++ {
		o := e*ws.hs + c.dmax*R
		hs, ss := sl.h[e*tc*R:e*tc*R+n*R], sl.sk[e*tc*S:e*tc*S+n*S]
		sk := ws.sk[e*tc*S : e*tc*S+n*S]
		if put {
			copy(hs, h[o:o+n*R])
			copy(ss, sk)
		} else {
			copy(h[o:o+n*R], hs)
			copy(sk, ss)
		}
	}
}
