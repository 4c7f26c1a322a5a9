//go:build !purego

#include "textflag.h"

// NEON (Advanced SIMD) vector, GEMV and GEMM kernels. Each routine meets
// the specification of the generic kernel of the same name (generic.go).
//
// The Go assembler has no mnemonics for most floating-point vector
// instructions (FADD, FMUL, FADDP, FMLA by element...); those are emitted as
// WORD with the instruction in GNU syntax in the comment (destination
// first), so `llvm-mc -triple=aarch64 -show-encoding` reproduces each
// encoding. Go-syntax instructions list sources first: VFMLA Vm, Vn, Vd is
// Vd += Vn*Vm, FMADDS Fm, Fa, Fn, Fd is Fd = Fn*Fm + Fa.
//
// Registers R18 (platform), R26-R29 are never touched; every routine is a
// leaf with no frame.

// func dotNEON(x, y []float32) float32
// Requires: NEON (ASIMD)
//
// R0 x pointer, R1 y pointer, R2 n = len(x), R3 loop counter.
// V0-V7 accumulators (32 products per iteration of the main loop, eight
// independent FMLA chains), V16-V23 x, V24-V31 y. Then 4 at a time into V0,
// a pairwise reduction to S0 and a scalar FMADD tail.
TEXT ·dotNEON(SB), NOSPLIT, $0-52
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R2
	MOVD y_base+24(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	LSR  $5, R2, R3
	CBZ  R3, dot_fold
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16

dot_loop32:
	VLD1.P 64(R0), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1.P 64(R1), [V28.S4, V29.S4, V30.S4, V31.S4]
	VFMLA  V24.S4, V16.S4, V0.S4
	VFMLA  V25.S4, V17.S4, V1.S4
	VFMLA  V26.S4, V18.S4, V2.S4
	VFMLA  V27.S4, V19.S4, V3.S4
	VFMLA  V28.S4, V20.S4, V4.S4
	VFMLA  V29.S4, V21.S4, V5.S4
	VFMLA  V30.S4, V22.S4, V6.S4
	VFMLA  V31.S4, V23.S4, V7.S4
	SUBS   $1, R3
	BNE    dot_loop32
	WORD $0x4e24d400 // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421 // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442 // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463 // fadd v3.4s, v3.4s, v7.4s

dot_fold:
	WORD $0x4e21d400 // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442 // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e22d400 // fadd v0.4s, v0.4s, v2.4s
	UBFX $2, R2, $3, R3 // R3 = (n>>2)&7 blocks of 4
	CBZ  R3, dot_reduce

dot_loop4:
	VLD1.P 16(R0), [V16.S4]
	VLD1.P 16(R1), [V24.S4]
	VFMLA  V24.S4, V16.S4, V0.S4
	SUBS   $1, R3
	BNE    dot_loop4

dot_reduce:
	WORD $0x6e20d400 // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800 // faddp s0, v0.2s
	ANDS $3, R2, R3
	BEQ  dot_done

dot_loop1:
	FMOVS.P 4(R0), F16
	FMOVS.P 4(R1), F24
	FMADDS  F24, F0, F16, F0
	SUBS    $1, R3
	BNE     dot_loop1

dot_done:
	FMOVS F0, ret+48(FP)
	RET

// func axpyNEON(alpha float32, x, y []float32)
// Requires: NEON (ASIMD)
//
// R0 x pointer, R1 y pointer, R2 n = len(x), R3 loop counter. V0 alpha in
// every lane; 16 elements per iteration (V16-V19 x, V20-V23 y), then 4 at a
// time, then a scalar FMADD tail.
TEXT ·axpyNEON(SB), NOSPLIT, $0-56
	FMOVS alpha+0(FP), F0
	MOVD  x_base+8(FP), R0
	MOVD  x_len+16(FP), R2
	MOVD  y_base+32(FP), R1
	VDUP  V0.S[0], V0.S4
	LSR   $4, R2, R3
	CBZ   R3, axpy_tail4

axpy_loop16:
	VLD1.P 64(R0), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1   (R1), [V20.S4, V21.S4, V22.S4, V23.S4]
	VFMLA  V0.S4, V16.S4, V20.S4
	VFMLA  V0.S4, V17.S4, V21.S4
	VFMLA  V0.S4, V18.S4, V22.S4
	VFMLA  V0.S4, V19.S4, V23.S4
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R1)
	SUBS   $1, R3
	BNE    axpy_loop16

