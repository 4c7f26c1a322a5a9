package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
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
