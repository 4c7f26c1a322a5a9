//go:build !purego

#include "textflag.h"
#include "matvec_amd64.h"

// MatVec micro-kernels for AVX-512F: row panels of p = 64 rows (four zmm
// of 16 floats per vector) for one vector (x1) or four (x4). The spec
// is matPanelFunc (matvec_run.go); the layouts are matvec_pack.go's:
//
//	F32, F16    layoutPanel: per column, 64 weights (256 or 128 bytes)
//	BF16        layoutPanelIL, v = 16: per column two 64-byte groups, dword
//	            k of a group = (row k, row k+16); VPSLLD $16 widens the low
//	            halves (rows 0-15), VPANDD with 0xffff0000 the high (16-31)
//	BF16Dot     layoutPairs: per column pair, 64 dwords (w[r,2c], w[r,2c+1])
//	            for VDPBF16PS against x as broadcast bfloat16 pairs
//
// The x1 kernels keep two sets of four accumulators (even and odd columns,
// eight independent FMA chains) and add them at the end; the 16-bit ones
// also prefetch the weights 1 KB ahead (at batch 1 the weights of a WaveNet
// step stream from L3, and the hardware prefetcher alone leaves F16,
// whose VCVTPH2PS makes it the slowest consumer, behind; measured +5%
// samples/s for F16 and +3% for BF16, nothing for F32); the x4 kernels
// load each column's four weight vectors once and use them for four
// vectors (sixteen accumulators). The Go assembler has no AVX512_BF16
// mnemonics: VDPBF16PS is emitted as BYTEs with the instruction in AT&T
// syntax in the comment (checked by TestAMD64ByteEncodings with llvm-mc).

// ZSETUP does MVARGS and turns its flags into the k-masks K1 (acc) and K2
// (bias), with R8 = ldx in bytes for elements of size 1<<shift.
#define ZSETUP(shift) \
	MVARGS; \
	MVPANELS; \
	KMOVW AX, K1; \
	KMOVW R11, K2; \
	SHLQ  $shift, R8; \
	LEAQ  (R8)(R8*2), R9

#define ZZERO4(a0, a1, a2, a3) \
	VPXORD a0, a0, a0; \
	VPXORD a1, a1, a1; \
	VPXORD a2, a2, a2; \
	VPXORD a3, a3, a3

// ZBIAS loads the bias panel (zero without a bias) into Z16-Z19 (free
// once the columns are done; Z31 keeps the bfloat16 mask for the next
// panel).
#define ZBIAS \
	VMOVUPS.Z (BX), K2, Z16; \
	VMOVUPS.Z 64(BX), K2, Z17; \
	VMOVUPS.Z 128(BX), K2, Z18; \
	VMOVUPS.Z 192(BX), K2, Z19

// ZFINISH stores a0..a3 + y (if acc) + bias (Z16-Z19) to the 64 floats at
// DX; it clobbers Z24-Z27.
#define ZFINISH(a0, a1, a2, a3) \
	VMOVUPS.Z (DX), K1, Z24; \
	VMOVUPS.Z 64(DX), K1, Z25; \
	VMOVUPS.Z 128(DX), K1, Z26; \
	VMOVUPS.Z 192(DX), K1, Z27; \
	VADDPS    Z24, a0, a0; \
	VADDPS    Z25, a1, a1; \
	VADDPS    Z26, a2, a2; \
	VADDPS    Z27, a3, a3; \
	VADDPS    Z16, a0, a0; \
	VADDPS    Z17, a1, a1; \
	VADDPS    Z18, a2, a2; \
	VADDPS    Z19, a3, a3; \
	VMOVUPS   a0, (DX); \
	VMOVUPS   a1, 64(DX); \
	VMOVUPS   a2, 128(DX); \
	VMOVUPS   a3, 192(DX)

