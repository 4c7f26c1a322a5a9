package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/arinfer/arinfer/format"
	"github.com/stretchr/testify/require"
)

// waveRef is a float64 wavenet written straight from format/SPEC.md 3.8
// with naive loops over the tensors in their file layout: the peer of
// wavenet*.go besides the PyTorch golden files.
type waveRef struct {
	cfg                 Config
	w                   MapWeights
	K, C, Cin           int
	R, G, S, O, N, L, D int
	dil                 []int
	// rx, if not nil, rounds the inputs of the products the generation
	// step makes (BF16Dot rounds them to bfloat16).
	rx    func(float64) float64
	cache map[string][]float64 // f64's conversions
}

// rnd is rx(v), or v.
func (r *waveRef) rnd(v float64) float64 {
	if r.rx == nil {
		return v
	}
	return r.rx(v)
}

// rndAll applies rnd to every value of v.
func (r *waveRef) rndAll(v []float64) []float64 {
	for i := range v {
		v[i] = r.rnd(v[i])
	}
	return v
}

// wav builds a wavenet configuration (K = 2: Bernoulli) for items of D
// steps.
func wav(D int, dil []int, R, G, S, O, N, K int) Config {
	c := Config{Arch: "wavenet", Dims: D, Dilations: dil, ResidualChannels: R, GateChannels: G,
		SkipChannels: S, HeadChannels: O, Classes: N}
	if K > 2 {
		c.Dist, c.Categories = Categorical, K
	}
	return c
}

func waveName(c Config) string {
	s := fmt.Sprintf("wavenet-D%d-d%v-R%d-G%d-S%d-O%d-N%d-%v", c.Dims, c.Dilations, c.ResidualChannels,
		c.GateChannels, c.SkipChannels, c.HeadChannels, c.Classes, c.Dist)
	if c.Dist == Categorical {
		s += fmt.Sprint(c.Categories)
	}
	return s
}

// waveConfigs: Bernoulli and categorical, with and without classes,
// receptive fields larger and smaller than the test sequences, one layer,
// repeated dilations, and channels wide enough for the kernels' blocked
// paths.
var waveConfigs = []Config{
	wav(7, []int{1, 2, 4, 8, 16}, 4, 3, 5, 6, 0, 2),
	wav(10, []int{1, 1, 2}, 3, 2, 4, 5, 3, 2),
	wav(6, []int{3, 5}, 5, 4, 3, 4, 0, 5),
	wav(12, []int{1, 2, 4, 8, 16}, 4, 3, 5, 6, 2, 4),
	wav(5, []int{2}, 2, 1, 2, 3, 0, 3),
	wav(9, []int{1, 2, 4, 8}, 17, 16, 33, 20, 2, 2),
}

// randomWave builds a model of cfg with random weights.
func randomWave(rng *rand.Rand, cfg Config) *waveRef {
	r := &waveRef{cfg: cfg, w: MapWeights{F: map[string][]float32{}, S: map[string][]int{}},
		K: 2, C: 1, Cin: 1, R: cfg.ResidualChannels, G: cfg.GateChannels, S: cfg.SkipChannels,
		O: cfg.HeadChannels, N: cfg.Classes, L: len(cfg.Dilations), D: cfg.Dims, dil: cfg.Dilations}
	if cfg.Dist == Categorical {
		r.K, r.C, r.Cin = cfg.Categories, cfg.Categories, cfg.Categories
	}
	add := func(name string, scale float64, shape ...int) {
		v := make([]float32, prod(shape))
		for i := range v {
			v[i] = float32(rng.NormFloat64() * scale)
		}
		r.w.F[name], r.w.S[name] = v, shape
	}
	fan := func(n int) float64 { return 1.2 / math.Sqrt(float64(n)) }
	R, G, S, N := r.R, r.G, r.S, r.N
	add("in_w", 1, R, r.Cin, 2)
	add("in_b", 0.3, R)
	for l := 1; l <= r.L; l++ {
		add(fmt.Sprintf("dil%d_w", l), fan(2*R), 2*G, R, 2)
		add(fmt.Sprintf("dil%d_b", l), 0.3, 2*G)
		if N > 0 {
			add(fmt.Sprintf("dil%d_cls", l), 0.5, N, 2*G)
		}
		if l < r.L {
			add(fmt.Sprintf("res%d_w", l), fan(G), R, G)
			add(fmt.Sprintf("res%d_b", l), 0.3, R)
		}
		add(fmt.Sprintf("skip%d_w", l), fan(G), S, G)
		add(fmt.Sprintf("skip%d_b", l), 0.3, S)
	}
	add("head1_w", fan(S), r.O, S)
	add("head1_b", 0.3, r.O)
	add("head2_w", 1.5*fan(r.O), r.C, r.O)
	add("head2_b", 0.3, r.C)
	if N > 0 {
		add("class_logits", 1, N)
	}
	return r
}

