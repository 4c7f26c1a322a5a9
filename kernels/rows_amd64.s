//go:build !purego

#include "textflag.h"

// SumRows16 and SumRows16F16 for amd64: dst[0:16] += val[k]*panel row
// idx[k], summed over k. The specs are sumRows16Generic and
// sumRows16F16Generic (rows.go). Every index is checked (sign-extended to
// 64 bits, so a negative one compares as a huge unsigned value, then CMP
// against the row count and JAE) before its row is read; the sums live in
// registers and dst is stored only after the last row, so a bad index
// returns false with dst unchanged.
//
// Each routine keeps several independent accumulator chains (rows k even
// and odd, or k mod 4) so consecutive FMAs do not wait on each other. The
// first chain starts from dst, the others from -0.0, the identity of
// addition (x + -0 = x for every x, -0 included), so the sum of a chain that
// got no rows changes nothing, and the chains are added together at the end.
// With no indices dst is not touched at all.

// rowsNegZero<> is -0.0 as a float32, broadcast to start the extra chains.
DATA rowsNegZero<>+0(SB)/4, $0x80000000
GLOBL rowsNegZero<>(SB), RODATA|NOPTR, $4

// func sumRows16AVX2Asm(dst, panel []float32, idx []int32, val []float32) bool
// Requires: AVX, FMA
//
// DI = dst, SI = panel, R8 = rows = len(panel)/16, BX = idx, DX = val,
// CX = len(idx), AX = k, R11 = len(idx) rounded down to even, R9/R10 = the
// byte offsets 64*idx[k] of the two rows of an iteration.
// Accumulators: Y0:Y1 (low:high 8 lanes) for even k, started from dst;
// Y2:Y3 for odd k, started from -0. Y4/Y5 = val[k], val[k+1] broadcast.
// Two rows per iteration (four VFMADD231PS with the row from memory), then
// the odd last row into Y0:Y1; at the end Y0 += Y2, Y1 += Y3 are stored.
TEXT ·sumRows16AVX2Asm(SB), NOSPLIT, $0-97
	MOVQ  dst_base+0(FP), DI
	MOVQ  panel_base+24(FP), SI
	MOVQ  panel_len+32(FP), R8
	SHRQ  $4, R8
	MOVQ  idx_base+48(FP), BX
	MOVQ  idx_len+56(FP), CX
	MOVQ  val_base+72(FP), DX
	TESTQ CX, CX
	JZ    rows_empty

	VMOVUPS      (DI), Y0
	VMOVUPS      32(DI), Y1
	VBROADCASTSS rowsNegZero<>(SB), Y2
	VMOVAPS      Y2, Y3
	XORQ         AX, AX
	MOVQ         CX, R11
	ANDQ         $-2, R11
	JZ           rows_tail

rows_loop2:
	MOVLQSX      (BX)(AX*4), R9
	MOVLQSX      4(BX)(AX*4), R10
	CMPQ         R9, R8
	JAE          rows_bad
	CMPQ         R10, R8
	JAE          rows_bad
	SHLQ         $6, R9
	SHLQ         $6, R10
	VBROADCASTSS (DX)(AX*4), Y4
	VBROADCASTSS 4(DX)(AX*4), Y5
	VFMADD231PS  (SI)(R9*1), Y4, Y0
	VFMADD231PS  32(SI)(R9*1), Y4, Y1
	VFMADD231PS  (SI)(R10*1), Y5, Y2
	VFMADD231PS  32(SI)(R10*1), Y5, Y3
	ADDQ         $2, AX
	CMPQ         AX, R11
	JB           rows_loop2

rows_tail:
	CMPQ         AX, CX
	JAE          rows_done
	MOVLQSX      (BX)(AX*4), R9
	CMPQ         R9, R8
	JAE          rows_bad
	SHLQ         $6, R9
	VBROADCASTSS (DX)(AX*4), Y4
	VFMADD231PS  (SI)(R9*1), Y4, Y0
	VFMADD231PS  32(SI)(R9*1), Y4, Y1

rows_done:
	VADDPS  Y2, Y0, Y0
	VADDPS  Y3, Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VZEROUPPER

rows_empty:
	MOVB $1, ret+96(FP)
	RET

rows_bad:
	VZEROUPPER
	MOVB $0, ret+96(FP)
	RET

// func sumRows16F16AVX2Asm(dst []float32, panel []uint16, idx []int32, val []float32) bool
// Requires: AVX, FMA, F16C
//
// sumRows16AVX2Asm with a binary16 panel: R9/R10 = 32*idx[k], the byte
// offsets of the two rows, each widened (VCVTPH2PS, exact) from two 16-byte
// halves into Y6:Y7 and Y8:Y9 before the FMAs. Same accumulators (Y0:Y1 even
// k from dst, Y2:Y3 odd k from -0), same structure.
TEXT ·sumRows16F16AVX2Asm(SB), NOSPLIT, $0-97
	MOVQ  dst_base+0(FP), DI
	MOVQ  panel_base+24(FP), SI
	MOVQ  panel_len+32(FP), R8
	SHRQ  $4, R8
	MOVQ  idx_base+48(FP), BX
	MOVQ  idx_len+56(FP), CX
	MOVQ  val_base+72(FP), DX
	TESTQ CX, CX
	JZ    rowsh_empty

	VMOVUPS      (DI), Y0
	VMOVUPS      32(DI), Y1
	VBROADCASTSS rowsNegZero<>(SB), Y2
	VMOVAPS      Y2, Y3
	XORQ         AX, AX
	MOVQ         CX, R11
	ANDQ         $-2, R11
	JZ           rowsh_tail

