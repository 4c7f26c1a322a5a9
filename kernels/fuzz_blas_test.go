package kernels

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// The fuzz targets draw shapes, transposes, strides and data from the fuzz
// input and require every tier to agree with the generic kernels exactly.
// Exact agreement is the right check here because the data are multiples
// of 1/16 in [-8, 8): every product is a multiple of 1/256 below 64 in
// magnitude, and with at most 1000 terms every partial sum stays below 2¹⁶
// and so is exact in float32, whatever the summation order or FMA use.
// Padding between rows of a matrix is NaN, so reading it shows up too.

// fuzzVals returns n values k/16, k in [-128, 128), taken from data (mixed
// with the index so a short input still gives varied values).
func fuzzVals(data []byte, salt, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		b := byte(i*7 + salt*13)
		if len(data) > 0 {
			b += data[(i+salt)%len(data)]
		}
		v[i] = float32(int8(b)) / 16
	}
	return v
}

// fuzzMat returns an r x c matrix with leading dimension ld from data, NaN
// in the padding.
func fuzzMat(data []byte, salt, r, c, ld int) []float32 {
	if r == 0 || c == 0 {
		return nil
	}
	a := fuzzVals(data, salt, (r-1)*ld+c)
	for i := range a {
		if i%ld >= c {
			a[i] = nan32
		}
	}
	return a
}

// eachTier returns f's result under every available tier, generic first.
func eachTier(f func() []float32) (tiersRun []Tier, out [][]float32) {
	for _, t := range Available() {
		withTier(t, func() { out = append(out, f()) })
		tiersRun = append(tiersRun, t)
	}
	return tiersRun, out
}

func requireTiersAgree(t *testing.T, what string, f func() []float32) {
	t.Helper()
	ts, outs := eachTier(f)
	for i := 1; i < len(outs); i++ {
		if !slices.EqualFunc(outs[0], outs[i], func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
			t.Fatalf("%s: tier %s differs from generic:\n%v\nwant\n%v", what, ts[i], outs[i], outs[0])
		}
	}
}

func FuzzDot(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint8(0), uint8(0))
	f.Add([]byte{1, 2, 3}, uint16(7), uint8(1), uint8(3))
	f.Add([]byte("arinfer dot product"), uint16(67), uint8(2), uint8(15))
	f.Add([]byte{0x80, 0x7f, 0xff}, uint16(1000), uint8(3), uint8(9))
	f.Fuzz(func(t *testing.T, data []byte, n uint16, xoff, yoff uint8) {
		nn := int(n) % 1001
		xo, yo := int(xoff)%16, int(yoff)%16
		x := fuzzVals(data, 1, nn+xo)[xo:]
		y := fuzzVals(data, 2, nn+yo+1)[yo:]
		y[nn] = nan32 // beyond len(x): never read
		requireTiersAgree(t, fmt.Sprintf("Dot n=%d", nn), func() []float32 {
			d := Dot(x, y)
			a := append([]float32(nil), y[:nn]...)
			Axpy(0.5, x, a)
			s := append([]float32(nil), x...)
			Scale(-1.5, s)
			ad := make([]float32, nn)
			Add(ad, x, y)
			return append(append(append([]float32{d}, a...), s...), ad...)
		})
	})
}