axpy_tail4:
	UBFX $2, R2, $2, R3 // R3 = (n>>2)&3
	CBZ  R3, axpy_tail1

axpy_loop4:
	VLD1.P 16(R0), [V16.S4]
	VLD1   (R1), [V20.S4]
	VFMLA  V0.S4, V16.S4, V20.S4
	VST1.P [V20.S4], 16(R1)
	SUBS   $1, R3
	BNE    axpy_loop4

axpy_tail1:
	ANDS $3, R2, R3
	BEQ  axpy_done

axpy_loop1:
	FMOVS.P 4(R0), F16
	FMOVS   (R1), F20
	FMADDS  F0, F20, F16, F20
	FMOVS.P F20, 4(R1)
	SUBS    $1, R3
	BNE     axpy_loop1

axpy_done:
	RET

// func scaleNEON(alpha float32, x []float32)
// Requires: NEON (ASIMD)
//
// R0 x pointer, R2 n, R3 loop counter, V0 alpha. 16 elements per iteration
// (V16-V19, FMUL by element), then 4, then scalar FMUL.
TEXT ·scaleNEON(SB), NOSPLIT, $0-32
	FMOVS alpha+0(FP), F0
	MOVD  x_base+8(FP), R0
	MOVD  x_len+16(FP), R2
	LSR   $4, R2, R3
	CBZ   R3, scale_tail4

scale_loop16:
	VLD1 (R0), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f809210 // fmul v16.4s, v16.4s, v0.s[0]
	WORD $0x4f809231 // fmul v17.4s, v17.4s, v0.s[0]
	WORD $0x4f809252 // fmul v18.4s, v18.4s, v0.s[0]
	WORD $0x4f809273 // fmul v19.4s, v19.4s, v0.s[0]
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R0)
	SUBS   $1, R3
	BNE    scale_loop16

scale_tail4:
	UBFX $2, R2, $2, R3
	CBZ  R3, scale_tail1

scale_loop4:
	VLD1 (R0), [V16.S4]
	WORD $0x4f809210 // fmul v16.4s, v16.4s, v0.s[0]
	VST1.P [V16.S4], 16(R0)
	SUBS   $1, R3
	BNE    scale_loop4

scale_tail1:
	ANDS $3, R2, R3
	BEQ  scale_done

scale_loop1:
	FMOVS   (R0), F16
	FMULS   F0, F16, F16
	FMOVS.P F16, 4(R0)
	SUBS    $1, R3
	BNE     scale_loop1

scale_done:
	RET

// func addNEON(dst, x, y []float32)
// Requires: NEON (ASIMD)
//
// R0 dst, R1 x, R4 y pointers, R2 n = len(dst), R3 loop counter. 16
// elements per iteration (V16-V19 x, V20-V23 y), then 4, then scalar.
TEXT ·addNEON(SB), NOSPLIT, $0-72
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R2
	MOVD x_base+24(FP), R1
	MOVD y_base+48(FP), R4
	LSR  $4, R2, R3
	CBZ  R3, add_tail4

add_loop16:
	VLD1.P 64(R1), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d610 // fadd v16.4s, v16.4s, v20.4s
	WORD $0x4e35d631 // fadd v17.4s, v17.4s, v21.4s
	WORD $0x4e36d652 // fadd v18.4s, v18.4s, v22.4s
	WORD $0x4e37d673 // fadd v19.4s, v19.4s, v23.4s
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R0)
	SUBS   $1, R3
	BNE    add_loop16

add_tail4:
	UBFX $2, R2, $2, R3
	CBZ  R3, add_tail1

add_loop4:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R4), [V20.S4]
	WORD $0x4e34d610 // fadd v16.4s, v16.4s, v20.4s
	VST1.P [V16.S4], 16(R0)
	SUBS   $1, R3
	BNE    add_loop4

add_tail1:
	ANDS $3, R2, R3
	BEQ  add_done

add_loop1:
	FMOVS.P 4(R1), F16
	FMOVS.P 4(R4), F20
	FADDS   F20, F16, F16
	FMOVS.P F16, 4(R0)
	SUBS    $1, R3
	BNE     add_loop1

