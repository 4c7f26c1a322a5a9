package engine

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/arinfer/arinfer/kernels"
)

// The wavenet (format/SPEC.md 3.8): a causal input layer, L residual
// layers with dilated causal convolutions of kernel 2, gated units and 1x1
// residual and skip maps, and the head relu -> 1x1 -> relu -> 1x1. This
// file holds the model, its checks and weights; scoring is in
// wavenet_score.go, generation in wavenet_sample.go.
//
// The input layer reads one value per tap, so it is two table lookups,
// not a product: h_0(t) = in_b + in0[x_{t-2}] + in1[x_{t-1}], with
// in0[v] = in_w[:, v, 0] and in1[v] = in_w[:, v, 1] (categorical one-hot
// input), or the row of the value 1 = in_w[:, 0, tap] and a zero row for 0
// (Bernoulli input).

// waveCore is what every length of one wavenet shares: the weights in the
// layouts the kernels want, and the workspace pools.
type waveCore struct {
	arch          string
	K, C          int // categories; outputs per step (1 for bernoulli, K)
	R, G, S, O, N int // residual, gate, skip and head channels, classes
	L             int
	dil           []int // d_1 ... d_L
	cum           []int // cum[l] = d_1 + ... + d_l (cum[0] = 0)
	dmax          int
	rho           int // receptive field 2 + Σ d_l

	in0, in1 []float32 // K x R lookup tables of the input layer's two taps
	inB      []float32 // R
	layers   []waveLayer
	skipB    []float32 // S: Σ_l skip{l}_b (scoring adds it once)

	head1, head2 *kernels.ConvWeights // scoring's 1x1 head
	h1m, h2m     *kernels.Mat         // the generation step's head
	b1, b2       []float32
	logPrior     []float64 // N: log p(y)

	stepFLOPs int  // floating-point operations of one step of one stream
	chunk     int  // time steps of a scoring pass (tests shrink it)
	pipe      int  // > 0: the stages of a pipelined pass (tests set it; 0: one per core)
	noDuo     bool // generate on one core even when two are there (tests set it)

	pool  sync.Pool // *waveWork
	tasks sync.Pool // *waveTasks
	heads sync.Pool // *waveHeadBuf
	pipes sync.Pool // *wavePipe
}

// waveLayer is residual layer l's weights: for scoring, the dilated
// convolution and the 1x1 residual and skip maps; for the generation
// step, the dilated convolution's two taps as two [2G x R] matrices (on
// h(t-d) and on h(t)) and the residual and skip maps as one [(R+S) x G]
// matrix ([S x G] for the last layer, whose residual output is never
// read).
type waveLayer struct {
	d         int
	conv      *kernels.ConvWeights
	res, skip *kernels.ConvWeights // res nil for the last layer
	b         []float32            // dil{l}_b (2G)
	cls       []float32            // dil{l}_cls (N x 2G), nil without classes
	resB      []float32            // res{l}_b (R)
	past, cur *kernels.Mat         // the dilated product's taps on h(t-d) and h(t) (2G x R each)
	rs        *kernels.Mat
	rsB       []float32 // [res{l}_b; skip{l}_b], or skip{l}_b for the last layer
}

// waveNet is a wavenet viewed as a model of length-T sequences.
type waveNet struct {
	*waveCore
	info Info
	T    int
}

// waveCondNet is a class-conditional waveNet: it adds LogProbGiven.
type waveCondNet struct{ *waveNet }

// The ranges of format/SPEC.md 3.8 and the engine's budgets.
const (
	maxWaveLayers      = 1024
	maxWaveDilation    = 65536
	maxWaveDilationSum = 1 << 20
	maxWaveChans       = 65536
	maxWaveCats        = 65536
	maxSampleRate      = 1000000
	// maxWaveLen is the longest sequence WithLength accepts.
	maxWaveLen = math.MaxInt32
	// waveMaxFloats bounds the workspace of one stream's scoring pass and
	// the sampler state of one stream (2 GiB): a model needing more is
	// refused at load.
	waveMaxFloats = 1 << 29
	// waveRowFloats is the activation memory a scoring pass aims at (2
	// MiB): it sets the time steps of a chunk (at most waveMaxChunk, at
	// least waveMinChunk) and the streams of a pass over short sequences.
	waveRowFloats = 1 << 19
	waveMaxChunk  = 4096
	waveMinChunk  = 16
	// waveHeadFloats bounds a head block's hidden and output values.
	waveHeadFloats = 1 << 16
	// waveGroupFloats is the memory a sampler aims at for the streams it
	// advances together (one stream at least).
	waveGroupFloats = 1 << 26
)

