package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
)

// Generator is a generation in progress as a value: B streams of one
// model, advanced one step at a time by the caller. It holds exactly the
// state the architecture's cached sampler carries between steps (NADE's
// running pre-activation, the RNN's hidden state, PixelCNN's layer
// caches, WaveNet's queues), the values drawn so far and each stream's
// random stream, so it can be forked into independent continuations
// without recomputing the prefix, and saved and restored
// (MarshalBinary, [Restore]) to continue exactly where it stopped.
//
// A Generator is not safe for concurrent use; distinct generators are,
// also of the same model.
type Generator interface {
	// Info describes the model the generator runs.
	Info() Info
	// Batch returns the number of streams B.
	Batch() int
	// Pos returns the number of steps taken (the known prefix included):
	// 0..Dims, Dims when every value is drawn.
	Pos() int
	// Next takes the next step of every stream and reports it, as
	// SampleOptions.OnStep does (the slices are valid until the next
	// call). After the last step it returns io.EOF.
	Next(ctx context.Context) (Step, error)
	// Values returns the B x Dims values (row-major, data order): those
	// given and drawn so far, zeros for the dimensions still to come.
	// The slice is the generator's own: read it, do not keep it across
	// Next.
	Values() []float32
	// Fork returns a new generator of B·n streams: stream e·n+j starts
	// from stream e's state exactly and draws from the random stream of
	// index e·n+j under seed (what stream e·n+j of a Sample call with
	// that seed draws from). The prefix is not recomputed; g is
	// unchanged.
	Fork(n int, seed uint64) (Generator, error)
	// MarshalBinary returns the generator's state (format/STATE.md),
	// bound to the model by its digest: [Restore] continues it bit for
	// bit on the same model and refuses it on any other.
	MarshalBinary() ([]byte, error)
}

// ErrNoGenerator reports an architecture without a step-by-step
// Generator yet (its Sample works).
var ErrNoGenerator = errors.New("engine: no step-by-step generator for this architecture yet")

// generative is a model with a Generator.
type generative interface {
	generate(ctx context.Context, x []float32, opt SampleOptions) (Generator, error)
	restore(r *stateReader, h *genHeader) (Generator, error)
}

// Generate starts a generation of the len(x)/Dims examples of x (their
// known prefix as SampleOptions.Known marks it; x is copied), with the
// seed, temperature and labels of opt (OnStep must be nil: the caller
// drives the steps). The known prefix is computed at once (in one pass
// where the architecture has one; ctx can stop it), so Pos starts at its
// length.
func Generate(ctx context.Context, m Model, x []float32, opt SampleOptions) (Generator, error) {
	g, ok := m.(generative)
	if !ok {
		return nil, fmt.Errorf("%w (%s)", ErrNoGenerator, m.Info().Arch)
	}
	if opt.OnStep != nil {
		return nil, fmt.Errorf("engine: Generate: OnStep must be nil (the caller takes the steps with Next)")
	}
	return g.generate(ctx, x, opt)
}

// Restore rebuilds the generator whose state MarshalBinary returned, on
// the model it was saved from. A damaged, truncated, hostile or foreign
// state is refused with an error wrapping ErrState (naming both models
// when it comes from another), never a panic.
func Restore(m Model, state []byte) (Generator, error) {
	g, ok := m.(generative)
	if !ok {
		return nil, fmt.Errorf("%w (%s)", ErrNoGenerator, m.Info().Arch)
	}
	r := newStateReader(state)
	h, err := readGenHeader(r, m.Info(), len(state))
	if err != nil {
		return nil, err
	}
	gen, err := g.restore(r, h)
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return gen, nil
}

// Steps returns an iterator over the remaining steps of g:
//
//	for st, err := range engine.Steps(ctx, g) { ... }
//
// It stops after the last step, or after yielding an error. The steps
// are those Next takes, and leaving the loop early leaves g between two
// steps, ready for Next, Fork or MarshalBinary; but where Next takes one
// step at a time, Steps may run several in one go: a WaveNet generator
// of up to 4 streams runs them on two cores, as Sample does.
func Steps(ctx context.Context, g Generator) iter.Seq2[Step, error] {
	return func(yield func(Step, error) bool) {
		if r, ok := g.(stepRunner); ok {
			stopped := false
			ran, err := r.runSteps(ctx, func(st Step) bool {
				stopped = !yield(st, nil)
				return !stopped
			})
			if ran {
				if err != nil && !stopped {
					yield(Step{}, err)
				}
				return
			}
		}
		for {
			st, err := g.Next(ctx)
			if err == io.EOF {
				return
			}
			if !yield(st, err) || err != nil {
				return
			}
		}
	}
}

