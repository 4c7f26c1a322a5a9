//go:build !purego

package kernels

// AxpyF16 on amd64 (half_amd64.s). As in blas_amd64.go, each assembly
// routine (suffix Asm) trusts its sizes and the Go wrapper of the same name
// without the suffix restates the generic kernel's precondition.

// fillAVX2Half installs the AVX2 AxpyF16, which also needs F16C (VCVTPH2PS);
// without it the tier keeps the generic kernel.
func fillAVX2Half(t *impl) {
	if hasF16C {
		t.axpyF16 = axpyF16AVX2
	}
}

// fillAVX512Half installs the AVX-512F AxpyF16 (the EVEX VCVTPH2PS is part
// of AVX512F itself).
func fillAVX512Half(t *impl) {
	t.axpyF16 = axpyF16AVX512
}

// axpyF16AVX2 is axpyF16Generic.
func axpyF16AVX2(alpha float32, x []uint16, y []float32) {
	axpyF16AVX2Asm(alpha, x, y[:len(x)])
}

// axpyF16AVX512 is axpyF16Generic.
func axpyF16AVX512(alpha float32, x []uint16, y []float32) {
	axpyF16AVX512Asm(alpha, x, y[:len(x)])
}

// axpyF16AVX2Asm does y[i] += alpha*f16ToF32(x[i]) for i < len(x);
// len(y) >= len(x).
//
//go:noescape
func axpyF16AVX2Asm(alpha float32, x []uint16, y []float32)

// axpyF16AVX512Asm is axpyF16AVX2Asm with AVX-512F.
//
//go:noescape
func axpyF16AVX512Asm(alpha float32, x []uint16, y []float32)
