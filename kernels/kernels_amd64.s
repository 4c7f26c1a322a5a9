//go:build !purego

#include "textflag.h"

// Vector and GEMV kernels for amd64: AVX2+FMA (ymm) and AVX-512F (zmm).
// Hand-written. Every routine handles its whole length itself: vector main
// loops, then masked loads and stores for the ragged end (VMASKMOVPS with a
// lane mask from maskTab<> for AVX2, k-masks for AVX-512), so no element
// outside the slices is read or written.

// maskTab<> is eight all-ones dwords followed by eight zero dwords: the 32
// bytes at maskTab<>+32-4*r enable the first r lanes of a ymm (0 <= r <= 8).
DATA maskTab<>+0x00(SB)/8, $0xffffffffffffffff
DATA maskTab<>+0x08(SB)/8, $0xffffffffffffffff
DATA maskTab<>+0x10(SB)/8, $0xffffffffffffffff
DATA maskTab<>+0x18(SB)/8, $0xffffffffffffffff
DATA maskTab<>+0x20(SB)/8, $0
DATA maskTab<>+0x28(SB)/8, $0
DATA maskTab<>+0x30(SB)/8, $0
DATA maskTab<>+0x38(SB)/8, $0
GLOBL maskTab<>(SB), RODATA|NOPTR, $64

// LOADMASK(r, tmp, Y) sets Y to the lane mask of the first r (0..8) lanes;
// it clobbers r and tmp.
#define LOADMASK(r, tmp, y) \
	NEGQ r; \
	LEAQ maskTab<>+32(SB), tmp; \
	VMOVDQU (tmp)(r*4), y

// KMASK(r, tmp, k) sets k to the mask of the first r (0..16) lanes; it
// clobbers tmp.
#define KMASK(r, tmp, k) \
	MOVL $1, tmp; \
	SHLL r, tmp; \
	DECL tmp; \
	KMOVW tmp, k

// HSUM8 reduces Y0..Y7 to Y0[i] = sum of the lanes of Yi (clobbers Y1-Y7).
#define HSUM8 \
	VHADDPS Y1, Y0, Y0; \
	VHADDPS Y3, Y2, Y2; \
	VHADDPS Y5, Y4, Y4; \
	VHADDPS Y7, Y6, Y6; \
	VHADDPS Y2, Y0, Y0; \
	VHADDPS Y6, Y4, Y4; \
	VPERM2F128 $0x20, Y4, Y0, Y1; \
	VPERM2F128 $0x31, Y4, Y0, Y2; \
	VADDPS Y2, Y1, Y0

// HSUM4 reduces Y0..Y3 to X0[i] = sum of the lanes of Yi (clobbers Y1-Y3).
#define HSUM4 \
	VHADDPS Y1, Y0, Y0; \
	VHADDPS Y3, Y2, Y2; \
	VHADDPS Y2, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS X1, X0, X0

// HSUM1 reduces Y0 to X0[0] = sum of its lanes (clobbers Y1).
#define HSUM1 \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS X1, X0, X0; \
	VHADDPS X0, X0, X0; \
	VHADDPS X0, X0, X0

