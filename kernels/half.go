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

// Gather16 does acc[k] += sum_i coef[i]*rows[16*idx[i]+k] for k < 16 and
// i < len(idx): it adds the weighted sum of the 16-float rows idx[i] of
// rows (a table of len(rows)/16 rows) to acc. It panics if len(acc) != 16,
// len(coef) < len(idx) or an index is outside the table.
func Gather16(acc []float32, rows []float32, idx []int32, coef []float32) {
	checkGather16("Gather16", len(acc), len(rows), idx, coef)
	cur.gather16(acc, rows, idx, coef)
}

// Gather16F16 is Gather16 on a table of binary16 rows.
func Gather16F16(acc []float32, rows []uint16, idx []int32, coef []float32) {
	checkGather16("Gather16F16", len(acc), len(rows), idx, coef)
	cur.gather16F16(acc, rows, idx, coef)
}

func checkGather16(name string, nacc, nrows int, idx []int32, coef []float32) {
	if nacc != 16 || len(coef) < len(idx) {
		panic(fmt.Sprintf("kernels: %s: len(acc)=%d (want 16), len(coef)=%d < len(idx)=%d", name, nacc, len(coef), len(idx)))
	}
	n := uint32(nrows / 16)
	for _, i := range idx {
		if uint32(i) >= n {
			panic(fmt.Sprintf("kernels: %s: row %d outside a table of %d rows", name, i, n))
		}
	}
}

// gather16Generic does acc[k] += sum_i coef[i]*rows[16*idx[i]+k] for
// k < 16, i < len(idx); the caller has checked every index.
func gather16Generic(acc []float32, rows []float32, idx []int32, coef []float32) {
	acc = acc[:16]
	for i, r := range idx {
		c, row := coef[i], rows[16*int(r):16*int(r)+16]
		for k := range acc {
			acc[k] += c * row[k]
		}
	}
}

// gather16F16Generic is gather16Generic on binary16 rows.
func gather16F16Generic(acc []float32, rows []uint16, idx []int32, coef []float32) {
	acc = acc[:16]
	for i, r := range idx {
		c, row := coef[i], rows[16*int(r):16*int(r)+16]
		for k := range acc {
			acc[k] += c * f16ToF32(row[k])
		}
	}
}
