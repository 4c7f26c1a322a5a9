//go:build !purego

#include "textflag.h"
#include "act_amd64.h"

// AVX2+FMA activation kernels. Each computes, lane by lane, the float32
// algorithm written out in act_generic.go (exp32, sigmoid32, tanh32,
// log1pUnit, softplus32); the comments there explain the range reduction,
// polynomials and clamping, and the constants below are the same numbers.
// The only difference from the Go code is that a*b+c is one FMA here.
//
// Loop structure of every routine: a main loop over 8 floats (one YMM) per
// iteration, then one masked iteration for the 1..7 remaining elements:
// Y15 = tailMask<>[8-r : 16-r] has its first r lanes all-ones, VMASKMOVPS
// loads those lanes (the others read as 0, without touching memory) and
// stores only those lanes. Reductions AND (or blend) the mask into the
// per-lane results so the padding lanes add nothing.
//
// func expAVX2(dst, x []float32)
// Requires: AVX2, FMA
// DI = dst, SI = x, CX = elements left; Y0 input, Y1..Y4 scratch, Y3 result.
TEXT ·expAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX

exp_loop8:
	CMPQ    CX, $8
	JB      exp_tail
	VMOVUPS (SI), Y0
	EXP_AVX2(Y0, Y1, Y2, Y3, Y4)
	VMOVUPS Y3, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     exp_loop8

exp_tail:
	TESTQ      CX, CX
	JZ         exp_done
	LOAD_TAIL_MASK(Y15)
	VMASKMOVPS (SI), Y15, Y0
	EXP_AVX2(Y0, Y1, Y2, Y3, Y4)
	VMASKMOVPS Y3, Y15, (DI)

exp_done:
	VZEROUPPER
	RET

// func sigmoidAVX2(dst, x []float32)
// Requires: AVX2, FMA
// DI = dst, SI = x, CX = elements left; Y0 input, Y1..Y5 scratch, Y6 result.
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX

sigmoid_loop8:
	CMPQ    CX, $8
	JB      sigmoid_tail
	VMOVUPS (SI), Y0
	SIGMOID_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6)
	VMOVUPS Y6, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     sigmoid_loop8

sigmoid_tail:
	TESTQ      CX, CX
	JZ         sigmoid_done
	LOAD_TAIL_MASK(Y15)
	VMASKMOVPS (SI), Y15, Y0
	SIGMOID_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6)
	VMASKMOVPS Y6, Y15, (DI)

sigmoid_done:
	VZEROUPPER
	RET

// func tanhAVX2(dst, x []float32)
// Requires: AVX2, FMA
// DI = dst, SI = x, CX = elements left; Y0 input, Y1..Y8 scratch, Y5 result.
TEXT ·tanhAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX

tanh_loop8:
	CMPQ    CX, $8
	JB      tanh_tail
	VMOVUPS (SI), Y0
	TANH_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8)
	VMOVUPS Y5, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     tanh_loop8

tanh_tail:
	TESTQ      CX, CX
	JZ         tanh_done
	LOAD_TAIL_MASK(Y15)
	VMASKMOVPS (SI), Y15, Y0
	TANH_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8)
	VMASKMOVPS Y5, Y15, (DI)

tanh_done:
	VZEROUPPER
	RET

// func softplusAVX2(dst, x []float32)
// Requires: AVX2, FMA
// DI = dst, SI = x, CX = elements left; Y0 input, Y1..Y9 scratch, Y10 result.
TEXT ·softplusAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX

softplus_loop8:
	CMPQ    CX, $8
	JB      softplus_tail
	VMOVUPS (SI), Y0
	SOFTPLUS_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10)
	VMOVUPS Y10, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     softplus_loop8

softplus_tail:
	TESTQ      CX, CX
	JZ         softplus_done
	LOAD_TAIL_MASK(Y15)
	VMASKMOVPS (SI), Y15, Y0
	SOFTPLUS_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10)
	VMASKMOVPS Y10, Y15, (DI)

softplus_done:
	VZEROUPPER
	RET

