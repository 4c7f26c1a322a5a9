// Command cmd prints this machine's measured single-core float32 FMA peak
// for AVX2 (ymm) and AVX-512 (zmm), one line per ISA:
//
//	avx2-ymm 140.2 GFLOP/s
//	avx512-zmm 275.9 GFLOP/s
//
// An ISA this CPU or build cannot run prints "n/a".
package main

import (
	"fmt"

	"github.com/arinfer/arinfer/internal/fmapeak"
)

func main() {
	for _, f := range []func() fmapeak.Result{fmapeak.YMM, fmapeak.ZMM} {
		r := f()
		if !r.OK {
			fmt.Printf("%s n/a\n", r.ISA)
			continue
		}
		fmt.Printf("%s %.1f GFLOP/s\n", r.ISA, r.GFLOPS)
	}
}
