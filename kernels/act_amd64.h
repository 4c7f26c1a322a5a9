// Shared by act_amd64.s and rnn_amd64.s (#include "act_amd64.h"): the
// constants and the AVX2 / AVX-512 activation macros that compute
// act_generic.go's float32 algorithms (exp32, sigmoid32, tanh32,
// softplus32) lane by lane, so every kernel that applies an activation on
// these tiers gives the same bits as kernels.Sigmoid, Tanh, ... DATA
// symbols with <> are private to each assembly file, so each includer gets
// its own copy of the (read-only) constant vectors.

// Constants are 16-lane (64-byte) vectors so both YMM and ZMM code can use
// them as full-width memory operands.

#define VEC16(name, bits) \
	DATA name+0(SB)/4, bits; DATA name+4(SB)/4, bits; DATA name+8(SB)/4, bits; DATA name+12(SB)/4, bits; \
	DATA name+16(SB)/4, bits; DATA name+20(SB)/4, bits; DATA name+24(SB)/4, bits; DATA name+28(SB)/4, bits; \
	DATA name+32(SB)/4, bits; DATA name+36(SB)/4, bits; DATA name+40(SB)/4, bits; DATA name+44(SB)/4, bits; \
	DATA name+48(SB)/4, bits; DATA name+52(SB)/4, bits; DATA name+56(SB)/4, bits; DATA name+60(SB)/4, bits; \
	GLOBL name(SB), RODATA|NOPTR, $64

// Bit patterns and helpers.
VEC16(absMask<>, $0x7fffffff)  // clears the sign bit
VEC16(signMask<>, $0x80000000) // the sign bit
VEC16(negInf<>, $0xff800000)   // -Inf
VEC16(one<>, $0x3f800000)      // 1.0
VEC16(half<>, $0x3f000000)     // 0.5
VEC16(minusHalf<>, $0xbf000000) // -0.5
VEC16(two<>, $0x40000000)      // 2.0
VEC16(minusTwo<>, $0xc0000000) // -2.0
VEC16(bias127<>, $0x0000007f)  // int32 127, the float32 exponent bias

// exp32: clamp, Cody–Waite reduction, Cephes expf polynomial.
VEC16(expMax<>, $0x42b20000) // 89.0
VEC16(expMin<>, $0xc2d00000) // -104.0
VEC16(log2E<>, $0x3fb8aa3b)  // log2(e) = 1.44269504
VEC16(ln2Hi<>, $0x3f318000)  // 0.693359375
VEC16(ln2Lo<>, $0xb95e8083)  // -2.12194440e-4
VEC16(expP0<>, $0x39506967)  // 1.9875691500e-4
VEC16(expP1<>, $0x3ab743ce)  // 1.3981999507e-3
VEC16(expP2<>, $0x3c088908)  // 8.3334519073e-3
VEC16(expP3<>, $0x3d2aa9c1)  // 4.1665795894e-2
VEC16(expP4<>, $0x3e2aaaaa)  // 1.6666665459e-1
VEC16(expP5<>, $0x3f000000)  // 5.0000001201e-1 (rounds to 0.5)

// tanh32: small-|x| Cephes tanhf polynomial.
VEC16(tanhSmall<>, $0x3f200000) // 0.625
VEC16(tanhQ0<>, $0xbbbaf0ea)    // -5.70498872745e-3
VEC16(tanhQ1<>, $0x3ca9134e)    // 2.06390887954e-2
VEC16(tanhQ2<>, $0xbd5c1e2d)    // -5.37397155531e-2
VEC16(tanhQ3<>, $0x3e088393)    // 1.33314422036e-1
VEC16(tanhQ4<>, $0xbeaaaa99)    // -3.33332819422e-1

