//go:build !purego

#include "textflag.h"
#include "act_amd64.h"

// Fused gated activation dst = tanh(a)·sigmoid(b) (gate.go), lane by lane
// with the TANH and SIGMOID macros of act_amd64.h, so each factor has the
// bits kernels.Tanh and kernels.Sigmoid give on the same tier and only the
// product is rounded once more. Main loop over one vector (8 or 16 floats)
// per iteration, then one masked iteration for the remainder, whose masked
// loads read 0 in the padding lanes (without touching memory) and whose
// masked store writes only the live lanes. Each lane reads a[i] and b[i]
// before it writes dst[i], so dst may be a or b.

// GATE_AVX2(LOAD, STORE) computes 8 lanes: SI = a, DX = b, DI = dst.
//   Y0 = a; Y5 = tanh(Y0)            (scratch Y1-Y4, Y6-Y8)
//   Y9 = b; Y7 = sigmoid(Y9)         (scratch Y1-Y4, Y6)
//   Y5 = Y5·Y7 -> dst
#define GATE_AVX2(LOAD, STORE) \
	LOAD((SI), Y0); \
	TANH_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8); \
	LOAD((DX), Y9); \
	SIGMOID_AVX2(Y9, Y1, Y2, Y3, Y4, Y6, Y7); \
	VMULPS Y7, Y5, Y5; \
	STORE(Y5, (DI))

#define LOADU(mem, reg) VMOVUPS mem, reg
#define STOREU(reg, mem) VMOVUPS reg, mem
#define LOADM(mem, reg) VMASKMOVPS mem, Y15, reg
#define STOREM(reg, mem) VMASKMOVPS reg, Y15, mem

// func gateAVX2(dst, a, b []float32)
// Requires: AVX2, FMA. len(a), len(b) >= len(dst).
// DI = dst, SI = a, DX = b, CX = elements left; Y15 = tail mask.
TEXT ·gateAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX

gate_loop8:
	CMPQ CX, $8
	JB   gate_tail
	GATE_AVX2(LOADU, STOREU)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  gate_loop8

gate_tail:
	TESTQ CX, CX
	JZ    gate_done
	LOAD_TAIL_MASK(Y15)
	GATE_AVX2(LOADM, STOREM)

gate_done:
	VZEROUPPER
	RET

// GATE_AVX512(LOAD, STORE) computes 16 lanes as GATE_AVX2 on ZMM
// registers; the macros use K2 in turn.
//   Z0 = a; Z5 = tanh(Z0)            (scratch Z1-Z4, Z6-Z8)
//   Z9 = b; Z7 = sigmoid(Z9)         (scratch Z1-Z4, Z6)
//   Z5 = Z5·Z7 -> dst
#define GATE_AVX512(LOAD, STORE) \
	LOAD((SI), Z0); \
	TANH_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8); \
	LOAD((DX), Z9); \
	SIGMOID_AVX512(Z9, Z1, Z2, Z3, Z4, Z6, Z7); \
	VMULPS Z7, Z5, Z5; \
	STORE(Z5, (DI))

#define LOADK(mem, reg) VMOVUPS.Z mem, K1, reg
#define STOREK(reg, mem) VMOVUPS reg, K1, mem

// func gateAVX512(dst, a, b []float32)
// Requires: AVX512F. len(a), len(b) >= len(dst).
// DI = dst, SI = a, DX = b, CX = elements left; K1 = tail mask.
TEXT ·gateAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX

gate512_loop16:
	CMPQ CX, $16
	JB   gate512_tail
	GATE_AVX512(LOADU, STOREU)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  gate512_loop16

gate512_tail:
	TESTQ CX, CX
	JZ    gate512_done
	LOAD_TAIL_KMASK
	GATE_AVX512(LOADK, STOREK)

gate512_done:
	VZEROUPPER
	RET
