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

// Gather16 and Gather16F16 for amd64: acc[k] += sum_i coef[i]*row(idx[i])[k]
// for k < 16, the rows 64 bytes of float32 or 32 bytes of binary16 (widened
// by VCVTPH2PS). The specs are gather16Generic and gather16F16Generic
// (half.go); the Go side has checked every index, so each idx[i] is read as
// a 32-bit value zero-extended to 64 bits (two at a time: one 64-bit load
// split by MOVL and SHRQ $32) and scaled to its row's byte offset. The 16
// sums stay in registers across the loop: acc is loaded once and stored
// once. Several accumulators, each its own chain of dependent FMAs, hide the
// FMA latency; the first starts from acc and the others from -0, the
// identity of addition (-0 + x is x for every x, -0 and +0 included), so a
// call with fewer indices than one iteration takes gives exactly the
// sequential FMA chain from acc. They are summed once at the end, so the
// order in which the products are added differs from gather16Generic's.

// G16NEGZERO(Y) sets every float32 lane of Y to -0 (0x80000000).
#define G16NEGZERO(y) \
	VPCMPEQD y, y, y; \
	VPSLLD   $31, y, y

// func gather16AVX2Asm(acc []float32, rows []float32, idx []int32, coef []float32)
// Requires: AVX2, FMA
//
// DI = acc, SI = rows, BX = idx, DX = coef, CX = len(idx), AX = index i,
// R12 = bound of the 4-index loop, R8-R11 = addresses of the rows of
// idx[i..i+3]. Four accumulator pairs Y0:Y1 (from acc), Y2:Y3, Y4:Y5,
// Y6:Y7 (from -0), one per index of an iteration of 4 (coefs broadcast
// into Y8-Y11, the rows the memory operands of VFMADD231PS); then one index
// at a time into Y0:Y1; then Y0:Y1 += (Y2:Y3 + (Y4:Y5 + Y6:Y7)) and the
// store to acc.
TEXT ·gather16AVX2Asm(SB), NOSPLIT, $0-96
	MOVQ    acc_base+0(FP), DI
	MOVQ    rows_base+24(FP), SI
	MOVQ    idx_base+48(FP), BX
	MOVQ    idx_len+56(FP), CX
	MOVQ    coef_base+72(FP), DX
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	G16NEGZERO(Y2)
	VMOVAPS Y2, Y3
	VMOVAPS Y2, Y4
	VMOVAPS Y2, Y5
	VMOVAPS Y2, Y6
	VMOVAPS Y2, Y7
	XORQ    AX, AX
	MOVQ    CX, R12
	ANDQ    $-4, R12
	JZ      g16_tail

g16_loop4:
	MOVQ         (BX)(AX*4), R9
	MOVQ         8(BX)(AX*4), R11
	MOVL         R9, R8
	SHRQ         $32, R9
	MOVL         R11, R10
	SHRQ         $32, R11
	SHLQ         $6, R8
	SHLQ         $6, R9
	SHLQ         $6, R10
	SHLQ         $6, R11
	ADDQ         SI, R8
	ADDQ         SI, R9
	ADDQ         SI, R10
	ADDQ         SI, R11
	VBROADCASTSS (DX)(AX*4), Y8
	VBROADCASTSS 4(DX)(AX*4), Y9
	VBROADCASTSS 8(DX)(AX*4), Y10
	VBROADCASTSS 12(DX)(AX*4), Y11
	VFMADD231PS  (R8), Y8, Y0
	VFMADD231PS  32(R8), Y8, Y1
	VFMADD231PS  (R9), Y9, Y2
	VFMADD231PS  32(R9), Y9, Y3
	VFMADD231PS  (R10), Y10, Y4
	VFMADD231PS  32(R10), Y10, Y5
	VFMADD231PS  (R11), Y11, Y6
	VFMADD231PS  32(R11), Y11, Y7
	ADDQ         $4, AX
	CMPQ         AX, R12
	JB           g16_loop4

g16_tail:
	CMPQ AX, CX
	JAE  g16_sum

g16_loop1:
	MOVL         (BX)(AX*4), R8
	SHLQ         $6, R8
	ADDQ         SI, R8
	VBROADCASTSS (DX)(AX*4), Y8
	VFMADD231PS  (R8), Y8, Y0
	VFMADD231PS  32(R8), Y8, Y1
	INCQ         AX
	CMPQ         AX, CX
	JB           g16_loop1