add_done:
	RET

// func gemvNEON(m, n int, a []float32, lda int, x, y []float32)
// Requires: NEON (ASIMD)
//
// y[i] += sum_{j<n} a[i*lda+j]*x[j]. Rows go four at a time sharing every
// load of x: R6-R9 point at the four rows, R10 at x, accumulators V0/V1
// (row 0), V2/V3, V4/V5, V6/V7 take 8 columns per iteration (V16/V17 x,
// V18-V25 a), then one block of 4 columns, a pairwise reduction of the four
// rows into one vector, and the last n&3 columns with the row values
// gathered into the lanes of V17 against x[j] broadcast in V16. The leftover
// m&3 rows run as dot products. R0 rows left, R1 n, R2 row-block pointer,
// R3 lda in bytes, R4 x, R5 y pointer, R11 loop counter, R12 4*lda bytes.
TEXT ·gemvNEON(SB), NOSPLIT, $0-96
	MOVD m+0(FP), R0
	MOVD n+8(FP), R1
	MOVD a_base+16(FP), R2
	MOVD lda+40(FP), R3
	MOVD x_base+48(FP), R4
	MOVD y_base+72(FP), R5
	CBZ  R0, gemv_done
	CBZ  R1, gemv_done
	LSL  $2, R3
	LSL  $2, R3, R12
	CMP  $4, R0
	BLT  gemv_rows1

gemv_rows4:
	MOVD R2, R6
	ADD  R3, R6, R7
	ADD  R3, R7, R8
	ADD  R3, R8, R9
	MOVD R4, R10
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V6.B16, V6.B16, V6.B16
	LSR  $3, R1, R11
	CBZ  R11, gemv4_col4
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V7.B16, V7.B16, V7.B16

gemv4_loop8:
	VLD1.P 32(R10), [V16.S4, V17.S4]
	VLD1.P 32(R6), [V18.S4, V19.S4]
	VLD1.P 32(R7), [V20.S4, V21.S4]
	VLD1.P 32(R8), [V22.S4, V23.S4]
	VLD1.P 32(R9), [V24.S4, V25.S4]
	VFMLA  V16.S4, V18.S4, V0.S4
	VFMLA  V17.S4, V19.S4, V1.S4
	VFMLA  V16.S4, V20.S4, V2.S4
	VFMLA  V17.S4, V21.S4, V3.S4
	VFMLA  V16.S4, V22.S4, V4.S4
	VFMLA  V17.S4, V23.S4, V5.S4
	VFMLA  V16.S4, V24.S4, V6.S4
	VFMLA  V17.S4, V25.S4, V7.S4
	SUBS   $1, R11
	BNE    gemv4_loop8
	WORD $0x4e21d400 // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442 // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e25d484 // fadd v4.4s, v4.4s, v5.4s
	WORD $0x4e27d4c6 // fadd v6.4s, v6.4s, v7.4s

gemv4_col4:
	TBZ    $2, R1, gemv4_reduce
	VLD1.P 16(R10), [V16.S4]
	VLD1.P 16(R6), [V18.S4]
	VLD1.P 16(R7), [V20.S4]
	VLD1.P 16(R8), [V22.S4]
	VLD1.P 16(R9), [V24.S4]
	VFMLA  V16.S4, V18.S4, V0.S4
	VFMLA  V16.S4, V20.S4, V2.S4
	VFMLA  V16.S4, V22.S4, V4.S4
	VFMLA  V16.S4, V24.S4, V6.S4

gemv4_reduce:
	// V0 = [sum row0, sum row1, sum row2, sum row3]
	WORD $0x6e22d400 // faddp v0.4s, v0.4s, v2.4s
	WORD $0x6e26d484 // faddp v4.4s, v4.4s, v6.4s
	WORD $0x6e24d400 // faddp v0.4s, v0.4s, v4.4s
	ANDS $3, R1, R11
	BEQ  gemv4_store

gemv4_loop1:
	VLD1R.P 4(R10), [V16.S4]
	VLD1.P  4(R6), V17.S[0]
	VLD1.P  4(R7), V17.S[1]
	VLD1.P  4(R8), V17.S[2]
	VLD1.P  4(R9), V17.S[3]
	VFMLA   V16.S4, V17.S4, V0.S4
	SUBS    $1, R11
	BNE     gemv4_loop1

