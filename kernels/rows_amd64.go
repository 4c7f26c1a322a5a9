//go:build !purego

package kernels

// SumRows16 and SumRows16F16 on amd64 (rows_amd64.s). As in half_amd64.go,
// each assembly routine (suffix Asm) trusts its sizes and the Go wrapper of
// the same name without the suffix restates the generic kernel's
// precondition. Unlike the generic kernels, the assembly checks every index
// before it adds anything, so when it reports false dst is unchanged.

// fillAVX2Rows installs the AVX2 SumRows16 and, if the CPU has F16C
// (VCVTPH2PS), SumRows16F16; without it the tier keeps the generic one.
func fillAVX2Rows(t *impl) {
	t.sumRows16 = sumRows16AVX2
	if hasF16C {
		t.sumRows16F16 = sumRows16F16AVX2
	}
}

// fillAVX512Rows installs the AVX-512F SumRows16 and SumRows16F16 (the
// EVEX VCVTPH2PS is part of AVX512F itself).
func fillAVX512Rows(t *impl) {
	t.sumRows16 = sumRows16AVX512
	t.sumRows16F16 = sumRows16F16AVX512
}

// sumRows16AVX2 is sumRows16Generic, adding nothing when it reports false.
func sumRows16AVX2(dst, panel []float32, idx []int32, val []float32) bool {
	return sumRows16AVX2Asm(dst[:16], panel, idx, val[:len(idx)])
}

// sumRows16F16AVX2 is sumRows16F16Generic, adding nothing when it reports
// false.
func sumRows16F16AVX2(dst []float32, panel []uint16, idx []int32, val []float32) bool {
	return sumRows16F16AVX2Asm(dst[:16], panel, idx, val[:len(idx)])
}

// sumRows16AVX512 is sumRows16Generic, adding nothing when it reports false.
func sumRows16AVX512(dst, panel []float32, idx []int32, val []float32) bool {
	return sumRows16AVX512Asm(dst[:16], panel, idx, val[:len(idx)])
}

// sumRows16F16AVX512 is sumRows16F16Generic, adding nothing when it
// reports false.
func sumRows16F16AVX512(dst []float32, panel []uint16, idx []int32, val []float32) bool {
	return sumRows16F16AVX512Asm(dst[:16], panel, idx, val[:len(idx)])
}

// sumRows16AVX2Asm does, for len(dst) >= 16, len(val) >= len(idx) and
// len(panel) a multiple of 16 (the rows summed in another order):
//
//	rows := uint(len(panel) / 16)
//	for _, r := range idx {
//		if uint(r) >= rows {
//			return false // before dst is written
//		}
//	}
//	for k, r := range idx {
//		for i := 0; i < 16; i++ {
//			dst[i] += val[k] * panel[16*int(r)+i]
//		}
//	}
//	return true
//
//go:noescape
func sumRows16AVX2Asm(dst, panel []float32, idx []int32, val []float32) bool

// sumRows16F16AVX2Asm is sumRows16AVX2Asm with a binary16 panel:
//
//	rows := uint(len(panel) / 16)
//	for _, r := range idx {
//		if uint(r) >= rows {
//			return false // before dst is written
//		}
//	}
//	for k, r := range idx {
//		for i := 0; i < 16; i++ {
//			dst[i] += val[k] * f16ToF32(panel[16*int(r)+i])
//		}
//	}
//	return true
//
//go:noescape
func sumRows16F16AVX2Asm(dst []float32, panel []uint16, idx []int32, val []float32) bool

// sumRows16AVX512Asm is sumRows16AVX2Asm with AVX-512F.
//
//go:noescape
func sumRows16AVX512Asm(dst, panel []float32, idx []int32, val []float32) bool

// sumRows16F16AVX512Asm is sumRows16F16AVX2Asm with AVX-512F.
//
//go:noescape
func sumRows16F16AVX512Asm(dst []float32, panel []uint16, idx []int32, val []float32) bool
