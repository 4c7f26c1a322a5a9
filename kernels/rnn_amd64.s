//go:build !purego

#include "textflag.h"

// AVX2+FMA fused recurrent cells: LSTMCell and GRUCell of rnn.go, 8 units
// per iteration, then one masked iteration for the 1..7 remaining units.
// The activations are the algorithms of act_generic.go (sigmoid32, tanh32,
// exp32) exactly as act_amd64.s computes them: the constants and the
// EXP/SIGMOID/TANH macros below are copies of that file's (DATA symbols
// and #defines are private to an assembly file), so the cells agree with
// kernels.Sigmoid/Tanh on this tier lane by lane. The only difference from
// the Go specification is that a*b+c is one FMA.

#define VEC16(name, bits) \
	DATA name+0(SB)/4, bits; DATA name+4(SB)/4, bits; DATA name+8(SB)/4, bits; DATA name+12(SB)/4, bits; \
	DATA name+16(SB)/4, bits; DATA name+20(SB)/4, bits; DATA name+24(SB)/4, bits; DATA name+28(SB)/4, bits; \
	DATA name+32(SB)/4, bits; DATA name+36(SB)/4, bits; DATA name+40(SB)/4, bits; DATA name+44(SB)/4, bits; \
	DATA name+48(SB)/4, bits; DATA name+52(SB)/4, bits; DATA name+56(SB)/4, bits; DATA name+60(SB)/4, bits; \
	GLOBL name(SB), RODATA|NOPTR, $64

VEC16(absMask<>, $0x7fffffff)  // clears the sign bit
VEC16(signMask<>, $0x80000000) // the sign bit
VEC16(one<>, $0x3f800000)      // 1.0
VEC16(minusTwo<>, $0xc0000000) // -2.0
VEC16(bias127<>, $0x0000007f)  // int32 127, the float32 exponent bias

VEC16(expMax<>, $0x42b20000) // 89.0
VEC16(expMin<>, $0xc2d00000) // -104.0
VEC16(log2E<>, $0x3fb8aa3b)  // log2(e)
VEC16(ln2Hi<>, $0x3f318000)  // 0.693359375
VEC16(ln2Lo<>, $0xb95e8083)  // -2.12194440e-4
VEC16(expP0<>, $0x39506967)  // 1.9875691500e-4
VEC16(expP1<>, $0x3ab743ce)  // 1.3981999507e-3
VEC16(expP2<>, $0x3c088908)  // 8.3334519073e-3
VEC16(expP3<>, $0x3d2aa9c1)  // 4.1665795894e-2
VEC16(expP4<>, $0x3e2aaaaa)  // 1.6666665459e-1
VEC16(expP5<>, $0x3f000000)  // 5.0000001201e-1 (rounds to 0.5)

VEC16(tanhSmall<>, $0x3f200000) // 0.625
VEC16(tanhQ0<>, $0xbbbaf0ea)    // -5.70498872745e-3
VEC16(tanhQ1<>, $0x3ca9134e)    // 2.06390887954e-2
VEC16(tanhQ2<>, $0xbd5c1e2d)    // -5.37397155531e-2
VEC16(tanhQ3<>, $0x3e088393)    // 1.33314422036e-1
VEC16(tanhQ4<>, $0xbeaaaa99)    // -3.33332819422e-1

// tailMask<>: 8 all-ones int32 lanes then 8 zero lanes.
DATA tailMask<>+0(SB)/8, $0xffffffffffffffff
DATA tailMask<>+8(SB)/8, $0xffffffffffffffff
DATA tailMask<>+16(SB)/8, $0xffffffffffffffff
DATA tailMask<>+24(SB)/8, $0xffffffffffffffff
DATA tailMask<>+32(SB)/8, $0
DATA tailMask<>+40(SB)/8, $0
DATA tailMask<>+48(SB)/8, $0
DATA tailMask<>+56(SB)/8, $0
GLOBL tailMask<>(SB), RODATA|NOPTR, $64

// LOAD_TAIL_MASK sets M to the mask of the first CX (1..7) lanes. It
// clobbers AX and BX.
#define LOAD_TAIL_MASK(M) \
	MOVQ CX, BX; NEGQ BX; LEAQ tailMask<>+32(SB), AX; VMOVUPS (AX)(BX*4), M

