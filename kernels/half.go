package kernels

import (
	"fmt"
	"math"
)

// AxpyF16 does y[i] += alpha*x[i] for i < len(x), where x holds IEEE 754
// binary16 ("half", float16) values: weights stored at half the bytes of
// float32 are widened exactly on the fly. It panics if len(y) < len(x).
func AxpyF16(alpha float32, x []uint16, y []float32) {
	if len(y) < len(x) {
		panic(fmt.Sprintf("kernels: AxpyF16: len(y)=%d < len(x)=%d", len(y), len(x)))
	}
	cur.axpyF16(alpha, x, y)
}

// axpyF16Generic does y[i] += alpha*f16ToF32(x[i]) for i < len(x);
// len(y) >= len(x).
func axpyF16Generic(alpha float32, x []uint16, y []float32) {
	y = y[:len(x)]
	for i, h := range x {
		y[i] += alpha * f16ToF32(h)
	}
}

// f16ToF32 widens IEEE 754 binary16 bits to the float32 of the same value
// (every binary16 value, subnormals, infinities and NaNs included, is a
// float32; a NaN keeps its payload in the top bits).
func f16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch exp {
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case 0:
		return math.Float32frombits(sign | math.Float32bits(float32(mant)*0x1p-24))
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}