// log1pUnit: Cephes logf polynomial.
VEC16(sqrt2m1<>, $0x3ed413cd) // 0.41421356 = sqrt(2)-1
VEC16(logL0<>, $0x3d9021bb)   // 7.0376836292e-2
VEC16(logL1<>, $0xbdebd1b8)   // -1.1514610310e-1
VEC16(logL2<>, $0x3def251a)   // 1.1676998740e-1
VEC16(logL3<>, $0xbdfe5d4f)   // -1.2420140846e-1
VEC16(logL4<>, $0x3e11e9bf)   // 1.4249322787e-1
VEC16(logL5<>, $0xbe2aae50)   // -1.6668057665e-1
VEC16(logL6<>, $0x3e4cceac)   // 2.0000714765e-1
VEC16(logL7<>, $0xbe7ffffc)   // -2.4999993993e-1
VEC16(logL8<>, $0x3eaaaaaa)   // 3.3333331174e-1

// tailMask<>: 8 all-ones int32 lanes then 8 zero lanes; the 8 lanes
// starting at element 8-r have exactly their first r lanes set.
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
//   X = max(-104, min(89, X))  MINPS/MAXPS return their second source (X
//                              here) when either is NaN, so NaN survives.
//   N = roundeven(X*log2e)     n as a float
//   R = X - N*ln2Hi - N*ln2Lo  (two FMAs)
//   P = Horner(expP0..expP5; R); P = P*R^2 + R; P += 1
//   N = int(n); T = n>>1 = k1; N = n - k1 = k2
//   P = P * float(bits (k1+127)<<23) * float(bits (k2+127)<<23)
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
//   X = -|X0| (X0 with its sign bit set); P = exp(X) = e; S = 1/(1+e);
//   P = e*S; S = sign(X0) ? P : S (VBLENDVPS selects on the mask's sign bit)
#define SIGMOID_AVX2(X0, X, N, R, P, T, S) \
	VORPS     signMask<>(SB), X0, X; \
	EXP_AVX2(X, N, R, P, T); \
	VADDPS    one<>(SB), P, T; \
	VMOVUPS   one<>(SB), S; \
	VDIVPS    T, S, S; \
	VMULPS    S, P, P; \
	VBLENDVPS X0, P, S, S

// TANH_AVX2 sets N = tanh(X0) (tanh32). X0 is kept; A, Z, Q, X, R, P, T
// are scratch.
//   A = |X0|
//   small: Z = X0^2; Q = Horner(tanhQ0..tanhQ4; Z); Q = (Q*Z)*X0 + X0
//   large: X = -2A; P = exp(X) = e; N = (1-e)/(1+e)
//   T = A < 0.625 (false for NaN); N = T ? Q : N; N |= sign(X0)
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

// SOFTPLUS_AVX2 sets Q = softplus(X0) (softplus32). X0 is kept; X, N, R,
// P, T, M, F, K, Z are scratch.
//   X = -|X0|; P = exp(X) = e in [0, 1]
//   log1pUnit(e): M = e >= sqrt2m1; F = M ? (e-1)*0.5 : e; K = M ? 1 : 0
//     Z = F^2; Q = Horner(logL0..logL8; F); Q = (Q*F)*Z
//     Q += K*ln2Lo; Q += Z*(-0.5); Q += F; Q += K*ln2Hi
//   T = max(0, X0) (MAXPS returns X0 if it is NaN); Q = T + Q
#define SOFTPLUS_AVX2(X0, X, N, R, P, T, M, F, K, Z, Q) \
	VANDPS      absMask<>(SB), X0, X; \
	VXORPS      signMask<>(SB), X, X; \
	EXP_AVX2(X, N, R, P, T); \
	VCMPPS      $13, sqrt2m1<>(SB), P, M; \
	VSUBPS      one<>(SB), P, F; \
	VMULPS      half<>(SB), F, F; \
	VBLENDVPS   M, F, P, F; \
	VANDPS      one<>(SB), M, K; \
	VMULPS      F, F, Z; \
	VMOVUPS     logL0<>(SB), Q; \
	VFMADD213PS logL1<>(SB), F, Q; \
	VFMADD213PS logL2<>(SB), F, Q; \
	VFMADD213PS logL3<>(SB), F, Q; \
	VFMADD213PS logL4<>(SB), F, Q; \
	VFMADD213PS logL5<>(SB), F, Q; \
	VFMADD213PS logL6<>(SB), F, Q; \
	VFMADD213PS logL7<>(SB), F, Q; \
	VFMADD213PS logL8<>(SB), F, Q; \
	VMULPS      F, Q, Q; \
	VMULPS      Z, Q, Q; \
	VFMADD231PS ln2Lo<>(SB), K, Q; \
	VFMADD231PS minusHalf<>(SB), Z, Q; \
	VADDPS      F, Q, Q; \
	VFMADD231PS ln2Hi<>(SB), K, Q; \
	VXORPS      T, T, T; \
	VMAXPS      X0, T, T; \
	VADDPS      T, Q, Q

