package kernels

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Float64 peers of the activations, computed with package math from the
// exact float32 inputs.

func sigmoidRef(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

func softplusRef(v float64) float64 {
	if math.IsNaN(v) {
		return v
	}
	return math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v)))
}

func logSigmoidRef(v float64) float64 { return -softplusRef(-v) }

func reluRef(v float64) float64 {
	if v < 0 {
		return 0
	}
	return v
}

// actBound is a stated error bound: |got - want| <= max(rel*|want|, abs),
// where want is the float64 value of the function at the float32 input. A
// result of ±Inf is accepted for a finite want only when a value within rel
// of want overflows float32.
type actBound struct{ rel, abs float64 }

func (b actBound) ok(got, want float64) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0):
		return got == want
	case math.IsInf(got, 0):
		return math.Signbit(got) == math.Signbit(want) && math.Abs(want)*(1+b.rel) > math.MaxFloat32
	}
	return math.Abs(got-want) <= math.Max(b.rel*math.Abs(want), b.abs)
}

// The bounds stated in act.go, checked on every tier.
var (
	expBound        = actBound{rel: 2.5e-7, abs: 0x1p-149}
	sigmoidBound    = actBound{rel: 3.5e-7, abs: 0x1p-149}
	tanhBound       = actBound{rel: 2.5e-7, abs: 0}
	softplusBound   = actBound{rel: 3.5e-7, abs: 0x1p-149}
	logSigmoidBound = softplusBound
	reluBound       = actBound{rel: 0, abs: 0}
)

type unaryAct struct {
	name  string
	f     func(dst, x []float32)
	ref   func(float64) float64
	bound actBound
}

var unaryActs = []unaryAct{
	{"Exp", Exp, math.Exp, expBound},
	{"Sigmoid", Sigmoid, sigmoidRef, sigmoidBound},
	{"Tanh", Tanh, math.Tanh, tanhBound},
	{"Softplus", Softplus, softplusRef, softplusBound},
	{"LogSigmoid", LogSigmoid, logSigmoidRef, logSigmoidBound},
	{"Relu", Relu, reluRef, reluBound},
}

// specialInputs are the edge cases every activation is checked on.
func specialInputs() []float32 {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	v := []float32{
		0, float32(math.Copysign(0, -1)), inf, -inf, nan,
		math.MaxFloat32, -math.MaxFloat32,
		0x1p-126, -0x1p-126, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
		1, -1, 0.5, -0.5, 0.625, -0.625, 0.41421356, -0.41421356, 1e-20, -1e-20,
		// exp overflow and underflow thresholds, normal/denormal boundary, clamps
		88.72, -88.72, 88.7228, 88.72283, 88.72284, 88.7229, -87.33, -87.3365, -87.34,
		103.97, -103.97, -103.972, -103.98, 89, -89, 104, -104, 105, -105, 100, -100,
	}
	// Neighbours (±4 ulp) of the thresholds.
	for _, c := range []float32{88.72283935546875, -87.33654475, -103.972076, 0.625, -0.625, 0.41421356} {
		b := math.Float32bits(c)
		for d := -4; d <= 4; d++ {
			v = append(v, math.Float32frombits(uint32(int64(b)+int64(d))))
		}
	}
	return v
}

// actInputs are the inputs of the whole-range accuracy test: special
// values, a dense sweep of [-100, 100] and random float32 bit patterns.
func actInputs(r *rand.Rand, nDense, nRandom int) []float32 {
	v := specialInputs()
	for i := 0; i <= nDense; i++ {
		v = append(v, float32(-100+200*float64(i)/float64(nDense)))
	}
	for i := 0; i < nRandom; i++ {
		v = append(v, math.Float32frombits(r.Uint32()))
	}
	return v
}

