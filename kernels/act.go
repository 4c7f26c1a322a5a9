package kernels

import "fmt"

// The activations below write dst[i] = f(x[i]) for i < len(x); dst may be x
// (in place). They panic if len(dst) < len(x). The accuracy each one
// guarantees on every tier (generic, AVX2, AVX-512, NEON) is stated in its
// comment as a bound on |got - want|, where want is the exact value of the
// function at the float32 input (computed in float64 by the tests), and is
// checked by tests against float64 math over the whole float32 range
// (dense sweeps, random bit patterns, ±0, ±Inf, NaN, denormals and the
// overflow and underflow thresholds). All tiers compute the same float32
// algorithm (see act_generic.go), so they agree to within a few ulp of one
// another. Denormal results are produced, not flushed to zero. "rel" below
// means |got - want| <= rel*|want|; for results that overflow float32 the
// bound means +Inf may be returned when a value within rel of want would
// overflow.

func checkAct(fn string, dst, x []float32) {
	if len(dst) < len(x) {
		panic(fmt.Sprintf("kernels: %s: len(dst)=%d < len(x)=%d", fn, len(dst), len(x)))
	}
}

// Exp computes dst[i] = exp(x[i]).
//
// Error: relative at most 2.5e-7 (about 2 ulp; measured 1.7e-7) where the
// result is a normal float32 (x >= -87.33); absolute at most 2^-149 (one
// denormal ulp) where it is denormal. exp(x) is +Inf for x > 88.7228 (and
// +Inf), 0 for x < -103.98 (and -Inf), NaN for NaN.
func Exp(dst, x []float32) { checkAct("Exp", dst, x); cur.exp(dst, x) }

// Sigmoid computes dst[i] = 1/(1+exp(-x[i])).
//
// Error: relative at most 3.5e-7 (measured 2.3e-7) on the whole range,
// including very negative x where sigmoid(x) ~ exp(x) (it is not computed
// as 1 - sigmoid(-x)); absolute at most 2^-149 where the result is
// denormal (x < -87.33). sigmoid(+Inf) = 1, sigmoid(-Inf) = 0, NaN stays
// NaN.
func Sigmoid(dst, x []float32) { checkAct("Sigmoid", dst, x); cur.sigmoid(dst, x) }

// SigmoidDot returns sum_{j<len(a)} v[j]*sigmoid(a[j]): Sigmoid(h, a)
// followed by Dot(v, h), fused so that the sigmoids h are never stored (the
// output logit of a NADE step, v the output weights and a the hidden
// pre-activations). It panics if len(v) < len(a).
//
// Each sigmoid is computed as by Sigmoid (within its bound) and the
// products are summed in float32, in an order that depends on the tier
// (with FMA on SIMD tiers). With n = len(a), u = 2^-24, γ = (n+1)u/(1-(n+1)u),
// S = sum_j |v[j]*sigmoid(a[j])| and V = sum_j |v[j]| (exact values), the
// error is at most (3.5e-7 + 1.0000004γ)*S + (1+γ)*2^-149*(V+n) (the
// sigmoids' own error, float32 rounding of the products and sums, and
// underflow of sigmoids and products), provided no partial sum overflows.
// The result is NaN if an a[j] or v[j] is NaN; sigmoid(+Inf) = 1 and
// sigmoid(-Inf) = 0 exactly. An infinite v[j] is outside the bound: it
// gives ±Inf, or NaN where it meets a sigmoid that is 0 in float32
// (a[j] < -103.97) or an infinity of the other sign.
func SigmoidDot(v, a []float32) float32 {
	if len(v) < len(a) {
		panic(fmt.Sprintf("kernels: SigmoidDot: len(v)=%d < len(a)=%d", len(v), len(a)))
	}
	return cur.sigmoidDot(v, a)
}

// Tanh computes dst[i] = tanh(x[i]).
//
// Error: relative at most 2.5e-7 (measured 1.5e-7) on the whole range,
// including tiny |x| (an odd polynomial is used for |x| < 0.625, so there is
// no cancellation near 0). tanh(±0) = ±0, tanh(±Inf) = ±1, NaN stays NaN.
func Tanh(dst, x []float32) { checkAct("Tanh", dst, x); cur.tanh(dst, x) }

// Softplus computes dst[i] = log(1+exp(x[i])) without overflow for large x
// or loss of precision for very negative x.
//
// Error: relative at most 3.5e-7 (measured 2.3e-7) on the whole range;
// absolute at most 2^-149 where the result is denormal (x < -87.33).
// softplus(+Inf) = +Inf, softplus(-Inf) = 0, NaN stays NaN.
func Softplus(dst, x []float32) { checkAct("Softplus", dst, x); cur.softplus(dst, x) }

// LogSigmoid computes dst[i] = log(sigmoid(x[i])) = -softplus(-x[i]).
//
// Error: as Softplus (it is computed as -softplus(-x)): relative at most
// 3.5e-7 (measured 2.3e-7), absolute at most 2^-149 where the result is
// denormal (x > 87.33).
// logSigmoid(+Inf) = -0, logSigmoid(-Inf) = -Inf, NaN stays NaN.
func LogSigmoid(dst, x []float32) { checkAct("LogSigmoid", dst, x); cur.logSigmoid(dst, x) }

// Relu computes dst[i] = max(x[i], 0).
//
// Exact on every tier. NaN stays NaN and -0 stays -0 (the result is x
// unless x < 0).
func Relu(dst, x []float32) { checkAct("Relu", dst, x); cur.relu(dst, x) }

// LogSumExp returns log(sum_i exp(x[i])) without overflow: -Inf for an
// empty x, NaN if any element is NaN, +Inf if any element is +Inf (and
// none is NaN).
//
// It takes m = max_i x[i], then m + log(sum_i exp(x[i]-m)) with x[i]-m and
// the exponentials in float32 and the sum and the log in float64. Error:
// absolute at most 2.5e-7 + 2e-7*max_i|x[i]| + 6e-8*ln(len(x)) (the
// max|x| term covers the float32 rounding of x[i]-m and of the result;
// measured at most 0.36 of this bound).
func LogSumExp(x []float32) float32 { return cur.logSumExp(x) }

// LogSoftmax computes dst[i] = x[i] - LogSumExp(x), the log-probabilities of
// a categorical distribution with logits x.
//
// Error: that of LogSumExp plus the float32 rounding of the subtraction
// (2^-24*|dst[i]|).
func LogSoftmax(dst, x []float32) {
	checkAct("LogSoftmax", dst, x)
	l := cur.logSumExp(x)
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = v - l
	}
}

// BernoulliLogProb returns sum_i log p(x[i] | logits[i]) for binary data x
// (each x[i] is 0 or 1) under independent Bernoulli distributions with the
// given logits: sum_i -softplus((1-2*x[i])*logits[i]). It panics if
// len(x) < len(logits).
//
// The terms are computed in float32 (as Softplus) and summed in float64.
// Error: absolute at most 3.5e-7*sum_i|term_i| + 2^-24*|result| +
// 2^-149*(len(logits)+1) (the terms' own error, the final rounding to
// float32, and underflow of terms and result below the float32 range;
// measured at most 0.24 of this bound). The result is -Inf if a term is +Inf (a certain
// outcome that did not happen) or if the sum is below -MaxFloat32 (a value
// within the bound overflows float32), and NaN if a logit is NaN.
func BernoulliLogProb(logits, x []float32) float32 {
	if len(x) < len(logits) {
		panic(fmt.Sprintf("kernels: BernoulliLogProb: len(x)=%d < len(logits)=%d", len(x), len(logits)))
	}
	return cur.bernoulli(logits, x)
}