// func dotAVX2Asm(x, y []float32) float32
// Requires: AVX2, FMA
//
// SI = x, DI = y, CX = len(x), AX = element index, DX = loop bound.
// Y0-Y7 accumulate 64 elements per iteration, then Y0 8 per iteration,
// then Y1 the masked last len(x)%8; the accumulators are summed at the end.
TEXT ·dotAVX2Asm(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-64, DX
	JZ   dot_by8

dot_loop64:
	VMOVUPS     (SI)(AX*4), Y8
	VMOVUPS     32(SI)(AX*4), Y9
	VMOVUPS     64(SI)(AX*4), Y10
	VMOVUPS     96(SI)(AX*4), Y11
	VFMADD231PS (DI)(AX*4), Y8, Y0
	VFMADD231PS 32(DI)(AX*4), Y9, Y1
	VFMADD231PS 64(DI)(AX*4), Y10, Y2
	VFMADD231PS 96(DI)(AX*4), Y11, Y3
	VMOVUPS     128(SI)(AX*4), Y12
	VMOVUPS     160(SI)(AX*4), Y13
	VMOVUPS     192(SI)(AX*4), Y14
	VMOVUPS     224(SI)(AX*4), Y15
	VFMADD231PS 128(DI)(AX*4), Y12, Y4
	VFMADD231PS 160(DI)(AX*4), Y13, Y5
	VFMADD231PS 192(DI)(AX*4), Y14, Y6
	VFMADD231PS 224(DI)(AX*4), Y15, Y7
	ADDQ        $64, AX
	CMPQ        AX, DX
	JB          dot_loop64

dot_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JAE  dot_tail

dot_loop8:
	VMOVUPS     (SI)(AX*4), Y8
	VFMADD231PS (DI)(AX*4), Y8, Y0
	ADDQ        $8, AX
	CMPQ        AX, DX
	JB          dot_loop8

dot_tail:
	SUBQ AX, CX
	JZ   dot_reduce
	LOADMASK(CX, BX, Y12)
	VMASKMOVPS  (SI)(AX*4), Y12, Y8
	VMASKMOVPS  (DI)(AX*4), Y12, Y9
	VFMADD231PS Y9, Y8, Y1

dot_reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y5, Y4, Y4
	VADDPS Y7, Y6, Y6
	VADDPS Y2, Y0, Y0
	VADDPS Y6, Y4, Y4
	VADDPS Y4, Y0, Y0
	HSUM1
	VMOVSS X0, ret+48(FP)
	VZEROUPPER
	RET

// func axpyAVX2Asm(alpha float32, x, y []float32)
// Requires: AVX2, FMA
//
// Y0 = alpha, SI = x, DI = y, CX = len(x), AX = element index, DX = bound.
// 32 elements (4 ymm) per iteration, then 8, then a masked load/store of
// the last len(x)%8.
TEXT ·axpyAVX2Asm(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-32, DX
	JZ           axpy_by8

axpy_loop32:
	VMOVUPS     (DI)(AX*4), Y1
	VMOVUPS     32(DI)(AX*4), Y2
	VMOVUPS     64(DI)(AX*4), Y3
	VMOVUPS     96(DI)(AX*4), Y4
	VFMADD231PS (SI)(AX*4), Y0, Y1
	VFMADD231PS 32(SI)(AX*4), Y0, Y2
	VFMADD231PS 64(SI)(AX*4), Y0, Y3
	VFMADD231PS 96(SI)(AX*4), Y0, Y4
	VMOVUPS     Y1, (DI)(AX*4)
	VMOVUPS     Y2, 32(DI)(AX*4)
	VMOVUPS     Y3, 64(DI)(AX*4)
	VMOVUPS     Y4, 96(DI)(AX*4)
	ADDQ        $32, AX
	CMPQ        AX, DX
	JB          axpy_loop32

axpy_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JAE  axpy_tail

axpy_loop8:
	VMOVUPS     (DI)(AX*4), Y1
	VFMADD231PS (SI)(AX*4), Y0, Y1
	VMOVUPS     Y1, (DI)(AX*4)
	ADDQ        $8, AX
	CMPQ        AX, DX
	JB          axpy_loop8

axpy_tail:
	SUBQ AX, CX
	JZ   axpy_done
	LOADMASK(CX, BX, Y12)
	VMASKMOVPS  (SI)(AX*4), Y12, Y2
	VMASKMOVPS  (DI)(AX*4), Y12, Y1
	VFMADD231PS Y2, Y0, Y1
	VMASKMOVPS  Y1, Y12, (DI)(AX*4)

axpy_done:
	VZEROUPPER
	RET

// func dotAVX512Asm(x, y []float32) float32
// Requires: AVX512F
//
// SI = x, DI = y, CX = len(x), then the elements left, AX = element index,
// DX = loop bound, Z4-Z7 loads. Z0-Z3 accumulate 64 elements per
// iteration; the at most three whole 16-element vectors left go to Z0, Z1
// and Z2 (straight-line, so a short x needs no loop and its FMAs do not
// chain), and the last len(x)%16 to Z3 under the k-mask K1 (merge-masked
// FMA, so masked-off lanes of the accumulator are kept and masked-off
// elements are never read). The accumulators are summed pairwise, folded
// to 8, 4, 2 and 1 lanes at the end.
TEXT ·dotAVX512Asm(SB), NOSPLIT, $0-52
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	XORQ   AX, AX
	MOVQ   CX, DX
	ANDQ   $-64, DX
	JZ     dot512_rest

dot512_loop64:
	VMOVUPS     (SI)(AX*4), Z4
	VMOVUPS     64(SI)(AX*4), Z5
	VMOVUPS     128(SI)(AX*4), Z6
	VMOVUPS     192(SI)(AX*4), Z7
	VFMADD231PS (DI)(AX*4), Z4, Z0
	VFMADD231PS 64(DI)(AX*4), Z5, Z1
	VFMADD231PS 128(DI)(AX*4), Z6, Z2
	VFMADD231PS 192(DI)(AX*4), Z7, Z3
	ADDQ        $64, AX
	CMPQ        AX, DX
	JB          dot512_loop64

dot512_rest:
	SUBQ        AX, CX
	CMPQ        CX, $16
	JB          dot512_tail
	VMOVUPS     (SI)(AX*4), Z4
	VFMADD231PS (DI)(AX*4), Z4, Z0
	CMPQ        CX, $32
	JB          dot512_tail16
	VMOVUPS     64(SI)(AX*4), Z5
	VFMADD231PS 64(DI)(AX*4), Z5, Z1
	CMPQ        CX, $48
	JB          dot512_tail32
	VMOVUPS     128(SI)(AX*4), Z6
	VFMADD231PS 128(DI)(AX*4), Z6, Z2
	ADDQ        $16, AX

dot512_tail32:
	ADDQ $16, AX

dot512_tail16:
	ADDQ $16, AX

dot512_tail:
	ANDQ        $15, CX
	JZ          dot512_reduce
	KMASK(CX, BX, K1)
	VMOVUPS.Z   (SI)(AX*4), K1, Z4
	VFMADD231PS (DI)(AX*4), Z4, K1, Z3

dot512_reduce:
	VADDPS        Z1, Z0, Z0
	VADDPS        Z3, Z2, Z2
	VADDPS        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VMOVHLPS      X0, X0, X1
	VADDPS        X1, X0, X0
	VMOVSHDUP     X0, X1
	VADDSS        X1, X0, X0
	VMOVSS        X0, ret+48(FP)
	VZEROUPPER
	RET

// func axpyAVX512Asm(alpha float32, x, y []float32)
// Requires: AVX512F
//
// Z0 = alpha, SI = x, DI = y, CX = len(x), then the elements left,
// AX = element index, DX = loop bound. 64 elements (4 zmm) per iteration,
// then the at most three whole 16-element vectors left (straight-line),
// then the last len(x)%16 loaded and stored under the k-mask K1 (masked-off
// elements are neither read nor written).
TEXT ·axpyAVX512Asm(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-64, DX
	JZ           axpy512_rest

axpy512_loop64:
	VMOVUPS     (DI)(AX*4), Z1
	VMOVUPS     64(DI)(AX*4), Z2
	VMOVUPS     128(DI)(AX*4), Z3
	VMOVUPS     192(DI)(AX*4), Z4
	VFMADD231PS (SI)(AX*4), Z0, Z1
	VFMADD231PS 64(SI)(AX*4), Z0, Z2
	VFMADD231PS 128(SI)(AX*4), Z0, Z3
	VFMADD231PS 192(SI)(AX*4), Z0, Z4
	VMOVUPS     Z1, (DI)(AX*4)
	VMOVUPS     Z2, 64(DI)(AX*4)
	VMOVUPS     Z3, 128(DI)(AX*4)
	VMOVUPS     Z4, 192(DI)(AX*4)
	ADDQ        $64, AX
	CMPQ        AX, DX
	JB          axpy512_loop64

axpy512_rest:
	SUBQ        AX, CX
	CMPQ        CX, $16
	JB          axpy512_tail
	VMOVUPS     (DI)(AX*4), Z1
	VFMADD231PS (SI)(AX*4), Z0, Z1
	VMOVUPS     Z1, (DI)(AX*4)
	CMPQ        CX, $32
	JB          axpy512_tail16
	VMOVUPS     64(DI)(AX*4), Z2
	VFMADD231PS 64(SI)(AX*4), Z0, Z2
	VMOVUPS     Z2, 64(DI)(AX*4)
	CMPQ        CX, $48
	JB          axpy512_tail32
	VMOVUPS     128(DI)(AX*4), Z3
	VFMADD231PS 128(SI)(AX*4), Z0, Z3
	VMOVUPS     Z3, 128(DI)(AX*4)
	ADDQ        $16, AX

axpy512_tail32:
	ADDQ $16, AX

axpy512_tail16:
	ADDQ $16, AX

axpy512_tail:
	ANDQ        $15, CX
	JZ          axpy512_done
	KMASK(CX, BX, K1)
	VMOVUPS.Z   (DI)(AX*4), K1, Z1
	VFMADD231PS (SI)(AX*4), Z0, K1, Z1
	VMOVUPS     Z1, K1, (DI)(AX*4)

axpy512_done:
	VZEROUPPER
	RET

// func scaleAVX2Asm(alpha float32, x []float32)
// Requires: AVX2
//
// Y0 = alpha, SI = x, CX = len(x), AX = element index, DX = bound.
// 32 elements per iteration, then 8, then a masked last len(x)%8.
TEXT ·scaleAVX2Asm(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-32, DX
	JZ           scale_by8

scale_loop32:
	VMULPS  (SI)(AX*4), Y0, Y1
	VMULPS  32(SI)(AX*4), Y0, Y2
	VMULPS  64(SI)(AX*4), Y0, Y3
	VMULPS  96(SI)(AX*4), Y0, Y4
	VMOVUPS Y1, (SI)(AX*4)
	VMOVUPS Y2, 32(SI)(AX*4)
	VMOVUPS Y3, 64(SI)(AX*4)
	VMOVUPS Y4, 96(SI)(AX*4)
	ADDQ    $32, AX
	CMPQ    AX, DX
	JB      scale_loop32

scale_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JAE  scale_tail

scale_loop8:
	VMULPS  (SI)(AX*4), Y0, Y1
	VMOVUPS Y1, (SI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, DX
	JB      scale_loop8

scale_tail:
	SUBQ AX, CX
	JZ   scale_done
	LOADMASK(CX, BX, Y12)
	VMASKMOVPS (SI)(AX*4), Y12, Y1
	VMULPS     Y1, Y0, Y1
	VMASKMOVPS Y1, Y12, (SI)(AX*4)

scale_done:
	VZEROUPPER
	RET

// func addAVX2Asm(dst, x, y []float32)
// Requires: AVX2
//
// DI = dst, SI = x, BX = y, CX = len(dst), AX = element index, DX = bound.
// 32 elements per iteration, then 8, then a masked last len(dst)%8. dst
// may alias x or y exactly (each element is read before it is written).
TEXT ·addAVX2Asm(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ y_base+48(FP), BX
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-32, DX
	JZ   add_by8

add_loop32:
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VADDPS  (BX)(AX*4), Y0, Y0
	VADDPS  32(BX)(AX*4), Y1, Y1
	VADDPS  64(BX)(AX*4), Y2, Y2
	VADDPS  96(BX)(AX*4), Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	CMPQ    AX, DX
	JB      add_loop32

add_by8:
	MOVQ CX, DX
	ANDQ $-8, DX
	CMPQ AX, DX
	JAE  add_tail

add_loop8:
	VMOVUPS (SI)(AX*4), Y0
	VADDPS  (BX)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, DX
	JB      add_loop8

add_tail:
	SUBQ AX, CX
	JZ   add_done
	LOADMASK(CX, R8, Y12)
	VMASKMOVPS (SI)(AX*4), Y12, Y0
	VMASKMOVPS (BX)(AX*4), Y12, Y1
	VADDPS     Y1, Y0, Y0
	VMASKMOVPS Y0, Y12, (DI)(AX*4)

add_done:
	VZEROUPPER
	RET

// GEMV (y[i] += A[i,:n]·x), AVX2. Rows are processed 8 at a time sharing
// each load of x, with row pointers BX (rows 0-2, via R8 = lda*4 and
// R8*2), R9 (rows 3-5) and R10 (rows 6-7) that advance with the column.
//
// Once A no longer fits in L1 the GEMVs stream it from L2, and loads that
// cross a cache line cost about a third of the time: rows whose byte offset
// is a multiple of 64 (lda a multiple of 16 and a 64-byte aligned a) are
// fastest. Measured (AVX-512, 784x500): lda=500 20 us, lda=512 13.6 us.

// GEMV8_CHUNK(off): Y0..Y7 += A[row0..7, off/4 : off/4+8] * x[off/4 : off/4+8].
#define GEMV8_CHUNK(off) \
	VMOVUPS     off(DI), Y8; \
	VFMADD231PS off(BX), Y8, Y0; \
	VFMADD231PS off(BX)(R8*1), Y8, Y1; \
	VFMADD231PS off(BX)(R8*2), Y8, Y2; \
	VFMADD231PS off(R9), Y8, Y3; \
	VFMADD231PS off(R9)(R8*1), Y8, Y4; \
	VFMADD231PS off(R9)(R8*2), Y8, Y5; \
	VFMADD231PS off(R10), Y8, Y6; \
	VFMADD231PS off(R10)(R8*1), Y8, Y7

// GEMV8_TAIL: the same for the columns enabled by the mask Y15.
#define GEMV8_TAIL \
	VMASKMOVPS  (DI), Y15, Y8; \
	VMASKMOVPS  (BX), Y15, Y9; \
	VMASKMOVPS  (BX)(R8*1), Y15, Y10; \
	VMASKMOVPS  (BX)(R8*2), Y15, Y11; \
	VMASKMOVPS  (R9), Y15, Y12; \
	VFMADD231PS Y9, Y8, Y0; \
	VFMADD231PS Y10, Y8, Y1; \
	VFMADD231PS Y11, Y8, Y2; \
	VFMADD231PS Y12, Y8, Y3; \
	VMASKMOVPS  (R9)(R8*1), Y15, Y9; \
	VMASKMOVPS  (R9)(R8*2), Y15, Y10; \
	VMASKMOVPS  (R10), Y15, Y11; \
	VMASKMOVPS  (R10)(R8*1), Y15, Y12; \
	VFMADD231PS Y9, Y8, Y4; \
	VFMADD231PS Y10, Y8, Y5; \
	VFMADD231PS Y11, Y8, Y6; \
	VFMADD231PS Y12, Y8, Y7

// func gemvAVX2Asm(m, n int, a []float32, lda int, x, y []float32)
// Requires: AVX2, FMA
//
// R11 = rows left, SI = first row of the current block, R8 = lda*4,
// R12 = y of the current block, R13 = n/8, Y15 = mask of the n%8 last
// columns. Blocks of 8 rows (accumulators Y0-Y7, 16 columns per iteration),
// then 4 rows (Y0-Y3), then single rows (Y0); each block's accumulators
// are reduced horizontally and added to y.
TEXT ·gemvAVX2Asm(SB), NOSPLIT, $0-96
	MOVQ m+0(FP), R11
	MOVQ n+8(FP), R13
	MOVQ a_base+16(FP), SI
	MOVQ lda+40(FP), R8
	SHLQ $2, R8
	MOVQ y_base+72(FP), R12
	MOVQ R13, CX
	ANDQ $7, CX
	LOADMASK(CX, AX, Y15)
	SHRQ $3, R13

gemv_rows8:
	CMPQ   R11, $8
	JLT    gemv_rows4
	MOVQ   SI, BX
	LEAQ   (SI)(R8*2), R9
	ADDQ   R8, R9
	LEAQ   (R9)(R8*2), R10
	ADDQ   R8, R10
	MOVQ   x_base+48(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ   R13, CX
	SHRQ   $1, CX
	JZ     gemv8_one

gemv8_loop:
	GEMV8_CHUNK(0)
	GEMV8_CHUNK(32)
	ADDQ $64, DI
	ADDQ $64, BX
	ADDQ $64, R9
	ADDQ $64, R10
	DECQ CX
	JNZ  gemv8_loop

gemv8_one:
	TESTQ $1, R13
	JZ    gemv8_tail
	GEMV8_CHUNK(0)
	ADDQ  $32, DI
	ADDQ  $32, BX
	ADDQ  $32, R9
	ADDQ  $32, R10

gemv8_tail:
	TESTQ $7, n+8(FP)
	JZ    gemv8_sum
	GEMV8_TAIL

gemv8_sum:
	HSUM8
	VADDPS  (R12), Y0, Y0
	VMOVUPS Y0, (R12)
	ADDQ    $32, R12
	LEAQ    (SI)(R8*8), SI
	SUBQ    $8, R11
	JMP     gemv_rows8

gemv_rows4:
	CMPQ   R11, $4
	JLT    gemv_rows1
	MOVQ   SI, BX
	LEAQ   (SI)(R8*2), R9
	ADDQ   R8, R9
	MOVQ   x_base+48(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   R13, CX
	TESTQ  CX, CX
	JZ     gemv4_tail

gemv4_loop:
	VMOVUPS     (DI), Y8
	VFMADD231PS (BX), Y8, Y0
	VFMADD231PS (BX)(R8*1), Y8, Y1
	VFMADD231PS (BX)(R8*2), Y8, Y2
	VFMADD231PS (R9), Y8, Y3
	ADDQ        $32, DI
	ADDQ        $32, BX
	ADDQ        $32, R9
	DECQ        CX
	JNZ         gemv4_loop

gemv4_tail:
	TESTQ       $7, n+8(FP)
	JZ          gemv4_sum
	VMASKMOVPS  (DI), Y15, Y8
	VMASKMOVPS  (BX), Y15, Y9
	VMASKMOVPS  (BX)(R8*1), Y15, Y10
	VMASKMOVPS  (BX)(R8*2), Y15, Y11
	VMASKMOVPS  (R9), Y15, Y12
	VFMADD231PS Y9, Y8, Y0
	VFMADD231PS Y10, Y8, Y1
	VFMADD231PS Y11, Y8, Y2
	VFMADD231PS Y12, Y8, Y3

gemv4_sum:
	HSUM4
	VADDPS  (R12), X0, X0
	VMOVUPS X0, (R12)
	ADDQ    $16, R12
	LEAQ    (SI)(R8*4), SI
	SUBQ    $4, R11

gemv_rows1:
	TESTQ  R11, R11
	JZ     gemv_done
	MOVQ   SI, BX
	MOVQ   x_base+48(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	MOVQ   R13, CX
	TESTQ  CX, CX
	JZ     gemv1_tail

gemv1_loop:
	VMOVUPS     (DI), Y8
	VFMADD231PS (BX), Y8, Y0
	ADDQ        $32, DI
	ADDQ        $32, BX
	DECQ        CX
	JNZ         gemv1_loop

gemv1_tail:
	TESTQ       $7, n+8(FP)
	JZ          gemv1_sum
	VMASKMOVPS  (DI), Y15, Y8
	VMASKMOVPS  (BX), Y15, Y9
	VFMADD231PS Y9, Y8, Y0

gemv1_sum:
	HSUM1
	VADDSS (R12), X0, X0
	VMOVSS X0, (R12)
	ADDQ   $4, R12
	ADDQ   R8, SI
	DECQ   R11
	JMP    gemv_rows1

gemv_done:
	VZEROUPPER
	RET

// GEMVT (y[j] += sum_i A[i,j] x[i]), AVX2. Blocks of 8 rows: Y0-Y7 hold
// x[i..i+7] broadcast, and each 8-column chunk of y is loaded once, gets the
// 8 rows' products in two FMA chains (rows 0-3 into y, rows 4-7 into a
// fresh sum), and is stored once. Row pointers as in GEMV.

// GEMVT8_CHUNK(off, s, t): y[off/4 : off/4+8] += sum of 8 rows, using
// Y(s) and Y(t) as the two partial sums.
#define GEMVT8_CHUNK(off, s, t) \
	VMOVUPS     off(DI), s; \
	VMULPS      off(R9)(R8*1), Y4, t; \
	VFMADD231PS off(BX), Y0, s; \
	VFMADD231PS off(R9)(R8*2), Y5, t; \
	VFMADD231PS off(BX)(R8*1), Y1, s; \
	VFMADD231PS off(R10), Y6, t; \
	VFMADD231PS off(BX)(R8*2), Y2, s; \
	VFMADD231PS off(R10)(R8*1), Y7, t; \
	VFMADD231PS off(R9), Y3, s; \
	VADDPS      t, s, s; \
	VMOVUPS     s, off(DI)

// GEMVT_MROW(ptr, xb): Y8 += masked row at ptr times xb (uses Y9).
#define GEMVT_MROW(ptr, xb) \
	VMASKMOVPS  ptr, Y15, Y9; \
	VFMADD231PS Y9, xb, Y8

// func gemvTAVX2Asm(m, n int, a []float32, lda int, x, y []float32)
// Requires: AVX2, FMA
//
// R11 = rows left, SI = first row of the current block, R8 = lda*4,
// R12 = x of the current block, R13 = n/8, Y15 = mask of the n%8 last
// columns, DI = y at the current column. Blocks of 8 rows, then single
// rows as an axpy.
TEXT ·gemvTAVX2Asm(SB), NOSPLIT, $0-96
	MOVQ m+0(FP), R11
	MOVQ n+8(FP), R13
	MOVQ a_base+16(FP), SI
	MOVQ lda+40(FP), R8
	SHLQ $2, R8
	MOVQ x_base+48(FP), R12
	MOVQ R13, CX
	ANDQ $7, CX
	LOADMASK(CX, AX, Y15)
	SHRQ $3, R13

gemvt_rows8:
	CMPQ         R11, $8
	JLT          gemvt_rows1
	VBROADCASTSS (R12), Y0
	VBROADCASTSS 4(R12), Y1
	VBROADCASTSS 8(R12), Y2
	VBROADCASTSS 12(R12), Y3
	VBROADCASTSS 16(R12), Y4
	VBROADCASTSS 20(R12), Y5
	VBROADCASTSS 24(R12), Y6
	VBROADCASTSS 28(R12), Y7
	MOVQ         SI, BX
	LEAQ         (SI)(R8*2), R9
	ADDQ         R8, R9
	LEAQ         (R9)(R8*2), R10
	ADDQ         R8, R10
	MOVQ         y_base+72(FP), DI
	MOVQ         R13, CX
	SHRQ         $1, CX
	JZ           gemvt8_one

gemvt8_loop:
	GEMVT8_CHUNK(0, Y8, Y9)
	GEMVT8_CHUNK(32, Y10, Y11)
	ADDQ $64, DI
	ADDQ $64, BX
	ADDQ $64, R9
	ADDQ $64, R10
	DECQ CX
	JNZ  gemvt8_loop

gemvt8_one:
	TESTQ $1, R13
	JZ    gemvt8_tail
	GEMVT8_CHUNK(0, Y8, Y9)
	ADDQ  $32, DI
	ADDQ  $32, BX
	ADDQ  $32, R9
	ADDQ  $32, R10

gemvt8_tail:
	TESTQ      $7, n+8(FP)
	JZ         gemvt8_next
	VMASKMOVPS (DI), Y15, Y8
	GEMVT_MROW((BX), Y0)
	GEMVT_MROW((BX)(R8*1), Y1)
	GEMVT_MROW((BX)(R8*2), Y2)
	GEMVT_MROW((R9), Y3)
	GEMVT_MROW((R9)(R8*1), Y4)
	GEMVT_MROW((R9)(R8*2), Y5)
	GEMVT_MROW((R10), Y6)
	GEMVT_MROW((R10)(R8*1), Y7)
	VMASKMOVPS Y8, Y15, (DI)

gemvt8_next:
	ADDQ $32, R12
	LEAQ (SI)(R8*8), SI
	SUBQ $8, R11
	JMP  gemvt_rows8

gemvt_rows1:
	TESTQ        R11, R11
	JZ           gemvt_done
	VBROADCASTSS (R12), Y0
	MOVQ         SI, BX
	MOVQ         y_base+72(FP), DI
	MOVQ         R13, CX
	TESTQ        CX, CX
	JZ           gemvt1_tail

gemvt1_loop:
	VMOVUPS     (DI), Y8
	VFMADD231PS (BX), Y0, Y8
	VMOVUPS     Y8, (DI)
	ADDQ        $32, DI
	ADDQ        $32, BX
	DECQ        CX
	JNZ         gemvt1_loop

gemvt1_tail:
	TESTQ      $7, n+8(FP)
	JZ         gemvt1_next
	VMASKMOVPS (DI), Y15, Y8
	GEMVT_MROW((BX), Y0)
	VMASKMOVPS Y8, Y15, (DI)

gemvt1_next:
	ADDQ $4, R12
	ADDQ R8, SI
	DECQ R11
	JMP  gemvt_rows1

gemvt_done:
	VZEROUPPER
	RET

// GEMV, AVX-512F: as the AVX2 version with 16-column zmm chunks, two sets
// of 8 accumulators (Z0-Z7 for even chunks, Z16-Z23 for odd ones, so each
// FMA chain has two cycles of slack) and a k-mask (K1) for the n%16 last
// columns: masked-off lanes are neither loaded nor accumulated.

// GEMV512_CHUNK(off, xr, c0..c7): c0..c7 += A[row0..7, chunk] * x[chunk].
#define GEMV512_CHUNK(off, xr, c0, c1, c2, c3, c4, c5, c6, c7) \
	VMOVUPS     off(DI), xr; \
	VFMADD231PS off(BX), xr, c0; \
	VFMADD231PS off(BX)(R8*1), xr, c1; \
	VFMADD231PS off(BX)(R8*2), xr, c2; \
	VFMADD231PS off(R9), xr, c3; \
	VFMADD231PS off(R9)(R8*1), xr, c4; \
	VFMADD231PS off(R9)(R8*2), xr, c5; \
	VFMADD231PS off(R10), xr, c6; \
	VFMADD231PS off(R10)(R8*1), xr, c7

// FOLD512(z, y, t): y (the low half of z) += upper half of z, via t.
#define FOLD512(z, y, t) \
	VEXTRACTF64X4 $1, z, t; \
	VADDPS        t, y, y

// func gemvAVX512Asm(m, n int, a []float32, lda int, x, y []float32)
// Requires: AVX512F, AVX2, FMA
//
// R11 = rows left, SI = first row of the current block, R8 = lda*4,
// R12 = y of the current block, R13 = n/16, K1 = mask of the n%16 last
// columns. Blocks of 8 rows (32 columns per iteration), then 4 rows, then
// single rows; accumulators are folded to ymm and reduced as in AVX2.
TEXT ·gemvAVX512Asm(SB), NOSPLIT, $0-96
	MOVQ m+0(FP), R11
	MOVQ n+8(FP), R13
	MOVQ a_base+16(FP), SI
	MOVQ lda+40(FP), R8
	SHLQ $2, R8
	MOVQ y_base+72(FP), R12
	MOVQ R13, CX
	ANDQ $15, CX
	KMASK(CX, AX, K1)
	SHRQ $4, R13

gemv512_rows8:
	CMPQ   R11, $8
	JLT    gemv512_rows4
	MOVQ   SI, BX
	LEAQ   (SI)(R8*2), R9
	ADDQ   R8, R9
	LEAQ   (R9)(R8*2), R10
	ADDQ   R8, R10
	MOVQ   x_base+48(FP), DI
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	MOVQ   R13, CX
	SHRQ   $1, CX
	JZ     gemv512_8one

gemv512_8loop:
	GEMV512_CHUNK(0, Z8, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	GEMV512_CHUNK(64, Z9, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)
	ADDQ $128, DI
	ADDQ $128, BX
	ADDQ $128, R9
	ADDQ $128, R10
	DECQ CX
	JNZ  gemv512_8loop

gemv512_8one:
	TESTQ $1, R13
	JZ    gemv512_8tail
	GEMV512_CHUNK(0, Z8, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	ADDQ  $64, DI
	ADDQ  $64, BX
	ADDQ  $64, R9
	ADDQ  $64, R10

gemv512_8tail:
	TESTQ       $15, n+8(FP)
	JZ          gemv512_8sum
	VMOVUPS.Z   (DI), K1, Z8
	VFMADD231PS (BX), Z8, K1, Z16
	VFMADD231PS (BX)(R8*1), Z8, K1, Z17
	VFMADD231PS (BX)(R8*2), Z8, K1, Z18
	VFMADD231PS (R9), Z8, K1, Z19
	VFMADD231PS (R9)(R8*1), Z8, K1, Z20
	VFMADD231PS (R9)(R8*2), Z8, K1, Z21
	VFMADD231PS (R10), Z8, K1, Z22
	VFMADD231PS (R10)(R8*1), Z8, K1, Z23

gemv512_8sum:
	VADDPS  Z16, Z0, Z0
	VADDPS  Z17, Z1, Z1
	VADDPS  Z18, Z2, Z2
	VADDPS  Z19, Z3, Z3
	VADDPS  Z20, Z4, Z4
	VADDPS  Z21, Z5, Z5
	VADDPS  Z22, Z6, Z6
	VADDPS  Z23, Z7, Z7
	FOLD512(Z0, Y0, Y8)
	FOLD512(Z1, Y1, Y9)
	FOLD512(Z2, Y2, Y10)
	FOLD512(Z3, Y3, Y11)
	FOLD512(Z4, Y4, Y12)
	FOLD512(Z5, Y5, Y13)
	FOLD512(Z6, Y6, Y14)
	FOLD512(Z7, Y7, Y15)
	HSUM8
	VADDPS  (R12), Y0, Y0
	VMOVUPS Y0, (R12)
	ADDQ    $32, R12
	LEAQ    (SI)(R8*8), SI
	SUBQ    $8, R11
	JMP     gemv512_rows8

gemv512_rows4:
	CMPQ   R11, $4
	JLT    gemv512_rows1
	MOVQ   SI, BX
	LEAQ   (SI)(R8*2), R9
	ADDQ   R8, R9
	MOVQ   x_base+48(FP), DI
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ   R13, CX
	TESTQ  CX, CX
	JZ     gemv512_4tail

gemv512_4loop:
	VMOVUPS     (DI), Z8
	VFMADD231PS (BX), Z8, Z0
	VFMADD231PS (BX)(R8*1), Z8, Z1
	VFMADD231PS (BX)(R8*2), Z8, Z2
	VFMADD231PS (R9), Z8, Z3
	ADDQ        $64, DI
	ADDQ        $64, BX
	ADDQ        $64, R9
	DECQ        CX
	JNZ         gemv512_4loop

gemv512_4tail:
	TESTQ       $15, n+8(FP)
	JZ          gemv512_4sum
	VMOVUPS.Z   (DI), K1, Z8
	VFMADD231PS (BX), Z8, K1, Z0
	VFMADD231PS (BX)(R8*1), Z8, K1, Z1
	VFMADD231PS (BX)(R8*2), Z8, K1, Z2
	VFMADD231PS (R9), Z8, K1, Z3

gemv512_4sum:
	FOLD512(Z0, Y0, Y8)
	FOLD512(Z1, Y1, Y9)
	FOLD512(Z2, Y2, Y10)
	FOLD512(Z3, Y3, Y11)
	HSUM4
	VADDPS  (R12), X0, X0
	VMOVUPS X0, (R12)
	ADDQ    $16, R12
	LEAQ    (SI)(R8*4), SI
	SUBQ    $4, R11

gemv512_rows1:
	TESTQ  R11, R11
	JZ     gemv512_done
	MOVQ   SI, BX
	MOVQ   x_base+48(FP), DI
	VPXORD Z0, Z0, Z0
	MOVQ   R13, CX
	TESTQ  CX, CX
	JZ     gemv512_1tail

gemv512_1loop:
	VMOVUPS     (DI), Z8
	VFMADD231PS (BX), Z8, Z0
	ADDQ        $64, DI
	ADDQ        $64, BX
	DECQ        CX
	JNZ         gemv512_1loop

gemv512_1tail:
	TESTQ       $15, n+8(FP)
	JZ          gemv512_1sum
	VMOVUPS.Z   (DI), K1, Z8
	VFMADD231PS (BX), Z8, K1, Z0

gemv512_1sum:
	FOLD512(Z0, Y0, Y8)
	HSUM1
	VADDSS (R12), X0, X0
	VMOVSS X0, (R12)
	ADDQ   $4, R12
	ADDQ   R8, SI
	DECQ   R11
	JMP    gemv512_rows1

gemv512_done:
	VZEROUPPER
	RET

// GEMVT512_CHUNK(off, s, t): as GEMVT8_CHUNK with zmm, Z0-Z7 = x broadcast.
#define GEMVT512_CHUNK(off, s, t) \
	VMOVUPS     off(DI), s; \
	VMULPS      off(R9)(R8*1), Z4, t; \
	VFMADD231PS off(BX), Z0, s; \
	VFMADD231PS off(R9)(R8*2), Z5, t; \
	VFMADD231PS off(BX)(R8*1), Z1, s; \
	VFMADD231PS off(R10), Z6, t; \
	VFMADD231PS off(BX)(R8*2), Z2, s; \
	VFMADD231PS off(R10)(R8*1), Z7, t; \
	VFMADD231PS off(R9), Z3, s; \
	VADDPS      t, s, s; \
	VMOVUPS     s, off(DI)

// func gemvTAVX512Asm(m, n int, a []float32, lda int, x, y []float32)
// Requires: AVX512F, FMA
//
// As gemvTAVX2Asm with 16-column zmm chunks (two per iteration) and the
// k-mask K1 for the n%16 last columns (masked loads and store of y).
TEXT ·gemvTAVX512Asm(SB), NOSPLIT, $0-96
	MOVQ m+0(FP), R11
	MOVQ n+8(FP), R13
	MOVQ a_base+16(FP), SI
	MOVQ lda+40(FP), R8
	SHLQ $2, R8
	MOVQ x_base+48(FP), R12
	MOVQ R13, CX
	ANDQ $15, CX
	KMASK(CX, AX, K1)
	SHRQ $4, R13

gemvt512_rows8:
	CMPQ         R11, $8
	JLT          gemvt512_rows1
	VBROADCASTSS (R12), Z0
	VBROADCASTSS 4(R12), Z1
	VBROADCASTSS 8(R12), Z2
	VBROADCASTSS 12(R12), Z3
	VBROADCASTSS 16(R12), Z4
	VBROADCASTSS 20(R12), Z5
	VBROADCASTSS 24(R12), Z6
	VBROADCASTSS 28(R12), Z7
	MOVQ         SI, BX
	LEAQ         (SI)(R8*2), R9
	ADDQ         R8, R9
	LEAQ         (R9)(R8*2), R10
	ADDQ         R8, R10
	MOVQ         y_base+72(FP), DI
	MOVQ         R13, CX
	SHRQ         $1, CX
	JZ           gemvt512_8one

gemvt512_8loop:
	GEMVT512_CHUNK(0, Z8, Z9)
	GEMVT512_CHUNK(64, Z10, Z11)
	ADDQ $128, DI
	ADDQ $128, BX
	ADDQ $128, R9
	ADDQ $128, R10
	DECQ CX
	JNZ  gemvt512_8loop

gemvt512_8one:
	TESTQ $1, R13
	JZ    gemvt512_8tail
	GEMVT512_CHUNK(0, Z8, Z9)
	ADDQ  $64, DI
	ADDQ  $64, BX
	ADDQ  $64, R9
	ADDQ  $64, R10

gemvt512_8tail:
	TESTQ       $15, n+8(FP)
	JZ          gemvt512_8next
	VMOVUPS.Z   (DI), K1, Z8
	VFMADD231PS (BX), Z0, K1, Z8
	VFMADD231PS (BX)(R8*1), Z1, K1, Z8
	VFMADD231PS (BX)(R8*2), Z2, K1, Z8
	VFMADD231PS (R9), Z3, K1, Z8
	VFMADD231PS (R9)(R8*1), Z4, K1, Z8
	VFMADD231PS (R9)(R8*2), Z5, K1, Z8
	VFMADD231PS (R10), Z6, K1, Z8
	VFMADD231PS (R10)(R8*1), Z7, K1, Z8
	VMOVUPS     Z8, K1, (DI)

gemvt512_8next:
	ADDQ $32, R12
	LEAQ (SI)(R8*8), SI
	SUBQ $8, R11
	JMP  gemvt512_rows8

gemvt512_rows1:
	TESTQ        R11, R11
	JZ           gemvt512_done
	VBROADCASTSS (R12), Z0
	MOVQ         SI, BX
	MOVQ         y_base+72(FP), DI
	MOVQ         R13, CX
	TESTQ        CX, CX
	JZ           gemvt512_1tail

gemvt512_1loop:
	VMOVUPS     (DI), Z8
	VFMADD231PS (BX), Z0, Z8
	VMOVUPS     Z8, (DI)
	ADDQ        $64, DI
	ADDQ        $64, BX
	DECQ        CX
	JNZ         gemvt512_1loop

gemvt512_1tail:
	TESTQ       $15, n+8(FP)
	JZ          gemvt512_1next
	VMOVUPS.Z   (DI), K1, Z8
	VFMADD231PS (BX), Z0, K1, Z8
	VMOVUPS     Z8, K1, (DI)

gemvt512_1next:
	ADDQ $4, R12
	ADDQ R8, SI
	DECQ R11
	JMP  gemvt512_rows1

gemvt512_done:
	VZEROUPPER
	RET
