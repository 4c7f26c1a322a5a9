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
