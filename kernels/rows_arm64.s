//go:build !purego

#include "textflag.h"

// SumRows16 and SumRows16F16 for arm64: dst[0:16] += val[k]*panel row
// idx[k], summed over k. The specs are sumRows16Generic and
// sumRows16F16Generic (rows.go). Every index is checked (MOVW loads it
// sign-extended, so a negative one compares as a huge unsigned value, then
// CMP against the row count and BHS) before its row is read; the sums live
// in registers and dst is stored only after the last row, so a bad index
// returns false with dst unchanged. With no indices dst is not touched.
//
// A row is four q registers. Two accumulator chains, rows k even and odd:
// V0-V3 started from dst, V4-V7 from -0.0 (the identity of addition: x + -0
// = x for every x, -0 included), added together at the end. The Go
// assembler has no mnemonic for vector FADD, MOVI (shifted) or
// FCVTL/FCVTL2: they are emitted as WORD with the instruction in GNU syntax
// in the comment (checked by TestNEONWordEncodings). Go-syntax VFMLA Vm,
// Vn, Vd is Vd += Vn*Vm; CMP Rm, Rn sets the flags of Rn - Rm.

// func sumRows16NEON(dst, panel []float32, idx []int32, val []float32) bool
// Requires: NEON (ASIMD)
//
// R0 dst, R1 panel, R2 idx pointer, R3 val pointer, R4 rows =
// len(panel)/16, R5 n = len(idx), R6 pair counter, R7/R8 the two indices
// of an iteration, then their row addresses R1 + 64*idx. Two rows per
// iteration (V16-V19 and V20-V23, scaled by val broadcast in V24 and V25)
// into V0-V3 and V4-V7, then the odd last row into V0-V3; at the end
// V0-V3 += V4-V7 are stored.
TEXT ·sumRows16NEON(SB), NOSPLIT, $0-97
	MOVD dst_base+0(FP), R0
	MOVD panel_base+24(FP), R1
	MOVD panel_len+32(FP), R4
	LSR  $4, R4
	MOVD idx_base+48(FP), R2
	MOVD idx_len+56(FP), R5
	MOVD val_base+72(FP), R3
	CBZ  R5, rows_true

	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD $0x4f046404 // movi v4.4s, #0x80, lsl #24
	WORD $0x4f046405 // movi v5.4s, #0x80, lsl #24
	WORD $0x4f046406 // movi v6.4s, #0x80, lsl #24
	WORD $0x4f046407 // movi v7.4s, #0x80, lsl #24
	LSR  $1, R5, R6
	CBZ  R6, rows_tail

rows_loop2:
	MOVW.P  4(R2), R7
	MOVW.P  4(R2), R8
	CMP     R4, R7
	BHS     rows_bad
	CMP     R4, R8
	BHS     rows_bad
	ADD     R7<<6, R1, R7
	ADD     R8<<6, R1, R8
	VLD1    (R7), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1    (R8), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1R.P 4(R3), [V24.S4]
	VLD1R.P 4(R3), [V25.S4]
	VFMLA   V24.S4, V16.S4, V0.S4
	VFMLA   V24.S4, V17.S4, V1.S4
	VFMLA   V24.S4, V18.S4, V2.S4
	VFMLA   V24.S4, V19.S4, V3.S4
	VFMLA   V25.S4, V20.S4, V4.S4
	VFMLA   V25.S4, V21.S4, V5.S4
	VFMLA   V25.S4, V22.S4, V6.S4
	VFMLA   V25.S4, V23.S4, V7.S4
	SUBS    $1, R6
	BNE     rows_loop2

rows_tail:
	TBZ   $0, R5, rows_done
	MOVW  (R2), R7
	CMP   R4, R7
	BHS   rows_bad
	ADD   R7<<6, R1, R7
	VLD1  (R7), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1R (R3), [V24.S4]
	VFMLA V24.S4, V16.S4, V0.S4
	VFMLA V24.S4, V17.S4, V1.S4
	VFMLA V24.S4, V18.S4, V2.S4
	VFMLA V24.S4, V19.S4, V3.S4

rows_done:
	WORD $0x4e24d400 // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421 // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442 // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463 // fadd v3.4s, v3.4s, v7.4s
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0)

rows_true:
	MOVD $1, R6
	MOVB R6, ret+96(FP)
	RET

rows_bad:
	MOVB ZR, ret+96(FP)
	RET

