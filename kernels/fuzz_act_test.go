package kernels

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzActivations decodes the input as little-endian float32 values and
// checks every activation and reduction, on every tier, against its float64
// peer within the bound stated in act.go. The first byte (if any) picks the
// binary data pattern for BernoulliLogProb. SigmoidDot takes a = x and v =
// x reversed, with values that are not finite or exceed 2^60 in magnitude
// replaced by ±1 (its bound assumes finite v and no overflow).
func FuzzActivations(f *testing.F) {
	seed := func(vs ...float32) []byte {
		b := []byte{0x5a}
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
		return b
	}
	f.Add(seed(0, 1, -1, 88.72284, -87.3365, -103.97, 0.625))
	f.Add(seed(float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, math.SmallestNonzeroFloat32))
	f.Add(seed(-20, -10, 5, 30, 50, 100, -100, 0.41421356, 1e-30, -1e-30))
	// A Bernoulli term (softplus(-127.6) ~ 4e-56) that underflows float32.
	f.Add([]byte("100\xffB"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var pattern byte
		if len(data) > 0 {
			pattern, data = data[0], data[1:]
		}
		x := make([]float32, len(data)/4)
		bits := make([]float32, len(x))
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
			bits[i] = float32((pattern >> (i % 8)) & 1)
		}
		v := make([]float32, len(x))
		for i := range v {
			v[i] = x[len(x)-1-i]
			if !(math.Abs(float64(v[i])) <= 0x1p60) {
				v[i] = 1 - 2*bits[i]
			}
		}
		for _, tier := range Available() {
			withTier(tier, func() {
				dst := make([]float32, len(x))
				for _, a := range unaryActs {
					a.f(dst, x)
					for i, v := range x {
						if want := a.ref(float64(v)); !a.bound.ok(float64(dst[i]), want) {
							t.Fatalf("%s: %s(%v [%#08x]) = %v, want %v", tier, a.name, v, math.Float32bits(v), dst[i], want)
						}
					}
				}
				if got, want := float64(LogSumExp(x)), lseRef(x); !close32(got, want, 1, lseTol(x)) {
					t.Fatalf("%s: LogSumExp(%v) = %v, want %v", tier, x, got, want)
				}
				if got := SigmoidDot(v, x); sigmoidDotErr(got, v, x) > 1 {
					want, tol := sigmoidDotRef(v, x)
					t.Fatalf("%s: SigmoidDot(%v, %v) = %v, want %v (bound %.3g)", tier, v, x, got, want, tol)
				}
				if got := BernoulliLogProb(x, bits); !bernoulliOK(got, x, bits) {
					want, _ := bernoulliRef(x, bits)
					t.Fatalf("%s: BernoulliLogProb(%v, %v) = %v, want %v", tier, x, bits, got, want)
				}
			})
		}
	})
}
