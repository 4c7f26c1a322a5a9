//go:build !purego

#include "textflag.h"

// MatVec micro-kernels for NEON: row panels of p = 16 rows (four 4-float
// q registers per vector) for one vector (x1) or four (x4). The spec is
// matPanelFunc (matvec_run.go); the layout is matvec_pack.go's
// layoutPanel: per column, the panel's 16 weights (64 bytes of float32, or
// 32 bytes of binary16 widened by FCVTL/FCVTL2, or of bfloat16 widened by
// SHLL/SHLL2 #16). BF16Dot runs the BF16 kernels on x rounded to bfloat16.
//
// The Go assembler has no mnemonics for FMLA by element, FADD (vector),
// FCVTL or SHLL: they are emitted as WORD with the instruction in GNU
// syntax in the comment (checked by TestNEONWordEncodings). This file is
// long but regular: per group of four columns, each vector's four x values
// are loaded into one q register and each column's weights into V20-V23
// are multiplied by lane c of it (FMLA by element); a last group of fewer
// than four columns goes one column at a time (FMOVS loads x into lane 0).
//
// Registers: R0 weights, R1 (R9, R10, R11) x of vector 0 (1, 2, 3), R2 n,
// R3 ldx in bytes, R4 y of the current vector, R5 ldy in bytes, R6 bias
// (0 if none), R7 acc, R12 loop counter, R13 panels left, R14 x (each
// panel starts over at it), R15 y of the panel's vector 0 (y and bias move
// on by 16 floats per panel, the weights run on). x4: V0-V15 the
// accumulators (vector b in V4b..V4b+3), V16-V19 x; x1: V0-V3 (even
// columns) and V4-V7 (odd columns), added at the end, V16 x. V20-V23 one
// column's weights (V24-V25 its 16-bit form). At the end each vector's
// accumulators get y (if acc) and the bias (if any) added and are stored.

// func matvecF32x1NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: NEON (ASIMD)
TEXT ·matvecF32x1NEON(SB), NOSPLIT, $0-72
	MOVD  w+0(FP), R0
	MOVD  x+8(FP), R1
	MOVD  n+16(FP), R2
	MOVD  ldx+24(FP), R3
	MOVD  y+32(FP), R4
	MOVD  ldy+40(FP), R5
	MOVD  bias+48(FP), R6
	MOVBU acc+56(FP), R7
	MOVD  panels+64(FP), R13
	LSL   $2, R3
	LSL   $2, R5
	MOVD  R1, R14
	MOVD  R4, R15

f32n1_panel:
	MOVD  R14, R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	LSR   $2, R2, R12
	CBZ   R12, f32n1_tail

f32n1_loop4:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb01284 // fmla v4.4s, v20.4s, v16.s[1]
	WORD $0x4fb012a5 // fmla v5.4s, v21.4s, v16.s[1]
	WORD $0x4fb012c6 // fmla v6.4s, v22.4s, v16.s[1]
	WORD $0x4fb012e7 // fmla v7.4s, v23.4s, v16.s[1]
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f901a80 // fmla v0.4s, v20.4s, v16.s[2]
	WORD $0x4f901aa1 // fmla v1.4s, v21.4s, v16.s[2]
	WORD $0x4f901ac2 // fmla v2.4s, v22.4s, v16.s[2]
	WORD $0x4f901ae3 // fmla v3.4s, v23.4s, v16.s[2]
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb01a84 // fmla v4.4s, v20.4s, v16.s[3]
	WORD $0x4fb01aa5 // fmla v5.4s, v21.4s, v16.s[3]
	WORD $0x4fb01ac6 // fmla v6.4s, v22.4s, v16.s[3]
	WORD $0x4fb01ae7 // fmla v7.4s, v23.4s, v16.s[3]
	SUBS  $1, R12
	BNE   f32n1_loop4

f32n1_tail:
	ANDS  $3, R2, R12
	BEQ   f32n1_done

f32n1_loop1:
	FMOVS.P 4(R1), F16
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	SUBS  $1, R12
	BNE   f32n1_loop1

f32n1_done:
	WORD $0x4e24d400 // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421 // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442 // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463 // fadd v3.4s, v3.4s, v7.4s
	MOVD  R15, R4
	CBZ  R7, f32n1_nacc0
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

f32n1_nacc0:
	CBZ  R6, f32n1_nbias0
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

f32n1_nbias0:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R4)
	ADD   $64, R15
	CBZ   R6, f32n1_next
	ADD   $64, R6

f32n1_next:
	SUBS  $1, R13
	BNE   f32n1_panel
	RET

// func matvecF32x4NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: NEON (ASIMD)
TEXT ·matvecF32x4NEON(SB), NOSPLIT, $0-72
	MOVD  w+0(FP), R0
	MOVD  x+8(FP), R1
	MOVD  n+16(FP), R2
	MOVD  ldx+24(FP), R3
	MOVD  y+32(FP), R4
	MOVD  ldy+40(FP), R5
	MOVD  bias+48(FP), R6
	MOVBU acc+56(FP), R7
	MOVD  panels+64(FP), R13
	LSL   $2, R3
	LSL   $2, R5
	MOVD  R1, R14
	MOVD  R4, R15

f32n4_panel:
	MOVD  R14, R1
	ADD   R3, R1, R9
	ADD   R3, R9, R10
	ADD   R3, R10, R11
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
	LSR   $2, R2, R12
	CBZ   R12, f32n4_tail