// LOAD_TAIL_KMASK sets K1 to the mask of the first CX (1..15) lanes. It
// clobbers AX.
#define LOAD_TAIL_KMASK \
	MOVL $1, AX; SHLL CX, AX; DECL AX; KMOVW AX, K1

// EXP_AVX512 is EXP_AVX2 on ZMM registers, with VRNDSCALEPS $0 (round to
// nearest even, no scaling) in place of VROUNDPS $0, and the scaling by
// 2^n done by one VSCALEFPS (P * 2^floor(N), rounded once, denormal
// results produced as FTZ is off): since P*2^k1 is exact, the two-step
// scaling of EXP_AVX2 also rounds P*2^n once, so the results are the same
// bits (checked against the AVX2 tier over every float32 input by
// TestAVX512ExpScalingExhaustive).
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

// SIGMOID_AVX512 sets S = sigmoid(X0); as SIGMOID_AVX2 but the x < 0 lanes
// (K2 = sign bit of X0 set, by VPTESTMD) get e*s by a merge-masked multiply.
#define SIGMOID_AVX512(X0, X, N, R, P, T, S) \
	VPORD    signMask<>(SB), X0, X; \
	EXP_AVX512(X, N, R, P, T); \
	VADDPS   one<>(SB), P, T; \
	VMOVUPS  one<>(SB), S; \
	VDIVPS   T, S, S; \
	VPTESTMD signMask<>(SB), X0, K2; \
	VMULPS   S, P, K2, S

// TANH_AVX512 sets N = tanh(X0); as TANH_AVX2 with the blend done by a
// merge-masked move under K2 = |X0| < 0.625.
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

// SOFTPLUS_AVX512 sets Q = softplus(X0); as SOFTPLUS_AVX2 (FF is its Z,
// renamed so that it does not clash with the .Z zeroing suffix) with K2 =
// e >= sqrt2m1 selecting F = (e-1)*0.5 (merge-masked subtract and multiply
// on a copy of e) and K = 1.0 (zero-masked load of one).
#define SOFTPLUS_AVX512(X0, X, N, R, P, T, F, K, FF, Q) \
	VPANDD      absMask<>(SB), X0, X; \
	VPXORD      signMask<>(SB), X, X; \
	EXP_AVX512(X, N, R, P, T); \
	VCMPPS      $13, sqrt2m1<>(SB), P, K2; \
	VMOVAPS     P, F; \
	VSUBPS      one<>(SB), P, K2, F; \
	VMULPS      half<>(SB), F, K2, F; \
	VMOVUPS.Z   one<>(SB), K2, K; \
	VMULPS      F, F, FF; \
	VMOVUPS     logL0<>(SB), Q; \
	VFMADD213PS logL1<>(SB), F, Q; \
	VFMADD213PS logL2<>(SB), F, Q; \
	VFMADD213PS logL3<>(SB), F, Q; \
	VFMADD213PS logL4<>(SB), F, Q; \
	VFMADD213PS logL5<>(SB), F, Q; \
	VFMADD213PS logL6<>(SB), F, Q; \
	VFMADD213PS logL7<>(SB), F, Q; \
	VFMADD213PS logL8<>(SB), F, Q; \
	VMULPS      F, Q, Q; \
	VMULPS      FF, Q, Q; \
	VFMADD231PS ln2Lo<>(SB), K, Q; \
	VFMADD231PS minusHalf<>(SB), FF, Q; \
	VADDPS      F, Q, Q; \
	VFMADD231PS ln2Hi<>(SB), K, Q; \
	VPXORD      T, T, T; \
	VMAXPS      X0, T, T; \
	VADDPS      T, Q, Q
