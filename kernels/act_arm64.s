//go:build !purego

#include "textflag.h"

// NEON activation kernels. Each computes, lane by lane, the float32
// algorithm of the generic kernel in act_generic.go (exp32, sigmoid32,
// tanh32, softplus32 / log1pUnit), with a*b+c fused into FMA, so the error
// bounds stated in act.go hold. Floating-point vector instructions are
// emitted as WORD with GNU syntax in the comment (llvm-mc -triple=aarch64
// -show-encoding reproduces each).
//
// The elementwise kernels take len(x) a multiple of 8 (the Go wrappers in
// kernels_arm64.go run the tail through a padded buffer) and process two
// vectors per iteration: the two independent chains are interleaved, set 0
// in V16-V23 and set 1 in V24-V31, with the same roles.
//
// Constant registers (loaded from neonActK, 4 constants per register, used
// by element or broadcast):
//	V0 [expMin, expMax, log2e, ln2Hi]   V1 [ln2Lo, P0, P1, P2]
//	V2 [P3, P4, P5, 1]                  V3 [tanhSmall, Q0, Q1, Q2]
//	V4 [Q3, Q4, sqrt2m1, 0.5]           V5 [L0, L1, L2, L3]
//	V6 [L4, L5, L6, L7]                 V7 [L8, -0.5, 2, 0]
//	V8 expMin, V9 expMax, V10 1.0, V11 int32 127 (broadcast)
//	V12 0.0, V13 0x80000000 (sign bit), V14 tanhSmall or sqrt2m1 (broadcast)
//	(V12-V15 hold accumulators instead in the reductions; see each routine)
// R0 dst, R1 x (R4 second input), R2 loop counter, R3 constant table.
//
// Per-set temporaries, in register order from V16 (set 0) and V24 (set 1):
//	exp:        x (in, out), n (rint, then k2 bits), p (polynomial), t
//	sigmoid:    x, n, p, t, e (exp32(-|x|)), s (1/(1+e)), m (sign mask, out)
//	tanh:       x, a (|x|, then exp32(-2|x|)), m (|x| < 0.625, out), z (x*x),
//	            q (polynomial result), w, n, p
//	softplus:   x (in, out), e, f, k (mask, then 0 or 1), z (f*f), p, q
//	sigmoidDot: as sigmoid, plus v (the weights) in V23 / V31
// The code was generated (each WORD's comment is its instruction); the two
// sets' copies of each instruction are adjacent.

// func expNEON(dst, x []float32)
// Requires: NEON (ASIMD)
//
// dst[i] = exp32(x[i]) for i < len(x), len(x) a multiple of 8.
TEXT ·expNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2
	LSR  $3, R2
	CBZ  R2, exp_done
	MOVD $·neonActK(SB), R3
	VLD1.P 64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e040408 // dup v8.4s, v0.s[0]
	WORD $0x4e0c0409 // dup v9.4s, v0.s[1]
	WORD $0x4e1c044a // dup v10.4s, v2.s[3]
	WORD $0x4f0307eb // movi v11.4s, #127

exp_loop:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R1), [V24.S4]
	// exp32: clamp, n = rint(x*log2e), Cody-Waite r, Cephes P(r), scale by 2^k1 * 2^k2
	WORD $0x4e28f610 // fmax v16.4s, v16.4s, v8.4s
	WORD $0x4e28f718 // fmax v24.4s, v24.4s, v8.4s
	WORD $0x4ea9f610 // fmin v16.4s, v16.4s, v9.4s
	WORD $0x4ea9f718 // fmin v24.4s, v24.4s, v9.4s
	WORD $0x4f809a13 // fmul v19.4s, v16.4s, v0.s[2]
	WORD $0x4f809b1b // fmul v27.4s, v24.4s, v0.s[2]
	WORD $0x4e218a71 // frintn v17.4s, v19.4s
	WORD $0x4e218b79 // frintn v25.4s, v27.4s
	WORD $0x4fa05a30 // fmls v16.4s, v17.4s, v0.s[3]
	WORD $0x4fa05b38 // fmls v24.4s, v25.4s, v0.s[3]
	WORD $0x4f815230 // fmls v16.4s, v17.4s, v1.s[0]
	WORD $0x4f815338 // fmls v24.4s, v25.4s, v1.s[0]
	WORD $0x4e140432 // dup v18.4s, v1.s[2]
	WORD $0x4e14043a // dup v26.4s, v1.s[2]
	WORD $0x4fa11212 // fmla v18.4s, v16.4s, v1.s[1]
	WORD $0x4fa1131a // fmla v26.4s, v24.4s, v1.s[1]
	WORD $0x4e1c0433 // dup v19.4s, v1.s[3]
	WORD $0x4e1c043b // dup v27.4s, v1.s[3]
	WORD $0x4e30ce53 // fmla v19.4s, v18.4s, v16.4s
	WORD $0x4e38cf5b // fmla v27.4s, v26.4s, v24.4s
	WORD $0x4e040452 // dup v18.4s, v2.s[0]
	WORD $0x4e04045a // dup v26.4s, v2.s[0]
	WORD $0x4e30ce72 // fmla v18.4s, v19.4s, v16.4s
	WORD $0x4e38cf7a // fmla v26.4s, v27.4s, v24.4s
	WORD $0x4e0c0453 // dup v19.4s, v2.s[1]
	WORD $0x4e0c045b // dup v27.4s, v2.s[1]
	WORD $0x4e30ce53 // fmla v19.4s, v18.4s, v16.4s
	WORD $0x4e38cf5b // fmla v27.4s, v26.4s, v24.4s
	WORD $0x4e140452 // dup v18.4s, v2.s[2]
	WORD $0x4e14045a // dup v26.4s, v2.s[2]
	WORD $0x4e30ce72 // fmla v18.4s, v19.4s, v16.4s
	WORD $0x4e38cf7a // fmla v26.4s, v27.4s, v24.4s
	WORD $0x6e30de13 // fmul v19.4s, v16.4s, v16.4s
	WORD $0x6e38df1b // fmul v27.4s, v24.4s, v24.4s
	WORD $0x4e33ce50 // fmla v16.4s, v18.4s, v19.4s
	WORD $0x4e3bcf58 // fmla v24.4s, v26.4s, v27.4s
	WORD $0x4e2ad610 // fadd v16.4s, v16.4s, v10.4s
	WORD $0x4e2ad718 // fadd v24.4s, v24.4s, v10.4s
	WORD $0x4ea1ba31 // fcvtzs v17.4s, v17.4s
	WORD $0x4ea1bb39 // fcvtzs v25.4s, v25.4s
	WORD $0x4f3f0633 // sshr v19.4s, v17.4s, #1
	WORD $0x4f3f073b // sshr v27.4s, v25.4s, #1
	WORD $0x6eb38631 // sub v17.4s, v17.4s, v19.4s
	WORD $0x6ebb8739 // sub v25.4s, v25.4s, v27.4s
	WORD $0x4eab8673 // add v19.4s, v19.4s, v11.4s
	WORD $0x4eab877b // add v27.4s, v27.4s, v11.4s
	WORD $0x4eab8631 // add v17.4s, v17.4s, v11.4s
	WORD $0x4eab8739 // add v25.4s, v25.4s, v11.4s
	WORD $0x4f375673 // shl v19.4s, v19.4s, #23
	WORD $0x4f37577b // shl v27.4s, v27.4s, #23
	WORD $0x4f375631 // shl v17.4s, v17.4s, #23
	WORD $0x4f375739 // shl v25.4s, v25.4s, #23
	WORD $0x6e33de10 // fmul v16.4s, v16.4s, v19.4s
	WORD $0x6e3bdf18 // fmul v24.4s, v24.4s, v27.4s
	WORD $0x6e31de10 // fmul v16.4s, v16.4s, v17.4s
	WORD $0x6e39df18 // fmul v24.4s, v24.4s, v25.4s
	VST1.P [V16.S4], 16(R0)
	VST1.P [V24.S4], 16(R0)
	SUBS $1, R2
	BNE  exp_loop

exp_done:
	RET

// func sigmoidNEON(dst, x []float32)
// Requires: NEON (ASIMD)
//
// dst[i] = sigmoid32(x[i]): e = exp32(-|x|), s = 1/(1+e), result s, or e*s
// when the sign bit of x is set. len(x) a multiple of 8.
TEXT ·sigmoidNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2
	LSR  $3, R2
	CBZ  R2, sigmoid_done
	MOVD $·neonActK(SB), R3
	VLD1.P 64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e040408 // dup v8.4s, v0.s[0]
	WORD $0x4e0c0409 // dup v9.4s, v0.s[1]
	WORD $0x4e1c044a // dup v10.4s, v2.s[3]
	WORD $0x4f0307eb // movi v11.4s, #127

