package kernels

import (
	"math"
	"testing"
)

// FuzzMatVec draws a shape, batch, strides, weight type and data from the
// fuzz input and requires every tier's MatVec to equal the generic one bit
// for bit. The weights and x are multiples of 1/16 in [-8, 8) (fuzzVals),
// exact in every weight type and in bfloat16, so every product is exact
// and every partial sum (a multiple of 1/256 below 2^16 in magnitude) too:
// the result does not depend on the summation order. x's padding between
// vectors is NaN (reading it shows) and y's padding holds guard values
// that must stay. With flag bit 2 the call is MatVecRows over a row window
// drawn from the high bits of flags and ldyPad, and rows outside it must
// keep their values too.
func FuzzMatVec(f *testing.F) {
	f.Add([]byte{}, uint16(1), uint16(1), uint8(1), uint8(0), uint8(0), uint8(0), uint8(0))
	f.Add([]byte("arinfer matvec"), uint16(64), uint16(128), uint8(1), uint8(0), uint8(0), uint8(1), uint8(1))
	f.Add([]byte{1, 2, 3, 250, 7}, uint16(65), uint16(17), uint8(5), uint8(1), uint8(2), uint8(2), uint8(2))
	f.Add([]byte{9, 200, 31}, uint16(320), uint16(64), uint8(4), uint8(3), uint8(1), uint8(3), uint8(3))
	f.Add([]byte{0x80, 0x7f}, uint16(127), uint16(3), uint8(8), uint8(2), uint8(3), uint8(1), uint8(6))
	f.Add([]byte("odd columns for bf16 pairs"), uint16(33), uint16(129), uint8(3), uint8(1), uint8(1), uint8(3), uint8(5))
	f.Add([]byte("a window of rows"), uint16(319), uint16(64), uint8(1), uint8(0), uint8(0x84), uint8(1), uint8(0x2c))
	f.Add([]byte{5, 6, 7}, uint16(70), uint16(9), uint8(6), uint8(2), uint8(0xa1), uint8(2), uint8(0x7e))
	f.Fuzz(func(t *testing.T, data []byte, m16, n16 uint16, nb8, ldxPad, ldyPad, wt8, flags uint8) {
		m, n := 1+int(m16)%400, 1+int(n16)%300
		nb := int(nb8) % 10
		wt := WeightType(wt8 % uint8(numWeightTypes))
		acc, withBias := flags&1 != 0, flags&2 != 0
		ldx, ldy := n+int(ldxPad%4), m+int(ldyPad%4)
		a, err := NewMat(fuzzVals(data, 1, m*n), m, n, wt)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, max(nb*ldx, 1))
		copy(x, fuzzVals(data, 2, len(x)))
		for i := range x {
			if i%ldx >= n {
				x[i] = nan32
			}
		}
		var bias []float32
		if withBias {
			bias = fuzzVals(data, 3, m)
		}
		y0 := fuzzVals(data, 4, nb*ldy+1)
		for i := range y0 {
			if i%ldy >= m || i >= nb*ldy {
				y0[i] = guardVal
			}
		}
		r0, r1 := 0, m
		windowed := flags&4 != 0
		if windowed {
			r0 = m * int(flags>>3) / 32
			r1 = m - (m-r0)*int(ldyPad>>2)/64
		}
		ts, outs := eachTier(func() []float32 {
			y := append([]float32(nil), y0...)
			if windowed {
				MatVecRows(a, r0, r1, nb, x, ldx, bias, y, ldy, acc)
			} else {
				MatVec(a, nb, x, ldx, bias, y, ldy, acc)
			}
			return y
		})
		for k := range outs {
			for i, g := range outs[k] {
				if math.Float32bits(g) != math.Float32bits(outs[0][i]) {
					t.Fatalf("%s %dx%d nb=%d ldx=%d ldy=%d acc=%v bias=%v: tier %s y[%d]=%v, generic %v",
						wt, m, n, nb, ldx, ldy, acc, withBias, ts[k], i, g, outs[0][i])
				}
				if (i%ldy >= m || i >= nb*ldy) && g != guardVal {
					t.Fatalf("%s %dx%d nb=%d: tier %s wrote y[%d] outside the outputs", wt, m, n, nb, ts[k], i)
				}
				if r := i % ldy; (r < r0 || r >= r1) && math.Float32bits(g) != math.Float32bits(y0[i]) {
					t.Fatalf("%s %dx%d nb=%d rows [%d, %d): tier %s wrote y[%d] outside the window", wt, m, n, nb, r0, r1, ts[k], i)
				}
			}
		}
	})
}