// stepRunner is a Generator that can take its remaining steps in one call
// (faster than Next one by one), for Steps; ran false means it would not,
// and Steps uses Next.
type stepRunner interface {
	runSteps(ctx context.Context, yield func(Step) bool) (ran bool, err error)
}

// maxStateBatch bounds the streams of a restored state (a state also
// holds at least Dims float32 per stream, which bounds B by its size).
const maxStateBatch = 1 << 20

// genHeader is what every generator state starts with.
type genHeader struct {
	B, T, pos int
	invT      float64
	labels    []int // nil for an unconditional model
}

// genBase is the part of a generator every architecture shares.
type genBase struct {
	info Info
	genHeader
	x    []float32 // B x T values
	rng  rngs
	vals []float32 // B: the values of the last step
}

func (g *genBase) base() *genBase    { return g }
func (g *genBase) Info() Info        { return g.info }
func (g *genBase) Batch() int        { return g.B }
func (g *genBase) Pos() int          { return g.pos }
func (g *genBase) Values() []float32 { return g.x }

// initBase validates a Generate call's buffer, temperature, labels and
// known values for info and fills g from them (the known prefix length
// kn is left to the caller, whose ordering defines it): the random
// streams of the B streams under opt.Seed.
func (g *genBase) initBase(info Info, x []float32, opt *SampleOptions) error {
	B, err := checkSampleBuf(x, info.Dims)
	if err != nil {
		return err
	}
	invT, err := invTemperature(opt.Temperature)
	if err != nil {
		return err
	}
	if err := checkSampleLabels(info.Arch, info.Classes, B, opt.Labels); err != nil {
		return err
	}
	g.info = info
	g.genHeader = genHeader{B: B, T: info.Dims, invT: invT}
	g.x = append([]float32(nil), x...)
	g.rng.reset(opt.Seed, B)
	g.vals = make([]float32, B)
	return nil
}

// zeroUnknown sets the dimensions order[kn:] of every stream (those not
// known, in a model's ordering) to 0.
func (g *genBase) zeroUnknown(order []int32, kn int) {
	for e := 0; e < g.B; e++ {
		xe := g.x[e*g.T : (e+1)*g.T]
		for _, d := range order[kn:] {
			xe[d] = 0
		}
	}
}

// forkBase fills f as the B·n-stream fork of g (values repeated, streams
// reseeded as Fork says); labels are repeated.
func (g *genBase) forkBase(f *genBase, n int, seed uint64) error {
	if n < 1 || g.B*n > maxStateBatch {
		return fmt.Errorf("engine: Fork(%d) of %d streams: want 1..%d streams in all", n, g.B, maxStateBatch)
	}
	*f = genBase{info: g.info, genHeader: g.genHeader}
	f.B = g.B * n
	f.x = repeatRows(g.x, g.T, n)
	if g.labels != nil {
		f.labels = make([]int, 0, f.B)
		for _, y := range g.labels {
			for range n {
				f.labels = append(f.labels, y)
			}
		}
	}
	f.rng.reset(seed, f.B)
	f.vals = make([]float32, f.B)
	return nil
}

// repeatRows returns the rows of src (each per long) with every row
// repeated n times in place: row e becomes rows e·n .. e·n+n-1.
func repeatRows(src []float32, per, n int) []float32 {
	dst := make([]float32, 0, len(src)*n)
	for e := 0; e*per < len(src); e++ {
		for range n {
			dst = append(dst, src[e*per:(e+1)*per]...)
		}
	}
	return dst
}

// writeHeader writes the sections every state starts with.
func (g *genBase) writeHeader(w *stateWriter) {
	w.bytes("arch", []byte(g.info.Arch))
	d := g.info.Digest()
	w.bytes("digest", d[:])
	w.i64("meta", int64(g.B), int64(g.T), int64(g.pos))
	w.f64("temp", []float64{g.invT})
	if g.labels != nil {
		l := make([]int64, g.B)
		for i, y := range g.labels {
			l[i] = int64(y)
		}
		w.i64("labels", l...)
	}
	w.f32("values", g.x)
	w.rngs(&g.rng)
}