sigmoid_loop:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R1), [V24.S4]
	WORD $0x4ea0aa16 // cmlt v22.4s, v16.4s, #0
	WORD $0x4ea0ab1e // cmlt v30.4s, v24.4s, #0
	WORD $0x4ea0fa14 // fabs v20.4s, v16.4s
	WORD $0x4ea0fb1c // fabs v28.4s, v24.4s
	WORD $0x6ea0fa94 // fneg v20.4s, v20.4s
	WORD $0x6ea0fb9c // fneg v28.4s, v28.4s
	// exp32: clamp, n = rint(x*log2e), Cody-Waite r, Cephes P(r), scale by 2^k1 * 2^k2
	WORD $0x4e28f694 // fmax v20.4s, v20.4s, v8.4s
	WORD $0x4e28f79c // fmax v28.4s, v28.4s, v8.4s
	WORD $0x4ea9f694 // fmin v20.4s, v20.4s, v9.4s
	WORD $0x4ea9f79c // fmin v28.4s, v28.4s, v9.4s
	WORD $0x4f809a93 // fmul v19.4s, v20.4s, v0.s[2]
	WORD $0x4f809b9b // fmul v27.4s, v28.4s, v0.s[2]
	WORD $0x4e218a71 // frintn v17.4s, v19.4s
	WORD $0x4e218b79 // frintn v25.4s, v27.4s
	WORD $0x4fa05a34 // fmls v20.4s, v17.4s, v0.s[3]
	WORD $0x4fa05b3c // fmls v28.4s, v25.4s, v0.s[3]
	WORD $0x4f815234 // fmls v20.4s, v17.4s, v1.s[0]
	WORD $0x4f81533c // fmls v28.4s, v25.4s, v1.s[0]
	WORD $0x4e140432 // dup v18.4s, v1.s[2]
	WORD $0x4e14043a // dup v26.4s, v1.s[2]
	WORD $0x4fa11292 // fmla v18.4s, v20.4s, v1.s[1]
	WORD $0x4fa1139a // fmla v26.4s, v28.4s, v1.s[1]
	WORD $0x4e1c0433 // dup v19.4s, v1.s[3]
	WORD $0x4e1c043b // dup v27.4s, v1.s[3]
	WORD $0x4e34ce53 // fmla v19.4s, v18.4s, v20.4s
	WORD $0x4e3ccf5b // fmla v27.4s, v26.4s, v28.4s
	WORD $0x4e040452 // dup v18.4s, v2.s[0]
	WORD $0x4e04045a // dup v26.4s, v2.s[0]
	WORD $0x4e34ce72 // fmla v18.4s, v19.4s, v20.4s
	WORD $0x4e3ccf7a // fmla v26.4s, v27.4s, v28.4s
	WORD $0x4e0c0453 // dup v19.4s, v2.s[1]
	WORD $0x4e0c045b // dup v27.4s, v2.s[1]
	WORD $0x4e34ce53 // fmla v19.4s, v18.4s, v20.4s
	WORD $0x4e3ccf5b // fmla v27.4s, v26.4s, v28.4s
	WORD $0x4e140452 // dup v18.4s, v2.s[2]
	WORD $0x4e14045a // dup v26.4s, v2.s[2]
	WORD $0x4e34ce72 // fmla v18.4s, v19.4s, v20.4s
	WORD $0x4e3ccf7a // fmla v26.4s, v27.4s, v28.4s
	WORD $0x6e34de93 // fmul v19.4s, v20.4s, v20.4s
	WORD $0x6e3cdf9b // fmul v27.4s, v28.4s, v28.4s
	WORD $0x4e33ce54 // fmla v20.4s, v18.4s, v19.4s
	WORD $0x4e3bcf5c // fmla v28.4s, v26.4s, v27.4s
	WORD $0x4e2ad694 // fadd v20.4s, v20.4s, v10.4s
	WORD $0x4e2ad79c // fadd v28.4s, v28.4s, v10.4s
	WORD $0x4ea1ba31 // fcvtzs v17.4s, v17.4s
	WORD $0x4ea1bb39 // fcvtzs v25.4s, v25.4s
	WORD $0x4f3f0633 // sshr v19.4s, v17.4s, #1
	WORD $0x4f3f073b // sshr v27.4s, v25.4s, #1
	WORD $0x6eb38631 // sub v17.4s, v17.4s, v19.4s
	WORD $0x6ebb8739 // sub v25.4s, v25.4s, v27.4s
	WORD $0x4eab8673 // add v19.4s, v19.4s, v11.4s
	WORD $0x4eab877b // add v27.4s, v27.4s, v11.4s
	WORD $0x4eab8631 // add v17.4s, v17.4s, v11.4s
	WORD $0x4eab8739 // add v25.4s, v25.4s, v11.4s
	WORD $0x4f375673 // shl v19.4s, v19.4s, #23
	WORD $0x4f37577b // shl v27.4s, v27.4s, #23
	WORD $0x4f375631 // shl v17.4s, v17.4s, #23
	WORD $0x4f375739 // shl v25.4s, v25.4s, #23
	WORD $0x6e33de94 // fmul v20.4s, v20.4s, v19.4s
	WORD $0x6e3bdf9c // fmul v28.4s, v28.4s, v27.4s
	WORD $0x6e31de94 // fmul v20.4s, v20.4s, v17.4s
	WORD $0x6e39df9c // fmul v28.4s, v28.4s, v25.4s
	WORD $0x4e2ad693 // fadd v19.4s, v20.4s, v10.4s
	WORD $0x4e2ad79b // fadd v27.4s, v28.4s, v10.4s
	WORD $0x6e33fd55 // fdiv v21.4s, v10.4s, v19.4s
	WORD $0x6e3bfd5d // fdiv v29.4s, v10.4s, v27.4s
	WORD $0x6e35de94 // fmul v20.4s, v20.4s, v21.4s
	WORD $0x6e3ddf9c // fmul v28.4s, v28.4s, v29.4s
	WORD $0x6e751e96 // bsl v22.16b, v20.16b, v21.16b
	WORD $0x6e7d1f9e // bsl v30.16b, v28.16b, v29.16b
	VST1.P [V22.S4], 16(R0)
	VST1.P [V30.S4], 16(R0)
	SUBS $1, R2
	BNE  sigmoid_loop

sigmoid_done:
	RET

// func tanhNEON(dst, x []float32)
// Requires: NEON (ASIMD)
//
// dst[i] = tanh32(x[i]): both branches (the Cephes polynomial for
// |x| < 0.625, (1-e)/(1+e) with e = exp32(-2|x|) otherwise) blended on
// |x| < 0.625, then the sign bit of x ORed in. len(x) a multiple of 8.
TEXT ·tanhNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2
	LSR  $3, R2
	CBZ  R2, tanh_done
	MOVD $·neonActK(SB), R3
	VLD1.P 64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e040408 // dup v8.4s, v0.s[0]
	WORD $0x4e0c0409 // dup v9.4s, v0.s[1]
	WORD $0x4e1c044a // dup v10.4s, v2.s[3]
	WORD $0x4f0307eb // movi v11.4s, #127
	WORD $0x4e04046e // dup v14.4s, v3.s[0]
	WORD $0x4f04640d // movi v13.4s, #0x80, lsl #24

