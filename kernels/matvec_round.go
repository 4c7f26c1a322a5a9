package kernels

// roundBF16Generic is the specification of the impl's roundBF16: dst[j] =
// x[j] rounded to bfloat16 (to nearest even; a NaN stays NaN, quieted), as
// a float32, for j < len(x); len(dst) >= len(x).
func roundBF16Generic(dst, x []float32) {
	dst = dst[:len(x)]
	for j, v := range x {
		dst[j] = bf16ToF32(f32ToBF16(v))
	}
}

// packBF16Generic is the specification of the impl's packBF16: dst[j] =
// the bfloat16 bits of x[j] rounded as roundBF16Generic rounds, for j <
// len(x); len(dst) >= len(x).
func packBF16Generic(dst []uint16, x []float32) {
	dst = dst[:len(x)]
	for j, v := range x {
		dst[j] = f32ToBF16(v)
	}
}
