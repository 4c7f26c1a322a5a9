package engine

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arinfer/arinfer/kernels"
)

// Generation on two cores. A step of a few streams is a chain of small
// products, each waiting for the one before, so splitting every product's
// rows over the cores would meet the other core twice per layer (a round
// trip between the two cores costs about 0.9 µs on the 2-core guests
// this was measured on, a step of one nv-wavenet-sized stream about 25
// µs). Instead the step's work is split by kind, with two hand-offs per
// step:
//
//   - the helper goroutine runs the residual chain: the input lookups, and
//     per layer the queues, the dilated product, the gate and the
//     residual rows of the residual and skip product; it publishes each
//     layer's gate output as soon as it has it. While it waits for the
//     next step's input it computes that step's taps on h(t-d) (stepPast:
//     they read only the queues), so the chain is left with the taps on
//     h(t);
//   - the calling goroutine adds each layer's skip rows as its gate output
//     arrives, runs the head, draws the values, hands them to the helper
//     for the next step, and reports the step to OnStep.
//
// Each core streams about half of the step weights, and the skip
// products overlap the chain. Every output row is computed by the same
// kernel call on the same inputs as on one core (kernels.MatVecRows gives
// MatVec's rows bit for bit), so the samples are the same. The two sides
// spin on each other's counters (a release store, an acquire load); a
// side that waits longer than duoSpin (the other was descheduled) naps
// instead, and when that keeps happening (a loaded machine, where the
// helper has no core of its own) the caller takes the remaining steps
// alone, as on one core.

// duoStall, when not nil (tests only), is called by the helper after
// each step's first gate.
var duoStall func(t int)

// waveDuo is the shared state of one two-core generation run (allocated
// once per workspace, so that its 64-bit counters are 8-byte aligned on
// 32-bit platforms too, each on a cache line of its own).
type waveDuo struct {
	_ [64]byte
	// drawn is the number of steps whose values are in x: the helper
	// computes step t (whose input is x_{t-1}) once drawn >= t.
	drawn int64
	_     [56]byte
	// gated counts the gate outputs the helper has published, layer by
	// layer from the first generated step.
	gated int64
	_     [56]byte
	stop  atomic.Bool  // the caller is done, failed or goes on alone: the helper returns
	naps  atomic.Int64 // waits that went past duoSpin, both sides

	m   *waveNet
	ws  *waveWork
	s   *waveSample
	x   []float32
	B   int
	err error
	wg  sync.WaitGroup
}

// duoOK reports whether generation may run on two cores.
func (m *waveNet) duoOK() bool { return !m.noDuo && runtime.GOMAXPROCS(0) >= 2 }

// drawStepsDuo is drawSteps on two goroutines.
func (m *waveNet) drawStepsDuo(ws *waveWork, s *waveSample, x []float32, B int) error {
	if ws.duo == nil {
		ws.duo = new(waveDuo)
	}
	d := ws.duo
	d.m, d.ws, d.s, d.x, d.B, d.err = m, ws, s, x, B, nil
	atomic.StoreInt64(&d.drawn, int64(s.kn))
	atomic.StoreInt64(&d.gated, 0)
	d.stop.Store(false)
	d.naps.Store(0)
	ws.dz = growF(ws.dz, B*m.L*m.G)
	runStages(d, 2, &d.wg)
	err := d.err
	d.m, d.ws, d.s, d.x, d.err = nil, nil, nil, nil, nil
	return err
}

func (d *waveDuo) runStage(stage int) {
	if stage == 0 {
		d.head()
	} else {
		d.chain()
	}
}

// chain is the helper's part: the residual chain of every step. While it
// waits for a step's input it computes the step's past taps (stepPast),
// layer by layer, as far as it gets; the rest it computes in the chain.
func (d *waveDuo) chain() {
	m, ws, B := d.m, d.ws, d.B
	R, G, L := m.R, m.G, m.L
	ld := R + m.S
	y := ws.y[:B*ld]
	var gated int64
	for t := d.s.kn; t < m.T; t++ {
		pre := 0
		for pre < L && atomic.LoadInt64(&d.drawn) < int64(t) {
			m.stepPast(ws, pre, 0, B)
			pre++
		}
		if !d.await(&d.drawn, int64(t)) {
			return
		}
		m.stepInput(ws, d.x, 0, B, t, false)
		for l := range L {
			ly := &m.layers[l]
			z := ws.dz[l*G:]
			if l >= pre {
				m.stepPast(ws, l, 0, B)
			}
			m.stepCur(ws, l, 0, B, t, z, L*G)
			gated++
			storeRelease(&d.gated, gated)
			if l == 0 && duoStall != nil {
				duoStall(t)
			}
			if ly.res != nil {
				kernels.MatVecRows(ly.rs, 0, R, B, z, L*G, ly.rsB, y, ld, true)
			}
		}
		m.advanceQueues(ws)
	}
}