tanh_loop:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R1), [V24.S4]
	WORD $0x4ea0fa11 // fabs v17.4s, v16.4s
	WORD $0x4ea0fb19 // fabs v25.4s, v24.4s
	WORD $0x6eb1e5d2 // fcmgt v18.4s, v14.4s, v17.4s
	WORD $0x6eb9e5da // fcmgt v26.4s, v14.4s, v25.4s
	// small branch: x + (Q(z)*z)*x, z = x*x
	WORD $0x6e30de13 // fmul v19.4s, v16.4s, v16.4s
	WORD $0x6e38df1b // fmul v27.4s, v24.4s, v24.4s
	WORD $0x4e140474 // dup v20.4s, v3.s[2]
	WORD $0x4e14047c // dup v28.4s, v3.s[2]
	WORD $0x4fa31274 // fmla v20.4s, v19.4s, v3.s[1]
	WORD $0x4fa3137c // fmla v28.4s, v27.4s, v3.s[1]
	WORD $0x4e1c0475 // dup v21.4s, v3.s[3]
	WORD $0x4e1c047d // dup v29.4s, v3.s[3]
	WORD $0x4e33ce95 // fmla v21.4s, v20.4s, v19.4s
	WORD $0x4e3bcf9d // fmla v29.4s, v28.4s, v27.4s
	WORD $0x4e040494 // dup v20.4s, v4.s[0]
	WORD $0x4e04049c // dup v28.4s, v4.s[0]
	WORD $0x4e33ceb4 // fmla v20.4s, v21.4s, v19.4s
	WORD $0x4e3bcfbc // fmla v28.4s, v29.4s, v27.4s
	WORD $0x4e0c0495 // dup v21.4s, v4.s[1]
	WORD $0x4e0c049d // dup v29.4s, v4.s[1]
	WORD $0x4e33ce95 // fmla v21.4s, v20.4s, v19.4s
	WORD $0x4e3bcf9d // fmla v29.4s, v28.4s, v27.4s
	WORD $0x6e33deb5 // fmul v21.4s, v21.4s, v19.4s
	WORD $0x6e3bdfbd // fmul v29.4s, v29.4s, v27.4s
	WORD $0x4eb01e14 // mov v20.16b, v16.16b
	WORD $0x4eb81f1c // mov v28.16b, v24.16b
	WORD $0x4e30ceb4 // fmla v20.4s, v21.4s, v16.4s
	WORD $0x4e38cfbc // fmla v28.4s, v29.4s, v24.4s
	// large branch: e = exp32(-2|x|), (1-e)/(1+e)
	WORD $0x4f879a31 // fmul v17.4s, v17.4s, v7.s[2]
	WORD $0x4f879b39 // fmul v25.4s, v25.4s, v7.s[2]
	WORD $0x6ea0fa31 // fneg v17.4s, v17.4s
	WORD $0x6ea0fb39 // fneg v25.4s, v25.4s
	// exp32: clamp, n = rint(x*log2e), Cody-Waite r, Cephes P(r), scale by 2^k1 * 2^k2
	WORD $0x4e28f631 // fmax v17.4s, v17.4s, v8.4s
	WORD $0x4e28f739 // fmax v25.4s, v25.4s, v8.4s
	WORD $0x4ea9f631 // fmin v17.4s, v17.4s, v9.4s
	WORD $0x4ea9f739 // fmin v25.4s, v25.4s, v9.4s
	WORD $0x4f809a33 // fmul v19.4s, v17.4s, v0.s[2]
	WORD $0x4f809b3b // fmul v27.4s, v25.4s, v0.s[2]
	WORD $0x4e218a76 // frintn v22.4s, v19.4s
	WORD $0x4e218b7e // frintn v30.4s, v27.4s
	WORD $0x4fa05ad1 // fmls v17.4s, v22.4s, v0.s[3]
	WORD $0x4fa05bd9 // fmls v25.4s, v30.4s, v0.s[3]
	WORD $0x4f8152d1 // fmls v17.4s, v22.4s, v1.s[0]
	WORD $0x4f8153d9 // fmls v25.4s, v30.4s, v1.s[0]
	WORD $0x4e140437 // dup v23.4s, v1.s[2]
	WORD $0x4e14043f // dup v31.4s, v1.s[2]
	WORD $0x4fa11237 // fmla v23.4s, v17.4s, v1.s[1]
	WORD $0x4fa1133f // fmla v31.4s, v25.4s, v1.s[1]
	WORD $0x4e1c0433 // dup v19.4s, v1.s[3]
	WORD $0x4e1c043b // dup v27.4s, v1.s[3]
	WORD $0x4e31cef3 // fmla v19.4s, v23.4s, v17.4s
	WORD $0x4e39cffb // fmla v27.4s, v31.4s, v25.4s
	WORD $0x4e040457 // dup v23.4s, v2.s[0]
	WORD $0x4e04045f // dup v31.4s, v2.s[0]
	WORD $0x4e31ce77 // fmla v23.4s, v19.4s, v17.4s
	WORD $0x4e39cf7f // fmla v31.4s, v27.4s, v25.4s
	WORD $0x4e0c0453 // dup v19.4s, v2.s[1]
	WORD $0x4e0c045b // dup v27.4s, v2.s[1]
	WORD $0x4e31cef3 // fmla v19.4s, v23.4s, v17.4s
	WORD $0x4e39cffb // fmla v27.4s, v31.4s, v25.4s
	WORD $0x4e140457 // dup v23.4s, v2.s[2]
	WORD $0x4e14045f // dup v31.4s, v2.s[2]
	WORD $0x4e31ce77 // fmla v23.4s, v19.4s, v17.4s
	WORD $0x4e39cf7f // fmla v31.4s, v27.4s, v25.4s
	WORD $0x6e31de33 // fmul v19.4s, v17.4s, v17.4s
	WORD $0x6e39df3b // fmul v27.4s, v25.4s, v25.4s
	WORD $0x4e33cef1 // fmla v17.4s, v23.4s, v19.4s
	WORD $0x4e3bcff9 // fmla v25.4s, v31.4s, v27.4s
	WORD $0x4e2ad631 // fadd v17.4s, v17.4s, v10.4s
	WORD $0x4e2ad739 // fadd v25.4s, v25.4s, v10.4s
	WORD $0x4ea1bad6 // fcvtzs v22.4s, v22.4s
	WORD $0x4ea1bbde // fcvtzs v30.4s, v30.4s
	WORD $0x4f3f06d3 // sshr v19.4s, v22.4s, #1
	WORD $0x4f3f07db // sshr v27.4s, v30.4s, #1
	WORD $0x6eb386d6 // sub v22.4s, v22.4s, v19.4s
	WORD $0x6ebb87de // sub v30.4s, v30.4s, v27.4s
	WORD $0x4eab8673 // add v19.4s, v19.4s, v11.4s
	WORD $0x4eab877b // add v27.4s, v27.4s, v11.4s
	WORD $0x4eab86d6 // add v22.4s, v22.4s, v11.4s
	WORD $0x4eab87de // add v30.4s, v30.4s, v11.4s
	WORD $0x4f375673 // shl v19.4s, v19.4s, #23
	WORD $0x4f37577b // shl v27.4s, v27.4s, #23
	WORD $0x4f3756d6 // shl v22.4s, v22.4s, #23
	WORD $0x4f3757de // shl v30.4s, v30.4s, #23
	WORD $0x6e33de31 // fmul v17.4s, v17.4s, v19.4s
	WORD $0x6e3bdf39 // fmul v25.4s, v25.4s, v27.4s
	WORD $0x6e36de31 // fmul v17.4s, v17.4s, v22.4s
	WORD $0x6e3edf39 // fmul v25.4s, v25.4s, v30.4s
	WORD $0x4eb1d556 // fsub v22.4s, v10.4s, v17.4s
	WORD $0x4eb9d55e // fsub v30.4s, v10.4s, v25.4s
	WORD $0x4e31d557 // fadd v23.4s, v10.4s, v17.4s
	WORD $0x4e39d55f // fadd v31.4s, v10.4s, v25.4s
	WORD $0x6e37fed6 // fdiv v22.4s, v22.4s, v23.4s
	WORD $0x6e3fffde // fdiv v30.4s, v30.4s, v31.4s
	WORD $0x6e761e92 // bsl v18.16b, v20.16b, v22.16b
	WORD $0x6e7e1f9a // bsl v26.16b, v28.16b, v30.16b
	WORD $0x4e2d1e10 // and v16.16b, v16.16b, v13.16b
	WORD $0x4e2d1f18 // and v24.16b, v24.16b, v13.16b
	WORD $0x4eb01e52 // orr v18.16b, v18.16b, v16.16b
	WORD $0x4eb81f5a // orr v26.16b, v26.16b, v24.16b
	VST1.P [V18.S4], 16(R0)
	VST1.P [V26.S4], 16(R0)
	SUBS $1, R2
	BNE  tanh_loop

tanh_done:
	RET

// func softplusNEON(dst, x []float32)
// Requires: NEON (ASIMD)
//
// dst[i] = softplus32(x[i]) = max(x, 0) + log1pUnit(exp32(-|x|)).
// len(x) a multiple of 8.
TEXT ·softplusNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2
	LSR  $3, R2
	CBZ  R2, softplus_done
	MOVD $·neonActK(SB), R3
	VLD1.P 64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e040408 // dup v8.4s, v0.s[0]
	WORD $0x4e0c0409 // dup v9.4s, v0.s[1]
	WORD $0x4e1c044a // dup v10.4s, v2.s[3]
	WORD $0x4f0307eb // movi v11.4s, #127
	WORD $0x4e14048e // dup v14.4s, v4.s[2]
	WORD $0x6f00e40c // movi v12.2d, #0

