package kernels

import "sync"

// convGeom maps the rows of a convolution's implicit GEMM to pixels. Rows
// come in runs of run rows, runs of them (M = run*runs):
//   - Conv2D: one run per image, its pixels from (row0, 0) on in raster
//     order, the output rows outStride = out.LD apart;
//   - Conv2DAt: one run of N rows, row m the pixel (row0, col0) of image m,
//     the output rows outStride = out.ImgStride apart.
//
// Output row m is out.Data[(m/run)*out.ImgStride + outBase + (m%run)*outStride:].
type convGeom struct {
	in, out    Image
	run, runs  int
	row0, col0 int
	at         bool
	outBase    int
	outStride  int
}

// outOff returns the offset in out.Data of output row m's channel 0.
func (g *convGeom) outOff(m int) int {
	return (m/g.run)*g.out.ImgStride + g.outBase + (m%g.run)*g.outStride
}

// pixel returns image, row and column of GEMM row m.
func (g *convGeom) pixel(m int) (img, r, c int) {
	if g.at {
		return m, g.row0, g.col0
	}
	img, q := m/g.run, m%g.run
	w := g.in.W
	return img, g.row0 + q/w, q % w
}

// maxMR bounds the micro-kernel height of every tier (AVX-512: 14).
const maxMR = 16

// convBuf is one Conv2D call's workspace, recycled through a pool.
type convBuf struct {
	a, tile []float32
	zeros   []float32 // read for pixels outside the image
	ring    []float32 // image-blocked path: interleaved input rows
	ringRow []int     // the input row in each ring slot
	segs    []rowSeg  // per panel of a block: read in place or packed
}

var convPool = sync.Pool{New: func() any { return new(convBuf) }}

// conv runs the implicit GEMM of g on tier t: for each mc-row block of
// output pixels (their channels first set to bias unless acc), for each K
// block, gather the A block and run the micro-kernel over its mr x nr tiles
// against the packed weights; a tile runs straight on the output when its
// rows are equally spaced there and it has nr whole columns, otherwise on a
// scratch tile that is added back.
func conv(t *impl, cw *ConvWeights, g *convGeom, bias []float32, acc bool) {
	m := g.run * g.runs
	if m == 0 {
		return
	}
	cout := cw.cout
	out := g.out.Data
	k := len(cw.taps) * cw.cin
	if k == 0 {
		for i := 0; i < m; i++ {
			o := g.outOff(i)
			startRow(out[o:o+cout], bias, acc)
		}
		return
	}
	pk := cw.packedFor(t)
	mr, nr := t.mr, t.nr
	mcMax := min(t.mc, roundUp(m, mr))
	buf := convPool.Get().(*convBuf)
	buf.a = grow(buf.a, mcMax*pk.kmax)
	buf.tile = grow(buf.tile, mr*nr)
	if len(buf.zeros) < pk.kmax {
		buf.zeros = make([]float32, pk.kmax)
	}
	micro, microRows := t.gemmMicro, t.gemmMicroRows
	direct := g.outStride >= nr
	lda := g.in.LD

	for ic := 0; ic < m; ic += mcMax {
		mc := min(mcMax, m-ic)
		for i := ic; i < ic+mc; i++ {
			o := g.outOff(i)
			startRow(out[o:o+cout], bias, acc)
		}
		for bi := range pk.off {
			k0, kb := pk.ks[bi], pk.ks[bi+1]-pk.ks[bi]
			findRowSegs(cw, g, ic, mc, k0, kb, mr, microRows != nil, buf)
			packConvA(cw, g, ic, mc, k0, kb, mr, buf)
			for q := 0; q*nr < cout; q++ {
				j := q * nr
				cols := min(nr, cout-j)
				bp := pk.data[pk.off[bi]+q*kb*nr : pk.off[bi]+(q+1)*kb*nr]
				for i := 0; i < mc; i += mr {
					rows := min(mr, mc-i)
					row := ic + i
					dst, ldc := buf.tile, nr
					inPlace := direct && rows == mr && cols == nr && row%g.run+mr <= g.run
					if inPlace {
						dst, ldc = out[g.outOff(row)+j:], g.outStride
					} else {
						clear(dst)
					}
					if sg := &buf.segs[i/mr]; sg.ok {
						in := g.in.Data
						microRows(sg.k1, in[sg.o1:], sg.k2, in[sg.o2:], lda, bp, dst, ldc)
					} else {
						micro(kb, buf.a[i*kb:(i+mr)*kb], bp, dst, ldc)
					}
					if inPlace {
						continue
					}
					for r := 0; r < rows; r++ {
						o := g.outOff(row+r) + j
						d := out[o : o+cols]
						for s := range d {
							d[s] += dst[r*nr+s]
						}
					}
				}
			}
		}
	}
	convPool.Put(buf)
}

