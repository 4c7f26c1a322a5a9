//go:build !purego

package engine

import (
	"github.com/arinfer/arinfer/kernels"
	"github.com/klauspost/cpuid/v2"
)

// hasF16C: the AVX2 loop widens binary16 tables with VCVTPH2PS, as the
// AVX2 kernels.AxpyF16 does (without F16C that kernel is the generic one,
// so the loop must not run either: the samples would differ).
var hasF16C = cpuid.CPU.Supports(cpuid.F16C)

// madeLoopFor returns the assembly loop for the active kernel tier, or
// nil when the Go loop must run: the generic tier (whose pushes are not
// fused multiply-adds), or binary16 tables on an AVX2 tier without F16C.
// The assembly's pushes are the tier's Axpy/AxpyF16 (the same fused
// multiply-adds), so both loops draw the same samples.
func madeLoopFor(p *madePush) func(*madeLoop) {
	half := p.in[0].h != nil || p.out.h != nil || p.direct.h != nil
	switch kernels.Active() {
	case kernels.AVX512:
		return madeLoopAVX512
	case kernels.AVX2:
		if !half || hasF16C {
			return madeLoopAVX2
		}
	}
	return nil
}

// madeLoopAVX512 runs l's steps (see madeLoop) with AVX-512F pushes.
//
//go:noescape
func madeLoopAVX512(l *madeLoop)

// madeLoopAVX2 runs l's steps (see madeLoop) with AVX2/FMA (and F16C)
// pushes.
//
//go:noescape
func madeLoopAVX2(l *madeLoop)
