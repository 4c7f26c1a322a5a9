package engine

import "unsafe"

// madeLoop is the state of the one-hidden-layer MADE sampler loop in
// assembly (pushloop_amd64.s, pushloop_arm64.s), which runs
// madeSampleTask.one's steps without a Go call per push: the loop's own
// bookkeeping, not the pushes' arithmetic, was most of a sample's time in
// Go. The assembly reads the fields at fixed offsets (TestMadeLoopLayout
// checks them).
//
// A call runs steps [t, end) of one example and returns with t = end, or
// earlier with undecided = 1 and t at a step whose draw the crude bound
// cannot settle (decide32): the caller draws it (finish32), makes its
// pushes and continues at t+1.
type madeLoop struct {
	xo, out, acc unsafe.Pointer // *float32: the example by step, the output logits, the hidden pre-activations
	final, unit  unsafe.Pointer // *int32: p.final[0], p.unit[0] (nil: none)
	c            unsafe.Pointer // *float64: each step's crude logit bound (draws32)
	in, outT     loopTab        // p.in[0], p.out
	dir          loopTab        // p.direct (n = 0: no direct connections)
	invT, slack  float64
	known, end   int
	t, j         int // next step, next unit by degree
	undecided    int
	p32, p16     uintptr // the push routines of the tier (set by the amd64 assembly)
}

// loopTab is a pushRows for the assembly.
type loopTab struct {
	off, start unsafe.Pointer // *int
	n          int
	w          unsafe.Pointer // *float32, or *uint16 when half = 1
	half       int
}

func newLoopTab(p *pushRows) loopTab {
	t := loopTab{off: unsafe.Pointer(unsafe.SliceData(p.off)), start: unsafe.Pointer(unsafe.SliceData(p.start)), n: p.n}
	if p.h != nil {
		t.w, t.half = unsafe.Pointer(unsafe.SliceData(p.h)), 1
	} else {
		t.w = unsafe.Pointer(unsafe.SliceData(p.w))
	}
	return t
}
