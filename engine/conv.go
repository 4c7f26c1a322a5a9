package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/arinfer/arinfer/kernels"
)

// This file holds what the two image models (pixelcnn.go, gated.go;
// format/SPEC.md 3.5-3.7) share: the hyperparameter checks, the 1x1 output
// head, scoring (one forward pass per chunk of images, and per class for a
// class-conditional model's marginal), labels, and the driver of the
// cached samplers (pixelcnn_sample.go, gated_sample.go).
//
// Activations are NHWC (kernels.Image): a forward pass over g images of
// rows x W pixels keeps each map as g contiguous images of rows*W pixels
// of its channels.

// convNet is the architecture-specific part of an image model.
type convNet interface {
	// actPerPixel is the number of floats of activations a forward pass
	// keeps per pixel (the input image u excluded).
	actPerPixel() int
	// stateFloats is the number of floats of sampler state per example.
	stateFloats() int
	// forward runs the network over rows [0, rows) of the g images of
	// ws.u (rows*W pixels each), example e with label labels[e] (labels
	// nil for an unconditional model), and returns the features (s_L or
	// h_L, F channels, before the head's relu) of the g images,
	// contiguous, in ws.act. With capture it also leaves the sampler
	// state of the g examples (ws.st) as it is after row rows-1 is
	// complete (completion); without full it computes only what that
	// state needs and returns nil.
	forward(ws *convWork, g, rows int, labels []int, capture, full bool) []float32
	// initState sizes and zeroes the sampler state of B examples.
	initState(ws *convWork, B int)
	// rowStart prepares row r of the B examples for the pixel steps.
	rowStart(ws *convWork, B, r int, labels []int)
	// pixel computes every layer at pixel (r, c) of the B examples (all
	// earlier pixels known) and returns the features: example e's F
	// values start at feat[e*stride].
	pixel(ws *convWork, B, r, c int, labels []int) (feat []float32, stride int)
	// setPixel records the value of pixel (r, c) of the B examples, u[e]
	// = x/(K-1).
	setPixel(ws *convWork, B, r, c int, u []float32)
	// rowEnd runs what needs row r complete (the vertical stack).
	rowEnd(ws *convWork, B, r int, labels []int)
}

// convModel is a pixelcnn or gatedpixelcnn.
type convModel struct {
	info    Info
	net     convNet
	H, W, D int
	K, C    int // categories; outputs per pixel (1 for bernoulli, K for categorical)
	F, O, N int // channels, head channels, classes
	n       int // (k-1)/2 of the masked convolutions

	head1, head2 *kernels.ConvWeights
	b1, b2       []float32
	classLogits  []float32 // N
	logPrior     []float64 // N: log p(y)
	ident        []int32   // raster order, 0..D-1

	act   int // scoring activations per image, u included (floats)
	chunk int // images a scoring worker runs through one forward pass
	blk   int // pixels per block of the scoring head

	pool  sync.Pool // *convWork
	tasks sync.Pool // *convTasks
}

// classCondModel is a class-conditional convModel: it adds LogProbGiven.
type classCondModel struct{ *convModel }

// LogProbGiven implements ClassConditional.
func (m classCondModel) LogProbGiven(ctx context.Context, x []float32, labels []int, out []float64) error {
	if len(labels) != len(out) {
		return fmt.Errorf("%w: %d labels for %d examples", ErrSize, len(labels), len(out))
	}
	if err := m.checkLabels(labels); err != nil {
		return err
	}
	return m.score(ctx, x, labels, out)
}

// Budgets: the memory a model may need, so that a file with absurd sizes
// is refused at load, and the memory a call uses.
const (
	// convMaxFloats bounds the scoring activations of one image and the
	// sampler state of one example (2 GiB): a model needing more is
	// refused.
	convMaxFloats = 1 << 29
	// convChunkFloats is the activation memory a scoring worker aims at
	// for its chunk of images (one image at least).
	convChunkFloats = 1 << 22
	// convHeadFloats bounds a head block's hidden and output values.
	convHeadFloats = 1 << 17
	// convGroupFloats is the memory a sampler aims at for a group of
	// examples it advances together (one example at least).
	convGroupFloats = 1 << 26
)

// convHook, when not nil (tests only), is told every computation of a
// layer's output at a pixel: kind 's' (pixelcnn: layer 0 the input
// convolution, 1..L the residual layers), 'v' and 'h' (gatedpixelcnn: the
// vertical and horizontal stacks of layers 1..L) or 'z' (the head), for
// pixel (r, c) of n images.
var convHook func(kind byte, layer, r, c, n int)

