// Package fmapeak measures this machine's single-core peak float32 FMA
// throughput, the roofline that kernel benchmarks are judged against.
//
// Each measurement runs a loop of 12 independent VFMADD231PS dependency
// chains (enough to cover a 4-cycle FMA latency on two FMA ports) on ymm
// (AVX2+FMA, 8 lanes) or zmm (AVX-512F, 16 lanes) registers, counting
// 2 flops per lane per FMA, pinned to one OS thread, and reports the best
// of several timed repetitions in GFLOP/s. The result is a per-core figure:
// on a shared or virtualised machine it is a measured, not a datasheet,
// peak.
package fmapeak

import (
	"runtime"
	"time"
)

// chains is the number of independent accumulators per loop iteration in
// the assembly; unroll is how many times the body is repeated per iteration.
const (
	chains = 12
	unroll = 4
	// fmasPerIter is the number of FMA instructions one loop iteration runs.
	fmasPerIter = chains * unroll
)

// Result is one measured peak.
type Result struct {
	ISA    string  // "avx2-ymm" or "avx512-zmm"
	OK     bool    // false if this CPU or build cannot run the ISA
	GFLOPS float64 // best measured GFLOP/s on one core
}

// YMM measures the AVX2+FMA (256-bit) peak.
func YMM() Result {
	r := Result{ISA: "avx2-ymm", OK: hasYMM()}
	if r.OK {
		r.GFLOPS = measure(fmaYMM, 8)
	}
	return r
}

// ZMM measures the AVX-512F (512-bit) peak.
func ZMM() Result {
	r := Result{ISA: "avx512-zmm", OK: hasZMM()}
	if r.OK {
		r.GFLOPS = measure(fmaZMM, 16)
	}
	return r
}

// target is roughly how long one timed repetition runs; reps is how many
// repetitions are timed (the best is kept). Repetitions are short so that,
// on a loaded machine, many of them run within one scheduler time slice
// and the best is not cut by preemption.
const (
	target = time.Millisecond
	reps   = 400
)

// measure times loop(iters) and returns the best GFLOP/s over reps runs.
func measure(loop func(iters int), lanes int) float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Calibrate: grow iters until one run takes at least target/4 (this
	// also warms up the vector units and any frequency transition).
	iters := 1 << 10
	for {
		t0 := time.Now()
		loop(iters)
		if d := time.Since(t0); d >= target/4 {
			iters = int(float64(iters) * float64(target) / float64(d))
			break
		}
		iters *= 4
	}
	iters = max(iters, 1)
	best := time.Duration(1<<63 - 1)
	for range reps {
		t0 := time.Now()
		loop(iters)
		best = min(best, time.Since(t0))
	}
	flops := float64(iters) * fmasPerIter * float64(lanes) * 2
	return flops / best.Seconds() / 1e9
}
