package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fused cells are checked on every tier against the unfused float64
// math of torch.nn.LSTM/GRU, at the float32 inputs, with an error bound
// derived from the activations' stated bounds (act.go: sigmoid relative
// 3.5e-7, tanh 2.5e-7) and float32 rounding u = 2^-24 of each product and
// sum, plus absolute slack for denormal results.
const (
	errSig  = 3.5e-7
	errTanh = 2.5e-7
	ulp32   = 0x1p-24
	tiny32  = 0x1p-146 // a few denormal ulps
)

func sig64r(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// lstmRef returns c' and h' and their error bounds for one unit.
func lstmRef(gi, gf, gg, gout, c float32) (cw, hw, cb, hb float64) {
	si, sf, so := sig64r(float64(gi)), sig64r(float64(gf)), sig64r(float64(gout))
	tg := math.Tanh(float64(gg))
	cw = sf*float64(c) + si*tg
	tc := math.Tanh(cw)
	hw = so * tc
	cb = 1.01*(math.Abs(sf*float64(c))*(errSig+ulp32)+math.Abs(si*tg)*(errSig+errTanh+ulp32)+math.Abs(cw)*ulp32) +
		tiny32*(2+math.Abs(float64(c)))
	hb = 1.01*(so*cb+math.Abs(hw)*(errSig+errTanh+ulp32)) + tiny32
	return
}

// gruRef returns h' and its error bound for one unit.
func gruRef(gr, gz, gni, gnh, h float32) (hw, hb float64) {
	r, z := sig64r(float64(gr)), sig64r(float64(gz))
	a := float64(gni) + r*float64(gnh)
	n := math.Tanh(a)
	hw = (1-z)*n + z*float64(h)
	ea := math.Abs(r*float64(gnh))*(errSig+ulp32) + math.Abs(a)*ulp32 + tiny32*(1+math.Abs(float64(gnh)))
	en := ea + errTanh*math.Abs(n)
	q := (1 - z) * n
	eq := (1-z)*en + math.Abs(n)*(errSig*z+ulp32*(1-z)) + math.Abs(q)*ulp32 + tiny32*(1+math.Abs(n))
	hb = 1.01*(eq+math.Abs(z*float64(h))*(errSig+ulp32)+math.Abs(hw)*ulp32) + tiny32*(2+math.Abs(float64(h)))
	return
}

// checkLSTM runs LSTMCell on guarded copies and checks every unit, the
// guards and that g is left unchanged.
func checkLSTM(t *testing.T, g, c, h []float32) {
	t.Helper()
	H := len(h)
	gFull, gIn := guardVector(g)
	cFull, cIn := guardVector(c)
	hFull, hIn := guardVector(h)
	LSTMCell(gIn, cIn, hIn)
	checkGuards(t, gFull)
	checkGuards(t, cFull)
	checkGuards(t, hFull)
	require.Equal(t, g, gIn, "LSTMCell changed g")
	for j := 0; j < H; j++ {
		cw, hw, cb, hb := lstmRef(g[j], g[H+j], g[2*H+j], g[3*H+j], c[j])
		in := fmt.Sprintf("H=%d unit %d: g=(%v %v %v %v) c=%v", H, j, g[j], g[H+j], g[2*H+j], g[3*H+j], c[j])
		checkUnit(t, "c", float64(cIn[j]), cw, cb, in)
		checkUnit(t, "h", float64(hIn[j]), hw, hb, in)
	}
}

func checkGRU(t *testing.T, g, h []float32) {
	t.Helper()
	H := len(h)
	gFull, gIn := guardVector(g)
	hFull, hIn := guardVector(h)
	GRUCell(gIn, hIn)
	checkGuards(t, gFull)
	checkGuards(t, hFull)
	require.Equal(t, g, gIn, "GRUCell changed g")
	for j := 0; j < H; j++ {
		hw, hb := gruRef(g[j], g[H+j], g[2*H+j], g[3*H+j], h[j])
		checkUnit(t, "h", float64(hIn[j]), hw, hb,
			fmt.Sprintf("H=%d unit %d: g=(%v %v %v %v) h=%v", H, j, g[j], g[H+j], g[2*H+j], g[3*H+j], h[j]))
	}
}

func checkUnit(t *testing.T, what string, got, want, bound float64, in string) {
	t.Helper()
	if math.IsNaN(want) {
		if !math.IsNaN(got) {
			t.Fatalf("%s: %s = %v, want NaN", in, what, got)
		}
		return
	}
	if math.Abs(got-want) > bound {
		t.Fatalf("%s: %s = %v, want %v (error %.3g > bound %.3g)", in, what, got, want, math.Abs(got-want), bound)
	}
}

// cellInputs returns gates mostly in the working range of the
// nonlinearities with some saturated, tiny and zero values.
func cellInputs(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		switch r.IntN(10) {
		case 0:
			v[i] = float32(r.NormFloat64() * 40)
		case 1:
			v[i] = float32(r.NormFloat64() * 1e-3)
		case 2:
			v[i] = float32(r.NormFloat64() * 0.5)
		default:
			v[i] = float32(r.NormFloat64() * 3)
		}
	}
	return v
}