// checkUnaryAct runs a.f on x (out of place and in place) and checks every
// result against the float64 peer within a's bound. It returns the largest
// relative error seen where |want| >= abs/rel and the largest absolute error
// elsewhere, for reporting.
func checkUnaryAct(t *testing.T, a unaryAct, x []float32) (maxRel, maxAbs float64) {
	t.Helper()
	dst := make([]float32, len(x))
	a.f(dst, x)
	inPlace := append([]float32(nil), x...)
	a.f(inPlace, inPlace)
	bad := 0
	for i, v := range x {
		want := a.ref(float64(v))
		got := float64(dst[i])
		if !a.bound.ok(got, want) {
			bad++
			if bad <= 10 {
				t.Errorf("%s(%v [%#08x]) = %v, want %v (error %.3g, rel %.3g)", a.name, v, math.Float32bits(v), got, want, got-want, (got-want)/want)
			}
		}
		if math.Float32bits(inPlace[i]) != math.Float32bits(dst[i]) {
			bad++
			if bad <= 10 {
				t.Errorf("%s(%v) in place = %v, out of place %v", a.name, v, inPlace[i], dst[i])
			}
		}
		if math.IsNaN(want) || math.IsInf(want, 0) || math.IsInf(got, 0) {
			continue
		}
		e := math.Abs(got - want)
		if a.bound.rel > 0 && want != 0 && math.Abs(want) >= a.bound.abs/a.bound.rel {
			maxRel = max(maxRel, e/math.Abs(want))
		} else {
			maxAbs = max(maxAbs, e)
		}
	}
	assert.Zero(t, bad, "%s: %d results out of bound", a.name, bad)
	return maxRel, maxAbs
}

func TestActivationsAccuracy(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		x := actInputs(r, 400000, 400000)
		for _, a := range unaryActs {
			t.Run(a.name, func(t *testing.T) {
				maxRel, maxAbs := checkUnaryAct(t, a, x)
				t.Logf("%s on %d inputs: max relative error %.3g (%.2f ulp of 2^-24), max absolute error elsewhere %.3g",
					a.name, len(x), maxRel, maxRel/0x1p-24, maxAbs)
			})
		}
	})
}

// TestActivationsSpecial checks exact results at special values, on every
// tier.
func TestActivationsSpecial(t *testing.T) {
	inf := math.Inf(1)
	nan := math.NaN()
	negZero := math.Copysign(0, -1)
	tests := []struct {
		name string
		f    func(dst, x []float32)
		in   float64
		want float64
	}{
		{"Exp", Exp, inf, inf},
		{"Exp", Exp, -inf, 0},
		{"Exp", Exp, nan, nan},
		{"Exp", Exp, 0, 1},
		{"Exp", Exp, negZero, 1},
		{"Exp", Exp, 89, inf},
		{"Exp", Exp, math.MaxFloat32, inf},
		{"Exp", Exp, -104, 0},
		{"Exp", Exp, -math.MaxFloat32, 0},
		{"Sigmoid", Sigmoid, inf, 1},
		{"Sigmoid", Sigmoid, -inf, 0},
		{"Sigmoid", Sigmoid, nan, nan},
		{"Sigmoid", Sigmoid, 0, 0.5},
		{"Sigmoid", Sigmoid, 20, 1},
		{"Tanh", Tanh, inf, 1},
		{"Tanh", Tanh, -inf, -1},
		{"Tanh", Tanh, nan, nan},
		{"Tanh", Tanh, 0, 0},
		{"Tanh", Tanh, negZero, negZero},
		{"Tanh", Tanh, 10, 1},
		{"Tanh", Tanh, -10, -1},
		{"Softplus", Softplus, inf, inf},
		{"Softplus", Softplus, -inf, 0},
		{"Softplus", Softplus, nan, nan},
		{"Softplus", Softplus, 1e30, 1e30},
		{"LogSigmoid", LogSigmoid, inf, negZero},
		{"LogSigmoid", LogSigmoid, -inf, -inf},
		{"LogSigmoid", LogSigmoid, nan, nan},
		{"LogSigmoid", LogSigmoid, -1e30, -1e30},
		{"Relu", Relu, inf, inf},
		{"Relu", Relu, -inf, 0},
		{"Relu", Relu, nan, nan},
		{"Relu", Relu, negZero, negZero},
		{"Relu", Relu, -3, 0},
		{"Relu", Relu, 3, 3},
	}
	testAllTiers(t, func(t *testing.T) {
		for _, tc := range tests {
			// Put the value in every lane position of a 17-element vector
			// so it goes through the vector body and the tail.
			for pos := 0; pos < 17; pos++ {
				x := make([]float32, 17)
				for i := range x {
					x[i] = 0.25
				}
				x[pos] = float32(tc.in)
				dst := make([]float32, len(x))
				tc.f(dst, x)
				got := dst[pos]
				if math.IsNaN(tc.want) {
					assert.True(t, got != got, "%s(%v) at %d = %v, want NaN", tc.name, tc.in, pos, got)
					continue
				}
				assert.Equal(t, math.Float32bits(float32(tc.want)), math.Float32bits(got), "%s(%v) at %d = %v, want %v", tc.name, tc.in, pos, got, float32(tc.want))
			}
		}
	})
}

