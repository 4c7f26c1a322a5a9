package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gateBound is Gate's stated error bound (gate.go): the tanh and sigmoid
// bounds of act.go (2.5e-7 and 3.5e-7 relative, 2^-149 absolute for a
// denormal sigmoid) and the product's rounding (2^-24 relative, 2^-150
// absolute when denormal).
const (
	gateRel = 6.6e-7
	gateAbs = 0x1p-148
)

func gateRef(a, b float32) float64 { return math.Tanh(float64(a)) * sigmoidRef(float64(b)) }

func gateOK(got float32, want float64) bool {
	g := float64(got)
	switch {
	case math.IsNaN(want):
		return math.IsNaN(g)
	case math.IsInf(g, 0) || math.IsNaN(g):
		return false
	}
	return math.Abs(g-want) <= gateRel*math.Abs(want)+gateAbs
}

// TestGateAccuracy pairs the activation tests' inputs (special values, a
// dense sweep of [-100, 100], random bit patterns) in two orders and checks
// every result against float64 math, out of place and in place on either
// operand.
func TestGateAccuracy(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		a := actInputs(r, 100000, 100000)
		b := slices.Clone(a)
		r.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
		for _, pair := range [][2][]float32{{a, b}, {b, a}} {
			x, y := pair[0], pair[1]
			dst := make([]float32, len(x))
			Gate(dst, x, y)
			inA := slices.Clone(x)
			Gate(inA, inA, y)
			inB := slices.Clone(y)
			Gate(inB, x, inB)
			bad := 0
			var maxRel float64
			for i := range x {
				want := gateRef(x[i], y[i])
				if !gateOK(dst[i], want) {
					bad++
					if bad <= 10 {
						t.Errorf("gate(%v, %v) = %v, want %v", x[i], y[i], dst[i], want)
					}
				}
				same := math.Float32bits(dst[i])
				if math.Float32bits(inA[i]) != same || math.Float32bits(inB[i]) != same {
					bad++
					if bad <= 10 {
						t.Errorf("gate(%v, %v) in place = %v / %v, out of place %v", x[i], y[i], inA[i], inB[i], dst[i])
					}
				}
				if want != 0 && !math.IsNaN(want) && math.Abs(want) > 1e-30 {
					maxRel = max(maxRel, math.Abs(float64(dst[i])-want)/math.Abs(want))
				}
			}
			assert.Zero(t, bad, "%d results out of bound", bad)
			t.Logf("max relative error %.3g over %d inputs", maxRel, len(x))
		}
	})
}

// TestGateSpecial: the exact limits at infinities, signed zeros and NaN, in
// every lane position (vector body and tail).
func TestGateSpecial(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	tests := []struct {
		a, b float32
		want float32
	}{
		{inf, inf, 1}, {-inf, inf, -1}, {inf, -inf, 0}, {-inf, -inf, negZero},
		{0, 3, 0}, {negZero, 3, negZero}, {2, -inf, 0}, {-2, -inf, negZero},
		{nan, 1, nan}, {1, nan, nan}, {nan, -inf, nan}, {20, 40, 1},
	}
	testAllTiers(t, func(t *testing.T) {
		for _, tc := range tests {
			for pos := 0; pos < 35; pos++ {
				a, b := make([]float32, 35), make([]float32, 35)
				for i := range a {
					a[i], b[i] = 0.5, -0.5
				}
				a[pos], b[pos] = tc.a, tc.b
				dst := make([]float32, 35)
				Gate(dst, a, b)
				got := dst[pos]
				if tc.want != tc.want {
					assert.True(t, got != got, "gate(%v, %v) at %d = %v, want NaN", tc.a, tc.b, pos, got)
					continue
				}
				assert.Equal(t, math.Float32bits(tc.want), math.Float32bits(got), "gate(%v, %v) at %d = %v, want %v", tc.a, tc.b, pos, got, tc.want)
			}
		}
	})
}

