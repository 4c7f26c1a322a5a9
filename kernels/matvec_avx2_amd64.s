//go:build !purego

#include "textflag.h"
#include "matvec_amd64.h"

// MatVec micro-kernels for AVX2+FMA: row panels of p = 32 rows (four ymm
// of 8 floats per vector) for one vector (x1) or two (x2); sixteen ymm
// registers leave room for no more. The spec is matPanelFunc
// (matvec_run.go); the layouts are matvec_pack.go's:
//
//	F32, F16  layoutPanel: per column, 32 weights (128 or 64 bytes)
//	BF16      layoutPanelIL, v = 8: per column two 32-byte groups, dword k
//	          of a group = (row k, row k+8); VPSLLD $16 widens the low
//	          halves (rows 0-7), VPAND with 0xffff0000 the high (8-15)
//
// Registers besides matvec_amd64.h's: Y0-Y3 the accumulators of vector 0
// (x1: even columns), Y4-Y7 of vector 1 (x1: odd columns), Y8-Y11 one
// column's weights, Y12-Y13 broadcast x, Y15 the bfloat16 mask (built in
// R9); at the end of a panel Y12 = acc mask and Y13 = bias mask
// (VMASKMOVPS lanes, from AX and R11).

// YSETUP does MVARGS with R8 = ldx in bytes.
#define YSETUP \
	MVARGS; \
	MVPANELS; \
	SHLQ $2, R8

#define YZERO4(a0, a1, a2, a3) \
	VXORPS a0, a0, a0; \
	VXORPS a1, a1, a1; \
	VXORPS a2, a2, a2; \
	VXORPS a3, a3, a3

// YMASKS sets Y12 to the acc mask (AX) and Y13 to the bias mask (R11).
#define YMASKS \
	VMOVQ        AX, X12; \
	VPBROADCASTD X12, Y12; \
	VMOVQ        R11, X13; \
	VPBROADCASTD X13, Y13

// YFINISH stores a0..a3 + y (if acc) + bias to the 32 floats at DX; it
// clobbers Y8-Y11.
#define YFINISH(a0, a1, a2, a3) \
	VMASKMOVPS (DX), Y12, Y8; \
	VMASKMOVPS 32(DX), Y12, Y9; \
	VMASKMOVPS 64(DX), Y12, Y10; \
	VMASKMOVPS 96(DX), Y12, Y11; \
	VADDPS     Y8, a0, a0; \
	VADDPS     Y9, a1, a1; \
	VADDPS     Y10, a2, a2; \
	VADDPS     Y11, a3, a3; \
	VMASKMOVPS (BX), Y13, Y8; \
	VMASKMOVPS 32(BX), Y13, Y9; \
	VMASKMOVPS 64(BX), Y13, Y10; \
	VMASKMOVPS 96(BX), Y13, Y11; \
	VADDPS     Y8, a0, a0; \
	VADDPS     Y9, a1, a1; \
	VADDPS     Y10, a2, a2; \
	VADDPS     Y11, a3, a3; \
	VMOVUPS    a0, (DX); \
	VMOVUPS    a1, 32(DX); \
	VMOVUPS    a2, 64(DX); \
	VMOVUPS    a3, 96(DX)

// YFMA4(x, a0..a3) does a_k += W_k·x for the weight vectors Y8-Y11.
#define YFMA4(x, a0, a1, a2, a3) \
	VFMADD231PS Y8, x, a0; \
	VFMADD231PS Y9, x, a1; \
	VFMADD231PS Y10, x, a2; \
	VFMADD231PS Y11, x, a3

// Weight loaders: the 32 weights of the column at off(SI) into Y8-Y11.
#define YLOADF32(off) \
	VMOVUPS off(SI), Y8; \
	VMOVUPS (off+32)(SI), Y9; \
	VMOVUPS (off+64)(SI), Y10; \
	VMOVUPS (off+96)(SI), Y11

#define YLOADF16(off) \
	VCVTPH2PS off(SI), Y8; \
	VCVTPH2PS (off+16)(SI), Y9; \
	VCVTPH2PS (off+32)(SI), Y10; \
	VCVTPH2PS (off+48)(SI), Y11

// YLOADBF16 needs 0xffff0000 in every dword of Y15.
#define YLOADBF16(off) \
	VMOVDQU off(SI), Y9; \
	VMOVDQU (off+32)(SI), Y11; \
	VPSLLD  $16, Y9, Y8; \
	VPAND   Y15, Y9, Y9; \
	VPSLLD  $16, Y11, Y10; \
	VPAND   Y15, Y11, Y11

// YMASKBF16 sets every dword of Y15 to 0xffff0000.
#define YMASKBF16 \
	MOVL         $0xffff0000, R9; \
	VMOVQ        R9, X15; \
	VPBROADCASTD X15, Y15

