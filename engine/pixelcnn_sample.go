package engine

import "github.com/arinfer/arinfer/kernels"

// The pixelcnn's cached sampler. After pixel t is drawn, every layer
// computes its output at pixel t+1 in turn (one Conv2DAt over the batch),
// then the head gives the logits of pixel t+1. A layer's convolution reads
// rows r-n..r of its input, so each input keeps a window of the last rows
// (the current row last), moved up one row when a row starts:
//
//	uwin     n0+1 rows x W x 1   the image u (input of the mask-A convolution)
//	rwin[l]  n+1 rows x W x F    relu(s_l), l = 0..L-1 (input of layer l+1)
//	S        w rows x W x F      w = max(n, n0)+1: the residual stream at the
//	                             current pixel, row n0 (input convolution) and
//	                             row n (residual layers) of a window-shaped
//	                             output, as the kernels address outputs like
//	                             their inputs
//
// ws.st holds, for B examples: uwin, S, then rwin[0..L-1], each B windows.

// stateFloats: the windows of one example.
func (p *pixelNet) stateFloats() int {
	m := p.m
	return (p.n0+1)*m.W + p.window*m.W*m.F + p.L*(p.n+1)*m.W*m.F
}

func (p *pixelNet) uwin(ws *convWork, B int) kernels.Image {
	W := p.m.W
	return img(ws.st[:B*(p.n0+1)*W], B, p.n0+1, W, 1)
}

func (p *pixelNet) sWin(ws *convWork, B int) kernels.Image {
	W, F := p.m.W, p.m.F
	o := B * (p.n0 + 1) * W
	return img(ws.st[o:o+B*p.window*W*F], B, p.window, W, F)
}

func (p *pixelNet) rwin(ws *convWork, B, l int) kernels.Image {
	W, F := p.m.W, p.m.F
	sz := B * (p.n + 1) * W * F
	o := B*(p.n0+1)*W + B*p.window*W*F + l*sz
	return img(ws.st[o:o+sz], B, p.n+1, W, F)
}

func (p *pixelNet) initState(ws *convWork, B int) {
	ws.st = growF(ws.st, B*p.stateFloats())
	clear(ws.st)
}

func (p *pixelNet) rowStart(ws *convWork, B, r int, labels []int) {
	if r == 0 {
		return
	}
	shiftRows(p.uwin(ws, B))
	for l := 0; l < p.L; l++ {
		shiftRows(p.rwin(ws, B, l))
	}
}

func (p *pixelNet) pixel(ws *convWork, B, r, c int, labels []int) ([]float32, int) {
	F, W := p.m.F, p.m.W
	S := p.sWin(ws, B)
	kernels.Conv2DAt(p.in, p.uwin(ws, B), p.n0, c, S, p.inB, false)
	addRowClass(S, p.n0, c, c+1, p.inCls, F, labels)
	convHookPixel('s', 0, r, c, B)
	at := (p.n*W + c) * F // the pixel of S the residual layers update
	if p.n0 != p.n {
		from := (p.n0*W + c) * F
		for e := 0; e < B; e++ {
			o := e * S.ImgStride
			copy(S.Data[o+at:o+at+F], S.Data[o+from:o+from+F])
		}
	}
	for l := 1; l <= p.L; l++ {
		R := p.rwin(ws, B, l-1)
		for e := 0; e < B; e++ {
			o, so := e*R.ImgStride+at, e*S.ImgStride+at
			kernels.Relu(R.Data[o:o+F], S.Data[so:so+F])
		}
		rl := &p.res[l-1]
		kernels.Conv2DAt(rl.w, R, p.n, c, S, rl.b, true)
		addRowClass(S, p.n, c, c+1, rl.cls, F, labels)
		convHookPixel('s', l, r, c, B)
	}
	return S.Data[at:], S.ImgStride
}

func (p *pixelNet) setPixel(ws *convWork, B, r, c int, u []float32) {
	U := p.uwin(ws, B)
	for e := 0; e < B; e++ {
		U.Data[e*U.ImgStride+p.n0*U.W+c] = u[e]
	}
}

func (p *pixelNet) rowEnd(ws *convWork, B, r int, labels []int) {}