func TestRNNCellsMatchFloat64(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 17))
		for _, H := range sweepLengths() {
			g := cellInputs(r, 4*H)
			c := cellInputs(r, H)
			h := make([]float32, H)
			for j := range h {
				h[j] = float32(r.Float64()*2 - 1)
			}
			checkLSTM(t, g, c, h)
			checkGRU(t, g, h)
		}
	})
}

// TestRNNCellsSpecialValues: saturated gates give the exact limits
// (σ(±Inf) = 1/0, tanh(±Inf) = ±1) and NaN propagates, on every tier.
func TestRNNCellsSpecialValues(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	tests := []struct {
		name          string
		gi, gf, gg, o float32
		c             float32
		wantC, wantH  float64
	}{
		{"keep", -inf, inf, 0, inf, 0.75, 0.75, math.Tanh(0.75)},
		{"forget and write", inf, -inf, inf, inf, 3, 1, math.Tanh(1)},
		{"closed output", inf, inf, -inf, -inf, 0.5, -0.5, 0},
		{"zero", 0, 0, 0, 0, 0, 0, 0},
		{"nan gate", nan, 0, 0, 0, 1, math.NaN(), math.NaN()},
		{"nan cell", 0, 0, 0, 0, nan, math.NaN(), math.NaN()},
	}
	testAllTiers(t, func(t *testing.T) {
		for _, tc := range tests {
			for _, H := range []int{1, 8, 13} { // a tail, a full vector, both
				g := make([]float32, 4*H)
				c := make([]float32, H)
				h := make([]float32, H)
				for j := 0; j < H; j++ {
					g[j], g[H+j], g[2*H+j], g[3*H+j], c[j] = tc.gi, tc.gf, tc.gg, tc.o, tc.c
				}
				LSTMCell(g, c, h)
				for j := 0; j < H; j++ {
					checkUnit(t, "c", float64(c[j]), tc.wantC, 0, tc.name)
					checkUnit(t, "h", float64(h[j]), tc.wantH, 2.5e-7*math.Abs(tc.wantH), tc.name)
				}
			}
		}
		grus := []struct {
			name             string
			r, z, ni, nh, h0 float32
			want             float64
		}{
			{"update closed", 0, -inf, 0.5, 2, 0.3, math.Tanh(1.5)},
			{"update open", 1, inf, 5, 5, -0.25, -0.25},
			{"reset closed", -inf, -inf, -0.5, 1e30, 0.9, math.Tanh(-0.5)},
			{"saturated", inf, -inf, inf, 0, 0, 1},
			{"nan", 0, 0, nan, 0, 0, math.NaN()},
		}
		for _, tc := range grus {
			for _, H := range []int{1, 8, 13} {
				g := make([]float32, 4*H)
				h := make([]float32, H)
				for j := 0; j < H; j++ {
					g[j], g[H+j], g[2*H+j], g[3*H+j], h[j] = tc.r, tc.z, tc.ni, tc.nh, tc.h0
				}
				GRUCell(g, h)
				for j := 0; j < H; j++ {
					checkUnit(t, "h", float64(h[j]), tc.want, 4e-7*math.Abs(tc.want)+tiny32, tc.name)
				}
			}
		}
	})
}

