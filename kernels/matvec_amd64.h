// Shared pieces of the amd64 MatVec micro-kernels (matvec_avx2_amd64.s,
// matvec_avx512_amd64.s). Every kernel has the Go signature
//
//	func(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
//
// (matPanelFunc, matvec_run.go) and the same register roles:
//
//	R13 panels left, R12 n, R14 x (each panel starts over at x, the
//	    weights run on, y and bias move by p floats)
//	SI  weights, streamed once in panel order (matvec_pack.go)
//	DI  x at the current column of vector 0
//	CX  columns (or column pairs) left
//	R8  ldx in bytes, R9 = 3·R8 (vector b of x at DI + b·R8)
//	DX  y of the current vector, R10 = ldy in bytes
//	BX  bias, or y when the bias is nil (a valid address; masked off)
//	AX  scratch for the masks
//
// The accumulators start at zero; at the end each vector's panel rows get
// y added under the acc mask (all lanes if acc, none otherwise), then the
// bias under the bias mask, and are stored.

// MVARGS loads the arguments into the registers above (R8 and R10 still
// in elements) and sets AX = -1 if acc, 0 otherwise, and R11 = -1 if
// there is a bias, 0 otherwise (then BX = y).
#define MVARGS \
	MOVQ    w+0(FP), SI; \
	MOVQ    x+8(FP), DI; \
	MOVQ    n+16(FP), CX; \
	MOVQ    ldx+24(FP), R8; \
	MOVQ    y+32(FP), DX; \
	MOVQ    ldy+40(FP), R10; \
	MOVQ    bias+48(FP), BX; \
	MOVBQZX acc+56(FP), AX; \
	NEGQ    AX; \
	XORQ    R11, R11; \
	TESTQ   BX, BX; \
	CMOVQEQ DX, BX; \
	SETNE   R11B; \
	NEGQ    R11; \
	SHLQ    $2, R10

// MVPANELS sets R12 = n, R14 = x and R13 = panels (after MVARGS).
#define MVPANELS \
	MOVQ CX, R12; \
	MOVQ DI, R14; \
	MOVQ panels+64(FP), R13
