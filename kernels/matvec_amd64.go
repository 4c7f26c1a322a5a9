//go:build !purego

package kernels

import (
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

// MatVec on amd64 (matvec_avx2_amd64.s, matvec_avx512_amd64.s). Each
// assembly kernel is a matPanelFunc: it trusts its sizes, which matvecRun
// derives from the checked MatVec arguments.

// hasAVX512BF16 reports VDPBF16PS (AVX512_BF16), used for BF16Dot.
var hasAVX512BF16 = hasAVX512 && cpuid.CPU.Supports(cpuid.AVX512BF16)

// f16OnYMM reports an AMD family 19h CPU with AVX-512 (Zen 4), which runs
// 512-bit operations as two 256-bit halves: there the zmm VCVTPH2PS bounds
// the one-vector float16 kernel, and matvecF16x1YAVX512 widens on ymm
// instead (same results bit for bit; 1.41-1.47x on a Zen 4 EPYC,
// BenchmarkMatVecF16Widen).
var f16OnYMM = hasAVX512 && hasF16C && cpuid.CPU.VendorID == cpuid.AMD && cpuid.CPU.Family == 0x19 &&
	cpuid.CPU.Supports(cpuid.AVX512VL)

// fillAVX2MatVec installs the AVX2+FMA MatVec kernels: panels of 32 rows
// (four ymm), two vectors per call (eight accumulators of the sixteen ymm
// registers). F16 needs F16C (VCVTPH2PS); without it F16 stays generic.
// BF16Dot runs the BF16 kernel on x rounded to bfloat16.
func fillAVX2MatVec(t *impl) {
	k := func(l matLayout, xf xForm, one, many matPanelFunc) *matKernel {
		return &matKernel{layout: l, p: 32, v: 8, nbb: 2, xform: xf, one: one, many: many}
	}
	t.matvec.k[F32] = k(layoutPanel, xAsIs, matvecF32x1AVX2, matvecF32x2AVX2)
	if hasF16C {
		t.matvec.k[F16] = k(layoutPanel, xAsIs, matvecF16x1AVX2, matvecF16x2AVX2)
	}
	t.matvec.k[BF16] = k(layoutPanelIL, xAsIs, matvecBF16x1AVX2, matvecBF16x2AVX2)
	t.matvec.k[BF16Dot] = k(layoutPanelIL, xRoundBF16, matvecBF16x1AVX2, matvecBF16x2AVX2)
	t.roundBF16 = roundBF16AVX2
}

// fillAVX512MatVec installs the AVX-512F MatVec kernels: panels of 64 rows
// (four zmm), four vectors per call (sixteen accumulators). BF16Dot runs on
// VDPBF16PS where the CPU has AVX512_BF16, otherwise as the BF16 kernel on
// x rounded to bfloat16.
func fillAVX512MatVec(t *impl) {
	k := func(l matLayout, xf xForm, one, many matPanelFunc) *matKernel {
		return &matKernel{layout: l, p: 64, v: 16, nbb: 4, xform: xf, one: one, many: many}
	}
	t.matvec.k[F32] = k(layoutPanel, xAsIs, matvecF32x1AVX512, matvecF32x4AVX512)
	t.matvec.k[F16] = k(layoutPanel, xAsIs, matvecF16x1AVX512, matvecF16x4AVX512)
	if f16OnYMM {
		t.matvec.k[F16].one = matvecF16x1YAVX512
	}
	t.matvec.k[BF16] = k(layoutPanelIL, xAsIs, matvecBF16x1AVX512, matvecBF16x4AVX512)
	t.matvec.k[BF16Dot] = k(layoutPanelIL, xRoundBF16, matvecBF16x1AVX512, matvecBF16x4AVX512)
	if hasAVX512BF16 {
		t.matvec.k[BF16Dot] = k(layoutPairs, xPairsBF16, matvecDotx1AVX512, matvecDotx4AVX512)
	}
	t.roundBF16 = roundBF16AVX512
	t.packBF16 = packBF16AVX512
}

// roundBF16AVX2 is roundBF16Generic: whole blocks of 8 in assembly, the
// rest in Go.
func roundBF16AVX2(dst, x []float32) {
	dst = dst[:len(x)]
	k := len(x) &^ 7
	roundBF16AVX2Asm(dst[:k], x[:k])
	roundBF16Generic(dst[k:], x[k:])
}

// roundBF16AVX512 is roundBF16Generic: whole blocks of 16 in assembly,
// the rest in Go.
func roundBF16AVX512(dst, x []float32) {
	dst = dst[:len(x)]
	k := len(x) &^ 15
	roundBF16AVX512Asm(dst[:k], x[:k])
	roundBF16Generic(dst[k:], x[k:])
}

// packBF16AVX512 is packBF16Generic: whole blocks of 16 in assembly, the
// rest in Go.
func packBF16AVX512(dst []uint16, x []float32) {
	dst = dst[:len(x)]
	k := len(x) &^ 15
	packBF16AVX512Asm(dst[:k], x[:k])
	packBF16Generic(dst[k:], x[k:])
}

// roundBF16AVX2Asm does roundBF16Generic on the first len(src)&^7
// elements; len(dst) >= len(src).
//
//go:noescape
func roundBF16AVX2Asm(dst, src []float32)

// roundBF16AVX512Asm does roundBF16Generic on the first len(src)&^15
// elements; len(dst) >= len(src).
//
//go:noescape
func roundBF16AVX512Asm(dst, src []float32)

// packBF16AVX512Asm does packBF16Generic on the first len(src)&^15
// elements; len(dst) >= len(src).
//
//go:noescape
func packBF16AVX512Asm(dst []uint16, src []float32)

//go:noescape
func matvecF32x1AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecF32x2AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecF16x1AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecF16x2AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecBF16x1AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecBF16x2AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecF32x1AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecF32x4AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecF16x1AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecF16x4AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecF16x1YAVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecBF16x1AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecBF16x4AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecDotx1AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

//go:noescape
func matvecDotx4AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
