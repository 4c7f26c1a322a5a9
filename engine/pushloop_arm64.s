//go:build !purego

#include "textflag.h"

// The one-hidden-layer MADE sampler loop (madeSampleTask.one) in NEON
// assembly: see pushloop.go for the madeLoop fields and the protocol, and
// pushloop_amd64.s for the same loop on amd64. Field offsets in madeLoop
// (TestMadeLoopLayout checks them against the Go struct; the amd64-only
// p32/p16 are not used here):
#define L_XO 0
#define L_OUT 8
#define L_ACC 16
#define L_FINAL 24
#define L_UNIT 32
#define L_C 40
#define L_IN 48
#define L_OUTT 88
#define L_DIR 128
#define L_INVT 168
#define L_SLACK 176
#define L_KNOWN 184
#define L_END 192
#define L_T 200
#define L_J 208
#define L_UNDECIDED 216

// and in a loopTab:
#define T_OFF 0
#define T_START 8
#define T_N 16
#define T_W 24
#define T_HALF 32

// ROWARGS(tab, idx, dst) loads the push arguments for row idx of the
// table at offset tab in madeLoop into the targets at register dst: R8 =
// the row's offset in elements, R10 = the table's weights, R11 =
// &dst[start[idx]], R12 = the row's length n - start[idx], R9 = the
// table's half flag (non-zero: binary16).
#define ROWARGS(tab, idx, dst) \
	MOVD tab+T_OFF(R0), R8; \
	MOVD (R8)(idx<<3), R8; \
	MOVD tab+T_START(R0), R9; \
	MOVD (R9)(idx<<3), R9; \
	MOVD tab+T_N(R0), R12; \
	SUB  R9, R12, R12; \
	ADD  R9<<2, dst, R11; \
	MOVD tab+T_W(R0), R10; \
	MOVD tab+T_HALF(R0), R9

// func madeLoopNEON(l *madeLoop)
// Requires: NEON (ASIMD); FCVTL from half is base ARMv8-A
//
// The steps of l (see madeLoop) with NEON pushes whose arithmetic is that
// of axpyNEON and axpyF16NEON (kernels_arm64.s, half_arm64.s): per 16
// weights, the same FMLA (fused, Vd += Vn*Vm with the value in Vm) after
// an exact FCVTL/FCVTL2 widening for binary16 rows, so the samples are
// those of the Go loop on the NEON tier.
//
// R0 = the madeLoop, R1 = t, R2 = j (the next unit by degree), R3 =
// final[t], R4 = end, R5 = the unit's accumulator index, R6 = the targets
// of a push, R7 = where a push continues (0: the next unit, 1: the direct
// row, 2: the next step), R8/R9 scratch. F0 = the value to push.
//
// The pushes (push32/push16) are shared code entered by a branch, not a
// call (the routine is a frameless leaf, so LR stays the return address):
// R10 = the row's weights, R11 = its first target, R12 = its length (a
// multiple of 16), V1 = the value in every lane; V16-V19 x (binary16:
// V16-V17 halves widened into V24-V27), V20-V23 y.
//
// Per step t < end: the units [j, final[t]) become final, and each
// positive one (acc[unit[j]] > 0) pushes its out row into out; then the
// step's value: xo[t] for t < known, else the draw decided from
// out[t]*invT against c[t] +- slack (decide32), stored in xo[t]; when the
// bound cannot decide, undecided = 1 and the routine returns with t at
// that step (its units done). A non-zero value pushes input row t into
// acc and, with direct connections, direct row t into out.
TEXT ·madeLoopNEON(SB), NOSPLIT, $0-8
	MOVD l+0(FP), R0
	MOVD L_T(R0), R1
	MOVD L_J(R0), R2
	MOVD L_END(R0), R4

body_step:
	CMP  R4, R1
	BHS  body_finish
	MOVD L_FINAL(R0), R8
	MOVW (R8)(R1<<2), R3

body_units:
	CMP  R3, R2
	BHS  body_value
	MOVD R2, R5
	MOVD L_UNIT(R0), R8
	CBZ  R8, body_haveunit
	MOVW (R8)(R2<<2), R5

body_haveunit:
	MOVD  L_ACC(R0), R8
	ADD   R5<<2, R8, R8
	FMOVS (R8), F0
	FCMPS $(0.0), F0
	BLE   body_nextunit  // relu: v <= 0 (or NaN: LE holds unordered) pushes nothing
	MOVD  L_OUT(R0), R6
	ROWARGS(L_OUTT, R2, R6)
	MOVD  $0, R7
	CBNZ  R9, body_half
	ADD   R8<<2, R10, R10
	B     push32

