package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// f16Vec returns n random binary16 values of moderate size, normal and
// subnormal, at offset off of their backing slice.
func f16Vec(r *rand.Rand, n, off int) []uint16 {
	v := make([]uint16, n+off)
	for i := range v {
		switch r.IntN(8) {
		case 0:
			v[i] = uint16(r.IntN(0x400)) | uint16(r.IntN(2))<<15 // zero or subnormal
		default:
			v[i] = uint16(r.IntN(0x7800-0x1000)+0x1000) | uint16(r.IntN(2))<<15 // |x| in [2^-10, 2^15)
		}
	}
	return v[off:]
}

func TestF16ToF32(t *testing.T) {
	// Every binary16 value against the reference definition:
	// (-1)^s 2^(e-15) (1 + m/1024), or 2^-14 m/1024 when e = 0.
	for h := 0; h < 1<<16; h++ {
		s, e, m := h>>15, (h>>10)&0x1f, h&0x3ff
		got := f16ToF32(uint16(h))
		var want float64
		switch {
		case e == 0x1f && m == 0:
			want = math.Inf(1)
		case e == 0x1f:
			assert.True(t, math.IsNaN(float64(got)), "%#04x", h)
			assert.Equal(t, uint32(m)<<13, math.Float32bits(got)&0x7fffff, "NaN payload %#04x", h)
			continue
		case e == 0:
			want = math.Ldexp(float64(m)/1024, -14)
		default:
			want = math.Ldexp(1+float64(m)/1024, e-15)
		}
		if s == 1 {
			want = -want
		}
		assert.Equal(t, float32(want), got, "%#04x", h)
		assert.Equal(t, s == 1, math.Signbit(float64(got)), "sign of %#04x", h)
	}
}

func TestAxpyF16(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 9))
		for _, n := range sweepLengths() {
			for xoff := 0; xoff <= 3; xoff++ {
				for _, yoff := range []int{1, 3, 8, 15} {
					alpha := float32(r.Float64()*4 - 2)
					x := f16Vec(r, n, xoff)
					y0 := randVec(r, n, 0)
					g := newGuarded(y0, 1, n, max(n, 1), yoff)
					AxpyF16(alpha, x, g.data())
					g.check(t)
					for i := range n {
						xv := float64(f16ToF32(x[i]))
						want := float64(y0[i]) + float64(alpha)*xv
						scale := math.Abs(float64(y0[i])) + math.Abs(float64(alpha)*xv)
						if !close32(float64(g.at(0, i)), want, scale, blasGamma(2)) {
							t.Fatalf("n=%d xoff=%d yoff=%d: y[%d]=%v want %v", n, xoff, yoff, i, g.at(0, i), want)
						}
					}
				}
			}
		}
	})
}

// TestAxpyF16AllHalves runs every binary16 value through AxpyF16 with
// alpha = 1 onto y = -0 (the zero that x + -0 returns unchanged, -0
// included) on every tier, in chunks of odd lengths 1, 3, ..., 255 so the
// values reach every lane of the main loops and of every tail. Each result
// must be f16ToF32 exactly; a NaN must be a NaN with the same payload,
// quiet bit aside (converting or multiplying a signalling NaN quiets it).
func TestAxpyF16AllHalves(t *testing.T) {
	all := make([]uint16, 1<<16)
	for i := range all {
		all[i] = uint16(i)
	}
	negZero := float32(math.Copysign(0, -1))
	testAllTiers(t, func(t *testing.T) {
		y := make([]float32, len(all)+1)
		for i := range y {
			y[i] = negZero
		}
		for i, n := 0, 1; i < len(all); i, n = i+n, (n+2)%256 {
			m := min(n, len(all)-i)
			AxpyF16(1, all[i:i+m], y[i:]) // y runs past x: its excess is the next chunk's
		}
		const quiet = 1 << 22
		for h, got := range y[:len(all)] {
			want := f16ToF32(uint16(h))
			gb, wb := math.Float32bits(got), math.Float32bits(want)
			if want != want {
				require.True(t, got != got && gb|quiet == wb|quiet, "%#04x: got %#08x, want NaN %#08x", h, gb, wb)
				continue
			}
			require.Equal(t, wb, gb, "%#04x: got %v (%#08x), want %v (%#08x)", h, got, gb, want, wb)
		}
		require.Equal(t, math.Float32bits(negZero), math.Float32bits(y[len(all)]), "y past the last chunk was written")
	})
}

