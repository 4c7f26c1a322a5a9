//go:build !purego

#include "textflag.h"

// AxpyF16 for arm64: y[i] += alpha*x[i] with x in IEEE 754 binary16,
// widened by FCVTL/FCVTL2 (vector) and FCVT (scalar, Go's FCVTHS), exact
// for every binary16 value. The spec is axpyF16Generic (half.go). The Go
// assembler has no mnemonic for FCVTL/FCVTL2: they are emitted as WORD
// with the instruction in GNU syntax in the comment (checked by
// TestNEONWordEncodings). Go-syntax VFMLA Vm, Vn, Vd is Vd += Vn*Vm;
// FMADDS Fm, Fa, Fn, Fd is Fd = Fn*Fm + Fa.

// func axpyF16NEON(alpha float32, x []uint16, y []float32)
// Requires: NEON (ASIMD); FCVTL/FCVT from half are base ARMv8-A (no FP16
// extension needed)
//
// R0 x pointer, R1 y pointer, R2 n = len(x), R3 loop counter, R4 one half
// in the scalar tail. V0 alpha in every lane; 16 elements per iteration
// (V16-V17 16 halves, widened to V24-V27, V20-V23 y), then 4 at a time
// (V16.4h -> V24), then a scalar tail (FCVT s16, h16 and FMADD).
TEXT ·axpyF16NEON(SB), NOSPLIT, $0-56
	FMOVS alpha+0(FP), F0
	MOVD  x_base+8(FP), R0
	MOVD  x_len+16(FP), R2
	MOVD  y_base+32(FP), R1
	VDUP  V0.S[0], V0.S4
	LSR   $4, R2, R3
	CBZ   R3, f16_tail4

f16_loop16:
	VLD1.P 32(R0), [V16.H8, V17.H8]
	VLD1   (R1), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD   $0x0e217a18 // fcvtl v24.4s, v16.4h
	WORD   $0x4e217a19 // fcvtl2 v25.4s, v16.8h
	WORD   $0x0e217a3a // fcvtl v26.4s, v17.4h
	WORD   $0x4e217a3b // fcvtl2 v27.4s, v17.8h
	VFMLA  V0.S4, V24.S4, V20.S4
	VFMLA  V0.S4, V25.S4, V21.S4
	VFMLA  V0.S4, V26.S4, V22.S4
	VFMLA  V0.S4, V27.S4, V23.S4
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R1)
	SUBS   $1, R3
	BNE    f16_loop16

f16_tail4:
	UBFX $2, R2, $2, R3 // R3 = (n>>2)&3
	CBZ  R3, f16_tail1

f16_loop4:
	VLD1.P 8(R0), [V16.H4]
	VLD1   (R1), [V20.S4]
	WORD   $0x0e217a18 // fcvtl v24.4s, v16.4h
	VFMLA  V0.S4, V24.S4, V20.S4
	VST1.P [V20.S4], 16(R1)
	SUBS   $1, R3
	BNE    f16_loop4

f16_tail1:
	ANDS $3, R2, R3
	BEQ  f16_done

f16_loop1:
	MOVHU.P 2(R0), R4
	FMOVS   R4, F16
	FCVTHS  F16, F16 // fcvt s16, h16
	FMOVS   (R1), F20
	FMADDS  F0, F20, F16, F20
	FMOVS.P F20, 4(R1)
	SUBS    $1, R3
	BNE     f16_loop1

f16_done:
	RET

// Gather16 and Gather16F16 for arm64: acc[k] += sum_i coef[i]*row(idx[i])[k]
// for k < 16, the rows 64 bytes of float32 or 32 bytes of binary16 (widened
// by FCVTL/FCVTL2). The specs are gather16Generic and gather16F16Generic
// (half.go); the Go side has checked every index, so idx[i] is loaded
// zero-extended (LDPW, MOVWU) and scaled into its row's address by a
// shifted ADD. The 16 sums stay in four q registers per accumulator set
// across the loop: acc is loaded once and stored once. Four sets, each its
// own chain of dependent FMLAs, hide the FMLA latency; the first starts
// from acc and the others from -0, the identity of addition (-0 + x is x
// for every x, -0 and +0 included), so a call with fewer than four indices
// gives exactly the sequential FMA chain from acc. The sets are summed once
// at the end, so the order in which the products are added differs from
// gather16Generic's. FMLA by element and FADD (vector) are WORDs too.

