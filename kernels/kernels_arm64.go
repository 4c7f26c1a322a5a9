//go:build !purego

package kernels

import "math"

// NEON kernels, in kernels_arm64.s (vectors, GEMV, GEMM micro-kernel) and
// act_arm64.s (activations). Each meets the specification of the generic
// function of the same name.

//go:noescape
func dotNEON(x, y []float32) float32

//go:noescape
func axpyNEON(alpha float32, x, y []float32)

//go:noescape
func scaleNEON(alpha float32, x []float32)

//go:noescape
func addNEON(dst, x, y []float32)

//go:noescape
func gemvNEON(m, n int, a []float32, lda int, x, y []float32)

//go:noescape
func gemvTNEON(m, n int, a []float32, lda int, x, y []float32)

//go:noescape
func gemmMicroNEON(k int, a, b, c []float32, ldc int)

// dotNEONGo and the other wrappers below restate the generic kernels'
// preconditions in Go, so the assembly can trust its lengths.
func dotNEONGo(x, y []float32) float32 {
	return dotNEON(x, y[:len(x)])
}

func axpyNEONGo(alpha float32, x, y []float32) {
	axpyNEON(alpha, x, y[:len(x)])
}

func addNEONGo(dst, x, y []float32) {
	addNEON(dst, x[:len(dst)], y[:len(dst)])
}

func gemvNEONGo(m, n int, a []float32, lda int, x, y []float32) {
	if m == 0 || n == 0 {
		return
	}
	_ = a[(m-1)*lda+n-1]
	gemvNEON(m, n, a, lda, x[:n], y[:m])
}

func gemvTNEONGo(m, n int, a []float32, lda int, x, y []float32) {
	if m == 0 || n == 0 {
		return
	}
	_ = a[(m-1)*lda+n-1]
	gemvTNEON(m, n, a, lda, x[:m], y[:n])
}

func gemmMicroNEONGo(k int, a, b, c []float32, ldc int) {
	_ = a[:8*k]
	_ = b[:12*k]
	_ = c[:7*ldc+12]
	gemmMicroNEON(k, a, b, c, ldc)
}

// fillNEON installs the NEON kernels.
func fillNEON(t *impl) {
	t.dot = dotNEONGo
	t.axpy = axpyNEONGo
	t.scale = scaleNEON
	t.add = addNEONGo
	t.gemv = gemvNEONGo
	t.gemvT = gemvTNEONGo
	t.mr, t.nr = 8, 12
	t.mc, t.kc, t.nc = 128, 256, 1536
	t.gemmMicro = gemmMicroNEONGo
	t.gemmMicroRows = nil // no NEON kernel on unpacked A yet: pack
	fillNEONAct(t)
}

//go:noescape
func expNEON(dst, x []float32)

//go:noescape
func sigmoidNEON(dst, x []float32)

//go:noescape
func tanhNEON(dst, x []float32)

//go:noescape
func softplusNEON(dst, x []float32)

//go:noescape
func logSigmoidNEON(dst, x []float32)

//go:noescape
func reluNEON(dst, x []float32)

//go:noescape
func maxNEON(x []float32) float32

//go:noescape
func sumExpNEON(x []float32, m float32) float64

//go:noescape
func bernoulliNEON(logits, x []float32) float64

//go:noescape
func sigmoidDotNEON(v, a []float32) float32

// neonActK is the constant table of act_arm64.s, four constants per vector
// register (V0-V7), taken from the generic algorithms' constants.
var neonActK = [32]float32{
	expMin, expMax, log2E32, ln2Hi32,
	ln2Lo32, expP0, expP1, expP2,
	expP3, expP4, expP5, 1,
	tanhSmall, tanhQ0, tanhQ1, tanhQ2,
	tanhQ3, tanhQ4, sqrt2m1, 0.5,
	logL0, logL1, logL2, logL3,
	logL4, logL5, logL6, logL7,
	logL8, -0.5, 2, 0,
}

// actBlock is the element count the vector activation kernels take at once.
const actBlock = 8

// The elementwise activations by number, so neonUnary calls the assembly
// directly: through a func value, escape analysis would move its stack
// buffer to the heap.
const (
	actExp = iota
	actSigmoid
	actTanh
	actSoftplus
	actLogSigmoid
)