// ZFINISH1 adds the odd-column accumulators Z4-Z7 into Z0-Z3 and
// finishes the one vector.
#define ZFINISH1 \
	VADDPS Z4, Z0, Z0; \
	VADDPS Z5, Z1, Z1; \
	VADDPS Z6, Z2, Z2; \
	VADDPS Z7, Z3, Z3; \
	ZBIAS; \
	ZFINISH(Z0, Z1, Z2, Z3)

// ZFINISH4 finishes the four vectors (accumulators Z0-Z15), y rows R10
// bytes apart.
#define ZFINISH4 \
	ZBIAS; \
	ZFINISH(Z0, Z1, Z2, Z3); \
	ADDQ R10, DX; \
	ZFINISH(Z4, Z5, Z6, Z7); \
	ADDQ R10, DX; \
	ZFINISH(Z8, Z9, Z10, Z11); \
	ADDQ R10, DX; \
	ZFINISH(Z12, Z13, Z14, Z15)

// ZNEXT4 moves DX from the last vector's panel rows to the first vector's
// next panel, and BX to the next panel's bias, and counts the panel (the
// flags tell whether one is left).
#define ZNEXT4 \
	SUBQ R10, DX; \
	SUBQ R10, DX; \
	SUBQ R10, DX; \
	ADDQ $256, DX; \
	ADDQ $256, BX; \
	DECQ R13

// ZFMA4(x, a0..a3) does a_k += W_k·x for the weight vectors Z16-Z19.
#define ZFMA4(x, a0, a1, a2, a3) \
	VFMADD231PS Z16, x, a0; \
	VFMADD231PS Z17, x, a1; \
	VFMADD231PS Z18, x, a2; \
	VFMADD231PS Z19, x, a3

// ZBCAST4 broadcasts x[j] of the four vectors into Z20-Z23.
#define ZBCAST4 \
	VBROADCASTSS (DI), Z20; \
	VBROADCASTSS (DI)(R8*1), Z21; \
	VBROADCASTSS (DI)(R8*2), Z22; \
	VBROADCASTSS (DI)(R9*1), Z23

// ZFMA16 does the four vectors' FMAs of one column.
#define ZFMA16 \
	ZFMA4(Z20, Z0, Z1, Z2, Z3); \
	ZFMA4(Z21, Z4, Z5, Z6, Z7); \
	ZFMA4(Z22, Z8, Z9, Z10, Z11); \
	ZFMA4(Z23, Z12, Z13, Z14, Z15)

// Weight loaders: the 64 weights of the column at off(SI) into w0..w3.
#define ZLOADF32(off, w0, w1, w2, w3) \
	VMOVUPS off(SI), w0; \
	VMOVUPS (off+64)(SI), w1; \
	VMOVUPS (off+128)(SI), w2; \
	VMOVUPS (off+192)(SI), w3

#define ZLOADF16(off, w0, w1, w2, w3) \
	VCVTPH2PS off(SI), w0; \
	VCVTPH2PS (off+32)(SI), w1; \
	VCVTPH2PS (off+64)(SI), w2; \
	VCVTPH2PS (off+96)(SI), w3

// ZLOADBF16 needs 0xffff0000 in every dword of Z31; it clobbers w1, w3
// as temporaries before they get their own weights.
#define ZLOADBF16(off, w0, w1, w2, w3) \
	VMOVDQU32 off(SI), w1; \
	VMOVDQU32 (off+64)(SI), w3; \
	VPSLLD    $16, w1, w0; \
	VPANDD    Z31, w1, w1; \
	VPSLLD    $16, w3, w2; \
	VPANDD    Z31, w3, w3

// ZMASKBF16 sets every dword of Z31 to 0xffff0000.
#define ZMASKBF16 \
	MOVL         $0xffff0000, AX; \
	VPBROADCASTD AX, Z31

// ZPF256 prefetches the 256 bytes of weights 1 KB past SI (the two
// 16-bit columns of a ZKERNEL1 iteration, 4 iterations ahead); ZNOPF does
// nothing.
#define ZPF256 \
	PREFETCHT0 1024(SI); \
	PREFETCHT0 1088(SI); \
	PREFETCHT0 1152(SI); \
	PREFETCHT0 1216(SI)

