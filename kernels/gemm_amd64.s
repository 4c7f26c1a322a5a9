//go:build !purego

#include "textflag.h"

// GEMM micro-kernels for amd64 (hand-written). Each computes one register
// tile of C from packed panels (see gemm.go):
//
//	c[i*ldc+j] += sum_{p<k} a[p*mr+i] * b[p*nr+j]   for i < mr, j < nr
//
// with k > 0. The tile is accumulated in registers from zero: per step p,
// the nr/8 (AVX2) or nr/16 (AVX-512) vectors of B row p are loaded, each of
// the mr elements of A column p is broadcast and multiplied into its row's
// accumulators; k is unrolled by 4. At the end each C row is loaded, added
// to and stored once.

// STEP6x16(ao, bo): one k step of the 6x16 kernel, A at ao(SI), B at bo(DI).
#define STEP6x16(ao, bo) \
	VMOVUPS      bo(DI), Y0; \
	VMOVUPS      (bo+32)(DI), Y1; \
	VBROADCASTSS ao(SI), Y2; \
	VBROADCASTSS (ao+4)(SI), Y3; \
	VFMADD231PS  Y0, Y2, Y4; \
	VFMADD231PS  Y1, Y2, Y5; \
	VFMADD231PS  Y0, Y3, Y6; \
	VFMADD231PS  Y1, Y3, Y7; \
	VBROADCASTSS (ao+8)(SI), Y2; \
	VBROADCASTSS (ao+12)(SI), Y3; \
	VFMADD231PS  Y0, Y2, Y8; \
	VFMADD231PS  Y1, Y2, Y9; \
	VFMADD231PS  Y0, Y3, Y10; \
	VFMADD231PS  Y1, Y3, Y11; \
	VBROADCASTSS (ao+16)(SI), Y2; \
	VBROADCASTSS (ao+20)(SI), Y3; \
	VFMADD231PS  Y0, Y2, Y12; \
	VFMADD231PS  Y1, Y2, Y13; \
	VFMADD231PS  Y0, Y3, Y14; \
	VFMADD231PS  Y1, Y3, Y15

// ROWADD2Y(r0, r1): C row at DX += r0:r1 (16 floats); DX moves to the next row.
#define ROWADD2Y(r0, r1) \
	VADDPS  (DX), r0, r0; \
	VADDPS  32(DX), r1, r1; \
	VMOVUPS r0, (DX); \
	VMOVUPS r1, 32(DX); \
	ADDQ    R8, DX

// func gemmMicro6x16AVX2Asm(k int, a, b, c []float32, ldc int)
// Requires: AVX2, FMA
//
// SI = A panel (6 floats per step), DI = B panel (16 floats per step),
// DX = C, R8 = ldc*4, CX = k, BX = k/4 loop counter. Y0-Y1 = B row,
// Y2-Y3 = broadcast A, Y4-Y15 = accumulators (row i in Y(4+2i), Y(5+2i)).
TEXT ·gemmMicro6x16AVX2Asm(SB), NOSPLIT, $0-88
	MOVQ   k+0(FP), CX
	MOVQ   a_base+8(FP), SI
	MOVQ   b_base+32(FP), DI
	MOVQ   c_base+56(FP), DX
	MOVQ   ldc+80(FP), R8
	SHLQ   $2, R8
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	// Prefetch the C tile (each row spans at most 2 cache lines).
	MOVQ       DX, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ       R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ       R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ       R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ       R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)
	ADDQ       R8, AX
	PREFETCHT0 (AX)
	PREFETCHT0 63(AX)

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   m6_rem

m6_loop4:
	STEP6x16(0, 0)
	STEP6x16(24, 64)
	STEP6x16(48, 128)
	STEP6x16(72, 192)
	ADDQ $96, SI
	ADDQ $256, DI
	DECQ BX
	JNZ  m6_loop4

m6_rem:
	ANDQ $3, CX
	JZ   m6_store

m6_loop1:
	STEP6x16(0, 0)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  m6_loop1

m6_store:
	ROWADD2Y(Y4, Y5)
	ROWADD2Y(Y6, Y7)
	ROWADD2Y(Y8, Y9)
	ROWADD2Y(Y10, Y11)
	ROWADD2Y(Y12, Y13)
	ROWADD2Y(Y14, Y15)
	VZEROUPPER
	RET

