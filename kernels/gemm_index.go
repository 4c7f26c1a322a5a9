package kernels

import "fmt"

// MaskedGemmIndexed is MaskedGemm on rows and columns of W picked by index
// maps, so that one stored W serves several orderings of its rows and
// columns (the masks of a MADE ensemble) without a permuted copy per
// ordering:
//
//	c[i*ldc+j] = bias[j] + sum_{lo[j] <= p < hi[j]} x[i*ldx+p]*w[rows[j]*ldw+cols[p]]
//
// for the m x k matrix X, n output columns and k inner indices. rows
// (length >= n) names W's row for each output column, cols (length >= k)
// W's column for each inner index; nil is the identity (W is then n x k
// on that side). Every index must be non-negative, every column index
// below ldw, and W must hold every row named. A nil lo counts as all
// zeros. Weights outside a column's range are never read; as in
// MaskedGemm, every kc x nr block whose columns' ranges miss it entirely
// is skipped, so with output columns sorted by hi (a staircase) about half
// of the products are never computed. The maps are applied while W is
// packed into the micro-kernels' panels, which MaskedGemm copies anyway.
// A single row (m = 1) runs as dot products instead, as MaskedGemm's does:
// the tier's dot kernel along each row of W when cols is nil, else a
// gathering dot product in Go.
func MaskedGemmIndexed(m, n, k int, x []float32, ldx int, w []float32, ldw int, rows, cols []int32, lo, hi []int, bias, c []float32, ldc int) {
	const fn = "MaskedGemmIndexed"
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: %s: negative size %dx%dx%d", fn, m, n, k))
	}
	checkMat(fn, "x", m, k, x, ldx)
	checkMat(fn, "c", m, n, c, ldc)
	checkRanges(fn, n, k, lo, hi)
	if hi == nil {
		panic("kernels: " + fn + ": nil hi")
	}
	wr, err := indexExtent(rows, n)
	if err != nil {
		panic(fmt.Sprintf("kernels: %s: rows: %v", fn, err))
	}
	wc, err := indexExtent(cols, k)
	if err != nil {
		panic(fmt.Sprintf("kernels: %s: cols: %v", fn, err))
	}
	checkMat(fn, "w", wr, wc, w, ldw)
	fillRows(m, n, bias, c, ldc)
	gemmIndexed(m, n, k, x, ldx, w, ldw, rows, cols, lo, hi, c, ldc)
}

// indexExtent returns the number of rows (or columns) of W that the first
// n entries of idx reach: n for a nil idx (the identity), else the largest
// entry plus one.
func indexExtent(idx []int32, n int) (int, error) {
	if idx == nil {
		return n, nil
	}
	if len(idx) < n {
		return 0, fmt.Errorf("need %d indices, have %d", n, len(idx))
	}
	e := 0
	for i, v := range idx[:n] {
		if v < 0 {
			return 0, fmt.Errorf("index %d is %d", i, v)
		}
		e = max(e, int(v)+1)
	}
	return e, nil
}

// gemmIndexed is gemm's blocking for MaskedGemmIndexed (op(A) = X, op(B)
// = the mapped Wᵀ), packing B with packBIndexed.
func gemmIndexed(m, n, k int, x []float32, ldx int, w []float32, ldw int, rows, cols []int32, lo, hi []int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	t := cur
	if m == 1 {
		gemvIndexed(t, n, x[:k], w, ldw, rows, cols, lo, hi, c[:n])
		return
	}
	gemmBlocked(t, false, m, n, k, x, ldx, c, ldc, func(pc, kc, jc, nc, nr int, buf *gemmBuf) (bPanels, bool) {
		ok := packBIndexed(w, ldw, rows, cols, pc, kc, jc, nc, nr, lo, hi, buf)
		return buf.panels(kc, nc, nr), ok
	})
}