// fuzzHalves returns n binary16 values read from data as little-endian
// byte pairs, so every bit pattern (NaN, infinity, subnormal) can occur;
// past the end of data the pairs repeat, mixed with the index so a short
// input still gives varied values.
func fuzzHalves(data []byte, n int) []uint16 {
	v := make([]uint16, n)
	for i := range v {
		h := uint16(i * 40503)
		if len(data) > 0 {
			p := uint16(data[(2*i)%len(data)]) | uint16(data[(2*i+1)%len(data)])<<8
			if 2*i+1 < len(data) {
				h = 0
			}
			h ^= p
		}
		v[i] = h
	}
	return v
}

// FuzzAxpyF16 runs AxpyF16 on fuzz-provided halves under every tier and
// compares with the generic kernel, twice:
//
//   - alpha = k·2^e with |k| < 128 and -20 <= e <= 4: then alpha·x is exact
//     in float32 for every finite half x (at most 8+11 significant bits, far
//     from overflow and underflow), so y + alpha·x rounds once whether or
//     not the kernel fuses the multiply and the add, and every tier must
//     match the generic result bit for bit (a NaN only in position: its
//     payload may come from either operand).
//   - alpha with any significand (2^-64 <= |alpha| < 2^65, so alpha·x
//     neither overflows nor underflows): every tier must be within the
//     bound TestAxpyF16 uses of the float64 reference, with NaNs and
//     infinities where the generic kernel has them.
//
// y extends one element past x with a sentinel that must stay unchanged.
func FuzzAxpyF16(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint8(0), uint8(0), int8(1), uint8(20), uint32(0x3f800000))
	f.Add([]byte{0x00, 0x3c, 0x00, 0xbc}, uint16(7), uint8(1), uint8(3), int8(-3), uint8(21), uint32(0x40490fdb))
	// +Inf, -Inf, quiet NaN, signalling NaN, negative NaN, smallest and
	// largest subnormal, -0, largest finite, smallest normal.
	specials := []byte{0x00, 0x7c, 0x00, 0xfc, 0x00, 0x7e, 0x01, 0x7c, 0xff, 0xff, 0x01, 0x00,
		0xff, 0x83, 0x00, 0x80, 0xff, 0x7b, 0x00, 0x04}
	f.Add(specials, uint16(10), uint8(2), uint8(5), int8(127), uint8(24), uint32(0xbf123456))
	f.Add(specials, uint16(67), uint8(3), uint8(15), int8(-128), uint8(0), uint32(0xffffffff))
	f.Add([]byte("arinfer half precision axpy"), uint16(1000), uint8(5), uint8(9), int8(0), uint8(7), uint32(0x7f800000))
	f.Fuzz(func(t *testing.T, data []byte, n uint16, xoff, yoff uint8, am int8, ae uint8, ab uint32) {
		nn := int(n) % 1001
		xo, yo := int(xoff)%16, int(yoff)%16
		x := fuzzHalves(data, nn+xo)[xo:]
		y0 := fuzzVals(data, 21, nn+yo+1)[yo:]
		y0[nn] = guardVal

		run := func(alpha float32) (ts []Tier, outs [][]float32) {
			return eachTier(func() []float32 {
				y := append([]float32(nil), y0...)
				AxpyF16(alpha, x, y)
				return y
			})
		}
		same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b }

		alpha := float32(math.Ldexp(float64(am), int(ae)%25-20))
		ts, outs := run(alpha)
		for k := 1; k < len(outs); k++ {
			for i, g := range outs[0] {
				if !same(outs[k][i], g) {
					xs := "past len(x)"
					if i < nn {
						xs = fmt.Sprintf("x=%#04x", x[i])
					}
					t.Fatalf("n=%d alpha=%v: tier %s y[%d]=%v (%#08x), generic %v (%#08x) (%s y=%v)",
						nn, alpha, ts[k], i, outs[k][i], math.Float32bits(outs[k][i]), g, math.Float32bits(g), xs, y0[i])
				}
			}
		}

		alpha = math.Float32frombits(ab&0x807fffff | (63+(ab>>23&0xff)%129)<<23)
		ts, outs = run(alpha)
		for k := range outs {
			for i, got := range outs[k][:nn] {
				g := outs[0][i]
				xv := float64(f16ToF32(x[i]))
				want := float64(y0[i]) + float64(alpha)*xv
				scale := math.Abs(float64(y0[i])) + math.Abs(float64(alpha)*xv)
				if g != g || math.IsInf(float64(g), 0) {
					if !same(got, g) {
						t.Fatalf("n=%d alpha=%v: tier %s y[%d]=%v, generic %v (x=%#04x y=%v)", nn, alpha, ts[k], i, got, g, x[i], y0[i])
					}
					continue
				}
				if !close32(float64(got), want, scale, blasGamma(2)) {
					t.Fatalf("n=%d alpha=%v: tier %s y[%d]=%v, want %v (x=%#04x y=%v)", nn, alpha, ts[k], i, got, want, x[i], y0[i])
				}
			}
			if math.Float32bits(outs[k][nn]) != math.Float32bits(guardVal) {
				t.Fatalf("n=%d: tier %s wrote y[%d] past len(x): %v", nn, ts[k], nn, outs[k][nn])
			}
		}
	})
}

