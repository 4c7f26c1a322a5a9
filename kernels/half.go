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

// f32ToF16 rounds a float32 to IEEE 754 binary16 bits, to nearest with
// ties to even; values too large become infinity and a NaN stays a NaN
// with the top 10 bits of its payload (the format package's F32ToF16, the
// conversion the .arw float16 tensors use).
func f32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant == 0 {
			return sign | 0x7c00
		}
		r := uint16(0x7c00 | mant>>13)
		if r == 0x7c00 {
			r++
		}
		return sign | r
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		if e < -10 {
			return sign
		}
		m := mant | 0x800000
		shift := uint32(14 - e)
		r := m >> shift
		rem := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && r&1 == 1) {
			r++
		}
		return sign | uint16(r)
	}
	r := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
		r++ // a carry into the exponent is correct, up to infinity
	}
	return sign | uint16(r)
}

// bf16ToF32 widens bfloat16 bits to the float32 of the same value.
func bf16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// f32ToBF16 rounds a float32 to bfloat16 bits, to nearest with ties to
// even; a NaN stays a NaN (its quiet bit set). The format package's
// F32ToBF16.
func f32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}
