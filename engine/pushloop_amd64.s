//go:build !purego

#include "textflag.h"

// The one-hidden-layer MADE sampler loop (madeSampleTask.one) in assembly:
// see pushloop.go for the madeLoop fields and the protocol. Field
// offsets in madeLoop (TestMadeLoopLayout checks them against the Go
// struct):
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
#define L_P32 224
#define L_P16 232

// and in a loopTab:
#define T_OFF 0
#define T_START 8
#define T_N 16
#define T_W 24
#define T_HALF 32

// ROWARGS(tab, idx, dst) loads the push arguments for row idx of the
// table at offset tab in madeLoop into the targets at register dst: AX =
// the row's offset in elements, SI = the table's weights, DX =
// &dst[start[idx]], CX = the row's length n - start[idx], and the flags of
// TESTQ on the table's half flag (JNZ: binary16).
#define ROWARGS(tab, idx, dst) \
	MOVQ  tab+T_OFF(DI), AX; \
	MOVQ  (AX)(idx*8), AX; \
	MOVQ  tab+T_START(DI), BX; \
	MOVQ  (BX)(idx*8), BX; \
	MOVQ  tab+T_N(DI), CX; \
	SUBQ  BX, CX; \
	LEAQ  (dst)(BX*4), DX; \
	MOVQ  tab+T_W(DI), SI; \
	MOVQ  tab+T_HALF(DI), BX; \
	TESTQ BX, BX

// func madeLoopAVX512(l *madeLoop)
// Requires: AVX512F
//
// The steps of l (see madeLoop) with AVX-512F pushes: the shared loop
// body with push512F32<> and push512F16<>.
TEXT ·madeLoopAVX512(SB), NOSPLIT, $0-8
	MOVQ l+0(FP), DI
	LEAQ push512F32<>(SB), AX
	MOVQ AX, L_P32(DI)
	LEAQ push512F16<>(SB), AX
	MOVQ AX, L_P16(DI)
	JMP  madeLoopBody<>(SB)

// func madeLoopAVX2(l *madeLoop)
// Requires: AVX2, FMA, F16C
//
// The steps of l with AVX2/FMA (and F16C) pushes: the shared loop body
// with push256F32<> and push256F16<>.
TEXT ·madeLoopAVX2(SB), NOSPLIT, $0-8
	MOVQ l+0(FP), DI
	LEAQ push256F32<>(SB), AX
	MOVQ AX, L_P32(DI)
	LEAQ push256F16<>(SB), AX
	MOVQ AX, L_P16(DI)
	JMP  madeLoopBody<>(SB)

// madeLoopBody<> runs the steps of the madeLoop at DI; it is entered by a
// JMP from madeLoopAVX512 or madeLoopAVX2, so its RET returns to their
// caller. Its scalar code is VEX-encoded AVX (both tiers have it); every
// vector instruction is in the push routines, which it calls through
// L_P32 and L_P16 with the value to push in X0, SI = the row's weights,
// DX = its first target, CX = its length (a multiple of 16).
//
// DI = the madeLoop, R8 = t, R9 = j (the next unit by degree), R10 =
// final[t], R11 = the unit's accumulator index, R12 = end, R13 = the
// targets of a push, R14 = the push routine, X7 = 0.
//
// Per step t < end: the units [j, final[t]) become final, and each
// positive one (acc[unit[j]] > 0) pushes its out row into out; then the
// step's value: xo[t] for t < known, else the draw decided from
// out[t]*invT against c[t] +- slack (decide32), stored in xo[t]; when the
// bound cannot decide, undecided = 1 and the routine returns with t at
// that step (its units done). A non-zero value pushes input row t into
// acc and, with direct connections, direct row t into out.
TEXT madeLoopBody<>(SB), NOSPLIT|NOFRAME, $0-0
	MOVQ   L_T(DI), R8
	MOVQ   L_J(DI), R9
	MOVQ   L_END(DI), R12
	VXORPS X7, X7, X7

body_step:
	CMPQ    R8, R12
	JAE     body_finish
	MOVQ    L_FINAL(DI), AX
	MOVLQSX (AX)(R8*4), R10

body_units:
	CMPQ    R9, R10
	JAE     body_value
	MOVQ    R9, R11
	MOVQ    L_UNIT(DI), AX
	TESTQ   AX, AX
	JZ      body_haveunit
	MOVLQSX (AX)(R9*4), R11

body_haveunit:
	MOVQ         L_ACC(DI), AX
	VMOVSS       (AX)(R11*4), X0
	VUCOMISS     X7, X0
	JBE          body_nextunit            // relu: v <= 0 (or NaN) pushes nothing
	MOVQ         L_OUT(DI), R13
	ROWARGS(L_OUTT, R9, R13)
	JNZ          body_unithalf
	LEAQ         (SI)(AX*4), SI
	MOVQ         L_P32(DI), R14
	CALL         R14
	JMP          body_nextunit

