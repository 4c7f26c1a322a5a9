package kernels

import "fmt"

// The activations below write dst[i] = f(x[i]) for i < len(x); dst may be x
// (in place). They panic if len(dst) < len(x). The accuracy each one
// guarantees on every tier is stated in its comment and checked by tests
// against float64 math over the whole float32 range, ±Inf and NaN.

func checkAct(fn string, dst, x []float32) {
	if len(dst) < len(x) {
		panic(fmt.Sprintf("kernels: %s: len(dst)=%d < len(x)=%d", fn, len(dst), len(x)))
	}
}

// Exp computes dst[i] = exp(x[i]).
func Exp(dst, x []float32) { checkAct("Exp", dst, x); cur.exp(dst, x) }

// Sigmoid computes dst[i] = 1/(1+exp(-x[i])).
func Sigmoid(dst, x []float32) { checkAct("Sigmoid", dst, x); cur.sigmoid(dst, x) }

// Tanh computes dst[i] = tanh(x[i]).
func Tanh(dst, x []float32) { checkAct("Tanh", dst, x); cur.tanh(dst, x) }

// Softplus computes dst[i] = log(1+exp(x[i])) without overflow for large x
// or loss of precision for very negative x.
func Softplus(dst, x []float32) { checkAct("Softplus", dst, x); cur.softplus(dst, x) }

// LogSigmoid computes dst[i] = log(sigmoid(x[i])) = -softplus(-x[i]).
func LogSigmoid(dst, x []float32) { checkAct("LogSigmoid", dst, x); cur.logSigmoid(dst, x) }

// Relu computes dst[i] = max(x[i], 0).
func Relu(dst, x []float32) { checkAct("Relu", dst, x); cur.relu(dst, x) }

// LogSumExp returns log(sum_i exp(x[i])) without overflow: -Inf for an
// empty x, NaN if any element is NaN.
func LogSumExp(x []float32) float32 { return cur.logSumExp(x) }

// LogSoftmax computes dst[i] = x[i] - LogSumExp(x), the log-probabilities of
// a categorical distribution with logits x.
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
func BernoulliLogProb(logits, x []float32) float32 {
	if len(x) < len(logits) {
		panic(fmt.Sprintf("kernels: BernoulliLogProb: len(x)=%d < len(logits)=%d", len(x), len(logits)))
	}
	return cur.bernoulli(logits, x)
}
