package kernels

import "fmt"

// Gate computes dst[i] = tanh(a[i]) * sigmoid(b[i]) for i < len(dst), the
// gated activation of Gated PixelCNN and WaveNet. It panics if a or b is
// shorter than dst. dst may be a or b (the same first element: in place),
// but must not overlap them otherwise.
//
// tanh and sigmoid are the float32 algorithms of Tanh and Sigmoid on the
// active tier (the same bits per lane as those kernels) and the product is
// rounded once, so |got - want| <= 6.6e-7·|want| + 2^-148, where want is the
// exact tanh(a)·sigmoid(b) at the float32 inputs (the Tanh and Sigmoid
// bounds, 2.5e-7 and 3.5e-7 relative and 2^-149 absolute for a denormal
// sigmoid, plus the product's rounding). tanh(±Inf)·sigmoid(+Inf) = ±1,
// x·sigmoid(-Inf) = ±0 for x not NaN, and NaN in a or b gives NaN.
func Gate(dst, a, b []float32) {
	if len(a) < len(dst) || len(b) < len(dst) {
		panic(fmt.Sprintf("kernels: Gate: len(dst)=%d, len(a)=%d, len(b)=%d", len(dst), len(a), len(b)))
	}
	cur.gate(dst, a[:len(dst)], b[:len(dst)])
}

// GateRows applies Gate to n pixels: for p < n, dst[p*ldd : p*ldd+f] =
// gate of src[p*lds : p*lds+2f], i.e. tanh of the first f channels times
// sigmoid of the next f (the accuracy of Gate). It panics on lds < 2f, ldd
// < f or a slice too short. dst may be src with ldd <= lds (in place: pixel
// p's result overwrites the first half of its own pre-activations, after
// they are read); other overlaps are not allowed.
func GateRows(n, f int, src []float32, lds int, dst []float32, ldd int) {
	if n < 0 || f < 0 || lds < 2*f || ldd < f {
		panic(fmt.Sprintf("kernels: GateRows: n=%d f=%d lds=%d ldd=%d", n, f, lds, ldd))
	}
	if n == 0 || f == 0 {
		return
	}
	if len(src) < (n-1)*lds+2*f || len(dst) < (n-1)*ldd+f {
		panic(fmt.Sprintf("kernels: GateRows: len(src)=%d, len(dst)=%d for n=%d f=%d lds=%d ldd=%d",
			len(src), len(dst), n, f, lds, ldd))
	}
	g := cur.gate
	for p := 0; p < n; p++ {
		s := src[p*lds : p*lds+2*f]
		g(dst[p*ldd:p*ldd+f], s[:f], s[f:])
	}
}

// gateGeneric is the specification of Gate: dst[i] = tanh32(a[i]) *
// sigmoid32(b[i]) for i < len(dst), len(a), len(b) >= len(dst).
func gateGeneric(dst, a, b []float32) {
	a = a[:len(dst)]
	b = b[:len(dst)]
	for i := range dst {
		dst[i] = tanh32(a[i]) * sigmoid32(b[i])
	}
}