// func logSigmoidAVX2(dst, x []float32)
// Requires: AVX2, FMA
// logSigmoid(x) = -softplus(-x): the sign bit is flipped on the way in and
// on the way out (XOR with Y14 = signMask; NaN stays NaN).
// DI = dst, SI = x, CX = elements left; Y0 input, Y1..Y9 scratch, Y10 result.
TEXT ·logSigmoidAVX2(SB), NOSPLIT, $0-48
	MOVQ    dst_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    x_len+32(FP), CX
	VMOVUPS signMask<>(SB), Y14

logsigmoid_loop8:
	CMPQ    CX, $8
	JB      logsigmoid_tail
	VXORPS  (SI), Y14, Y0
	SOFTPLUS_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10)
	VXORPS  Y14, Y10, Y10
	VMOVUPS Y10, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     logsigmoid_loop8

logsigmoid_tail:
	TESTQ      CX, CX
	JZ         logsigmoid_done
	LOAD_TAIL_MASK(Y15)
	VMASKMOVPS (SI), Y15, Y0
	VXORPS     Y14, Y0, Y0
	SOFTPLUS_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10)
	VXORPS     Y14, Y10, Y10
	VMASKMOVPS Y10, Y15, (DI)

logsigmoid_done:
	VZEROUPPER
	RET

// func reluAVX2(dst, x []float32)
// Requires: AVX2
// dst = max(0, x) by VMAXPS with x as the second source: MAXPS returns its
// second source when either operand is NaN or both are zeros, so NaN stays
// NaN and -0 stays -0 (the generic kernel's behaviour).
// DI = dst, SI = x, CX = elements left; Y0 = 0; 32 elements per iteration
// in Y1..Y4, then 8 at a time, then a masked tail.
TEXT ·reluAVX2(SB), NOSPLIT, $0-48
	MOVQ   dst_base+0(FP), DI
	MOVQ   x_base+24(FP), SI
	MOVQ   x_len+32(FP), CX
	VXORPS Y0, Y0, Y0

relu_loop32:
	CMPQ    CX, $32
	JB      relu_loop8
	VMAXPS  (SI), Y0, Y1
	VMAXPS  32(SI), Y0, Y2
	VMAXPS  64(SI), Y0, Y3
	VMAXPS  96(SI), Y0, Y4
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     relu_loop32

relu_loop8:
	CMPQ    CX, $8
	JB      relu_tail
	VMAXPS  (SI), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     relu_loop8

relu_tail:
	TESTQ      CX, CX
	JZ         relu_done
	LOAD_TAIL_MASK(Y15)
	VMASKMOVPS (SI), Y15, Y1
	VMAXPS     Y1, Y0, Y1
	VMASKMOVPS Y1, Y15, (DI)

relu_done:
	VZEROUPPER
	RET

// func bernoulliSumAVX2(logits, x []float32) float64
// Requires: AVX2, FMA
// Returns sum_{i<len(logits)} softplus((1-2*x[i])*logits[i]) (the caller
// negates it; len(x) >= len(logits)). Per 8 lanes: Y0 = 1 - 2x (one FNMADD,
// exact for x in {0,1}), Y0 *= logits, Y10 = softplus(Y0); the 8 float32
// terms are widened to float64 (VCVTPS2PD of each 128-bit half) and added
// into the float64 accumulators Y12 (lanes 0-3) and Y13 (lanes 4-7). In the
// tail the padding lanes' terms (softplus(0) = ln 2) are ANDed to 0.
// SI = logits, DX = x, CX = elements left.
TEXT ·bernoulliSumAVX2(SB), NOSPLIT, $0-56
	MOVQ   logits_base+0(FP), SI
	MOVQ   logits_len+8(FP), CX
	MOVQ   x_base+24(FP), DX
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13

bern_loop8:
	CMPQ         CX, $8
	JB           bern_tail
	VMOVUPS      one<>(SB), Y0
	VMOVUPS      (DX), Y11
	VFNMADD231PS two<>(SB), Y11, Y0
	VMULPS       (SI), Y0, Y0
	SOFTPLUS_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10)
	VCVTPS2PD    X10, Y1
	VEXTRACTF128 $1, Y10, X2
	VCVTPS2PD    X2, Y2
	VADDPD       Y1, Y12, Y12
	VADDPD       Y2, Y13, Y13
	ADDQ         $32, SI
	ADDQ         $32, DX
	SUBQ         $8, CX
	JMP          bern_loop8