// f64 returns tensor name in float64 (converted once; callers must not
// modify it).
func (r *waveRef) f64(name string) []float64 {
	if o, ok := r.cache[name]; ok {
		return o
	}
	v := r.w.F[name]
	o := make([]float64, len(v))
	for i, a := range v {
		o[i] = float64(a)
	}
	if r.cache == nil {
		r.cache = map[string][]float64{}
	}
	r.cache[name] = o
	return o
}

// logits returns the T x C outputs z(t) of SPEC 3.8 for the sequence x
// (T = len(x)) with label y (-1: none).
func (r *waveRef) logits(x []float32, y int) []float64 {
	T, R, G, S := len(x), r.R, r.G, r.S
	// e(t) = onehot(x_{t-1}) or x_{t-1}, zero for t < 1.
	e := func(t, c int) float64 {
		if t < 1 {
			return 0
		}
		if r.Cin == 1 {
			return float64(x[t-1])
		}
		if int(x[t-1]) == c {
			return 1
		}
		return 0
	}
	inW, inB := r.f64("in_w"), r.f64("in_b")
	h := make([][]float64, T)
	for t := range h {
		h[t] = make([]float64, R)
		for i := 0; i < R; i++ {
			s := inB[i]
			for c := 0; c < r.Cin; c++ {
				s += inW[(i*r.Cin+c)*2]*e(t-1, c) + inW[(i*r.Cin+c)*2+1]*e(t, c)
			}
			h[t][i] = s
		}
	}
	skip := make([][]float64, T)
	for t := range skip {
		skip[t] = make([]float64, S)
	}
	for l := 1; l <= r.L; l++ {
		d := r.dil[l-1]
		w, b := r.f64(fmt.Sprintf("dil%d_w", l)), r.f64(fmt.Sprintf("dil%d_b", l))
		var cls []float64
		if y >= 0 {
			cls = r.f64(fmt.Sprintf("dil%d_cls", l))[y*2*G : (y+1)*2*G]
		}
		sw, sb := r.f64(fmt.Sprintf("skip%d_w", l)), r.f64(fmt.Sprintf("skip%d_b", l))
		rw, rb := r.f64(fmt.Sprintf("res%d_w", l)), r.f64(fmt.Sprintf("res%d_b", l))
		next := make([][]float64, T)
		for t := 0; t < T; t++ {
			a := make([]float64, 2*G)
			for i := range a {
				s := b[i]
				if cls != nil {
					s += cls[i]
				}
				for j := 0; j < R; j++ {
					if t-d >= 0 {
						s += w[(i*R+j)*2] * r.rnd(h[t-d][j])
					}
					s += w[(i*R+j)*2+1] * r.rnd(h[t][j])
				}
				a[i] = s
			}
			g := r.rndAll(gate64(a, G))
			for i := 0; i < S; i++ {
				s := sb[i]
				for j := 0; j < G; j++ {
					s += sw[i*G+j] * g[j]
				}
				skip[t][i] += s
			}
			if l < r.L {
				next[t] = make([]float64, R)
				for i := 0; i < R; i++ {
					s := h[t][i] + rb[i]
					for j := 0; j < G; j++ {
						s += rw[i*G+j] * g[j]
					}
					next[t][i] = s
				}
			}
		}
		h = next
	}
	z := make([]float64, 0, T*r.C)
	for t := 0; t < T; t++ {
		h1 := relu64(dense(r.rndAll(relu64(skip[t])), S, r.f64("head1_w"), r.O, r.f64("head1_b")))
		z = append(z, dense(r.rndAll(h1), r.O, r.f64("head2_w"), r.C, r.f64("head2_b"))...)
	}
	return z
}

