package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// convRef is a float64 pixelcnn / gatedpixelcnn written straight from
// format/SPEC.md sections 3.5-3.7 with naive loops over the tensors in
// their file layout (masks applied by testing every tap): the peer of
// conv.go, pixelcnn.go and gated.go besides the PyTorch golden files.
type convRef struct {
	cfg        Config
	w          MapWeights
	H, W, D    int
	K, C       int
	F, O, N, L int
	k, k0, n   int
}

func convName(c Config) string {
	s := fmt.Sprintf("%s-%dx%d-F%d-L%d-k%d", c.Arch, c.Shape[0], c.Shape[1], c.Channels, c.Layers, c.KernelSize)
	if c.Arch == "pixelcnn" {
		s += fmt.Sprintf("-k0%d", c.InputKernel)
	}
	s += fmt.Sprintf("-O%d-N%d-%v", c.HeadChannels, c.Classes, c.Dist)
	if c.Dist == Categorical {
		s += fmt.Sprintf("%d", c.Categories)
	}
	return s
}

// pix and gat build the configurations of the tests.
func pix(H, W, F, L, k, k0, O, N, K int) Config {
	c := Config{Arch: "pixelcnn", Dims: H * W, Shape: []int{H, W}, Channels: F, Layers: L, KernelSize: k, InputKernel: k0, HeadChannels: O, Classes: N}
	if K > 2 {
		c.Dist, c.Categories = Categorical, K
	}
	return c
}

func gat(H, W, F, L, k, O, N, K int) Config {
	c := Config{Arch: "gatedpixelcnn", Dims: H * W, Shape: []int{H, W}, Channels: F, Layers: L, KernelSize: k, HeadChannels: O, Classes: N}
	if K > 2 {
		c.Dist, c.Categories = Categorical, K
	}
	return c
}

// convConfigs: both architectures, Bernoulli and categorical, with and
// without classes, on small images (single rows and columns, kernels
// wider than the image, mask-B 1x1 residual layers, no residual layer).
var convConfigs = []Config{
	pix(5, 4, 3, 2, 3, 3, 4, 0, 2),
	pix(6, 6, 5, 1, 5, 7, 3, 3, 4),
	pix(3, 7, 4, 0, 1, 5, 2, 2, 2),
	pix(6, 6, 8, 3, 3, 5, 6, 0, 3),
	pix(3, 7, 4, 2, 1, 3, 3, 0, 2),
	pix(1, 5, 3, 2, 3, 3, 2, 2, 2),
	pix(5, 1, 3, 1, 5, 3, 2, 0, 3),
	pix(7, 9, 17, 2, 3, 7, 9, 2, 2),
	gat(5, 4, 3, 1, 3, 4, 0, 2),
	gat(6, 6, 4, 3, 5, 5, 3, 5),
	gat(3, 7, 2, 2, 3, 3, 2, 2),
	gat(4, 4, 6, 2, 7, 4, 0, 3),
	gat(1, 6, 2, 2, 3, 3, 0, 2),
	gat(6, 1, 3, 2, 3, 2, 2, 2),
	gat(7, 9, 17, 3, 3, 9, 2, 2),
}

// randomConv builds a model of cfg with random weights, masked-out taps
// included (they must be ignored).
func randomConv(rng *rand.Rand, cfg Config) *convRef {
	r := &convRef{cfg: cfg, w: MapWeights{F: map[string][]float32{}, S: map[string][]int{}},
		H: cfg.Shape[0], W: cfg.Shape[1], D: cfg.Dims, K: 2, C: 1,
		F: cfg.Channels, O: cfg.HeadChannels, N: cfg.Classes, L: cfg.Layers,
		k: cfg.KernelSize, k0: cfg.InputKernel, n: (cfg.KernelSize - 1) / 2}
	if cfg.Dist == Categorical {
		r.K, r.C = cfg.Categories, cfg.Categories
	}
	add := func(name string, scale float64, shape ...int) {
		v := make([]float32, prod(shape))
		for i := range v {
			v[i] = float32(rng.NormFloat64() * scale)
		}
		r.w.F[name], r.w.S[name] = v, shape
	}
	fan := func(n int) float64 { return 1.2 / math.Sqrt(float64(n)) }
	F, N, k, n := r.F, r.N, r.k, r.n
	cls := func(name string, co int) {
		if N > 0 {
			add(name, 0.5, N, co)
		}
	}
	if cfg.Arch == "pixelcnn" {
		k0 := r.k0
		add("in_w", fan(k0*k0/2), F, 1, k0, k0)
		add("in_b", 0.3, F)
		cls("in_cls", F)
		for l := 1; l <= r.L; l++ {
			add(fmt.Sprintf("res%d_w", l), 0.7*fan(F*(k*k/2+1)), F, F, k, k)
			add(fmt.Sprintf("res%d_b", l), 0.3, F)
			cls(fmt.Sprintf("res%d_cls", l), F)
		}
	} else {
		for l := 1; l <= r.L; l++ {
			in := F
			if l == 1 {
				in = 1
			}
			add(fmt.Sprintf("v%d_w", l), fan(in*(n+1)*k), 2*F, in, n+1, k)
			add(fmt.Sprintf("v%d_b", l), 0.3, 2*F)
			cls(fmt.Sprintf("v%d_cls", l), 2*F)
			if l == 1 {
				add("h1_w", fan(n), 2*F, 1, 1, n)
			} else {
				add(fmt.Sprintf("h%d_w", l), fan(F*(n+1)), 2*F, F, 1, n+1)
			}
			add(fmt.Sprintf("h%d_b", l), 0.3, 2*F)
			cls(fmt.Sprintf("h%d_cls", l), 2*F)
			add(fmt.Sprintf("vh%d_w", l), fan(2*F), 2*F, 2*F)
			add(fmt.Sprintf("vh%d_b", l), 0.3, 2*F)
			add(fmt.Sprintf("ho%d_w", l), fan(F), F, F)
			add(fmt.Sprintf("ho%d_b", l), 0.3, F)
		}
	}
	add("head1_w", fan(F), r.O, F)
	add("head1_b", 0.3, r.O)
	add("head2_w", 1.5*fan(r.O), r.C, r.O)
	add("head2_b", 0.3, r.C)
	if N > 0 {
		add("class_logits", 1, N)
	}
	return r
}

