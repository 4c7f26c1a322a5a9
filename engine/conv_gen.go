package engine

import (
	"context"
	"fmt"
	"io"
)

// convGen is the Generator of the image models (pixelcnn, gatedpixelcnn):
// the cached sampler's state of B examples (ws.st: the layer windows and
// rows of pixelcnn_sample.go / gated_sample.go, as they are before pixel
// pos is taken); a step is convModel.step, the draws those of Sample.
type convGen struct {
	genBase
	m      *convModel
	ws     *convWork
	blocks []convBlock
}

// convBlock is one part of a sampler state ws.st: count units, each B
// consecutive blocks of per floats (one per example). A block without a
// name is scratch a step writes before it reads: it is neither saved nor
// copied into a fork.
type convBlock struct {
	name       string
	per, count int
}

// stateBlocks lists the parts of ws.st in order (pixelcnn_sample.go):
// uwin, S (scratch: the residual stream at the current pixel), rwin[0..L-1].
func (p *pixelNet) stateBlocks() []convBlock {
	W, F := p.m.W, p.m.F
	return []convBlock{
		{"u_window", (p.n0 + 1) * W, 1},
		{"", p.window * W * F, 1},
		{"relu_windows", (p.n + 1) * W * F, p.L},
	}
}

// stateBlocks lists the parts of ws.st in order (gated_sample.go):
// vwin[0], vwin[1..L-1], vp (scratch), vhrow[1..L], hrow[0], hrow[1..L].
func (g *gatedNet) stateBlocks() []convBlock {
	W, F, n := g.m.W, g.m.F, g.n
	return []convBlock{
		{"u_window", (n + 1) * W, 1},
		{"v_windows", (n + 1) * W * F, g.L - 1},
		{"", (n + 1) * W * 2 * F, 1},
		{"vh_rows", W * 2 * F, g.L},
		{"u_row", W, 1},
		{"h_rows", W * F, g.L},
	}
}

// stateBlocks returns the parts of the model's sampler state.
func (m *convModel) stateBlocks() []convBlock {
	return m.net.(interface{ stateBlocks() []convBlock }).stateBlocks()
}

// savedFloats is the number of floats of one example's state a
// generator saves.
func savedFloats(blocks []convBlock) int {
	n := 0
	for _, b := range blocks {
		if b.name != "" {
			n += b.per * b.count
		}
	}
	return n
}

func (m *convModel) generate(ctx context.Context, x []float32, opt SampleOptions) (Generator, error) {
	g := m.newGen()
	if err := g.initBase(m.info, x, &opt); err != nil {
		return nil, err
	}
	D, W, B := m.D, m.W, g.B
	kn, err := knownPrefix(opt.Known, m.ident)
	if err != nil {
		return nil, err
	}
	if err := checkKnownValues(g.x, D, kn, m.K, m.info.Dist); err != nil {
		return nil, err
	}
	if max := m.groupSize((kn + W - 1) / W); B > max {
		return nil, fmt.Errorf("%w: a generator of %d examples needs more than the %d examples of sampler state this model allows", ErrSize, B, max)
	}
	for e := 0; e < B; e++ {
		clear(g.x[e*D+kn : (e+1)*D])
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.stepSetup(g)
	ws := g.ws
	if m.N > 0 {
		labels, err := m.drawLabels(ctx, ws, g.x, B, kn, opt.Labels)
		if err != nil {
			return nil, err
		}
		g.labels = append([]int(nil), labels...)
	}
	// The known rows in one pass, then the known pixels of the next row
	// step by step, as Sample takes them.
	kr := kn / W
	m.prime(ws, g.x, B, kr, g.labels, false)
	for t := kr * W; t < kn; t++ {
		m.step(ws, g.x, B, t, kn, g.invT, g.labels)
	}
	// A generator keeps only what a step reads.
	ws.u, ws.act, ws.lab, ws.post = nil, nil, nil, nil
	g.pos = kn
	return g, nil
}

func (m *convModel) newGen() *convGen {
	return &convGen{m: m, ws: new(convWork), blocks: m.stateBlocks()}
}

// stepSetup sizes g's workspace for the steps of g.B examples (after
// its genBase is set), with a zero state: the draws come from g.rng,
// the values go to g.vals.
func (m *convModel) stepSetup(g *convGen) {
	ws := g.ws
	ws.rng = g.rng // the same streams (rngs shares its slices)
	ws.rng.p32 = make([]float32, m.C)
	ws.prob = make([]float64, max(m.C, m.N))
	ws.vals = g.vals
	ws.uv = make([]float32, g.B)
	m.net.initState(ws, g.B)
}

func (g *convGen) Next(ctx context.Context) (Step, error) {
	t := g.pos
	if t >= g.T {
		return Step{}, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return Step{}, err
	}
	z := g.m.step(g.ws, g.x, g.B, t, 0, g.invT, g.labels)
	g.pos++
	return Step{Index: t, Dim: t, Logits: z[:g.B*g.m.C], Values: g.vals}, nil
}

func (g *convGen) Fork(n int, seed uint64) (Generator, error) {
	m := g.m
	f := m.newGen()
	if err := g.forkBase(&f.genBase, n, seed); err != nil {
		return nil, err
	}
	if max := m.groupSize(0); f.B > max {
		return nil, fmt.Errorf("%w: a fork of %d examples needs more than the %d examples of sampler state this model allows", ErrSize, f.B, max)
	}
	m.stepSetup(f)
	// Each unit of a block: B blocks, block e repeated n times.
	src, dst := g.ws.st, f.ws.st
	for _, b := range g.blocks {
		for range b.count {
			if b.name != "" {
				for e := 0; e < g.B; e++ {
					s := src[e*b.per : (e+1)*b.per]
					for j := 0; j < n; j++ {
						copy(dst[(e*n+j)*b.per:], s)
					}
				}
			}
			src, dst = src[g.B*b.per:], dst[f.B*b.per:]
		}
	}
	return f, nil
}

func (g *convGen) MarshalBinary() ([]byte, error) {
	w := newStateWriter(4*(len(g.x)+g.B*savedFloats(g.blocks)) + (pcgSize+8)*g.B)
	g.writeHeader(w)
	st := g.ws.st
	for _, b := range g.blocks {
		n := b.count * g.B * b.per
		if b.name != "" {
			w.f32(b.name, st[:n])
		}
		st = st[n:]
	}
	return w.finish(), nil
}

func (m *convModel) restore(r *stateReader, h *genHeader) (Generator, error) {
	g := m.newGen()
	if err := g.readBase(r, m.info, h); err != nil {
		return nil, err
	}
	if max := m.groupSize(0); g.B > max {
		return nil, stateErr("%d streams exceed the %d this model allows", g.B, max)
	}
	// The state must hold the sections before they are allocated.
	if need := 4 * uint64(g.B) * uint64(savedFloats(g.blocks)); need > uint64(len(r.b)) {
		return nil, stateErr("%d bytes left for %d bytes of sampler state", len(r.b), need)
	}
	m.stepSetup(g)
	st := g.ws.st
	for _, b := range g.blocks {
		n := b.count * g.B * b.per
		if b.name != "" {
			r.f32(b.name, st[:n])
		}
		st = st[n:]
	}
	if r.err != nil {
		return nil, r.err
	}
	return g, nil
}