// EXP_AVX2 sets P = exp(X) lane-wise (exp32). X is clobbered; N, R, T are
// scratch.
#define EXP_AVX2(X, N, R, P, T) \
	VMOVUPS      expMax<>(SB), T; \
	VMINPS       X, T, X; \
	VMOVUPS      expMin<>(SB), T; \
	VMAXPS       X, T, X; \
	VMULPS       log2E<>(SB), X, N; \
	VROUNDPS     $0, N, N; \
	VMOVAPS      X, R; \
	VFNMADD231PS ln2Hi<>(SB), N, R; \
	VFNMADD231PS ln2Lo<>(SB), N, R; \
	VMOVUPS      expP0<>(SB), P; \
	VFMADD213PS  expP1<>(SB), R, P; \
	VFMADD213PS  expP2<>(SB), R, P; \
	VFMADD213PS  expP3<>(SB), R, P; \
	VFMADD213PS  expP4<>(SB), R, P; \
	VFMADD213PS  expP5<>(SB), R, P; \
	VMULPS       R, R, T; \
	VFMADD213PS  R, T, P; \
	VADDPS       one<>(SB), P, P; \
	VCVTPS2DQ    N, N; \
	VPSRAD       $1, N, T; \
	VPSUBD       T, N, N; \
	VPADDD       bias127<>(SB), T, T; \
	VPSLLD       $23, T, T; \
	VPADDD       bias127<>(SB), N, N; \
	VPSLLD       $23, N, N; \
	VMULPS       T, P, P; \
	VMULPS       N, P, P

// SIGMOID_AVX2 sets S = sigmoid(X0) (sigmoid32). X0 is kept; X, N, R, P,
// T are scratch.
#define SIGMOID_AVX2(X0, X, N, R, P, T, S) \
	VANDPS    absMask<>(SB), X0, X; \
	VXORPS    signMask<>(SB), X, X; \
	EXP_AVX2(X, N, R, P, T); \
	VADDPS    one<>(SB), P, T; \
	VMOVUPS   one<>(SB), S; \
	VDIVPS    T, S, S; \
	VMULPS    S, P, P; \
	VBLENDVPS X0, P, S, S

// TANH_AVX2 sets N = tanh(X0) (tanh32). X0 is kept; A, Z, Q, X, R, P, T
// are scratch.
#define TANH_AVX2(X0, A, Z, Q, X, N, R, P, T) \
	VANDPS      absMask<>(SB), X0, A; \
	VMULPS      X0, X0, Z; \
	VMOVUPS     tanhQ0<>(SB), Q; \
	VFMADD213PS tanhQ1<>(SB), Z, Q; \
	VFMADD213PS tanhQ2<>(SB), Z, Q; \
	VFMADD213PS tanhQ3<>(SB), Z, Q; \
	VFMADD213PS tanhQ4<>(SB), Z, Q; \
	VMULPS      Z, Q, Q; \
	VFMADD213PS X0, X0, Q; \
	VMULPS      minusTwo<>(SB), A, X; \
	EXP_AVX2(X, N, R, P, T); \
	VMOVUPS     one<>(SB), T; \
	VSUBPS      P, T, N; \
	VADDPS      one<>(SB), P, P; \
	VDIVPS      P, N, N; \
	VCMPPS      $1, tanhSmall<>(SB), A, T; \
	VBLENDVPS   T, Q, N, N; \
	VANDPS      signMask<>(SB), X0, T; \
	VORPS       T, N, N

// LSTM_BODY computes 8 units from Y0 scratch loads via LOAD(ptr, reg) and
// stores via STORE(reg, ptr); SI, R10, R11, R12 point at the i, f, g, o
// gate blocks, DX at c and DI at h.
//   Y6 = σ(i); Y5 = tanh(g); Y6 = σ(i)·tanh(g)
//   Y7 = σ(f); Y10 = c; Y6 = Y7·Y10 + Y6 = c'      (FMA)
//   Y7 = σ(o); Y5 = tanh(c'); Y5 = Y5·Y7 = h'
#define LSTM_BODY(LOAD, STORE) \
	LOAD((SI), Y0); \
	SIGMOID_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6); \
	LOAD((R11), Y0); \
	TANH_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y7, Y8, Y9); \
	VMULPS      Y5, Y6, Y6; \
	LOAD((R10), Y0); \
	SIGMOID_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y7); \
	LOAD((DX), Y10); \
	VFMADD231PS Y10, Y7, Y6; \
	STORE(Y6, (DX)); \
	LOAD((R12), Y0); \
	SIGMOID_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y7); \
	TANH_AVX2(Y6, Y1, Y2, Y3, Y4, Y5, Y8, Y9, Y10); \
	VMULPS      Y7, Y5, Y5; \
	STORE(Y5, (DI))

#define LOADU(mem, reg) VMOVUPS mem, reg
#define STOREU(reg, mem) VMOVUPS reg, mem
#define LOADM(mem, reg) VMASKMOVPS mem, Y15, reg
#define STOREM(reg, mem) VMASKMOVPS reg, Y15, mem