// hookRows reports rows [r0, r1) of n images to convHook.
func hookRows(kind byte, layer, r0, r1, W, n int) {
	if convHook == nil {
		return
	}
	for r := r0; r < r1; r++ {
		for c := 0; c < W; c++ {
			convHook(kind, layer, r, c, n)
		}
	}
}

// imageLimits are the ranges of format/SPEC.md 3.5.
const (
	maxImageSide  = 65535
	maxImageDims  = 1 << 20
	maxConvChans  = 65536
	maxConvLayers = 1024
	maxKernelSize = 255
	maxClasses    = 65536
	maxImageCats  = 65536
)

func newConvModel(info Info, cfg Config, w Weights) (Model, error) {
	arch := info.Arch
	gated := arch == "gatedpixelcnn"
	if len(info.Shape) != 2 {
		return nil, errorf("%s: shape %v must be [H W]", arch, info.Shape)
	}
	H, W := info.Shape[0], info.Shape[1]
	if H > maxImageSide || W > maxImageSide || info.Dims > maxImageDims {
		return nil, errorf("%s: a %dx%d image exceeds %d rows or columns or %d pixels", arch, H, W, maxImageSide, maxImageDims)
	}
	if info.Dist == Categorical && info.Categories > maxImageCats {
		return nil, errorf("%s: %d categories exceed %d", arch, info.Categories, maxImageCats)
	}
	minL, minK := 0, 1
	if gated {
		minL, minK = 1, 3
	}
	checks := []struct {
		name      string
		v, lo, hi int
		odd       bool
	}{
		{"channels", cfg.Channels, 1, maxConvChans, false},
		{"head_channels", cfg.HeadChannels, 1, maxConvChans, false},
		{"classes", cfg.Classes, 0, maxClasses, false},
		{"layers", cfg.Layers, minL, maxConvLayers, false},
		{"kernel_size", cfg.KernelSize, minK, maxKernelSize, true},
	}
	for _, c := range checks {
		if c.v < c.lo || c.v > c.hi || (c.odd && c.v%2 == 0) {
			odd := ""
			if c.odd {
				odd = "an odd number "
			}
			return nil, errorf("%s: %s %d must be %sin %d..%d", arch, c.name, c.v, odd, c.lo, c.hi)
		}
	}
	if gated {
		if cfg.InputKernel != 0 {
			return nil, errorf("%s: input_kernel %d is a pixelcnn key (must be 0)", arch, cfg.InputKernel)
		}
	} else if k0 := cfg.InputKernel; k0 < 3 || k0 > maxKernelSize || k0%2 == 0 {
		return nil, errorf("%s: input_kernel %d must be an odd number in 3..%d", arch, k0, maxKernelSize)
	}
	m := &convModel{info: info, H: H, W: W, D: info.Dims, K: info.Categories, C: 1,
		F: cfg.Channels, O: cfg.HeadChannels, N: cfg.Classes, n: (cfg.KernelSize - 1) / 2}
	if info.Dist == Categorical {
		m.C = m.K
	}
	m.info.Classes = m.N
	var err error
	if gated {
		m.net, err = newGated(m, cfg, w)
	} else {
		m.net, err = newPixelCNN(m, cfg, w)
	}
	if err != nil {
		return nil, err
	}
	if err := m.loadHead(w); err != nil {
		return nil, err
	}
	m.ident = make([]int32, m.D)
	for i := range m.ident {
		m.ident[i] = int32(i)
	}
	m.act = m.D * (1 + m.net.actPerPixel())
	m.chunk = max(1, convChunkFloats/m.act)
	m.blk = max(1, min(m.D, convHeadFloats/(m.O+m.C)))
	m.pool.New = func() any { return new(convWork) }
	m.tasks.New = func() any { return new(convTasks) }
	if m.N > 0 {
		return classCondModel{m}, nil
	}
	return m, nil
}

// checkMemory refuses a model whose scoring activations of one image or
// sampler state of one example exceed convMaxFloats. perPixel and state
// are computed from validated sizes (at most 2^20 pixels, 2^16 channels,
// 2^10 layers), so they cannot overflow.
func (m *convModel) checkMemory(perPixel, state int) error {
	if a := m.D * (1 + perPixel); a > convMaxFloats {
		return errorf("%s: scoring one %dx%d image needs %d activations, more than %d", m.info.Arch, m.H, m.W, a, convMaxFloats)
	}
	if state > convMaxFloats {
		return errorf("%s: the sampler state of one example needs %d values, more than %d", m.info.Arch, state, convMaxFloats)
	}
	return nil
}

