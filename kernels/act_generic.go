package kernels

import "math"

// Pure-Go activation kernels. They are the reference algorithms: every SIMD
// tier (act_amd64.s, the NEON kernels) computes the same float32 operations
// in the same order, lane by lane, so all tiers agree to within a few ulp
// and the error bounds stated in act.go hold for each. The only freedom a
// SIMD tier takes is fusing a*b+c into one FMA where the comments say so
// (the Go compiler may do the same on arm64), which only makes it more
// accurate.
//
// # exp (exp32)
//
//  1. Clamp x to [-104, 89]: exp(89) > MaxFloat32, so clamped inputs still
//     overflow to +Inf, and exp(-104) < 2^-150, so they still round to 0.
//     NaN propagates (the SIMD min/max keep the NaN operand).
//  2. n = round-to-nearest-even(x * log2(e)), so n is in [-150, 128]
//     (VROUNDPS $0 / VRNDSCALEPS $0 / FRINTN; in Go, (v + 1.5*2^23) - 1.5*2^23).
//  3. Cody–Waite reduction r = (x - n*ln2Hi) - n*ln2Lo with the Cephes split
//     ln2Hi = 0.693359375 (9 significant bits: n*ln2Hi and the subtraction
//     are exact) and ln2Lo = -2.12194440e-4. |r| <= ln(2)/2 + tiny.
//  4. e^r = 1 + r + r^2 * P(r), P the Cephes expf polynomial of degree 5
//     (expP0..expP5), by Horner (FMA), then y = P*r^2 + r (FMA), y += 1.
//  5. Scale by 2^n in two exact steps, 2^k1 then 2^k2 with k1 = n>>1
//     (arithmetic shift) and k2 = n-k1, both in [-75, 64], each built as the
//     float bits (k+127)<<23. y*2^k1 is exact, so the only rounding is the
//     last multiply: results in the denormal range are correctly rounded
//     from y (no flush to zero) and results above MaxFloat32 become +Inf.
//
// # sigmoid
//
// e = exp(-|x|) in [0, 1], s = 1/(1+e) (a true division); the result is s
// for x >= 0 (sign bit clear) and e*s for x < 0 (sign bit set), which keeps
// the relative error small for very negative x, where sigmoid(x) ~ e^x.
//
// # tanh
//
// For |x| < 0.625 the Cephes tanhf odd polynomial x + x^3*Q(x^2) (tanhQ0..
// tanhQ4, Horner in z = x^2, then FMA(Q*z, x, x)). Otherwise e = exp(-2|x|),
// t = (1-e)/(1+e) (no cancellation: e <= exp(-1.25) < 0.29). A SIMD tier
// computes both branches and blends on |x| < 0.625 (false for NaN, whose
// exp branch gives NaN). Finally the sign bit of x is ORed into the result:
// this gives the exp branch its sign and turns the polynomial's +0 for
// x = -0 into -0 (it leaves every other polynomial result unchanged, as
// those already have the sign of x).
//
// # softplus and log-sigmoid
//
// softplus(x) = max(x, 0) + log1p(e) with e = exp(-|x|) in [0, 1]. log1p(e)
// for e in [0, 1] (log1pUnit) is the Cephes logf algorithm applied to
// u = 1+e without ever rounding u: if e < sqrt(2)-1, f = e and k = 0, else
// f = (e-1)/2 (exact) and k = 1, so that 1+e = 2^k (1+f) with f in
// [-0.2929, 0.4143]. Then log(1+f) = f - f^2/2 + f^3*L(f), L of degree 8
// (logL0..logL8), and k*ln2 is added as k*ln2Lo (before the -f^2/2 term)
// and k*ln2Hi (last), as in Cephes. max(x, 0) propagates NaN.
// logSigmoid(x) = -softplus(-x).
//
// # Reductions
//
// sigmoidDot computes sigmoid32(a_j) lane by lane and accumulates
// v_j*sigmoid32(a_j) in float32 like dotGeneric (the SIMD tiers: one FMA
// per term into several vector accumulators, summed at the end); the
// sigmoids are never stored. bernoulli sums softplus((1-2x_i) l_i) per lane
// in float32 and accumulates the terms in float64; logSumExp takes m = max_i x_i (NaN if any x_i is
// NaN), returns m if it is infinite, else m + log(sum_i exp(x_i - m)) with
// x_i - m rounded to float32, the exponentials in float32 (exp32) and the
// sum and final log in float64.