rowsh_loop2:
	MOVLQSX      (BX)(AX*4), R9
	MOVLQSX      4(BX)(AX*4), R10
	CMPQ         R9, R8
	JAE          rowsh_bad
	CMPQ         R10, R8
	JAE          rowsh_bad
	SHLQ         $5, R9
	SHLQ         $5, R10
	VCVTPH2PS    (SI)(R9*1), Y6
	VCVTPH2PS    16(SI)(R9*1), Y7
	VCVTPH2PS    (SI)(R10*1), Y8
	VCVTPH2PS    16(SI)(R10*1), Y9
	VBROADCASTSS (DX)(AX*4), Y4
	VBROADCASTSS 4(DX)(AX*4), Y5
	VFMADD231PS  Y6, Y4, Y0
	VFMADD231PS  Y7, Y4, Y1
	VFMADD231PS  Y8, Y5, Y2
	VFMADD231PS  Y9, Y5, Y3
	ADDQ         $2, AX
	CMPQ         AX, R11
	JB           rowsh_loop2

rowsh_tail:
	CMPQ         AX, CX
	JAE          rowsh_done
	MOVLQSX      (BX)(AX*4), R9
	CMPQ         R9, R8
	JAE          rowsh_bad
	SHLQ         $5, R9
	VCVTPH2PS    (SI)(R9*1), Y6
	VCVTPH2PS    16(SI)(R9*1), Y7
	VBROADCASTSS (DX)(AX*4), Y4
	VFMADD231PS  Y6, Y4, Y0
	VFMADD231PS  Y7, Y4, Y1

rowsh_done:
	VADDPS  Y2, Y0, Y0
	VADDPS  Y3, Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VZEROUPPER

rowsh_empty:
	MOVB $1, ret+96(FP)
	RET

rowsh_bad:
	VZEROUPPER
	MOVB $0, ret+96(FP)
	RET

// func sumRows16AVX512Asm(dst, panel []float32, idx []int32, val []float32) bool
// Requires: AVX512F
//
// DI = dst, SI = panel, R8 = rows, BX = idx, DX = val, CX = len(idx),
// AX = k, R11 = len(idx) rounded down to a multiple of 4, R9/R10/R12/R13 =
// 64*idx[k..k+3], the byte offsets of the rows of an iteration. A row is
// one zmm. Accumulators Z0..Z3 for k mod 4 = 0..3 (Z0 started from dst,
// the others from -0); Z4..Z7 = val[k..k+3] broadcast. Four rows per
// iteration, then the last len(idx)%4 one at a time into Z0; at the end
// (Z0 + Z1) + (Z2 + Z3) is stored. The four indices are read as two
// qwords and split (MOVLQSX, SARQ $32 sign-extend the low and high int32):
// with a row, a value and an index load per row the loop is bound by
// loads, and this was 5-10% faster on the Xeon it was measured on (Emerald
// Rapids, family 6 model 207). It was not faster in the AVX2 routines and
// slower in the F16 ones (VCVTPH2PS competes with the extra ALU work for
// ports), so they load each index on its own.
TEXT ·sumRows16AVX512Asm(SB), NOSPLIT, $0-97
	MOVQ  dst_base+0(FP), DI
	MOVQ  panel_base+24(FP), SI
	MOVQ  panel_len+32(FP), R8
	SHRQ  $4, R8
	MOVQ  idx_base+48(FP), BX
	MOVQ  idx_len+56(FP), CX
	MOVQ  val_base+72(FP), DX
	TESTQ CX, CX
	JZ    rowsz_empty

	VMOVUPS      (DI), Z0
	VBROADCASTSS rowsNegZero<>(SB), Z1
	VMOVAPS      Z1, Z2
	VMOVAPS      Z1, Z3
	XORQ         AX, AX
	MOVQ         CX, R11
	ANDQ         $-4, R11
	JZ           rowsz_tail

rowsz_loop4:
	MOVQ         (BX)(AX*4), R10
	MOVQ         8(BX)(AX*4), R13
	MOVLQSX      R10, R9
	SARQ         $32, R10
	MOVLQSX      R13, R12
	SARQ         $32, R13
	CMPQ         R9, R8
	JAE          rowsz_bad
	CMPQ         R10, R8
	JAE          rowsz_bad
	CMPQ         R12, R8
	JAE          rowsz_bad
	CMPQ         R13, R8
	JAE          rowsz_bad
	SHLQ         $6, R9
	SHLQ         $6, R10
	SHLQ         $6, R12
	SHLQ         $6, R13
	VBROADCASTSS (DX)(AX*4), Z4
	VBROADCASTSS 4(DX)(AX*4), Z5
	VBROADCASTSS 8(DX)(AX*4), Z6
	VBROADCASTSS 12(DX)(AX*4), Z7
	VFMADD231PS  (SI)(R9*1), Z4, Z0
	VFMADD231PS  (SI)(R10*1), Z5, Z1
	VFMADD231PS  (SI)(R12*1), Z6, Z2
	VFMADD231PS  (SI)(R13*1), Z7, Z3
	ADDQ         $4, AX
	CMPQ         AX, R11
	JB           rowsz_loop4