// waveHook, when not nil (tests only), is told every computation of the
// network: kind 'c' for a scoring or priming pass computing layer l (0:
// the input layer, 1..L the residual layers) at steps [t0, t1) of n
// streams; 'z' for the head at [t0, t1) of n streams (layer 0); and for a
// generation step t (t1 = t+1) of n streams, 'i' (the input lookups), 'd'
// (layer l's dilated product) and 'r' (its residual and skip product) and
// 'h' (the head's products).
var waveHook func(kind byte, layer, t0, t1, n int)

func hookWave(kind byte, layer, t0, t1, n int) {
	if waveHook != nil {
		waveHook(kind, layer, t0, t1, n)
	}
}

func newWaveNet(info Info, cfg Config, w Weights, o Options) (Model, error) {
	arch := info.Arch
	c := &waveCore{arch: arch, K: info.Categories, C: 1, R: cfg.ResidualChannels, G: cfg.GateChannels,
		S: cfg.SkipChannels, O: cfg.HeadChannels, N: cfg.Classes, L: len(cfg.Dilations)}
	if info.Dist == Categorical {
		c.C = c.K
		if c.K > maxWaveCats {
			return nil, errorf("%s: %d categories exceed %d", arch, c.K, maxWaveCats)
		}
	}
	if err := checkWaveConfig(cfg, info.Dist); err != nil {
		return nil, err
	}
	c.dil = slices.Clone(cfg.Dilations)
	c.cum = make([]int, c.L+1)
	for l, d := range c.dil {
		c.cum[l+1] = c.cum[l] + d
		c.dmax = max(c.dmax, d)
	}
	c.rho = 2 + c.cum[c.L]
	if err := c.checkMemory(); err != nil {
		return nil, err
	}
	perRow := 2*c.R + 2*c.G + c.G + c.S
	c.chunk = min(waveMaxChunk, max(waveMinChunk, waveRowFloats/perRow))
	t := convTensors{w: w}
	c.loadInput(&t)
	c.layers = make([]waveLayer, c.L)
	c.skipB = make([]float32, c.S)
	for l := range c.layers {
		if t.err != nil {
			break
		}
		if err := c.loadLayer(&t, l, o.StepWeights); err != nil {
			return nil, err
		}
	}
	if t.err != nil {
		return nil, t.err
	}
	if err := c.loadHead(&t, o.StepWeights); err != nil {
		return nil, err
	}
	if c.N > 0 {
		cl := t.get("class_logits", c.N)
		if t.err != nil {
			return nil, t.err
		}
		var err error
		if c.logPrior, err = classPrior(arch, cl); err != nil {
			return nil, err
		}
	}
	for l := range c.layers {
		ly := &c.layers[l]
		c.stepFLOPs += 2 * (ly.past.Rows()*ly.past.Cols() + ly.cur.Rows()*ly.cur.Cols() + ly.rs.Rows()*ly.rs.Cols())
	}
	c.stepFLOPs += 2*c.O*c.S + 2*c.C*c.O
	c.pool.New = func() any { return new(waveWork) }
	c.tasks.New = func() any { return new(waveTasks) }
	c.heads.New = func() any { return new(waveHeadBuf) }
	c.pipes.New = func() any { return new(wavePipe) }
	info.Params = t.params
	info.Classes = c.N
	info.SampleRate = cfg.SampleRate
	return c.view(info, info.Dims), nil
}