// rowSeg is how an mr-row panel of the implicit A reads its K block: in
// place from the input (ok), as at most two runs of k1 and k2 columns,
// each mr rows lda = in.LD apart from offsets o1 and o2 of in.Data; or
// packed.
type rowSeg struct {
	ok             bool
	o1, k1, o2, k2 int
}

// findRowSegs sets buf.segs[r] for each panel r of rows [ic, ic+mc) and
// columns [k0, k0+kb) of the implicit A: in place when rows is set (the
// tier has gemmMicroRows), the panel is whole and inside one run, and each
// tap its columns read (at most two) reads pixels lda apart inside the
// image (tileRows).
func findRowSegs(cw *ConvWeights, g *convGeom, ic, mc, k0, kb, mr int, rows bool, buf *convBuf) {
	np := (mc + mr - 1) / mr
	if cap(buf.segs) < np {
		buf.segs = make([]rowSeg, np)
	}
	buf.segs = buf.segs[:np]
	cin := cw.cin
	for r := range buf.segs {
		sg := rowSeg{}
		row := ic + r*mr
		if rows && r*mr+mr <= mc && row%g.run+mr <= g.run {
			sg.ok = true
			n := 0
			for p := 0; p < kb && sg.ok; n++ {
				kk := k0 + p
				tap, ci0 := cw.taps[kk/cin], kk%cin
				cnt := min(cin-ci0, kb-p)
				off, in := tileRows(g, row, mr, tap)
				switch {
				case !in || n == 2:
					sg.ok = false
				case n == 0:
					sg.o1, sg.k1 = off+ci0, cnt
				default:
					sg.o2, sg.k2 = off+ci0, cnt
				}
				p += cnt
			}
		}
		buf.segs[r] = sg
	}
}

// tileRows reports whether the mr GEMM rows from row on (one run) read,
// for tap, input pixels in.LD floats apart that are all inside the image,
// and the offset of the first one's channel 0: the pixels of a run follow
// each other along an image row, so this holds for a one-column image
// (consecutive rows) and for pixels of one image row.
func tileRows(g *convGeom, row, mr int, tap Tap) (int, bool) {
	if g.at {
		return 0, false
	}
	in := g.in
	img, r, c := g.pixel(row)
	y, x := r+tap.DY, c+tap.DX
	if in.W == 1 {
		if x != 0 || y < 0 || y+mr > in.H {
			return 0, false
		}
	} else if c+mr > in.W || x < 0 || x+mr > in.W || y < 0 || y >= in.H {
		return 0, false
	}
	return img*in.ImgStride + (y*in.W+x)*in.LD, true
}

// startRow prepares output row y for accumulation: y = bias (0 if nil),
// or y += bias when acc is set.
func startRow(y, bias []float32, acc bool) {
	switch {
	case !acc:
		fillBias(y, bias)
	case bias != nil:
		for i, v := range bias[:len(y)] {
			y[i] += v
		}
	}
}