func TestGather16(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 11))
		for _, nrows := range []int{1, 2, 7, 100} {
			rows := randVec(r, 16*nrows, 0)
			half := f16Vec(r, 16*nrows, 0)
			for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257} {
				idx := make([]int32, n)
				coef := randVec(r, n, 0)
				for i := range idx {
					idx[i] = int32(r.IntN(nrows))
				}
				for _, f16 := range []bool{false, true} {
					acc0 := randVec(r, 16, 0)
					g := newGuarded(acc0, 1, 16, 16, 3)
					if f16 {
						Gather16F16(g.data(), half, idx, coef)
					} else {
						Gather16(g.data(), rows, idx, coef)
					}
					g.check(t)
					for k := 0; k < 16; k++ {
						want, scale := float64(acc0[k]), math.Abs(float64(acc0[k]))
						for i, ri := range idx {
							v := float64(rows[16*int(ri)+k])
							if f16 {
								v = float64(f16ToF32(half[16*int(ri)+k]))
							}
							want += float64(coef[i]) * v
							scale += math.Abs(float64(coef[i]) * v)
						}
						if !close32(float64(g.at(0, k)), want, scale, blasGamma(n+1)) {
							t.Fatalf("f16=%v rows=%d n=%d: acc[%d]=%v want %v", f16, nrows, n, k, g.at(0, k), want)
						}
					}
				}
			}
		}
		assert.Panics(t, func() { Gather16(make([]float32, 16), make([]float32, 32), []int32{2}, []float32{1}) })
		assert.Panics(t, func() { Gather16(make([]float32, 16), make([]float32, 32), []int32{-1}, []float32{1}) })
		assert.Panics(t, func() { Gather16F16(make([]float32, 15), make([]uint16, 32), nil, nil) })
		assert.Panics(t, func() { Gather16(make([]float32, 16), make([]float32, 32), []int32{0, 1}, []float32{1}) })
	})
}

