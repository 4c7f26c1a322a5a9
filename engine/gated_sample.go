package engine

import "github.com/arinfer/arinfer/kernels"

// The gatedpixelcnn's cached sampler. When row r is complete, the vertical
// stack of row r is computed for all layers (one Conv2D over that row for
// the batch per layer), with the 1x1 map vh{l} of it that the horizontal
// stack of row r+1 adds (down()). Then for each pixel (r+1, c) every
// layer's horizontal stack (Conv2DAt over the batch) and the head run. The
// state, for B examples in ws.st:
//
//	vwin[l]   n+1 rows x W x (1 or F)  v_l, l = 0..L-1 (v_0 = u): the rows the
//	                                  vertical convolution of layer l+1 reads,
//	                                  the current row last
//	vp        n+1 rows x W x 2F        scratch: the vertical pre-activations of
//	                                  one layer, in the last row (window-shaped
//	                                  because the kernels address outputs like
//	                                  their inputs)
//	vhrow[l]  1 row x W x 2F           l = 1..L: vh{l}·vp_l(row above) + biases +
//	                                  class row; at pixel c it becomes hp_l(r, c)
//	                                  and then gate(hp_l) (in place)
//	hrow[l]   1 row x W x (1 or F)     h_l of the current row, l = 0..L (h_0 = u)

// stateFloats: the windows and rows of one example.
func (g *gatedNet) stateFloats() int {
	m := g.m
	W, F, L, n := m.W, m.F, g.L, g.n
	return (n+1)*W + (L-1)*(n+1)*W*F + (n+1)*W*2*F + L*W*2*F + W + L*W*F
}

// vwin returns the window of v_l (l = 0..L-1) of B examples.
func (g *gatedNet) vwin(ws *convWork, B, l int) kernels.Image {
	W, F, n := g.m.W, g.m.F, g.n
	if l == 0 {
		return img(ws.st[:B*(n+1)*W], B, n+1, W, 1)
	}
	sz := B * (n + 1) * W * F
	o := B*(n+1)*W + (l-1)*sz
	return img(ws.st[o:o+sz], B, n+1, W, F)
}

// vpOff is the offset of the vp scratch in ws.st.
func (g *gatedNet) vpOff(B int) int {
	W, F, n := g.m.W, g.m.F, g.n
	return B*(n+1)*W + (g.L-1)*B*(n+1)*W*F
}

func (g *gatedNet) vpWin(ws *convWork, B int) kernels.Image {
	W, F, n := g.m.W, g.m.F, g.n
	o := g.vpOff(B)
	return img(ws.st[o:o+B*(n+1)*W*2*F], B, n+1, W, 2*F)
}

// vhrow returns the row vhrow[l] (l = 1..L) of B examples.
func (g *gatedNet) vhrow(ws *convWork, B, l int) kernels.Image {
	W, F, n := g.m.W, g.m.F, g.n
	sz := B * W * 2 * F
	o := g.vpOff(B) + B*(n+1)*W*2*F + (l-1)*sz
	return img(ws.st[o:o+sz], B, 1, W, 2*F)
}

// hrow returns the row h_l (l = 0..L) of B examples.
func (g *gatedNet) hrow(ws *convWork, B, l int) kernels.Image {
	W, F, n := g.m.W, g.m.F, g.n
	o := g.vpOff(B) + B*(n+1)*W*2*F + g.L*B*W*2*F
	if l == 0 {
		return img(ws.st[o:o+B*W], B, 1, W, 1)
	}
	sz := B * W * F
	o += B*W + (l-1)*sz
	return img(ws.st[o:o+sz], B, 1, W, F)
}

func (g *gatedNet) initState(ws *convWork, B int) {
	ws.st = growF(ws.st, B*g.stateFloats())
	clear(ws.st)
}

func (g *gatedNet) rowStart(ws *convWork, B, r int, labels []int) {
	if r > 0 {
		for l := 0; l < g.L; l++ {
			shiftRows(g.vwin(ws, B, l))
		}
		return
	}
	// Row 0 has no row above: down() is 0, the horizontal
	// pre-activations start from the biases and class rows.
	F2 := 2 * g.m.F
	for l := 1; l <= g.L; l++ {
		ly := &g.layers[l-1]
		vh := g.vhrow(ws, B, l)
		for e := 0; e < B; e++ {
			for c := 0; c < vh.W; c++ {
				o := e*vh.ImgStride + c*F2
				copy(vh.Data[o:o+F2], ly.hb)
			}
		}
		addRowClass(vh, 0, 0, vh.W, ly.hcls, F2, labels)
	}
}

func (g *gatedNet) pixel(ws *convWork, B, r, c int, labels []int) ([]float32, int) {
	F, W := g.m.F, g.m.W
	for l := 1; l <= g.L; l++ {
		ly := &g.layers[l-1]
		vh, hin, hout := g.vhrow(ws, B, l), g.hrow(ws, B, l-1), g.hrow(ws, B, l)
		kernels.Conv2DAt(ly.h, hin, 0, c, vh, nil, true)
		at := vh.Data[c*2*F:]
		kernels.GateRows(B, F, at, vh.ImgStride, at, vh.ImgStride)
		if l >= 2 {
			for e := 0; e < B; e++ {
				o := e*hout.ImgStride + c*F
				copy(hout.Data[o:o+F], hin.Data[o:o+F])
			}
		}
		kernels.Conv2DAt(ly.ho, vh, 0, c, hout, ly.hob, l >= 2)
		convHookPixel('h', l, r, c, B)
	}
	h := g.hrow(ws, B, g.L)
	return h.Data[c*F:], W * F
}

func (g *gatedNet) setPixel(ws *convWork, B, r, c int, u []float32) {
	v0, h0 := g.vwin(ws, B, 0), g.hrow(ws, B, 0)
	for e := 0; e < B; e++ {
		v0.Data[e*v0.ImgStride+g.n*v0.W+c] = u[e]
		h0.Data[e*h0.ImgStride+c] = u[e]
	}
}

// rowEnd computes the vertical stack of row r for every layer, and the
// vh{l} terms the horizontal stack of row r+1 adds.
func (g *gatedNet) rowEnd(ws *convWork, B, r int, labels []int) {
	F, W, n := g.m.F, g.m.W, g.n
	vp := g.vpWin(ws, B)
	last := kernels.Image{Data: vp.Data[n*W*2*F:], N: B, H: 1, W: W, LD: 2 * F, ImgStride: vp.ImgStride}
	for l := 1; l <= g.L; l++ {
		ly := &g.layers[l-1]
		kernels.Conv2D(ly.v, g.vwin(ws, B, l-1), n, n+1, vp, ly.vb, false)
		addRowClass(vp, n, 0, W, ly.vcls, 2*F, labels)
		hookRows('v', l, r, r+1, W, B)
		vh := g.vhrow(ws, B, l)
		kernels.Conv2D(ly.vh, last, 0, 1, vh, ly.hb, false)
		addRowClass(vh, 0, 0, W, ly.hcls, 2*F, labels)
		if l < g.L {
			next := g.vwin(ws, B, l)
			for e := 0; e < B; e++ {
				kernels.GateRows(W, F, last.Data[e*last.ImgStride:], 2*F, next.Data[e*next.ImgStride+n*W*F:], F)
			}
		}
	}
}
