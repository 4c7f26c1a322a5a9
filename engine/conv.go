package engine

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/arinfer/arinfer/kernels"
)

// This file holds what the two image models (pixelcnn.go, gated.go;
// format/SPEC.md 3.5-3.7) share: the model, its hyperparameter checks and
// memory limits, the 1x1 output head's weights, the class prior, the
// workspaces and the helpers the forward passes and samplers use. Scoring
// is in conv_score.go, the samplers' driver in conv_sample.go.
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
	// for its chunk of images (one image at least): 2 MiB, about one
	// core's L2, measured best for 28x28 images with F = 64 (one image a
	// chunk; 8 or 16 were up to 1.5x slower).
	convChunkFloats = 1 << 19
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
		if m.logPrior, err = classPrior(m.info.Arch, cl); err != nil {
			return err
		}
		m.info.Params += m.N
	}
	return nil
}

// classPrior returns log p(y) = log softmax(cl)_y, the class prior of a
// class-conditional model (format/SPEC.md 3.5), failing on a logit that is
// not finite.
func classPrior(arch string, cl []float32) ([]float64, error) {
	lp := make([]float64, len(cl))
	mx := math.Inf(-1)
	for _, v := range cl {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, errorf("%s: class_logits holds %v; the class prior needs finite logits", arch, v)
		}
		mx = max(mx, float64(v))
	}
	var s float64
	for _, v := range cl {
		s += math.Exp(float64(v) - mx)
	}
	lse := mx + math.Log(s)
	for y, v := range cl {
		lp[y] = float64(v) - lse
	}
	return lp, nil
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
func (m *convModel) checkLabels(labels []int) error { return checkLabels(m.info.Arch, m.N, labels) }

// checkLabels checks that every label is a class 0..N-1.
func checkLabels(arch string, N int, labels []int) error {
	for e, y := range labels {
		if y < 0 || y >= N {
			return errorf("%s: label %d of example %d is not a class 0..%d", arch, y, e, N-1)
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
	post   []float64 // B x N: log p(y) + log p(known pixels | y)
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