bern_tail:
	TESTQ        CX, CX
	JZ           bern_done
	LOAD_TAIL_MASK(Y15)
	VMASKMOVPS   (DX), Y15, Y11
	VMOVUPS      one<>(SB), Y0
	VFNMADD231PS two<>(SB), Y11, Y0
	VMASKMOVPS   (SI), Y15, Y11
	VMULPS       Y11, Y0, Y0
	SOFTPLUS_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10)
	VANDPS       Y15, Y10, Y10
	VCVTPS2PD    X10, Y1
	VEXTRACTF128 $1, Y10, X2
	VCVTPS2PD    X2, Y2
	VADDPD       Y1, Y12, Y12
	VADDPD       Y2, Y13, Y13

bern_done:
	VADDPD       Y13, Y12, Y12
	VEXTRACTF128 $1, Y12, X1
	VADDPD       X1, X12, X12
	VUNPCKHPD    X12, X12, X1
	VADDSD       X1, X12, X12
	VMOVSD       X12, ret+48(FP)
	VZEROUPPER
	RET

// func maxNaNAVX2(x []float32) float32
// Requires: AVX2
// Returns max_i x[i] for len(x) >= 1, or NaN if any x[i] is NaN. Y0 is the
// running max (from -Inf), Y1 ORs VCMPPS UNORD (x != x) masks; padding
// lanes of the tail are blended to -Inf. The 8 lanes of Y0 are folded by
// halves at the end. SI = x, CX = elements left.
TEXT ·maxNaNAVX2(SB), NOSPLIT, $0-28
	MOVQ    x_base+0(FP), SI
	MOVQ    x_len+8(FP), CX
	VMOVUPS negInf<>(SB), Y0
	VXORPS  Y1, Y1, Y1

max_loop8:
	CMPQ    CX, $8
	JB      max_tail
	VMOVUPS (SI), Y2
	VMAXPS  Y2, Y0, Y0
	VCMPPS  $3, Y2, Y2, Y3
	VORPS   Y3, Y1, Y1
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     max_loop8

max_tail:
	TESTQ      CX, CX
	JZ         max_fold
	LOAD_TAIL_MASK(Y15)
	VMASKMOVPS (SI), Y15, Y2
	VCMPPS     $3, Y2, Y2, Y3
	VORPS      Y3, Y1, Y1
	VMOVUPS    negInf<>(SB), Y4
	VBLENDVPS  Y15, Y2, Y4, Y2
	VMAXPS     Y2, Y0, Y0

max_fold:
	VEXTRACTF128 $1, Y0, X2
	VMAXPS       X2, X0, X0
	VPERMILPS    $0x4e, X0, X2
	VMAXPS       X2, X0, X0
	VPERMILPS    $0xb1, X0, X2
	VMAXPS       X2, X0, X0
	VMOVMSKPS    Y1, AX
	TESTL        AX, AX
	JZ           max_done
	MOVL         $0x7fc00000, AX
	MOVL         AX, ret+24(FP)
	VZEROUPPER
	RET

max_done:
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func sumExpAVX2(x []float32, m float32) float64
// Requires: AVX2, FMA
// Returns sum_i exp(x[i] - m) with the subtraction and exp in float32
// (exp32) and the sum in float64, as logSumExpGeneric. Y14 = m broadcast;
// float64 accumulators Y12 (lanes 0-3) and Y13 (lanes 4-7); the tail's
// padding lanes are ANDed to 0 before widening. SI = x, CX = elements left.
TEXT ·sumExpAVX2(SB), NOSPLIT, $0-40
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS m+24(FP), Y14
	VXORPD       Y12, Y12, Y12
	VXORPD       Y13, Y13, Y13

sumexp_loop8:
	CMPQ         CX, $8
	JB           sumexp_tail
	VMOVUPS      (SI), Y0
	VSUBPS       Y14, Y0, Y0
	EXP_AVX2(Y0, Y1, Y2, Y3, Y4)
	VCVTPS2PD    X3, Y1
	VEXTRACTF128 $1, Y3, X2
	VCVTPS2PD    X2, Y2
	VADDPD       Y1, Y12, Y12
	VADDPD       Y2, Y13, Y13
	ADDQ         $32, SI
	SUBQ         $8, CX
	JMP          sumexp_loop8