// checkWaveConfig checks the hyperparameters against format/SPEC.md 3.8.
func checkWaveConfig(cfg Config, dist Dist) error {
	const arch = "wavenet"
	L := len(cfg.Dilations)
	if L < 1 || L > maxWaveLayers {
		return errorf("%s: %d dilations; want 1..%d layers", arch, L, maxWaveLayers)
	}
	sum := 0
	for l, d := range cfg.Dilations {
		if d < 1 || d > maxWaveDilation {
			return errorf("%s: dilation %d of layer %d must be in 1..%d", arch, d, l+1, maxWaveDilation)
		}
		sum += d // at most 1024 * 65536: no overflow
	}
	if sum > maxWaveDilationSum {
		return errorf("%s: the dilations sum to %d, more than %d", arch, sum, maxWaveDilationSum)
	}
	for _, c := range []struct {
		name      string
		v, lo, hi int
	}{
		{"residual_channels", cfg.ResidualChannels, 1, maxWaveChans},
		{"gate_channels", cfg.GateChannels, 1, maxWaveChans},
		{"skip_channels", cfg.SkipChannels, 1, maxWaveChans},
		{"head_channels", cfg.HeadChannels, 1, maxWaveChans},
		{"classes", cfg.Classes, 0, maxClasses},
		{"sample_rate", cfg.SampleRate, 0, maxSampleRate},
	} {
		if c.v < c.lo || c.v > c.hi {
			return errorf("%s: %s %d must be in %d..%d", arch, c.name, c.v, c.lo, c.hi)
		}
	}
	if cfg.SampleRate != 0 && dist != Categorical {
		return errorf("%s: an audio model (sample_rate %d) must be categorical", arch, cfg.SampleRate)
	}
	return nil
}

// checkMemory refuses a model whose scoring workspace for one stream (at
// the shortest chunk) or sampler state for one stream exceeds
// waveMaxFloats. The sizes are validated (channels <= 2^16, Σ d <= 2^20),
// so the int64 products cannot overflow.
func (c *waveCore) checkMemory() error {
	R, G, S := int64(c.R), int64(c.G), int64(c.S)
	hist := int64(c.cum[c.L]) * R
	pass := int64(c.dmax+waveMinChunk)*(2*R+2*G) + waveMinChunk*(G+S) + hist + int64(c.L)*2*G
	if pass > waveMaxFloats {
		return errorf("%s: scoring one stream needs %d activations, more than %d", c.arch, pass, waveMaxFloats)
	}
	if st := c.stateFloats(); st > waveMaxFloats {
		return errorf("%s: the generation state of one stream needs %d values, more than %d", c.arch, st, waveMaxFloats)
	}
	return nil
}

// stateFloats is the generator's state of one stream: the queues, the
// class biases (L x 2G), each layer's pre-activations and gate outputs
// (L x 3G) and the step's vectors.
func (c *waveCore) stateFloats() int64 {
	R, G, S := int64(c.R), int64(c.G), int64(c.S)
	return int64(c.cum[c.L])*R + int64(c.L)*5*G + R + S + G + int64(c.O) + int64(c.C)
}

// view returns the model of length-T sequences with info (Dims and Shape
// already set), conditional or not.
func (c *waveCore) view(info Info, T int) Model {
	info.FLOPs = T * c.stepFLOPs
	m := &waveNet{waveCore: c, info: info, T: T}
	if c.N > 0 {
		return waveCondNet{m}
	}
	return m
}

// loadInput reads in_w and in_b into the lookup tables.
func (c *waveCore) loadInput(t *convTensors) {
	R, K := c.R, c.K
	cin := c.C
	if c.C == 1 {
		cin = 1
	}
	w := t.get("in_w", R, cin, 2)
	c.inB = t.bias("in_b", R)
	if t.err != nil {
		return
	}
	c.in0 = make([]float32, K*R)
	c.in1 = make([]float32, K*R)
	for r := 0; r < R; r++ {
		for v := 0; v < cin; v++ {
			row := v
			if cin == 1 {
				row = 1 // Bernoulli: the value 1's row; the value 0's stays zero
			}
			c.in0[row*R+r] = w[(r*cin+v)*2]
			c.in1[row*R+r] = w[(r*cin+v)*2+1]
		}
	}
}