// TestGather16SignedZero runs Gather16 and Gather16F16 on a table of
// zeros of both signs on every tier. IEEE 754 makes x + y a -0 only when
// both are -0, so lane k must come out -0 exactly when acc[k] and every
// product in it are -0, whatever the number of indices (so whichever of a
// tier's accumulators are left at their starting value) and the order of
// the sum.
func TestGather16SignedZero(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	// Row 0 is +0, row 1 -0, row 2 -0 in the even lanes, row 3 in the odd.
	rows := make([]float32, 64)
	half := make([]uint16, 64)
	for k := range 16 {
		for r, neg := range []bool{false, true, k%2 == 0, k%2 == 1} {
			if neg {
				rows[16*r+k], half[16*r+k] = negZero, 0x8000
			}
		}
	}
	acc0 := make([]float32, 16)
	for k := range 8 {
		acc0[k] = negZero
	}
	testAllTiers(t, func(t *testing.T) {
		for n := 0; n <= 21; n++ {
			for v := range 4 {
				idx, coef := make([]int32, n), make([]float32, n)
				for i := range idx {
					switch v {
					case 0: // -0 products only: -0·+1
						idx[i], coef[i] = 1, 1
					case 1: // -0 products only: +0·-1 and -0·+1
						idx[i], coef[i] = int32(i%2), float32(2*(i%2)-1)
					case 2: // -0 in the even lanes only
						idx[i], coef[i] = int32(2+i%2), float32(1-2*(i%2))
					default: // a +0 product somewhere in every lane
						idx[i], coef[i] = int32((7*i+n)%4), float32(1-2*((i/3)%2))
					}
				}
				for _, f16 := range []bool{false, true} {
					acc := append([]float32(nil), acc0...)
					if f16 {
						Gather16F16(acc, half, idx, coef)
					} else {
						Gather16(acc, rows, idx, coef)
					}
					for k := range 16 {
						neg := math.Signbit(float64(acc0[k]))
						for i, r := range idx {
							neg = neg && math.Signbit(float64(coef[i]*rows[16*int(r)+k]))
						}
						require.True(t, acc[k] == 0 && math.Signbit(float64(acc[k])) == neg,
							"f16=%v n=%d variant %d: acc[%d]=%v (%#08x), want a zero with sign bit %v", f16, n, v, k, acc[k], math.Float32bits(acc[k]), neg)
					}
				}
			}
		}
	})
}

// fuzzF32s returns n float32 values read from data as little-endian 4-byte
// words (past the end of data mixed with the index, as in fuzzHalves), so
// zeros of both signs, float32 subnormals, infinities and NaNs can occur,
// but with the exponent of every normal value folded into [lo, lo+span):
// the value lies in [2^(lo-127), 2^(lo+span-127)).
func fuzzF32s(data []byte, salt, n int, lo, span uint32) []float32 {
	v := make([]float32, n)
	for i := range v {
		w := uint32(i)*0x9e3779b1 + uint32(salt)*40503
		if len(data) > 0 {
			var p uint32
			for j := range 4 {
				p |= uint32(data[(4*i+j+salt)%len(data)]) << (8 * j)
			}
			if 4*i+3+salt < len(data) {
				w = 0
			}
			w ^= p
		}
		if e := w >> 23 & 0xff; e != 0 && e != 0xff {
			w = w&^(0xff<<23) | (lo+e%span)<<23
		}
		v[i] = math.Float32frombits(w)
	}
	return v
}

// f16Exact returns the binary16 bits of v, which must be zero (of either
// sign) or a normal binary16 value.
func f16Exact(v float32) uint16 {
	b := math.Float32bits(v)
	h := uint16(b>>16) & 0x8000
	if v != 0 {
		e := int(b>>23&0xff) - 127 + 15
		if e < 1 || e > 30 || b&0x1fff != 0 {
			panic(fmt.Sprintf("f16Exact: %v is not a normal binary16 value", v))
		}
		h |= uint16(e)<<10 | uint16(b>>13&0x3ff)
	}
	if math.Float32bits(f16ToF32(h)) != b {
		panic(fmt.Sprintf("f16Exact(%v) = %#04x", v, h))
	}
	return h
}