#define ZNOPF

// ZKERNEL1(load, bytes, pf, labels) is the body of a one-vector kernel on
// float32 x: two columns per iteration (after pf, a prefetch or nothing),
// the even one into Z0-Z3 (weights Z16-Z19), the odd one into Z4-Z7
// (weights Z24-Z27), then the last odd column.
#define ZKERNEL1(load, bytes, pf, panel, loop, tail, done) \
panel: \
	MOVQ R14, DI; \
	MOVQ R12, CX; \
	ZZERO4(Z0, Z1, Z2, Z3); \
	ZZERO4(Z4, Z5, Z6, Z7); \
	CMPQ CX, $2; \
	JB   tail; \
loop: \
	pf; \
	VBROADCASTSS (DI), Z20; \
	VBROADCASTSS 4(DI), Z21; \
	load(0, Z16, Z17, Z18, Z19); \
	load(bytes, Z24, Z25, Z26, Z27); \
	ZFMA4(Z20, Z0, Z1, Z2, Z3); \
	VFMADD231PS Z24, Z21, Z4; \
	VFMADD231PS Z25, Z21, Z5; \
	VFMADD231PS Z26, Z21, Z6; \
	VFMADD231PS Z27, Z21, Z7; \
	ADDQ $(2*bytes), SI; \
	ADDQ $8, DI; \
	SUBQ $2, CX; \
	CMPQ CX, $2; \
	JAE  loop; \
tail: \
	TESTQ CX, CX; \
	JZ    done; \
	VBROADCASTSS (DI), Z20; \
	load(0, Z16, Z17, Z18, Z19); \
	ZFMA4(Z20, Z0, Z1, Z2, Z3); \
	ADDQ $bytes, SI; \
done: \
	ZFINISH1; \
	ADDQ $256, DX; \
	ADDQ $256, BX; \
	DECQ R13; \
	JNZ  panel

// ZKERNEL4(load, bytes, loop) is the body of a four-vector kernel on
// float32 x: per column, the weights once, x[j] of each vector broadcast,
// sixteen FMAs.
#define ZKERNEL4(load, bytes, panel, loop) \
panel: \
	MOVQ R14, DI; \
	MOVQ R12, CX; \
	ZZERO4(Z0, Z1, Z2, Z3); \
	ZZERO4(Z4, Z5, Z6, Z7); \
	ZZERO4(Z8, Z9, Z10, Z11); \
	ZZERO4(Z12, Z13, Z14, Z15); \
loop: \
	load(0, Z16, Z17, Z18, Z19); \
	ZBCAST4; \
	ZFMA16; \
	ADDQ $bytes, SI; \
	ADDQ $4, DI; \
	DECQ CX; \
	JNZ  loop; \
	ZFINISH4; \
	ZNEXT4; \
	JNZ  panel

// func matvecF32x1AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX512F
TEXT ·matvecF32x1AVX512(SB), NOSPLIT, $0-72
	ZSETUP(2)
	ZKERNEL1(ZLOADF32, 256, ZNOPF, f32z1_panel, f32z1_loop, f32z1_tail, f32z1_done)
	VZEROUPPER
	RET

// func matvecF32x4AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX512F
TEXT ·matvecF32x4AVX512(SB), NOSPLIT, $0-72
	ZSETUP(2)
	ZKERNEL4(ZLOADF32, 256, f32z4_panel, f32z4_loop)
	VZEROUPPER
	RET

// func matvecF16x1AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX512F (the EVEX VCVTPH2PS)
TEXT ·matvecF16x1AVX512(SB), NOSPLIT, $0-72
	ZSETUP(2)
	ZKERNEL1(ZLOADF16, 128, ZPF256, f16z1_panel, f16z1_loop, f16z1_tail, f16z1_done)
	VZEROUPPER
	RET

// func matvecF16x4AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX512F
TEXT ·matvecF16x4AVX512(SB), NOSPLIT, $0-72
	ZSETUP(2)
	ZKERNEL4(ZLOADF16, 128, f16z4_panel, f16z4_loop)
	VZEROUPPER
	RET