// loadLayer reads layer l's tensors (l = 0 is dil1_w, ...) and prepares
// them for scoring and for the generation step in step weights wt.
func (c *waveCore) loadLayer(t *convTensors, l int, wt kernels.WeightType) error {
	R, G, S, N := c.R, c.G, c.S, c.N
	ly := &c.layers[l]
	ly.d = c.dil[l]
	last := l == c.L-1
	name := func(kind, part string) string { return fmt.Sprintf("%s%d_%s", kind, l+1, part) }
	dw := t.get(name("dil", "w"), 2*G, R, 2)
	ly.b = t.bias(name("dil", "b"), 2*G)
	if N > 0 {
		ly.cls = cloneF(t.get(name("dil", "cls"), N, 2*G))
	}
	var rw, rb []float32
	if !last {
		rw = t.get(name("res", "w"), R, G)
		rb = t.get(name("res", "b"), R)
	}
	sw := t.get(name("skip", "w"), S, G)
	sb := t.get(name("skip", "b"), S)
	if t.err != nil {
		return t.err
	}
	kernels.Add(c.skipB, c.skipB, sb)
	var err error
	if ly.conv, err = kernels.NewDilatedConv(dw, 2*G, R, ly.d); err != nil {
		return errorf("%s: %s: %v", c.arch, name("dil", "w"), err)
	}
	if ly.skip, err = kernels.NewDense(sw, S, G); err != nil {
		return errorf("%s: %s: %v", c.arch, name("skip", "w"), err)
	}
	// The step's dilated product in two [2G x R] matrices: tap 0 (past,
	// on h(t-d)) and tap 1 (cur, on h(t)).
	past, cur := make([]float32, 2*G*R), make([]float32, 2*G*R)
	for i := range past {
		past[i], cur[i] = dw[2*i], dw[2*i+1]
	}
	if ly.past, err = kernels.NewMat(past, 2*G, R, wt); err != nil {
		return errorf("%s: %s: %v", c.arch, name("dil", "w"), err)
	}
	if ly.cur, err = kernels.NewMat(cur, 2*G, R, wt); err != nil {
		return errorf("%s: %s: %v", c.arch, name("dil", "w"), err)
	}
	if last {
		ly.rsB = cloneF(sb)
		ly.rs, err = kernels.NewMat(sw, S, G, wt)
	} else {
		if ly.res, err = kernels.NewDense(rw, R, G); err != nil {
			return errorf("%s: %s: %v", c.arch, name("res", "w"), err)
		}
		ly.resB = cloneF(rb)
		ly.rsB = append(cloneF(rb), sb...)
		ly.rs, err = kernels.NewMat(append(cloneF(rw), sw...), R+S, G, wt)
	}
	if err != nil {
		return errorf("%s: %s: %v", c.arch, name("skip", "w"), err)
	}
	return nil
}

// loadHead reads the head for scoring and for the generation step.
func (c *waveCore) loadHead(t *convTensors, wt kernels.WeightType) error {
	w1 := t.get("head1_w", c.O, c.S)
	c.b1 = t.bias("head1_b", c.O)
	w2 := t.get("head2_w", c.C, c.O)
	c.b2 = t.bias("head2_b", c.C)
	if t.err != nil {
		return t.err
	}
	var err error
	if c.head1, err = kernels.NewDense(w1, c.O, c.S); err == nil {
		if c.head2, err = kernels.NewDense(w2, c.C, c.O); err == nil {
			if c.h1m, err = kernels.NewMat(w1, c.O, c.S, wt); err == nil {
				c.h2m, err = kernels.NewMat(w2, c.C, c.O, wt)
			}
		}
	}
	if err != nil {
		return errorf("%s: head: %v", c.arch, err)
	}
	return nil
}

func (m *waveNet) Info() Info { return m.info }

// ReceptiveField implements Sequence.
func (m *waveNet) ReceptiveField() int { return m.rho }

// WithLength implements Sequence.
func (m *waveNet) WithLength(T int) (Model, error) {
	if T < 1 || T > maxWaveLen {
		return nil, errorf("%s: sequence length %d must be in 1..%d", m.arch, T, maxWaveLen)
	}
	info := m.info
	info.Dims, info.Shape = T, []int{T}
	return m.view(info, T), nil
}

// LogProbGiven implements ClassConditional.
func (m waveCondNet) LogProbGiven(ctx context.Context, x []float32, labels []int, out []float64) error {
	if len(labels) != len(out) {
		return fmt.Errorf("%w: %d labels for %d examples", ErrSize, len(labels), len(out))
	}
	if err := checkLabels(m.arch, m.N, labels); err != nil {
		return err
	}
	return m.score(ctx, x, labels, out)
}