sumexp_tail:
	TESTQ        CX, CX
	JZ           sumexp_done
	LOAD_TAIL_MASK(Y15)
	VMASKMOVPS   (SI), Y15, Y0
	VSUBPS       Y14, Y0, Y0
	EXP_AVX2(Y0, Y1, Y2, Y3, Y4)
	VANDPS       Y15, Y3, Y3
	VCVTPS2PD    X3, Y1
	VEXTRACTF128 $1, Y3, X2
	VCVTPS2PD    X2, Y2
	VADDPD       Y1, Y12, Y12
	VADDPD       Y2, Y13, Y13

sumexp_done:
	VADDPD       Y13, Y12, Y12
	VEXTRACTF128 $1, Y12, X1
	VADDPD       X1, X12, X12
	VUNPCKHPD    X12, X12, X1
	VADDSD       X1, X12, X12
	VMOVSD       X12, ret+32(FP)
	VZEROUPPER
	RET

// func sigmoidDotAVX2(v, a []float32) float32
// Requires: AVX2, FMA
// Returns sum_{j<len(a)} v[j]*sigmoid32(a[j]) (len(v) >= len(a)) without
// storing the sigmoids. 16 elements per iteration as two independent
// chains, Y0 input, Y1..Y5 scratch, Y6 sigmoid and Y7 input, Y8..Y12
// scratch, Y13 sigmoid, each FMAed with v (a memory operand) into its own
// accumulator, Y14 and Y15; then at most one 8-element step into Y14. Y15
// is then added into Y14 and reused as the tail mask: the masked loads read
// 0 in the padding lanes of both a and v, so those lanes add
// 0*sigmoid(0) = 0. The 8 lanes of Y14 are summed by halves.
// DI = v, SI = a, CX = elements left.
TEXT ·sigmoidDotAVX2(SB), NOSPLIT, $0-52
	MOVQ   v_base+0(FP), DI
	MOVQ   a_base+24(FP), SI
	MOVQ   a_len+32(FP), CX
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

sigdot_loop16:
	CMPQ        CX, $16
	JB          sigdot_step8
	VMOVUPS     (SI), Y0
	VMOVUPS     32(SI), Y7
	SIGMOID_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6)
	SIGMOID_AVX2(Y7, Y8, Y9, Y10, Y11, Y12, Y13)
	VFMADD231PS (DI), Y6, Y14
	VFMADD231PS 32(DI), Y13, Y15
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         sigdot_loop16

sigdot_step8:
	CMPQ        CX, $8
	JB          sigdot_tail
	VMOVUPS     (SI), Y0
	SIGMOID_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6)
	VFMADD231PS (DI), Y6, Y14
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX

sigdot_tail:
	VADDPS      Y15, Y14, Y14
	TESTQ       CX, CX
	JZ          sigdot_fold
	LOAD_TAIL_MASK(Y15)
	VMASKMOVPS  (SI), Y15, Y0
	SIGMOID_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6)
	VMASKMOVPS  (DI), Y15, Y7
	VFMADD231PS Y7, Y6, Y14

sigdot_fold:
	VEXTRACTF128 $1, Y14, X1
	VADDPS       X1, X14, X14
	VPERMILPS    $0x4e, X14, X1
	VADDPS       X1, X14, X14
	VPERMILPS    $0xb1, X14, X1
	VADDSS       X1, X14, X14
	VMOVSS       X14, ret+48(FP)
	VZEROUPPER
	RET

// AVX-512F kernels. Same algorithms and constants, 16 lanes per ZMM; only
// AVX512F instructions (bitwise ops are VPANDD/VPORD/VPXORD, not the DQ
// VANDPS family). Blends become opmask operations: compares and VPTESTMD
// write a K register, and merge-masked arithmetic or moves select lanes.
// Tails use K1 = (1<<r)-1 for the 1..15 remaining elements with
// zero-masking loads (VMOVUPS.Z) and masked stores; masked-off lanes are
// neither read nor written.