softplus_loop:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R1), [V24.S4]
	WORD $0x4ea0fa11 // fabs v17.4s, v16.4s
	WORD $0x4ea0fb19 // fabs v25.4s, v24.4s
	WORD $0x4e2cf610 // fmax v16.4s, v16.4s, v12.4s
	WORD $0x4e2cf718 // fmax v24.4s, v24.4s, v12.4s
	WORD $0x6ea0fa31 // fneg v17.4s, v17.4s
	WORD $0x6ea0fb39 // fneg v25.4s, v25.4s
	// exp32: clamp, n = rint(x*log2e), Cody-Waite r, Cephes P(r), scale by 2^k1 * 2^k2
	WORD $0x4e28f631 // fmax v17.4s, v17.4s, v8.4s
	WORD $0x4e28f739 // fmax v25.4s, v25.4s, v8.4s
	WORD $0x4ea9f631 // fmin v17.4s, v17.4s, v9.4s
	WORD $0x4ea9f739 // fmin v25.4s, v25.4s, v9.4s
	WORD $0x4f809a34 // fmul v20.4s, v17.4s, v0.s[2]
	WORD $0x4f809b3c // fmul v28.4s, v25.4s, v0.s[2]
	WORD $0x4e218a92 // frintn v18.4s, v20.4s
	WORD $0x4e218b9a // frintn v26.4s, v28.4s
	WORD $0x4fa05a51 // fmls v17.4s, v18.4s, v0.s[3]
	WORD $0x4fa05b59 // fmls v25.4s, v26.4s, v0.s[3]
	WORD $0x4f815251 // fmls v17.4s, v18.4s, v1.s[0]
	WORD $0x4f815359 // fmls v25.4s, v26.4s, v1.s[0]
	WORD $0x4e140433 // dup v19.4s, v1.s[2]
	WORD $0x4e14043b // dup v27.4s, v1.s[2]
	WORD $0x4fa11233 // fmla v19.4s, v17.4s, v1.s[1]
	WORD $0x4fa1133b // fmla v27.4s, v25.4s, v1.s[1]
	WORD $0x4e1c0434 // dup v20.4s, v1.s[3]
	WORD $0x4e1c043c // dup v28.4s, v1.s[3]
	WORD $0x4e31ce74 // fmla v20.4s, v19.4s, v17.4s
	WORD $0x4e39cf7c // fmla v28.4s, v27.4s, v25.4s
	WORD $0x4e040453 // dup v19.4s, v2.s[0]
	WORD $0x4e04045b // dup v27.4s, v2.s[0]
	WORD $0x4e31ce93 // fmla v19.4s, v20.4s, v17.4s
	WORD $0x4e39cf9b // fmla v27.4s, v28.4s, v25.4s
	WORD $0x4e0c0454 // dup v20.4s, v2.s[1]
	WORD $0x4e0c045c // dup v28.4s, v2.s[1]
	WORD $0x4e31ce74 // fmla v20.4s, v19.4s, v17.4s
	WORD $0x4e39cf7c // fmla v28.4s, v27.4s, v25.4s
	WORD $0x4e140453 // dup v19.4s, v2.s[2]
	WORD $0x4e14045b // dup v27.4s, v2.s[2]
	WORD $0x4e31ce93 // fmla v19.4s, v20.4s, v17.4s
	WORD $0x4e39cf9b // fmla v27.4s, v28.4s, v25.4s
	WORD $0x6e31de34 // fmul v20.4s, v17.4s, v17.4s
	WORD $0x6e39df3c // fmul v28.4s, v25.4s, v25.4s
	WORD $0x4e34ce71 // fmla v17.4s, v19.4s, v20.4s
	WORD $0x4e3ccf79 // fmla v25.4s, v27.4s, v28.4s
	WORD $0x4e2ad631 // fadd v17.4s, v17.4s, v10.4s
	WORD $0x4e2ad739 // fadd v25.4s, v25.4s, v10.4s
	WORD $0x4ea1ba52 // fcvtzs v18.4s, v18.4s
	WORD $0x4ea1bb5a // fcvtzs v26.4s, v26.4s
	WORD $0x4f3f0654 // sshr v20.4s, v18.4s, #1
	WORD $0x4f3f075c // sshr v28.4s, v26.4s, #1
	WORD $0x6eb48652 // sub v18.4s, v18.4s, v20.4s
	WORD $0x6ebc875a // sub v26.4s, v26.4s, v28.4s
	WORD $0x4eab8694 // add v20.4s, v20.4s, v11.4s
	WORD $0x4eab879c // add v28.4s, v28.4s, v11.4s
	WORD $0x4eab8652 // add v18.4s, v18.4s, v11.4s
	WORD $0x4eab875a // add v26.4s, v26.4s, v11.4s
	WORD $0x4f375694 // shl v20.4s, v20.4s, #23
	WORD $0x4f37579c // shl v28.4s, v28.4s, #23
	WORD $0x4f375652 // shl v18.4s, v18.4s, #23
	WORD $0x4f37575a // shl v26.4s, v26.4s, #23
	WORD $0x6e34de31 // fmul v17.4s, v17.4s, v20.4s
	WORD $0x6e3cdf39 // fmul v25.4s, v25.4s, v28.4s
	WORD $0x6e32de31 // fmul v17.4s, v17.4s, v18.4s
	WORD $0x6e3adf39 // fmul v25.4s, v25.4s, v26.4s
	// log1pUnit(e): f = e or (e-1)/2, k = 0 or 1 (e >= sqrt2-1), Cephes log L(f)
	WORD $0x6e2ee633 // fcmge v19.4s, v17.4s, v14.4s
	WORD $0x6e2ee73b // fcmge v27.4s, v25.4s, v14.4s
	WORD $0x4eaad632 // fsub v18.4s, v17.4s, v10.4s
	WORD $0x4eaad73a // fsub v26.4s, v25.4s, v10.4s
	WORD $0x4fa49a52 // fmul v18.4s, v18.4s, v4.s[3]
	WORD $0x4fa49b5a // fmul v26.4s, v26.4s, v4.s[3]
	WORD $0x6ef31e32 // bif v18.16b, v17.16b, v19.16b
	WORD $0x6efb1f3a // bif v26.16b, v25.16b, v27.16b
	WORD $0x4e2a1e73 // and v19.16b, v19.16b, v10.16b
	WORD $0x4e2a1f7b // and v27.16b, v27.16b, v10.16b
	WORD $0x6e32de54 // fmul v20.4s, v18.4s, v18.4s
	WORD $0x6e3adf5c // fmul v28.4s, v26.4s, v26.4s
	WORD $0x4e0c04b5 // dup v21.4s, v5.s[1]
	WORD $0x4e0c04bd // dup v29.4s, v5.s[1]
	WORD $0x4f851255 // fmla v21.4s, v18.4s, v5.s[0]
	WORD $0x4f85135d // fmla v29.4s, v26.4s, v5.s[0]
	WORD $0x4e1404b6 // dup v22.4s, v5.s[2]
	WORD $0x4e1404be // dup v30.4s, v5.s[2]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x4e1c04b5 // dup v21.4s, v5.s[3]
	WORD $0x4e1c04bd // dup v29.4s, v5.s[3]
	WORD $0x4e32ced5 // fmla v21.4s, v22.4s, v18.4s
	WORD $0x4e3acfdd // fmla v29.4s, v30.4s, v26.4s
	WORD $0x4e0404d6 // dup v22.4s, v6.s[0]
	WORD $0x4e0404de // dup v30.4s, v6.s[0]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x4e0c04d5 // dup v21.4s, v6.s[1]
	WORD $0x4e0c04dd // dup v29.4s, v6.s[1]
	WORD $0x4e32ced5 // fmla v21.4s, v22.4s, v18.4s
	WORD $0x4e3acfdd // fmla v29.4s, v30.4s, v26.4s
	WORD $0x4e1404d6 // dup v22.4s, v6.s[2]
	WORD $0x4e1404de // dup v30.4s, v6.s[2]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x4e1c04d5 // dup v21.4s, v6.s[3]
	WORD $0x4e1c04dd // dup v29.4s, v6.s[3]
	WORD $0x4e32ced5 // fmla v21.4s, v22.4s, v18.4s
	WORD $0x4e3acfdd // fmla v29.4s, v30.4s, v26.4s
	WORD $0x4e0404f6 // dup v22.4s, v7.s[0]
	WORD $0x4e0404fe // dup v30.4s, v7.s[0]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x6e32ded6 // fmul v22.4s, v22.4s, v18.4s
	WORD $0x6e3adfde // fmul v30.4s, v30.4s, v26.4s
	WORD $0x6e34ded6 // fmul v22.4s, v22.4s, v20.4s
	WORD $0x6e3cdfde // fmul v30.4s, v30.4s, v28.4s
	WORD $0x4f811276 // fmla v22.4s, v19.4s, v1.s[0]
	WORD $0x4f81137e // fmla v30.4s, v27.4s, v1.s[0]
	WORD $0x4fa71296 // fmla v22.4s, v20.4s, v7.s[1]
	WORD $0x4fa7139e // fmla v30.4s, v28.4s, v7.s[1]
	WORD $0x4e36d652 // fadd v18.4s, v18.4s, v22.4s
	WORD $0x4e3ed75a // fadd v26.4s, v26.4s, v30.4s
	WORD $0x4fa01a72 // fmla v18.4s, v19.4s, v0.s[3]
	WORD $0x4fa01b7a // fmla v26.4s, v27.4s, v0.s[3]
	WORD $0x4e32d610 // fadd v16.4s, v16.4s, v18.4s
	WORD $0x4e3ad718 // fadd v24.4s, v24.4s, v26.4s
	VST1.P [V16.S4], 16(R0)
	VST1.P [V24.S4], 16(R0)
	SUBS $1, R2
	BNE  softplus_loop

softplus_done:
	RET

// func logSigmoidNEON(dst, x []float32)
// Requires: NEON (ASIMD)
//
// dst[i] = -softplus32(-x[i]). len(x) a multiple of 8.
TEXT ·logSigmoidNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2
	LSR  $3, R2
	CBZ  R2, logSigmoid_done
	MOVD $·neonActK(SB), R3
	VLD1.P 64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e040408 // dup v8.4s, v0.s[0]
	WORD $0x4e0c0409 // dup v9.4s, v0.s[1]
	WORD $0x4e1c044a // dup v10.4s, v2.s[3]
	WORD $0x4f0307eb // movi v11.4s, #127
	WORD $0x4e14048e // dup v14.4s, v4.s[2]
	WORD $0x6f00e40c // movi v12.2d, #0