// loadHead reads the 1x1 head and the class prior (after the network's
// tensors, which newPixelCNN/newGated read and count).
func (m *convModel) loadHead(w Weights) error {
	h1w, err := tensor(w, "head1_w", m.O, m.F)
	if err != nil {
		return err
	}
	if m.b1, err = tensor(w, "head1_b", m.O); err != nil {
		return err
	}
	h2w, err := tensor(w, "head2_w", m.C, m.O)
	if err != nil {
		return err
	}
	if m.b2, err = tensor(w, "head2_b", m.C); err != nil {
		return err
	}
	if m.head1, err = kernels.NewDense(h1w, m.O, m.F); err != nil {
		return errorf("%s: head1_w: %v", m.info.Arch, err)
	}
	if m.head2, err = kernels.NewDense(h2w, m.C, m.O); err != nil {
		return errorf("%s: head2_w: %v", m.info.Arch, err)
	}
	m.b1, m.b2 = cloneF(m.b1), cloneF(m.b2)
	m.info.Params += m.O*m.F + m.O + m.C*m.O + m.C
	m.info.FLOPs += m.D * (m.head1.FLOPs() + m.head2.FLOPs())
	if m.N > 0 {
		cl, err := tensor(w, "class_logits", m.N)
		if err != nil {
			return err
		}
		m.classLogits = cloneF(cl)
		m.logPrior = make([]float64, m.N)
		mx := math.Inf(-1)
		for _, v := range cl {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return errorf("%s: class_logits holds %v; the class prior needs finite logits", m.info.Arch, v)
			}
			mx = max(mx, float64(v))
		}
		var s float64
		for _, v := range cl {
			s += math.Exp(float64(v) - mx)
		}
		lse := mx + math.Log(s)
		for y, v := range cl {
			m.logPrior[y] = float64(v) - lse
		}
		m.info.Params += m.N
	}
	return nil
}

// cloneF copies a tensor the model keeps (the Weights may be unmapped).
func cloneF(v []float32) []float32 { return append([]float32(nil), v...) }

// convTensors reads the tensors of a network, remembering the first error.
type convTensors struct {
	w      Weights
	err    error
	params int
}

// get returns the tensor name of the given shape (nil after an error).
func (t *convTensors) get(name string, shape ...int) []float32 {
	if t.err != nil {
		return nil
	}
	v, err := tensor(t.w, name, shape...)
	if err != nil {
		t.err = err
		return nil
	}
	t.params += len(v)
	return v
}

// bias is get for a vector the model keeps as it is.
func (t *convTensors) bias(name string, n int) []float32 {
	return cloneF(t.get(name, n))
}

// conv prepares the [cout, cin, kh, kw] tensor name for the kernels,
// keeping the taps keep says, with anchor (ay, ax).
func (t *convTensors) conv(name string, cout, cin, kh, kw, ay, ax int, keep func(a, b int) bool) *kernels.ConvWeights {
	v := t.get(name, cout, cin, kh, kw)
	if t.err != nil {
		return nil
	}
	cw, err := kernels.NewConv(v, cout, cin, kh, kw, ay, ax, keep)
	if err != nil {
		t.err = fmt.Errorf("engine: tensor %s: %w", name, err)
	}
	return cw
}

// dense prepares the [cout, cin] tensor name as a 1x1 convolution.
func (t *convTensors) dense(name string, cout, cin int) *kernels.ConvWeights {
	v := t.get(name, cout, cin)
	if t.err != nil {
		return nil
	}
	cw, err := kernels.NewDense(v, cout, cin)
	if err != nil {
		t.err = fmt.Errorf("engine: tensor %s: %w", name, err)
	}
	return cw
}

// maskA and maskB are the masks of format/SPEC.md 3.5 for a kernel of
// size 2m+1: the taps strictly before the centre in raster order, and
// those plus the centre.
func maskA(m int) func(a, b int) bool {
	return func(a, b int) bool { return a < m || (a == m && b < m) }
}

func maskB(m int) func(a, b int) bool {
	return func(a, b int) bool { return a < m || (a == m && b <= m) }
}

func (m *convModel) Info() Info { return m.info }

