//go:build !purego

package kernels

// gateAVX2 is gateGeneric with AVX2+FMA (gate_amd64.s), 8 lanes per step;
// len(a), len(b) >= len(dst).
//
//go:noescape
func gateAVX2(dst, a, b []float32)

// gateAVX512 is gateGeneric with AVX-512F, 16 lanes per step.
//
//go:noescape
func gateAVX512(dst, a, b []float32)
