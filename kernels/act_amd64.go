//go:build !purego

package kernels

import "math"

// AVX2+FMA activation kernels (act_amd64.s). Each computes the algorithm of
// act_generic.go lane by lane, with FMA.

//go:noescape
func expAVX2(dst, x []float32)

//go:noescape
func sigmoidAVX2(dst, x []float32)

//go:noescape
func tanhAVX2(dst, x []float32)

//go:noescape
func softplusAVX2(dst, x []float32)

//go:noescape
func logSigmoidAVX2(dst, x []float32)

//go:noescape
func reluAVX2(dst, x []float32)

// bernoulliSumAVX2 returns sum_{i<len(logits)} softplus((1-2x[i])logits[i])
// accumulated in float64; len(x) >= len(logits).
//
//go:noescape
func bernoulliSumAVX2(logits, x []float32) float64

// maxNaNAVX2 returns max_i x[i] for a non-empty x, or NaN if any x[i] is
// NaN.
//
//go:noescape
func maxNaNAVX2(x []float32) float32

// sumExpAVX2 returns sum_i exp32(x[i] - m) accumulated in float64.
//
//go:noescape
func sumExpAVX2(x []float32, m float32) float64

// sigmoidDotAVX2 returns sum_{j<len(a)} v[j]*sigmoid32(a[j]); len(v) >=
// len(a).
//
//go:noescape
func sigmoidDotAVX2(v, a []float32) float32

func bernoulliAVX2(logits, x []float32) float32 {
	return float32(-bernoulliSumAVX2(logits, x[:len(logits)]))
}

func logSumExpAVX2(x []float32) float32 {
	if len(x) == 0 {
		return float32(math.Inf(-1))
	}
	m := maxNaNAVX2(x)
	if m != m || math.IsInf(float64(m), 0) {
		return m
	}
	return float32(float64(m) + math.Log(sumExpAVX2(x, m)))
}

// fillAVX2Act installs the AVX2+FMA activation kernels.
func fillAVX2Act(t *impl) {
	t.exp = expAVX2
	t.sigmoid = sigmoidAVX2
	t.tanh = tanhAVX2
	t.softplus = softplusAVX2
	t.logSigmoid = logSigmoidAVX2
	t.relu = reluAVX2
	t.logSumExp = logSumExpAVX2
	t.bernoulli = bernoulliAVX2
	t.sigmoidDot = sigmoidDotAVX2
	t.gate = gateAVX2 // gate_amd64.s
}

// AVX-512F versions of the same kernels (act_amd64.s), 16 lanes per step.
// Relu and the max pass of LogSumExp are memory-bound and stay AVX2.

//go:noescape
func expAVX512(dst, x []float32)

//go:noescape
func sigmoidAVX512(dst, x []float32)

//go:noescape
func tanhAVX512(dst, x []float32)

//go:noescape
func softplusAVX512(dst, x []float32)

//go:noescape
func logSigmoidAVX512(dst, x []float32)

//go:noescape
func bernoulliSumAVX512(logits, x []float32) float64

//go:noescape
func sumExpAVX512(x []float32, m float32) float64

//go:noescape
func sigmoidDotAVX512(v, a []float32) float32

func bernoulliAVX512(logits, x []float32) float32 {
	return float32(-bernoulliSumAVX512(logits, x[:len(logits)]))
}

func logSumExpAVX512(x []float32) float32 {
	if len(x) == 0 {
		return float32(math.Inf(-1))
	}
	m := maxNaNAVX2(x)
	if m != m || math.IsInf(float64(m), 0) {
		return m
	}
	return float32(float64(m) + math.Log(sumExpAVX512(x, m)))
}

// fillAVX512Act installs the AVX-512F activation kernels.
func fillAVX512Act(t *impl) {
	t.exp = expAVX512
	t.sigmoid = sigmoidAVX512
	t.tanh = tanhAVX512
	t.softplus = softplusAVX512
	t.logSigmoid = logSigmoidAVX512
	t.logSumExp = logSumExpAVX512
	t.bernoulli = bernoulliAVX512
	t.sigmoidDot = sigmoidDotAVX512
	t.gate = gateAVX512 // gate_amd64.s
}