// packConvA gathers rows [ic, ic+mc) and columns [k0, k0+kb) of the
// implicit A matrix (row m, column t*cin+ci = channel ci of the input pixel
// that tap t of row m's pixel reads, 0 outside the image) into mr-row
// panels: panel r holds element (r*mr+i, p) at dst[r*mr*kb + p*mr + i],
// zero-padded to whole panels. Panels that findRowSegs marked as read in
// place are left alone.
func packConvA(cw *ConvWeights, g *convGeom, ic, mc, k0, kb, mr int, buf *convBuf) {
	dst := buf.a
	cin := cw.cin
	in := g.in
	var img, rr, cc [maxMR]int
	var src [maxMR][]float32
	zeros := buf.zeros
	for r := 0; r < mc; r += mr {
		if buf.segs[r/mr].ok {
			continue // read in place by gemmMicroRows
		}
		rows := min(mr, mc-r)
		panel := dst[r*kb : r*kb+mr*kb]
		if rows < mr {
			clear(panel)
		}
		for i := 0; i < rows; i++ {
			img[i], rr[i], cc[i] = g.pixel(ic + r + i)
		}
		for p := 0; p < kb; {
			kk := k0 + p
			tap := cw.taps[kk/cin]
			ci0 := kk % cin
			n := min(cin-ci0, kb-p) // channels of this tap in the block
			for i := 0; i < rows; i++ {
				y, x := rr[i]+tap.DY, cc[i]+tap.DX
				if y < 0 || y >= in.H || x < 0 || x >= in.W {
					src[i] = zeros
				} else {
					o := img[i]*in.ImgStride + (y*in.W+x)*in.LD + ci0
					src[i] = in.Data[o : o+n]
				}
			}
			gatherPixels(panel[p*mr:], mr, src[:rows], n)
			p += n
		}
	}
}

// gatherPixels interleaves n channels of the pixel rows src[i] (each at
// least n long) into a panel of width w: dst[c*w+i] = src[i][c] for c < n.
// Pixels go four (then two, then one) at a time so that each pass writes
// runs of adjacent floats.
func gatherPixels(dst []float32, w int, src [][]float32, n int) {
	if n == 0 {
		return
	}
	i := 0
	for ; i+4 <= len(src); i += 4 {
		r0 := src[i][:n]
		r1 := src[i+1][:n]
		r2 := src[i+2][:n]
		r3 := src[i+3][:n]
		d := dst[i : (n-1)*w+i+4]
		for c, v := range r0 {
			q := c * w
			e := d[q : q+4 : q+4]
			e[0], e[1], e[2], e[3] = v, r1[c], r2[c], r3[c]
		}
	}
	if i+2 <= len(src) {
		r0 := src[i][:n]
		r1 := src[i+1][:n]
		d := dst[i : (n-1)*w+i+2]
		for c, v := range r0 {
			q := c * w
			e := d[q : q+2 : q+2]
			e[0], e[1] = v, r1[c]
		}
		i += 2
	}
	if i < len(src) {
		d := dst[i : (n-1)*w+i+1]
		for c, v := range src[i][:n] {
			d[c*w] = v
		}
	}
}

// convPixel is Conv2DAt for one image: for each kept tap whose input pixel
// is inside the image, one GEMV over that tap's Cin x Cout weight rows.
func convPixel(t *impl, cw *ConvWeights, in Image, r, c int, out Image, bias []float32, acc bool) {
	cin, cout := cw.cin, cw.cout
	o := (r*out.W + c) * out.LD
	y := out.Data[o : o+cout]
	startRow(y, bias, acc)
	for ti, tap := range cw.taps {
		rr, cc := r+tap.DY, c+tap.DX
		if rr < 0 || rr >= in.H || cc < 0 || cc >= in.W {
			continue
		}
		s := (rr*in.W + cc) * in.LD
		t.gemvT(cin, cout, cw.b[ti*cin*cout:(ti+1)*cin*cout], cout, in.Data[s:s+cin], y)
	}
}