// func expAVX512(dst, x []float32)
// Requires: AVX512F
// DI = dst, SI = x, CX = elements left; Z0 input, Z1..Z4 scratch, Z3 result.
TEXT ·expAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX

exp512_loop16:
	CMPQ    CX, $16
	JB      exp512_tail
	VMOVUPS (SI), Z0
	EXP_AVX512(Z0, Z1, Z2, Z3, Z4)
	VMOVUPS Z3, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     exp512_loop16

exp512_tail:
	TESTQ     CX, CX
	JZ        exp512_done
	LOAD_TAIL_KMASK
	VMOVUPS.Z (SI), K1, Z0
	EXP_AVX512(Z0, Z1, Z2, Z3, Z4)
	VMOVUPS   Z3, K1, (DI)

exp512_done:
	VZEROUPPER
	RET

// func sigmoidAVX512(dst, x []float32)
// Requires: AVX512F
// DI = dst, SI = x, CX = elements left; Z0 input, Z1..Z5 scratch, Z6 result.
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX

sigmoid512_loop16:
	CMPQ    CX, $16
	JB      sigmoid512_tail
	VMOVUPS (SI), Z0
	SIGMOID_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6)
	VMOVUPS Z6, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     sigmoid512_loop16

sigmoid512_tail:
	TESTQ     CX, CX
	JZ        sigmoid512_done
	LOAD_TAIL_KMASK
	VMOVUPS.Z (SI), K1, Z0
	SIGMOID_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6)
	VMOVUPS   Z6, K1, (DI)

sigmoid512_done:
	VZEROUPPER
	RET

// func tanhAVX512(dst, x []float32)
// Requires: AVX512F
// DI = dst, SI = x, CX = elements left; Z0 input, Z1..Z8 scratch, Z5 result.
TEXT ·tanhAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX

tanh512_loop16:
	CMPQ    CX, $16
	JB      tanh512_tail
	VMOVUPS (SI), Z0
	TANH_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8)
	VMOVUPS Z5, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     tanh512_loop16

tanh512_tail:
	TESTQ     CX, CX
	JZ        tanh512_done
	LOAD_TAIL_KMASK
	VMOVUPS.Z (SI), K1, Z0
	TANH_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8)
	VMOVUPS   Z5, K1, (DI)

tanh512_done:
	VZEROUPPER
	RET

// func softplusAVX512(dst, x []float32)
// Requires: AVX512F
// DI = dst, SI = x, CX = elements left; Z0 input, Z1..Z8 scratch, Z9 result.
TEXT ·softplusAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX

softplus512_loop16:
	CMPQ    CX, $16
	JB      softplus512_tail
	VMOVUPS (SI), Z0
	SOFTPLUS_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)
	VMOVUPS Z9, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     softplus512_loop16

softplus512_tail:
	TESTQ     CX, CX
	JZ        softplus512_done
	LOAD_TAIL_KMASK
	VMOVUPS.Z (SI), K1, Z0
	SOFTPLUS_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)
	VMOVUPS   Z9, K1, (DI)

softplus512_done:
	VZEROUPPER
	RET

// func logSigmoidAVX512(dst, x []float32)
// Requires: AVX512F
// -softplus(-x), the sign flips done by XOR with Z14 = signMask.
// DI = dst, SI = x, CX = elements left; Z0 input, Z1..Z8 scratch, Z9 result.
TEXT ·logSigmoidAVX512(SB), NOSPLIT, $0-48
	MOVQ    dst_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    x_len+32(FP), CX
	VMOVUPS signMask<>(SB), Z14

logsigmoid512_loop16:
	CMPQ    CX, $16
	JB      logsigmoid512_tail
	VPXORD  (SI), Z14, Z0
	SOFTPLUS_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)
	VPXORD  Z14, Z9, Z9
	VMOVUPS Z9, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     logsigmoid512_loop16

logsigmoid512_tail:
	TESTQ     CX, CX
	JZ        logsigmoid512_done
	LOAD_TAIL_KMASK
	VMOVUPS.Z (SI), K1, Z0
	VPXORD    Z14, Z0, Z0
	SOFTPLUS_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)
	VPXORD    Z14, Z9, Z9
	VMOVUPS   Z9, K1, (DI)

