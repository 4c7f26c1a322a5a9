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
