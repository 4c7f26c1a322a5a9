package kernels

import "math"

// Pure-Go activation kernels; each doc comment is the specification the
// SIMD tiers meet (within the error bounds stated in act.go).

// expGeneric does dst[i] = exp(x[i]) for i < len(x).
func expGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(math.Exp(float64(v)))
	}
}

// sigmoidGeneric does dst[i] = 1/(1+exp(-x[i])).
func sigmoidGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(sigmoid64(float64(v)))
	}
}

func sigmoid64(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

// tanhGeneric does dst[i] = tanh(x[i]).
func tanhGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(math.Tanh(float64(v)))
	}
}

// softplus64 is log(1+exp(v)) without overflow or cancellation.
func softplus64(v float64) float64 {
	if math.IsNaN(v) {
		return v
	}
	return math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v)))
}

// softplusGeneric does dst[i] = log(1+exp(x[i])), stable for large |x|.
func softplusGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(softplus64(float64(v)))
	}
}

// logSigmoidGeneric does dst[i] = log(sigmoid(x[i])) = -softplus(-x[i]).
func logSigmoidGeneric(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = float32(-softplus64(-float64(v)))
	}
}

// reluGeneric does dst[i] = max(x[i], 0); NaN stays NaN.
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
// if any x[i] is NaN, +Inf if any x[i] is +Inf.
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
		s += math.Exp(float64(v - m))
	}
	return m + float32(math.Log(s))
}

// bernoulliGeneric returns the Bernoulli log-likelihood of binary data x
// under logits l: sum_{i<len(l)} -softplus((1-2*x[i])*l[i]), which is
// x log sigmoid(l) + (1-x) log sigmoid(-l) for x in {0, 1}.
func bernoulliGeneric(logits, x []float32) float32 {
	x = x[:len(logits)]
	var s float64
	for i, l := range logits {
		s -= softplus64(float64((1 - 2*x[i]) * l))
	}
	return float32(s)
}