// func lstmCellAVX2(g, c, h []float32)
// Requires: AVX2, FMA. len(g) >= 4H, len(c) >= H with H = len(h).
TEXT ·lstmCellAVX2(SB), NOSPLIT, $0-72
	MOVQ g_base+0(FP), SI
	MOVQ c_base+24(FP), DX
	MOVQ h_base+48(FP), DI
	MOVQ h_len+56(FP), CX
	LEAQ (SI)(CX*4), R10
	LEAQ (R10)(CX*4), R11
	LEAQ (R11)(CX*4), R12

lstm_loop8:
	CMPQ CX, $8
	JB   lstm_tail
	LSTM_BODY(LOADU, STOREU)
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  lstm_loop8

lstm_tail:
	TESTQ CX, CX
	JZ    lstm_done
	LOAD_TAIL_MASK(Y15)
	LSTM_BODY(LOADM, STOREM)

lstm_done:
	VZEROUPPER
	RET

// GRU_BODY computes 8 units; SI, R10, R11, R12 point at the r, z, n_i, n_h
// blocks and DI at h.
//   Y6 = σ(r); Y8 = n_i; Y7 = n_h; Y8 = Y6·Y7 + Y8  (FMA)
//   Y5 = tanh(Y8) = n
//   Y7 = σ(z); Y8 = (1 - Y7)·Y5; Y9 = h; Y8 = Y7·Y9 + Y8 = h'  (FMA)
#define GRU_BODY(LOAD, STORE) \
	LOAD((SI), Y0); \
	SIGMOID_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6); \
	LOAD((R11), Y8); \
	LOAD((R12), Y7); \
	VFMADD231PS Y7, Y6, Y8; \
	TANH_AVX2(Y8, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y9); \
	LOAD((R10), Y0); \
	SIGMOID_AVX2(Y0, Y1, Y2, Y3, Y4, Y6, Y7); \
	VMOVUPS     one<>(SB), Y8; \
	VSUBPS      Y7, Y8, Y8; \
	VMULPS      Y5, Y8, Y8; \
	LOAD((DI), Y9); \
	VFMADD231PS Y9, Y7, Y8; \
	STORE(Y8, (DI))

// func gruCellAVX2(g, h []float32)
// Requires: AVX2, FMA. len(g) >= 4H with H = len(h).
TEXT ·gruCellAVX2(SB), NOSPLIT, $0-48
	MOVQ g_base+0(FP), SI
	MOVQ h_base+24(FP), DI
	MOVQ h_len+32(FP), CX
	LEAQ (SI)(CX*4), R10
	LEAQ (R10)(CX*4), R11
	LEAQ (R11)(CX*4), R12

gru_loop8:
	CMPQ CX, $8
	JB   gru_tail
	GRU_BODY(LOADU, STOREU)
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  gru_loop8

gru_tail:
	TESTQ CX, CX
	JZ    gru_done
	LOAD_TAIL_MASK(Y15)
	GRU_BODY(LOADM, STOREM)

gru_done:
	VZEROUPPER
	RET

// AVX-512F cells: the same bodies on ZMM registers, 16 units per
// iteration, with act_amd64.s's AVX-512 activation macros (copied below):
// blends are opmask operations (K2), the tail uses K1 = (1<<r)-1 with
// zero-masking loads and masked stores.

// LOAD_TAIL_KMASK sets K1 to the mask of the first CX (1..15) lanes. It
// clobbers AX.
#define LOAD_TAIL_KMASK \
	MOVL $1, AX; SHLL CX, AX; DECL AX; KMOVW AX, K1

#define EXP_AVX512(X, N, R, P, T) \
	VMOVUPS      expMax<>(SB), T; \
	VMINPS       X, T, X; \
	VMOVUPS      expMin<>(SB), T; \
	VMAXPS       X, T, X; \
	VMULPS       log2E<>(SB), X, N; \
	VRNDSCALEPS  $0, N, N; \
	VMOVAPS      X, R; \
	VFNMADD231PS ln2Hi<>(SB), N, R; \
	VFNMADD231PS ln2Lo<>(SB), N, R; \
	VMOVUPS      expP0<>(SB), P; \
	VFMADD213PS  expP1<>(SB), R, P; \
	VFMADD213PS  expP2<>(SB), R, P; \
	VFMADD213PS  expP3<>(SB), R, P; \
	VFMADD213PS  expP4<>(SB), R, P; \
	VFMADD213PS  expP5<>(SB), R, P; \
	VMULPS       R, R, T; \
	VFMADD213PS  R, T, P; \
	VADDPS       one<>(SB), P, P; \
	VSCALEFPS    N, P, P

#define SIGMOID_AVX512(X0, X, N, R, P, T, S) \
	VPORD    signMask<>(SB), X0, X; \
	EXP_AVX512(X, N, R, P, T); \
	VADDPS   one<>(SB), P, T; \
	VMOVUPS  one<>(SB), S; \
	VDIVPS   T, S, S; \
	VPTESTMD signMask<>(SB), X0, K2; \
	VMULPS   S, P, K2, S