g16_sum:
	VADDPS  Y6, Y4, Y4
	VADDPS  Y7, Y5, Y5
	VADDPS  Y4, Y2, Y2
	VADDPS  Y5, Y3, Y3
	VADDPS  Y2, Y0, Y0
	VADDPS  Y3, Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VZEROUPPER
	RET

// func gather16F16AVX2Asm(acc []float32, rows []uint16, idx []int32, coef []float32)
// Requires: AVX2, FMA, F16C
//
// gather16AVX2Asm on binary16 rows (R8-R11 = row addresses, 32 bytes a
// row): the two halves of a row are widened by VCVTPH2PS (m128 -> ymm) into
// Y12:Y13 (idx[i], idx[i+2]) and Y14:Y15 (idx[i+1], idx[i+3]), then FMAed
// into the accumulator pairs Y0:Y1 ... Y6:Y7 with the coefs in Y8-Y11.
TEXT ·gather16F16AVX2Asm(SB), NOSPLIT, $0-96
	MOVQ    acc_base+0(FP), DI
	MOVQ    rows_base+24(FP), SI
	MOVQ    idx_base+48(FP), BX
	MOVQ    idx_len+56(FP), CX
	MOVQ    coef_base+72(FP), DX
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	G16NEGZERO(Y2)
	VMOVAPS Y2, Y3
	VMOVAPS Y2, Y4
	VMOVAPS Y2, Y5
	VMOVAPS Y2, Y6
	VMOVAPS Y2, Y7
	XORQ    AX, AX
	MOVQ    CX, R12
	ANDQ    $-4, R12
	JZ      g16h_tail

g16h_loop4:
	MOVQ         (BX)(AX*4), R9
	MOVQ         8(BX)(AX*4), R11
	MOVL         R9, R8
	SHRQ         $32, R9
	MOVL         R11, R10
	SHRQ         $32, R11
	SHLQ         $5, R8
	SHLQ         $5, R9
	SHLQ         $5, R10
	SHLQ         $5, R11
	ADDQ         SI, R8
	ADDQ         SI, R9
	ADDQ         SI, R10
	ADDQ         SI, R11
	VBROADCASTSS (DX)(AX*4), Y8
	VBROADCASTSS 4(DX)(AX*4), Y9
	VBROADCASTSS 8(DX)(AX*4), Y10
	VBROADCASTSS 12(DX)(AX*4), Y11
	VCVTPH2PS    (R8), Y12
	VCVTPH2PS    16(R8), Y13
	VCVTPH2PS    (R9), Y14
	VCVTPH2PS    16(R9), Y15
	VFMADD231PS  Y12, Y8, Y0
	VFMADD231PS  Y13, Y8, Y1
	VFMADD231PS  Y14, Y9, Y2
	VFMADD231PS  Y15, Y9, Y3
	VCVTPH2PS    (R10), Y12
	VCVTPH2PS    16(R10), Y13
	VCVTPH2PS    (R11), Y14
	VCVTPH2PS    16(R11), Y15
	VFMADD231PS  Y12, Y10, Y4
	VFMADD231PS  Y13, Y10, Y5
	VFMADD231PS  Y14, Y11, Y6
	VFMADD231PS  Y15, Y11, Y7
	ADDQ         $4, AX
	CMPQ         AX, R12
	JB           g16h_loop4

g16h_tail:
	CMPQ AX, CX
	JAE  g16h_sum

g16h_loop1:
	MOVL         (BX)(AX*4), R8
	SHLQ         $5, R8
	ADDQ         SI, R8
	VBROADCASTSS (DX)(AX*4), Y8
	VCVTPH2PS    (R8), Y12
	VCVTPH2PS    16(R8), Y13
	VFMADD231PS  Y12, Y8, Y0
	VFMADD231PS  Y13, Y8, Y1
	INCQ         AX
	CMPQ         AX, CX
	JB           g16h_loop1

g16h_sum:
	VADDPS  Y6, Y4, Y4
	VADDPS  Y7, Y5, Y5
	VADDPS  Y4, Y2, Y2
	VADDPS  Y5, Y3, Y3
	VADDPS  Y2, Y0, Y0
	VADDPS  Y3, Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VZEROUPPER
	RET