f32n4_loop4:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R9), [V17.S4]
	VLD1.P 16(R10), [V18.S4]
	VLD1.P 16(R11), [V19.S4]
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	WORD $0x4f911284 // fmla v4.4s, v20.4s, v17.s[0]
	WORD $0x4f9112a5 // fmla v5.4s, v21.4s, v17.s[0]
	WORD $0x4f9112c6 // fmla v6.4s, v22.4s, v17.s[0]
	WORD $0x4f9112e7 // fmla v7.4s, v23.4s, v17.s[0]
	WORD $0x4f921288 // fmla v8.4s, v20.4s, v18.s[0]
	WORD $0x4f9212a9 // fmla v9.4s, v21.4s, v18.s[0]
	WORD $0x4f9212ca // fmla v10.4s, v22.4s, v18.s[0]
	WORD $0x4f9212eb // fmla v11.4s, v23.4s, v18.s[0]
	WORD $0x4f93128c // fmla v12.4s, v20.4s, v19.s[0]
	WORD $0x4f9312ad // fmla v13.4s, v21.4s, v19.s[0]
	WORD $0x4f9312ce // fmla v14.4s, v22.4s, v19.s[0]
	WORD $0x4f9312ef // fmla v15.4s, v23.4s, v19.s[0]
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb01280 // fmla v0.4s, v20.4s, v16.s[1]
	WORD $0x4fb012a1 // fmla v1.4s, v21.4s, v16.s[1]
	WORD $0x4fb012c2 // fmla v2.4s, v22.4s, v16.s[1]
	WORD $0x4fb012e3 // fmla v3.4s, v23.4s, v16.s[1]
	WORD $0x4fb11284 // fmla v4.4s, v20.4s, v17.s[1]
	WORD $0x4fb112a5 // fmla v5.4s, v21.4s, v17.s[1]
	WORD $0x4fb112c6 // fmla v6.4s, v22.4s, v17.s[1]
	WORD $0x4fb112e7 // fmla v7.4s, v23.4s, v17.s[1]
	WORD $0x4fb21288 // fmla v8.4s, v20.4s, v18.s[1]
	WORD $0x4fb212a9 // fmla v9.4s, v21.4s, v18.s[1]
	WORD $0x4fb212ca // fmla v10.4s, v22.4s, v18.s[1]
	WORD $0x4fb212eb // fmla v11.4s, v23.4s, v18.s[1]
	WORD $0x4fb3128c // fmla v12.4s, v20.4s, v19.s[1]
	WORD $0x4fb312ad // fmla v13.4s, v21.4s, v19.s[1]
	WORD $0x4fb312ce // fmla v14.4s, v22.4s, v19.s[1]
	WORD $0x4fb312ef // fmla v15.4s, v23.4s, v19.s[1]
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f901a80 // fmla v0.4s, v20.4s, v16.s[2]
	WORD $0x4f901aa1 // fmla v1.4s, v21.4s, v16.s[2]
	WORD $0x4f901ac2 // fmla v2.4s, v22.4s, v16.s[2]
	WORD $0x4f901ae3 // fmla v3.4s, v23.4s, v16.s[2]
	WORD $0x4f911a84 // fmla v4.4s, v20.4s, v17.s[2]
	WORD $0x4f911aa5 // fmla v5.4s, v21.4s, v17.s[2]
	WORD $0x4f911ac6 // fmla v6.4s, v22.4s, v17.s[2]
	WORD $0x4f911ae7 // fmla v7.4s, v23.4s, v17.s[2]
	WORD $0x4f921a88 // fmla v8.4s, v20.4s, v18.s[2]
	WORD $0x4f921aa9 // fmla v9.4s, v21.4s, v18.s[2]
	WORD $0x4f921aca // fmla v10.4s, v22.4s, v18.s[2]
	WORD $0x4f921aeb // fmla v11.4s, v23.4s, v18.s[2]
	WORD $0x4f931a8c // fmla v12.4s, v20.4s, v19.s[2]
	WORD $0x4f931aad // fmla v13.4s, v21.4s, v19.s[2]
	WORD $0x4f931ace // fmla v14.4s, v22.4s, v19.s[2]
	WORD $0x4f931aef // fmla v15.4s, v23.4s, v19.s[2]
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb01a80 // fmla v0.4s, v20.4s, v16.s[3]
	WORD $0x4fb01aa1 // fmla v1.4s, v21.4s, v16.s[3]
	WORD $0x4fb01ac2 // fmla v2.4s, v22.4s, v16.s[3]
	WORD $0x4fb01ae3 // fmla v3.4s, v23.4s, v16.s[3]
	WORD $0x4fb11a84 // fmla v4.4s, v20.4s, v17.s[3]
	WORD $0x4fb11aa5 // fmla v5.4s, v21.4s, v17.s[3]
	WORD $0x4fb11ac6 // fmla v6.4s, v22.4s, v17.s[3]
	WORD $0x4fb11ae7 // fmla v7.4s, v23.4s, v17.s[3]
	WORD $0x4fb21a88 // fmla v8.4s, v20.4s, v18.s[3]
	WORD $0x4fb21aa9 // fmla v9.4s, v21.4s, v18.s[3]
	WORD $0x4fb21aca // fmla v10.4s, v22.4s, v18.s[3]
	WORD $0x4fb21aeb // fmla v11.4s, v23.4s, v18.s[3]
	WORD $0x4fb31a8c // fmla v12.4s, v20.4s, v19.s[3]
	WORD $0x4fb31aad // fmla v13.4s, v21.4s, v19.s[3]
	WORD $0x4fb31ace // fmla v14.4s, v22.4s, v19.s[3]
	WORD $0x4fb31aef // fmla v15.4s, v23.4s, v19.s[3]
	SUBS  $1, R12
	BNE   f32n4_loop4

f32n4_tail:
	ANDS  $3, R2, R12
	BEQ   f32n4_done

f32n4_loop1:
	FMOVS.P 4(R1), F16
	FMOVS.P 4(R9), F17
	FMOVS.P 4(R10), F18
	FMOVS.P 4(R11), F19
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	WORD $0x4f911284 // fmla v4.4s, v20.4s, v17.s[0]
	WORD $0x4f9112a5 // fmla v5.4s, v21.4s, v17.s[0]
	WORD $0x4f9112c6 // fmla v6.4s, v22.4s, v17.s[0]
	WORD $0x4f9112e7 // fmla v7.4s, v23.4s, v17.s[0]
	WORD $0x4f921288 // fmla v8.4s, v20.4s, v18.s[0]
	WORD $0x4f9212a9 // fmla v9.4s, v21.4s, v18.s[0]
	WORD $0x4f9212ca // fmla v10.4s, v22.4s, v18.s[0]
	WORD $0x4f9212eb // fmla v11.4s, v23.4s, v18.s[0]
	WORD $0x4f93128c // fmla v12.4s, v20.4s, v19.s[0]
	WORD $0x4f9312ad // fmla v13.4s, v21.4s, v19.s[0]
	WORD $0x4f9312ce // fmla v14.4s, v22.4s, v19.s[0]
	WORD $0x4f9312ef // fmla v15.4s, v23.4s, v19.s[0]
	SUBS  $1, R12
	BNE   f32n4_loop1