#define TANH_AVX512(X0, A, Z, Q, X, N, R, P, T) \
	VPANDD      absMask<>(SB), X0, A; \
	VMULPS      X0, X0, Z; \
	VMOVUPS     tanhQ0<>(SB), Q; \
	VFMADD213PS tanhQ1<>(SB), Z, Q; \
	VFMADD213PS tanhQ2<>(SB), Z, Q; \
	VFMADD213PS tanhQ3<>(SB), Z, Q; \
	VFMADD213PS tanhQ4<>(SB), Z, Q; \
	VMULPS      Z, Q, Q; \
	VFMADD213PS X0, X0, Q; \
	VMULPS      minusTwo<>(SB), A, X; \
	EXP_AVX512(X, N, R, P, T); \
	VMOVUPS     one<>(SB), T; \
	VSUBPS      P, T, N; \
	VADDPS      one<>(SB), P, P; \
	VDIVPS      P, N, N; \
	VCMPPS      $1, tanhSmall<>(SB), A, K2; \
	VMOVAPS     Q, K2, N; \
	VPANDD      signMask<>(SB), X0, T; \
	VPORD       T, N, N

#define LSTM_BODY512(LOAD, STORE) \
	LOAD((SI), Z0); \
	SIGMOID_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6); \
	LOAD((R11), Z0); \
	TANH_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z7, Z8, Z9); \
	VMULPS      Z5, Z6, Z6; \
	LOAD((R10), Z0); \
	SIGMOID_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z7); \
	LOAD((DX), Z10); \
	VFMADD231PS Z10, Z7, Z6; \
	STORE(Z6, (DX)); \
	LOAD((R12), Z0); \
	SIGMOID_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z7); \
	TANH_AVX512(Z6, Z1, Z2, Z3, Z4, Z5, Z8, Z9, Z10); \
	VMULPS      Z7, Z5, Z5; \
	STORE(Z5, (DI))

#define LOADK(mem, reg) VMOVUPS.Z mem, K1, reg
#define STOREK(reg, mem) VMOVUPS reg, K1, mem

// func lstmCellAVX512(g, c, h []float32)
// Requires: AVX512F. len(g) >= 4H, len(c) >= H with H = len(h).
TEXT ·lstmCellAVX512(SB), NOSPLIT, $0-72
	MOVQ g_base+0(FP), SI
	MOVQ c_base+24(FP), DX
	MOVQ h_base+48(FP), DI
	MOVQ h_len+56(FP), CX
	LEAQ (SI)(CX*4), R10
	LEAQ (R10)(CX*4), R11
	LEAQ (R11)(CX*4), R12

lstm512_loop16:
	CMPQ CX, $16
	JB   lstm512_tail
	LSTM_BODY512(LOADU, STOREU)
	ADDQ $64, SI
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  lstm512_loop16

lstm512_tail:
	TESTQ CX, CX
	JZ    lstm512_done
	LOAD_TAIL_KMASK
	LSTM_BODY512(LOADK, STOREK)

lstm512_done:
	VZEROUPPER
	RET

#define GRU_BODY512(LOAD, STORE) \
	LOAD((SI), Z0); \
	SIGMOID_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6); \
	LOAD((R11), Z8); \
	LOAD((R12), Z7); \
	VFMADD231PS Z7, Z6, Z8; \
	TANH_AVX512(Z8, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z9); \
	LOAD((R10), Z0); \
	SIGMOID_AVX512(Z0, Z1, Z2, Z3, Z4, Z6, Z7); \
	VMOVUPS     one<>(SB), Z8; \
	VSUBPS      Z7, Z8, Z8; \
	VMULPS      Z5, Z8, Z8; \
	LOAD((DI), Z9); \
	VFMADD231PS Z9, Z7, Z8; \
	STORE(Z8, (DI))

// func gruCellAVX512(g, h []float32)
// Requires: AVX512F. len(g) >= 4H with H = len(h).
TEXT ·gruCellAVX512(SB), NOSPLIT, $0-48
	MOVQ g_base+0(FP), SI
	MOVQ h_base+24(FP), DI
	MOVQ h_len+32(FP), CX
	LEAQ (SI)(CX*4), R10
	LEAQ (R10)(CX*4), R11
	LEAQ (R11)(CX*4), R12

gru512_loop16:
	CMPQ CX, $16
	JB   gru512_tail
	GRU_BODY512(LOADU, STOREU)
	ADDQ $64, SI
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  gru512_loop16

gru512_tail:
	TESTQ CX, CX
	JZ    gru512_done
	LOAD_TAIL_KMASK
	GRU_BODY512(LOADK, STOREK)

gru512_done:
	VZEROUPPER
	RET