// FuzzGather16 runs Gather16 and Gather16F16 on fuzz-provided tables,
// indices and coefficients under every tier and compares with the generic
// kernels. Every tier sums the products in its own order (several
// accumulators, added at the end), so results are compared bit for bit
// only where the order cannot matter:
//
//   - exact: table values, coefs and acc are k/16 with |k| <= 128 (some
//     zeros made -0), so every product is a multiple of 2^-8 below 2^6 in
//     magnitude and, with at most 512 indices, every partial sum in any
//     order is exact in float32 (below 2^24 units of 2^-8). Every tier must
//     then equal the generic kernel, and the float64 reference, bit for
//     bit, the sign of a zero sum included.
//   - general: a float32 table whose values have any significand in
//     [2^-40, 2^21) or are zeros, float32 subnormals, infinities or NaNs; a
//     binary16 table of any bit patterns; coefs of any significand in
//     [2^-20, 2^8) or zero, subnormal, infinite or NaN. No finite sum can
//     overflow, so a lane is NaN, +Inf or -Inf in every summation order
//     alike: every tier must have NaNs and infinities exactly where the
//     generic kernel has them, and be within the bound TestGather16 uses of
//     the float64 reference elsewhere.
//
// acc has a sentinel on each side, coef runs past len(idx) with NaNs and
// rows past its last whole row with NaNs: none may be touched.
func FuzzGather16(f *testing.F) {
	// +Inf, -Inf, quiet NaN, signalling NaN, negative NaN, smallest and
	// largest subnormal, -0, largest finite, smallest normal (binary16).
	specials := []byte{0x00, 0x7c, 0x00, 0xfc, 0x00, 0x7e, 0x01, 0x7c, 0xff, 0xff, 0x01, 0x00,
		0xff, 0x83, 0x00, 0x80, 0xff, 0x7b, 0x00, 0x04}
	f.Add([]byte{}, uint8(0), uint16(0))
	f.Add([]byte{1, 2, 3}, uint8(1), uint16(1))
	f.Add([]byte{0x00, 0x3c, 0x00, 0xbc}, uint8(66), uint16(3))
	f.Add(specials, uint8(7), uint16(4))
	f.Add(specials, uint8(200), uint16(9))
	f.Add([]byte("arinfer gather sixteen"), uint8(99), uint16(100))
	f.Add([]byte{0x80, 0x7f, 0xff, 0x00, 0x00, 0x80, 0x01}, uint8(130), uint16(301))
	f.Add([]byte{0x55, 0xaa}, uint8(63), uint16(512))
	f.Fuzz(func(t *testing.T, data []byte, nr uint8, n uint16) {
		nrows, extra := 1+int(nr)%64, 5*int(nr/64)
		nidx := int(n) % 513
		idx := make([]int32, nidx)
		for i := range idx {
			h := uint32(i) * 0x9e3779b1
			if len(data) > 0 {
				h += uint32(data[(5*i+3)%len(data)]) * 0x01000193
			}
			idx[i] = int32(h >> 7 % uint32(nrows))
		}
		same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }
		class := func(v float32) int { // 0 finite, 1 NaN, 2 +Inf, 3 -Inf
			switch {
			case v != v:
				return 1
			case math.IsInf(float64(v), 1):
				return 2
			case math.IsInf(float64(v), -1):
				return 3
			}
			return 0
		}
		// run returns acc0 plus the gathered rows under every tier, each
		// with its two sentinels, checked here.
		run := func(acc0, rows []float32, half []uint16, coef []float32) (ts []Tier, outs [][]float32) {
			ts, outs = eachTier(func() []float32 {
				buf := make([]float32, 18)
				buf[0], buf[17] = guardVal, guardVal
				copy(buf[1:17], acc0)
				if half != nil {
					Gather16F16(buf[1:17], half, idx, coef)
				} else {
					Gather16(buf[1:17], rows, idx, coef)
				}
				return buf
			})
			for k, out := range outs {
				if !same(out[0], guardVal) || !same(out[17], guardVal) {
					t.Fatalf("f16=%v n=%d: tier %s wrote outside acc: %v %v", half != nil, nidx, ts[k], out[0], out[17])
				}
				outs[k] = out[1:17]
			}
			return ts, outs
		}
		// ref returns the float64 sum and the sum of absolute terms for
		// lane k (the row values given by at).
		ref := func(acc0 []float32, coef []float32, at func(j int) float64, k int) (want, scale float64) {
			want, scale = float64(acc0[k]), math.Abs(float64(acc0[k]))
			for i, r := range idx {
				p := float64(coef[i]) * at(16*int(r)+k)
				want += p
				scale += math.Abs(p)
			}
			return want, scale
		}
		// pad returns v followed by m NaNs.
		pad := func(v []float32, m int) []float32 {
			for range m {
				v = append(v, nan32)
			}
			return v
		}

		// Exact values.
		negZero := float32(math.Copysign(0, -1))
		acc0 := fuzzVals(data, 5, 16)
		coef := fuzzVals(data, 6, nidx)
		rows := fuzzVals(data, 7, 16*nrows)
		for k := range acc0 {
			if acc0[k] == 0 && k%2 == 1 {
				acc0[k] = negZero
			}
		}
		for i := range coef {
			if coef[i] == 0 && i%3 == 1 {
				coef[i] = negZero
			}
		}
		half := make([]uint16, len(rows), len(rows)+extra)
		for j := range rows {
			if rows[j] == 0 && j%5 == 2 {
				rows[j] = negZero
			}
			half[j] = f16Exact(rows[j])
		}
		for range extra {
			half = append(half, 0x7e00) // NaN
		}
		coef, rows = pad(coef, 3), pad(rows, extra)
		for _, f16 := range []bool{false, true} {
			var h []uint16
			if f16 {
				h = half
			}
			ts, outs := run(acc0, rows, h, coef)
			for k := range 16 {
				want, _ := ref(acc0, coef, func(j int) float64 { return float64(rows[j]) }, k)
				if !same(outs[0][k], float32(want)) {
					t.Fatalf("exact f16=%v rows=%d n=%d: generic acc[%d]=%v (%#08x), want %v", f16, nrows, nidx, k, outs[0][k], math.Float32bits(outs[0][k]), want)
				}
				for i := 1; i < len(outs); i++ {
					if !same(outs[i][k], outs[0][k]) {
						t.Fatalf("exact f16=%v rows=%d n=%d: tier %s acc[%d]=%v (%#08x), generic %v (%#08x)",
							f16, nrows, nidx, ts[i], k, outs[i][k], math.Float32bits(outs[i][k]), outs[0][k], math.Float32bits(outs[0][k]))
					}
				}
			}
		}

		// Any significands, special values.
		acc0 = fuzzF32s(data, 11, 16, 87, 61)
		coef = pad(fuzzF32s(data, 12, nidx, 107, 28), 3)
		rows = pad(fuzzF32s(data, 13, 16*nrows, 87, 61), extra)
		half = append(fuzzHalves(data, 16*nrows), make([]uint16, extra)...)
		for j := 16 * nrows; j < len(half); j++ {
			half[j] = 0xfe00 // NaN
		}
		for _, f16 := range []bool{false, true} {
			var h []uint16
			at := func(j int) float64 { return float64(rows[j]) }
			if f16 {
				h = half
				at = func(j int) float64 { return float64(f16ToF32(half[j])) }
			}
			ts, outs := run(acc0, rows, h, coef)
			for k := range 16 {
				want, scale := ref(acc0, coef, at, k)
				for i, out := range outs {
					if class(out[k]) != class(outs[0][k]) || !close32(float64(out[k]), want, scale, blasGamma(nidx+1)) {
						t.Fatalf("f16=%v rows=%d n=%d: tier %s acc[%d]=%v, generic %v, want %v (scale %v)",
							f16, nrows, nidx, ts[i], k, out[k], outs[0][k], want, scale)
					}
				}
			}
		}
	})
}