// checkLabels checks that every label is a class of the model.
func (m *convModel) checkLabels(labels []int) error {
	for e, y := range labels {
		if y < 0 || y >= m.N {
			return errorf("%s: label %d of example %d is not a class 0..%d", m.info.Arch, y, e, m.N-1)
		}
	}
	return nil
}

// convWork is one goroutine's workspace: the activations of a chunk of
// images (scoring, completion) and the state of a group of examples
// (sampling).
type convWork struct {
	m      *convModel
	u      []float32 // the input images u = x/(K-1) of a forward pass
	act    []float32 // the network's activations of a forward pass
	hblk   []float32 // head block: hidden values
	zblk   []float32 // head block: outputs
	bias   []float32 // a bias plus a class row
	lab    []int     // the labels of a pass
	lp     []float64 // log p(x|y) per image of a pass
	mx, sm []float64 // marginal: running logsumexp per image

	st     []float32 // sampler state (the architecture's layout)
	hin    []float32 // B x F: relu of the features of one pixel
	h1     []float32 // B x O
	logits []float32 // B x C
	vals   []float32 // B values of a step
	uv     []float32 // B values / (K-1)
	prob   []float64 // categorical draws: max(C, N) probabilities
	labels []int     // B labels of a sample group
	rng    rngs
}

// convTasks holds the parallel tasks of one call.
type convTasks struct {
	score  convScore
	sample convSample
}

// img returns the g images of rows x W pixels with ch channels stored
// contiguously in d.
func img(d []float32, g, rows, W, ch int) kernels.Image {
	return kernels.Image{Data: d, N: g, H: rows, W: W, LD: ch, ImgStride: rows * W * ch}
}

// sub returns images [lo, hi) of im.
func sub(im kernels.Image, lo, hi int) kernels.Image {
	im.Data = im.Data[lo*im.ImgStride:]
	im.N = hi - lo
	return im
}

// convRuns computes rows [r0, r1) of out = conv(in) + b (+= with acc) for
// every image, adding the class row cls[y] of each image's label to the
// bias: one Conv2D per run of images with the same label (one call for an
// unconditional model or a pass with one label).
func (ws *convWork) convRuns(cw *kernels.ConvWeights, in kernels.Image, r0, r1 int, out kernels.Image, b, cls []float32, labels []int, acc bool) {
	if labels == nil || cls == nil {
		kernels.Conv2D(cw, in, r0, r1, out, b, acc)
		return
	}
	co := cw.Cout()
	ws.bias = growF(ws.bias, co)
	for lo := 0; lo < in.N; {
		y := labels[lo]
		hi := lo + 1
		for hi < in.N && labels[hi] == y {
			hi++
		}
		kernels.Add(ws.bias, b[:co], cls[y*co:(y+1)*co])
		kernels.Conv2D(cw, sub(in, lo, hi), r0, r1, sub(out, lo, hi), ws.bias, acc)
		lo = hi
	}
}

// fillU writes u = x/(K-1) (rounded to float32) for the first rows rows of
// each of the g examples of x into ws.u.
func (m *convModel) fillU(ws *convWork, x []float32, g, rows int) []float32 {
	P := rows * m.W
	ws.u = growF(ws.u, g*P)
	for e := 0; e < g; e++ {
		src, dst := x[e*m.D:e*m.D+P], ws.u[e*P:(e+1)*P]
		if m.K == 2 {
			copy(dst, src)
			continue
		}
		den := float32(m.K - 1)
		for i, v := range src {
			dst[i] = v / den
		}
	}
	return ws.u
}

// LogProb implements Model: log p(x), for a class-conditional model the
// marginal log sum_y p(y) p(x|y) (one forward pass per class).
func (m *convModel) LogProb(ctx context.Context, x []float32, out []float64) error {
	return m.score(ctx, x, nil, out)
}

func (m *convModel) score(ctx context.Context, x []float32, labels []int, out []float64) error {
	if err := checkBatch(&m.info, x, out); err != nil {
		return err
	}
	if m.info.Dist == Categorical {
		if err := checkCategorical(x, m.D, m.K); err != nil {
			return err
		}
	}
	t := m.tasks.Get().(*convTasks)
	defer m.tasks.Put(t)
	t.score = convScore{m: m, ctx: ctx, x: x, labels: labels, out: out}
	defer func() { t.score = convScore{} }()
	if m.info.Dist == Bernoulli {
		return scoreBinary(ctx, x, m.D, len(out), 1, &t.score)
	}
	return parallelFor(ctx, len(out), 1, &t.score)
}

