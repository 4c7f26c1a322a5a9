package kernels

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// WeightType is the storage type of a prepared matrix's weights ([Mat]).
type WeightType uint8

const (
	// F32 stores float32 weights.
	F32 WeightType = iota
	// F16 stores IEEE 754 binary16 weights, widened exactly in the kernel
	// (F16C VCVTPH2PS; NEON FCVTL); the arithmetic is float32.
	F16
	// BF16 stores bfloat16 weights, widened exactly in the kernel (a shift
	// left by 16); the arithmetic is float32.
	BF16
	// BF16Dot stores bfloat16 weights AND rounds the vector x to bfloat16
	// (round to nearest even) before multiplying: every product is exact
	// and the sums are float32. AVX-512 runs it on VDPBF16PS where the CPU
	// has AVX512_BF16; every other tier computes the same math in float32.
	BF16Dot
	numWeightTypes
)

var weightTypeNames = [numWeightTypes]string{"f32", "f16", "bf16", "bf16dot"}

// String returns the type's name as ParseWeightType spells it: "f32",
// "f16", "bf16" or "bf16dot".
func (t WeightType) String() string {
	if t < numWeightTypes {
		return weightTypeNames[t]
	}
	return fmt.Sprintf("WeightType(%d)", uint8(t))
}

// ParseWeightType returns the weight type named s (f32, f16, bf16 or
// bf16dot, any case).
func ParseWeightType(s string) (WeightType, error) {
	for i, n := range weightTypeNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return WeightType(i), nil
		}
	}
	return 0, fmt.Errorf("kernels: unknown weight type %q (want one of %s)", s, strings.Join(weightTypeNames[:], ", "))
}

// elemSize returns the bytes of one stored weight.
func (t WeightType) elemSize() int {
	if t == F32 {
		return 4
	}
	return 2
}

// Mat is an m x n matrix prepared once (at model load) for [MatVec], stored
// in its [WeightType] in the layout the active tier's kernel streams: row
// panels, column-major inside a panel, so that a product reads every weight
// exactly once, in order. The per-tier layouts are made lazily on first use
// (race-free, like [ConvWeights]) and stay correct after [SetTier].
// Immutable after creation; safe for concurrent use.
type Mat struct {
	m, n int
	wt   WeightType
	// w32 holds the weights row-major as float32 (F32 only); w16 holds the
	// stored bits row-major (the 16-bit types).
	w32 []float32
	w16 []uint16
	// packed holds the weights laid out for each tier (matvec_pack.go).
	packed [numTiers]atomic.Pointer[matPacked]
}

// maxMatDim and maxMatWeights bound what NewMat accepts, so that no size
// product overflows.
const (
	maxMatDim     = 1 << 24
	maxMatWeights = 1 << 30
)

// NewMat prepares w (row-major [m, n], the PyTorch Linear layout) for
// MatVec, rounding each weight to wt (to nearest, ties to even, as the
// format package's float16 and bfloat16 conversions do: overflow to
// infinity, NaN kept NaN). It returns an error (never panics) on bad
// sizes or an unknown type.
func NewMat(w []float32, m, n int, wt WeightType) (*Mat, error) {
	if wt >= numWeightTypes {
		return nil, fmt.Errorf("kernels: NewMat: unknown weight type %d", uint8(wt))
	}
	if m < 1 || m > maxMatDim || n < 1 || n > maxMatDim {
		return nil, fmt.Errorf("kernels: NewMat: %d x %d matrix, want each side in 1..%d", m, n, maxMatDim)
	}
	if int64(m)*int64(n) > maxMatWeights {
		return nil, fmt.Errorf("kernels: NewMat: %d x %d matrix is too large (at most %d weights)", m, n, maxMatWeights)
	}
	if len(w) != m*n {
		return nil, fmt.Errorf("kernels: NewMat: len(w) = %d, want %d·%d = %d", len(w), m, n, m*n)
	}
	a := &Mat{m: m, n: n, wt: wt}
	switch wt {
	case F32:
		a.w32 = append([]float32(nil), w...)
	case F16:
		a.w16 = make([]uint16, len(w))
		for i, v := range w {
			a.w16[i] = f32ToF16(v)
		}
	default:
		a.w16 = make([]uint16, len(w))
		for i, v := range w {
			a.w16[i] = f32ToBF16(v)
		}
	}
	return a, nil
}

// Rows returns m.
func (a *Mat) Rows() int { return a.m }

// Cols returns n.
func (a *Mat) Cols() int { return a.n }

// Type returns the storage type of the weights.
func (a *Mat) Type() WeightType { return a.wt }

// Bytes returns the bytes of weights one product streams: m·n times the
// size of the weight type (the padding of the packed layout excluded).
func (a *Mat) Bytes() int { return a.m * a.n * a.wt.elemSize() }

