//go:build !purego

#include "textflag.h"

// GEMM micro-kernels for amd64 that read A unpacked, straight from the
// rows of a row-major matrix (a convolution's input pixels), in up to two
// segments (two taps) that continue the same accumulators:
//
//	acc[i][j] = sum_{p<k1} a1[i*lda+p]*b[p*nr+j] + sum_{p<k2} a2[i*lda+p]*b[(k1+p)*nr+j]
//	c[i*ldc+j] += acc[i][j]                       for i < mr, j < nr
//
// The FMAs are those of the packed kernels of gemm_amd64.s, in the same
// order, so the result is the same bit for bit as packing [a1 | a2] and
// calling them. Row i of a segment is at base + i*lda: rows 0-3 are
// addressed from SI, 4-7 from R11, 8-11 from R12, 12-13 from R13, with R9
// = lda*4 and R10 = 3*lda*4 as index registers; every base register moves
// 4 bytes per step.

// RFMA2Y(m, ay, c0, c1): broadcast A at m into ay; c0:c1 += ay * Y0:Y1.
#define RFMA2Y(m, ay, c0, c1) \
	VBROADCASTSS m, ay; \
	VFMADD231PS  Y0, ay, c0; \
	VFMADD231PS  Y1, ay, c1

// RSTEP6x16(ao, bo): one k step of the 6x16 kernel, A column at ao bytes
// into the rows, B at bo(DI).
#define RSTEP6x16(ao, bo) \
	VMOVUPS bo(DI), Y0; \
	VMOVUPS (bo+32)(DI), Y1; \
	RFMA2Y(ao(SI), Y2, Y4, Y5); \
	RFMA2Y(ao(SI)(R9*1), Y3, Y6, Y7); \
	RFMA2Y(ao(SI)(R9*2), Y2, Y8, Y9); \
	RFMA2Y(ao(SI)(R10*1), Y3, Y10, Y11); \
	RFMA2Y(ao(R11), Y2, Y12, Y13); \
	RFMA2Y(ao(R11)(R9*1), Y3, Y14, Y15)

// RSEG6x16 runs CX steps of the segment whose row 0 is at SI.
#define RSEG6x16(loop4, rem, loop1, done) \
	LEAQ (SI)(R9*4), R11; \
	MOVQ CX, BX; \
	SHRQ $2, BX; \
	JZ   rem; \
loop4: \
	RSTEP6x16(0, 0); \
	RSTEP6x16(4, 64); \
	RSTEP6x16(8, 128); \
	RSTEP6x16(12, 192); \
	ADDQ $16, SI; \
	ADDQ $16, R11; \
	ADDQ $256, DI; \
	DECQ BX; \
	JNZ  loop4; \
rem: \
	ANDQ $3, CX; \
	JZ   done; \
loop1: \
	RSTEP6x16(0, 0); \
	ADDQ $4, SI; \
	ADDQ $4, R11; \
	ADDQ $64, DI; \
	DECQ CX; \
	JNZ  loop1; \
done:

// RROWADD2Y(r0, r1): C row at DX += r0:r1 (16 floats); DX moves to the next row.
#define RROWADD2Y(r0, r1) \
	VADDPS  (DX), r0, r0; \
	VADDPS  32(DX), r1, r1; \
	VMOVUPS r0, (DX); \
	VMOVUPS r1, 32(DX); \
	ADDQ    R8, DX

// func gemmMicroRows6x16AVX2Asm(k1, k2 int, a1, a2 *float32, lda int, b, c *float32, ldc int)
// Requires: AVX2, FMA
//
// SI = the segment's row 0 (then R11 = row 4), R9 = lda*4, R10 = 3*lda*4,
// DI = B panel (16 floats per step), DX = C, R8 = ldc*4, CX = steps, BX =
// steps/4. Y0-Y1 = B row, Y2-Y3 = broadcast A, Y4-Y15 = accumulators (row
// i in Y(4+2i), Y(5+2i)).
TEXT ·gemmMicroRows6x16AVX2Asm(SB), NOSPLIT, $0-64
	MOVQ   lda+32(FP), R9
	SHLQ   $2, R9
	LEAQ   (R9)(R9*2), R10
	MOVQ   b+40(FP), DI
	MOVQ   c+48(FP), DX
	MOVQ   ldc+56(FP), R8
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

	MOVQ k1+0(FP), CX
	MOVQ a1+16(FP), SI
	RSEG6x16(r6a_loop4, r6a_rem, r6a_loop1, r6a_done)
	MOVQ k2+8(FP), CX
	MOVQ a2+24(FP), SI
	RSEG6x16(r6b_loop4, r6b_rem, r6b_loop1, r6b_done)

	RROWADD2Y(Y4, Y5)
	RROWADD2Y(Y6, Y7)
	RROWADD2Y(Y8, Y9)
	RROWADD2Y(Y10, Y11)
	RROWADD2Y(Y12, Y13)
	RROWADD2Y(Y14, Y15)
	VZEROUPPER
	RET

// RFMA2Z(m, az, c0, c1): broadcast A at m into az; c0:c1 += az * Z28:Z29.
#define RFMA2Z(m, az, c0, c1) \
	VBROADCASTSS m, az; \
	VFMADD231PS  Z28, az, c0; \
	VFMADD231PS  Z29, az, c1