// func gather16AVX512Asm(acc []float32, rows []float32, idx []int32, coef []float32)
// Requires: AVX512F
//
// DI = acc, SI = rows, BX = idx, DX = coef, CX = len(idx), AX = index i,
// R12 = bound of the 8-index loop, R8-R11 = addresses of the rows of
// idx[i..i+3], then of idx[i+4..i+7]. Eight accumulators Z0 (from acc) and
// Z1-Z7 (from -0), one per index of an iteration of 8 (coefs broadcast into
// Z8-Z15, the rows the memory operands of VFMADD231PS); then one index at a
// time into Z0; then Z0 += (Z1 + ...) in a tree and the store to acc.
TEXT ·gather16AVX512Asm(SB), NOSPLIT, $0-96
	MOVQ       acc_base+0(FP), DI
	MOVQ       rows_base+24(FP), SI
	MOVQ       idx_base+48(FP), BX
	MOVQ       idx_len+56(FP), CX
	MOVQ       coef_base+72(FP), DX
	VMOVUPS    (DI), Z0
	VPTERNLOGD $0xff, Z1, Z1, Z1
	VPSLLD     $31, Z1, Z1
	VMOVAPS    Z1, Z2
	VMOVAPS    Z1, Z3
	VMOVAPS    Z1, Z4
	VMOVAPS    Z1, Z5
	VMOVAPS    Z1, Z6
	VMOVAPS    Z1, Z7
	XORQ       AX, AX
	MOVQ       CX, R12
	ANDQ       $-8, R12
	JZ         g16z_tail

g16z_loop8:
	MOVQ         (BX)(AX*4), R9
	MOVQ         8(BX)(AX*4), R11
	MOVL         R9, R8
	SHRQ         $32, R9
	MOVL         R11, R10
	SHRQ         $32, R11
	SHLQ         $6, R8
	SHLQ         $6, R9
	SHLQ         $6, R10
	SHLQ         $6, R11
	ADDQ         SI, R8
	ADDQ         SI, R9
	ADDQ         SI, R10
	ADDQ         SI, R11
	VBROADCASTSS (DX)(AX*4), Z8
	VBROADCASTSS 4(DX)(AX*4), Z9
	VBROADCASTSS 8(DX)(AX*4), Z10
	VBROADCASTSS 12(DX)(AX*4), Z11
	VFMADD231PS  (R8), Z8, Z0
	VFMADD231PS  (R9), Z9, Z1
	VFMADD231PS  (R10), Z10, Z2
	VFMADD231PS  (R11), Z11, Z3
	MOVQ         16(BX)(AX*4), R9
	MOVQ         24(BX)(AX*4), R11
	MOVL         R9, R8
	SHRQ         $32, R9
	MOVL         R11, R10
	SHRQ         $32, R11
	SHLQ         $6, R8
	SHLQ         $6, R9
	SHLQ         $6, R10
	SHLQ         $6, R11
	ADDQ         SI, R8
	ADDQ         SI, R9
	ADDQ         SI, R10
	ADDQ         SI, R11
	VBROADCASTSS 16(DX)(AX*4), Z12
	VBROADCASTSS 20(DX)(AX*4), Z13
	VBROADCASTSS 24(DX)(AX*4), Z14
	VBROADCASTSS 28(DX)(AX*4), Z15
	VFMADD231PS  (R8), Z12, Z4
	VFMADD231PS  (R9), Z13, Z5
	VFMADD231PS  (R10), Z14, Z6
	VFMADD231PS  (R11), Z15, Z7
	ADDQ         $8, AX
	CMPQ         AX, R12
	JB           g16z_loop8

g16z_tail:
	CMPQ AX, CX
	JAE  g16z_sum

g16z_loop1:
	MOVL         (BX)(AX*4), R8
	SHLQ         $6, R8
	ADDQ         SI, R8
	VBROADCASTSS (DX)(AX*4), Z8
	VFMADD231PS  (R8), Z8, Z0
	INCQ         AX
	CMPQ         AX, CX
	JB           g16z_loop1

g16z_sum:
	VADDPS  Z5, Z4, Z4
	VADDPS  Z7, Z6, Z6
	VADDPS  Z3, Z2, Z2
	VADDPS  Z6, Z4, Z4
	VADDPS  Z2, Z1, Z1
	VADDPS  Z4, Z1, Z1
	VADDPS  Z1, Z0, Z0
	VMOVUPS Z0, (DI)
	VZEROUPPER
	RET