func (r *convRef) f64(name string) []float64 {
	v := r.w.F[name]
	o := make([]float64, len(v))
	for i, a := range v {
		o[i] = float64(a)
	}
	return o
}

// conv is the convolution of SPEC 3.5: z is H x W x cin (pixel-major), w
// is [cout, cin, ah, aw] with anchor (or, oc); taps keep rejects are
// skipped. It returns H x W x cout, plus bias and class row (if y >= 0).
func (r *convRef) conv(z []float64, cin int, w []float64, cout, ah, aw, or, oc int, keep func(a, b int) bool, bias, cls []float64, y int) []float64 {
	H, W := r.H, r.W
	out := make([]float64, H*W*cout)
	for row := 0; row < H; row++ {
		for c := 0; c < W; c++ {
			for co := 0; co < cout; co++ {
				s := bias[co]
				if y >= 0 {
					s += cls[y*cout+co]
				}
				for ci := 0; ci < cin; ci++ {
					for a := 0; a < ah; a++ {
						for b := 0; b < aw; b++ {
							if keep != nil && !keep(a, b) {
								continue
							}
							rr, cc := row+a-or, c+b-oc
							if rr < 0 || rr >= H || cc < 0 || cc >= W {
								continue
							}
							s += w[((co*cin+ci)*ah+a)*aw+b] * z[(rr*W+cc)*cin+ci]
						}
					}
				}
				out[(row*W+c)*cout+co] = s
			}
		}
	}
	return out
}

// dense applies the [cout, cin] matrix w (plus bias) at every pixel.
func dense(z []float64, cin int, w []float64, cout int, bias []float64) []float64 {
	P := len(z) / cin
	out := make([]float64, P*cout)
	for p := 0; p < P; p++ {
		for co := 0; co < cout; co++ {
			s := 0.0
			if bias != nil {
				s = bias[co]
			}
			for ci := 0; ci < cin; ci++ {
				s += w[co*cin+ci] * z[p*cin+ci]
			}
			out[p*cout+co] = s
		}
	}
	return out
}

func relu64(z []float64) []float64 {
	o := make([]float64, len(z))
	for i, v := range z {
		o[i] = math.Max(v, 0)
	}
	return o
}

func gate64(z []float64, F int) []float64 {
	P := len(z) / (2 * F)
	o := make([]float64, P*F)
	for p := 0; p < P; p++ {
		for i := 0; i < F; i++ {
			o[p*F+i] = math.Tanh(z[p*2*F+i]) * sig64(z[p*2*F+F+i])
		}
	}
	return o
}

