package kernels

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// PackedWeights is an n x k weight matrix W (the PyTorch Linear layout, Y =
// X·Wᵀ) with optional per-output inner ranges, prepared once for GEMM: the
// products read W from GEMM panels packed at the first product on a tier
// instead of packing them on every call, as Gemm and MaskedGemm do. Only the
// inner rows of a panel that some column's range reaches are stored, so a
// staircase mask (MADE, FVSBN) keeps about half of W. W itself is kept by
// reference (not copied) for one-row products, which stream it as a GEMV.
//
// The panels depend on the active tier's register tile and blocking: each
// tier that runs a product packs its own once (a program normally uses one
// tier, so one packed copy exists). The results are bit for bit those of
// MaskedGemm (or Gemm with transB) on the same tier. A PackedWeights is safe
// for concurrent use; W, lo and hi must not change while it is in use.
type PackedWeights struct {
	n, k   int
	w      []float32
	ldw    int
	lo, hi []int
	mu     sync.Mutex
	packs  [numTiers]atomic.Pointer[packedB]
}

// packedB is W packed for one tier: the blocks of gemmBlocked in jc-major,
// pc-minor order, each with nb panels.
type packedB struct {
	kc, nc, nb    int // block sizes, panels per block
	kb            int // blocks along k
	data          []float32
	klo, khi, off []int  // per panel of each block
	nonEmpty      []bool // per block
}

// PackWeights returns W (n x k, leading dimension ldw) prepared for
// products that reduce output column j over [lo[j], hi[j]) only, as
// MaskedGemm does; hi == nil means every column reduces over all of k (a
// dense layer) and lo == nil counts as all zeros. Nothing is packed until
// the first product on a tier (see Prepare). It panics on inconsistent
// sizes or ranges, as MaskedGemm does.
func PackWeights(n, k int, w []float32, ldw int, lo, hi []int) *PackedWeights {
	if n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: PackWeights: negative size %dx%d", n, k))
	}
	checkMat("PackWeights", "w", n, k, w, ldw)
	if hi != nil {
		checkRanges("PackWeights", n, k, lo, hi)
	} else if lo != nil {
		panic("kernels: PackWeights: lo without hi")
	}
	return &PackedWeights{n: n, k: k, w: w, ldw: ldw, lo: lo, hi: hi}
}

// Prepare packs W for the active tier now, so that the first product does
// not pay for it (a server can call it at load).
func (p *PackedWeights) Prepare() { p.packed(cur) }

// PackedBytes returns the bytes the panels of the active tier take (0 if
// they have not been packed yet).
func (p *PackedWeights) PackedBytes() int {
	if b := p.packs[cur.tier].Load(); b != nil {
		return 4 * len(b.data)
	}
	return 0
}

// Gemm computes C = X·Wᵀ + bias over each column's range:
//
//	c[i*ldc+j] = bias[j] + sum_{lo[j] <= q < hi[j]} x[i*ldx+q]*w[j*ldw+q]
//
// for the m x k matrix X (bias nil counts as zero), like MaskedGemm.
func (p *PackedWeights) Gemm(m int, x []float32, ldx int, bias, c []float32, ldc int) {
	p.check("PackedWeights.Gemm", m, x, ldx, c, ldc)
	fillRows(m, p.n, bias, c, ldc)
	p.gemm(m, x, ldx, c, ldc)
}

// GemmAcc computes C += X·Wᵀ over each column's range.
func (p *PackedWeights) GemmAcc(m int, x []float32, ldx int, c []float32, ldc int) {
	p.check("PackedWeights.GemmAcc", m, x, ldx, c, ldc)
	p.gemm(m, x, ldx, c, ldc)
}

func (p *PackedWeights) check(fn string, m int, x []float32, ldx int, c []float32, ldc int) {
	if m < 0 {
		panic(fmt.Sprintf("kernels: %s: negative m %d", fn, m))
	}
	checkMat(fn, "x", m, p.k, x, ldx)
	checkMat(fn, "c", m, p.n, c, ldc)
}

func (p *PackedWeights) gemm(m int, x []float32, ldx int, c []float32, ldc int) {
	n, k := p.n, p.k
	if m == 0 || n == 0 || k == 0 {
		return
	}
	t := cur
	if m == 1 {
		gemmRow(t, false, true, n, k, x, ldx, p.w, p.ldw, c, p.lo, p.hi)
		return
	}
	b := p.packed(t)
	gemmBlocked(t, false, m, n, k, x, ldx, c, ldc, func(pc, kc, jc, nc, nr int, _ *gemmBuf) (bPanels, bool) {
		blk := jc/b.nc*b.kb + pc/b.kc
		s := blk * b.nb
		np := (nc + nr - 1) / nr
		return bPanels{b.data, b.klo[s : s+np], b.khi[s : s+np], b.off[s : s+np]}, b.nonEmpty[blk]
	})
}

// packed returns W packed for tier t, packing it on first use.
func (p *PackedWeights) packed(t *impl) *packedB {
	if b := p.packs[t.tier].Load(); b != nil {
		return b
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := p.packs[t.tier].Load(); b != nil {
		return b
	}
	b := packWeights(t, p.n, p.k, p.w, p.ldw, p.lo, p.hi)
	p.packs[t.tier].Store(b)
	return b
}

// packWeights packs every block of gemmBlocked's loop nest with packB (so
// the panels are those MaskedGemm packs on every call) and keeps the rows
// of each panel's non-zero range.
func packWeights(t *impl, n, k int, w []float32, ldw int, lo, hi []int) *packedB {
	nr := t.nr
	kc, nc := gemmBlocks(t, n, k)
	b := &packedB{kc: kc, nc: nc, nb: nc / nr}
	if n == 0 || k == 0 {
		return b
	}
	b.kb = (k + kc - 1) / kc
	blocks := (n + nc - 1) / nc * b.kb
	b.klo = make([]int, blocks*b.nb)
	b.khi = make([]int, blocks*b.nb)
	b.off = make([]int, blocks*b.nb)
	b.nonEmpty = make([]bool, blocks)
	buf := &gemmBuf{b: make([]float32, nc*kc), klo: make([]int, b.nb), khi: make([]int, b.nb)}
	// Size data from the panels' ranges (those packB finds), then pack
	// each block once and keep its panels' non-zero rows.
	size := 0
	for jc := 0; jc < n; jc += nc {
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			for j := jc; j < min(jc+nc, n); j += nr {
				klo, khi := 0, kcb
				if hi != nil {
					klo, khi = panelRange(lo, hi, j, min(nr, n-j), pc, kcb)
				}
				size += max(khi-klo, 0) * nr
			}
		}
	}
	b.data = make([]float32, size)
	size = 0
	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			blk := jc/nc*b.kb + pc/kc
			b.nonEmpty[blk] = packB(true, w, ldw, pc, kcb, jc, ncb, nr, lo, hi, buf)
			for q := 0; q*nr < ncb; q++ {
				i := blk*b.nb + q
				klo, khi := buf.klo[q], buf.khi[q]
				b.klo[i], b.khi[i] = klo, khi
				b.off[i] = size - klo*nr
				if klo < khi {
					size += copy(b.data[size:], buf.b[q*nr*kcb+klo*nr:q*nr*kcb+khi*nr])
				}
			}
		}
	}
	return b
}