const (
	log2E32    = float32(1.44269504088896341) // log2(e)
	ln2Hi32    = float32(0.693359375)         // ln(2) high part, 9 significant bits
	ln2Lo32    = float32(-2.12194440e-4)      // ln(2) - ln2Hi32
	expMax     = float32(89)                  // exp(89) > MaxFloat32: overflows to +Inf
	expMin     = float32(-104)                // exp(-104) < 2^-150: rounds to 0
	roundMagic = float32(0x1.8p23)            // 1.5*2^23, see exp32

	// Cephes expf: e^r ~ 1 + r + r^2*(((((P0 r + P1) r + P2) r + P3) r + P4) r + P5)
	// on |r| <= ln(2)/2.
	expP0 = float32(1.9875691500e-4)
	expP1 = float32(1.3981999507e-3)
	expP2 = float32(8.3334519073e-3)
	expP3 = float32(4.1665795894e-2)
	expP4 = float32(1.6666665459e-1)
	expP5 = float32(5.0000001201e-1)

	// Cephes tanhf: tanh(x) ~ x + x^3 * ((((Q0 z + Q1) z + Q2) z + Q3) z + Q4),
	// z = x^2, on |x| < 0.625.
	tanhSmall = float32(0.625)
	tanhQ0    = float32(-5.70498872745e-3)
	tanhQ1    = float32(2.06390887954e-2)
	tanhQ2    = float32(-5.37397155531e-2)
	tanhQ3    = float32(1.33314422036e-1)
	tanhQ4    = float32(-3.33332819422e-1)

	// Cephes logf: log(1+f) ~ f - f^2/2 + f^3 * L(f), L(f) = L0 f^8 + ... + L8,
	// on f in [sqrt(1/2)-1, sqrt(2)-1].
	sqrt2m1 = float32(0.41421356) // sqrt(2)-1: the branch point of log1pUnit
	logL0   = float32(7.0376836292e-2)
	logL1   = float32(-1.1514610310e-1)
	logL2   = float32(1.1676998740e-1)
	logL3   = float32(-1.2420140846e-1)
	logL4   = float32(1.4249322787e-1)
	logL5   = float32(-1.6668057665e-1)
	logL6   = float32(2.0000714765e-1)
	logL7   = float32(-2.4999993993e-1)
	logL8   = float32(3.3333331174e-1)
)

// exp32 is float32 exp by the algorithm above.
func exp32(x float32) float32 {
	if x != x {
		return x
	}
	x = min(max(x, expMin), expMax)
	// Round to nearest even by adding and subtracting 1.5*2^23: the sum's
	// ulp is 1 (|x*log2e| < 2^22 after the clamp), so it drops the fraction.
	n := (x*log2E32 + roundMagic) - roundMagic
	r := x - n*ln2Hi32
	r = r - n*ln2Lo32
	p := expP0
	p = p*r + expP1
	p = p*r + expP2
	p = p*r + expP3
	p = p*r + expP4
	p = p*r + expP5
	y := p*(r*r) + r
	y = y + 1
	k := int32(n)
	k1 := k >> 1
	k2 := k - k1
	y = y * math.Float32frombits(uint32(k1+127)<<23)
	return y * math.Float32frombits(uint32(k2+127)<<23)
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

func signbit32(x float32) bool { return math.Float32bits(x)>>31 != 0 }

// sigmoid32 is float32 sigmoid by the algorithm above.
func sigmoid32(x float32) float32 {
	e := exp32(-abs32(x))
	s := 1 / (1 + e)
	if signbit32(x) {
		return e * s
	}
	return s
}

// tanh32 is float32 tanh by the algorithm above.
func tanh32(x float32) float32 {
	a := abs32(x)
	if a < tanhSmall {
		z := x * x
		q := tanhQ0
		q = q*z + tanhQ1
		q = q*z + tanhQ2
		q = q*z + tanhQ3
		q = q*z + tanhQ4
		t := (q*z)*x + x
		// t has the sign of x except for x = -0, where it is +0.
		return math.Float32frombits(math.Float32bits(t) | math.Float32bits(x)&(1<<31))
	}
	e := exp32(-2 * a)
	t := (1 - e) / (1 + e)
	return math.Float32frombits(math.Float32bits(t) | math.Float32bits(x)&(1<<31))
}

// log1pUnit is log(1+e) for e in [0, 1] (or NaN) by the algorithm above.
func log1pUnit(e float32) float32 {
	f, k := e, float32(0)
	if e >= sqrt2m1 {
		f, k = (e-1)*0.5, 1
	}
	z := f * f
	p := logL0
	p = p*f + logL1
	p = p*f + logL2
	p = p*f + logL3
	p = p*f + logL4
	p = p*f + logL5
	p = p*f + logL6
	p = p*f + logL7
	p = p*f + logL8
	p = (p * f) * z
	p = k*ln2Lo32 + p
	p = z*-0.5 + p
	l := f + p
	return k*ln2Hi32 + l
}

// softplus32 is float32 softplus by the algorithm above.
func softplus32(x float32) float32 {
	if x != x {
		return x
	}
	return max(x, 0) + log1pUnit(exp32(-abs32(x)))
}

// expGeneric does dst[i] = exp(x[i]) for i < len(x).
func expGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = exp32(v)
	}
}