// TestActivationsLengths checks every length in sweepLengths on unaligned
// sub-slices with guard bands, out of place and in place.
func TestActivationsLengths(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, a := range unaryActs {
			for _, n := range sweepLengths() {
				for _, off := range []int{0, 1, 3} {
					x := randVec(r, n, off)
					for i := range x {
						x[i] *= 30 // cover both branches of tanh and the log1p split
					}
					xCopy := slices.Clone(x)
					full, dst := guardVector(make([]float32, n))
					a.f(dst, x)
					checkGuards(t, full)
					require.Equal(t, xCopy, x, "%s n=%d: input modified", a.name, n)
					for i, v := range x {
						if !a.bound.ok(float64(dst[i]), a.ref(float64(v))) {
							t.Fatalf("%s n=%d off=%d: [%d] f(%v) = %v, want %v", a.name, n, off, i, v, dst[i], a.ref(float64(v)))
						}
					}
					// In place inside guard bands.
					fullIP, ip := guardVector(x)
					a.f(ip, ip)
					checkGuards(t, fullIP)
					assert.Equal(t, dst, ip, "%s n=%d off=%d: in place differs", a.name, n, off)
				}
			}
		}
	})
}

func TestActivationsPanicShortDst(t *testing.T) {
	for _, a := range unaryActs {
		assert.Panics(t, func() { a.f(make([]float32, 3), make([]float32, 4)) }, a.name)
	}
	assert.Panics(t, func() { LogSoftmax(make([]float32, 3), make([]float32, 4)) })
	assert.Panics(t, func() { BernoulliLogProb(make([]float32, 4), make([]float32, 3)) })
	assert.Panics(t, func() { SigmoidDot(make([]float32, 3), make([]float32, 4)) })
}

