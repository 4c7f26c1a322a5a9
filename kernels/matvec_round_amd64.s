//go:build !purego

#include "textflag.h"

// Rounding x to bfloat16 for BF16Dot (the spec is roundBF16Generic and
// packBF16Generic, matvec_round.go): per float32 bit pattern b,
//
//	r = b + 0x7fff + ((b >> 16) & 1)     (round to nearest, ties to even)
//	r = b | 0x00400000 if |b| > 0x7f800000 (a NaN stays NaN, quieted)
//
// then either the high half of r as a float32 (r & 0xffff0000) or the
// 16-bit bfloat16 bits (r >> 16). Each routine handles len(src) rounded
// down to its vector width; the Go wrapper does the rest.

// func roundBF16AVX2Asm(dst, src []float32)
// Requires: AVX2
//
// SI = src, DI = dst, CX = blocks of 8 left; Y10 = 0x00400000 (quiet
// bit), Y11 = 0x7f800000 (infinity), Y12 = 0x7fffffff (abs), Y13 =
// 0xffff0000, Y14 = 1, Y15 = 0x7fff, each in every dword.
TEXT ·roundBF16AVX2Asm(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $3, CX
	JZ   rbf_done
	MOVL         $0x00400000, AX
	VMOVQ        AX, X10
	VPBROADCASTD X10, Y10
	MOVL         $0x7f800000, AX
	VMOVQ        AX, X11
	VPBROADCASTD X11, Y11
	MOVL         $0x7fffffff, AX
	VMOVQ        AX, X12
	VPBROADCASTD X12, Y12
	MOVL         $0xffff0000, AX
	VMOVQ        AX, X13
	VPBROADCASTD X13, Y13
	MOVL         $1, AX
	VMOVQ        AX, X14
	VPBROADCASTD X14, Y14
	MOVL         $0x7fff, AX
	VMOVQ        AX, X15
	VPBROADCASTD X15, Y15

rbf_loop:
	VMOVDQU   (SI), Y0
	VPSRLD    $16, Y0, Y1
	VPAND     Y14, Y1, Y1
	VPADDD    Y15, Y1, Y1
	VPADDD    Y0, Y1, Y1
	VPAND     Y12, Y0, Y2
	VPCMPGTD  Y11, Y2, Y2
	VPOR      Y10, Y0, Y3
	VPBLENDVB Y2, Y3, Y1, Y1
	VPAND     Y13, Y1, Y1
	VMOVDQU   Y1, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       rbf_loop
	VZEROUPPER

rbf_done:
	RET

// ZROUNDSETUP loads the constants of the AVX-512 routines: Z10 = quiet
// bit, Z11 = infinity, Z12 = abs mask, Z13 = 0xffff0000, Z14 = 1, Z15 =
// 0x7fff in every dword.
#define ZROUNDSETUP \
	MOVL         $0x00400000, AX; \
	VPBROADCASTD AX, Z10; \
	MOVL         $0x7f800000, AX; \
	VPBROADCASTD AX, Z11; \
	MOVL         $0x7fffffff, AX; \
	VPBROADCASTD AX, Z12; \
	MOVL         $0xffff0000, AX; \
	VPBROADCASTD AX, Z13; \
	MOVL         $1, AX; \
	VPBROADCASTD AX, Z14; \
	MOVL         $0x7fff, AX; \
	VPBROADCASTD AX, Z15

// ZROUND rounds the 16 floats at (SI) into Z1 (r above, low halves not yet
// cleared); it clobbers Z0, Z2 and K1.
#define ZROUND \
	VMOVDQU32 (SI), Z0; \
	VPSRLD    $16, Z0, Z1; \
	VPANDD    Z14, Z1, Z1; \
	VPADDD    Z15, Z1, Z1; \
	VPADDD    Z0, Z1, Z1; \
	VPANDD    Z12, Z0, Z2; \
	VPCMPGTD  Z11, Z2, K1; \
	VPORD     Z10, Z0, K1, Z1

// func roundBF16AVX512Asm(dst, src []float32)
// Requires: AVX512F
//
// SI = src, DI = dst, CX = blocks of 16 left; constants ZROUNDSETUP.
TEXT ·roundBF16AVX512Asm(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $4, CX
	JZ   rbfz_done
	ZROUNDSETUP

rbfz_loop:
	ZROUND
	VPANDD    Z13, Z1, Z1
	VMOVDQU32 Z1, (DI)
	ADDQ      $64, SI
	ADDQ      $64, DI
	DECQ      CX
	JNZ       rbfz_loop
	VZEROUPPER

rbfz_done:
	RET

// func packBF16AVX512Asm(dst []uint16, src []float32)
// Requires: AVX512F
//
// SI = src, DI = dst, CX = blocks of 16 left; constants ZROUNDSETUP; the
// rounded dwords shifted right 16 and narrowed by VPMOVDW.
TEXT ·packBF16AVX512Asm(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $4, CX
	JZ   pbfz_done
	ZROUNDSETUP

pbfz_loop:
	ZROUND
	VPSRLD  $16, Z1, Z1
	VPMOVDW Z1, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     pbfz_loop
	VZEROUPPER

pbfz_done:
	RET
