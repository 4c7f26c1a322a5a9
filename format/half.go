package format

import (
	"math"

	"github.com/arinfer/arinfer/internal/half"
)

func float32frombits(b uint32) float32 { return math.Float32frombits(b) }

// F16ToF32 converts IEEE 754 binary16 bits to float32 exactly.
func F16ToF32(h uint16) float32 { return half.F16ToF32(h) }

// F32ToF16 converts a float32 to IEEE 754 binary16 bits, rounding to
// nearest with ties to even; values too large become infinity. A NaN stays
// a NaN, with the top 10 bits of its payload kept (as numpy does).
func F32ToF16(f float32) uint16 { return half.F32ToF16(f) }

// BF16ToF32 converts bfloat16 bits to float32 exactly.
func BF16ToF32(h uint16) float32 { return half.BF16ToF32(h) }

// F32ToBF16 converts a float32 to bfloat16 bits, rounding to nearest with
// ties to even; a NaN stays a NaN (its quiet bit is set).
func F32ToBF16(f float32) uint16 { return half.F32ToBF16(f) }