gemv4_store:
	VLD1   (R5), [V1.S4]
	WORD $0x4e20d421 // fadd v1.4s, v1.4s, v0.4s
	VST1.P [V1.S4], 16(R5)
	ADD    R12, R2
	SUB    $4, R0
	CMP    $4, R0
	BGE    gemv_rows4

gemv_rows1:
	CBZ R0, gemv_done

gemv1_row:
	MOVD R2, R6
	MOVD R4, R10
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	LSR  $3, R1, R11
	CBZ  R11, gemv1_col4

gemv1_loop8:
	VLD1.P 32(R10), [V16.S4, V17.S4]
	VLD1.P 32(R6), [V18.S4, V19.S4]
	VFMLA  V16.S4, V18.S4, V0.S4
	VFMLA  V17.S4, V19.S4, V1.S4
	SUBS   $1, R11
	BNE    gemv1_loop8
	WORD $0x4e21d400 // fadd v0.4s, v0.4s, v1.4s

gemv1_col4:
	TBZ    $2, R1, gemv1_reduce
	VLD1.P 16(R10), [V16.S4]
	VLD1.P 16(R6), [V18.S4]
	VFMLA  V16.S4, V18.S4, V0.S4

gemv1_reduce:
	WORD $0x6e20d400 // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800 // faddp s0, v0.2s
	ANDS $3, R1, R11
	BEQ  gemv1_store

gemv1_loop1:
	FMOVS.P 4(R10), F16
	FMOVS.P 4(R6), F18
	FMADDS  F18, F0, F16, F0
	SUBS    $1, R11
	BNE     gemv1_loop1

gemv1_store:
	FMOVS   (R5), F1
	FADDS   F0, F1, F1
	FMOVS.P F1, 4(R5)
	ADD     R3, R2
	SUBS    $1, R0
	BNE     gemv1_row

gemv_done:
	RET

// func gemvTNEON(m, n int, a []float32, lda int, x, y []float32)
// Requires: NEON (ASIMD)
//
// y[j] += sum_{i<m} a[i*lda+j]*x[i]. Columns go in blocks of 32 held in
// V0-V7 while the loop walks down all m rows (x[i] broadcast in V16, the
// row's 32 values in V20-V27), then blocks of 4 in V0, then single columns
// in S0. R0 m, R1 columns left, R2 block pointer into a, R3 lda in bytes,
// R4 x, R5 y pointer, R7 row pointer, R8 x pointer, R9 rows left.
TEXT ·gemvTNEON(SB), NOSPLIT, $0-96
	MOVD m+0(FP), R0
	MOVD n+8(FP), R1
	MOVD a_base+16(FP), R2
	MOVD lda+40(FP), R3
	MOVD x_base+48(FP), R4
	MOVD y_base+72(FP), R5
	CBZ  R0, gemvT_done
	CBZ  R1, gemvT_done
	LSL  $2, R3
	CMP  $32, R1
	BLT  gemvT_cols4

gemvT_block32:
	VLD1 (R5), [V0.S4, V1.S4, V2.S4, V3.S4]
	ADD  $64, R5, R6
	VLD1 (R6), [V4.S4, V5.S4, V6.S4, V7.S4]
	MOVD R2, R7
	MOVD R4, R8
	MOVD R0, R9

gemvT_loop32:
	VLD1R.P 4(R8), [V16.S4]
	ADD     $64, R7, R6
	VLD1    (R7), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1    (R6), [V24.S4, V25.S4, V26.S4, V27.S4]
	ADD     R3, R7
	VFMLA   V16.S4, V20.S4, V0.S4
	VFMLA   V16.S4, V21.S4, V1.S4
	VFMLA   V16.S4, V22.S4, V2.S4
	VFMLA   V16.S4, V23.S4, V3.S4
	VFMLA   V16.S4, V24.S4, V4.S4
	VFMLA   V16.S4, V25.S4, V5.S4
	VFMLA   V16.S4, V26.S4, V6.S4
	VFMLA   V16.S4, V27.S4, V7.S4
	SUBS    $1, R9
	BNE     gemvT_loop32
	VST1.P  [V0.S4, V1.S4, V2.S4, V3.S4], 64(R5)
	VST1.P  [V4.S4, V5.S4, V6.S4, V7.S4], 64(R5)
	ADD     $128, R2
	SUB     $32, R1
	CMP     $32, R1
	BGE     gemvT_block32