// func sumRows16F16NEON(dst []float32, panel []uint16, idx []int32, val []float32) bool
// Requires: NEON (ASIMD); FCVTL from half is base ARMv8-A (no FP16
// extension needed)
//
// sumRows16NEON with a binary16 panel: the row addresses are R1 + 32*idx;
// each row is two q registers of halves (V16-V17 and V18-V19) widened
// exactly by FCVTL/FCVTL2 into V20-V23 and V26-V29 before the FMAs. Same
// registers otherwise, same structure.
TEXT ·sumRows16F16NEON(SB), NOSPLIT, $0-97
	MOVD dst_base+0(FP), R0
	MOVD panel_base+24(FP), R1
	MOVD panel_len+32(FP), R4
	LSR  $4, R4
	MOVD idx_base+48(FP), R2
	MOVD idx_len+56(FP), R5
	MOVD val_base+72(FP), R3
	CBZ  R5, rowsh_true

	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD $0x4f046404 // movi v4.4s, #0x80, lsl #24
	WORD $0x4f046405 // movi v5.4s, #0x80, lsl #24
	WORD $0x4f046406 // movi v6.4s, #0x80, lsl #24
	WORD $0x4f046407 // movi v7.4s, #0x80, lsl #24
	LSR  $1, R5, R6
	CBZ  R6, rowsh_tail

rowsh_loop2:
	MOVW.P  4(R2), R7
	MOVW.P  4(R2), R8
	CMP     R4, R7
	BHS     rowsh_bad
	CMP     R4, R8
	BHS     rowsh_bad
	ADD     R7<<5, R1, R7
	ADD     R8<<5, R1, R8
	VLD1    (R7), [V16.H8, V17.H8]
	VLD1    (R8), [V18.H8, V19.H8]
	VLD1R.P 4(R3), [V24.S4]
	VLD1R.P 4(R3), [V25.S4]
	WORD    $0x0e217a14 // fcvtl v20.4s, v16.4h
	WORD    $0x4e217a15 // fcvtl2 v21.4s, v16.8h
	WORD    $0x0e217a36 // fcvtl v22.4s, v17.4h
	WORD    $0x4e217a37 // fcvtl2 v23.4s, v17.8h
	WORD    $0x0e217a5a // fcvtl v26.4s, v18.4h
	WORD    $0x4e217a5b // fcvtl2 v27.4s, v18.8h
	WORD    $0x0e217a7c // fcvtl v28.4s, v19.4h
	WORD    $0x4e217a7d // fcvtl2 v29.4s, v19.8h
	VFMLA   V24.S4, V20.S4, V0.S4
	VFMLA   V24.S4, V21.S4, V1.S4
	VFMLA   V24.S4, V22.S4, V2.S4
	VFMLA   V24.S4, V23.S4, V3.S4
	VFMLA   V25.S4, V26.S4, V4.S4
	VFMLA   V25.S4, V27.S4, V5.S4
	VFMLA   V25.S4, V28.S4, V6.S4
	VFMLA   V25.S4, V29.S4, V7.S4
	SUBS    $1, R6
	BNE     rowsh_loop2

rowsh_tail:
	TBZ   $0, R5, rowsh_done
	MOVW  (R2), R7
	CMP   R4, R7
	BHS   rowsh_bad
	ADD   R7<<5, R1, R7
	VLD1  (R7), [V16.H8, V17.H8]
	VLD1R (R3), [V24.S4]
	WORD  $0x0e217a14 // fcvtl v20.4s, v16.4h
	WORD  $0x4e217a15 // fcvtl2 v21.4s, v16.8h
	WORD  $0x0e217a36 // fcvtl v22.4s, v17.4h
	WORD  $0x4e217a37 // fcvtl2 v23.4s, v17.8h
	VFMLA V24.S4, V20.S4, V0.S4
	VFMLA V24.S4, V21.S4, V1.S4
	VFMLA V24.S4, V22.S4, V2.S4
	VFMLA V24.S4, V23.S4, V3.S4

rowsh_done:
	WORD $0x4e24d400 // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421 // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442 // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463 // fadd v3.4s, v3.4s, v7.4s
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0)

rowsh_true:
	MOVD $1, R6
	MOVB R6, ret+96(FP)
	RET

rowsh_bad:
	MOVB ZR, ret+96(FP)
	RET