// func matvecBF16x1AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX512F
TEXT ·matvecBF16x1AVX512(SB), NOSPLIT, $0-72
	ZSETUP(2)
	ZMASKBF16
	ZKERNEL1(ZLOADBF16, 128, ZPF256, bf16z1_panel, bf16z1_loop, bf16z1_tail, bf16z1_done)
	VZEROUPPER
	RET

// func matvecBF16x4AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX512F
TEXT ·matvecBF16x4AVX512(SB), NOSPLIT, $0-72
	ZSETUP(2)
	ZMASKBF16
	ZKERNEL4(ZLOADBF16, 128, bf16z4_panel, bf16z4_loop)
	VZEROUPPER
	RET

// func matvecDotx1AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX512F, AVX512_BF16
//
// x is bfloat16 bits and n the (even) number of columns; per iteration
// two column pairs, the first into Z0-Z3 (weights Z16-Z19, x pair Z20),
// the second into Z4-Z7 (Z24-Z27, Z21); then a last pair.
TEXT ·matvecDotx1AVX512(SB), NOSPLIT, $0-72
	ZSETUP(1)
	SHRQ $1, R12

dotz1_panel:
	MOVQ R14, DI
	MOVQ R12, CX
	ZZERO4(Z0, Z1, Z2, Z3)
	ZZERO4(Z4, Z5, Z6, Z7)
	CMPQ CX, $2
	JB   dotz1_tail

dotz1_loop:
	VPBROADCASTD (DI), Z20
	VPBROADCASTD 4(DI), Z21
	ZLOADF32(0, Z16, Z17, Z18, Z19)
	ZLOADF32(256, Z24, Z25, Z26, Z27)
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xc0 // vdpbf16ps %zmm16, %zmm20, %zmm0
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xc9 // vdpbf16ps %zmm17, %zmm20, %zmm1
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xd2 // vdpbf16ps %zmm18, %zmm20, %zmm2
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xdb // vdpbf16ps %zmm19, %zmm20, %zmm3
	BYTE $0x62; BYTE $0x92; BYTE $0x56; BYTE $0x40; BYTE $0x52; BYTE $0xe0 // vdpbf16ps %zmm24, %zmm21, %zmm4
	BYTE $0x62; BYTE $0x92; BYTE $0x56; BYTE $0x40; BYTE $0x52; BYTE $0xe9 // vdpbf16ps %zmm25, %zmm21, %zmm5
	BYTE $0x62; BYTE $0x92; BYTE $0x56; BYTE $0x40; BYTE $0x52; BYTE $0xf2 // vdpbf16ps %zmm26, %zmm21, %zmm6
	BYTE $0x62; BYTE $0x92; BYTE $0x56; BYTE $0x40; BYTE $0x52; BYTE $0xfb // vdpbf16ps %zmm27, %zmm21, %zmm7
	ADDQ $512, SI
	ADDQ $8, DI
	SUBQ $2, CX
	CMPQ CX, $2
	JAE  dotz1_loop

dotz1_tail:
	TESTQ CX, CX
	JZ    dotz1_done
	VPBROADCASTD (DI), Z20
	ZLOADF32(0, Z16, Z17, Z18, Z19)
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xc0 // vdpbf16ps %zmm16, %zmm20, %zmm0
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xc9 // vdpbf16ps %zmm17, %zmm20, %zmm1
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xd2 // vdpbf16ps %zmm18, %zmm20, %zmm2
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xdb // vdpbf16ps %zmm19, %zmm20, %zmm3
	ADDQ $256, SI

dotz1_done:
	ZFINISH1
	ADDQ $256, DX
	ADDQ $256, BX
	DECQ R13
	JNZ  dotz1_panel
	VZEROUPPER
	RET