body_unithalf:
	LEAQ (SI)(AX*2), SI
	MOVQ L_P16(DI), R14
	CALL R14

body_nextunit:
	INCQ R9
	JMP  body_units

body_value:
	CMPQ   R8, L_KNOWN(DI)
	JAE    body_draw
	MOVQ   L_XO(DI), AX
	VMOVSS (AX)(R8*4), X0
	JMP    body_havevalue

body_draw:
	MOVQ      L_OUT(DI), AX
	VMOVSS    (AX)(R8*4), X0
	VCVTSS2SD X0, X0, X0
	VMULSD    L_INVT(DI), X0, X0        // z = float64(out[t]) * invT
	MOVQ      L_C(DI), AX
	VMOVSD    (AX)(R8*8), X1            // c
	VADDSD    L_SLACK(DI), X1, X2
	VUCOMISD  X2, X0
	JA        body_drawone                // z > c+slack
	VSUBSD    L_SLACK(DI), X1, X2
	VUCOMISD  X0, X2
	JA        body_drawzero               // z < c-slack
	MOVQ      $1, L_UNDECIDED(DI)
	JMP       body_finish

body_drawone:
	MOVL  $0x3f800000, AX
	VMOVD AX, X0
	JMP   body_store

body_drawzero:
	VXORPS X0, X0, X0

body_store:
	MOVQ   L_XO(DI), AX
	VMOVSS X0, (AX)(R8*4)

body_havevalue:
	VUCOMISS X7, X0
	JNE      body_push
	JPS      body_push
	JMP      body_nextstep

body_push:
	MOVQ         L_ACC(DI), R13
	ROWARGS(L_IN, R8, R13)
	JNZ          body_inhalf
	LEAQ         (SI)(AX*4), SI
	MOVQ         L_P32(DI), R14
	CALL         R14
	JMP          body_direct

body_inhalf:
	LEAQ (SI)(AX*2), SI
	MOVQ L_P16(DI), R14
	CALL R14

body_direct:
	CMPQ L_DIR+T_N(DI), $0
	JE   body_nextstep
	MOVQ L_OUT(DI), R13
	ROWARGS(L_DIR, R8, R13)
	JNZ  body_dirhalf
	LEAQ (SI)(AX*4), SI
	MOVQ L_P32(DI), R14
	CALL R14
	JMP  body_nextstep

body_dirhalf:
	LEAQ (SI)(AX*2), SI
	MOVQ L_P16(DI), R14
	CALL R14

body_nextstep:
	INCQ R8
	JMP  body_step

body_finish:
	MOVQ R8, L_T(DI)
	MOVQ R9, L_J(DI)
	VZEROUPPER
	RET

// push512F32<> does y[i] += a*x[i] for i < CX, a multiple of 16, with
// a in X0 (broadcast into Z0), SI = x (float32) and DX = y: four zmm per
// iteration, then one at a time. Clobbers SI, DX, CX, Z0-Z4.
// Requires: AVX512F
TEXT push512F32<>(SB), NOSPLIT|NOFRAME, $0-0
	VBROADCASTSS X0, Z0
	SHRQ $4, CX
	JZ   p512f32_done
	CMPQ CX, $4
	JB   p512f32_one

p512f32_four:
	VMOVUPS     (DX), Z1
	VMOVUPS     64(DX), Z2
	VMOVUPS     128(DX), Z3
	VMOVUPS     192(DX), Z4
	VFMADD231PS (SI), Z0, Z1
	VFMADD231PS 64(SI), Z0, Z2
	VFMADD231PS 128(SI), Z0, Z3
	VFMADD231PS 192(SI), Z0, Z4
	VMOVUPS     Z1, (DX)
	VMOVUPS     Z2, 64(DX)
	VMOVUPS     Z3, 128(DX)
	VMOVUPS     Z4, 192(DX)
	ADDQ        $256, SI
	ADDQ        $256, DX
	SUBQ        $4, CX
	CMPQ        CX, $4
	JAE         p512f32_four
	TESTQ       CX, CX
	JZ          p512f32_done

p512f32_one:
	VMOVUPS     (DX), Z1
	VFMADD231PS (SI), Z0, Z1
	VMOVUPS     Z1, (DX)
	ADDQ        $64, SI
	ADDQ        $64, DX
	DECQ        CX
	JNZ         p512f32_one

p512f32_done:
	RET