// sigmoidGeneric does dst[i] = 1/(1+exp(-x[i])).
func sigmoidGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = sigmoid32(v)
	}
}

// tanhGeneric does dst[i] = tanh(x[i]).
func tanhGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = tanh32(v)
	}
}

// softplusGeneric does dst[i] = log(1+exp(x[i])), stable for large |x|.
func softplusGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = softplus32(v)
	}
}

// logSigmoidGeneric does dst[i] = log(sigmoid(x[i])) = -softplus(-x[i]).
func logSigmoidGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = -softplus32(-v)
	}
}

// reluGeneric does dst[i] = max(x[i], 0); NaN stays NaN and -0 stays -0.
func reluGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v < 0 {
			v = 0
		}
		dst[i] = v
	}
}

// logSumExpGeneric returns log(sum_i exp(x[i])): -Inf for an empty x, NaN
// if any x[i] is NaN, +Inf if any x[i] is +Inf (and none is NaN).
func logSumExpGeneric(x []float32) float32 {
	if len(x) == 0 {
		return float32(math.Inf(-1))
	}
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v != v {
			return v
		}
		if v > m {
			m = v
		}
	}
	if math.IsInf(float64(m), 0) {
		return m
	}
	var s float64
	for _, v := range x {
		s += float64(exp32(v - m))
	}
	return float32(float64(m) + math.Log(s))
}

// bernoulliGeneric returns the Bernoulli log-likelihood of binary data x
// under logits l: sum_{i<len(l)} -softplus((1-2*x[i])*l[i]), which is
// x log sigmoid(l) + (1-x) log sigmoid(-l) for x in {0, 1}.
func bernoulliGeneric(logits, x []float32) float32 {
	x = x[:len(logits)]
	var s float64
	for i, l := range logits {
		s += float64(softplus32((1 - 2*x[i]) * l))
	}
	return float32(-s)
}

// sigmoidDotGeneric returns sum_{j<len(a)} v[j]*sigmoid32(a[j]); len(v) >=
// len(a). It accumulates in four float32 partial sums, as dotGeneric.
func sigmoidDotGeneric(v, a []float32) float32 {
	v = v[:len(a)]
	var s0, s1, s2, s3 float32
	j := 0
	for ; j+4 <= len(a); j += 4 {
		s0 += v[j] * sigmoid32(a[j])
		s1 += v[j+1] * sigmoid32(a[j+1])
		s2 += v[j+2] * sigmoid32(a[j+2])
		s3 += v[j+3] * sigmoid32(a[j+3])
	}
	for ; j < len(a); j++ {
		s0 += v[j] * sigmoid32(a[j])
	}
	return (s0 + s1) + (s2 + s3)
}
