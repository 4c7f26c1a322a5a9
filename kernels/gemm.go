package kernels

import (
	"fmt"
	"sync"
)

// GEMM follows the BLIS structure: the portable code here splits C into
// nc-column and mc-row blocks and the inner dimension into kc slices, packs
// an mc x kc block of op(A) into mr-row panels and a kc x nc block of op(B)
// into nr-column panels (zero-padded at the edges), and hands each mr x nr
// tile of C to the active tier's register-blocked micro-kernel, which is the
// only part written in assembly:
//
//	for p := 0; p < k; p++ { for i < mr { for j < nr {
//		c[i*ldc+j] += a[p*mr+i] * b[p*nr+j] }}}
//
// Tiles at the right and bottom edges of C run on a zeroed scratch tile and
// are added back, so the micro-kernel never sees a partial tile.

// Gemm computes C = op(A)·op(B) + bias, where op(A) is m x k and op(B) is
// k x n, and bias (length n, or nil for zero) is added to every row of C.
// op(X) is X, or Xᵀ when the matching trans flag is set: with transA, a
// holds a k x m matrix; with transB, b holds an n x k matrix (the PyTorch
// Linear layout, so Y = X·Wᵀ + b is Gemm(false, true, ...)). lda, ldb and
// ldc are the row strides of the stored matrices.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, bias, c []float32, ldc int) {
	checkGemm("Gemm", transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	fillRows(m, n, bias, c, ldc)
	gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, nil, nil)
}

// GemmAcc computes C += op(A)·op(B) with the conventions of Gemm.
func GemmAcc(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkGemm("GemmAcc", transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, nil, nil)
}

// MaskedGemm computes C = X·Wᵀ + bias where output column j reduces over
// only the inner range [lo[j], hi[j]):
//
//	c[i*ldc+j] = bias[j] + sum_{lo[j] <= p < hi[j]} x[i*ldx+p]*w[j*ldw+p]
//
// for the m x k matrix X and the n x k matrix W (the PyTorch Linear layout).
// A nil lo counts as all zeros (prefix masks). Weights outside a column's
// range are never read. Every kc x nr block of W whose columns' ranges miss
// it entirely is skipped: with units sorted by degree, MADE's and FVSBN's
// masks are staircases and about half of the products are never computed.
func MaskedGemm(m, n, k int, x []float32, ldx int, w []float32, ldw int, lo, hi []int, bias, c []float32, ldc int) {
	checkGemm("MaskedGemm", false, true, m, n, k, x, ldx, w, ldw, c, ldc)
	checkRanges("MaskedGemm", n, k, lo, hi)
	fillRows(m, n, bias, c, ldc)
	if hi == nil {
		panic("kernels: MaskedGemm: nil hi")
	}
	gemm(false, true, m, n, k, x, ldx, w, ldw, c, ldc, lo, hi)
}

func checkGemm(fn string, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: %s: negative size %dx%dx%d", fn, m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMat(fn, "a", ar, ac, a, lda)
	checkMat(fn, "b", br, bc, b, ldb)
	checkMat(fn, "c", m, n, c, ldc)
}

// fillRows sets every row of the m x n matrix C to bias (zero if nil).
func fillRows(m, n int, bias, c []float32, ldc int) {
	if bias != nil {
		checkVec("Gemm", "bias", n, bias)
	}
	if n == 0 {
		return // c may be empty: slicing row i would be out of range
	}
	for i := 0; i < m; i++ {
		fillBias(c[i*ldc:i*ldc+n], bias)
	}
}

// gemmBuf is the packing workspace of one GEMM call, recycled through a
// pool so the steady state allocates nothing.
type gemmBuf struct {
	a, b, tile []float32
	klo, khi   []int // per B panel: inner range that holds non-zero weights
	off        []int // per B panel: where its inner row 0 would start in b
}

// bPanels is one packed kc x nc block of op(B): panel q's inner row p
// (klo[q] <= p < khi[q]) is b[off[q]+p*nr : off[q]+(p+1)*nr]; rows outside
// a panel's range are zero and need not be stored. off[q] may be negative
// when rows below klo[q] are not stored.
type bPanels struct {
	b             []float32
	klo, khi, off []int
}

// panels returns the block packB or packBIndexed wrote into buf: panel q
// at q*nr*kc, every row stored.
func (buf *gemmBuf) panels(kc, nc, nr int) bPanels {
	np := (nc + nr - 1) / nr
	for q := range buf.off[:np] {
		buf.off[q] = q * nr * kc
	}
	return bPanels{buf.b, buf.klo[:np], buf.khi[:np], buf.off[:np]}
}

var gemmPool = sync.Pool{New: func() any { return new(gemmBuf) }}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

func growInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

func gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, lo, hi []int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	t := cur
	if m == 1 {
		gemmRow(t, transA, transB, n, k, a, lda, b, ldb, c, lo, hi)
		return
	}
	gemmBlocked(t, transA, m, n, k, a, lda, c, ldc, func(pc, kc, jc, nc, nr int, buf *gemmBuf) (bPanels, bool) {
		ok := packB(transB, b, ldb, pc, kc, jc, nc, nr, lo, hi, buf)
		return buf.panels(kc, nc, nr), ok
	})
}

// gemmBlocked is the BLIS loop nest of gemm on tier t: for each nc-column
// block and kc slice, pack returns op(B)'s block as nr-column panels (it
// packs them into buf.b, or hands out panels packed beforehand), reporting
// false when every panel is masked out; then each mc-row block of op(A) is
// packed and run through the micro-kernel. The blocks are
// gemmBlocks(t, n, k) in size.
func gemmBlocked(t *impl, transA bool, m, n, k int, a []float32, lda int, c []float32, ldc int,
	pack func(pc, kc, jc, nc, nr int, buf *gemmBuf) (bPanels, bool)) {
	mr, nr := t.mr, t.nr
	mcMax := min(t.mc, roundUp(m, mr))
	kcMax, ncMax := gemmBlocks(t, n, k)
	buf := gemmPool.Get().(*gemmBuf)
	buf.a = grow(buf.a, mcMax*kcMax)
	buf.b = grow(buf.b, ncMax*kcMax)
	buf.tile = grow(buf.tile, mr*nr)
	buf.klo = growInt(buf.klo, ncMax/nr)
	buf.khi = growInt(buf.khi, ncMax/nr)
	buf.off = growInt(buf.off, ncMax/nr)

	for jc := 0; jc < n; jc += ncMax {
		nc := min(ncMax, n-jc)
		for pc := 0; pc < k; pc += kcMax {
			kc := min(kcMax, k-pc)
			bp, ok := pack(pc, kc, jc, nc, nr, buf)
			if !ok {
				continue // every panel of this block is masked out
			}
			for ic := 0; ic < m; ic += mcMax {
				mc := min(mcMax, m-ic)
				packA(transA, a, lda, ic, mc, pc, kc, mr, buf.a)
				macroKernel(t, mc, nc, kc, buf.a, bp, buf.tile, c[ic*ldc+jc:], ldc)
			}
		}
	}
	gemmPool.Put(buf)
}