logSigmoid_loop:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R1), [V24.S4]
	WORD $0x6ea0fa10 // fneg v16.4s, v16.4s
	WORD $0x6ea0fb18 // fneg v24.4s, v24.4s
	WORD $0x4ea0fa11 // fabs v17.4s, v16.4s
	WORD $0x4ea0fb19 // fabs v25.4s, v24.4s
	WORD $0x4e2cf610 // fmax v16.4s, v16.4s, v12.4s
	WORD $0x4e2cf718 // fmax v24.4s, v24.4s, v12.4s
	WORD $0x6ea0fa31 // fneg v17.4s, v17.4s
	WORD $0x6ea0fb39 // fneg v25.4s, v25.4s
	// exp32: clamp, n = rint(x*log2e), Cody-Waite r, Cephes P(r), scale by 2^k1 * 2^k2
	WORD $0x4e28f631 // fmax v17.4s, v17.4s, v8.4s
	WORD $0x4e28f739 // fmax v25.4s, v25.4s, v8.4s
	WORD $0x4ea9f631 // fmin v17.4s, v17.4s, v9.4s
	WORD $0x4ea9f739 // fmin v25.4s, v25.4s, v9.4s
	WORD $0x4f809a34 // fmul v20.4s, v17.4s, v0.s[2]
	WORD $0x4f809b3c // fmul v28.4s, v25.4s, v0.s[2]
	WORD $0x4e218a92 // frintn v18.4s, v20.4s
	WORD $0x4e218b9a // frintn v26.4s, v28.4s
	WORD $0x4fa05a51 // fmls v17.4s, v18.4s, v0.s[3]
	WORD $0x4fa05b59 // fmls v25.4s, v26.4s, v0.s[3]
	WORD $0x4f815251 // fmls v17.4s, v18.4s, v1.s[0]
	WORD $0x4f815359 // fmls v25.4s, v26.4s, v1.s[0]
	WORD $0x4e140433 // dup v19.4s, v1.s[2]
	WORD $0x4e14043b // dup v27.4s, v1.s[2]
	WORD $0x4fa11233 // fmla v19.4s, v17.4s, v1.s[1]
	WORD $0x4fa1133b // fmla v27.4s, v25.4s, v1.s[1]
	WORD $0x4e1c0434 // dup v20.4s, v1.s[3]
	WORD $0x4e1c043c // dup v28.4s, v1.s[3]
	WORD $0x4e31ce74 // fmla v20.4s, v19.4s, v17.4s
	WORD $0x4e39cf7c // fmla v28.4s, v27.4s, v25.4s
	WORD $0x4e040453 // dup v19.4s, v2.s[0]
	WORD $0x4e04045b // dup v27.4s, v2.s[0]
	WORD $0x4e31ce93 // fmla v19.4s, v20.4s, v17.4s
	WORD $0x4e39cf9b // fmla v27.4s, v28.4s, v25.4s
	WORD $0x4e0c0454 // dup v20.4s, v2.s[1]
	WORD $0x4e0c045c // dup v28.4s, v2.s[1]
	WORD $0x4e31ce74 // fmla v20.4s, v19.4s, v17.4s
	WORD $0x4e39cf7c // fmla v28.4s, v27.4s, v25.4s
	WORD $0x4e140453 // dup v19.4s, v2.s[2]
	WORD $0x4e14045b // dup v27.4s, v2.s[2]
	WORD $0x4e31ce93 // fmla v19.4s, v20.4s, v17.4s
	WORD $0x4e39cf9b // fmla v27.4s, v28.4s, v25.4s
	WORD $0x6e31de34 // fmul v20.4s, v17.4s, v17.4s
	WORD $0x6e39df3c // fmul v28.4s, v25.4s, v25.4s
	WORD $0x4e34ce71 // fmla v17.4s, v19.4s, v20.4s
	WORD $0x4e3ccf79 // fmla v25.4s, v27.4s, v28.4s
	WORD $0x4e2ad631 // fadd v17.4s, v17.4s, v10.4s
	WORD $0x4e2ad739 // fadd v25.4s, v25.4s, v10.4s
	WORD $0x4ea1ba52 // fcvtzs v18.4s, v18.4s
	WORD $0x4ea1bb5a // fcvtzs v26.4s, v26.4s
	WORD $0x4f3f0654 // sshr v20.4s, v18.4s, #1
	WORD $0x4f3f075c // sshr v28.4s, v26.4s, #1
	WORD $0x6eb48652 // sub v18.4s, v18.4s, v20.4s
	WORD $0x6ebc875a // sub v26.4s, v26.4s, v28.4s
	WORD $0x4eab8694 // add v20.4s, v20.4s, v11.4s
	WORD $0x4eab879c // add v28.4s, v28.4s, v11.4s
	WORD $0x4eab8652 // add v18.4s, v18.4s, v11.4s
	WORD $0x4eab875a // add v26.4s, v26.4s, v11.4s
	WORD $0x4f375694 // shl v20.4s, v20.4s, #23
	WORD $0x4f37579c // shl v28.4s, v28.4s, #23
	WORD $0x4f375652 // shl v18.4s, v18.4s, #23
	WORD $0x4f37575a // shl v26.4s, v26.4s, #23
	WORD $0x6e34de31 // fmul v17.4s, v17.4s, v20.4s
	WORD $0x6e3cdf39 // fmul v25.4s, v25.4s, v28.4s
	WORD $0x6e32de31 // fmul v17.4s, v17.4s, v18.4s
	WORD $0x6e3adf39 // fmul v25.4s, v25.4s, v26.4s
	// log1pUnit(e): f = e or (e-1)/2, k = 0 or 1 (e >= sqrt2-1), Cephes log L(f)
	WORD $0x6e2ee633 // fcmge v19.4s, v17.4s, v14.4s
	WORD $0x6e2ee73b // fcmge v27.4s, v25.4s, v14.4s
	WORD $0x4eaad632 // fsub v18.4s, v17.4s, v10.4s
	WORD $0x4eaad73a // fsub v26.4s, v25.4s, v10.4s
	WORD $0x4fa49a52 // fmul v18.4s, v18.4s, v4.s[3]
	WORD $0x4fa49b5a // fmul v26.4s, v26.4s, v4.s[3]
	WORD $0x6ef31e32 // bif v18.16b, v17.16b, v19.16b
	WORD $0x6efb1f3a // bif v26.16b, v25.16b, v27.16b
	WORD $0x4e2a1e73 // and v19.16b, v19.16b, v10.16b
	WORD $0x4e2a1f7b // and v27.16b, v27.16b, v10.16b
	WORD $0x6e32de54 // fmul v20.4s, v18.4s, v18.4s
	WORD $0x6e3adf5c // fmul v28.4s, v26.4s, v26.4s
	WORD $0x4e0c04b5 // dup v21.4s, v5.s[1]
	WORD $0x4e0c04bd // dup v29.4s, v5.s[1]
	WORD $0x4f851255 // fmla v21.4s, v18.4s, v5.s[0]
	WORD $0x4f85135d // fmla v29.4s, v26.4s, v5.s[0]
	WORD $0x4e1404b6 // dup v22.4s, v5.s[2]
	WORD $0x4e1404be // dup v30.4s, v5.s[2]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x4e1c04b5 // dup v21.4s, v5.s[3]
	WORD $0x4e1c04bd // dup v29.4s, v5.s[3]
	WORD $0x4e32ced5 // fmla v21.4s, v22.4s, v18.4s
	WORD $0x4e3acfdd // fmla v29.4s, v30.4s, v26.4s
	WORD $0x4e0404d6 // dup v22.4s, v6.s[0]
	WORD $0x4e0404de // dup v30.4s, v6.s[0]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x4e0c04d5 // dup v21.4s, v6.s[1]
	WORD $0x4e0c04dd // dup v29.4s, v6.s[1]
	WORD $0x4e32ced5 // fmla v21.4s, v22.4s, v18.4s
	WORD $0x4e3acfdd // fmla v29.4s, v30.4s, v26.4s
	WORD $0x4e1404d6 // dup v22.4s, v6.s[2]
	WORD $0x4e1404de // dup v30.4s, v6.s[2]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x4e1c04d5 // dup v21.4s, v6.s[3]
	WORD $0x4e1c04dd // dup v29.4s, v6.s[3]
	WORD $0x4e32ced5 // fmla v21.4s, v22.4s, v18.4s
	WORD $0x4e3acfdd // fmla v29.4s, v30.4s, v26.4s
	WORD $0x4e0404f6 // dup v22.4s, v7.s[0]
	WORD $0x4e0404fe // dup v30.4s, v7.s[0]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x6e32ded6 // fmul v22.4s, v22.4s, v18.4s
	WORD $0x6e3adfde // fmul v30.4s, v30.4s, v26.4s
	WORD $0x6e34ded6 // fmul v22.4s, v22.4s, v20.4s
	WORD $0x6e3cdfde // fmul v30.4s, v30.4s, v28.4s
	WORD $0x4f811276 // fmla v22.4s, v19.4s, v1.s[0]
	WORD $0x4f81137e // fmla v30.4s, v27.4s, v1.s[0]
	WORD $0x4fa71296 // fmla v22.4s, v20.4s, v7.s[1]
	WORD $0x4fa7139e // fmla v30.4s, v28.4s, v7.s[1]
	WORD $0x4e36d652 // fadd v18.4s, v18.4s, v22.4s
	WORD $0x4e3ed75a // fadd v26.4s, v26.4s, v30.4s
	WORD $0x4fa01a72 // fmla v18.4s, v19.4s, v0.s[3]
	WORD $0x4fa01b7a // fmla v26.4s, v27.4s, v0.s[3]
	WORD $0x4e32d610 // fadd v16.4s, v16.4s, v18.4s
	WORD $0x4e3ad718 // fadd v24.4s, v24.4s, v26.4s
	WORD $0x6ea0fa10 // fneg v16.4s, v16.4s
	WORD $0x6ea0fb18 // fneg v24.4s, v24.4s
	VST1.P [V16.S4], 16(R0)
	VST1.P [V24.S4], 16(R0)
	SUBS $1, R2
	BNE  logSigmoid_loop

logSigmoid_done:
	RET

// func reluNEON(dst, x []float32)
// Requires: NEON (ASIMD)
//
// dst[i] = x[i] < 0 ? 0 : x[i] (so -0 and NaN pass unchanged) for any
// len(x): 16 per iteration (FCMLT #0 mask, BIC), then 4, then scalar
// through lane 0. R0 dst, R1 x, R2 n, R3 loop counter.
TEXT ·reluNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2
	LSR  $4, R2, R3
	CBZ  R3, relu_tail4

relu_loop16:
	VLD1.P 64(R1), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4ea0ea14 // fcmlt v20.4s, v16.4s, #0.0
	WORD $0x4ea0ea35 // fcmlt v21.4s, v17.4s, #0.0
	WORD $0x4ea0ea56 // fcmlt v22.4s, v18.4s, #0.0
	WORD $0x4ea0ea77 // fcmlt v23.4s, v19.4s, #0.0
	WORD $0x4e741e10 // bic v16.16b, v16.16b, v20.16b
	WORD $0x4e751e31 // bic v17.16b, v17.16b, v21.16b
	WORD $0x4e761e52 // bic v18.16b, v18.16b, v22.16b
	WORD $0x4e771e73 // bic v19.16b, v19.16b, v23.16b
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R0)
	SUBS   $1, R3
	BNE    relu_loop16

relu_tail4:
	UBFX $2, R2, $2, R3
	CBZ  R3, relu_tail1

relu_loop4:
	VLD1.P 16(R1), [V16.S4]
	WORD $0x4ea0ea14 // fcmlt v20.4s, v16.4s, #0.0
	WORD $0x4e741e10 // bic v16.16b, v16.16b, v20.16b
	VST1.P [V16.S4], 16(R0)
	SUBS   $1, R3
	BNE    relu_loop4

relu_tail1:
	ANDS $3, R2, R3
	BEQ  relu_done

