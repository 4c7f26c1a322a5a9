package fmapeak

import (
	"math"
	"testing"
)

func TestPeaks(t *testing.T) {
	for _, f := range []func() Result{YMM, ZMM} {
		r := f()
		if !r.OK {
			t.Logf("%s: not available on this CPU or build", r.ISA)
			continue
		}
		if !(r.GFLOPS > 0) || math.IsInf(r.GFLOPS, 0) {
			t.Fatalf("%s: peak %v GFLOP/s, want a positive finite number", r.ISA, r.GFLOPS)
		}
		t.Logf("%s: %.1f GFLOP/s per core", r.ISA, r.GFLOPS)
	}
}