// lseRef is log(sum_i exp(x[i])) in float64 from the float32 inputs.
func lseRef(x []float32) float64 {
	if len(x) == 0 {
		return math.Inf(-1)
	}
	m := math.Inf(-1)
	for _, v := range x {
		if v != v {
			return math.NaN()
		}
		m = math.Max(m, float64(v))
	}
	if math.IsInf(m, 0) {
		return m
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// lseTol is the error bound stated for LogSumExp in act.go:
// 2.5e-7 + 2e-7*max_i|x[i]| + 6e-8*ln(len(x)).
func lseTol(x []float32) float64 {
	var mx float64
	for _, v := range x {
		mx = math.Max(mx, math.Abs(float64(v)))
	}
	return 2.5e-7 + 2e-7*mx + 6e-8*math.Log(float64(len(x)))
}

// bernoulliRef returns the float64 Bernoulli log-likelihood and the sum of
// the magnitudes of its terms.
func bernoulliRef(logits, x []float32) (want, mag float64) {
	for i, l := range logits {
		t := softplusRef(float64((1 - 2*x[i]) * l))
		want -= t
		mag += math.Abs(t)
	}
	return want, mag
}

// bernoulliTol is the bound stated for BernoulliLogProb in act.go:
// |error| <= 3.5e-7*sum_i|term_i| + 2^-24*|want| + 2^-149*(len(logits)+1).
func bernoulliTol(want, mag float64, n int) float64 {
	return 3.5e-7*mag + 0x1p-24*math.Abs(want) + 0x1p-149*float64(n+1)
}

// bernoulliOK reports whether got meets bernoulliTol. As for the
// elementwise bounds, -Inf is accepted for a finite want when a value
// within the bound of want is below -MaxFloat32 (it overflows float32).
func bernoulliOK(got float32, logits, x []float32) bool {
	want, mag := bernoulliRef(logits, x)
	tol := bernoulliTol(want, mag, len(logits))
	if math.IsInf(float64(got), -1) && !math.IsInf(want, 0) && !math.IsNaN(want) {
		return want-tol < -math.MaxFloat32
	}
	return close32(float64(got), want, 1, tol)
}

func TestLogSumExp(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	special := []struct {
		name string
		x    []float32
	}{
		{"empty", []float32{}},
		{"one", []float32{3}},
		{"allNegInf", []float32{-inf, -inf, -inf}},
		{"posInf", []float32{1, inf, 2, -inf, 5, 6, 7, 8, 9, 10}},
		{"nanFirst", []float32{nan, 1, 2}},
		{"nanInTail", []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, nan}},
		{"nanAndInf", []float32{inf, 2, 3, 4, 5, 6, 7, 8, 9, nan, 1}},
		{"negInfAndFinite", []float32{-inf, -1000, -inf}},
		{"huge", []float32{math.MaxFloat32, math.MaxFloat32, 0}},
		{"tiny", []float32{-math.MaxFloat32, -math.MaxFloat32}},
		{"allNegative", []float32{-5, -6, -7, -8, -9, -10, -11, -12, -13}},
	}
	testAllTiers(t, func(t *testing.T) {
		for _, tc := range special {
			got := float64(LogSumExp(tc.x))
			want := lseRef(tc.x)
			assert.True(t, close32(got, want, 1, lseTol(tc.x)), "%s: LogSumExp = %v, want %v", tc.name, got, want)
		}
		r := rand.New(rand.NewPCG(5, 6))
		var worst float64
		for _, scale := range []float32{1, 30, 1000} {
			for _, n := range sweepLengths() {
				for _, off := range []int{0, 1} {
					x := randVec(r, n, off)
					for i := range x {
						x[i] *= scale
					}
					got := float64(LogSumExp(x))
					want := lseRef(x)
					if !close32(got, want, 1, lseTol(x)) {
						t.Fatalf("scale %v n=%d off=%d: LogSumExp = %v, want %v (error %.3g, bound %.3g)", scale, n, off, got, want, got-want, lseTol(x))
					}
					if n > 0 {
						worst = max(worst, math.Abs(got-want)/lseTol(x))
					}
					// LogSoftmax is composed from LogSumExp.
					full, dst := guardVector(make([]float32, n))
					LogSoftmax(dst, x)
					checkGuards(t, full)
					for i, v := range x {
						w := float64(v) - want
						if !close32(float64(dst[i]), w, 1, lseTol(x)+0x1p-24*math.Abs(w)) {
							t.Fatalf("LogSoftmax n=%d [%d] = %v, want %v", n, i, dst[i], w)
						}
					}
				}
			}
		}
		t.Logf("largest LogSumExp error: %.3f of the stated bound", worst)
	})
}

func TestBernoulliLogProb(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	special := []struct {
		name      string
		logits, x []float32
		want      float64
	}{
		{"empty", []float32{}, []float32{}, 0},
		{"zeroLogit", []float32{0}, []float32{1}, -math.Ln2},
		{"certainRight", []float32{inf, -inf}, []float32{1, 0}, 0},
		{"certainWrong", []float32{inf, 0}, []float32{0, 1}, math.Inf(-1)},
		{"nan", []float32{1, nan, 2}, []float32{1, 0, 1}, math.NaN()},
	}
	testAllTiers(t, func(t *testing.T) {
		for _, tc := range special {
			got := float64(BernoulliLogProb(tc.logits, tc.x))
			assert.True(t, close32(got, tc.want, 1, 1e-7), "%s: got %v, want %v", tc.name, got, tc.want)
		}
		r := rand.New(rand.NewPCG(7, 8))
		var worst float64
		for _, scale := range []float32{1, 10, 100} {
			for _, n := range sweepLengths() {
				for _, off := range []int{0, 3} {
					logits := randVec(r, n, off)
					for i := range logits {
						logits[i] *= scale
					}
					// x is longer than logits: the extra elements are ignored.
					x := make([]float32, n+5)
					for i := range x {
						x[i] = float32(r.IntN(2))
					}
					got := BernoulliLogProb(logits, x)
					if !bernoulliOK(got, logits, x) {
						want, mag := bernoulliRef(logits, x)
						t.Fatalf("scale %v n=%d: got %v, want %v (error %.3g, sum|terms| %.3g)", scale, n, got, want, float64(got)-want, mag)
					}
					if want, mag := bernoulliRef(logits, x); mag > 0 {
						worst = max(worst, math.Abs(float64(got)-want)/bernoulliTol(want, mag, n))
					}
				}
			}
		}
		t.Logf("largest BernoulliLogProb error: %.3f of the stated bound", worst)
	})
}

// sigmoidDotRef returns sum_j v[j]*sigmoid(a[j]) in float64 from the
// float32 inputs and the error bound stated for SigmoidDot in act.go:
// (3.5e-7 + 1.0000004γ)S + (1+γ)2^-149(V+n), γ = γ_{n+1}, S = sum_j
// |v[j]*sigmoid(a[j])|, V = sum_j |v[j]|.
func sigmoidDotRef(v, a []float32) (want, tol float64) {
	var s, vs float64
	for j, x := range a {
		t := float64(v[j]) * sigmoidRef(float64(x))
		want += t
		s += math.Abs(t)
		vs += math.Abs(float64(v[j]))
	}
	g := blasGamma(len(a))
	return want, (3.5e-7+1.0000004*g)*s + (1+g)*0x1p-149*(vs+float64(len(a)))
}

// f32Bits returns the bit patterns of x (so NaN compares equal to itself).
func f32Bits(x []float32) []uint32 {
	b := make([]uint32, len(x))
	for i, v := range x {
		b[i] = math.Float32bits(v)
	}
	return b
}

// sigmoidDotErr returns |got - want| / bound for SigmoidDot(v, a) = got
// (0 when both are NaN, +Inf when only one is).
func sigmoidDotErr(got float32, v, a []float32) float64 {
	want, tol := sigmoidDotRef(v, a)
	g := float64(got)
	switch {
	case math.IsNaN(want) || math.IsNaN(g):
		if math.IsNaN(want) && math.IsNaN(g) {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(want, 0) || math.IsInf(g, 0):
		if g == want {
			return 0
		}
		return math.Inf(1)
	case tol == 0:
		if g == want {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(g-want) / tol
}

// TestSigmoidDot checks SigmoidDot on every length in sweepLengths, on
// unaligned sub-slices of v and a, with a of several scales (up to
// |a| ~ 120, past the exp clamps, so sigmoids of 0, 1 and denormals occur),
// against float64 within the bound stated in act.go. It also checks that
// the result agrees with the tier's own Sigmoid followed by a float64 dot
// within float32 summation error alone (γ_{n+1} of the terms), so the
// fused sigmoids are the unfused ones, and that elements of v beyond
// len(a) are never read.
func TestSigmoidDot(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		var worst float64
		for _, scale := range []float32{1, 8, 30, 120} {
			for _, n := range sweepLengths() {
				for _, off := range [][2]int{{0, 0}, {1, 3}, {3, 1}, {2, 5}} {
					v := randVec(r, n+3, off[0])
					v[n], v[n+1], v[n+2] = nan32, nan32, nan32 // beyond len(a): never read
					a := randVec(r, n, off[1])
					for i := range a {
						a[i] *= scale
					}
					vCopy, aCopy := slices.Clone(v), slices.Clone(a)
					got := SigmoidDot(v, a)
					require.Equal(t, f32Bits(vCopy), f32Bits(v), "n=%d: v modified", n)
					require.Equal(t, aCopy, a, "n=%d: a modified", n)
					e := sigmoidDotErr(got, v, a)
					if e > 1 {
						want, tol := sigmoidDotRef(v, a)
						t.Fatalf("scale %v n=%d off=%v: SigmoidDot = %v, want %v (error %.3g, bound %.3g)", scale, n, off, got, want, float64(got)-want, tol)
					}
					worst = max(worst, e)
					// Against this tier's Sigmoid: only the summation differs.
					h := make([]float32, n)
					Sigmoid(h, a)
					var ref, mag float64
					for j := range h {
						ref += float64(v[j]) * float64(h[j])
						mag += math.Abs(float64(v[j]) * float64(h[j]))
					}
					require.True(t, math.Abs(float64(got)-ref) <= blasGamma(n)*mag+float64(n)*0x1p-149,
						"scale %v n=%d: SigmoidDot = %v, Sigmoid then float64 dot = %v", scale, n, got, ref)
				}
			}
		}
		t.Logf("largest SigmoidDot error: %.3f of the stated bound", worst)
	})
}

// TestSigmoidDotSpecial puts special values of a (±Inf, NaN, ±MaxFloat32,
// the exp clamps and the denormal boundary) at every position of vectors
// whose lengths reach every loop of the SIMD kernels (vector body, single
// steps, masked tail) and checks exact results where the sum is exact.
func TestSigmoidDotSpecial(t *testing.T) {
	inf := float32(math.Inf(1))
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 24, 31, 33, 63, 64, 65, 80, 95} {
			// Exact: sigmoid(+Inf) = 1 and sigmoid(-Inf) = 0, v small
			// integers, so every partial sum is exact.
			a := make([]float32, n)
			v := make([]float32, n)
			var want float32
			for j := range a {
				v[j] = float32(r.IntN(7) - 3)
				if r.IntN(2) == 0 {
					a[j] = inf
					want += v[j]
				} else {
					a[j] = -inf
				}
			}
			require.Equal(t, want, SigmoidDot(v, a), "n=%d: ±Inf", n)
			for i := range a {
				a[i] = 0
			}
			var half float32
			for _, x := range v {
				half += x / 2
			}
			require.Equal(t, half, SigmoidDot(v, a), "n=%d: sigmoid(0) = 0.5", n)
			for _, s := range specialInputs() {
				for pos := 0; pos < n; pos++ {
					v := randVec(r, n, 0)
					a := randVec(r, n, 0)
					a[pos] = s
					got := SigmoidDot(v, a)
					if e := sigmoidDotErr(got, v, a); e > 1 {
						want, tol := sigmoidDotRef(v, a)
						t.Fatalf("n=%d a[%d]=%v: SigmoidDot = %v, want %v (bound %.3g)", n, pos, s, got, want, tol)
					}
				}
			}
		}
	})
}

