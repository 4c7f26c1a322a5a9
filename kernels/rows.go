package kernels

import "fmt"

// SumRows16 adds to dst[0:16] the rows of a panel picked by idx, each
// scaled by its value:
//
//	for k := range idx {
//		for i := 0; i < 16; i++ {
//			dst[i] += val[k] * panel[16*int(idx[k])+i]
//		}
//	}
//
// The panel is a row-major matrix of 16-float rows, so this is the product
// of its transpose with a sparse vector (the indices and values of its
// non-zeros): the output side of a sampler that keeps the units that are
// on in a list and pulls 16 outputs at a time. The rows may be summed in
// any order and with several partial sums. It panics if len(dst) < 16, if
// len(val) < len(idx), if len(panel) is not a multiple of 16 or if an index
// names no row of the panel.
func SumRows16(dst, panel []float32, idx []int32, val []float32) {
	checkRows16("SumRows16", len(dst), len(panel), len(idx), len(val))
	if !cur.sumRows16(dst[:16], panel, idx, val[:len(idx)]) {
		panic(fmt.Sprintf("kernels: SumRows16: an index is outside the panel's %d rows", len(panel)/16))
	}
}

// SumRows16F16 is SumRows16 with a panel of IEEE 754 binary16 values,
// widened exactly on the fly.
func SumRows16F16(dst []float32, panel []uint16, idx []int32, val []float32) {
	checkRows16("SumRows16F16", len(dst), len(panel), len(idx), len(val))
	if !cur.sumRows16F16(dst[:16], panel, idx, val[:len(idx)]) {
		panic(fmt.Sprintf("kernels: SumRows16F16: an index is outside the panel's %d rows", len(panel)/16))
	}
}

func checkRows16(name string, dst, panel, idx, val int) {
	switch {
	case dst < 16:
		panic(fmt.Sprintf("kernels: %s: len(dst)=%d < 16", name, dst))
	case val < idx:
		panic(fmt.Sprintf("kernels: %s: len(val)=%d < len(idx)=%d", name, val, idx))
	case panel%16 != 0:
		panic(fmt.Sprintf("kernels: %s: len(panel)=%d is not a multiple of 16", name, panel))
	}
}

// sumRows16Generic is SumRows16 on checked lengths (len(dst) == 16,
// len(val) == len(idx), len(panel) a multiple of 16); it reports false,
// having added the rows before it, at the first index outside the panel.
// Implementations in assembly return false before adding anything when
// an index is bad; either way the caller panics.
func sumRows16Generic(dst, panel []float32, idx []int32, val []float32) bool {
	rows := uint(len(panel) / 16)
	d := (*[16]float32)(dst)
	for k, r := range idx {
		if uint(r) >= rows {
			return false
		}
		p := (*[16]float32)(panel[16*int(r):])
		v := val[k]
		for i := range d {
			d[i] += v * p[i]
		}
	}
	return true
}

// sumRows16F16Generic is sumRows16Generic with a binary16 panel.
func sumRows16F16Generic(dst []float32, panel []uint16, idx []int32, val []float32) bool {
	rows := uint(len(panel) / 16)
	d := (*[16]float32)(dst)
	for k, r := range idx {
		if uint(r) >= rows {
			return false
		}
		p := (*[16]uint16)(panel[16*int(r):])
		v := val[k]
		for i := range d {
			d[i] += v * f16ToF32(p[i])
		}
	}
	return true
}