relu_loop1:
	FMOVS.P 4(R1), F16
	WORD $0x4ea0ea14 // fcmlt v20.4s, v16.4s, #0.0
	WORD $0x4e741e10 // bic v16.16b, v16.16b, v20.16b
	FMOVS.P F16, 4(R0)
	SUBS    $1, R3
	BNE     relu_loop1

relu_done:
	RET

// func maxNEON(x []float32) float32
// Requires: NEON (ASIMD)
//
// Returns max_i x[i] over len(x) a multiple of 8 (>= 8), NaN if any x[i] is
// NaN: FMAX (which propagates NaN, unlike FMAXNM) into V16/V17, then FMAXV
// across lanes. R1 x, R2 loop counter.
TEXT ·maxNEON(SB), NOSPLIT, $0-28
	MOVD   x_base+0(FP), R1
	MOVD   x_len+8(FP), R2
	LSR    $3, R2
	VLD1.P 32(R1), [V16.S4, V17.S4]
	SUBS   $1, R2
	BEQ    max_reduce

max_loop:
	VLD1.P 32(R1), [V18.S4, V19.S4]
	WORD $0x4e32f610 // fmax v16.4s, v16.4s, v18.4s
	WORD $0x4e33f631 // fmax v17.4s, v17.4s, v19.4s
	SUBS   $1, R2
	BNE    max_loop

max_reduce:
	WORD $0x4e31f610 // fmax v16.4s, v16.4s, v17.4s
	WORD $0x6e30fa00 // fmaxv s0, v16.4s
	FMOVS  F0, ret+24(FP)
	RET

// func sumExpNEON(x []float32, m float32) float64
// Requires: NEON (ASIMD)
//
// Returns sum_i float64(exp32(x[i] - m)) over len(x) a multiple of 8,
// each x[i] - m rounded to float32 (FSUB) and the exponentials widened
// (FCVTL, FCVTL2) into float64 accumulators V12 (low lanes) and V13 (high
// lanes). V14 is m broadcast.
TEXT ·sumExpNEON(SB), NOSPLIT, $0-40
	MOVD x_base+0(FP), R1
	MOVD x_len+8(FP), R2
	FMOVS m+24(FP), F14
	WORD $0x4e0405ce // dup v14.4s, v14.s[0]
	WORD $0x6f00e40c // movi v12.2d, #0
	WORD $0x6f00e40d // movi v13.2d, #0
	LSR  $3, R2
	CBZ  R2, sumexp_done
	MOVD $·neonActK(SB), R3
	VLD1.P 64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e040408 // dup v8.4s, v0.s[0]
	WORD $0x4e0c0409 // dup v9.4s, v0.s[1]
	WORD $0x4e1c044a // dup v10.4s, v2.s[3]
	WORD $0x4f0307eb // movi v11.4s, #127

sumexp_loop:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R1), [V24.S4]
	WORD $0x4eaed610 // fsub v16.4s, v16.4s, v14.4s
	WORD $0x4eaed718 // fsub v24.4s, v24.4s, v14.4s
	// exp32: clamp, n = rint(x*log2e), Cody-Waite r, Cephes P(r), scale by 2^k1 * 2^k2
	WORD $0x4e28f610 // fmax v16.4s, v16.4s, v8.4s
	WORD $0x4e28f718 // fmax v24.4s, v24.4s, v8.4s
	WORD $0x4ea9f610 // fmin v16.4s, v16.4s, v9.4s
	WORD $0x4ea9f718 // fmin v24.4s, v24.4s, v9.4s
	WORD $0x4f809a13 // fmul v19.4s, v16.4s, v0.s[2]
	WORD $0x4f809b1b // fmul v27.4s, v24.4s, v0.s[2]
	WORD $0x4e218a71 // frintn v17.4s, v19.4s
	WORD $0x4e218b79 // frintn v25.4s, v27.4s
	WORD $0x4fa05a30 // fmls v16.4s, v17.4s, v0.s[3]
	WORD $0x4fa05b38 // fmls v24.4s, v25.4s, v0.s[3]
	WORD $0x4f815230 // fmls v16.4s, v17.4s, v1.s[0]
	WORD $0x4f815338 // fmls v24.4s, v25.4s, v1.s[0]
	WORD $0x4e140432 // dup v18.4s, v1.s[2]
	WORD $0x4e14043a // dup v26.4s, v1.s[2]
	WORD $0x4fa11212 // fmla v18.4s, v16.4s, v1.s[1]
	WORD $0x4fa1131a // fmla v26.4s, v24.4s, v1.s[1]
	WORD $0x4e1c0433 // dup v19.4s, v1.s[3]
	WORD $0x4e1c043b // dup v27.4s, v1.s[3]
	WORD $0x4e30ce53 // fmla v19.4s, v18.4s, v16.4s
	WORD $0x4e38cf5b // fmla v27.4s, v26.4s, v24.4s
	WORD $0x4e040452 // dup v18.4s, v2.s[0]
	WORD $0x4e04045a // dup v26.4s, v2.s[0]
	WORD $0x4e30ce72 // fmla v18.4s, v19.4s, v16.4s
	WORD $0x4e38cf7a // fmla v26.4s, v27.4s, v24.4s
	WORD $0x4e0c0453 // dup v19.4s, v2.s[1]
	WORD $0x4e0c045b // dup v27.4s, v2.s[1]
	WORD $0x4e30ce53 // fmla v19.4s, v18.4s, v16.4s
	WORD $0x4e38cf5b // fmla v27.4s, v26.4s, v24.4s
	WORD $0x4e140452 // dup v18.4s, v2.s[2]
	WORD $0x4e14045a // dup v26.4s, v2.s[2]
	WORD $0x4e30ce72 // fmla v18.4s, v19.4s, v16.4s
	WORD $0x4e38cf7a // fmla v26.4s, v27.4s, v24.4s
	WORD $0x6e30de13 // fmul v19.4s, v16.4s, v16.4s
	WORD $0x6e38df1b // fmul v27.4s, v24.4s, v24.4s
	WORD $0x4e33ce50 // fmla v16.4s, v18.4s, v19.4s
	WORD $0x4e3bcf58 // fmla v24.4s, v26.4s, v27.4s
	WORD $0x4e2ad610 // fadd v16.4s, v16.4s, v10.4s
	WORD $0x4e2ad718 // fadd v24.4s, v24.4s, v10.4s
	WORD $0x4ea1ba31 // fcvtzs v17.4s, v17.4s
	WORD $0x4ea1bb39 // fcvtzs v25.4s, v25.4s
	WORD $0x4f3f0633 // sshr v19.4s, v17.4s, #1
	WORD $0x4f3f073b // sshr v27.4s, v25.4s, #1
	WORD $0x6eb38631 // sub v17.4s, v17.4s, v19.4s
	WORD $0x6ebb8739 // sub v25.4s, v25.4s, v27.4s
	WORD $0x4eab8673 // add v19.4s, v19.4s, v11.4s
	WORD $0x4eab877b // add v27.4s, v27.4s, v11.4s
	WORD $0x4eab8631 // add v17.4s, v17.4s, v11.4s
	WORD $0x4eab8739 // add v25.4s, v25.4s, v11.4s
	WORD $0x4f375673 // shl v19.4s, v19.4s, #23
	WORD $0x4f37577b // shl v27.4s, v27.4s, #23
	WORD $0x4f375631 // shl v17.4s, v17.4s, #23
	WORD $0x4f375739 // shl v25.4s, v25.4s, #23
	WORD $0x6e33de10 // fmul v16.4s, v16.4s, v19.4s
	WORD $0x6e3bdf18 // fmul v24.4s, v24.4s, v27.4s
	WORD $0x6e31de10 // fmul v16.4s, v16.4s, v17.4s
	WORD $0x6e39df18 // fmul v24.4s, v24.4s, v25.4s
	WORD $0x0e617a11 // fcvtl v17.2d, v16.2s
	WORD $0x0e617b19 // fcvtl v25.2d, v24.2s
	WORD $0x4e617a12 // fcvtl2 v18.2d, v16.4s
	WORD $0x4e617b1a // fcvtl2 v26.2d, v24.4s
	WORD $0x4e71d58c // fadd v12.2d, v12.2d, v17.2d
	WORD $0x4e79d58c // fadd v12.2d, v12.2d, v25.2d
	WORD $0x4e72d5ad // fadd v13.2d, v13.2d, v18.2d
	WORD $0x4e7ad5ad // fadd v13.2d, v13.2d, v26.2d
	SUBS $1, R2
	BNE  sumexp_loop

sumexp_done:
	WORD $0x4e6dd58c // fadd v12.2d, v12.2d, v13.2d
	WORD $0x7e70d980 // faddp d0, v12.2d
	FMOVD F0, ret+32(FP)
	RET

// func bernoulliNEON(logits, x []float32) float64
// Requires: NEON (ASIMD)
//
// Returns sum_i float64(softplus32((1-2*x[i])*logits[i])) over len(logits)
// a multiple of 8 (the caller negates it). 1-2x is one FMLS (exact for
// x in {0, 1}); the float32 terms are widened (FCVTL, FCVTL2), the halves
// and the two sets added in float64, into the accumulator V15. R4 x.
TEXT ·bernoulliNEON(SB), NOSPLIT, $0-56
	MOVD logits_base+0(FP), R1
	MOVD logits_len+8(FP), R2
	MOVD x_base+24(FP), R4
	WORD $0x6f00e40f // movi v15.2d, #0
	LSR  $3, R2
	CBZ  R2, bern_done
	MOVD $·neonActK(SB), R3
	VLD1.P 64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e040408 // dup v8.4s, v0.s[0]
	WORD $0x4e0c0409 // dup v9.4s, v0.s[1]
	WORD $0x4e1c044a // dup v10.4s, v2.s[3]
	WORD $0x4f0307eb // movi v11.4s, #127
	WORD $0x4e14048e // dup v14.4s, v4.s[2]
	WORD $0x6f00e40c // movi v12.2d, #0