f32n4_done:
	MOVD  R15, R4
	CBZ  R7, f32n4_nacc0
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

f32n4_nacc0:
	CBZ  R6, f32n4_nbias0
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

f32n4_nbias0:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R4)
	ADD  R5, R4
	CBZ  R7, f32n4_nacc1
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d484 // fadd v4.4s, v4.4s, v20.4s
	WORD $0x4e35d4a5 // fadd v5.4s, v5.4s, v21.4s
	WORD $0x4e36d4c6 // fadd v6.4s, v6.4s, v22.4s
	WORD $0x4e37d4e7 // fadd v7.4s, v7.4s, v23.4s

f32n4_nacc1:
	CBZ  R6, f32n4_nbias1
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d484 // fadd v4.4s, v4.4s, v20.4s
	WORD $0x4e35d4a5 // fadd v5.4s, v5.4s, v21.4s
	WORD $0x4e36d4c6 // fadd v6.4s, v6.4s, v22.4s
	WORD $0x4e37d4e7 // fadd v7.4s, v7.4s, v23.4s

f32n4_nbias1:
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R4)
	ADD  R5, R4
	CBZ  R7, f32n4_nacc2
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d508 // fadd v8.4s, v8.4s, v20.4s
	WORD $0x4e35d529 // fadd v9.4s, v9.4s, v21.4s
	WORD $0x4e36d54a // fadd v10.4s, v10.4s, v22.4s
	WORD $0x4e37d56b // fadd v11.4s, v11.4s, v23.4s

f32n4_nacc2:
	CBZ  R6, f32n4_nbias2
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d508 // fadd v8.4s, v8.4s, v20.4s
	WORD $0x4e35d529 // fadd v9.4s, v9.4s, v21.4s
	WORD $0x4e36d54a // fadd v10.4s, v10.4s, v22.4s
	WORD $0x4e37d56b // fadd v11.4s, v11.4s, v23.4s

f32n4_nbias2:
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R4)
	ADD  R5, R4
	CBZ  R7, f32n4_nacc3
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d58c // fadd v12.4s, v12.4s, v20.4s
	WORD $0x4e35d5ad // fadd v13.4s, v13.4s, v21.4s
	WORD $0x4e36d5ce // fadd v14.4s, v14.4s, v22.4s
	WORD $0x4e37d5ef // fadd v15.4s, v15.4s, v23.4s

f32n4_nacc3:
	CBZ  R6, f32n4_nbias3
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d58c // fadd v12.4s, v12.4s, v20.4s
	WORD $0x4e35d5ad // fadd v13.4s, v13.4s, v21.4s
	WORD $0x4e36d5ce // fadd v14.4s, v14.4s, v22.4s
	WORD $0x4e37d5ef // fadd v15.4s, v15.4s, v23.4s

f32n4_nbias3:
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R4)
	ADD   $64, R15
	CBZ   R6, f32n4_next
	ADD   $64, R6

f32n4_next:
	SUBS  $1, R13
	BNE   f32n4_panel
	RET

// func matvecF16x1NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: NEON (ASIMD)
TEXT ·matvecF16x1NEON(SB), NOSPLIT, $0-72
	MOVD  w+0(FP), R0
	MOVD  x+8(FP), R1
	MOVD  n+16(FP), R2
	MOVD  ldx+24(FP), R3
	MOVD  y+32(FP), R4
	MOVD  ldy+40(FP), R5
	MOVD  bias+48(FP), R6
	MOVBU acc+56(FP), R7
	MOVD  panels+64(FP), R13
	LSL   $2, R3
	LSL   $2, R5
	MOVD  R1, R14
	MOVD  R4, R15

f16n1_panel:
	MOVD  R14, R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	LSR   $2, R2, R12
	CBZ   R12, f16n1_tail

f16n1_loop4:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x0e217b14 // fcvtl v20.4s, v24.4h
	WORD $0x4e217b15 // fcvtl2 v21.4s, v24.8h
	WORD $0x0e217b36 // fcvtl v22.4s, v25.4h
	WORD $0x4e217b37 // fcvtl2 v23.4s, v25.8h
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x0e217b14 // fcvtl v20.4s, v24.4h
	WORD $0x4e217b15 // fcvtl2 v21.4s, v24.8h
	WORD $0x0e217b36 // fcvtl v22.4s, v25.4h
	WORD $0x4e217b37 // fcvtl2 v23.4s, v25.8h
	WORD $0x4fb01284 // fmla v4.4s, v20.4s, v16.s[1]
	WORD $0x4fb012a5 // fmla v5.4s, v21.4s, v16.s[1]
	WORD $0x4fb012c6 // fmla v6.4s, v22.4s, v16.s[1]
	WORD $0x4fb012e7 // fmla v7.4s, v23.4s, v16.s[1]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x0e217b14 // fcvtl v20.4s, v24.4h
	WORD $0x4e217b15 // fcvtl2 v21.4s, v24.8h
	WORD $0x0e217b36 // fcvtl v22.4s, v25.4h
	WORD $0x4e217b37 // fcvtl2 v23.4s, v25.8h
	WORD $0x4f901a80 // fmla v0.4s, v20.4s, v16.s[2]
	WORD $0x4f901aa1 // fmla v1.4s, v21.4s, v16.s[2]
	WORD $0x4f901ac2 // fmla v2.4s, v22.4s, v16.s[2]
	WORD $0x4f901ae3 // fmla v3.4s, v23.4s, v16.s[2]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x0e217b14 // fcvtl v20.4s, v24.4h
	WORD $0x4e217b15 // fcvtl2 v21.4s, v24.8h
	WORD $0x0e217b36 // fcvtl v22.4s, v25.4h
	WORD $0x4e217b37 // fcvtl2 v23.4s, v25.8h
	WORD $0x4fb01a84 // fmla v4.4s, v20.4s, v16.s[3]
	WORD $0x4fb01aa5 // fmla v5.4s, v21.4s, v16.s[3]
	WORD $0x4fb01ac6 // fmla v6.4s, v22.4s, v16.s[3]
	WORD $0x4fb01ae7 // fmla v7.4s, v23.4s, v16.s[3]
	SUBS  $1, R12
	BNE   f16n1_loop4

f16n1_tail:
	ANDS  $3, R2, R12
	BEQ   f16n1_done

