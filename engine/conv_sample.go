package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"

	"github.com/arinfer/arinfer/kernels"
)

// The driver of the image models' cached samplers: arguments, labels,
// groups of examples spread over the cores, the known rows' forward pass,
// the pixel loop with the head and the draws. The architectures' steps are
// in pixelcnn_sample.go and gated_sample.go.

// drawLabels returns the labels of the B examples of x: given, or drawn
// from each example's stream (its first draw) from p(y | the kn known
// pixels) ∝ p(y) p(x_known | y), the prior when nothing is known. The
// likelihood of the known pixels takes one forward pass per class over
// the rows that hold them.
func (m *convModel) drawLabels(ctx context.Context, ws *convWork, x []float32, B, kn int, given []int) ([]int, error) {
	N, D, F := m.N, m.D, m.F
	ws.labels = growInt(ws.labels, B)
	labels := ws.labels[:B]
	if given != nil {
		copy(labels, given)
		return labels, nil
	}
	ws.post = growF64(ws.post, B*N)
	for e := 0; e < B; e++ {
		copy(ws.post[e*N:(e+1)*N], m.logPrior)
	}
	if kn > 0 {
		rows := (kn + m.W - 1) / m.W
		P := rows * m.W
		m.fillU(ws, x, B, rows)
		ws.lab = growInt(ws.lab, B)
		for y := 0; y < N; y++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			for e := range ws.lab[:B] {
				ws.lab[e] = y
			}
			feat := m.net.forward(ws, B, rows, ws.lab[:B], false, true)
			for e := 0; e < B; e++ {
				f := feat[e*P*F : (e*P+kn)*F]
				kernels.Relu(f, f)
				for q0 := 0; q0 < kn; q0 += m.blk {
					q1 := min(q0+m.blk, kn)
					z := m.headBlock(ws, f[q0*F:q1*F], q1-q0)
					ws.post[e*N+y] += m.segLogProb(z, x[e*D+q0:e*D+q1])
				}
			}
		}
	}
	for e := range labels {
		labels[e] = ws.rng.categorical64(e, ws.post[e*N:(e+1)*N], ws.prob)
	}
	return labels, nil
}

// headAt runs the head on one pixel of B examples, whose features (F
// values, before relu) start at feat[e*stride], and returns the B x C
// outputs.
func (m *convModel) headAt(ws *convWork, B int, feat []float32, stride int) []float32 {
	F := m.F
	ws.hin = growF(ws.hin, B*F)
	ws.h1 = growF(ws.h1, B*m.O)
	ws.logits = growF(ws.logits, B*m.C)
	for e := 0; e < B; e++ {
		kernels.Relu(ws.hin[e*F:(e+1)*F], feat[e*stride:e*stride+F])
	}
	kernels.Conv2DAt(m.head1, img(ws.hin, B, 1, 1, F), 0, 0, img(ws.h1, B, 1, 1, m.O), m.b1, false)
	kernels.Relu(ws.h1, ws.h1)
	kernels.Conv2DAt(m.head2, img(ws.h1, B, 1, 1, m.O), 0, 0, img(ws.logits, B, 1, 1, m.C), m.b2, false)
	return ws.logits
}

