package kernels

// convPacked is a ConvWeights' K x Cout operand packed for one tier's
// micro-kernel (mr x nr tile, kc cache block). K = len(taps)*Cin is cut
// into blocks [ks[i], ks[i+1]) of at most kc rows, on tap boundaries when
// Cin <= kc (so that a block is whole taps and its A panel is gathered as
// whole pixels); block i's nr-column panels are stored one after another
// from off[i]: panel q holds element (p, j) at off[i] + q*kb*nr + p*nr + j
// (kb the block's length), zero past Cout.
type convPacked struct {
	ks   []int
	off  []int
	data []float32
	kmax int // longest block
	// segs lists the blocks' pieces of one tap each, in K order (the
	// image-blocked path, conv_batch.go, runs the micro-kernel per piece).
	segs []convSeg
}

// convSeg is channels [ci0, ci0+n) of tap t, rows [p, p+n) of block blk.
type convSeg struct {
	t, ci0, n int
	blk, p    int
}

// packedFor returns cw's weights packed for tier t, packing them on first
// use. Concurrent first uses may both pack; one result is kept.
func (cw *ConvWeights) packedFor(t *impl) *convPacked {
	if p := cw.packed[t.tier].Load(); p != nil {
		return p
	}
	cw.packed[t.tier].CompareAndSwap(nil, packConv(cw, t.nr, t.kc))
	return cw.packed[t.tier].Load()
}

// convBlocks cuts K = taps*cin into blocks of at most kc rows: whole taps
// per block when cin <= kc (the taps shared out evenly over the fewest
// blocks), otherwise each tap's channels split evenly.
func convBlocks(taps, cin, kc int) []int {
	ks := []int{0}
	if taps == 0 {
		return ks
	}
	if cin <= kc {
		nb := (taps*cin + kc - 1) / kc
		per := (taps + nb - 1) / nb
		if per*cin > kc {
			per = kc / cin
		}
		for t := per; ; t += per {
			ks = append(ks, min(t, taps)*cin)
			if t >= taps {
				return ks
			}
		}
	}
	nb := (cin + kc - 1) / kc
	for t := 0; t < taps; t++ {
		for i := 1; i <= nb; i++ {
			ks = append(ks, t*cin+i*cin/nb)
		}
	}
	return ks
}

func packConv(cw *ConvWeights, nr, kc int) *convPacked {
	p := &convPacked{ks: convBlocks(len(cw.taps), cw.cin, kc)}
	nq := (cw.cout + nr - 1) / nr
	p.off = make([]int, len(p.ks)-1)
	size := 0
	for i := range p.off {
		kb := p.ks[i+1] - p.ks[i]
		p.off[i] = size
		size += kb * nq * nr
		p.kmax = max(p.kmax, kb)
	}
	p.data = make([]float32, size)
	cin := cw.cin
	for i := range p.off {
		for k := p.ks[i]; k < p.ks[i+1]; {
			ci0 := k % cin
			n := min(cin-ci0, p.ks[i+1]-k)
			p.segs = append(p.segs, convSeg{t: k / cin, ci0: ci0, n: n, blk: i, p: k - p.ks[i]})
			k += n
		}
	}
	for i := range p.off {
		k0, kb := p.ks[i], p.ks[i+1]-p.ks[i]
		for q := 0; q < nq; q++ {
			cols := min(nr, cw.cout-q*nr)
			panel := p.data[p.off[i]+q*kb*nr:]
			for r := 0; r < kb; r++ {
				copy(panel[r*nr:r*nr+cols], cw.b[(k0+r)*cw.cout+q*nr:])
			}
		}
	}
	return p
}
