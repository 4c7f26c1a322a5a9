//go:build !purego

package kernels

// AxpyF16, Gather16 and Gather16F16 on amd64 (half_amd64.s). As in blas_amd64.go, each assembly
// routine (suffix Asm) trusts its sizes and the Go wrapper of the same name
// without the suffix restates the generic kernel's precondition.

// fillAVX2Half installs the AVX2 Gather16 and, if the CPU has F16C
// (VCVTPH2PS), the AVX2 AxpyF16 and Gather16F16; without F16C the tier
// keeps the generic kernels on binary16.
func fillAVX2Half(t *impl) {
	t.gather16 = gather16AVX2
	if hasF16C {
		t.axpyF16 = axpyF16AVX2
		t.gather16F16 = gather16F16AVX2
	}
}

// fillAVX512Half installs the AVX-512F AxpyF16, Gather16 and Gather16F16
// (the EVEX VCVTPH2PS is part of AVX512F itself).
func fillAVX512Half(t *impl) {
	t.axpyF16 = axpyF16AVX512
	t.gather16 = gather16AVX512
	t.gather16F16 = gather16F16AVX512
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

// gather16AVX2 is gather16Generic.
func gather16AVX2(acc, rows []float32, idx []int32, coef []float32) {
	gather16AVX2Asm(acc[:16], rows, idx, coef[:len(idx)])
}

// gather16F16AVX2 is gather16F16Generic.
func gather16F16AVX2(acc []float32, rows []uint16, idx []int32, coef []float32) {
	gather16F16AVX2Asm(acc[:16], rows, idx, coef[:len(idx)])
}

// gather16AVX512 is gather16Generic.
func gather16AVX512(acc, rows []float32, idx []int32, coef []float32) {
	gather16AVX512Asm(acc[:16], rows, idx, coef[:len(idx)])
}

// gather16F16AVX512 is gather16F16Generic.
func gather16F16AVX512(acc []float32, rows []uint16, idx []int32, coef []float32) {
	gather16F16AVX512Asm(acc[:16], rows, idx, coef[:len(idx)])
}

// gather16AVX2Asm does acc[k] += sum_i coef[i]*rows[16*idx[i]+k] for
// k < 16, i < len(idx); len(acc) = 16, len(coef) >= len(idx) and every
// idx[i] is in [0, len(rows)/16).
//
//go:noescape
func gather16AVX2Asm(acc, rows []float32, idx []int32, coef []float32)

// gather16F16AVX2Asm is gather16AVX2Asm on binary16 rows.
//
//go:noescape
func gather16F16AVX2Asm(acc []float32, rows []uint16, idx []int32, coef []float32)

// gather16AVX512Asm is gather16AVX2Asm with AVX-512F.
//
//go:noescape
func gather16AVX512Asm(acc, rows []float32, idx []int32, coef []float32)

// gather16F16AVX512Asm is gather16F16AVX2Asm with AVX-512F.
//
//go:noescape
func gather16F16AVX512Asm(acc []float32, rows []uint16, idx []int32, coef []float32)