f16n1_loop1:
	FMOVS.P 4(R1), F16
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x0e217b14 // fcvtl v20.4s, v24.4h
	WORD $0x4e217b15 // fcvtl2 v21.4s, v24.8h
	WORD $0x0e217b36 // fcvtl v22.4s, v25.4h
	WORD $0x4e217b37 // fcvtl2 v23.4s, v25.8h
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	SUBS  $1, R12
	BNE   f16n1_loop1

f16n1_done:
	WORD $0x4e24d400 // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421 // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442 // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463 // fadd v3.4s, v3.4s, v7.4s
	MOVD  R15, R4
	CBZ  R7, f16n1_nacc0
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

f16n1_nacc0:
	CBZ  R6, f16n1_nbias0
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

f16n1_nbias0:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R4)
	ADD   $64, R15
	CBZ   R6, f16n1_next
	ADD   $64, R6

f16n1_next:
	SUBS  $1, R13
	BNE   f16n1_panel
	RET

// func matvecF16x4NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: NEON (ASIMD)
TEXT ·matvecF16x4NEON(SB), NOSPLIT, $0-72
	MOVD  w+0(FP), R0
	MOVD  x+8(FP), R1
	MOVD  n+16(FP), R2
	MOVD  ldx+24(FP), R3
	MOVD  y+32(FP), R4
	MOVD  ldy+40(FP), R5
	MOVD  bias+48(FP), R6
	MOVBU acc+56(FP), R7
	MOVD  panels+64(FP), R13
	LSL   $2, R3
	LSL   $2, R5
	MOVD  R1, R14
	MOVD  R4, R15

f16n4_panel:
	MOVD  R14, R1
	ADD   R3, R1, R9
	ADD   R3, R9, R10
	ADD   R3, R10, R11
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
	LSR   $2, R2, R12
	CBZ   R12, f16n4_tail

f16n4_loop4:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R9), [V17.S4]
	VLD1.P 16(R10), [V18.S4]
	VLD1.P 16(R11), [V19.S4]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x0e217b14 // fcvtl v20.4s, v24.4h
	WORD $0x4e217b15 // fcvtl2 v21.4s, v24.8h
	WORD $0x0e217b36 // fcvtl v22.4s, v25.4h
	WORD $0x4e217b37 // fcvtl2 v23.4s, v25.8h
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	WORD $0x4f911284 // fmla v4.4s, v20.4s, v17.s[0]
	WORD $0x4f9112a5 // fmla v5.4s, v21.4s, v17.s[0]
	WORD $0x4f9112c6 // fmla v6.4s, v22.4s, v17.s[0]
	WORD $0x4f9112e7 // fmla v7.4s, v23.4s, v17.s[0]
	WORD $0x4f921288 // fmla v8.4s, v20.4s, v18.s[0]
	WORD $0x4f9212a9 // fmla v9.4s, v21.4s, v18.s[0]
	WORD $0x4f9212ca // fmla v10.4s, v22.4s, v18.s[0]
	WORD $0x4f9212eb // fmla v11.4s, v23.4s, v18.s[0]
	WORD $0x4f93128c // fmla v12.4s, v20.4s, v19.s[0]
	WORD $0x4f9312ad // fmla v13.4s, v21.4s, v19.s[0]
	WORD $0x4f9312ce // fmla v14.4s, v22.4s, v19.s[0]
	WORD $0x4f9312ef // fmla v15.4s, v23.4s, v19.s[0]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x0e217b14 // fcvtl v20.4s, v24.4h
	WORD $0x4e217b15 // fcvtl2 v21.4s, v24.8h
	WORD $0x0e217b36 // fcvtl v22.4s, v25.4h
	WORD $0x4e217b37 // fcvtl2 v23.4s, v25.8h
	WORD $0x4fb01280 // fmla v0.4s, v20.4s, v16.s[1]
	WORD $0x4fb012a1 // fmla v1.4s, v21.4s, v16.s[1]
	WORD $0x4fb012c2 // fmla v2.4s, v22.4s, v16.s[1]
	WORD $0x4fb012e3 // fmla v3.4s, v23.4s, v16.s[1]
	WORD $0x4fb11284 // fmla v4.4s, v20.4s, v17.s[1]
	WORD $0x4fb112a5 // fmla v5.4s, v21.4s, v17.s[1]
	WORD $0x4fb112c6 // fmla v6.4s, v22.4s, v17.s[1]
	WORD $0x4fb112e7 // fmla v7.4s, v23.4s, v17.s[1]
	WORD $0x4fb21288 // fmla v8.4s, v20.4s, v18.s[1]
	WORD $0x4fb212a9 // fmla v9.4s, v21.4s, v18.s[1]
	WORD $0x4fb212ca // fmla v10.4s, v22.4s, v18.s[1]
	WORD $0x4fb212eb // fmla v11.4s, v23.4s, v18.s[1]
	WORD $0x4fb3128c // fmla v12.4s, v20.4s, v19.s[1]
	WORD $0x4fb312ad // fmla v13.4s, v21.4s, v19.s[1]
	WORD $0x4fb312ce // fmla v14.4s, v22.4s, v19.s[1]
	WORD $0x4fb312ef // fmla v15.4s, v23.4s, v19.s[1]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x0e217b14 // fcvtl v20.4s, v24.4h
	WORD $0x4e217b15 // fcvtl2 v21.4s, v24.8h
	WORD $0x0e217b36 // fcvtl v22.4s, v25.4h
	WORD $0x4e217b37 // fcvtl2 v23.4s, v25.8h
	WORD $0x4f901a80 // fmla v0.4s, v20.4s, v16.s[2]
	WORD $0x4f901aa1 // fmla v1.4s, v21.4s, v16.s[2]
	WORD $0x4f901ac2 // fmla v2.4s, v22.4s, v16.s[2]
	WORD $0x4f901ae3 // fmla v3.4s, v23.4s, v16.s[2]
	WORD $0x4f911a84 // fmla v4.4s, v20.4s, v17.s[2]
	WORD $0x4f911aa5 // fmla v5.4s, v21.4s, v17.s[2]
	WORD $0x4f911ac6 // fmla v6.4s, v22.4s, v17.s[2]
	WORD $0x4f911ae7 // fmla v7.4s, v23.4s, v17.s[2]
	WORD $0x4f921a88 // fmla v8.4s, v20.4s, v18.s[2]
	WORD $0x4f921aa9 // fmla v9.4s, v21.4s, v18.s[2]
	WORD $0x4f921aca // fmla v10.4s, v22.4s, v18.s[2]
	WORD $0x4f921aeb // fmla v11.4s, v23.4s, v18.s[2]
	WORD $0x4f931a8c // fmla v12.4s, v20.4s, v19.s[2]
	WORD $0x4f931aad // fmla v13.4s, v21.4s, v19.s[2]
	WORD $0x4f931ace // fmla v14.4s, v22.4s, v19.s[2]
	WORD $0x4f931aef // fmla v15.4s, v23.4s, v19.s[2]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x0e217b14 // fcvtl v20.4s, v24.4h
	WORD $0x4e217b15 // fcvtl2 v21.4s, v24.8h
	WORD $0x0e217b36 // fcvtl v22.4s, v25.4h
	WORD $0x4e217b37 // fcvtl2 v23.4s, v25.8h
	WORD $0x4fb01a80 // fmla v0.4s, v20.4s, v16.s[3]
	WORD $0x4fb01aa1 // fmla v1.4s, v21.4s, v16.s[3]
	WORD $0x4fb01ac2 // fmla v2.4s, v22.4s, v16.s[3]
	WORD $0x4fb01ae3 // fmla v3.4s, v23.4s, v16.s[3]
	WORD $0x4fb11a84 // fmla v4.4s, v20.4s, v17.s[3]
	WORD $0x4fb11aa5 // fmla v5.4s, v21.4s, v17.s[3]
	WORD $0x4fb11ac6 // fmla v6.4s, v22.4s, v17.s[3]
	WORD $0x4fb11ae7 // fmla v7.4s, v23.4s, v17.s[3]
	WORD $0x4fb21a88 // fmla v8.4s, v20.4s, v18.s[3]
	WORD $0x4fb21aa9 // fmla v9.4s, v21.4s, v18.s[3]
	WORD $0x4fb21aca // fmla v10.4s, v22.4s, v18.s[3]
	WORD $0x4fb21aeb // fmla v11.4s, v23.4s, v18.s[3]
	WORD $0x4fb31a8c // fmla v12.4s, v20.4s, v19.s[3]
	WORD $0x4fb31aad // fmla v13.4s, v21.4s, v19.s[3]
	WORD $0x4fb31ace // fmla v14.4s, v22.4s, v19.s[3]
	WORD $0x4fb31aef // fmla v15.4s, v23.4s, v19.s[3]
	SUBS  $1, R12
	BNE   f16n4_loop4