// gemmRow computes the one-row product c[:n] += op(A)·op(B) as a GEMV,
// which streams op(B) once without packing it: a batch of one (sampling,
// an RNN step) is matrix-vector work, and packing would double its memory
// traffic.
func gemmRow(t *impl, transA, transB bool, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, lo, hi []int) {
	x := a[:k]
	var buf *gemmBuf
	if transA { // the row of op(A) is column 0 of the k x 1 matrix A
		buf = gemmPool.Get().(*gemmBuf)
		buf.a = grow(buf.a, k)
		for p := range buf.a {
			buf.a[p] = a[p*lda]
		}
		x = buf.a
	}
	switch {
	case hi != nil:
		maskedGemvAcc(t, n, k, b, ldb, x, lo, hi, c[:n])
	case transB:
		t.gemv(n, k, b, ldb, x, c[:n])
	default:
		t.gemvT(k, n, b, ldb, x, c[:n])
	}
	if buf != nil {
		gemmPool.Put(buf)
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// gemmBlocks returns the inner slice kc and column block nc of tier t's
// loop nest for an op(B) of k x n.
func gemmBlocks(t *impl, n, k int) (kc, nc int) {
	return min(t.kc, k), min(t.nc, roundUp(n, t.nr))
}

// packA copies op(A)[ic:ic+mc, pc:pc+kc] into mr-row panels: panel r holds
// element (r*mr+i, p) at dst[r*mr*kc + p*mr + i], zero-padded to a whole
// number of panels.
func packA(trans bool, a []float32, lda, ic, mc, pc, kc, mr int, dst []float32) {
	for r := 0; r < mc; r += mr {
		rows := min(mr, mc-r)
		panel := dst[r*kc : r*kc+mr*kc]
		if rows < mr {
			clear(panel)
		}
		if trans {
			// Row p of the panel is a contiguous piece of row pc+p of a:
			// read along rows, not down columns with stride lda.
			for p := 0; p < kc; p++ {
				src := a[(pc+p)*lda+ic+r : (pc+p)*lda+ic+r+rows]
				copy(panel[p*mr:p*mr+rows], src)
			}
			continue
		}
		gatherRows(panel, mr, a[(ic+r)*lda+pc:], lda, rows, kc)
	}
}

// gatherRows interleaves cnt rows of src (leading dimension ld) into a
// panel of width w: dst[p*w+i] = src[i*ld+p] for i < cnt, p < kc. Rows go
// four at a time so that each pass writes runs of four adjacent floats.
func gatherRows(dst []float32, w int, src []float32, ld, cnt, kc int) {
	if kc == 0 {
		return
	}
	i := 0
	for ; i+4 <= cnt; i += 4 {
		r0 := src[i*ld : i*ld+kc]
		r1 := src[(i+1)*ld : (i+1)*ld+kc]
		r2 := src[(i+2)*ld : (i+2)*ld+kc]
		r3 := src[(i+3)*ld : (i+3)*ld+kc]
		d := dst[i : (kc-1)*w+i+4]
		for p, v := range r0 {
			q := p * w
			e := d[q : q+4 : q+4]
			e[0], e[1], e[2], e[3] = v, r1[p], r2[p], r3[p]
		}
	}
	for ; i < cnt; i++ {
		for p, v := range src[i*ld : i*ld+kc] {
			dst[p*w+i] = v
		}
	}
}

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into nr-column panels: panel q
// holds element (p, q*nr+j) at dst[q*nr*kc + p*nr + j], zero-padded. With
// masks (hi != nil), op(B) is Wᵀ, entries outside a column's range are
// packed as zeros, and buf.klo/khi record each panel's non-zero inner range
// relative to pc. It reports whether any panel has a non-empty range.
func packB(trans bool, b []float32, ldb, pc, kc, jc, nc, nr int, lo, hi []int, buf *gemmBuf) bool {
	dst := buf.b
	any := false
	for q := 0; q*nr < nc; q++ {
		cols := min(nr, nc-q*nr)
		panel := dst[q*nr*kc : q*nr*kc+nr*kc]
		klo, khi := 0, kc
		if hi != nil {
			klo, khi = panelRange(lo, hi, jc+q*nr, cols, pc, kc)
			if klo >= khi {
				buf.klo[q], buf.khi[q] = 0, 0
				continue
			}
		}
		buf.klo[q], buf.khi[q] = klo, khi
		any = true
		if cols < nr || hi != nil {
			clear(panel[klo*nr : khi*nr])
		}
		if trans && hi == nil {
			// Column j of the panel is a contiguous piece of row col of b.
			gatherRows(panel, nr, b[(jc+q*nr)*ldb+pc:], ldb, cols, kc)
			continue
		}
		if !trans && hi == nil {
			// Row p of the panel is a contiguous piece of row pc+p of b:
			// copy along rows, not down columns with stride ldb.
			for p := 0; p < kc; p++ {
				src := b[(pc+p)*ldb+jc+q*nr : (pc+p)*ldb+jc+q*nr+cols]
				copy(panel[p*nr:p*nr+cols], src)
			}
			continue
		}
		for j := 0; j < cols; j++ {
			col := jc + q*nr + j
			plo, phi := klo, khi
			if hi != nil {
				plo = max(rangeLo(lo, col)-pc, klo)
				phi = min(hi[col]-pc, khi)
			}
			if trans {
				src := b[col*ldb+pc:]
				for p := plo; p < phi; p++ {
					panel[p*nr+j] = src[p]
				}
			} else {
				for p := plo; p < phi; p++ {
					panel[p*nr+j] = b[(pc+p)*ldb+col]
				}
			}
		}
	}
	return any
}

// panelRange returns the inner range [klo, khi), relative to pc and within
// [0, kc), that holds some column's weights among the cnt columns from j0
// (column col reduces over [lo[col], hi[col])); klo >= khi when none does.
func panelRange(lo, hi []int, j0, cnt, pc, kc int) (klo, khi int) {
	klo, khi = kc, 0
	for col := j0; col < j0+cnt; col++ {
		klo = min(klo, max(rangeLo(lo, col)-pc, 0))
		khi = max(khi, min(hi[col]-pc, kc))
	}
	return klo, khi
}

// macroKernel runs the micro-kernel over every mr x nr tile of the packed
// mc x kc block of A (mr-row panels in a) and the kc x nc block of B, into
// C (c points at the block's top-left element), with tile as the scratch
// of the edge tiles.
func macroKernel(t *impl, mc, nc, kc int, a []float32, b bPanels, tile, c []float32, ldc int) {
	mr, nr := t.mr, t.nr
	micro := t.gemmMicro
	for q := 0; q*nr < nc; q++ {
		klo, khi := b.klo[q], b.khi[q]
		if klo >= khi {
			continue
		}
		j := q * nr
		cols := min(nr, nc-j)
		bp := b.b[b.off[q]+klo*nr : b.off[q]+khi*nr]
		for i := 0; i < mc; i += mr {
			rows := min(mr, mc-i)
			ap := a[i*kc+klo*mr : i*kc+khi*mr]
			if rows == mr && cols == nr {
				micro(khi-klo, ap, bp, c[i*ldc+j:], ldc)
				continue
			}
			clear(tile)
			micro(khi-klo, ap, bp, tile, nr)
			for r := 0; r < rows; r++ {
				dst := c[(i+r)*ldc+j : (i+r)*ldc+j+cols]
				for s := range dst {
					dst[s] += tile[r*nr+s]
				}
			}
		}
	}
}