// head is the caller's part: the skip sums, the head, the draws and
// OnStep.
func (d *waveDuo) head() {
	// Whatever happens here (an error, a panic in OnStep), the helper
	// must not wait for a step that will never come; after a panic it
	// must also be gone before the workspace goes back to the pool.
	defer func() {
		d.stop.Store(true)
		if p := recover(); p != nil {
			d.wg.Wait()
			panic(p)
		}
	}()
	m, ws, s, B := d.m, d.ws, d.s, d.B
	R, G, S, L := m.R, m.G, m.S, m.L
	ld := R + S
	y := ws.y[:B*ld]
	var gated, naps int64
	alone := false
	// A Generator's steps (s.yield) end cleanly: the step is reported and
	// the context checked before the next step's input is published, so
	// that the helper never starts a step the run does not take.
	clean := s.yield != nil
	for t := s.kn; t < m.T; t++ {
		if !clean {
			if err := s.ctx.Err(); err != nil {
				d.err = err
				return
			}
		}
		if alone {
			z := m.step(ws, d.x, B, t)
			m.drawValues(ws, s, d.x, B, t, z)
			if !d.reported(t, z) {
				return
			}
			continue
		}
		for e := 0; e < B; e++ {
			clear(y[e*ld+R : (e+1)*ld])
		}
		for l := range L {
			ly := &m.layers[l]
			z := ws.dz[l*G:]
			gated++
			d.await(&d.gated, gated)
			if ly.res != nil {
				kernels.MatVecRows(ly.rs, R, R+S, B, z, L*G, ly.rsB, y, ld, true)
			} else {
				kernels.MatVec(ly.rs, B, z, L*G, ly.rsB, y[R:], ld, true)
			}
			hookWave('r', l+1, t, t+1, B)
		}
		m.stepHead(ws, 0, B, t)
		z := ws.logits[:B*m.C]
		m.drawValues(ws, s, d.x, B, t, z)
		if clean && !d.reported(t, z) {
			return
		}
		// A side that waited past duoSpin napped: the other was off its
		// core, or (the helper) waiting for a slow OnStep. Now and then
		// that is a hiccup (a page fault, the hypervisor, the run's
		// start: on the idle 2-core guests measured, 1 to 11 waits of
		// 0.25-4 ms in 8000 steps); duoNaps within duoWindow steps mean
		// that the helper has no core of its own (a loaded machine: a
		// nap nearly every step) or that OnStep sets the pace, and the
		// rest is done here, on one core. The next step's
		// input is not published, so the helper stops at the end of the
		// step it took (with its queues moved on, as the one-core step
		// leaves them).
		if (t-s.kn)%duoWindow == 0 {
			naps = d.naps.Load()
		}
		if d.naps.Load()-naps >= duoNaps {
			d.stop.Store(true)
			d.wg.Wait()
			alone = true
		} else {
			storeRelease(&d.drawn, int64(t)+1)
		}
		if !clean {
			d.reported(t, z) // OnStep, after the helper has the input
		}
	}
}

// reported tells OnStep or yield about step t (outputs z); false ends the
// run: yield declined, or (a Generator's steps) ctx is done before the
// next step.
func (d *waveDuo) reported(t int, z []float32) bool {
	s := d.s
	if !s.report(d.ws, t, d.B, z) {
		return false
	}
	if s.yield != nil && t+1 < d.m.T {
		if err := s.ctx.Err(); err != nil {
			d.err = err
			return false
		}
	}
	return true
}

// duoSpin is how long await spins before it polls asleep: well above a
// step's longest wait (the other side is running), well below an OS time
// slice (the other side was descheduled on a loaded machine, and the
// spinning must leave it the core).
const duoSpin = 200 * time.Microsecond

// duoNap is the longest nap of a waiting side once it stops spinning
// (short: a nap that outlasts the other side's work delays the next step).
const duoNap = 50 * time.Microsecond

// duoNaps naps within duoWindow steps make the caller go on alone.
const (
	duoNaps   = 16
	duoWindow = 256
)

// await waits until *v (set with storeRelease) reaches want: spinning
// for duoSpin, then (counted in naps) polling with naps of up to duoNap.
// It returns false if the run stopped first. A value stored before stop
// counts: after seeing stop, v is read again (the first read may have
// been older than the stop it saw next).
func (d *waveDuo) await(v *int64, want int64) bool {
	var start time.Time
	for i := 1; ; i++ {
		if atomic.LoadInt64(v) >= want {
			return true
		}
		if d.stop.Load() {
			return atomic.LoadInt64(v) >= want
		}
		if i%1024 == 0 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) > duoSpin {
				break
			}
		}
	}
	d.naps.Add(1)
	for nap := duoNap / 4; ; nap = min(2*nap, duoNap) {
		time.Sleep(nap)
		if atomic.LoadInt64(v) >= want {
			return true
		}
		if d.stop.Load() {
			return atomic.LoadInt64(v) >= want
		}
	}
}
