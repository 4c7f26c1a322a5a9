//go:build !purego

package kernels

// AxpyF16, Gather16 and Gather16F16 on arm64 (half_arm64.s).

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

// gather16NEON does acc[k] += sum_i coef[i]*rows[16*idx[i]+k] for
// k < 16, i < len(idx); len(acc) = 16, len(coef) >= len(idx) and every
// idx[i] is in [0, len(rows)/16).
//
//go:noescape
func gather16NEON(acc, rows []float32, idx []int32, coef []float32)

// gather16F16NEON is gather16NEON on binary16 rows.
//
//go:noescape
func gather16F16NEON(acc []float32, rows []uint16, idx []int32, coef []float32)

// gather16NEONGo is gather16Generic; like axpyF16NEONGo it restates the
// precondition on the lengths (the Go side has checked the indices).
func gather16NEONGo(acc, rows []float32, idx []int32, coef []float32) {
	gather16NEON(acc[:16], rows, idx, coef[:len(idx)])
}

// gather16F16NEONGo is gather16F16Generic.
func gather16F16NEONGo(acc []float32, rows []uint16, idx []int32, coef []float32) {
	gather16F16NEON(acc[:16], rows, idx, coef[:len(idx)])
}

// fillNEONHalf installs the NEON AxpyF16, Gather16 and Gather16F16.
func fillNEONHalf(t *impl) {
	t.axpyF16 = axpyF16NEONGo
	t.gather16 = gather16NEONGo
	t.gather16F16 = gather16F16NEONGo
}