func callAct(op int, dst, x []float32) {
	switch op {
	case actExp:
		expNEON(dst, x)
	case actSigmoid:
		sigmoidNEON(dst, x)
	case actTanh:
		tanhNEON(dst, x)
	case actSoftplus:
		softplusNEON(dst, x)
	case actLogSigmoid:
		logSigmoidNEON(dst, x)
	}
}

// neonUnary runs activation op, whose assembly takes a multiple of actBlock
// elements, over x: the body directly, the tail through a zero-padded
// buffer on the stack.
func neonUnary(op int, dst, x []float32) {
	n := len(x) &^ (actBlock - 1)
	dst = dst[:len(x)]
	if n > 0 {
		callAct(op, dst[:n], x[:n])
	}
	if n < len(x) {
		var buf [actBlock]float32
		copy(buf[:], x[n:])
		callAct(op, buf[:], buf[:])
		copy(dst[n:], buf[:])
	}
}

func expNEONGo(dst, x []float32)        { neonUnary(actExp, dst, x) }
func sigmoidNEONGo(dst, x []float32)    { neonUnary(actSigmoid, dst, x) }
func tanhNEONGo(dst, x []float32)       { neonUnary(actTanh, dst, x) }
func softplusNEONGo(dst, x []float32)   { neonUnary(actSoftplus, dst, x) }
func logSigmoidNEONGo(dst, x []float32) { neonUnary(actLogSigmoid, dst, x) }
func reluNEONGo(dst, x []float32)       { reluNEON(dst[:len(x)], x) }

// logSumExpNEON follows logSumExpGeneric: the maximum and the sum of
// exponentials run in assembly over the multiple-of-8 body, the tail in Go
// with the same float32 algorithm (exp32), the sum and log in float64.
func logSumExpNEON(x []float32) float32 {
	if len(x) == 0 {
		return float32(math.Inf(-1))
	}
	n := len(x) &^ (actBlock - 1)
	m := float32(math.Inf(-1))
	if n > 0 {
		m = maxNEON(x[:n])
		if m != m {
			return m
		}
	}
	for _, v := range x[n:] {
		if v != v {
			return v
		}
		m = max(m, v)
	}
	if math.IsInf(float64(m), 0) {
		return m
	}
	var s float64
	if n > 0 {
		s = sumExpNEON(x[:n], m)
	}
	for _, v := range x[n:] {
		s += float64(exp32(v - m))
	}
	return float32(float64(m) + math.Log(s))
}

// bernoulliNEONGo follows bernoulliGeneric: the body in assembly, the tail
// with softplus32, the sum in float64.
func bernoulliNEONGo(logits, x []float32) float32 {
	x = x[:len(logits)]
	n := len(logits) &^ (actBlock - 1)
	var s float64
	if n > 0 {
		s = bernoulliNEON(logits[:n], x[:n])
	}
	for i := n; i < len(logits); i++ {
		s += float64(softplus32((1 - 2*x[i]) * logits[i]))
	}
	return float32(-s)
}

// sigmoidDotNEONGo runs the multiple-of-8 body of SigmoidDot in assembly
// and the tail through zero-padded buffers (0 * sigmoid(0) adds nothing).
func sigmoidDotNEONGo(v, a []float32) float32 {
	v = v[:len(a)]
	n := len(a) &^ (actBlock - 1)
	var s float32
	if n > 0 {
		s = sigmoidDotNEON(v[:n], a[:n])
	}
	if n < len(a) {
		var vb, ab [actBlock]float32
		copy(vb[:], v[n:])
		copy(ab[:], a[n:])
		s += sigmoidDotNEON(vb[:], ab[:])
	}
	return s
}

// fillNEONAct installs the NEON activation kernels.
func fillNEONAct(t *impl) {
	t.exp = expNEONGo
	t.sigmoid = sigmoidNEONGo
	t.tanh = tanhNEONGo
	t.softplus = softplusNEONGo
	t.logSigmoid = logSigmoidNEONGo
	t.relu = reluNEONGo
	t.logSumExp = logSumExpNEON
	t.bernoulli = bernoulliNEONGo
	t.sigmoidDot = sigmoidDotNEONGo
	t.gate = gateNEONGo // gate_arm64.go
}
