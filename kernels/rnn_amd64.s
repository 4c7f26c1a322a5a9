//go:build !purego

#include "textflag.h"
#include "act_amd64.h"

// AVX2+FMA fused recurrent cells: LSTMCell and GRUCell of rnn.go, 8 units
// per iteration, then one masked iteration for the 1..7 remaining units.
// The activations are the algorithms of act_generic.go (sigmoid32, tanh32,
// exp32) exactly as act_amd64.s computes them, through the constants and
// EXP/SIGMOID/TANH macros of act_amd64.h, so the cells agree with
// kernels.Sigmoid/Tanh on this tier lane by lane. The only difference from
// the Go specification is that a*b+c is one FMA.

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
// iteration, with act_amd64.h's AVX-512 activation macros:
// blends are opmask operations (K2), the tail uses K1 = (1<<r)-1 with
// zero-masking loads and masked stores.

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
