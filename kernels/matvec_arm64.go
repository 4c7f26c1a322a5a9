//go:build !purego

package kernels

import "unsafe"

// MatVec on arm64 (matvec_arm64.s). Each assembly kernel is a
// matPanelFunc: it trusts its sizes, which matvecRun derives from the
// checked MatVec arguments.

// fillNEONMatVec installs the NEON MatVec kernels: panels of 16 rows (four
// q registers), four vectors per call (sixteen accumulators). BF16Dot runs
// the BF16 kernel on x rounded to bfloat16 (ARMv8.6 BFDOT is not used).
func fillNEONMatVec(t *impl) {
	k := func(l matLayout, xf xForm, one, many matPanelFunc) *matKernel {
		return &matKernel{layout: l, p: 16, v: 4, nbb: 4, xform: xf, one: one, many: many}
	}
	t.matvec.k[F32] = k(layoutPanel, xAsIs, matvecF32x1NEON, matvecF32x4NEON)
	t.matvec.k[F16] = k(layoutPanel, xAsIs, matvecF16x1NEON, matvecF16x4NEON)
	t.matvec.k[BF16] = k(layoutPanel, xAsIs, matvecBF16x1NEON, matvecBF16x4NEON)
	t.matvec.k[BF16Dot] = k(layoutPanel, xRoundBF16, matvecBF16x1NEON, matvecBF16x4NEON)
}

//go:noescape
func matvecF32x1NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecF32x4NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecF16x1NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecF16x4NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecBF16x1NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecBF16x4NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