// func matvecDotx4AVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX512F, AVX512_BF16
//
// Per column pair: the 64 weight dwords into Z16-Z19 once, each vector's
// x pair broadcast into Z20-Z23, sixteen VDPBF16PS.
TEXT ·matvecDotx4AVX512(SB), NOSPLIT, $0-72
	ZSETUP(1)
	SHRQ $1, R12

dotz4_panel:
	MOVQ R14, DI
	MOVQ R12, CX
	ZZERO4(Z0, Z1, Z2, Z3)
	ZZERO4(Z4, Z5, Z6, Z7)
	ZZERO4(Z8, Z9, Z10, Z11)
	ZZERO4(Z12, Z13, Z14, Z15)

dotz4_loop:
	ZLOADF32(0, Z16, Z17, Z18, Z19)
	VPBROADCASTD (DI), Z20
	VPBROADCASTD (DI)(R8*1), Z21
	VPBROADCASTD (DI)(R8*2), Z22
	VPBROADCASTD (DI)(R9*1), Z23
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xc0 // vdpbf16ps %zmm16, %zmm20, %zmm0
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xc9 // vdpbf16ps %zmm17, %zmm20, %zmm1
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xd2 // vdpbf16ps %zmm18, %zmm20, %zmm2
	BYTE $0x62; BYTE $0xb2; BYTE $0x5e; BYTE $0x40; BYTE $0x52; BYTE $0xdb // vdpbf16ps %zmm19, %zmm20, %zmm3
	BYTE $0x62; BYTE $0xb2; BYTE $0x56; BYTE $0x40; BYTE $0x52; BYTE $0xe0 // vdpbf16ps %zmm16, %zmm21, %zmm4
	BYTE $0x62; BYTE $0xb2; BYTE $0x56; BYTE $0x40; BYTE $0x52; BYTE $0xe9 // vdpbf16ps %zmm17, %zmm21, %zmm5
	BYTE $0x62; BYTE $0xb2; BYTE $0x56; BYTE $0x40; BYTE $0x52; BYTE $0xf2 // vdpbf16ps %zmm18, %zmm21, %zmm6
	BYTE $0x62; BYTE $0xb2; BYTE $0x56; BYTE $0x40; BYTE $0x52; BYTE $0xfb // vdpbf16ps %zmm19, %zmm21, %zmm7
	BYTE $0x62; BYTE $0x32; BYTE $0x4e; BYTE $0x40; BYTE $0x52; BYTE $0xc0 // vdpbf16ps %zmm16, %zmm22, %zmm8
	BYTE $0x62; BYTE $0x32; BYTE $0x4e; BYTE $0x40; BYTE $0x52; BYTE $0xc9 // vdpbf16ps %zmm17, %zmm22, %zmm9
	BYTE $0x62; BYTE $0x32; BYTE $0x4e; BYTE $0x40; BYTE $0x52; BYTE $0xd2 // vdpbf16ps %zmm18, %zmm22, %zmm10
	BYTE $0x62; BYTE $0x32; BYTE $0x4e; BYTE $0x40; BYTE $0x52; BYTE $0xdb // vdpbf16ps %zmm19, %zmm22, %zmm11
	BYTE $0x62; BYTE $0x32; BYTE $0x46; BYTE $0x40; BYTE $0x52; BYTE $0xe0 // vdpbf16ps %zmm16, %zmm23, %zmm12
	BYTE $0x62; BYTE $0x32; BYTE $0x46; BYTE $0x40; BYTE $0x52; BYTE $0xe9 // vdpbf16ps %zmm17, %zmm23, %zmm13
	BYTE $0x62; BYTE $0x32; BYTE $0x46; BYTE $0x40; BYTE $0x52; BYTE $0xf2 // vdpbf16ps %zmm18, %zmm23, %zmm14
	BYTE $0x62; BYTE $0x32; BYTE $0x46; BYTE $0x40; BYTE $0x52; BYTE $0xfb // vdpbf16ps %zmm19, %zmm23, %zmm15
	ADDQ $256, SI
	ADDQ $4, DI
	DECQ CX
	JNZ  dotz4_loop
	ZFINISH4
	ZNEXT4
	JNZ  dotz4_panel
	VZEROUPPER
	RET