bern_loop:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R1), [V24.S4]
	VLD1.P 16(R4), [V17.S4]
	VLD1.P 16(R4), [V25.S4]
	WORD $0x4eaa1d52 // mov v18.16b, v10.16b
	WORD $0x4eaa1d5a // mov v26.16b, v10.16b
	WORD $0x4f875a32 // fmls v18.4s, v17.4s, v7.s[2]
	WORD $0x4f875b3a // fmls v26.4s, v25.4s, v7.s[2]
	WORD $0x6e32de10 // fmul v16.4s, v16.4s, v18.4s
	WORD $0x6e3adf18 // fmul v24.4s, v24.4s, v26.4s
	WORD $0x4ea0fa11 // fabs v17.4s, v16.4s
	WORD $0x4ea0fb19 // fabs v25.4s, v24.4s
	WORD $0x4e2cf610 // fmax v16.4s, v16.4s, v12.4s
	WORD $0x4e2cf718 // fmax v24.4s, v24.4s, v12.4s
	WORD $0x6ea0fa31 // fneg v17.4s, v17.4s
	WORD $0x6ea0fb39 // fneg v25.4s, v25.4s
	// exp32: clamp, n = rint(x*log2e), Cody-Waite r, Cephes P(r), scale by 2^k1 * 2^k2
	WORD $0x4e28f631 // fmax v17.4s, v17.4s, v8.4s
	WORD $0x4e28f739 // fmax v25.4s, v25.4s, v8.4s
	WORD $0x4ea9f631 // fmin v17.4s, v17.4s, v9.4s
	WORD $0x4ea9f739 // fmin v25.4s, v25.4s, v9.4s
	WORD $0x4f809a34 // fmul v20.4s, v17.4s, v0.s[2]
	WORD $0x4f809b3c // fmul v28.4s, v25.4s, v0.s[2]
	WORD $0x4e218a92 // frintn v18.4s, v20.4s
	WORD $0x4e218b9a // frintn v26.4s, v28.4s
	WORD $0x4fa05a51 // fmls v17.4s, v18.4s, v0.s[3]
	WORD $0x4fa05b59 // fmls v25.4s, v26.4s, v0.s[3]
	WORD $0x4f815251 // fmls v17.4s, v18.4s, v1.s[0]
	WORD $0x4f815359 // fmls v25.4s, v26.4s, v1.s[0]
	WORD $0x4e140433 // dup v19.4s, v1.s[2]
	WORD $0x4e14043b // dup v27.4s, v1.s[2]
	WORD $0x4fa11233 // fmla v19.4s, v17.4s, v1.s[1]
	WORD $0x4fa1133b // fmla v27.4s, v25.4s, v1.s[1]
	WORD $0x4e1c0434 // dup v20.4s, v1.s[3]
	WORD $0x4e1c043c // dup v28.4s, v1.s[3]
	WORD $0x4e31ce74 // fmla v20.4s, v19.4s, v17.4s
	WORD $0x4e39cf7c // fmla v28.4s, v27.4s, v25.4s
	WORD $0x4e040453 // dup v19.4s, v2.s[0]
	WORD $0x4e04045b // dup v27.4s, v2.s[0]
	WORD $0x4e31ce93 // fmla v19.4s, v20.4s, v17.4s
	WORD $0x4e39cf9b // fmla v27.4s, v28.4s, v25.4s
	WORD $0x4e0c0454 // dup v20.4s, v2.s[1]
	WORD $0x4e0c045c // dup v28.4s, v2.s[1]
	WORD $0x4e31ce74 // fmla v20.4s, v19.4s, v17.4s
	WORD $0x4e39cf7c // fmla v28.4s, v27.4s, v25.4s
	WORD $0x4e140453 // dup v19.4s, v2.s[2]
	WORD $0x4e14045b // dup v27.4s, v2.s[2]
	WORD $0x4e31ce93 // fmla v19.4s, v20.4s, v17.4s
	WORD $0x4e39cf9b // fmla v27.4s, v28.4s, v25.4s
	WORD $0x6e31de34 // fmul v20.4s, v17.4s, v17.4s
	WORD $0x6e39df3c // fmul v28.4s, v25.4s, v25.4s
	WORD $0x4e34ce71 // fmla v17.4s, v19.4s, v20.4s
	WORD $0x4e3ccf79 // fmla v25.4s, v27.4s, v28.4s
	WORD $0x4e2ad631 // fadd v17.4s, v17.4s, v10.4s
	WORD $0x4e2ad739 // fadd v25.4s, v25.4s, v10.4s
	WORD $0x4ea1ba52 // fcvtzs v18.4s, v18.4s
	WORD $0x4ea1bb5a // fcvtzs v26.4s, v26.4s
	WORD $0x4f3f0654 // sshr v20.4s, v18.4s, #1
	WORD $0x4f3f075c // sshr v28.4s, v26.4s, #1
	WORD $0x6eb48652 // sub v18.4s, v18.4s, v20.4s
	WORD $0x6ebc875a // sub v26.4s, v26.4s, v28.4s
	WORD $0x4eab8694 // add v20.4s, v20.4s, v11.4s
	WORD $0x4eab879c // add v28.4s, v28.4s, v11.4s
	WORD $0x4eab8652 // add v18.4s, v18.4s, v11.4s
	WORD $0x4eab875a // add v26.4s, v26.4s, v11.4s
	WORD $0x4f375694 // shl v20.4s, v20.4s, #23
	WORD $0x4f37579c // shl v28.4s, v28.4s, #23
	WORD $0x4f375652 // shl v18.4s, v18.4s, #23
	WORD $0x4f37575a // shl v26.4s, v26.4s, #23
	WORD $0x6e34de31 // fmul v17.4s, v17.4s, v20.4s
	WORD $0x6e3cdf39 // fmul v25.4s, v25.4s, v28.4s
	WORD $0x6e32de31 // fmul v17.4s, v17.4s, v18.4s
	WORD $0x6e3adf39 // fmul v25.4s, v25.4s, v26.4s
	// log1pUnit(e): f = e or (e-1)/2, k = 0 or 1 (e >= sqrt2-1), Cephes log L(f)
	WORD $0x6e2ee633 // fcmge v19.4s, v17.4s, v14.4s
	WORD $0x6e2ee73b // fcmge v27.4s, v25.4s, v14.4s
	WORD $0x4eaad632 // fsub v18.4s, v17.4s, v10.4s
	WORD $0x4eaad73a // fsub v26.4s, v25.4s, v10.4s
	WORD $0x4fa49a52 // fmul v18.4s, v18.4s, v4.s[3]
	WORD $0x4fa49b5a // fmul v26.4s, v26.4s, v4.s[3]
	WORD $0x6ef31e32 // bif v18.16b, v17.16b, v19.16b
	WORD $0x6efb1f3a // bif v26.16b, v25.16b, v27.16b
	WORD $0x4e2a1e73 // and v19.16b, v19.16b, v10.16b
	WORD $0x4e2a1f7b // and v27.16b, v27.16b, v10.16b
	WORD $0x6e32de54 // fmul v20.4s, v18.4s, v18.4s
	WORD $0x6e3adf5c // fmul v28.4s, v26.4s, v26.4s
	WORD $0x4e0c04b5 // dup v21.4s, v5.s[1]
	WORD $0x4e0c04bd // dup v29.4s, v5.s[1]
	WORD $0x4f851255 // fmla v21.4s, v18.4s, v5.s[0]
	WORD $0x4f85135d // fmla v29.4s, v26.4s, v5.s[0]
	WORD $0x4e1404b6 // dup v22.4s, v5.s[2]
	WORD $0x4e1404be // dup v30.4s, v5.s[2]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x4e1c04b5 // dup v21.4s, v5.s[3]
	WORD $0x4e1c04bd // dup v29.4s, v5.s[3]
	WORD $0x4e32ced5 // fmla v21.4s, v22.4s, v18.4s
	WORD $0x4e3acfdd // fmla v29.4s, v30.4s, v26.4s
	WORD $0x4e0404d6 // dup v22.4s, v6.s[0]
	WORD $0x4e0404de // dup v30.4s, v6.s[0]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x4e0c04d5 // dup v21.4s, v6.s[1]
	WORD $0x4e0c04dd // dup v29.4s, v6.s[1]
	WORD $0x4e32ced5 // fmla v21.4s, v22.4s, v18.4s
	WORD $0x4e3acfdd // fmla v29.4s, v30.4s, v26.4s
	WORD $0x4e1404d6 // dup v22.4s, v6.s[2]
	WORD $0x4e1404de // dup v30.4s, v6.s[2]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x4e1c04d5 // dup v21.4s, v6.s[3]
	WORD $0x4e1c04dd // dup v29.4s, v6.s[3]
	WORD $0x4e32ced5 // fmla v21.4s, v22.4s, v18.4s
	WORD $0x4e3acfdd // fmla v29.4s, v30.4s, v26.4s
	WORD $0x4e0404f6 // dup v22.4s, v7.s[0]
	WORD $0x4e0404fe // dup v30.4s, v7.s[0]
	WORD $0x4e32ceb6 // fmla v22.4s, v21.4s, v18.4s
	WORD $0x4e3acfbe // fmla v30.4s, v29.4s, v26.4s
	WORD $0x6e32ded6 // fmul v22.4s, v22.4s, v18.4s
	WORD $0x6e3adfde // fmul v30.4s, v30.4s, v26.4s
	WORD $0x6e34ded6 // fmul v22.4s, v22.4s, v20.4s
	WORD $0x6e3cdfde // fmul v30.4s, v30.4s, v28.4s
	WORD $0x4f811276 // fmla v22.4s, v19.4s, v1.s[0]
	WORD $0x4f81137e // fmla v30.4s, v27.4s, v1.s[0]
	WORD $0x4fa71296 // fmla v22.4s, v20.4s, v7.s[1]
	WORD $0x4fa7139e // fmla v30.4s, v28.4s, v7.s[1]
	WORD $0x4e36d652 // fadd v18.4s, v18.4s, v22.4s
	WORD $0x4e3ed75a // fadd v26.4s, v26.4s, v30.4s
	WORD $0x4fa01a72 // fmla v18.4s, v19.4s, v0.s[3]
	WORD $0x4fa01b7a // fmla v26.4s, v27.4s, v0.s[3]
	WORD $0x4e32d610 // fadd v16.4s, v16.4s, v18.4s
	WORD $0x4e3ad718 // fadd v24.4s, v24.4s, v26.4s
	WORD $0x0e617a11 // fcvtl v17.2d, v16.2s
	WORD $0x0e617b19 // fcvtl v25.2d, v24.2s
	WORD $0x4e617a12 // fcvtl2 v18.2d, v16.4s
	WORD $0x4e617b1a // fcvtl2 v26.2d, v24.4s
	WORD $0x4e72d631 // fadd v17.2d, v17.2d, v18.2d
	WORD $0x4e7ad739 // fadd v25.2d, v25.2d, v26.2d
	WORD $0x4e79d631 // fadd v17.2d, v17.2d, v25.2d
	WORD $0x4e71d5ef // fadd v15.2d, v15.2d, v17.2d
	SUBS $1, R2
	BNE  bern_loop