// convScore scores examples [lo, hi) of one LogProb call.
type convScore struct {
	m      *convModel
	ctx    context.Context
	x      []float32
	labels []int // LogProbGiven: one per example; nil: unconditional or marginal
	out    []float64
}

func (s *convScore) run(lo, hi int) error {
	m := s.m
	ws := m.pool.Get().(*convWork)
	defer m.pool.Put(ws)
	for c := lo; c < hi; c += m.chunk {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		e := min(c+m.chunk, hi)
		if err := m.scoreChunk(ws, s, c, e); err != nil {
			return err
		}
	}
	return nil
}

// scoreChunk computes out[lo:hi] with one forward pass over those images
// (one per class for the marginal).
func (m *convModel) scoreChunk(ws *convWork, s *convScore, lo, hi int) error {
	g, D := hi-lo, m.D
	x := s.x[lo*D : hi*D]
	if m.info.Dist == Bernoulli && !allBinary(x) {
		return errNotBinary
	}
	m.fillU(ws, x, g, m.H)
	out := s.out[lo:hi]
	switch {
	case s.labels != nil:
		m.scorePass(ws, x, g, s.labels[lo:hi], out)
	case m.N == 0:
		m.scorePass(ws, x, g, nil, out)
	default:
		ws.lab = growInt(ws.lab, g)
		ws.mx = growF64(ws.mx, g)
		ws.sm = growF64(ws.sm, g)
		for e := range g {
			ws.mx[e], ws.sm[e] = math.Inf(-1), 0
		}
		for y := 0; y < m.N; y++ {
			if y > 0 {
				if err := s.ctx.Err(); err != nil {
					return err
				}
			}
			for e := range g {
				ws.lab[e] = y
			}
			m.scorePass(ws, x, g, ws.lab[:g], out)
			for e, v := range out {
				logSumExpAdd(&ws.mx[e], &ws.sm[e], m.logPrior[y]+v)
			}
		}
		for e := range out {
			out[e] = ws.mx[e] + math.Log(ws.sm[e])
		}
	}
	return nil
}

// logSumExpAdd adds v to the running logsumexp mx + log(sm).
func logSumExpAdd(mx, sm *float64, v float64) {
	switch {
	case math.IsInf(v, -1):
	case v > *mx:
		*sm = *sm*math.Exp(*mx-v) + 1
		*mx = v
	default:
		*sm += math.Exp(v - *mx)
	}
}

// scorePass writes log p(x|y) of the g images of x (u in ws.u) to out,
// with labels (or none).
func (m *convModel) scorePass(ws *convWork, x []float32, g int, labels []int, out []float64) {
	feat := m.net.forward(ws, g, m.H, labels, false, true)
	P := g * m.D
	feat = feat[:P*m.F]
	kernels.Relu(feat, feat)
	ws.lp = growF64(ws.lp, g)
	clear(ws.lp[:g])
	for q0 := 0; q0 < P; q0 += m.blk {
		q1 := min(q0+m.blk, P)
		z := m.headBlock(ws, feat[q0*m.F:q1*m.F], q1-q0)
		m.addLogProbs(ws.lp, z, x, q0, q1)
	}
	if convHook != nil {
		for e := 0; e < g; e++ {
			hookRows('z', 0, 0, m.H, m.W, 1)
		}
	}
	copy(out, ws.lp[:g])
}

// headBlock runs the head over n pixels of relu'd features (n x F,
// contiguous) and returns their n x C outputs.
func (m *convModel) headBlock(ws *convWork, in []float32, n int) []float32 {
	ws.hblk = growF(ws.hblk, n*m.O)
	ws.zblk = growF(ws.zblk, n*m.C)
	kernels.Conv2D(m.head1, img(in, 1, 1, n, m.F), 0, 1, img(ws.hblk, 1, 1, n, m.O), m.b1, false)
	kernels.Relu(ws.hblk, ws.hblk)
	kernels.Conv2D(m.head2, img(ws.hblk, 1, 1, n, m.O), 0, 1, img(ws.zblk, 1, 1, n, m.C), m.b2, false)
	return ws.zblk
}