// packBIndexed is packB for MaskedGemmIndexed: it packs the block
// [pc, pc+kc) x [jc, jc+nc) of the k x n matrix B with B[p][j] =
// w[rows[j]*ldw+cols[p]] inside column j's range and 0 outside, into
// nr-column panels (panel q holds (p, q*nr+j) at q*nr*kc + p*nr + j), and
// records each panel's non-zero inner range in buf.klo/khi. It reports
// whether any panel has a non-empty range.
func packBIndexed(w []float32, ldw int, rows, cols []int32, pc, kc, jc, nc, nr int, lo, hi []int, buf *gemmBuf) bool {
	any := false
	for q := 0; q*nr < nc; q++ {
		cnt := min(nr, nc-q*nr)
		klo, khi := panelRange(lo, hi, jc+q*nr, cnt, pc, kc)
		if klo >= khi {
			buf.klo[q], buf.khi[q] = 0, 0
			continue
		}
		buf.klo[q], buf.khi[q] = klo, khi
		any = true
		panel := buf.b[q*nr*kc : (q+1)*nr*kc]
		clear(panel[klo*nr : khi*nr])
		// Columns four at a time over their common range, so that each
		// inner index writes a run of four floats (and reads its column
		// index once); the columns' own ends one at a time.
		j := 0
		for ; j+4 <= cnt; j += 4 {
			clo, chi := klo, khi // the common range
			for jj := j; jj < j+4; jj++ {
				col := jc + q*nr + jj
				clo, chi = max(clo, max(rangeLo(lo, col)-pc, klo)), min(chi, min(hi[col]-pc, khi))
			}
			if clo >= chi {
				clo, chi = khi, khi // no common range: each column whole below
			}
			for jj := j; jj < j+4; jj++ {
				col := jc + q*nr + jj
				plo, phi := max(rangeLo(lo, col)-pc, klo), min(hi[col]-pc, khi)
				packColumn(panel, nr, jj, w, ldw, indexRow(rows, col), cols, pc, plo, min(phi, clo))
				packColumn(panel, nr, jj, w, ldw, indexRow(rows, col), cols, pc, max(plo, chi), phi)
			}
			if clo >= chi {
				continue
			}
			r0, r1, r2, r3 := indexRow(rows, jc+q*nr+j), indexRow(rows, jc+q*nr+j+1), indexRow(rows, jc+q*nr+j+2), indexRow(rows, jc+q*nr+j+3)
			s0, s1, s2, s3 := w[r0*ldw:], w[r1*ldw:], w[r2*ldw:], w[r3*ldw:]
			d := panel[clo*nr+j : (chi-1)*nr+j+4]
			if cols == nil {
				for i, p := 0, pc+clo; p < pc+chi; i, p = i+nr, p+1 {
					e := d[i : i+4 : i+4]
					e[0], e[1], e[2], e[3] = s0[p], s1[p], s2[p], s3[p]
				}
				continue
			}
			for i, cc := range cols[pc+clo : pc+chi] {
				e := d[i*nr : i*nr+4 : i*nr+4]
				e[0], e[1], e[2], e[3] = s0[cc], s1[cc], s2[cc], s3[cc]
			}
		}
		for ; j < cnt; j++ {
			col := jc + q*nr + j
			plo, phi := max(rangeLo(lo, col)-pc, klo), min(hi[col]-pc, khi)
			packColumn(panel, nr, j, w, ldw, indexRow(rows, col), cols, pc, plo, phi)
		}
	}
	return any
}

// indexRow returns W's row for output column col.
func indexRow(rows []int32, col int) int {
	if rows == nil {
		return col
	}
	return int(rows[col])
}

// packColumn writes column j of a packed panel (width nr) over the inner
// indices [plo, phi) of the block that starts at pc: W's row r at the
// columns cols names (the indices themselves when cols is nil).
func packColumn(panel []float32, nr, j int, w []float32, ldw, r int, cols []int32, pc, plo, phi int) {
	if plo >= phi {
		return
	}
	src, dst := w[r*ldw:], panel[plo*nr+j:]
	if cols == nil {
		for i, v := range src[pc+plo : pc+phi] {
			dst[i*nr] = v
		}
		return
	}
	for i, cc := range cols[pc+plo : pc+phi] {
		dst[i*nr] = src[cc]
	}
}

// gemvIndexed does y[j] += sum_{lo[j] <= p < hi[j]} x[p]*w[rows[j]*ldw+cols[p]]
// (MaskedGemmIndexed's single row).
func gemvIndexed(t *impl, n int, x, w []float32, ldw int, rows, cols []int32, lo, hi []int, y []float32) {
	for j := range y[:n] {
		l, h := rangeLo(lo, j), hi[j]
		if l >= h {
			continue
		}
		r := j
		if rows != nil {
			r = int(rows[j])
		}
		row := w[r*ldw:]
		if cols == nil {
			y[j] += raggedDot(t, row[l:h], x[l:h])
		} else {
			y[j] += gatherDot(row, cols[l:h], x[l:h])
		}
	}
}

// gatherDot returns sum_i x[i]*w[idx[i]], in four interleaved sums as
// dotGeneric adds.
func gatherDot(w []float32, idx []int32, x []float32) float32 {
	x = x[:len(idx)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(idx); i += 4 {
		s0 += x[i] * w[idx[i]]
		s1 += x[i+1] * w[idx[i+1]]
		s2 += x[i+2] * w[idx[i+2]]
		s3 += x[i+3] * w[idx[i+3]]
	}
	for ; i < len(idx); i++ {
		s0 += x[i] * w[idx[i]]
	}
	return (s0 + s1) + (s2 + s3)
}