bern_done:
	WORD $0x7e70d9e0 // faddp d0, v15.2d
	FMOVD F0, ret+48(FP)
	RET

// func sigmoidDotNEON(v, a []float32) float32
// Requires: NEON (ASIMD)
//
// Returns sum_j v[j]*sigmoid32(a[j]) over len(a) a multiple of 8: the
// sigmoid of the sigmoid kernel (never stored), then one FMA per term into
// the float32 accumulators V12 (set 0) and V13 (set 1), added and reduced
// pairwise at the end. R1 a, R4 v.
TEXT ·sigmoidDotNEON(SB), NOSPLIT, $0-52
	MOVD v_base+0(FP), R4
	MOVD a_base+24(FP), R1
	MOVD a_len+32(FP), R2
	WORD $0x6f00e40c // movi v12.2d, #0
	WORD $0x6f00e40d // movi v13.2d, #0
	LSR  $3, R2
	CBZ  R2, sdot_done
	MOVD $·neonActK(SB), R3
	VLD1.P 64(R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e040408 // dup v8.4s, v0.s[0]
	WORD $0x4e0c0409 // dup v9.4s, v0.s[1]
	WORD $0x4e1c044a // dup v10.4s, v2.s[3]
	WORD $0x4f0307eb // movi v11.4s, #127

sdot_loop:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R1), [V24.S4]
	VLD1.P 16(R4), [V23.S4]
	VLD1.P 16(R4), [V31.S4]
	WORD $0x4ea0aa16 // cmlt v22.4s, v16.4s, #0
	WORD $0x4ea0ab1e // cmlt v30.4s, v24.4s, #0
	WORD $0x4ea0fa14 // fabs v20.4s, v16.4s
	WORD $0x4ea0fb1c // fabs v28.4s, v24.4s
	WORD $0x6ea0fa94 // fneg v20.4s, v20.4s
	WORD $0x6ea0fb9c // fneg v28.4s, v28.4s
	// exp32: clamp, n = rint(x*log2e), Cody-Waite r, Cephes P(r), scale by 2^k1 * 2^k2
	WORD $0x4e28f694 // fmax v20.4s, v20.4s, v8.4s
	WORD $0x4e28f79c // fmax v28.4s, v28.4s, v8.4s
	WORD $0x4ea9f694 // fmin v20.4s, v20.4s, v9.4s
	WORD $0x4ea9f79c // fmin v28.4s, v28.4s, v9.4s
	WORD $0x4f809a93 // fmul v19.4s, v20.4s, v0.s[2]
	WORD $0x4f809b9b // fmul v27.4s, v28.4s, v0.s[2]
	WORD $0x4e218a71 // frintn v17.4s, v19.4s
	WORD $0x4e218b79 // frintn v25.4s, v27.4s
	WORD $0x4fa05a34 // fmls v20.4s, v17.4s, v0.s[3]
	WORD $0x4fa05b3c // fmls v28.4s, v25.4s, v0.s[3]
	WORD $0x4f815234 // fmls v20.4s, v17.4s, v1.s[0]
	WORD $0x4f81533c // fmls v28.4s, v25.4s, v1.s[0]
	WORD $0x4e140432 // dup v18.4s, v1.s[2]
	WORD $0x4e14043a // dup v26.4s, v1.s[2]
	WORD $0x4fa11292 // fmla v18.4s, v20.4s, v1.s[1]
	WORD $0x4fa1139a // fmla v26.4s, v28.4s, v1.s[1]
	WORD $0x4e1c0433 // dup v19.4s, v1.s[3]
	WORD $0x4e1c043b // dup v27.4s, v1.s[3]
	WORD $0x4e34ce53 // fmla v19.4s, v18.4s, v20.4s
	WORD $0x4e3ccf5b // fmla v27.4s, v26.4s, v28.4s
	WORD $0x4e040452 // dup v18.4s, v2.s[0]
	WORD $0x4e04045a // dup v26.4s, v2.s[0]
	WORD $0x4e34ce72 // fmla v18.4s, v19.4s, v20.4s
	WORD $0x4e3ccf7a // fmla v26.4s, v27.4s, v28.4s
	WORD $0x4e0c0453 // dup v19.4s, v2.s[1]
	WORD $0x4e0c045b // dup v27.4s, v2.s[1]
	WORD $0x4e34ce53 // fmla v19.4s, v18.4s, v20.4s
	WORD $0x4e3ccf5b // fmla v27.4s, v26.4s, v28.4s
	WORD $0x4e140452 // dup v18.4s, v2.s[2]
	WORD $0x4e14045a // dup v26.4s, v2.s[2]
	WORD $0x4e34ce72 // fmla v18.4s, v19.4s, v20.4s
	WORD $0x4e3ccf7a // fmla v26.4s, v27.4s, v28.4s
	WORD $0x6e34de93 // fmul v19.4s, v20.4s, v20.4s
	WORD $0x6e3cdf9b // fmul v27.4s, v28.4s, v28.4s
	WORD $0x4e33ce54 // fmla v20.4s, v18.4s, v19.4s
	WORD $0x4e3bcf5c // fmla v28.4s, v26.4s, v27.4s
	WORD $0x4e2ad694 // fadd v20.4s, v20.4s, v10.4s
	WORD $0x4e2ad79c // fadd v28.4s, v28.4s, v10.4s
	WORD $0x4ea1ba31 // fcvtzs v17.4s, v17.4s
	WORD $0x4ea1bb39 // fcvtzs v25.4s, v25.4s
	WORD $0x4f3f0633 // sshr v19.4s, v17.4s, #1
	WORD $0x4f3f073b // sshr v27.4s, v25.4s, #1
	WORD $0x6eb38631 // sub v17.4s, v17.4s, v19.4s
	WORD $0x6ebb8739 // sub v25.4s, v25.4s, v27.4s
	WORD $0x4eab8673 // add v19.4s, v19.4s, v11.4s
	WORD $0x4eab877b // add v27.4s, v27.4s, v11.4s
	WORD $0x4eab8631 // add v17.4s, v17.4s, v11.4s
	WORD $0x4eab8739 // add v25.4s, v25.4s, v11.4s
	WORD $0x4f375673 // shl v19.4s, v19.4s, #23
	WORD $0x4f37577b // shl v27.4s, v27.4s, #23
	WORD $0x4f375631 // shl v17.4s, v17.4s, #23
	WORD $0x4f375739 // shl v25.4s, v25.4s, #23
	WORD $0x6e33de94 // fmul v20.4s, v20.4s, v19.4s
	WORD $0x6e3bdf9c // fmul v28.4s, v28.4s, v27.4s
	WORD $0x6e31de94 // fmul v20.4s, v20.4s, v17.4s
	WORD $0x6e39df9c // fmul v28.4s, v28.4s, v25.4s
	WORD $0x4e2ad693 // fadd v19.4s, v20.4s, v10.4s
	WORD $0x4e2ad79b // fadd v27.4s, v28.4s, v10.4s
	WORD $0x6e33fd55 // fdiv v21.4s, v10.4s, v19.4s
	WORD $0x6e3bfd5d // fdiv v29.4s, v10.4s, v27.4s
	WORD $0x6e35de94 // fmul v20.4s, v20.4s, v21.4s
	WORD $0x6e3ddf9c // fmul v28.4s, v28.4s, v29.4s
	WORD $0x6e751e96 // bsl v22.16b, v20.16b, v21.16b
	WORD $0x6e7d1f9e // bsl v30.16b, v28.16b, v29.16b
	WORD $0x4e36ceec // fmla v12.4s, v23.4s, v22.4s
	WORD $0x4e3ecfed // fmla v13.4s, v31.4s, v30.4s
	SUBS $1, R2
	BNE  sdot_loop

sdot_done:
	WORD $0x4e2dd58c // fadd v12.4s, v12.4s, v13.4s
	WORD $0x6e2cd58c // faddp v12.4s, v12.4s, v12.4s
	WORD $0x7e30d980 // faddp s0, v12.2s
	FMOVS F0, ret+48(FP)
	RET