gemvT_cols4:
	CMP $4, R1
	BLT gemvT_cols1

gemvT_block4:
	VLD1 (R5), [V0.S4]
	MOVD R2, R7
	MOVD R4, R8
	MOVD R0, R9

gemvT_loop4:
	VLD1R.P 4(R8), [V16.S4]
	VLD1    (R7), [V20.S4]
	ADD     R3, R7
	VFMLA   V16.S4, V20.S4, V0.S4
	SUBS    $1, R9
	BNE     gemvT_loop4
	VST1.P  [V0.S4], 16(R5)
	ADD     $16, R2
	SUB     $4, R1
	CMP     $4, R1
	BGE     gemvT_block4

gemvT_cols1:
	CBZ R1, gemvT_done

gemvT_block1:
	FMOVS (R5), F0
	MOVD  R2, R7
	MOVD  R4, R8
	MOVD  R0, R9

gemvT_loop1:
	FMOVS.P 4(R8), F16
	FMOVS   (R7), F20
	ADD     R3, R7
	FMADDS  F16, F0, F20, F0
	SUBS    $1, R9
	BNE     gemvT_loop1
	FMOVS.P F0, 4(R5)
	ADD     $4, R2
	SUBS    $1, R1
	BNE     gemvT_block1

gemvT_done:
	RET

// func gemmMicroNEON(k int, a, b, c []float32, ldc int)
// Requires: NEON (ASIMD)
//
// The 8x12 micro-kernel: c[i*ldc+j] += sum_{p<k} a[p*8+i]*b[p*12+j] for
// i < 8, j < 12. Accumulators V0-V23 hold the tile, row i in V(3i),
// V(3i+1), V(3i+2) (columns 0-3, 4-7, 8-11). Each step p loads the packed
// column of A (V24 rows 0-3, V25 rows 4-7) and the packed row of B
// (V26-V28) and issues 24 FMLAs by element; C is then read, added to and
// written back row by row through V29-V31. R0 a, R1 b, R2 c row pointer,
// R3 ldc in bytes, R4 k.
TEXT ·gemmMicroNEON(SB), NOSPLIT, $0-88
	MOVD k+0(FP), R4
	MOVD a_base+8(FP), R0
	MOVD b_base+32(FP), R1
	MOVD c_base+56(FP), R2
	MOVD ldc+80(FP), R3
	CBZ  R4, gemm_done
	LSL  $2, R3
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16

