//go:build !purego

package kernels

// SumRows16 and SumRows16F16 on arm64 (rows_arm64.s). Unlike the generic
// kernels, the assembly checks every index before it adds anything, so
// when it reports false dst is unchanged.

// sumRows16NEON does, for len(dst) >= 16, len(val) >= len(idx) and
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
func sumRows16NEON(dst, panel []float32, idx []int32, val []float32) bool

// sumRows16F16NEON is sumRows16NEON with a binary16 panel:
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
func sumRows16F16NEON(dst []float32, panel []uint16, idx []int32, val []float32) bool

// sumRows16NEONGo is sumRows16Generic, adding nothing when it reports
// false; it restates its precondition so the assembly can trust its
// lengths.
func sumRows16NEONGo(dst, panel []float32, idx []int32, val []float32) bool {
	return sumRows16NEON(dst[:16], panel, idx, val[:len(idx)])
}

// sumRows16F16NEONGo is sumRows16F16Generic, adding nothing when it
// reports false.
func sumRows16F16NEONGo(dst []float32, panel []uint16, idx []int32, val []float32) bool {
	return sumRows16F16NEON(dst[:16], panel, idx, val[:len(idx)])
}

// fillNEONRows installs the NEON SumRows16 and SumRows16F16.
func fillNEONRows(t *impl) {
	t.sumRows16 = sumRows16NEONGo
	t.sumRows16F16 = sumRows16F16NEONGo
}
