//go:build !purego

package kernels

// AxpyF16 on arm64 (half_arm64.s).

// axpyF16NEON does y[i] += alpha*f16ToF32(x[i]) for i < len(x);
// len(y) >= len(x).
//
//go:noescape
func axpyF16NEON(alpha float32, x []uint16, y []float32)

// axpyF16NEONGo is axpyF16Generic; it restates its precondition so the
// assembly can trust its lengths.
func axpyF16NEONGo(alpha float32, x []uint16, y []float32) {
	axpyF16NEON(alpha, x, y[:len(x)])
}

// fillNEONHalf installs the NEON AxpyF16.
func fillNEONHalf(t *impl) {
	t.axpyF16 = axpyF16NEONGo
}