f16n4_tail:
	ANDS  $3, R2, R12
	BEQ   f16n4_done

f16n4_loop1:
	FMOVS.P 4(R1), F16
	FMOVS.P 4(R9), F17
	FMOVS.P 4(R10), F18
	FMOVS.P 4(R11), F19
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x0e217b14 // fcvtl v20.4s, v24.4h
	WORD $0x4e217b15 // fcvtl2 v21.4s, v24.8h
	WORD $0x0e217b36 // fcvtl v22.4s, v25.4h
	WORD $0x4e217b37 // fcvtl2 v23.4s, v25.8h
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	WORD $0x4f911284 // fmla v4.4s, v20.4s, v17.s[0]
	WORD $0x4f9112a5 // fmla v5.4s, v21.4s, v17.s[0]
	WORD $0x4f9112c6 // fmla v6.4s, v22.4s, v17.s[0]
	WORD $0x4f9112e7 // fmla v7.4s, v23.4s, v17.s[0]
	WORD $0x4f921288 // fmla v8.4s, v20.4s, v18.s[0]
	WORD $0x4f9212a9 // fmla v9.4s, v21.4s, v18.s[0]
	WORD $0x4f9212ca // fmla v10.4s, v22.4s, v18.s[0]
	WORD $0x4f9212eb // fmla v11.4s, v23.4s, v18.s[0]
	WORD $0x4f93128c // fmla v12.4s, v20.4s, v19.s[0]
	WORD $0x4f9312ad // fmla v13.4s, v21.4s, v19.s[0]
	WORD $0x4f9312ce // fmla v14.4s, v22.4s, v19.s[0]
	WORD $0x4f9312ef // fmla v15.4s, v23.4s, v19.s[0]
	SUBS  $1, R12
	BNE   f16n4_loop1

f16n4_done:
	MOVD  R15, R4
	CBZ  R7, f16n4_nacc0
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

f16n4_nacc0:
	CBZ  R6, f16n4_nbias0
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

f16n4_nbias0:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R4)
	ADD  R5, R4
	CBZ  R7, f16n4_nacc1
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d484 // fadd v4.4s, v4.4s, v20.4s
	WORD $0x4e35d4a5 // fadd v5.4s, v5.4s, v21.4s
	WORD $0x4e36d4c6 // fadd v6.4s, v6.4s, v22.4s
	WORD $0x4e37d4e7 // fadd v7.4s, v7.4s, v23.4s

f16n4_nacc1:
	CBZ  R6, f16n4_nbias1
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d484 // fadd v4.4s, v4.4s, v20.4s
	WORD $0x4e35d4a5 // fadd v5.4s, v5.4s, v21.4s
	WORD $0x4e36d4c6 // fadd v6.4s, v6.4s, v22.4s
	WORD $0x4e37d4e7 // fadd v7.4s, v7.4s, v23.4s

f16n4_nbias1:
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R4)
	ADD  R5, R4
	CBZ  R7, f16n4_nacc2
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d508 // fadd v8.4s, v8.4s, v20.4s
	WORD $0x4e35d529 // fadd v9.4s, v9.4s, v21.4s
	WORD $0x4e36d54a // fadd v10.4s, v10.4s, v22.4s
	WORD $0x4e37d56b // fadd v11.4s, v11.4s, v23.4s

f16n4_nacc2:
	CBZ  R6, f16n4_nbias2
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d508 // fadd v8.4s, v8.4s, v20.4s
	WORD $0x4e35d529 // fadd v9.4s, v9.4s, v21.4s
	WORD $0x4e36d54a // fadd v10.4s, v10.4s, v22.4s
	WORD $0x4e37d56b // fadd v11.4s, v11.4s, v23.4s