body_nextunit:
	ADD $1, R2
	B   body_units

body_value:
	MOVD L_KNOWN(R0), R8
	CMP  R8, R1
	BHS  body_draw
	MOVD L_XO(R0), R8
	ADD  R1<<2, R8, R8
	FMOVS (R8), F0
	B    body_havevalue

body_draw:
	MOVD   L_OUT(R0), R8
	ADD    R1<<2, R8, R8
	FMOVS  (R8), F0
	FCVTSD F0, F1
	FMOVD  L_INVT(R0), F2
	FMULD  F2, F1, F1     // z = float64(out[t]) * invT
	MOVD   L_C(R0), R8
	ADD    R1<<3, R8, R8
	FMOVD  (R8), F2       // c
	FMOVD  L_SLACK(R0), F3
	FADDD  F3, F2, F4     // c+slack
	FCMPD  F4, F1
	BGT    body_drawone   // z > c+slack (GT fails unordered)
	FSUBD  F3, F2, F4     // c-slack
	FCMPD  F1, F4
	BGT    body_drawzero  // c-slack > z
	MOVD   $1, R8
	MOVD   R8, L_UNDECIDED(R0)
	B      body_finish

body_drawone:
	FMOVS $(1.0), F0
	B     body_store

body_drawzero:
	FMOVS $(0.0), F0

body_store:
	MOVD  L_XO(R0), R8
	ADD   R1<<2, R8, R8
	FMOVS F0, (R8)

body_havevalue:
	FCMPS $(0.0), F0
	BEQ   body_nextstep  // EQ fails unordered: NaN pushes, as v != 0 in Go
	MOVD  L_ACC(R0), R6
	ROWARGS(L_IN, R1, R6)
	MOVD  $1, R7
	CBNZ  R9, body_half
	ADD   R8<<2, R10, R10
	B     push32

body_direct:
	MOVD L_DIR+T_N(R0), R8
	CBZ  R8, body_nextstep
	MOVD L_OUT(R0), R6
	ROWARGS(L_DIR, R1, R6)
	MOVD $2, R7
	CBNZ R9, body_half
	ADD  R8<<2, R10, R10
	B    push32

body_nextstep:
	ADD $1, R1
	B   body_step

body_half:
	ADD R8<<1, R10, R10
	B   push16

body_finish:
	MOVD R1, L_T(R0)
	MOVD R2, L_J(R0)
	RET

// push32 does y[i] += v*x[i] for i < R12 (a multiple of 16) with v in F0,
// R10 = x (float32) and R11 = y, 16 at a time as axpyNEON's main loop,
// then continues as R7 says. Clobbers R10-R12, V1, V16-V23.
push32:
	VDUP V0.S[0], V1.S4
	LSR  $4, R12, R12
	CBZ  R12, push_done

push32_loop:
	VLD1.P 64(R10), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1   (R11), [V20.S4, V21.S4, V22.S4, V23.S4]
	VFMLA  V1.S4, V16.S4, V20.S4
	VFMLA  V1.S4, V17.S4, V21.S4
	VFMLA  V1.S4, V18.S4, V22.S4
	VFMLA  V1.S4, V19.S4, V23.S4
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R11)
	SUBS   $1, R12
	BNE    push32_loop
	B      push_done

// push16 is push32 with x in binary16 (R10 advances 32 bytes per 16
// weights), widened exactly by FCVTL/FCVTL2 as axpyF16NEON's main loop.
// Clobbers R10-R12, V1, V16-V17, V20-V27.
push16:
	VDUP V0.S[0], V1.S4
	LSR  $4, R12, R12
	CBZ  R12, push_done

push16_loop:
	VLD1.P 32(R10), [V16.H8, V17.H8]
	VLD1   (R11), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD   $0x0e217a18 // fcvtl v24.4s, v16.4h
	WORD   $0x4e217a19 // fcvtl2 v25.4s, v16.8h
	WORD   $0x0e217a3a // fcvtl v26.4s, v17.4h
	WORD   $0x4e217a3b // fcvtl2 v27.4s, v17.8h
	VFMLA  V1.S4, V24.S4, V20.S4
	VFMLA  V1.S4, V25.S4, V21.S4
	VFMLA  V1.S4, V26.S4, V22.S4
	VFMLA  V1.S4, V27.S4, V23.S4
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R11)
	SUBS   $1, R12
	BNE    push16_loop

push_done:
	CBZ R7, body_nextunit
	CMP $1, R7
	BEQ body_direct
	B   body_nextstep