// func gather16NEON(acc []float32, rows []float32, idx []int32, coef []float32)
// Requires: NEON (ASIMD)
//
// R0 acc, R1 rows, R2 idx, R3 coef pointers, R4 n = len(idx), R5 loop
// counter, R6-R9 the addresses of the rows of idx[i..i+3]. Accumulator
// sets V0-V3 (from acc), V4-V7, V8-V11, V12-V15 (from -0), one per index of
// an iteration of 4: V28 holds coef[i..i+3] and the rows (V16-V19,
// V20-V23, V24-V27, then V16-V19 again) are FMLAed by element V28.s[j].
// Then one index at a time into V0-V3 (the coef replicated into V28 by
// VLD1R, Go-syntax VFMLA); then V0-V3 += (V4-V7 + (V8-V11 + V12-V15)) and
// the store to acc.
TEXT ·gather16NEON(SB), NOSPLIT, $0-96
	MOVD acc_base+0(FP), R0
	MOVD rows_base+24(FP), R1
	MOVD idx_base+48(FP), R2
	MOVD idx_len+56(FP), R4
	MOVD coef_base+72(FP), R3
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	MOVW $0x80000000, R5
	VDUP R5, V4.S4
	VMOV V4.B16, V5.B16
	VMOV V4.B16, V6.B16
	VMOV V4.B16, V7.B16
	VMOV V4.B16, V8.B16
	VMOV V4.B16, V9.B16
	VMOV V4.B16, V10.B16
	VMOV V4.B16, V11.B16
	VMOV V4.B16, V12.B16
	VMOV V4.B16, V13.B16
	VMOV V4.B16, V14.B16
	VMOV V4.B16, V15.B16
	LSR  $2, R4, R5
	CBZ  R5, g16_tail

g16_loop4:
	LDPW.P 8(R2), (R6, R7)
	LDPW.P 8(R2), (R8, R9)
	VLD1.P 16(R3), [V28.S4]
	ADD    R6<<6, R1, R6
	ADD    R7<<6, R1, R7
	ADD    R8<<6, R1, R8
	ADD    R9<<6, R1, R9
	VLD1   (R6), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1   (R7), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1   (R8), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4f9c1200 // fmla v0.4s, v16.4s, v28.s[0]
	WORD $0x4f9c1221 // fmla v1.4s, v17.4s, v28.s[0]
	WORD $0x4f9c1242 // fmla v2.4s, v18.4s, v28.s[0]
	WORD $0x4f9c1263 // fmla v3.4s, v19.4s, v28.s[0]
	VLD1   (R9), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fbc1284 // fmla v4.4s, v20.4s, v28.s[1]
	WORD $0x4fbc12a5 // fmla v5.4s, v21.4s, v28.s[1]
	WORD $0x4fbc12c6 // fmla v6.4s, v22.4s, v28.s[1]
	WORD $0x4fbc12e7 // fmla v7.4s, v23.4s, v28.s[1]
	WORD $0x4f9c1b08 // fmla v8.4s, v24.4s, v28.s[2]
	WORD $0x4f9c1b29 // fmla v9.4s, v25.4s, v28.s[2]
	WORD $0x4f9c1b4a // fmla v10.4s, v26.4s, v28.s[2]
	WORD $0x4f9c1b6b // fmla v11.4s, v27.4s, v28.s[2]
	WORD $0x4fbc1a0c // fmla v12.4s, v16.4s, v28.s[3]
	WORD $0x4fbc1a2d // fmla v13.4s, v17.4s, v28.s[3]
	WORD $0x4fbc1a4e // fmla v14.4s, v18.4s, v28.s[3]
	WORD $0x4fbc1a6f // fmla v15.4s, v19.4s, v28.s[3]
	SUBS   $1, R5
	BNE    g16_loop4

g16_tail:
	ANDS $3, R4, R5
	BEQ  g16_sum