f16n4_nbias2:
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R4)
	ADD  R5, R4
	CBZ  R7, f16n4_nacc3
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d58c // fadd v12.4s, v12.4s, v20.4s
	WORD $0x4e35d5ad // fadd v13.4s, v13.4s, v21.4s
	WORD $0x4e36d5ce // fadd v14.4s, v14.4s, v22.4s
	WORD $0x4e37d5ef // fadd v15.4s, v15.4s, v23.4s

f16n4_nacc3:
	CBZ  R6, f16n4_nbias3
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d58c // fadd v12.4s, v12.4s, v20.4s
	WORD $0x4e35d5ad // fadd v13.4s, v13.4s, v21.4s
	WORD $0x4e36d5ce // fadd v14.4s, v14.4s, v22.4s
	WORD $0x4e37d5ef // fadd v15.4s, v15.4s, v23.4s

f16n4_nbias3:
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R4)
	ADD   $64, R15
	CBZ   R6, f16n4_next
	ADD   $64, R6

f16n4_next:
	SUBS  $1, R13
	BNE   f16n4_panel
	RET

// func matvecBF16x1NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: NEON (ASIMD)
TEXT ·matvecBF16x1NEON(SB), NOSPLIT, $0-72
	MOVD  w+0(FP), R0
	MOVD  x+8(FP), R1
	MOVD  n+16(FP), R2
	MOVD  ldx+24(FP), R3
	MOVD  y+32(FP), R4
	MOVD  ldy+40(FP), R5
	MOVD  bias+48(FP), R6
	MOVBU acc+56(FP), R7
	MOVD  panels+64(FP), R13
	LSL   $2, R3
	LSL   $2, R5
	MOVD  R1, R14
	MOVD  R4, R15

bf16n1_panel:
	MOVD  R14, R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	LSR   $2, R2, R12
	CBZ   R12, bf16n1_tail

bf16n1_loop4:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x2e613b14 // shll v20.4s, v24.4h, #16
	WORD $0x6e613b15 // shll2 v21.4s, v24.8h, #16
	WORD $0x2e613b36 // shll v22.4s, v25.4h, #16
	WORD $0x6e613b37 // shll2 v23.4s, v25.8h, #16
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x2e613b14 // shll v20.4s, v24.4h, #16
	WORD $0x6e613b15 // shll2 v21.4s, v24.8h, #16
	WORD $0x2e613b36 // shll v22.4s, v25.4h, #16
	WORD $0x6e613b37 // shll2 v23.4s, v25.8h, #16
	WORD $0x4fb01284 // fmla v4.4s, v20.4s, v16.s[1]
	WORD $0x4fb012a5 // fmla v5.4s, v21.4s, v16.s[1]
	WORD $0x4fb012c6 // fmla v6.4s, v22.4s, v16.s[1]
	WORD $0x4fb012e7 // fmla v7.4s, v23.4s, v16.s[1]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x2e613b14 // shll v20.4s, v24.4h, #16
	WORD $0x6e613b15 // shll2 v21.4s, v24.8h, #16
	WORD $0x2e613b36 // shll v22.4s, v25.4h, #16
	WORD $0x6e613b37 // shll2 v23.4s, v25.8h, #16
	WORD $0x4f901a80 // fmla v0.4s, v20.4s, v16.s[2]
	WORD $0x4f901aa1 // fmla v1.4s, v21.4s, v16.s[2]
	WORD $0x4f901ac2 // fmla v2.4s, v22.4s, v16.s[2]
	WORD $0x4f901ae3 // fmla v3.4s, v23.4s, v16.s[2]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x2e613b14 // shll v20.4s, v24.4h, #16
	WORD $0x6e613b15 // shll2 v21.4s, v24.8h, #16
	WORD $0x2e613b36 // shll v22.4s, v25.4h, #16
	WORD $0x6e613b37 // shll2 v23.4s, v25.8h, #16
	WORD $0x4fb01a84 // fmla v4.4s, v20.4s, v16.s[3]
	WORD $0x4fb01aa5 // fmla v5.4s, v21.4s, v16.s[3]
	WORD $0x4fb01ac6 // fmla v6.4s, v22.4s, v16.s[3]
	WORD $0x4fb01ae7 // fmla v7.4s, v23.4s, v16.s[3]
	SUBS  $1, R12
	BNE   bf16n1_loop4

bf16n1_tail:
	ANDS  $3, R2, R12
	BEQ   bf16n1_done

bf16n1_loop1:
	FMOVS.P 4(R1), F16
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x2e613b14 // shll v20.4s, v24.4h, #16
	WORD $0x6e613b15 // shll2 v21.4s, v24.8h, #16
	WORD $0x2e613b36 // shll v22.4s, v25.4h, #16
	WORD $0x6e613b37 // shll2 v23.4s, v25.8h, #16
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	SUBS  $1, R12
	BNE   bf16n1_loop1

bf16n1_done:
	WORD $0x4e24d400 // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421 // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442 // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463 // fadd v3.4s, v3.4s, v7.4s
	MOVD  R15, R4
	CBZ  R7, bf16n1_nacc0
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

bf16n1_nacc0:
	CBZ  R6, bf16n1_nbias0
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

bf16n1_nbias0:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R4)
	ADD   $64, R15
	CBZ   R6, bf16n1_next
	ADD   $64, R6

bf16n1_next:
	SUBS  $1, R13
	BNE   bf16n1_panel
	RET

// func matvecBF16x4NEON(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: NEON (ASIMD)
TEXT ·matvecBF16x4NEON(SB), NOSPLIT, $0-72
	MOVD  w+0(FP), R0
	MOVD  x+8(FP), R1
	MOVD  n+16(FP), R2
	MOVD  ldx+24(FP), R3
	MOVD  y+32(FP), R4
	MOVD  ldy+40(FP), R5
	MOVD  bias+48(FP), R6
	MOVBU acc+56(FP), R7
	MOVD  panels+64(FP), R13
	LSL   $2, R3
	LSL   $2, R5
	MOVD  R1, R14
	MOVD  R4, R15

bf16n4_panel:
	MOVD  R14, R1
	ADD   R3, R1, R9
	ADD   R3, R9, R10
	ADD   R3, R10, R11
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
	LSR   $2, R2, R12
	CBZ   R12, bf16n4_tail