// At returns the stored (rounded) weight (i, j) as a float32, exactly.
func (a *Mat) At(i, j int) float32 {
	if i < 0 || i >= a.m || j < 0 || j >= a.n {
		panic(fmt.Sprintf("kernels: Mat.At(%d, %d) outside %d x %d", i, j, a.m, a.n))
	}
	return a.weight(i*a.n + j)
}

// weight returns the stored weight at row-major index k as a float32.
func (a *Mat) weight(k int) float32 {
	switch a.wt {
	case F32:
		return a.w32[k]
	case F16:
		return f16ToF32(a.w16[k])
	}
	return bf16ToF32(a.w16[k])
}

// MatVec computes, for every vector b < nb and row i < m:
//
//	y[b*ldy+i] = bias[i] + Σ_{j<n} W[i,j]·x[b*ldx+j]     (acc false; a nil bias counts as 0)
//	y[b*ldy+i] += bias[i] + Σ_{j<n} W[i,j]·x[b*ldx+j]    (acc true)
//
// with W the stored (rounded) weights of a and, for BF16Dot, each x[.]
// rounded to bfloat16 (to nearest even) first. It touches nothing else in
// y; x and y must not overlap. It panics on inconsistent sizes (programmer
// error, like Gemv) and allocates nothing.
//
// Accuracy: the sums are float32, in an order that depends on the tier:
// |y - y_exact| <= γ_{n+2}·(|y0| + |bias| + Σ_j |W[i,j]·x[j]|) with
// y_exact the exact value on the stored weights (and rounded x), γ_k =
// ku/(1-ku), u = 2^-24. Against the float32 weights before rounding that
// adds 2^-11·Σ|w·x| for F16, 2^-8·Σ|w·x| for BF16 and (2^-8 + 2^-8 +
// 2^-16)·Σ|w·x| for BF16Dot (weights and x both rounded), for weights and
// x in the normal range of the type. VDPBF16PS flushes subnormal inputs
// and results to zero, which changes a sum by at most 2^-126 per term.
func MatVec(a *Mat, nb int, x []float32, ldx int, bias, y []float32, ldy int, acc bool) {
	if a == nil {
		panic("kernels: MatVec: nil matrix")
	}
	matVec(a, 0, a.m, nb, x, ldx, bias, y, ldy, acc)
}

// MatVecRows is MatVec for rows [r0, r1) of a only: for every vector
// b < nb and row r0 <= i < r1,
//
//	y[b*ldy+i] = bias[i] + Σ_{j<n} W[i,j]·x[b*ldx+j]     (acc false; a nil bias counts as 0)
//	y[b*ldy+i] += bias[i] + Σ_{j<n} W[i,j]·x[b*ldx+j]    (acc true)
//
// y and bias are indexed by the matrix's row, and nothing else in y is
// touched. Each row's result is MatVec's, bit for bit, on every tier: the
// rows of a matrix can be computed in parts (by different goroutines, at
// different times) with the same result as one call. It panics on
// inconsistent sizes and allocates nothing.
func MatVecRows(a *Mat, r0, r1, nb int, x []float32, ldx int, bias, y []float32, ldy int, acc bool) {
	if a == nil {
		panic("kernels: MatVecRows: nil matrix")
	}
	if r0 < 0 || r1 > a.m || r0 > r1 {
		panic(fmt.Sprintf("kernels: MatVecRows: rows [%d, %d) of a %d x %d matrix", r0, r1, a.m, a.n))
	}
	matVec(a, r0, r1, nb, x, ldx, bias, y, ldy, acc)
}

// matVec checks MatVecRows's sizes and runs it on the active tier.
func matVec(a *Mat, r0, r1, nb int, x []float32, ldx int, bias, y []float32, ldy int, acc bool) {
	m, n := a.m, a.n
	if nb < 0 || ldx < n || ldy < m {
		panic(fmt.Sprintf("kernels: MatVec: nb=%d ldx=%d ldy=%d for a %d x %d matrix", nb, ldx, ldy, m, n))
	}
	if nb == 0 || r0 == r1 {
		return
	}
	if len(x) < (nb-1)*ldx+n || len(y) < (nb-1)*ldy+r1 {
		panic(fmt.Sprintf("kernels: MatVec: len(x)=%d, len(y)=%d for nb=%d vectors (ldx=%d, ldy=%d) of a %d x %d matrix",
			len(x), len(y), nb, ldx, ldy, m, n))
	}
	if bias != nil && len(bias) < r1 {
		panic(fmt.Sprintf("kernels: MatVec: len(bias)=%d < %d rows", len(bias), r1))
	}
	t := cur
	matvecRun(t, a, a.packedFor(t), r0, r1, nb, x, ldx, bias, y, ldy, acc)
}