// logProbGiven is log p(x | y) (y = -1 for an unconditional model).
func (r *waveRef) logProbGiven(x []float32, y int) float64 {
	z := r.logits(x, y)
	var lp float64
	for t, v := range x {
		lp += condLogProb(z[t*r.C:(t+1)*r.C], v)
	}
	return lp
}

// logSumExp64 is log Σ exp(v).
func logSumExp64(v []float64) float64 {
	mx := math.Inf(-1)
	for _, a := range v {
		mx = math.Max(mx, a)
	}
	var s float64
	for _, a := range v {
		s += math.Exp(a - mx)
	}
	return mx + math.Log(s)
}

// logPrior returns log p(y) = log softmax(class_logits).
func (r *waveRef) logPrior() []float64 {
	cl := slices.Clone(r.f64("class_logits"))
	z := logSumExp64(cl)
	for y := range cl {
		cl[y] -= z
	}
	return cl
}

// logProb is log p(x), the marginal over the classes of a conditional
// model.
func (r *waveRef) logProb(x []float32) float64 {
	if r.N == 0 {
		return r.logProbGiven(x, -1)
	}
	terms := r.logPrior()
	for y := range terms {
		terms[y] += r.logProbGiven(x, y)
	}
	return logSumExp64(terms)
}

// tol is the tolerance of a float32 log p(x|y) against the reference:
// relative 1e-4, plus 1e-6 of the sum over steps of the largest |logit|
// (log softmax's float32 rounding is absolute).
func (r *waveRef) tol(x []float32, y int, want float64) float64 {
	z := r.logits(x, y)
	var scale float64
	for t := range x {
		mx := 0.0
		for _, v := range z[t*r.C : (t+1)*r.C] {
			mx = math.Max(mx, math.Abs(v))
		}
		scale += mx
	}
	return 1e-4*math.Abs(want) + 1e-6*scale
}

// buildWave builds r's model with options o.
func buildWave(t testing.TB, r *waveRef, o Options) Model {
	t.Helper()
	m, err := NewOptions(r.cfg, r.w, o)
	require.NoError(t, err)
	return m
}

// waveOf returns the wavenet behind m.
func waveOf(m Model) *waveNet {
	switch w := m.(type) {
	case *waveNet:
		return w
	case waveCondNet:
		return w.waveNet
	}
	panic(fmt.Sprintf("%T is not a wavenet", m))
}

// withLength is m.(Sequence).WithLength(T), failing the test on an error.
func withLength(t testing.TB, m Model, T int) Model {
	t.Helper()
	s, ok := m.(Sequence)
	require.True(t, ok, "a wavenet is a Sequence")
	v, err := s.WithLength(T)
	require.NoError(t, err)
	return v
}

// withChunk runs f with the scoring chunk of m's wavenet set to n steps
// (0: the model's own).
func withChunk(m Model, n int, f func()) {
	c := waveOf(m).waveCore
	prev := c.chunk
	if n > 0 {
		c.chunk = n
	}
	defer func() { c.chunk = prev }()
	f()
}

// writeWaveFile writes r's weights as a .arw file with header h, the
// tensors in the order format.ExpectedTensors gives.
func writeWaveFile(path string, h format.Header, r *waveRef) error {
	names, err := format.ExpectedTensors(h)
	if err != nil {
		return err
	}
	ts := make([]format.Tensor, len(names))
	for i, n := range names {
		ts[i] = format.Float32Tensor(n, r.w.S[n], r.w.F[n])
	}
	return format.WriteFile(path, h, ts)
}