g16_loop1:
	MOVWU.P 4(R2), R6
	ADD     R6<<6, R1, R6
	VLD1R.P 4(R3), [V28.S4]
	VLD1    (R6), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA   V28.S4, V16.S4, V0.S4
	VFMLA   V28.S4, V17.S4, V1.S4
	VFMLA   V28.S4, V18.S4, V2.S4
	VFMLA   V28.S4, V19.S4, V3.S4
	SUBS    $1, R5
	BNE     g16_loop1

g16_sum:
	WORD $0x4e2cd508 // fadd v8.4s, v8.4s, v12.4s
	WORD $0x4e2dd529 // fadd v9.4s, v9.4s, v13.4s
	WORD $0x4e2ed54a // fadd v10.4s, v10.4s, v14.4s
	WORD $0x4e2fd56b // fadd v11.4s, v11.4s, v15.4s
	WORD $0x4e28d484 // fadd v4.4s, v4.4s, v8.4s
	WORD $0x4e29d4a5 // fadd v5.4s, v5.4s, v9.4s
	WORD $0x4e2ad4c6 // fadd v6.4s, v6.4s, v10.4s
	WORD $0x4e2bd4e7 // fadd v7.4s, v7.4s, v11.4s
	WORD $0x4e24d400 // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421 // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442 // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463 // fadd v3.4s, v3.4s, v7.4s
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0)
	RET

// func gather16F16NEON(acc []float32, rows []uint16, idx []int32, coef []float32)
// Requires: NEON (ASIMD); FCVTL/FCVTL2 from half are base ARMv8-A (no FP16
// extension needed)
//
// gather16NEON on binary16 rows (32 bytes a row, R6-R9 their addresses):
// the four rows of an iteration are loaded as V16:V17, V18:V19, V20:V21,
// V22:V23 (8 halves each), each in turn widened by FCVTL/FCVTL2 into
// V24-V27 and FMLAed by element V28.s[j] into its accumulator set; the
// one-index loop widens V16:V17 the same way.
TEXT ·gather16F16NEON(SB), NOSPLIT, $0-96
	MOVD acc_base+0(FP), R0
	MOVD rows_base+24(FP), R1
	MOVD idx_base+48(FP), R2
	MOVD idx_len+56(FP), R4
	MOVD coef_base+72(FP), R3
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	MOVW $0x80000000, R5
	VDUP R5, V4.S4
	VMOV V4.B16, V5.B16
	VMOV V4.B16, V6.B16
	VMOV V4.B16, V7.B16
	VMOV V4.B16, V8.B16
	VMOV V4.B16, V9.B16
	VMOV V4.B16, V10.B16
	VMOV V4.B16, V11.B16
	VMOV V4.B16, V12.B16
	VMOV V4.B16, V13.B16
	VMOV V4.B16, V14.B16
	VMOV V4.B16, V15.B16
	LSR  $2, R4, R5
	CBZ  R5, g16h_tail