// TestGateLengths: every length, unaligned, with guard bands; the tiers
// agree with the generic kernel to a few ulp.
func TestGateLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	testAllTiers(t, func(t *testing.T) {
		for _, n := range sweepLengths() {
			for _, off := range []int{0, 1, 3} {
				a := randVec(r, n+2, off)
				b := randVec(r, n+1, (off+1)%4)
				for i := range a {
					a[i] *= 6
				}
				for i := range b {
					b[i] *= 12
				}
				full, dst := guardVector(make([]float32, n))
				Gate(dst, a, b)
				checkGuards(t, full)
				for i := range dst {
					want := gateRef(a[i], b[i])
					require.True(t, gateOK(dst[i], want), "n=%d: gate(%v, %v) = %v, want %v", n, a[i], b[i], dst[i], want)
				}
			}
		}
	})
}

// TestGateRows: strided rows with guard values between them, in place
// (dst = src, ldd <= lds) and out of place.
func TestGateRows(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	shapes := []struct{ n, f, lds, ldd int }{
		{1, 1, 2, 1}, {3, 5, 10, 5}, {7, 17, 37, 19}, {4, 32, 64, 32}, {9, 33, 70, 40}, {2, 64, 128, 64}, {5, 0, 3, 1}, {0, 4, 8, 4},
	}
	testAllTiers(t, func(t *testing.T) {
		for _, s := range shapes {
			srcLen := 0
			if s.n > 0 {
				srcLen = (s.n-1)*s.lds + 2*s.f
			}
			src := randVec(r, srcLen, 0)
			for i := range src {
				src[i] *= 8
			}
			dstLen := 0
			if s.n > 0 {
				dstLen = (s.n-1)*s.ldd + s.f
			}
			g := newGuarded(make([]float32, dstLen), s.n, s.f, s.ldd, 1)
			if s.n == 0 {
				g = newGuarded(nil, 0, 0, 1, 1)
			}
			GateRows(s.n, s.f, src, s.lds, g.data(), s.ldd)
			g.check(t)
			in := slices.Clone(src)
			GateRows(s.n, s.f, in, s.lds, in, s.ldd)
			for p := 0; p < s.n; p++ {
				for j := 0; j < s.f; j++ {
					want := gateRef(src[p*s.lds+j], src[p*s.lds+s.f+j])
					require.True(t, gateOK(g.at(p, j), want), "%+v pixel %d channel %d: %v want %v", s, p, j, g.at(p, j), want)
					require.Equal(t, g.at(p, j), in[p*s.ldd+j], "%+v in place pixel %d channel %d", s, p, j)
				}
			}
		}
	})
}

func TestGatePanics(t *testing.T) {
	v := make([]float32, 8)
	for _, f := range []func(){
		func() { Gate(v, v[:7], v) },
		func() { Gate(v, v, v[:3]) },
		func() { GateRows(2, 4, v, 7, v, 4) },
		func() { GateRows(2, 4, v, 8, v, 3) },
		func() { GateRows(2, 4, v[:7], 8, make([]float32, 16), 8) },
		func() { GateRows(2, 4, make([]float32, 16), 8, v[:7], 4) },
		func() { GateRows(-1, 4, v, 8, v, 4) },
	} {
		require.Panics(t, f)
	}
}

// TestGateMatchesActivations: on every tier, Gate gives the bits of the
// tier's own Tanh and Sigmoid multiplied in float32, as its comment says.
func TestGateMatchesActivations(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	a := actInputs(r, 20000, 20000)
	b := slices.Clone(a)
	r.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
	testAllTiers(t, func(t *testing.T) {
		th, sg, got := make([]float32, len(a)), make([]float32, len(a)), make([]float32, len(a))
		Tanh(th, a)
		Sigmoid(sg, b)
		Gate(got, a, b)
		for i := range got {
			want := th[i] * sg[i]
			if math.Float32bits(got[i]) != math.Float32bits(want) && !(got[i] != got[i] && want != want) {
				t.Fatalf("gate(%v, %v) = %v, tanh·sigmoid = %v·%v = %v", a[i], b[i], got[i], th[i], sg[i], want)
			}
		}
	})
}