// RSTEP14x32(ao, bo): one k step of the 14x32 kernel, A column at ao
// bytes into the rows, B at bo(DI).
#define RSTEP14x32(ao, bo) \
	VMOVUPS bo(DI), Z28; \
	VMOVUPS (bo+64)(DI), Z29; \
	RFMA2Z(ao(SI), Z30, Z0, Z1); \
	RFMA2Z(ao(SI)(R9*1), Z31, Z2, Z3); \
	RFMA2Z(ao(SI)(R9*2), Z30, Z4, Z5); \
	RFMA2Z(ao(SI)(R10*1), Z31, Z6, Z7); \
	RFMA2Z(ao(R11), Z30, Z8, Z9); \
	RFMA2Z(ao(R11)(R9*1), Z31, Z10, Z11); \
	RFMA2Z(ao(R11)(R9*2), Z30, Z12, Z13); \
	RFMA2Z(ao(R11)(R10*1), Z31, Z14, Z15); \
	RFMA2Z(ao(R12), Z30, Z16, Z17); \
	RFMA2Z(ao(R12)(R9*1), Z31, Z18, Z19); \
	RFMA2Z(ao(R12)(R9*2), Z30, Z20, Z21); \
	RFMA2Z(ao(R12)(R10*1), Z31, Z22, Z23); \
	RFMA2Z(ao(R13), Z30, Z24, Z25); \
	RFMA2Z(ao(R13)(R9*1), Z31, Z26, Z27)

// RSEG14x32 runs CX steps of the segment whose row 0 is at SI.
#define RSEG14x32(loop4, rem, loop1, done) \
	LEAQ (SI)(R9*4), R11; \
	LEAQ (R11)(R9*4), R12; \
	LEAQ (R12)(R9*4), R13; \
	MOVQ CX, BX; \
	SHRQ $2, BX; \
	JZ   rem; \
loop4: \
	RSTEP14x32(0, 0); \
	RSTEP14x32(4, 128); \
	RSTEP14x32(8, 256); \
	RSTEP14x32(12, 384); \
	ADDQ $16, SI; \
	ADDQ $16, R11; \
	ADDQ $16, R12; \
	ADDQ $16, R13; \
	ADDQ $512, DI; \
	DECQ BX; \
	JNZ  loop4; \
rem: \
	ANDQ $3, CX; \
	JZ   done; \
loop1: \
	RSTEP14x32(0, 0); \
	ADDQ $4, SI; \
	ADDQ $4, R11; \
	ADDQ $4, R12; \
	ADDQ $4, R13; \
	ADDQ $128, DI; \
	DECQ CX; \
	JNZ  loop1; \
done:

// RROWADD2Z(r0, r1): C row at DX += r0:r1 (32 floats); DX moves to the next row.
#define RROWADD2Z(r0, r1) \
	VADDPS  (DX), r0, r0; \
	VADDPS  64(DX), r1, r1; \
	VMOVUPS r0, (DX); \
	VMOVUPS r1, 64(DX); \
	ADDQ    R8, DX

// func gemmMicroRows14x32AVX512Asm(k1, k2 int, a1, a2 *float32, lda int, b, c *float32, ldc int)
// Requires: AVX512F
//
// SI, R11, R12, R13 = the segment's rows 0, 4, 8, 12, R9 = lda*4, R10 =
// 3*lda*4, DI = B panel (32 floats per step), DX = C, R8 = ldc*4, CX =
// steps, BX = steps/4. Z28-Z29 = B row, Z30-Z31 = broadcast A, Z0-Z27 =
// accumulators (row i in Z(2i), Z(2i+1)).
TEXT ·gemmMicroRows14x32AVX512Asm(SB), NOSPLIT, $0-64
	MOVQ   lda+32(FP), R9
	SHLQ   $2, R9
	LEAQ   (R9)(R9*2), R10
	MOVQ   b+40(FP), DI
	MOVQ   c+48(FP), DX
	MOVQ   ldc+56(FP), R8
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

	MOVQ k1+0(FP), CX
	MOVQ a1+16(FP), SI
	RSEG14x32(r14a_loop4, r14a_rem, r14a_loop1, r14a_done)
	MOVQ k2+8(FP), CX
	MOVQ a2+24(FP), SI
	RSEG14x32(r14b_loop4, r14b_rem, r14b_loop1, r14b_done)

	RROWADD2Z(Z0, Z1)
	RROWADD2Z(Z2, Z3)
	RROWADD2Z(Z4, Z5)
	RROWADD2Z(Z6, Z7)
	RROWADD2Z(Z8, Z9)
	RROWADD2Z(Z10, Z11)
	RROWADD2Z(Z12, Z13)
	RROWADD2Z(Z14, Z15)
	RROWADD2Z(Z16, Z17)
	RROWADD2Z(Z18, Z19)
	RROWADD2Z(Z20, Z21)
	RROWADD2Z(Z22, Z23)
	RROWADD2Z(Z24, Z25)
	RROWADD2Z(Z26, Z27)
	VZEROUPPER
	RET