g16h_loop4:
	LDPW.P 8(R2), (R6, R7)
	LDPW.P 8(R2), (R8, R9)
	VLD1.P 16(R3), [V28.S4]
	ADD    R6<<5, R1, R6
	ADD    R7<<5, R1, R7
	ADD    R8<<5, R1, R8
	ADD    R9<<5, R1, R9
	VLD1   (R6), [V16.H8, V17.H8]
	VLD1   (R7), [V18.H8, V19.H8]
	VLD1   (R8), [V20.H8, V21.H8]
	VLD1   (R9), [V22.H8, V23.H8]
	WORD $0x0e217a18 // fcvtl v24.4s, v16.4h
	WORD $0x4e217a19 // fcvtl2 v25.4s, v16.8h
	WORD $0x0e217a3a // fcvtl v26.4s, v17.4h
	WORD $0x4e217a3b // fcvtl2 v27.4s, v17.8h
	WORD $0x4f9c1300 // fmla v0.4s, v24.4s, v28.s[0]
	WORD $0x4f9c1321 // fmla v1.4s, v25.4s, v28.s[0]
	WORD $0x4f9c1342 // fmla v2.4s, v26.4s, v28.s[0]
	WORD $0x4f9c1363 // fmla v3.4s, v27.4s, v28.s[0]
	WORD $0x0e217a58 // fcvtl v24.4s, v18.4h
	WORD $0x4e217a59 // fcvtl2 v25.4s, v18.8h
	WORD $0x0e217a7a // fcvtl v26.4s, v19.4h
	WORD $0x4e217a7b // fcvtl2 v27.4s, v19.8h
	WORD $0x4fbc1304 // fmla v4.4s, v24.4s, v28.s[1]
	WORD $0x4fbc1325 // fmla v5.4s, v25.4s, v28.s[1]
	WORD $0x4fbc1346 // fmla v6.4s, v26.4s, v28.s[1]
	WORD $0x4fbc1367 // fmla v7.4s, v27.4s, v28.s[1]
	WORD $0x0e217a98 // fcvtl v24.4s, v20.4h
	WORD $0x4e217a99 // fcvtl2 v25.4s, v20.8h
	WORD $0x0e217aba // fcvtl v26.4s, v21.4h
	WORD $0x4e217abb // fcvtl2 v27.4s, v21.8h
	WORD $0x4f9c1b08 // fmla v8.4s, v24.4s, v28.s[2]
	WORD $0x4f9c1b29 // fmla v9.4s, v25.4s, v28.s[2]
	WORD $0x4f9c1b4a // fmla v10.4s, v26.4s, v28.s[2]
	WORD $0x4f9c1b6b // fmla v11.4s, v27.4s, v28.s[2]
	WORD $0x0e217ad8 // fcvtl v24.4s, v22.4h
	WORD $0x4e217ad9 // fcvtl2 v25.4s, v22.8h
	WORD $0x0e217afa // fcvtl v26.4s, v23.4h
	WORD $0x4e217afb // fcvtl2 v27.4s, v23.8h
	WORD $0x4fbc1b0c // fmla v12.4s, v24.4s, v28.s[3]
	WORD $0x4fbc1b2d // fmla v13.4s, v25.4s, v28.s[3]
	WORD $0x4fbc1b4e // fmla v14.4s, v26.4s, v28.s[3]
	WORD $0x4fbc1b6f // fmla v15.4s, v27.4s, v28.s[3]
	SUBS   $1, R5
	BNE    g16h_loop4

g16h_tail:
	ANDS $3, R4, R5
	BEQ  g16h_sum

g16h_loop1:
	MOVWU.P 4(R2), R6
	ADD     R6<<5, R1, R6
	VLD1R.P 4(R3), [V28.S4]
	VLD1    (R6), [V16.H8, V17.H8]
	WORD $0x0e217a18 // fcvtl v24.4s, v16.4h
	WORD $0x4e217a19 // fcvtl2 v25.4s, v16.8h
	WORD $0x0e217a3a // fcvtl v26.4s, v17.4h
	WORD $0x4e217a3b // fcvtl2 v27.4s, v17.8h
	VFMLA   V28.S4, V24.S4, V0.S4
	VFMLA   V28.S4, V25.S4, V1.S4
	VFMLA   V28.S4, V26.S4, V2.S4
	VFMLA   V28.S4, V27.S4, V3.S4
	SUBS    $1, R5
	BNE     g16h_loop1

g16h_sum:
	WORD $0x4e2cd508 // fadd v8.4s, v8.4s, v12.4s
	WORD $0x4e2dd529 // fadd v9.4s, v9.4s, v13.4s
	WORD $0x4e2ed54a // fadd v10.4s, v10.4s, v14.4s
	WORD $0x4e2fd56b // fadd v11.4s, v11.4s, v15.4s
	WORD $0x4e28d484 // fadd v4.4s, v4.4s, v8.4s
	WORD $0x4e29d4a5 // fadd v5.4s, v5.4s, v9.4s
	WORD $0x4e2ad4c6 // fadd v6.4s, v6.4s, v10.4s
	WORD $0x4e2bd4e7 // fadd v7.4s, v7.4s, v11.4s
	WORD $0x4e24d400 // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421 // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442 // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463 // fadd v3.4s, v3.4s, v7.4s
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0)
	RET