// func gather16F16AVX512Asm(acc []float32, rows []uint16, idx []int32, coef []float32)
// Requires: AVX512F
//
// gather16AVX512Asm on binary16 rows (R8-R11 = row addresses, 32 bytes a
// row): each row is widened by VCVTPH2PS (m256 -> zmm, an AVX512F form, so
// F16C is not needed) into Z16-Z23, then FMAed into Z0-Z7 with the coefs
// in Z8-Z15.
TEXT ·gather16F16AVX512Asm(SB), NOSPLIT, $0-96
	MOVQ       acc_base+0(FP), DI
	MOVQ       rows_base+24(FP), SI
	MOVQ       idx_base+48(FP), BX
	MOVQ       idx_len+56(FP), CX
	MOVQ       coef_base+72(FP), DX
	VMOVUPS    (DI), Z0
	VPTERNLOGD $0xff, Z1, Z1, Z1
	VPSLLD     $31, Z1, Z1
	VMOVAPS    Z1, Z2
	VMOVAPS    Z1, Z3
	VMOVAPS    Z1, Z4
	VMOVAPS    Z1, Z5
	VMOVAPS    Z1, Z6
	VMOVAPS    Z1, Z7
	XORQ       AX, AX
	MOVQ       CX, R12
	ANDQ       $-8, R12
	JZ         g16hz_tail

g16hz_loop8:
	MOVQ         (BX)(AX*4), R9
	MOVQ         8(BX)(AX*4), R11
	MOVL         R9, R8
	SHRQ         $32, R9
	MOVL         R11, R10
	SHRQ         $32, R11
	SHLQ         $5, R8
	SHLQ         $5, R9
	SHLQ         $5, R10
	SHLQ         $5, R11
	ADDQ         SI, R8
	ADDQ         SI, R9
	ADDQ         SI, R10
	ADDQ         SI, R11
	VBROADCASTSS (DX)(AX*4), Z8
	VBROADCASTSS 4(DX)(AX*4), Z9
	VBROADCASTSS 8(DX)(AX*4), Z10
	VBROADCASTSS 12(DX)(AX*4), Z11
	VCVTPH2PS    (R8), Z16
	VCVTPH2PS    (R9), Z17
	VCVTPH2PS    (R10), Z18
	VCVTPH2PS    (R11), Z19
	VFMADD231PS  Z16, Z8, Z0
	VFMADD231PS  Z17, Z9, Z1
	VFMADD231PS  Z18, Z10, Z2
	VFMADD231PS  Z19, Z11, Z3
	MOVQ         16(BX)(AX*4), R9
	MOVQ         24(BX)(AX*4), R11
	MOVL         R9, R8
	SHRQ         $32, R9
	MOVL         R11, R10
	SHRQ         $32, R11
	SHLQ         $5, R8
	SHLQ         $5, R9
	SHLQ         $5, R10
	SHLQ         $5, R11
	ADDQ         SI, R8
	ADDQ         SI, R9
	ADDQ         SI, R10
	ADDQ         SI, R11
	VBROADCASTSS 16(DX)(AX*4), Z12
	VBROADCASTSS 20(DX)(AX*4), Z13
	VBROADCASTSS 24(DX)(AX*4), Z14
	VBROADCASTSS 28(DX)(AX*4), Z15
	VCVTPH2PS    (R8), Z20
	VCVTPH2PS    (R9), Z21
	VCVTPH2PS    (R10), Z22
	VCVTPH2PS    (R11), Z23
	VFMADD231PS  Z20, Z12, Z4
	VFMADD231PS  Z21, Z13, Z5
	VFMADD231PS  Z22, Z14, Z6
	VFMADD231PS  Z23, Z15, Z7
	ADDQ         $8, AX
	CMPQ         AX, R12
	JB           g16hz_loop8

g16hz_tail:
	CMPQ AX, CX
	JAE  g16hz_sum

g16hz_loop1:
	MOVL         (BX)(AX*4), R8
	SHLQ         $5, R8
	ADDQ         SI, R8
	VBROADCASTSS (DX)(AX*4), Z8
	VCVTPH2PS    (R8), Z16
	VFMADD231PS  Z16, Z8, Z0
	INCQ         AX
	CMPQ         AX, CX
	JB           g16hz_loop1

g16hz_sum:
	VADDPS  Z5, Z4, Z4
	VADDPS  Z7, Z6, Z6
	VADDPS  Z3, Z2, Z2
	VADDPS  Z6, Z4, Z4
	VADDPS  Z2, Z1, Z1
	VADDPS  Z4, Z1, Z1
	VADDPS  Z1, Z0, Z0
	VMOVUPS Z0, (DI)
	VZEROUPPER
	RET
