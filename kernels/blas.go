package kernels

import "fmt"

// Dot returns sum_i x[i]*y[i]. It panics if len(y) < len(x).
func Dot(x, y []float32) float32 {
	if len(y) < len(x) {
		panic(fmt.Sprintf("kernels: Dot: len(y)=%d < len(x)=%d", len(y), len(x)))
	}
	return cur.dot(x, y)
}

// Axpy does y[i] += alpha*x[i] for i < len(x). It panics if len(y) < len(x).
func Axpy(alpha float32, x, y []float32) {
	if len(y) < len(x) {
		panic(fmt.Sprintf("kernels: Axpy: len(y)=%d < len(x)=%d", len(y), len(x)))
	}
	cur.axpy(alpha, x, y)
}

// Scale does x[i] *= alpha for every i.
func Scale(alpha float32, x []float32) { cur.scale(alpha, x) }

// Add does dst[i] = x[i] + y[i] for i < len(dst). It panics if x or y is
// shorter than dst.
func Add(dst, x, y []float32) {
	if len(x) < len(dst) || len(y) < len(dst) {
		panic(fmt.Sprintf("kernels: Add: len(dst)=%d, len(x)=%d, len(y)=%d", len(dst), len(x), len(y)))
	}
	cur.add(dst, x, y)
}

// checkMat panics unless a holds an r x c row-major matrix with leading
// dimension ld.
func checkMat(fn, name string, r, c int, a []float32, ld int) {
	if r < 0 || c < 0 || ld < c || ld < 1 {
		panic(fmt.Sprintf("kernels: %s: bad shape for %s: %dx%d, ld=%d", fn, name, r, c, ld))
	}
	if r > 0 && c > 0 && len(a) < (r-1)*ld+c {
		panic(fmt.Sprintf("kernels: %s: %s has %d elements, %dx%d with ld=%d needs %d", fn, name, len(a), r, c, ld, (r-1)*ld+c))
	}
}

func checkVec(fn, name string, n int, x []float32) {
	if len(x) < n {
		panic(fmt.Sprintf("kernels: %s: len(%s)=%d, need %d", fn, name, len(x), n))
	}
}

// Gemv computes y = A x + bias for the m x n matrix A (leading dimension
// lda): y[i] = bias[i] + sum_{j<n} a[i*lda+j]*x[j] for i < m. A nil bias
// counts as zero.
func Gemv(m, n int, a []float32, lda int, x, bias, y []float32) {
	checkMat("Gemv", "a", m, n, a, lda)
	checkVec("Gemv", "x", n, x)
	checkVec("Gemv", "y", m, y)
	fillBias(y[:m], bias)
	cur.gemv(m, n, a, lda, x, y)
}

// GemvAcc computes y += A x: y[i] += sum_{j<n} a[i*lda+j]*x[j] for i < m.
func GemvAcc(m, n int, a []float32, lda int, x, y []float32) {
	checkMat("GemvAcc", "a", m, n, a, lda)
	checkVec("GemvAcc", "x", n, x)
	checkVec("GemvAcc", "y", m, y)
	cur.gemv(m, n, a, lda, x, y)
}

// GemvT computes y += Aᵀ x for the m x n matrix A: y[j] += sum_{i<m}
// a[i*lda+j]*x[i] for j < n.
func GemvT(m, n int, a []float32, lda int, x, y []float32) {
	checkMat("GemvT", "a", m, n, a, lda)
	checkVec("GemvT", "x", m, x)
	checkVec("GemvT", "y", n, y)
	cur.gemvT(m, n, a, lda, x, y)
}

func fillBias(y, bias []float32) {
	if bias == nil {
		clear(y)
		return
	}
	checkVec("bias", "bias", len(y), bias)
	copy(y, bias[:len(y)])
}

// maskedRowBlock is the number of rows MaskedGemv hands to the GEMV kernel
// at once over their common column range.
const maskedRowBlock = 8

// MaskedGemv computes a GEMV whose row i reduces over only the column range
// [lo[i], hi[i]) of the m x n matrix A:
//
//	y[i] = bias[i] + sum_{lo[i] <= j < hi[i]} a[i*lda+j]*x[j]
//
// A nil lo counts as all zeros (prefix masks). Elements of A outside a
// row's range are never read, so masked-out weights need not be zero. When
// rows are sorted so that ranges change slowly (the staircase of MADE and
// FVSBN masks once units are sorted by degree), blocks of rows run as one
// GEMV over their common range and only the short ragged ends run as dot
// products: masked-out blocks are skipped, not multiplied by zero.
func MaskedGemv(m, n int, a []float32, lda int, x []float32, lo, hi []int, bias, y []float32) {
	checkMat("MaskedGemv", "a", m, n, a, lda)
	checkVec("MaskedGemv", "x", n, x)
	checkVec("MaskedGemv", "y", m, y)
	checkRanges("MaskedGemv", m, n, lo, hi)
	fillBias(y[:m], bias)
	maskedGemvAcc(cur, m, n, a, lda, x, lo, hi, y)
}

// raggedDot is the dot product of a ragged row end in MaskedGemv. Along a
// staircase these ends are a few elements long, where the call into a SIMD
// kernel costs more than the arithmetic, so short ones run inline.
func raggedDot(k *impl, a, x []float32) float32 {
	if len(a) >= 16 {
		return k.dot(a, x)
	}
	x = x[:len(a)]
	var s float32
	for j, v := range a {
		s += v * x[j]
	}
	return s
}

// maskedGemvAcc does y[i] += sum_{lo[i] <= j < hi[i]} a[i*lda+j]*x[j] on
// tier k; see MaskedGemv.
func maskedGemvAcc(k *impl, m, n int, a []float32, lda int, x []float32, lo, hi []int, y []float32) {
	if n == 0 {
		return // a may be empty: every row's range is empty
	}
	for i0 := 0; i0 < m; i0 += maskedRowBlock {
		i1 := min(i0+maskedRowBlock, m)
		// Common range [clo, chi) of rows i0..i1-1.
		clo, chi := 0, n
		for i := i0; i < i1; i++ {
			clo = max(clo, rangeLo(lo, i))
			chi = min(chi, hi[i])
		}
		if clo < chi {
			k.gemv(i1-i0, chi-clo, a[i0*lda+clo:], lda, x[clo:chi], y[i0:i1])
		} else {
			clo, chi = n, n // no common range: each row does its own whole range below
		}
		for i := i0; i < i1; i++ {
			l, h := rangeLo(lo, i), hi[i]
			row := a[i*lda:]
			if l < min(clo, h) {
				y[i] += raggedDot(k, row[l:min(clo, h)], x[l:])
			}
			if s := max(chi, l); s < h {
				y[i] += raggedDot(k, row[s:h], x[s:])
			}
		}
	}
}

func rangeLo(lo []int, i int) int {
	if lo == nil {
		return 0
	}
	return lo[i]
}

func checkRanges(fn string, m, n int, lo, hi []int) {
	if len(hi) < m || (lo != nil && len(lo) < m) {
		panic(fmt.Sprintf("kernels: %s: need %d ranges, have lo=%d hi=%d", fn, m, len(lo), len(hi)))
	}
	for i := 0; i < m; i++ {
		if l := rangeLo(lo, i); l < 0 || hi[i] > n || l > hi[i] {
			panic(fmt.Sprintf("kernels: %s: range %d is [%d, %d), not within [0, %d]", fn, i, l, hi[i], n))
		}
	}
}