bf16n4_loop4:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R9), [V17.S4]
	VLD1.P 16(R10), [V18.S4]
	VLD1.P 16(R11), [V19.S4]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x2e613b14 // shll v20.4s, v24.4h, #16
	WORD $0x6e613b15 // shll2 v21.4s, v24.8h, #16
	WORD $0x2e613b36 // shll v22.4s, v25.4h, #16
	WORD $0x6e613b37 // shll2 v23.4s, v25.8h, #16
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	WORD $0x4f911284 // fmla v4.4s, v20.4s, v17.s[0]
	WORD $0x4f9112a5 // fmla v5.4s, v21.4s, v17.s[0]
	WORD $0x4f9112c6 // fmla v6.4s, v22.4s, v17.s[0]
	WORD $0x4f9112e7 // fmla v7.4s, v23.4s, v17.s[0]
	WORD $0x4f921288 // fmla v8.4s, v20.4s, v18.s[0]
	WORD $0x4f9212a9 // fmla v9.4s, v21.4s, v18.s[0]
	WORD $0x4f9212ca // fmla v10.4s, v22.4s, v18.s[0]
	WORD $0x4f9212eb // fmla v11.4s, v23.4s, v18.s[0]
	WORD $0x4f93128c // fmla v12.4s, v20.4s, v19.s[0]
	WORD $0x4f9312ad // fmla v13.4s, v21.4s, v19.s[0]
	WORD $0x4f9312ce // fmla v14.4s, v22.4s, v19.s[0]
	WORD $0x4f9312ef // fmla v15.4s, v23.4s, v19.s[0]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x2e613b14 // shll v20.4s, v24.4h, #16
	WORD $0x6e613b15 // shll2 v21.4s, v24.8h, #16
	WORD $0x2e613b36 // shll v22.4s, v25.4h, #16
	WORD $0x6e613b37 // shll2 v23.4s, v25.8h, #16
	WORD $0x4fb01280 // fmla v0.4s, v20.4s, v16.s[1]
	WORD $0x4fb012a1 // fmla v1.4s, v21.4s, v16.s[1]
	WORD $0x4fb012c2 // fmla v2.4s, v22.4s, v16.s[1]
	WORD $0x4fb012e3 // fmla v3.4s, v23.4s, v16.s[1]
	WORD $0x4fb11284 // fmla v4.4s, v20.4s, v17.s[1]
	WORD $0x4fb112a5 // fmla v5.4s, v21.4s, v17.s[1]
	WORD $0x4fb112c6 // fmla v6.4s, v22.4s, v17.s[1]
	WORD $0x4fb112e7 // fmla v7.4s, v23.4s, v17.s[1]
	WORD $0x4fb21288 // fmla v8.4s, v20.4s, v18.s[1]
	WORD $0x4fb212a9 // fmla v9.4s, v21.4s, v18.s[1]
	WORD $0x4fb212ca // fmla v10.4s, v22.4s, v18.s[1]
	WORD $0x4fb212eb // fmla v11.4s, v23.4s, v18.s[1]
	WORD $0x4fb3128c // fmla v12.4s, v20.4s, v19.s[1]
	WORD $0x4fb312ad // fmla v13.4s, v21.4s, v19.s[1]
	WORD $0x4fb312ce // fmla v14.4s, v22.4s, v19.s[1]
	WORD $0x4fb312ef // fmla v15.4s, v23.4s, v19.s[1]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x2e613b14 // shll v20.4s, v24.4h, #16
	WORD $0x6e613b15 // shll2 v21.4s, v24.8h, #16
	WORD $0x2e613b36 // shll v22.4s, v25.4h, #16
	WORD $0x6e613b37 // shll2 v23.4s, v25.8h, #16
	WORD $0x4f901a80 // fmla v0.4s, v20.4s, v16.s[2]
	WORD $0x4f901aa1 // fmla v1.4s, v21.4s, v16.s[2]
	WORD $0x4f901ac2 // fmla v2.4s, v22.4s, v16.s[2]
	WORD $0x4f901ae3 // fmla v3.4s, v23.4s, v16.s[2]
	WORD $0x4f911a84 // fmla v4.4s, v20.4s, v17.s[2]
	WORD $0x4f911aa5 // fmla v5.4s, v21.4s, v17.s[2]
	WORD $0x4f911ac6 // fmla v6.4s, v22.4s, v17.s[2]
	WORD $0x4f911ae7 // fmla v7.4s, v23.4s, v17.s[2]
	WORD $0x4f921a88 // fmla v8.4s, v20.4s, v18.s[2]
	WORD $0x4f921aa9 // fmla v9.4s, v21.4s, v18.s[2]
	WORD $0x4f921aca // fmla v10.4s, v22.4s, v18.s[2]
	WORD $0x4f921aeb // fmla v11.4s, v23.4s, v18.s[2]
	WORD $0x4f931a8c // fmla v12.4s, v20.4s, v19.s[2]
	WORD $0x4f931aad // fmla v13.4s, v21.4s, v19.s[2]
	WORD $0x4f931ace // fmla v14.4s, v22.4s, v19.s[2]
	WORD $0x4f931aef // fmla v15.4s, v23.4s, v19.s[2]
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x2e613b14 // shll v20.4s, v24.4h, #16
	WORD $0x6e613b15 // shll2 v21.4s, v24.8h, #16
	WORD $0x2e613b36 // shll v22.4s, v25.4h, #16
	WORD $0x6e613b37 // shll2 v23.4s, v25.8h, #16
	WORD $0x4fb01a80 // fmla v0.4s, v20.4s, v16.s[3]
	WORD $0x4fb01aa1 // fmla v1.4s, v21.4s, v16.s[3]
	WORD $0x4fb01ac2 // fmla v2.4s, v22.4s, v16.s[3]
	WORD $0x4fb01ae3 // fmla v3.4s, v23.4s, v16.s[3]
	WORD $0x4fb11a84 // fmla v4.4s, v20.4s, v17.s[3]
	WORD $0x4fb11aa5 // fmla v5.4s, v21.4s, v17.s[3]
	WORD $0x4fb11ac6 // fmla v6.4s, v22.4s, v17.s[3]
	WORD $0x4fb11ae7 // fmla v7.4s, v23.4s, v17.s[3]
	WORD $0x4fb21a88 // fmla v8.4s, v20.4s, v18.s[3]
	WORD $0x4fb21aa9 // fmla v9.4s, v21.4s, v18.s[3]
	WORD $0x4fb21aca // fmla v10.4s, v22.4s, v18.s[3]
	WORD $0x4fb21aeb // fmla v11.4s, v23.4s, v18.s[3]
	WORD $0x4fb31a8c // fmla v12.4s, v20.4s, v19.s[3]
	WORD $0x4fb31aad // fmla v13.4s, v21.4s, v19.s[3]
	WORD $0x4fb31ace // fmla v14.4s, v22.4s, v19.s[3]
	WORD $0x4fb31aef // fmla v15.4s, v23.4s, v19.s[3]
	SUBS  $1, R12
	BNE   bf16n4_loop4