logsigmoid512_done:
	VZEROUPPER
	RET

// func bernoulliSumAVX512(logits, x []float32) float64
// Requires: AVX512F
// As bernoulliSumAVX2 with 16 lanes: the float32 terms Z9 are widened in
// two halves (VCVTPS2PD Y9 and the upper 256 bits via VEXTRACTF64X4) into
// the float64 accumulators Z12 (lanes 0-7) and Z13 (lanes 8-15); the tail's
// padding lanes are zeroed by a zero-masking move before widening.
// SI = logits, DX = x, CX = elements left.
TEXT ·bernoulliSumAVX512(SB), NOSPLIT, $0-56
	MOVQ   logits_base+0(FP), SI
	MOVQ   logits_len+8(FP), CX
	MOVQ   x_base+24(FP), DX
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13

bern512_loop16:
	CMPQ          CX, $16
	JB            bern512_tail
	VMOVUPS       one<>(SB), Z0
	VMOVUPS       (DX), Z11
	VFNMADD231PS  two<>(SB), Z11, Z0
	VMULPS        (SI), Z0, Z0
	SOFTPLUS_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)
	VCVTPS2PD     Y9, Z1
	VEXTRACTF64X4 $1, Z9, Y2
	VCVTPS2PD     Y2, Z2
	VADDPD        Z1, Z12, Z12
	VADDPD        Z2, Z13, Z13
	ADDQ          $64, SI
	ADDQ          $64, DX
	SUBQ          $16, CX
	JMP           bern512_loop16

bern512_tail:
	TESTQ         CX, CX
	JZ            bern512_done
	LOAD_TAIL_KMASK
	VMOVUPS.Z     (DX), K1, Z11
	VMOVUPS       one<>(SB), Z0
	VFNMADD231PS  two<>(SB), Z11, Z0
	VMOVUPS.Z     (SI), K1, Z11
	VMULPS        Z11, Z0, Z0
	SOFTPLUS_AVX512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)
	VMOVAPS.Z     Z9, K1, Z9
	VCVTPS2PD     Y9, Z1
	VEXTRACTF64X4 $1, Z9, Y2
	VCVTPS2PD     Y2, Z2
	VADDPD        Z1, Z12, Z12
	VADDPD        Z2, Z13, Z13

bern512_done:
	VADDPD        Z13, Z12, Z12
	VEXTRACTF64X4 $1, Z12, Y1
	VADDPD        Y1, Y12, Y12
	VEXTRACTF128  $1, Y12, X1
	VADDPD        X1, X12, X12
	VUNPCKHPD     X12, X12, X1
	VADDSD        X1, X12, X12
	VMOVSD        X12, ret+48(FP)
	VZEROUPPER
	RET

// func sumExpAVX512(x []float32, m float32) float64
// Requires: AVX512F
// As sumExpAVX2 with 16 lanes; Z14 = m broadcast, float64 accumulators Z12
// (lanes 0-7) and Z13 (lanes 8-15). SI = x, CX = elements left.
TEXT ·sumExpAVX512(SB), NOSPLIT, $0-40
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS m+24(FP), Z14
	VPXORQ       Z12, Z12, Z12
	VPXORQ       Z13, Z13, Z13

sumexp512_loop16:
	CMPQ          CX, $16
	JB            sumexp512_tail
	VMOVUPS       (SI), Z0
	VSUBPS        Z14, Z0, Z0
	EXP_AVX512(Z0, Z1, Z2, Z3, Z4)
	VCVTPS2PD     Y3, Z1
	VEXTRACTF64X4 $1, Z3, Y2
	VCVTPS2PD     Y2, Z2
	VADDPD        Z1, Z12, Z12
	VADDPD        Z2, Z13, Z13
	ADDQ          $64, SI
	SUBQ          $16, CX
	JMP           sumexp512_loop16

