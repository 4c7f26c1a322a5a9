package engine

import (
	"fmt"

	"github.com/arinfer/arinfer/kernels"
)

// gatedNet is the network of a gatedpixelcnn (format/SPEC.md 3.7): L
// gated layers, each with a vertical stack ((n+1) x k convolution, anchor
// (n, n): rows r-n..r) and a horizontal stack (1 x (n+1) convolution,
// anchor (0, n): columns c-n..c of row r; 1 x n for layer 1, which must
// not see the current pixel) that also reads the vertical stack of the row
// above through a 1x1 convolution (down()). The head (conv.go) reads
// relu(h_L).
type gatedNet struct {
	m      *convModel
	L, n   int
	layers []gatedLayer
}

// gatedLayer holds one layer's prepared weights. hb is h{l}_b + vh{l}_b,
// the bias of every horizontal pre-activation (down() is 0 in row 0, but
// vh{l}_b is still added there).
type gatedLayer struct {
	v, h, vh, ho *kernels.ConvWeights
	vb, hb, hob  []float32
	vcls, hcls   []float32 // N x 2F, nil for an unconditional model
}

func newGated(m *convModel, cfg Config, w Weights) (*gatedNet, error) {
	F, N, k, n := m.F, m.N, cfg.KernelSize, m.n
	g := &gatedNet{m: m, L: cfg.Layers, n: n}
	if err := m.checkMemory(g.actPerPixel(), g.stateFloats()); err != nil {
		return nil, err
	}
	t := convTensors{w: w}
	g.layers = make([]gatedLayer, g.L)
	flops := 0
	for l := 1; l <= g.L && t.err == nil; l++ {
		ly := &g.layers[l-1]
		in := F
		if l == 1 {
			in = 1
		}
		ly.v = t.conv(fmt.Sprintf("v%d_w", l), 2*F, in, n+1, k, n, n, nil)
		ly.vb = t.bias(fmt.Sprintf("v%d_b", l), 2*F)
		if N > 0 {
			ly.vcls = cloneF(t.get(fmt.Sprintf("v%d_cls", l), N, 2*F))
		}
		if l == 1 {
			ly.h = t.conv("h1_w", 2*F, 1, 1, n, 0, n, nil)
		} else {
			ly.h = t.conv(fmt.Sprintf("h%d_w", l), 2*F, F, 1, n+1, 0, n, nil)
		}
		hb := t.get(fmt.Sprintf("h%d_b", l), 2*F)
		if N > 0 {
			ly.hcls = cloneF(t.get(fmt.Sprintf("h%d_cls", l), N, 2*F))
		}
		ly.vh = t.dense(fmt.Sprintf("vh%d_w", l), 2*F, 2*F)
		vhb := t.get(fmt.Sprintf("vh%d_b", l), 2*F)
		ly.ho = t.dense(fmt.Sprintf("ho%d_w", l), F, F)
		ly.hob = t.bias(fmt.Sprintf("ho%d_b", l), F)
		if t.err != nil {
			break
		}
		ly.hb = make([]float32, 2*F)
		kernels.Add(ly.hb, hb, vhb)
		flops += ly.v.FLOPs() + ly.h.FLOPs() + ly.vh.FLOPs() + ly.ho.FLOPs()
	}
	if t.err != nil {
		return nil, t.err
	}
	m.info.Params += t.params
	m.info.FLOPs += m.D * flops
	return g, nil
}

// actPerPixel: v (F), vp (2F), hp (2F) and h (F).
func (g *gatedNet) actPerPixel() int { return 6 * g.m.F }

// forward runs the gated network over rows [0, rows) of the g images of
// ws.u. Without full it runs only the vertical stack (and the row-above
// terms of the horizontal stack's next row), which is all the sampler's
// state holds.
func (g *gatedNet) forward(ws *convWork, ng, rows int, labels []int, capture, full bool) []float32 {
	m := g.m
	F, W := m.F, m.W
	P := rows * W
	n1 := ng * P * F
	ws.act = growF(ws.act, 6*n1)
	v, vp := ws.act[:n1], ws.act[n1:3*n1]
	hp, h := ws.act[3*n1:5*n1], ws.act[5*n1:6*n1]
	uI := img(ws.u, ng, rows, W, 1)
	vI, vpI := img(v, ng, rows, W, F), img(vp, ng, rows, W, 2*F)
	hpI, hI := img(hp, ng, rows, W, 2*F), img(h, ng, rows, W, F)
	if capture {
		copyLastRows(g.vwin(ws, ng, 0), uI)
	}
	for l := 1; l <= g.L; l++ {
		ly := &g.layers[l-1]
		vin, hin := vI, hI
		if l == 1 {
			vin, hin = uI, uI
		}
		ws.convRuns(ly.v, vin, 0, rows, vpI, ly.vb, ly.vcls, labels, false)
		hookRows('v', l, 0, rows, W, ng)
		if capture {
			// The horizontal stack of row `rows` reads vp_l of the last row.
			last := kernels.Image{Data: vp[(rows-1)*W*2*F:], N: ng, H: 1, W: W, LD: 2 * F, ImgStride: P * 2 * F}
			vh := g.vhrow(ws, ng, l)
			kernels.Conv2D(ly.vh, last, 0, 1, vh, ly.hb, false)
			addRowClass(vh, 0, 0, W, ly.hcls, 2*F, labels)
		}
		if l < g.L {
			kernels.GateRows(ng*P, F, vp, 2*F, v, F)
			if capture {
				copyLastRows(g.vwin(ws, ng, l), vI)
			}
		}
		if !full {
			continue
		}
		ws.convRuns(ly.h, hin, 0, rows, hpI, ly.hb, ly.hcls, labels, false)
		if rows > 1 {
			// hp(r) += vh · vp(r-1) for r >= 1: every image's pixels
			// [0, (rows-1)W) of vp onto its pixels [W, rows W) of hp.
			above := kernels.Image{Data: vp, N: ng, H: 1, W: (rows - 1) * W, LD: 2 * F, ImgStride: P * 2 * F}
			below := kernels.Image{Data: hp[W*2*F:], N: ng, H: 1, W: (rows - 1) * W, LD: 2 * F, ImgStride: P * 2 * F}
			kernels.Conv2D(ly.vh, above, 0, 1, below, nil, true)
		}
		kernels.GateRows(ng*P, F, hp, 2*F, hp, 2*F)
		all := ng * P // every pixel of the chunk, as one row
		kernels.Conv2D(ly.ho, img(hp, 1, 1, all, 2*F), 0, 1, img(h, 1, 1, all, F), ly.hob, l >= 2)
		hookRows('h', l, 0, rows, W, ng)
	}
	if !full {
		return nil
	}
	return h
}