rowsz_tail:
	CMPQ AX, CX
	JAE  rowsz_done

rowsz_loop1:
	MOVLQSX      (BX)(AX*4), R9
	CMPQ         R9, R8
	JAE          rowsz_bad
	SHLQ         $6, R9
	VBROADCASTSS (DX)(AX*4), Z4
	VFMADD231PS  (SI)(R9*1), Z4, Z0
	INCQ         AX
	CMPQ         AX, CX
	JB           rowsz_loop1

rowsz_done:
	VADDPS  Z1, Z0, Z0
	VADDPS  Z3, Z2, Z2
	VADDPS  Z2, Z0, Z0
	VMOVUPS Z0, (DI)
	VZEROUPPER

rowsz_empty:
	MOVB $1, ret+96(FP)
	RET

rowsz_bad:
	VZEROUPPER
	MOVB $0, ret+96(FP)
	RET

// func sumRows16F16AVX512Asm(dst []float32, panel []uint16, idx []int32, val []float32) bool
// Requires: AVX512F
//
// sumRows16AVX512Asm with a binary16 panel: R9/R10/R12/R13 = 32*idx[k..k+3],
// each row widened from 32 bytes into Z8..Z11 by the EVEX VCVTPH2PS (zmm,
// m256; part of AVX512F, so F16C is not needed) before the FMAs. Same
// accumulators (Z0..Z3 for k mod 4), same structure.
TEXT ·sumRows16F16AVX512Asm(SB), NOSPLIT, $0-97
	MOVQ  dst_base+0(FP), DI
	MOVQ  panel_base+24(FP), SI
	MOVQ  panel_len+32(FP), R8
	SHRQ  $4, R8
	MOVQ  idx_base+48(FP), BX
	MOVQ  idx_len+56(FP), CX
	MOVQ  val_base+72(FP), DX
	TESTQ CX, CX
	JZ    rowszh_empty

	VMOVUPS      (DI), Z0
	VBROADCASTSS rowsNegZero<>(SB), Z1
	VMOVAPS      Z1, Z2
	VMOVAPS      Z1, Z3
	XORQ         AX, AX
	MOVQ         CX, R11
	ANDQ         $-4, R11
	JZ           rowszh_tail

rowszh_loop4:
	MOVLQSX      (BX)(AX*4), R9
	MOVLQSX      4(BX)(AX*4), R10
	MOVLQSX      8(BX)(AX*4), R12
	MOVLQSX      12(BX)(AX*4), R13
	CMPQ         R9, R8
	JAE          rowszh_bad
	CMPQ         R10, R8
	JAE          rowszh_bad
	CMPQ         R12, R8
	JAE          rowszh_bad
	CMPQ         R13, R8
	JAE          rowszh_bad
	SHLQ         $5, R9
	SHLQ         $5, R10
	SHLQ         $5, R12
	SHLQ         $5, R13
	VCVTPH2PS    (SI)(R9*1), Z8
	VCVTPH2PS    (SI)(R10*1), Z9
	VCVTPH2PS    (SI)(R12*1), Z10
	VCVTPH2PS    (SI)(R13*1), Z11
	VBROADCASTSS (DX)(AX*4), Z4
	VBROADCASTSS 4(DX)(AX*4), Z5
	VBROADCASTSS 8(DX)(AX*4), Z6
	VBROADCASTSS 12(DX)(AX*4), Z7
	VFMADD231PS  Z8, Z4, Z0
	VFMADD231PS  Z9, Z5, Z1
	VFMADD231PS  Z10, Z6, Z2
	VFMADD231PS  Z11, Z7, Z3
	ADDQ         $4, AX
	CMPQ         AX, R11
	JB           rowszh_loop4

rowszh_tail:
	CMPQ AX, CX
	JAE  rowszh_done

rowszh_loop1:
	MOVLQSX      (BX)(AX*4), R9
	CMPQ         R9, R8
	JAE          rowszh_bad
	SHLQ         $5, R9
	VCVTPH2PS    (SI)(R9*1), Z8
	VBROADCASTSS (DX)(AX*4), Z4
	VFMADD231PS  Z8, Z4, Z0
	INCQ         AX
	CMPQ         AX, CX
	JB           rowszh_loop1

rowszh_done:
	VADDPS  Z1, Z0, Z0
	VADDPS  Z3, Z2, Z2
	VADDPS  Z2, Z0, Z0
	VMOVUPS Z0, (DI)
	VZEROUPPER

rowszh_empty:
	MOVB $1, ret+96(FP)
	RET

rowszh_bad:
	VZEROUPPER
	MOVB $0, ret+96(FP)
	RET