// TestSigmoidDotWholeRange checks every sigmoid inside SigmoidDot on its
// own: with v one-hot at k the sum is exactly the k-th sigmoid (the other
// terms are exact zeros), which must be bit-identical to this tier's
// Sigmoid and within Sigmoid's bound. The inputs are the whole-range set of
// TestActivationsAccuracy (without NaN, which would poison every term),
// in blocks of 67 so every lane of the vector body and the tail is used.
func TestSigmoidDotWholeRange(t *testing.T) {
	testAllTiers(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		x := slices.DeleteFunc(actInputs(r, 50000, 50000), func(v float32) bool { return v != v })
		const blk = 67
		v := make([]float32, blk)
		h := make([]float32, blk)
		bad := 0
		for lo := 0; lo < len(x); lo += blk {
			a := x[lo:min(lo+blk, len(x))]
			Sigmoid(h, a)
			for k := range a {
				v[k] = 1
				got := SigmoidDot(v, a)
				v[k] = 0
				if math.Float32bits(got) != math.Float32bits(h[k]) || !sigmoidBound.ok(float64(got), sigmoidRef(float64(a[k]))) {
					bad++
					if bad <= 10 {
						t.Errorf("a=%v [%#08x]: one-hot SigmoidDot = %v, Sigmoid = %v, want %v", a[k], math.Float32bits(a[k]), got, h[k], sigmoidRef(float64(a[k])))
					}
				}
			}
		}
		assert.Zero(t, bad)
	})
}

