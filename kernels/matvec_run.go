package kernels

import (
	"sync"
	"unsafe"
)

// matPanelFunc is a tier's MatVec micro-kernel: it computes panels >= 1
// consecutive row panels (p rows each) of the product for one vector
// (matKernel.one) or for nbb vectors (matKernel.many). For each vector b
// and row r < panels·p:
//
//	y[b*ldy + r] = (acc ? y[b*ldy + r] : 0) + (bias != nil ? bias[r] : 0) + Σ_{j<n} W[r, j]·x[b*ldx + j]
//
// where w points at the first panel in the kernel's layout (float32 or
// 16-bit weights; the panels follow each other) and x at vector 0
// (float32, or bfloat16 bits for layoutPairs, whose n counts columns and
// must then be even, and whose ldx counts 16-bit elements). The kernel
// trusts every size: all panels·p rows of y and bias are read and
// written.
type matPanelFunc func(w, x unsafe.Pointer, n, ldx int, y *float32, ldy int, bias *float32, acc bool, panels int)

// xForm is what MatVec does to x before a kernel reads it.
type xForm uint8

const (
	xAsIs      xForm = iota
	xRoundBF16       // x rounded to bfloat16 values, as float32
	xPairsBF16       // x rounded to bfloat16 bits, padded to an even length with 0
)

// matKernel is one tier's MatVec for one weight type.
type matKernel struct {
	layout matLayout
	p      int // panel rows
	v      int // floats per vector register (layoutPanelIL's group half)
	nbb    int // vectors per call of many
	xform  xForm
	one    matPanelFunc
	many   matPanelFunc
}

// matvecTable is a tier's MatVec kernels by weight type; a nil entry runs
// the generic kernel.
type matvecTable struct {
	k [numWeightTypes]*matKernel
}

func (mt *matvecTable) kernel(wt WeightType) *matKernel {
	if wt < numWeightTypes {
		return mt.k[wt]
	}
	return nil
}

// maxMatPanel bounds every tier's p·nbb (the stack tile of a ragged last
// panel).
const maxMatPanel = 256

// matScratch is one MatVec call's workspace: a rounded copy of x, and the
// tiles of a ragged last panel (on the heap, not the stack: the kernels
// are called through function values, so escape analysis cannot see that
// they keep no pointer).
type matScratch struct {
	f        []float32
	h        []uint16
	tile, tb [maxMatPanel]float32
}

var matScratchPool = sync.Pool{New: func() any { return new(matScratch) }}

// matvecRun is MatVec on tier t with a's weights packed as pk, for rows
// [r0, r1) of the matrix only (sizes checked by the caller; y and bias
// indexed by the matrix's row). Each row's arithmetic does not depend on
// the window: a row in a partial panel runs the same kernel, lane for
// lane, on a tile.
func matvecRun(t *impl, a *Mat, pk *matPacked, r0, r1, nb int, x []float32, ldx int, bias, y []float32, ldy int, acc bool) {
	if pk.layout == layoutRows {
		matvecGeneric(a, pk.f32, r0, r1, nb, x, ldx, bias, y, ldy, acc)
		return
	}
	k := t.matvec.k[a.wt]
	n := a.n
	p := pk.p
	ncols, esize := n, 2
	if pk.layout == layoutPairs {
		ncols = (n + 1) &^ 1
	}
	if pk.f32 != nil {
		esize = 4
	}
	var wbase unsafe.Pointer
	if pk.f32 != nil {
		wbase = unsafe.Pointer(&pk.f32[0])
	} else {
		wbase = unsafe.Pointer(&pk.u16[0])
	}
	panelBytes := uintptr(p * ncols * esize)

	// Whole panels [q0, q1); a partial panel before (r0 inside a panel) or
	// after (r1 inside one) runs on sc's tiles.
	q0, q1 := (r0+p-1)/p, r1/p
	var sc *matScratch
	if k.xform != xAsIs || r0%p != 0 || r1%p != 0 {
		sc = matScratchPool.Get().(*matScratch)
	}
	// x as the kernel reads it: as is, or rounded once for all panels.
	xp, xld, xstride := unsafe.Pointer(&x[0]), ldx, uintptr(ldx*4)
	switch k.xform {
	case xRoundBF16:
		sc.f = grow(sc.f, nb*n)
		for b := 0; b < nb; b++ {
			t.roundBF16(sc.f[b*n:(b+1)*n], x[b*ldx:b*ldx+n])
		}
		xp, xld, xstride = unsafe.Pointer(&sc.f[0]), n, uintptr(n*4)
	case xPairsBF16:
		if len(sc.h) < nb*ncols {
			sc.h = make([]uint16, nb*ncols)
		}
		for b := 0; b < nb; b++ {
			h := sc.h[b*ncols : (b+1)*ncols]
			t.packBF16(h, x[b*ldx:b*ldx+n])
			if ncols > n {
				h[n] = 0
			}
		}
		xp, xld, xstride = unsafe.Pointer(&sc.h[0]), ncols, uintptr(ncols*2)
	}
	panel := func(q int) unsafe.Pointer { return unsafe.Add(wbase, uintptr(q)*panelBytes) }
	// part runs rows [i0, i1) of the one panel q that holds them, for
	// vectors [b0, b0+cnt).
	part := func(q, i0, i1, b0, cnt int) {
		matvecRagged(k, sc, panel(q), unsafe.Add(xp, uintptr(b0)*xstride), ncols, xld, xstride, cnt,
			i0-q*p, i1-i0, bias, i0, y[b0*ldy:], ldy, acc)
	}
	if q0 > q1 { // r0 and r1 inside the same panel
		for b0 := 0; b0 < nb; b0 += k.nbb {
			part(q1, r0, r1, b0, min(k.nbb, nb-b0))
		}
		matScratchPool.Put(sc)
		return
	}
	if nb <= k.nbb {
		// One pass over the weights: the kernel loops over the panels.
		if r0 < q0*p {
			part(q0-1, r0, q0*p, 0, nb)
		}
		if q1 > q0 {
			var bp *float32
			if bias != nil {
				bp = &bias[q0*p]
			}
			if nb == k.nbb {
				k.many(panel(q0), xp, ncols, xld, &y[q0*p], ldy, bp, acc, q1-q0)
			} else {
				for b := 0; b < nb; b++ {
					k.one(panel(q0), unsafe.Add(xp, uintptr(b)*xstride), ncols, xld, &y[b*ldy+q0*p], ldy, bp, acc, q1-q0)
				}
			}
		}
		if q1*p < r1 {
			part(q1, q1*p, r1, 0, nb)
		}
		if sc != nil {
			matScratchPool.Put(sc)
		}
		return
	}
	// Panel by panel, so that a panel stays in L1 for all the vectors.
	for q := r0 / p; q*p < r1; q++ {
		i0, i1 := max(r0, q*p), min(r1, q*p+p)
		w := panel(q)
		var bp *float32
		if bias != nil {
			bp = &bias[q*p]
		}
		for b0 := 0; b0 < nb; b0 += k.nbb {
			cnt := min(k.nbb, nb-b0)
			if i1-i0 < p {
				part(q, i0, i1, b0, cnt)
				continue
			}
			xb := unsafe.Add(xp, uintptr(b0)*xstride)
			if cnt == k.nbb {
				k.many(w, xb, ncols, xld, &y[b0*ldy+q*p], ldy, bp, acc, 1)
				continue
			}
			for b := 0; b < cnt; b++ {
				k.one(w, unsafe.Add(xb, uintptr(b)*xstride), ncols, xld, &y[(b0+b)*ldy+q*p], ldy, bp, acc, 1)
			}
		}
	}
	if sc != nil {
		matScratchPool.Put(sc)
	}
}