// Sample implements Model with the cached generators of Ramachandran et
// al. (2017), "Fast Generation for Convolutional Autoregressive Models":
// every layer keeps only the rows later pixels read, and computes each of
// its output pixels once, as soon as its inputs exist. Known rows
// (completion) run as one batched forward pass. Without OnStep a batch is
// split over the cores; each example draws from its own stream.
func (m *convModel) Sample(ctx context.Context, x []float32, opt SampleOptions) error {
	D := m.D
	B, err := checkSampleBuf(x, D)
	if err != nil {
		return err
	}
	invT, err := invTemperature(opt.Temperature)
	if err != nil {
		return err
	}
	kn, err := knownPrefix(opt.Known, m.ident)
	if err != nil {
		return err
	}
	if err := checkKnownValues(x, D, kn, m.K, m.info.Dist); err != nil {
		return err
	}
	if err := checkSampleLabels(m.info.Arch, m.N, B, opt.Labels); err != nil {
		return err
	}
	group := m.groupSize((kn + m.W - 1) / m.W)
	if opt.OnStep != nil && B > group {
		return fmt.Errorf("%w: a batch of %d examples with OnStep needs more than the %d examples of sampler state this model allows", ErrSize, B, group)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t := m.tasks.Get().(*convTasks)
	defer m.tasks.Put(t)
	t.sample = convSample{m: m, ctx: ctx, x: x, opt: opt, invT: invT, kn: kn, group: group}
	defer func() { t.sample = convSample{} }()
	p := runtime.GOMAXPROCS(0)
	if opt.OnStep != nil || p == 1 || B == 1 {
		return t.sample.run(0, B)
	}
	return parallelFor(ctx, B, max(1, B/p), &t.sample)
}

// checkSampleLabels checks SampleOptions.Labels (nil, or a class
// 0..N-1 for each of B examples of a class-conditional model).
func checkSampleLabels(arch string, N, B int, labels []int) error {
	if labels == nil {
		return nil
	}
	if N == 0 {
		return errorf("%s: Labels given to an unconditional model", arch)
	}
	if len(labels) != B {
		return fmt.Errorf("%w: %d labels for %d examples", ErrSize, len(labels), B)
	}
	return checkLabels(arch, N, labels)
}

// checkKnownValues checks that the first kn values of every example of x
// (D values each) are values of a K-category model of distribution dist.
func checkKnownValues(x []float32, D, kn, K int, dist Dist) error {
	for e := 0; e*D < len(x); e++ {
		for t, v := range x[e*D : e*D+kn] {
			if !(v >= 0 && v < float32(K)) || v != float32(int32(v)) {
				return fmt.Errorf("engine: known dimension %d of example %d is %v; a %s model takes %s", t, e, v, dist, support(K))
			}
		}
	}
	return nil
}

// support describes the values a dimension of a K-category model takes.
func support(K int) string {
	if K == 2 {
		return "0 or 1"
	}
	return fmt.Sprintf("an integer 0..%d", K-1)
}

// groupSize is the number of examples a sampler advances together, with
// the kr rows that hold known pixels computed by forward passes.
func (m *convModel) groupSize(kr int) int {
	per := m.net.stateFloats() + kr*m.W*(1+m.net.actPerPixel())
	return max(1, convGroupFloats/per)
}

// convSample samples examples [lo, hi) of one Sample call.
type convSample struct {
	m     *convModel
	ctx   context.Context
	x     []float32
	opt   SampleOptions
	invT  float64
	kn    int // known pixels (a raster prefix)
	group int // examples advanced together
}

func (s *convSample) run(lo, hi int) error {
	m := s.m
	ws := m.pool.Get().(*convWork)
	defer m.pool.Put(ws)
	for g := lo; g < hi; g += s.group {
		if err := m.sampleGroup(ws, s, g, min(g+s.group, hi)); err != nil {
			return err
		}
	}
	return nil
}

// resetAt seeds the streams of examples lo..lo+n-1 of a batch (the same
// streams reset gives them).
func (s *rngs) resetAt(seed uint64, lo, n int) {
	if cap(s.r) < n {
		s.r = make([]rand.PCG, n)
	}
	s.r = s.r[:n]
	for b := range s.r {
		s.r[b].Seed(seed, uint64(lo+b)^0x9e3779b97f4a7c15)
	}
}

// sampleGroup samples examples [e0, e1) together.
func (m *convModel) sampleGroup(ws *convWork, s *convSample, e0, e1 int) error {
	B, D, W, C := e1-e0, m.D, m.W, m.C
	x := s.x[e0*D : e1*D]
	opt := &s.opt
	if s.kn == D && opt.OnStep == nil {
		return nil // every pixel is known: nothing to draw or report
	}
	ws.rng.resetAt(opt.Seed, e0, B)
	ws.prob = growF64(ws.prob, max(C, m.N))
	var labels []int
	if m.N > 0 {
		var given []int
		if opt.Labels != nil {
			given = opt.Labels[e0:e1]
		}
		var err error
		if labels, err = m.drawLabels(s.ctx, ws, x, B, s.kn, given); err != nil {
			return err
		}
	}
	ws.vals = growF(ws.vals, B)
	ws.uv = growF(ws.uv, B)
	kr := s.kn / W
	feat := m.prime(ws, x, B, kr, labels, opt.OnStep != nil)
	if opt.OnStep != nil {
		for t := 0; t < kr*W; t++ {
			z := m.headAt(ws, B, feat[t*m.F:], kr*W*m.F)
			convHookPixel('z', 0, t/W, t%W, B)
			for e := 0; e < B; e++ {
				ws.vals[e] = x[e*D+t]
			}
			opt.OnStep(Step{Index: t, Dim: t, Known: true, Logits: z[:B*C], Values: ws.vals[:B]})
		}
	}
	for t := kr * W; t < D; t++ {
		if t%W == 0 {
			if err := s.ctx.Err(); err != nil {
				return err
			}
		}
		z := m.step(ws, x, B, t, s.kn, s.invT, labels)
		if opt.OnStep != nil {
			opt.OnStep(Step{Index: t, Dim: t, Known: t < s.kn, Logits: z[:B*C], Values: ws.vals[:B]})
		}
	}
	return nil
}

// prime sizes and zeroes the sampler state of the B examples of x and
// computes it for their kr known rows in one forward pass (the state as
// it is after row kr-1 is complete). With full it also returns the
// features of those rows (F values per pixel, example e's kr*W pixels
// from feat[e*kr*W*F]), which the head reads when the known steps are
// reported.
func (m *convModel) prime(ws *convWork, x []float32, B, kr int, labels []int, full bool) []float32 {
	m.net.initState(ws, B)
	if kr == 0 {
		return nil
	}
	m.fillU(ws, x, B, kr)
	return m.net.forward(ws, B, kr, labels, true, full)
}

// step takes pixel t = (r, c) of the B examples of x (D values each, all
// pixels before t set in the state): it starts row r (c = 0), computes
// every layer and the head at the pixel, draws the pixel from each
// example's stream in ws.rng (t >= kn) or keeps its known value (t < kn),
// records it, and ends row r (c = W-1, but the last row). It returns the
// B x C logits; ws.vals (B, sized by the caller) holds the values. Sample
// and the Generator take the same steps.
func (m *convModel) step(ws *convWork, x []float32, B, t, kn int, invT float64, labels []int) []float32 {
	W, D, C := m.W, m.D, m.C
	r, c := t/W, t%W
	if c == 0 {
		m.net.rowStart(ws, B, r, labels)
	}
	feat, stride := m.net.pixel(ws, B, r, c, labels)
	z := m.headAt(ws, B, feat, stride)
	convHookPixel('z', 0, r, c, B)
	for e := 0; e < B; e++ {
		v := x[e*D+t]
		if t >= kn {
			if C == 1 {
				v = ws.rng.bernoulli(e, z[e], invT)
			} else {
				v = float32(ws.rng.categorical(e, z[e*C:(e+1)*C], invT, ws.prob))
			}
			x[e*D+t] = v
		}
		ws.vals[e] = v
		ws.uv[e] = v / float32(m.K-1)
	}
	m.net.setPixel(ws, B, r, c, ws.uv[:B])
	if c == W-1 && r < m.H-1 {
		m.net.rowEnd(ws, B, r, labels)
	}
	return z
}

// convHookPixel reports one pixel of n images to convHook.
func convHookPixel(kind byte, layer, r, c, n int) {
	if convHook != nil {
		convHook(kind, layer, r, c, n)
	}
}

// shiftRows moves rows 1..rows-1 of each of the B windows of im up by one
// row (the oldest row drops out; the last row keeps its values until
// overwritten).
func shiftRows(im kernels.Image) {
	row := im.W * im.LD
	for e := 0; e < im.N; e++ {
		d := im.Data[e*im.ImgStride : e*im.ImgStride+im.H*row]
		copy(d, d[row:])
	}
}

// addRowClass adds the class row cls[labels[e]] (co values) to pixels
// [c0, c1) of row r of every image e of im.
func addRowClass(im kernels.Image, r, c0, c1 int, cls []float32, co int, labels []int) {
	if cls == nil || labels == nil {
		return
	}
	for e := 0; e < im.N; e++ {
		row := cls[labels[e]*co : (labels[e]+1)*co]
		for c := c0; c < c1; c++ {
			o := e*im.ImgStride + (r*im.W+c)*im.LD
			kernels.Add(im.Data[o:o+co], im.Data[o:o+co], row)
		}
	}
}
