package kernels

import (
	"fmt"

	"github.com/arinfer/arinfer/internal/half"
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
func f16ToF32(h uint16) float32 { return half.F16ToF32(h) }

// f32ToF16 rounds a float32 to IEEE 754 binary16 bits, to nearest with
// ties to even; values too large become infinity and a NaN stays a NaN
// with the top 10 bits of its payload: the conversion the .arw float16
// tensors use (format.F32ToF16).
func f32ToF16(f float32) uint16 { return half.F32ToF16(f) }

// bf16ToF32 widens bfloat16 bits to the float32 of the same value.
func bf16ToF32(h uint16) float32 { return half.BF16ToF32(h) }

// f32ToBF16 rounds a float32 to bfloat16 bits, to nearest with ties to
// even; a NaN stays a NaN (its quiet bit set): format.F32ToBF16.
func f32ToBF16(f float32) uint16 { return half.F32ToBF16(f) }