bf16n4_tail:
	ANDS  $3, R2, R12
	BEQ   bf16n4_done

bf16n4_loop1:
	FMOVS.P 4(R1), F16
	FMOVS.P 4(R9), F17
	FMOVS.P 4(R10), F18
	FMOVS.P 4(R11), F19
	VLD1.P 32(R0), [V24.H8, V25.H8]
	WORD $0x2e613b14 // shll v20.4s, v24.4h, #16
	WORD $0x6e613b15 // shll2 v21.4s, v24.8h, #16
	WORD $0x2e613b36 // shll v22.4s, v25.4h, #16
	WORD $0x6e613b37 // shll2 v23.4s, v25.8h, #16
	WORD $0x4f901280 // fmla v0.4s, v20.4s, v16.s[0]
	WORD $0x4f9012a1 // fmla v1.4s, v21.4s, v16.s[0]
	WORD $0x4f9012c2 // fmla v2.4s, v22.4s, v16.s[0]
	WORD $0x4f9012e3 // fmla v3.4s, v23.4s, v16.s[0]
	WORD $0x4f911284 // fmla v4.4s, v20.4s, v17.s[0]
	WORD $0x4f9112a5 // fmla v5.4s, v21.4s, v17.s[0]
	WORD $0x4f9112c6 // fmla v6.4s, v22.4s, v17.s[0]
	WORD $0x4f9112e7 // fmla v7.4s, v23.4s, v17.s[0]
	WORD $0x4f921288 // fmla v8.4s, v20.4s, v18.s[0]
	WORD $0x4f9212a9 // fmla v9.4s, v21.4s, v18.s[0]
	WORD $0x4f9212ca // fmla v10.4s, v22.4s, v18.s[0]
	WORD $0x4f9212eb // fmla v11.4s, v23.4s, v18.s[0]
	WORD $0x4f93128c // fmla v12.4s, v20.4s, v19.s[0]
	WORD $0x4f9312ad // fmla v13.4s, v21.4s, v19.s[0]
	WORD $0x4f9312ce // fmla v14.4s, v22.4s, v19.s[0]
	WORD $0x4f9312ef // fmla v15.4s, v23.4s, v19.s[0]
	SUBS  $1, R12
	BNE   bf16n4_loop1

bf16n4_done:
	MOVD  R15, R4
	CBZ  R7, bf16n4_nacc0
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

bf16n4_nacc0:
	CBZ  R6, bf16n4_nbias0
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d400 // fadd v0.4s, v0.4s, v20.4s
	WORD $0x4e35d421 // fadd v1.4s, v1.4s, v21.4s
	WORD $0x4e36d442 // fadd v2.4s, v2.4s, v22.4s
	WORD $0x4e37d463 // fadd v3.4s, v3.4s, v23.4s

bf16n4_nbias0:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R4)
	ADD  R5, R4
	CBZ  R7, bf16n4_nacc1
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d484 // fadd v4.4s, v4.4s, v20.4s
	WORD $0x4e35d4a5 // fadd v5.4s, v5.4s, v21.4s
	WORD $0x4e36d4c6 // fadd v6.4s, v6.4s, v22.4s
	WORD $0x4e37d4e7 // fadd v7.4s, v7.4s, v23.4s

bf16n4_nacc1:
	CBZ  R6, bf16n4_nbias1
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d484 // fadd v4.4s, v4.4s, v20.4s
	WORD $0x4e35d4a5 // fadd v5.4s, v5.4s, v21.4s
	WORD $0x4e36d4c6 // fadd v6.4s, v6.4s, v22.4s
	WORD $0x4e37d4e7 // fadd v7.4s, v7.4s, v23.4s

bf16n4_nbias1:
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R4)
	ADD  R5, R4
	CBZ  R7, bf16n4_nacc2
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d508 // fadd v8.4s, v8.4s, v20.4s
	WORD $0x4e35d529 // fadd v9.4s, v9.4s, v21.4s
	WORD $0x4e36d54a // fadd v10.4s, v10.4s, v22.4s
	WORD $0x4e37d56b // fadd v11.4s, v11.4s, v23.4s

bf16n4_nacc2:
	CBZ  R6, bf16n4_nbias2
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d508 // fadd v8.4s, v8.4s, v20.4s
	WORD $0x4e35d529 // fadd v9.4s, v9.4s, v21.4s
	WORD $0x4e36d54a // fadd v10.4s, v10.4s, v22.4s
	WORD $0x4e37d56b // fadd v11.4s, v11.4s, v23.4s

bf16n4_nbias2:
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R4)
	ADD  R5, R4
	CBZ  R7, bf16n4_nacc3
	VLD1 (R4), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d58c // fadd v12.4s, v12.4s, v20.4s
	WORD $0x4e35d5ad // fadd v13.4s, v13.4s, v21.4s
	WORD $0x4e36d5ce // fadd v14.4s, v14.4s, v22.4s
	WORD $0x4e37d5ef // fadd v15.4s, v15.4s, v23.4s

bf16n4_nacc3:
	CBZ  R6, bf16n4_nbias3
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e34d58c // fadd v12.4s, v12.4s, v20.4s
	WORD $0x4e35d5ad // fadd v13.4s, v13.4s, v21.4s
	WORD $0x4e36d5ce // fadd v14.4s, v14.4s, v22.4s
	WORD $0x4e37d5ef // fadd v15.4s, v15.4s, v23.4s

bf16n4_nbias3:
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R4)
	ADD   $64, R15
	CBZ   R6, bf16n4_next
	ADD   $64, R6

bf16n4_next:
	SUBS  $1, R13
	BNE   bf16n4_panel
	RET
