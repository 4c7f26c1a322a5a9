//go:build !purego

package engine

import "github.com/arinfer/arinfer/kernels"

// madeLoopFor returns the assembly loop for the NEON tier, or nil when the
// Go loop must run (the generic tier, whose pushes are not fused
// multiply-adds). The assembly's pushes are the NEON Axpy/AxpyF16 (the
// same fused multiply-adds, the same exact binary16 widening), so both
// loops draw the same samples.
func madeLoopFor(p *madePush) func(*madeLoop) {
	if kernels.Active() == kernels.NEON {
		return madeLoopNEON
	}
	return nil
}

// madeLoopNEON runs l's steps (see madeLoop) with NEON pushes.
//
//go:noescape
func madeLoopNEON(l *madeLoop)