// matvecRagged runs rows [off, off+rows) of the panel at w (the matrix's
// rows [i0, i0+rows)) on sc's tiles: the kernel reads and writes all p
// rows, so y's and the bias's rows are copied in and the result's rows
// copied out (y points at vector 0's row 0).
func matvecRagged(k *matKernel, sc *matScratch, w, xp unsafe.Pointer, ncols, xld int, xstride uintptr, cnt, off, rows int,
	bias []float32, i0 int, y []float32, ldy int, acc bool) {
	tile, tb := &sc.tile, &sc.tb
	p := k.p
	var bp *float32
	if bias != nil {
		copy(tb[off:off+rows], bias[i0:i0+rows])
		bp = &tb[0]
	}
	for b := 0; b < cnt; b++ {
		t := tile[b*p : b*p+p]
		if acc {
			copy(t[off:off+rows], y[b*ldy+i0:b*ldy+i0+rows])
		}
	}
	if cnt == k.nbb {
		k.many(w, xp, ncols, xld, &tile[0], p, bp, acc, 1)
	} else {
		for b := 0; b < cnt; b++ {
			k.one(w, unsafe.Add(xp, uintptr(b)*xstride), ncols, xld, &tile[b*p], p, bp, acc, 1)
		}
	}
	for b := 0; b < cnt; b++ {
		copy(y[b*ldy+i0:b*ldy+i0+rows], tile[b*p+off:b*p+off+rows])
	}
}

// matvecGeneric is the specification of MatVec on the row-major float32
// weights w (m x n, the stored values widened): for each vector b < nb,
// y[b*ldy+i] = (acc ? y[b*ldy+i] : 0) + bias[i] + Σ_j w[i*n+j]·x'[b*ldx+j]
// for r0 <= i < r1, with x' = x rounded to bfloat16 for BF16Dot and x
// otherwise.
func matvecGeneric(a *Mat, w []float32, r0, r1, nb int, x []float32, ldx int, bias, y []float32, ldy int, acc bool) {
	n := a.n
	var sc *matScratch
	if a.wt == BF16Dot {
		sc = matScratchPool.Get().(*matScratch)
		sc.f = grow(sc.f, n)
	}
	for b := 0; b < nb; b++ {
		yb := y[b*ldy+r0 : b*ldy+r1]
		xb := x[b*ldx : b*ldx+n]
		if sc != nil {
			roundBF16Generic(sc.f[:n], xb)
			xb = sc.f[:n]
		}
		var bb []float32
		if bias != nil {
			bb = bias[r0:r1]
		}
		startRow(yb, bb, acc)
		for i := range yb {
			r := r0 + i
			yb[i] += dotGeneric(w[r*n:(r+1)*n], xb)
		}
	}
	if sc != nil {
		matScratchPool.Put(sc)
	}
}