// YLOADF16(off, w0, w1, w2, w3) widens the 32 float16 weights at off(SI)
// into the ymm w0..w3 (eight each).
#define YLOADF16(off, w0, w1, w2, w3) \
	VCVTPH2PS off(SI), w0; \
	VCVTPH2PS (off+16)(SI), w1; \
	VCVTPH2PS (off+32)(SI), w2; \
	VCVTPH2PS (off+48)(SI), w3

// YFMA8(off, x, a0..a7) adds the 64 float16 weights of the column at off(SI),
// widened, times x to the ymm a0..a7 (rows 0-7, ..., 56-63), with
// Y16-Y19 and Y24-Y27 for the weights.
#define YFMA8(off, x, a0, a1, a2, a3, a4, a5, a6, a7) \
	YLOADF16(off, Y16, Y17, Y18, Y19); \
	YLOADF16((off+64), Y24, Y25, Y26, Y27); \
	VFMADD231PS Y16, x, a0; \
	VFMADD231PS Y17, x, a1; \
	VFMADD231PS Y18, x, a2; \
	VFMADD231PS Y19, x, a3; \
	VFMADD231PS Y24, x, a4; \
	VFMADD231PS Y25, x, a5; \
	VFMADD231PS Y26, x, a6; \
	VFMADD231PS Y27, x, a7

// func matvecF16x1YAVX512(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)
// Requires: AVX512F, AVX512VL, F16C
//
// matvecF16x1AVX512 with every column's weights widened eight at a time
// (VCVTPH2PS to ymm) rather than sixteen, for CPUs that run zmm
// operations as two ymm halves (f16OnYMM: there the zmm widening is the
// bound). Each row sees the same operations in the same order as in
// matvecF16x1AVX512 (even columns into Y0-Y7, odd ones into Y8-Y15, added
// at the end, then y and the bias), so the results are the same bit for
// bit. Y0-Y7 are joined pairwise into Z0-Z3 for ZFINISH.
TEXT ·matvecF16x1YAVX512(SB), NOSPLIT, $0-72
	ZSETUP(2)

f16zy1_panel:
	MOVQ R14, DI
	MOVQ R12, CX
	ZZERO4(Z0, Z1, Z2, Z3)
	ZZERO4(Z4, Z5, Z6, Z7)
	ZZERO4(Z8, Z9, Z10, Z11)
	ZZERO4(Z12, Z13, Z14, Z15)
	CMPQ CX, $2
	JB   f16zy1_tail

f16zy1_loop:
	ZPF256
	VBROADCASTSS (DI), Y20
	VBROADCASTSS 4(DI), Y21
	YFMA8(0, Y20, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	YFMA8(128, Y21, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
	ADDQ $256, SI
	ADDQ $8, DI
	SUBQ $2, CX
	CMPQ CX, $2
	JAE  f16zy1_loop

f16zy1_tail:
	TESTQ CX, CX
	JZ    f16zy1_done
	VBROADCASTSS (DI), Y20
	YFMA8(0, Y20, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	ADDQ $128, SI

f16zy1_done:
	VADDPS       Y8, Y0, Y0
	VADDPS       Y9, Y1, Y1
	VADDPS       Y10, Y2, Y2
	VADDPS       Y11, Y3, Y3
	VADDPS       Y12, Y4, Y4
	VADDPS       Y13, Y5, Y5
	VADDPS       Y14, Y6, Y6
	VADDPS       Y15, Y7, Y7
	VINSERTF64X4 $1, Y1, Z0, Z0
	VINSERTF64X4 $1, Y3, Z2, Z1
	VINSERTF64X4 $1, Y5, Z4, Z2
	VINSERTF64X4 $1, Y7, Z6, Z3
	ZBIAS
	ZFINISH(Z0, Z1, Z2, Z3)
	ADDQ $256, DX
	ADDQ $256, BX
	DECQ R13
	JNZ  f16zy1_panel
	VZEROUPPER
	RET