// FMA2Z(ao, az, c0, c1): broadcast A at ao(SI) into az; c0:c1 += az * Z28:Z29.
#define FMA2Z(ao, az, c0, c1) \
	VBROADCASTSS ao(SI), az; \
	VFMADD231PS  Z28, az, c0; \
	VFMADD231PS  Z29, az, c1

// STEP14x32(ao, bo): one k step of the 14x32 kernel, A at ao(SI), B at bo(DI).
#define STEP14x32(ao, bo) \
	VMOVUPS bo(DI), Z28; \
	VMOVUPS (bo+64)(DI), Z29; \
	FMA2Z(ao, Z30, Z0, Z1); \
	FMA2Z((ao+4), Z31, Z2, Z3); \
	FMA2Z((ao+8), Z30, Z4, Z5); \
	FMA2Z((ao+12), Z31, Z6, Z7); \
	FMA2Z((ao+16), Z30, Z8, Z9); \
	FMA2Z((ao+20), Z31, Z10, Z11); \
	FMA2Z((ao+24), Z30, Z12, Z13); \
	FMA2Z((ao+28), Z31, Z14, Z15); \
	FMA2Z((ao+32), Z30, Z16, Z17); \
	FMA2Z((ao+36), Z31, Z18, Z19); \
	FMA2Z((ao+40), Z30, Z20, Z21); \
	FMA2Z((ao+44), Z31, Z22, Z23); \
	FMA2Z((ao+48), Z30, Z24, Z25); \
	FMA2Z((ao+52), Z31, Z26, Z27)

// ROWADD2Z(r0, r1): C row at DX += r0:r1 (32 floats); DX moves to the next row.
#define ROWADD2Z(r0, r1) \
	VADDPS  (DX), r0, r0; \
	VADDPS  64(DX), r1, r1; \
	VMOVUPS r0, (DX); \
	VMOVUPS r1, 64(DX); \
	ADDQ    R8, DX

// PREFROW: prefetch the C row at AX (128 bytes, at most 3 lines); AX moves on.
#define PREFROW \
	PREFETCHT0 (AX); \
	PREFETCHT0 64(AX); \
	PREFETCHT0 127(AX); \
	ADDQ       R8, AX

// func gemmMicro14x32AVX512Asm(k int, a, b, c []float32, ldc int)
// Requires: AVX512F
//
// SI = A panel (14 floats per step), DI = B panel (32 floats per step),
// DX = C, R8 = ldc*4, CX = k, BX = k/4 loop counter. Z28-Z29 = B row,
// Z30-Z31 = broadcast A (alternating), Z0-Z27 = accumulators (row i in
// Z(2i), Z(2i+1)).
TEXT ·gemmMicro14x32AVX512Asm(SB), NOSPLIT, $0-88
	MOVQ   k+0(FP), CX
	MOVQ   a_base+8(FP), SI
	MOVQ   b_base+32(FP), DI
	MOVQ   c_base+56(FP), DX
	MOVQ   ldc+80(FP), R8
	SHLQ   $2, R8
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27

	MOVQ DX, AX
	PREFROW
	PREFROW
	PREFROW
	PREFROW
	PREFROW
	PREFROW
	PREFROW
	PREFROW
	PREFROW
	PREFROW
	PREFROW
	PREFROW
	PREFROW
	PREFROW

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   m14_rem

m14_loop4:
	STEP14x32(0, 0)
	STEP14x32(56, 128)
	STEP14x32(112, 256)
	STEP14x32(168, 384)
	ADDQ $224, SI
	ADDQ $512, DI
	DECQ BX
	JNZ  m14_loop4

m14_rem:
	ANDQ $3, CX
	JZ   m14_store

m14_loop1:
	STEP14x32(0, 0)
	ADDQ $56, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  m14_loop1

m14_store:
	ROWADD2Z(Z0, Z1)
	ROWADD2Z(Z2, Z3)
	ROWADD2Z(Z4, Z5)
	ROWADD2Z(Z6, Z7)
	ROWADD2Z(Z8, Z9)
	ROWADD2Z(Z10, Z11)
	ROWADD2Z(Z12, Z13)
	ROWADD2Z(Z14, Z15)
	ROWADD2Z(Z16, Z17)
	ROWADD2Z(Z18, Z19)
	ROWADD2Z(Z20, Z21)
	ROWADD2Z(Z22, Z23)
	ROWADD2Z(Z24, Z25)
	ROWADD2Z(Z26, Z27)
	VZEROUPPER
	RET