// TestAVX512ExpScaling checks that the AVX-512 exp (one VSCALEFPS for the
// scaling by 2^n) gives the same bits as the AVX2 exp (an exact multiply by
// 2^k1, then a rounded one by 2^k2). Every AVX-512 activation and
// reduction calls the same exp macro, so they all compute what the AVX2
// tier computes (whose accuracy the tests above check). Where exp(x) is a
// normal float32 both scalings are exact, so they can differ only where
// the result is denormal or overflows: every float32 in [-104, -87] and
// [88, 89] is checked, and every 257th bit pattern elsewhere (NaNs,
// infinities and the clamped ranges included). The whole float32 range
// was checked once (4.3e9 inputs, no difference); ARINFER_EXHAUSTIVE=1
// repeats that (about 30 s of CPU).
func TestAVX512ExpScaling(t *testing.T) {
	if !slices.Contains(Available(), AVX2) || !slices.Contains(Available(), AVX512) {
		t.Skip("needs the AVX2 and AVX-512 tiers")
	}
	var x []float32
	bad := 0
	check := func() {
		y2 := make([]float32, len(x))
		y512 := make([]float32, len(x))
		withTier(AVX2, func() { Exp(y2, x) })
		withTier(AVX512, func() { Exp(y512, x) })
		for i := range x {
			if math.Float32bits(y2[i]) != math.Float32bits(y512[i]) {
				bad++
				if bad <= 10 {
					t.Errorf("exp(%v [%#08x]): avx2 %v [%#08x], avx512 %v [%#08x]", x[i], math.Float32bits(x[i]),
						y2[i], math.Float32bits(y2[i]), y512[i], math.Float32bits(y512[i]))
				}
			}
		}
		x = x[:0]
	}
	add := func(b uint32) {
		x = append(x, math.Float32frombits(b))
		if len(x) == 1<<16 {
			check()
		}
	}
	if os.Getenv("ARINFER_EXHAUSTIVE") == "1" {
		for b := uint64(0); b < 1<<32; b++ {
			add(uint32(b))
		}
	} else {
		for _, r := range [][2]float32{{88, 89}, {-87, -104}} {
			for b := math.Float32bits(r[0]); b <= math.Float32bits(r[1]); b++ {
				add(b)
			}
		}
		for b := uint64(0); b < 1<<32; b += 257 {
			add(uint32(b))
		}
	}
	check()
	assert.Zero(t, bad, "inputs where the tiers differ")
}
