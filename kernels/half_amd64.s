//go:build !purego

#include "textflag.h"

// AxpyF16 for amd64: y[i] += alpha*x[i] with x in IEEE 754 binary16,
// widened by VCVTPH2PS (exact for every binary16 value). The spec is
// axpyF16Generic (half.go). As in kernels_amd64.s, no element outside the
// slices is read or written: the ragged end of x (2 bytes per element, so a
// dword lane mask cannot guard its load) is gathered into a zeroed xmm in at
// most three pieces (1, 2 and 4 halves, F16GATHER below), and y's ragged end
// is loaded and stored under a lane mask.

// f16MaskTab<> is eight all-ones dwords followed by eight zero dwords: the
// 32 bytes at f16MaskTab<>+32-4*r enable the first r lanes of a ymm
// (0 <= r <= 8). (A copy of kernels_amd64.s's maskTab<>, which is private
// to that file.)
DATA f16MaskTab<>+0x00(SB)/8, $0xffffffffffffffff
DATA f16MaskTab<>+0x08(SB)/8, $0xffffffffffffffff
DATA f16MaskTab<>+0x10(SB)/8, $0xffffffffffffffff
DATA f16MaskTab<>+0x18(SB)/8, $0xffffffffffffffff
DATA f16MaskTab<>+0x20(SB)/8, $0
DATA f16MaskTab<>+0x28(SB)/8, $0
DATA f16MaskTab<>+0x30(SB)/8, $0
DATA f16MaskTab<>+0x38(SB)/8, $0
GLOBL f16MaskTab<>(SB), RODATA|NOPTR, $64

// F16LOADMASK(r, tmp, Y) sets Y to the lane mask of the first r (0..8)
// lanes; it clobbers r and tmp.
#define F16LOADMASK(r, tmp, y) \
	NEGQ r; \
	LEAQ f16MaskTab<>+32(SB), tmp; \
	VMOVDQU (tmp)(r*4), y

// F16KMASK(r, tmp, k) sets k to the mask of the first r (0..16) lanes; it
// clobbers tmp.
#define F16KMASK(r, tmp, k) \
	MOVL $1, tmp; \
	SHLL r, tmp; \
	DECL tmp; \
	KMOVW tmp, k

// F16GATHER(p, r, tmp, X, l2, l4, lend) sets the 16-bit lanes 0..r-1 of X
// to the halves p[0..r) and the other lanes (and the upper half of the
// ymm/zmm) to zero, for 0 <= r <= 7, reading exactly those 2r bytes. It is
// built from the end: the odd last half (r&1) into lane 0, then shifted up
// two lanes under the pair p[r&4 : r&4+2] (r&2), then shifted up four lanes
// under the quad p[0:4] (r&4). l2, l4 and lend are the labels it needs
// (unique per use). It clobbers tmp.
#define F16GATHER(p, r, tmp, x, l2, l4, lend) \
	VPXOR   x, x, x; \
	TESTQ   $1, r; \
	JZ      l2; \
	VPINSRW $0, -2(p)(r*2), x, x; \
l2: \
	TESTQ   $2, r; \
	JZ      l4; \
	MOVQ    r, tmp; \
	ANDQ    $4, tmp; \
	VPSLLDQ $4, x, x; \
	VPINSRD $0, (p)(tmp*2), x, x; \
l4: \
	TESTQ   $4, r; \
	JZ      lend; \
	VPSLLDQ $8, x, x; \
	VPINSRQ $0, (p), x, x; \
lend:

// func axpyF16AVX2Asm(alpha float32, x []uint16, y []float32)
// Requires: AVX2, FMA, F16C
//
// Y0 = alpha, SI = x, DI = y, CX = len(x), AX = element index, DX = bound.
// 32 elements (4 ymm: VCVTPH2PS of 16 bytes of x each, VFMADD213PS with y
// from memory) per iteration, then 8, then the last r = len(x)%8: the
// halves gathered into X1 (F16GATHER, BX = &x[AX]) and widened, y loaded
// and stored under the lane mask Y12.
TEXT ·axpyF16AVX2Asm(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-32, DX
	JZ           f16_by8

f16_loop32:
	VCVTPH2PS   (SI)(AX*2), Y1
	VCVTPH2PS   16(SI)(AX*2), Y2
	VCVTPH2PS   32(SI)(AX*2), Y3
	VCVTPH2PS   48(SI)(AX*2), Y4
	VFMADD213PS (DI)(AX*4), Y0, Y1
	VFMADD213PS 32(DI)(AX*4), Y0, Y2
	VFMADD213PS 64(DI)(AX*4), Y0, Y3
	VFMADD213PS 96(DI)(AX*4), Y0, Y4
	VMOVUPS     Y1, (DI)(AX*4)
	VMOVUPS     Y2, 32(DI)(AX*4)
	VMOVUPS     Y3, 64(DI)(AX*4)
	VMOVUPS     Y4, 96(DI)(AX*4)
	ADDQ        $32, AX
	CMPQ        AX, DX
	JB          f16_loop32

f16_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JAE  f16_tail

f16_loop8:
	VCVTPH2PS   (SI)(AX*2), Y1
	VFMADD213PS (DI)(AX*4), Y0, Y1
	VMOVUPS     Y1, (DI)(AX*4)
	ADDQ        $8, AX
	CMPQ        AX, DX
	JB          f16_loop8

f16_tail:
	SUBQ AX, CX
	JZ   f16_done
	LEAQ (SI)(AX*2), BX
	F16GATHER(BX, CX, DX, X1, f16_g2, f16_g4, f16_gend)
	VCVTPH2PS   X1, Y1
	F16LOADMASK(CX, DX, Y12)
	VMASKMOVPS  (DI)(AX*4), Y12, Y2
	VFMADD231PS Y1, Y0, Y2
	VMASKMOVPS  Y2, Y12, (DI)(AX*4)

f16_done:
	VZEROUPPER
	RET

// func axpyF16AVX512Asm(alpha float32, x []uint16, y []float32)
// Requires: AVX512F, AVX2
//
// Z0 = alpha, SI = x, DI = y, CX = len(x), AX = element index, DX = bound.
// 64 elements (4 zmm: VCVTPH2PS of 32 bytes of x each, VFMADD213PS with y
// from memory) per iteration, then 16, then the last r = len(x)%16: its
// last r%8 halves gathered into X1 (F16GATHER, BX = their start, R8 = r%8),
// below them (if r >= 8) eight halves loaded whole into X2 and joined as
// Y1 = [X2 | X1], widened to Z1, and y loaded and stored under the k-mask
// K1 of the first r lanes. Only AVX512F forms of VCVTPH2PS are used (zmm
// destination), so F16C is not needed.
TEXT ·axpyF16AVX512Asm(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-64, DX
	JZ           f16z_by16

f16z_loop64:
	VCVTPH2PS   (SI)(AX*2), Z1
	VCVTPH2PS   32(SI)(AX*2), Z2
	VCVTPH2PS   64(SI)(AX*2), Z3
	VCVTPH2PS   96(SI)(AX*2), Z4
	VFMADD213PS (DI)(AX*4), Z0, Z1
	VFMADD213PS 64(DI)(AX*4), Z0, Z2
	VFMADD213PS 128(DI)(AX*4), Z0, Z3
	VFMADD213PS 192(DI)(AX*4), Z0, Z4
	VMOVUPS     Z1, (DI)(AX*4)
	VMOVUPS     Z2, 64(DI)(AX*4)
	VMOVUPS     Z3, 128(DI)(AX*4)
	VMOVUPS     Z4, 192(DI)(AX*4)
	ADDQ        $64, AX
	CMPQ        AX, DX
	JB          f16z_loop64

f16z_by16:
	MOVQ CX, DX
	ANDQ $-16, DX
	CMPQ AX, DX
	JAE  f16z_tail

f16z_loop16:
	VCVTPH2PS   (SI)(AX*2), Z1
	VFMADD213PS (DI)(AX*4), Z0, Z1
	VMOVUPS     Z1, (DI)(AX*4)
	ADDQ        $16, AX
	CMPQ        AX, DX
	JB          f16z_loop16

f16z_tail:
	SUBQ AX, CX
	JZ   f16z_done
	MOVQ CX, R8
	ANDQ $7, R8
	MOVQ CX, DX
	ANDQ $8, DX
	LEAQ (SI)(AX*2), BX
	LEAQ (BX)(DX*2), BX
	F16GATHER(BX, R8, DX, X1, f16z_g2, f16z_g4, f16z_gend)
	TESTQ      $8, CX
	JZ         f16z_cvt
	VMOVDQU    (SI)(AX*2), X2
	VINSERTI128 $1, X1, Y2, Y1

f16z_cvt:
	VCVTPH2PS   Y1, Z1
	F16KMASK(CX, DX, K1)
	VMOVUPS.Z   (DI)(AX*4), K1, Z2
	VFMADD231PS Z1, Z0, Z2
	VMOVUPS     Z2, K1, (DI)(AX*4)

f16z_done:
	VZEROUPPER
	RET
