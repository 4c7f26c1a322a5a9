package engine

import (
	"fmt"

	"github.com/arinfer/arinfer/kernels"
)

// pixelNet is the network of a pixelcnn (format/SPEC.md 3.6): a mask-A
// k0 x k0 input convolution from the image to F channels, then L residual
// layers s_l = s_{l-1} + conv_B(relu(s_{l-1})) with k x k mask-B
// convolutions; the head (conv.go) reads relu(s_L). The masked-out taps
// are dropped when the weights are prepared, so they cost nothing.
type pixelNet struct {
	m      *convModel
	L      int
	n, n0  int // (k-1)/2, (k0-1)/2
	in     *kernels.ConvWeights
	inB    []float32
	inCls  []float32 // N x F, nil for an unconditional model
	res    []resLayer
	window int // rows of every sampler window: max(n, n0) + 1
}

// resLayer is one residual layer: weights, bias and class rows.
type resLayer struct {
	w      *kernels.ConvWeights
	b, cls []float32
}

func newPixelCNN(m *convModel, cfg Config, w Weights) (*pixelNet, error) {
	F, N, k, k0 := m.F, m.N, cfg.KernelSize, cfg.InputKernel
	p := &pixelNet{m: m, L: cfg.Layers, n: m.n, n0: (k0 - 1) / 2}
	p.window = max(p.n, p.n0) + 1
	if err := m.checkMemory(p.actPerPixel(), p.stateFloats()); err != nil {
		return nil, err
	}
	t := convTensors{w: w}
	p.in = t.conv("in_w", F, 1, k0, k0, p.n0, p.n0, maskA(p.n0))
	p.inB = t.bias("in_b", F)
	if N > 0 {
		p.inCls = cloneF(t.get("in_cls", N, F))
	}
	p.res = make([]resLayer, p.L)
	for l := 1; l <= p.L && t.err == nil; l++ {
		r := &p.res[l-1]
		r.w = t.conv(fmt.Sprintf("res%d_w", l), F, F, k, k, p.n, p.n, maskB(p.n))
		r.b = t.bias(fmt.Sprintf("res%d_b", l), F)
		if N > 0 {
			r.cls = cloneF(t.get(fmt.Sprintf("res%d_cls", l), N, F))
		}
	}
	if t.err != nil {
		return nil, t.err
	}
	m.info.Params += t.params
	flops := p.in.FLOPs()
	for _, r := range p.res {
		flops += r.w.FLOPs()
	}
	m.info.FLOPs += m.D * flops
	return p, nil
}

// actPerPixel: the residual stream s and its relu a.
func (p *pixelNet) actPerPixel() int { return 2 * p.m.F }

// forward runs the pixelcnn over rows [0, rows) of the g images of ws.u.
func (p *pixelNet) forward(ws *convWork, g, rows int, labels []int, capture, full bool) []float32 {
	m := p.m
	F, W := m.F, m.W
	n := g * rows * W * F
	ws.act = growF(ws.act, 2*n)
	s, a := ws.act[:n], ws.act[n:2*n]
	uI := img(ws.u, g, rows, W, 1)
	sI, aI := img(s, g, rows, W, F), img(a, g, rows, W, F)
	if capture {
		copyLastRows(p.uwin(ws, g), uI)
	}
	if p.L == 0 && !full {
		return nil // the state is the image alone
	}
	ws.convRuns(p.in, uI, 0, rows, sI, p.inB, p.inCls, labels, false)
	hookRows('s', 0, 0, rows, W, g)
	for l := 1; l <= p.L; l++ {
		kernels.Relu(a, s)
		if capture {
			copyLastRows(p.rwin(ws, g, l-1), aI)
		}
		if l == p.L && !full {
			break // s_L feeds only the head
		}
		r := &p.res[l-1]
		ws.convRuns(r.w, aI, 0, rows, sI, r.b, r.cls, labels, true)
		hookRows('s', l, 0, rows, W, g)
	}
	if !full {
		return nil
	}
	return s
}

// copyLastRows copies the last dst.H rows of every image of src into the
// windows dst (row dst.H-1 of a window is the last row of src); window
// rows above the image are left as they are (zero after initState).
func copyLastRows(dst, src kernels.Image) {
	row := src.W * src.LD
	for e := 0; e < src.N; e++ {
		for j := 0; j < dst.H; j++ {
			r := src.H - dst.H + j
			if r < 0 {
				continue
			}
			s := src.Data[e*src.ImgStride+r*row:]
			copy(dst.Data[e*dst.ImgStride+j*row:e*dst.ImgStride+(j+1)*row], s[:row])
		}
	}
}