sumexp512_tail:
	TESTQ         CX, CX
	JZ            sumexp512_done
	LOAD_TAIL_KMASK
	VMOVUPS.Z     (SI), K1, Z0
	VSUBPS        Z14, Z0, Z0
	EXP_AVX512(Z0, Z1, Z2, Z3, Z4)
	VMOVAPS.Z     Z3, K1, Z3
	VCVTPS2PD     Y3, Z1
	VEXTRACTF64X4 $1, Z3, Y2
	VCVTPS2PD     Y2, Z2
	VADDPD        Z1, Z12, Z12
	VADDPD        Z2, Z13, Z13

sumexp512_done:
	VADDPD        Z13, Z12, Z12
	VEXTRACTF64X4 $1, Z12, Y1
	VADDPD        Y1, Y12, Y12
	VEXTRACTF128  $1, Y12, X1
	VADDPD        X1, X12, X12
	VUNPCKHPD     X12, X12, X1
	VADDSD        X1, X12, X12
	VMOVSD        X12, ret+32(FP)
	VZEROUPPER
	RET

// func sigmoidDotAVX512(v, a []float32) float32
// Requires: AVX512F
// As sigmoidDotAVX2 with 16 lanes: 64 elements per iteration as four
// independent chains (inputs Z4, Z11, Z18, Z25, each followed by five
// scratch registers and its sigmoid in Z10, Z17, Z24, Z31; the chains take
// turns with K2, each using it before the next one sets it), FMAed with v
// into the accumulators Z0..Z3; then 16 at a time into Z0; the accumulators
// are summed into Z0 and the 1..15 remaining elements are loaded with
// zero-masking under K1 (padding lanes add 0*sigmoid(0) = 0). Z0 is folded
// to one float by halves (only Z0..Z3 and their low parts are used as YMM
// and XMM, so no AVX512VL instruction is needed).
// DI = v, SI = a, CX = elements left.
TEXT ·sigmoidDotAVX512(SB), NOSPLIT, $0-52
	MOVQ   v_base+0(FP), DI
	MOVQ   a_base+24(FP), SI
	MOVQ   a_len+32(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3

sigdot512_loop64:
	CMPQ        CX, $64
	JB          sigdot512_loop16
	VMOVUPS     (SI), Z4
	VMOVUPS     64(SI), Z11
	VMOVUPS     128(SI), Z18
	VMOVUPS     192(SI), Z25
	SIGMOID_AVX512(Z4, Z5, Z6, Z7, Z8, Z9, Z10)
	SIGMOID_AVX512(Z11, Z12, Z13, Z14, Z15, Z16, Z17)
	SIGMOID_AVX512(Z18, Z19, Z20, Z21, Z22, Z23, Z24)
	SIGMOID_AVX512(Z25, Z26, Z27, Z28, Z29, Z30, Z31)
	VFMADD231PS (DI), Z10, Z0
	VFMADD231PS 64(DI), Z17, Z1
	VFMADD231PS 128(DI), Z24, Z2
	VFMADD231PS 192(DI), Z31, Z3
	ADDQ        $256, SI
	ADDQ        $256, DI
	SUBQ        $64, CX
	JMP         sigdot512_loop64

sigdot512_loop16:
	CMPQ        CX, $16
	JB          sigdot512_tail
	VMOVUPS     (SI), Z4
	SIGMOID_AVX512(Z4, Z5, Z6, Z7, Z8, Z9, Z10)
	VFMADD231PS (DI), Z10, Z0
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         sigdot512_loop16

sigdot512_tail:
	VADDPS      Z1, Z0, Z0
	VADDPS      Z3, Z2, Z2
	VADDPS      Z2, Z0, Z0
	TESTQ       CX, CX
	JZ          sigdot512_fold
	LOAD_TAIL_KMASK
	VMOVUPS.Z   (SI), K1, Z4
	SIGMOID_AVX512(Z4, Z5, Z6, Z7, Z8, Z9, Z10)
	VMOVUPS.Z   (DI), K1, Z11
	VFMADD231PS Z11, Z10, Z0

sigdot512_fold:
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VPERMILPS     $0x4e, X0, X1
	VADDPS        X1, X0, X0
	VPERMILPS     $0xb1, X0, X1
	VADDSS        X1, X0, X0
	VMOVSS        X0, ret+48(FP)
	VZEROUPPER
	RET