// YKERNEL1(load, bytes, ...) is a one-vector kernel's body: two columns
// per iteration, the even one into Y0-Y3 and the odd one into Y4-Y7 (the
// weight registers reused), then the last odd column.
#define YKERNEL1(load, bytes, panel, loop, tail, done) \
panel: \
	MOVQ R14, DI; \
	MOVQ R12, CX; \
	YZERO4(Y0, Y1, Y2, Y3); \
	YZERO4(Y4, Y5, Y6, Y7); \
	CMPQ CX, $2; \
	JB   tail; \
loop: \
	VBROADCASTSS (DI), Y12; \
	VBROADCASTSS 4(DI), Y13; \
	load(0); \
	YFMA4(Y12, Y0, Y1, Y2, Y3); \
	load(bytes); \
	YFMA4(Y13, Y4, Y5, Y6, Y7); \
	ADDQ $(2*bytes), SI; \
	ADDQ $8, DI; \
	SUBQ $2, CX; \
	CMPQ CX, $2; \
	JAE  loop; \
tail: \
	TESTQ CX, CX; \
	JZ    done; \
	VBROADCASTSS (DI), Y12; \
	load(0); \
	YFMA4(Y12, Y0, Y1, Y2, Y3); \
	ADDQ $bytes, SI; \
done: \
	VADDPS Y4, Y0, Y0; \
	VADDPS Y5, Y1, Y1; \
	VADDPS Y6, Y2, Y2; \
	VADDPS Y7, Y3, Y3; \
	YMASKS; \
	YFINISH(Y0, Y1, Y2, Y3); \
	ADDQ $128, DX; \
	ADDQ $128, BX; \
	DECQ R13; \
	JNZ  panel

// YKERNEL2(load, bytes, loop) is a two-vector kernel's body: per column,
// the weights once, x[j] of both vectors broadcast, eight FMAs.
#define YKERNEL2(load, bytes, panel, loop) \
panel: \
	MOVQ R14, DI; \
	MOVQ R12, CX; \
	YZERO4(Y0, Y1, Y2, Y3); \
	YZERO4(Y4, Y5, Y6, Y7); \
loop: \
	load(0); \
	VBROADCASTSS (DI), Y12; \
	VBROADCASTSS (DI)(R8*1), Y13; \
	YFMA4(Y12, Y0, Y1, Y2, Y3); \
	YFMA4(Y13, Y4, Y5, Y6, Y7); \
	ADDQ $bytes, SI; \
	ADDQ $4, DI; \
	DECQ CX; \
	JNZ  loop; \
	YMASKS; \
	YFINISH(Y0, Y1, Y2, Y3); \
	ADDQ R10, DX; \
	YFINISH(Y4, Y5, Y6, Y7); \
	SUBQ R10, DX; \
	ADDQ $128, DX; \
	ADDQ $128, BX; \
	DECQ R13; \
	JNZ  panel

// func matvecF32x1AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX2, FMA
TEXT ·matvecF32x1AVX2(SB), NOSPLIT, $0-72
	YSETUP
	YKERNEL1(YLOADF32, 128, f32y1_panel, f32y1_loop, f32y1_tail, f32y1_done)
	VZEROUPPER
	RET

// func matvecF32x2AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX2, FMA
TEXT ·matvecF32x2AVX2(SB), NOSPLIT, $0-72
	YSETUP
	YKERNEL2(YLOADF32, 128, f32y2_panel, f32y2_loop)
	VZEROUPPER
	RET

// func matvecF16x1AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX2, FMA, F16C
TEXT ·matvecF16x1AVX2(SB), NOSPLIT, $0-72
	YSETUP
	YKERNEL1(YLOADF16, 64, f16y1_panel, f16y1_loop, f16y1_tail, f16y1_done)
	VZEROUPPER
	RET

// func matvecF16x2AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX2, FMA, F16C
TEXT ·matvecF16x2AVX2(SB), NOSPLIT, $0-72
	YSETUP
	YKERNEL2(YLOADF16, 64, f16y2_panel, f16y2_loop)
	VZEROUPPER
	RET

// func matvecBF16x1AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX2, FMA
TEXT ·matvecBF16x1AVX2(SB), NOSPLIT, $0-72
	YSETUP
	YMASKBF16
	YKERNEL1(YLOADBF16, 64, bf16y1_panel, bf16y1_loop, bf16y1_tail, bf16y1_done)
	VZEROUPPER
	RET

// func matvecBF16x2AVX2(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX2, FMA
TEXT ·matvecBF16x2AVX2(SB), NOSPLIT, $0-72
	YSETUP
	YMASKBF16
	YKERNEL2(YLOADBF16, 64, bf16y2_panel, bf16y2_loop)
	VZEROUPPER
	RET