// readGenHeader reads and checks the common sections of a state of size
// bytes against the model described by info.
func readGenHeader(r *stateReader, info Info, size int) (*genHeader, error) {
	arch := r.str("arch", 64)
	var d [32]byte
	r.bytes("digest", d[:])
	var meta [3]int64
	r.i64("meta", meta[:])
	if r.err != nil {
		return nil, r.err
	}
	if arch != info.Arch {
		return nil, stateErr("saved from a %s model, not this %s model", arch, info.Arch)
	}
	if want := info.Digest(); d != want {
		return nil, stateErr("saved from another %s model (digest %x…), not this one (%x…)", arch, d[:6], want[:6])
	}
	B, T, pos := meta[0], meta[1], meta[2]
	if T != int64(info.Dims) {
		return nil, stateErr("saved for %d dimensions, the model has %d", T, info.Dims)
	}
	if B < 1 || B > maxStateBatch || B*T > int64(size)/4 {
		return nil, stateErr("%d streams of %d dimensions do not fit a state of %d bytes", B, T, size)
	}
	if pos < 0 || pos > T {
		return nil, stateErr("position %d outside 0..%d", pos, T)
	}
	h := &genHeader{B: int(B), T: int(T), pos: int(pos)}
	var invT [1]float64
	r.f64("temp", invT[:])
	if r.err == nil && !(invT[0] > 0 && invT[0] <= 1e300) {
		return nil, stateErr("inverse temperature %v", invT[0])
	}
	h.invT = invT[0]
	if info.Classes > 0 {
		l := make([]int64, h.B)
		r.i64("labels", l)
		h.labels = make([]int, h.B)
		for i, y := range l {
			if r.err == nil && (y < 0 || y >= int64(info.Classes)) {
				return nil, stateErr("stream %d has label %d, the model has %d classes", i, y, info.Classes)
			}
			h.labels[i] = int(y)
		}
	}
	return h, r.err
}

// readBase reads the values and random streams into g (after the header).
func (g *genBase) readBase(r *stateReader, info Info, h *genHeader) error {
	g.info, g.genHeader = info, *h
	g.x = make([]float32, h.B*h.T)
	r.f32("values", g.x)
	g.rng.r = make([]rand.PCG, h.B)
	r.rngs(&g.rng)
	g.vals = make([]float32, h.B)
	if r.err != nil {
		return r.err
	}
	// Every value, drawn or still 0, must be one the model takes.
	if err := checkKnownValues(g.x, h.T, h.T, info.Categories, info.Dist); err != nil {
		return stateErr("%v", err)
	}
	return nil
}

// StateInfo is what a saved generator state says about itself.
type StateInfo struct {
	Arch   string   // the architecture it was saved from
	Digest [32]byte // the digest of its model (Info.Digest)
	Batch  int      // streams B
	Dims   int      // dimensions D of each stream (a sequence model's length)
	Pos    int      // steps taken, 0..Dims
}

// ReadStateInfo reads the description at the start of a generator state
// (checking its magic, version, checksum and sizes), without a model: a
// program learns from it which model, and for a sequence model which
// length, to restore it into.
func ReadStateInfo(state []byte) (StateInfo, error) {
	r := newStateReader(state)
	arch := r.str("arch", 64)
	var si StateInfo
	r.bytes("digest", si.Digest[:])
	var meta [3]int64
	r.i64("meta", meta[:])
	if r.err != nil {
		return StateInfo{}, r.err
	}
	B, T, pos := meta[0], meta[1], meta[2]
	if T < 1 || B < 1 || B > maxStateBatch || B*T > int64(len(state))/4 || pos < 0 || pos > T {
		return StateInfo{}, stateErr("%d streams of %d dimensions at step %d do not fit a state of %d bytes", B, T, pos, len(state))
	}
	si.Arch, si.Batch, si.Dims, si.Pos = arch, int(B), int(T), int(pos)
	return si, nil
}

// ForkStreams is g.Fork(n, seed) whose streams draw from the random
// streams first, first+1, … under seed instead of 0, 1, …: a fork of N
// streams cut into forks of consecutive ranges, each with its own first
// stream, draws exactly what the one fork would, and the pieces can run
// on several cores at once (distinct generators are safe for concurrent
// use).
func ForkStreams(g Generator, n int, seed uint64, first int) (Generator, error) {
	if first < 0 {
		return nil, fmt.Errorf("engine: ForkStreams: first stream %d", first)
	}
	f, err := g.Fork(n, seed)
	if err != nil {
		return nil, err
	}
	b := f.(interface{ base() *genBase }).base()
	b.rng.resetAt(seed, first, len(b.rng.r)) // in place: the generator's workspace shares the streams
	return f, nil
}