func FuzzGemv(f *testing.F) {
	f.Add([]byte{}, uint8(0), uint8(0), uint8(0), false)
	f.Add([]byte{5, 9, 200}, uint8(8), uint8(16), uint8(0), false)
	f.Add([]byte("gemv"), uint8(17), uint8(33), uint8(3), true)
	f.Add([]byte{0xff, 1}, uint8(65), uint8(9), uint8(5), true)
	f.Add([]byte{42}, uint8(100), uint8(100), uint8(7), false)
	f.Fuzz(func(t *testing.T, data []byte, mb, nb, pad uint8, trans bool) {
		m, n := int(mb)%120, int(nb)%120
		lda := max(n+int(pad)%8, 1)
		a := fuzzMat(data, 3, m, n, lda)
		xl, yl := n, m
		if trans {
			xl, yl = m, n
		}
		x := fuzzVals(data, 4, xl)
		y0 := fuzzVals(data, 5, yl)
		bias := fuzzVals(data, 6, m)
		// hi from data: a staircase for MaskedGemv (prefix masks).
		hi := make([]int, m)
		for i := range hi {
			if n > 0 {
				hi[i] = int(fuzzVals(data, 7+i, 1)[0]*16+128) % (n + 1)
			}
		}
		what := fmt.Sprintf("Gemv %dx%d lda=%d trans=%v", m, n, lda, trans)
		requireTiersAgree(t, what, func() []float32 {
			y := append([]float32(nil), y0...)
			if trans {
				GemvT(m, n, a, lda, x, y)
				return y
			}
			GemvAcc(m, n, a, lda, x, y)
			z := make([]float32, m)
			Gemv(m, n, a, lda, x, bias, z)
			w := make([]float32, m)
			MaskedGemv(m, n, a, lda, x, nil, hi, bias, w)
			return append(append(y, z...), w...)
		})
	})
}

func FuzzGemm(f *testing.F) {
	f.Add([]byte{}, uint8(1), uint8(1), uint8(1), false, false, uint8(0))
	f.Add([]byte{3, 1, 4, 1, 5}, uint8(6), uint8(16), uint8(4), false, true, uint8(1))
	f.Add([]byte("gemm"), uint8(15), uint8(33), uint8(9), true, false, uint8(0x23))
	f.Add([]byte{0x80}, uint8(70), uint8(70), uint8(70), true, true, uint8(0xff))
	f.Add([]byte{7, 7}, uint8(29), uint8(65), uint8(44), false, true, uint8(0x10))
	f.Fuzz(func(t *testing.T, data []byte, mb, nb, kb uint8, ta, tb bool, pads uint8) {
		m, n, k := int(mb)%90, int(nb)%90, int(kb)%90
		ar, ac := m, k
		if ta {
			ar, ac = k, m
		}
		br, bc := k, n
		if tb {
			br, bc = n, k
		}
		lda := max(ac+int(pads&3), 1)
		ldb := max(bc+int(pads>>2&3), 1)
		ldc := max(n+int(pads>>4&3), 1)
		a := fuzzMat(data, 8, ar, ac, lda)
		b := fuzzMat(data, 9, br, bc, ldb)
		var bias []float32
		if pads&0x40 != 0 {
			bias = fuzzVals(data, 10, n)
		}
		c0 := fuzzMat(data, 11, m, n, ldc)
		what := fmt.Sprintf("Gemm %dx%dx%d ta=%v tb=%v lda=%d ldb=%d ldc=%d bias=%v", m, n, k, ta, tb, lda, ldb, ldc, bias != nil)
		requireTiersAgree(t, what, func() []float32 {
			c := append([]float32(nil), c0...)
			if pads&0x80 != 0 {
				GemmAcc(ta, tb, m, n, k, a, lda, b, ldb, c, ldc)
			} else {
				Gemm(ta, tb, m, n, k, a, lda, b, ldb, bias, c, ldc)
			}
			if !tb || m == 0 || n == 0 {
				return c
			}
			// Masked variant on the same operands (X = op(A) untransposed
			// only): column ranges from data.
			if ta {
				return c
			}
			lo, hi := make([]int, n), make([]int, n)
			for j := range n {
				u := int(fuzzVals(data, 12+j, 2)[0]*16+128) % (k + 1)
				v := int(fuzzVals(data, 13+j, 2)[1]*16+128) % (k + 1)
				lo[j], hi[j] = min(u, v), max(u, v)
			}
			mc := append([]float32(nil), c0...)
			MaskedGemm(m, n, k, a, lda, b, ldb, lo, hi, bias, mc, ldc)
			return append(c, mc...)
		})
	})
}