gemm_loop:
	VLD1.P 32(R0), [V24.S4, V25.S4]
	VLD1.P 48(R1), [V26.S4, V27.S4, V28.S4]
	WORD $0x4f981340 // fmla v0.4s, v26.4s, v24.s[0]
	WORD $0x4f981361 // fmla v1.4s, v27.4s, v24.s[0]
	WORD $0x4f981382 // fmla v2.4s, v28.4s, v24.s[0]
	WORD $0x4fb81343 // fmla v3.4s, v26.4s, v24.s[1]
	WORD $0x4fb81364 // fmla v4.4s, v27.4s, v24.s[1]
	WORD $0x4fb81385 // fmla v5.4s, v28.4s, v24.s[1]
	WORD $0x4f981b46 // fmla v6.4s, v26.4s, v24.s[2]
	WORD $0x4f981b67 // fmla v7.4s, v27.4s, v24.s[2]
	WORD $0x4f981b88 // fmla v8.4s, v28.4s, v24.s[2]
	WORD $0x4fb81b49 // fmla v9.4s, v26.4s, v24.s[3]
	WORD $0x4fb81b6a // fmla v10.4s, v27.4s, v24.s[3]
	WORD $0x4fb81b8b // fmla v11.4s, v28.4s, v24.s[3]
	WORD $0x4f99134c // fmla v12.4s, v26.4s, v25.s[0]
	WORD $0x4f99136d // fmla v13.4s, v27.4s, v25.s[0]
	WORD $0x4f99138e // fmla v14.4s, v28.4s, v25.s[0]
	WORD $0x4fb9134f // fmla v15.4s, v26.4s, v25.s[1]
	WORD $0x4fb91370 // fmla v16.4s, v27.4s, v25.s[1]
	WORD $0x4fb91391 // fmla v17.4s, v28.4s, v25.s[1]
	WORD $0x4f991b52 // fmla v18.4s, v26.4s, v25.s[2]
	WORD $0x4f991b73 // fmla v19.4s, v27.4s, v25.s[2]
	WORD $0x4f991b94 // fmla v20.4s, v28.4s, v25.s[2]
	WORD $0x4fb91b55 // fmla v21.4s, v26.4s, v25.s[3]
	WORD $0x4fb91b76 // fmla v22.4s, v27.4s, v25.s[3]
	WORD $0x4fb91b97 // fmla v23.4s, v28.4s, v25.s[3]
	SUBS   $1, R4
	BNE    gemm_loop

	VLD1 (R2), [V29.S4, V30.S4, V31.S4]
	WORD $0x4e20d7bd // fadd v29.4s, v29.4s, v0.4s
	WORD $0x4e21d7de // fadd v30.4s, v30.4s, v1.4s
	WORD $0x4e22d7ff // fadd v31.4s, v31.4s, v2.4s
	VST1 [V29.S4, V30.S4, V31.S4], (R2)
	ADD  R3, R2
	VLD1 (R2), [V29.S4, V30.S4, V31.S4]
	WORD $0x4e23d7bd // fadd v29.4s, v29.4s, v3.4s
	WORD $0x4e24d7de // fadd v30.4s, v30.4s, v4.4s
	WORD $0x4e25d7ff // fadd v31.4s, v31.4s, v5.4s
	VST1 [V29.S4, V30.S4, V31.S4], (R2)
	ADD  R3, R2
	VLD1 (R2), [V29.S4, V30.S4, V31.S4]
	WORD $0x4e26d7bd // fadd v29.4s, v29.4s, v6.4s
	WORD $0x4e27d7de // fadd v30.4s, v30.4s, v7.4s
	WORD $0x4e28d7ff // fadd v31.4s, v31.4s, v8.4s
	VST1 [V29.S4, V30.S4, V31.S4], (R2)
	ADD  R3, R2
	VLD1 (R2), [V29.S4, V30.S4, V31.S4]
	WORD $0x4e29d7bd // fadd v29.4s, v29.4s, v9.4s
	WORD $0x4e2ad7de // fadd v30.4s, v30.4s, v10.4s
	WORD $0x4e2bd7ff // fadd v31.4s, v31.4s, v11.4s
	VST1 [V29.S4, V30.S4, V31.S4], (R2)
	ADD  R3, R2
	VLD1 (R2), [V29.S4, V30.S4, V31.S4]
	WORD $0x4e2cd7bd // fadd v29.4s, v29.4s, v12.4s
	WORD $0x4e2dd7de // fadd v30.4s, v30.4s, v13.4s
	WORD $0x4e2ed7ff // fadd v31.4s, v31.4s, v14.4s
	VST1 [V29.S4, V30.S4, V31.S4], (R2)
	ADD  R3, R2
	VLD1 (R2), [V29.S4, V30.S4, V31.S4]
	WORD $0x4e2fd7bd // fadd v29.4s, v29.4s, v15.4s
	WORD $0x4e30d7de // fadd v30.4s, v30.4s, v16.4s
	WORD $0x4e31d7ff // fadd v31.4s, v31.4s, v17.4s
	VST1 [V29.S4, V30.S4, V31.S4], (R2)
	ADD  R3, R2
	VLD1 (R2), [V29.S4, V30.S4, V31.S4]
	WORD $0x4e32d7bd // fadd v29.4s, v29.4s, v18.4s
	WORD $0x4e33d7de // fadd v30.4s, v30.4s, v19.4s
	WORD $0x4e34d7ff // fadd v31.4s, v31.4s, v20.4s
	VST1 [V29.S4, V30.S4, V31.S4], (R2)
	ADD  R3, R2
	VLD1 (R2), [V29.S4, V30.S4, V31.S4]
	WORD $0x4e35d7bd // fadd v29.4s, v29.4s, v21.4s
	WORD $0x4e36d7de // fadd v30.4s, v30.4s, v22.4s
	WORD $0x4e37d7ff // fadd v31.4s, v31.4s, v23.4s
	VST1 [V29.S4, V30.S4, V31.S4], (R2)

gemm_done:
	RET