// addLogProbs adds the log-probabilities of the pixels [q0, q1) of the
// chunk (pixel q is pixel q%D of image q/D, value x[q]) under their
// outputs z ((q1-q0) x C) to lp.
func (m *convModel) addLogProbs(lp []float64, z, x []float32, q0, q1 int) {
	D, C := m.D, m.C
	if C == 1 {
		for q := q0; q < q1; {
			e := q / D
			end := min(q1, (e+1)*D)
			lp[e] += float64(kernels.BernoulliLogProb(z[q-q0:end-q0], x[q:end]))
			q = end
		}
		return
	}
	for q := q0; q < q1; q++ {
		a := z[(q-q0)*C : (q-q0+1)*C]
		lp[q/D] += float64(a[int(x[q])]) - float64(kernels.LogSumExp(a))
	}
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
	for e := 0; e < B; e++ {
		for t, v := range x[e*D : e*D+kn] {
			if !(v >= 0 && v < float32(m.K)) || v != float32(int32(v)) {
				return fmt.Errorf("engine: known dimension %d of example %d is %v; a %s model takes %s", t, e, v, m.info.Dist, m.support())
			}
		}
	}
	if opt.Labels != nil {
		if m.N == 0 {
			return errorf("%s: Labels given to an unconditional model", m.info.Arch)
		}
		if len(opt.Labels) != B {
			return fmt.Errorf("%w: %d labels for %d examples", ErrSize, len(opt.Labels), B)
		}
		if err := m.checkLabels(opt.Labels); err != nil {
			return err
		}
	}
	group := m.groupSize(kn / m.W)
	if opt.OnStep != nil && B > group {
		return fmt.Errorf("%w: a batch of %d examples with OnStep needs more than the %d examples of sampler state this model allows", ErrSize, B, group)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t := m.tasks.Get().(*convTasks)
	defer m.tasks.Put(t)
	t.sample = convSample{m: m, ctx: ctx, x: x, opt: &opt, invT: invT, kn: kn, group: group}
	defer func() { t.sample = convSample{} }()
	p := runtime.GOMAXPROCS(0)
	if opt.OnStep != nil || p == 1 || B == 1 {
		return t.sample.run(0, B)
	}
	return parallelFor(ctx, B, max(1, B/p), &t.sample)
}

// support describes the values a pixel takes.
func (m *convModel) support() string {
	if m.K == 2 {
		return "0 or 1"
	}
	return fmt.Sprintf("an integer 0..%d", m.K-1)
}

// groupSize is the number of examples a sampler advances together, with
// kr known rows computed by a forward pass.
func (m *convModel) groupSize(kr int) int {
	per := m.net.stateFloats() + kr*m.W*(1+m.net.actPerPixel())
	return max(1, convGroupFloats/per)
}

// convSample samples examples [lo, hi) of one Sample call.
type convSample struct {
	m     *convModel
	ctx   context.Context
	x     []float32
	opt   *SampleOptions
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
	opt := s.opt
	ws.rng.resetAt(opt.Seed, e0, B)
	ws.prob = growF64(ws.prob, max(C, m.N))
	var labels []int
	if m.N > 0 {
		ws.labels = growInt(ws.labels, B)
		labels = ws.labels
		if opt.Labels != nil {
			copy(labels, opt.Labels[e0:e1])
		} else {
			for e := range labels {
				labels[e] = ws.rng.categorical(e, m.classLogits, 1, ws.prob)
			}
		}
	}
	ws.vals = growF(ws.vals, B)
	ws.uv = growF(ws.uv, B)
	m.net.initState(ws, B)
	kr := s.kn / W
	if kr > 0 {
		m.fillU(ws, x, B, kr)
		feat := m.net.forward(ws, B, kr, labels, true, opt.OnStep != nil)
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
	}
	for r := kr; r < m.H; r++ {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		m.net.rowStart(ws, B, r, labels)
		for c := 0; c < W; c++ {
			t := r*W + c
			feat, stride := m.net.pixel(ws, B, r, c, labels)
			z := m.headAt(ws, B, feat, stride)
			convHookPixel('z', 0, r, c, B)
			for e := 0; e < B; e++ {
				v := x[e*D+t]
				if t >= s.kn {
					if C == 1 {
						v = ws.rng.bernoulli(e, z[e], s.invT)
					} else {
						v = float32(ws.rng.categorical(e, z[e*C:(e+1)*C], s.invT, ws.prob))
					}
					x[e*D+t] = v
				}
				ws.vals[e] = v
				ws.uv[e] = v / float32(m.K-1)
			}
			m.net.setPixel(ws, B, r, c, ws.uv[:B])
			if opt.OnStep != nil {
				opt.OnStep(Step{Index: t, Dim: t, Known: t < s.kn, Logits: z[:B*C], Values: ws.vals[:B]})
			}
		}
		if r < m.H-1 {
			m.net.rowEnd(ws, B, r, labels)
		}
	}
	return nil
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