// logits returns the D x C outputs for the image x with label y (-1: none).
func (r *convRef) logits(x []float32, y int) []float64 {
	H, W, F, n := r.H, r.W, r.F, r.n
	u := make([]float64, H*W)
	for i, v := range x {
		u[i] = float64(v / float32(r.K-1))
	}
	cls := func(name string) []float64 {
		if r.N == 0 {
			return nil
		}
		return r.f64(name)
	}
	var feat []float64
	if r.cfg.Arch == "pixelcnn" {
		n0 := (r.k0 - 1) / 2
		s := r.conv(u, 1, r.f64("in_w"), F, r.k0, r.k0, n0, n0, refMask(n0, false), r.f64("in_b"), cls("in_cls"), y)
		for l := 1; l <= r.L; l++ {
			c := r.conv(relu64(s), F, r.f64(fmt.Sprintf("res%d_w", l)), F, r.k, r.k, n, n, refMask(n, true),
				r.f64(fmt.Sprintf("res%d_b", l)), cls(fmt.Sprintf("res%d_cls", l)), y)
			for i := range s {
				s[i] += c[i]
			}
		}
		feat = s
	} else {
		v, h := u, u
		for l := 1; l <= r.L; l++ {
			in := F
			if l == 1 {
				in = 1
			}
			vp := r.conv(v, in, r.f64(fmt.Sprintf("v%d_w", l)), 2*F, n+1, r.k, n, n, nil,
				r.f64(fmt.Sprintf("v%d_b", l)), cls(fmt.Sprintf("v%d_cls", l)), y)
			var hp []float64
			if l == 1 {
				hp = r.conv(h, 1, r.f64("h1_w"), 2*F, 1, n, 0, n, nil, r.f64("h1_b"), cls("h1_cls"), y)
			} else {
				hp = r.conv(h, F, r.f64(fmt.Sprintf("h%d_w", l)), 2*F, 1, n+1, 0, n, nil,
					r.f64(fmt.Sprintf("h%d_b", l)), cls(fmt.Sprintf("h%d_cls", l)), y)
			}
			down := make([]float64, len(vp))
			copy(down[W*2*F:], vp[:(H-1)*W*2*F])
			vh := dense(down, 2*F, r.f64(fmt.Sprintf("vh%d_w", l)), 2*F, r.f64(fmt.Sprintf("vh%d_b", l)))
			for i := range hp {
				hp[i] += vh[i]
			}
			ho := dense(gate64(hp, F), F, r.f64(fmt.Sprintf("ho%d_w", l)), F, r.f64(fmt.Sprintf("ho%d_b", l)))
			if l >= 2 {
				for i := range ho {
					ho[i] += h[i]
				}
			}
			v, h = gate64(vp, F), ho
		}
		feat = h
	}
	h1 := relu64(dense(relu64(feat), F, r.f64("head1_w"), r.O, r.f64("head1_b")))
	return dense(h1, r.O, r.f64("head2_w"), r.C, r.f64("head2_b"))
}

// logProbGiven is log p(x | y) (y = -1 for an unconditional model).
func (r *convRef) logProbGiven(x []float32, y int) float64 {
	z := r.logits(x, y)
	var lp float64
	for i, v := range x {
		a := z[i*r.C : (i+1)*r.C]
		if r.C == 1 {
			if v == 1 {
				lp -= softplus(-a[0])
			} else {
				lp -= softplus(a[0])
			}
			continue
		}
		mx := math.Inf(-1)
		for _, b := range a {
			mx = math.Max(mx, b)
		}
		var s float64
		for _, b := range a {
			s += math.Exp(b - mx)
		}
		lp += a[int(v)] - mx - math.Log(s)
	}
	return lp
}

// logPrior returns log p(y) for every class.
func (r *convRef) logPrior() []float64 {
	cl := r.f64("class_logits")
	mx := math.Inf(-1)
	for _, v := range cl {
		mx = math.Max(mx, v)
	}
	var s float64
	for _, v := range cl {
		s += math.Exp(v - mx)
	}
	lp := make([]float64, len(cl))
	for y, v := range cl {
		lp[y] = v - mx - math.Log(s)
	}
	return lp
}

// logProb is log p(x), the marginal over the classes of a
// class-conditional model.
func (r *convRef) logProb(x []float32) float64 {
	if r.N == 0 {
		return r.logProbGiven(x, -1)
	}
	prior := r.logPrior()
	mx := math.Inf(-1)
	terms := make([]float64, r.N)
	for y := range terms {
		terms[y] = prior[y] + r.logProbGiven(x, y)
		mx = math.Max(mx, terms[y])
	}
	var s float64
	for _, t := range terms {
		s += math.Exp(t - mx)
	}
	return mx + math.Log(s)
}

// refMask is mask A (centre excluded) or mask B (centre included) of size
// 2m+1: the taps before the centre in raster order.
func refMask(m int, centre bool) func(a, b int) bool {
	return func(a, b int) bool {
		if a != m {
			return a < m
		}
		return b < m || (centre && b == m)
	}
}

// logProbTol is the tolerance of a float32 log p(x|y) against the
// reference: relative 1e-4, plus 1e-6 of the sum over pixels of the
// largest |logit| (log softmax subtracts numbers of the logits' size, so
// its float32 rounding is absolute: a log p near 0 under large logits has
// a large relative error).
func (r *convRef) logProbTol(x []float32, y int, want float64) float64 {
	z := r.logits(x, y)
	var scale float64
	for i := 0; i < r.D; i++ {
		mx := 0.0
		for _, v := range z[i*r.C : (i+1)*r.C] {
			mx = math.Max(mx, math.Abs(v))
		}
		scale += mx
	}
	return 1e-4*math.Abs(want) + 1e-6*scale
}