// TestRNNCellsAgreeAcrossTiers: every tier computes the same float32
// algorithm, so the tiers agree to a few ulp of the state's scale.
func TestRNNCellsAgreeAcrossTiers(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	const H = 301
	g := cellInputs(r, 4*H)
	c0 := cellInputs(r, H)
	var refC, refH, refG []float32
	withTier(Generic, func() {
		refC, refH = append([]float32(nil), c0...), make([]float32, H)
		LSTMCell(g, refC, refH)
		refG = append([]float32(nil), refH...)
		GRUCell(g, refG)
	})
	testAllTiers(t, func(t *testing.T) {
		c, h := append([]float32(nil), c0...), make([]float32, H)
		LSTMCell(g, c, h)
		hg := append([]float32(nil), h...)
		GRUCell(g, hg)
		for j := 0; j < H; j++ {
			scale := math.Abs(float64(c0[j])) + 1
			assert.InDelta(t, refC[j], c[j], 8*ulp32*scale, "c[%d]", j)
			assert.InDelta(t, refH[j], h[j], 8*ulp32*scale, "h[%d]", j)
			assert.InDelta(t, refG[j], hg[j], 8*ulp32*scale, "gru h[%d]", j)
		}
	})
}

func TestRNNCellsPanicOnShortSlices(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"lstm short g", func() { LSTMCell(make([]float32, 11), make([]float32, 3), make([]float32, 3)) }},
		{"lstm short c", func() { LSTMCell(make([]float32, 12), make([]float32, 2), make([]float32, 3)) }},
		{"gru short g", func() { GRUCell(make([]float32, 11), make([]float32, 3)) }},
	}
	testAllTiers(t, func(t *testing.T) {
		for _, tc := range tests {
			assert.Panics(t, tc.f, tc.name)
		}
	})
}

func TestRNNCellsAllocateNothing(t *testing.T) {
	g, c, h := make([]float32, 4*64), make([]float32, 64), make([]float32, 64)
	testAllTiers(t, func(t *testing.T) {
		assert.Zero(t, testing.AllocsPerRun(50, func() { LSTMCell(g, c, h); GRUCell(g, h) }))
	})
}

// FuzzRNNCell decodes H (first byte, 0..63) and then float32 gates, cells
// and states, and checks both cells on every tier against float64 math.
// Non-finite and huge values are folded into ±1e30 so that float32 and
// float64 overflow alike (special values: TestRNNCellsSpecialValues).
func FuzzRNNCell(f *testing.F) {
	enc := func(H byte, vs ...float32) []byte {
		b := []byte{H}
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
		return b
	}
	f.Add(enc(1, 0, 0, 0, 0, 0, 0))
	f.Add(enc(2, 1, -1, 0.625, -0.625, 88.7, -87.4, -104, 20, 3, -3, 0.5, -0.5))
	f.Add(enc(9, -20, -10, 5, 30, 50, 100, -100, 1e-30, -1e-30, 1e30))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		H := int(data[0] % 64)
		data = data[1:]
		vals := make([]float32, 6*H) // 4H gates, H cells, H states
		for i := range vals {
			if 4*i+4 <= len(data) {
				v := math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
				if !(math.Abs(float64(v)) <= 1e30) {
					v = float32(math.Copysign(1e30, float64(v)))
					if math.IsNaN(float64(math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])))) {
						v = 0.5
					}
				}
				vals[i] = v
			} else {
				vals[i] = float32(i%7) - 3
			}
		}
		g, c, h := vals[:4*H], vals[4*H:5*H], vals[5*H:]
		for j := range h {
			h[j] = float32(math.Max(-1, math.Min(1, float64(h[j])))) // a state is a tanh output
		}
		testAllTiers(t, func(t *testing.T) {
			checkLSTM(t, g, append([]float32(nil), c...), make([]float32, H))
			checkGRU(t, g, append([]float32(nil), h...))
		})
	})
}