// push512F16<> is push512F32<> with x in binary16 (SI advances 32 bytes
// per 16 weights), widened exactly by VCVTPH2PS.
// Requires: AVX512F
TEXT push512F16<>(SB), NOSPLIT|NOFRAME, $0-0
	VBROADCASTSS X0, Z0
	SHRQ $4, CX
	JZ   p512f16_done
	CMPQ CX, $4
	JB   p512f16_one

p512f16_four:
	VCVTPH2PS   (SI), Z1
	VCVTPH2PS   32(SI), Z2
	VCVTPH2PS   64(SI), Z3
	VCVTPH2PS   96(SI), Z4
	VFMADD213PS (DX), Z0, Z1
	VFMADD213PS 64(DX), Z0, Z2
	VFMADD213PS 128(DX), Z0, Z3
	VFMADD213PS 192(DX), Z0, Z4
	VMOVUPS     Z1, (DX)
	VMOVUPS     Z2, 64(DX)
	VMOVUPS     Z3, 128(DX)
	VMOVUPS     Z4, 192(DX)
	ADDQ        $128, SI
	ADDQ        $256, DX
	SUBQ        $4, CX
	CMPQ        CX, $4
	JAE         p512f16_four
	TESTQ       CX, CX
	JZ          p512f16_done

p512f16_one:
	VCVTPH2PS   (SI), Z1
	VFMADD213PS (DX), Z0, Z1
	VMOVUPS     Z1, (DX)
	ADDQ        $32, SI
	ADDQ        $64, DX
	DECQ        CX
	JNZ         p512f16_one

p512f16_done:
	RET

// push256F32<> is push512F32<> with ymm: a broadcast into Y0, two ymm
// per 16 weights.
// Requires: AVX, FMA
TEXT push256F32<>(SB), NOSPLIT|NOFRAME, $0-0
	VBROADCASTSS X0, Y0
	SHRQ $4, CX
	JZ   p256f32_done
	CMPQ CX, $2
	JB   p256f32_one

p256f32_two:
	VMOVUPS     (DX), Y1
	VMOVUPS     32(DX), Y2
	VMOVUPS     64(DX), Y3
	VMOVUPS     96(DX), Y4
	VFMADD231PS (SI), Y0, Y1
	VFMADD231PS 32(SI), Y0, Y2
	VFMADD231PS 64(SI), Y0, Y3
	VFMADD231PS 96(SI), Y0, Y4
	VMOVUPS     Y1, (DX)
	VMOVUPS     Y2, 32(DX)
	VMOVUPS     Y3, 64(DX)
	VMOVUPS     Y4, 96(DX)
	ADDQ        $128, SI
	ADDQ        $128, DX
	SUBQ        $2, CX
	CMPQ        CX, $2
	JAE         p256f32_two
	TESTQ       CX, CX
	JZ          p256f32_done

p256f32_one:
	VMOVUPS     (DX), Y1
	VMOVUPS     32(DX), Y2
	VFMADD231PS (SI), Y0, Y1
	VFMADD231PS 32(SI), Y0, Y2
	VMOVUPS     Y1, (DX)
	VMOVUPS     Y2, 32(DX)

p256f32_done:
	RET

// push256F16<> is push256F32<> with x in binary16, widened by the F16C
// VCVTPH2PS (ymm, m128).
// Requires: AVX, FMA, F16C
TEXT push256F16<>(SB), NOSPLIT|NOFRAME, $0-0
	VBROADCASTSS X0, Y0
	SHRQ $4, CX
	JZ   p256f16_done
	CMPQ CX, $2
	JB   p256f16_one

p256f16_two:
	VCVTPH2PS   (SI), Y1
	VCVTPH2PS   16(SI), Y2
	VCVTPH2PS   32(SI), Y3
	VCVTPH2PS   48(SI), Y4
	VFMADD213PS (DX), Y0, Y1
	VFMADD213PS 32(DX), Y0, Y2
	VFMADD213PS 64(DX), Y0, Y3
	VFMADD213PS 96(DX), Y0, Y4
	VMOVUPS     Y1, (DX)
	VMOVUPS     Y2, 32(DX)
	VMOVUPS     Y3, 64(DX)
	VMOVUPS     Y4, 96(DX)
	ADDQ        $64, SI
	ADDQ        $128, DX
	SUBQ        $2, CX
	CMPQ        CX, $2
	JAE         p256f16_two
	TESTQ       CX, CX
	JZ          p256f16_done

p256f16_one:
	VCVTPH2PS   (SI), Y1
	VCVTPH2PS   16(SI), Y2
	VFMADD213PS (DX), Y0, Y1
	VFMADD213PS 32(DX), Y0, Y2
	VMOVUPS     Y1, (DX)
	VMOVUPS     Y2, 32(DX)

p256f16_done:
	RET
