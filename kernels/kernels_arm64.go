//go:build !purego

package kernels

// NEON kernels, in blas_arm64.s (vectors, GEMV, GEMM micro-kernel) and
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
	fillNEONAct(t)
}

// fillNEONAct installs the NEON activation kernels.
func fillNEONAct(t *impl) {}
