package engine

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// This file builds random models and scores them with a float64 reference
// written straight from format/SPEC.md's equations, in data space with
// explicit masks: the peer every engine model is checked against (besides
// PyTorch's golden vectors).

type refModel struct {
	cfg Config
	w   MapWeights
}

func newRef(cfg Config) *refModel {
	return &refModel{cfg: cfg, w: MapWeights{F: map[string][]float32{}, I: map[string][]int32{}, S: map[string][]int{}}}
}

func (r *refModel) addF(rng *rand.Rand, name string, scale float64, shape ...int) {
	v := make([]float32, prod(shape))
	for i := range v {
		v[i] = float32(rng.NormFloat64() * scale)
	}
	r.w.F[name], r.w.S[name] = v, shape
}

func (r *refModel) addI(name string, v []int32, shape ...int) { r.w.I[name], r.w.S[name] = v, shape }

func randPerm(rng *rand.Rand, d int) []int32 {
	p := make([]int32, d)
	for i, v := range rng.Perm(d) {
		p[i] = int32(v)
	}
	return p
}

// randomModel builds a model of cfg.Arch with random weights and orderings.
func randomModel(rng *rand.Rand, cfg Config) *refModel {
	D := cfg.Dims
	r := newRef(cfg)
	switch cfg.Arch {
	case "fvsbn":
		r.addI("order", randPerm(rng, D), D)
		r.addF(rng, "W", 0.5, D, D)
		r.addF(rng, "b", 0.5, D)
	case "nade":
		H := cfg.Hidden[0]
		r.addI("order", randPerm(rng, D), D)
		r.addF(rng, "W", 0.5, H, D)
		r.addF(rng, "c", 0.5, H)
		r.addF(rng, "V", 0.5, D, H)
		r.addF(rng, "b", 0.5, D)
	case "made":
		K := max(cfg.Masks, 1)
		var orders []int32
		for k := 0; k < K; k++ {
			orders = append(orders, randPerm(rng, D)...)
		}
		r.addI("order", orders, K, D)
		in := D
		for l, h := range cfg.Hidden {
			n := strconv.Itoa(l + 1)
			r.addF(rng, "W"+n, 0.5, h, in)
			r.addF(rng, "b"+n, 0.5, h)
			deg := make([]int32, K*h)
			for i := range deg {
				deg[i] = int32(1 + rng.IntN(max(D-1, 1)))
			}
			r.addI("degrees"+n, deg, K, h)
			in = h
		}
		r.addF(rng, "Wout", 0.5, D, in)
		r.addF(rng, "bout", 0.5, D)
		if cfg.Direct {
			r.addF(rng, "A", 0.5, D, D)
		}
	}
	return r
}

func sig64(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

// logits returns, for one example x (data order) and component k, the
// logit of every dimension (data order), in float64.
func (r *refModel) logits(x []float32, k int) []float64 {
	D := r.cfg.Dims
	out := make([]float64, D)
	W := r.w.F
	switch r.cfg.Arch {
	case "fvsbn":
		pos := positions(r.w.I["order"])
		for i := 0; i < D; i++ {
			s := float64(W["b"][i])
			for j := 0; j < D; j++ {
				if pos[j] < pos[i] {
					s += float64(W["W"][i*D+j]) * float64(x[j])
				}
			}
			out[i] = s
		}
	case "nade":
		H := r.cfg.Hidden[0]
		pos := positions(r.w.I["order"])
		for i := 0; i < D; i++ {
			s := float64(W["b"][i])
			for h := 0; h < H; h++ {
				a := float64(W["c"][h])
				for j := 0; j < D; j++ {
					if pos[j] < pos[i] {
						a += float64(W["W"][h*D+j]) * float64(x[j])
					}
				}
				s += float64(W["V"][i*H+h]) * sig64(a)
			}
			out[i] = s
		}
	case "made":
		order := r.w.I["order"][k*D : (k+1)*D]
		pos := positions(order)
		m0 := make([]int32, D)
		for i := range m0 {
			m0[i] = int32(pos[i] + 1)
		}
		prev := make([]float64, D)
		for i := range prev {
			prev[i] = float64(x[i])
		}
		prevDeg := m0
		for l, h := range r.cfg.Hidden {
			n := strconv.Itoa(l + 1)
			deg := r.w.I["degrees"+n][k*h : (k+1)*h]
			in := len(prev)
			cur := make([]float64, h)
			for j := 0; j < h; j++ {
				s := float64(W["b"+n][j])
				for i := 0; i < in; i++ {
					if deg[j] >= prevDeg[i] {
						s += float64(W["W"+n][j*in+i]) * prev[i]
					}
				}
				cur[j] = math.Max(s, 0)
			}
			prev, prevDeg = cur, deg
		}
		HL := len(prev)
		for i := 0; i < D; i++ {
			s := float64(W["bout"][i])
			for j := 0; j < HL; j++ {
				if m0[i] > prevDeg[j] {
					s += float64(W["Wout"][i*HL+j]) * prev[j]
				}
			}
			if r.cfg.Direct {
				for j := 0; j < D; j++ {
					if m0[i] > m0[j] {
						s += float64(W["A"][i*D+j]) * float64(x[j])
					}
				}
			}
			out[i] = s
		}
	}
	return out
}

func positions(order []int32) []int {
	pos := make([]int, len(order))
	for t, d := range order {
		pos[d] = t
	}
	return pos
}

func bernLL(l []float64, x []float32) float64 {
	var s float64
	for i, v := range l {
		if x[i] != 0 {
			s += -softplus(-v)
		} else {
			s += -softplus(v)
		}
	}
	return s
}

func softplus(v float64) float64 { return math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v))) }

// logProb is the reference log-likelihood of one example.
func (r *refModel) logProb(x []float32) float64 {
	K := 1
	if r.cfg.Arch == "made" {
		K = max(r.cfg.Masks, 1)
	}
	lls := make([]float64, K)
	mx := math.Inf(-1)
	for k := range lls {
		lls[k] = bernLL(r.logits(x, k), x)
		mx = math.Max(mx, lls[k])
	}
	var s float64
	for _, v := range lls {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s/float64(K))
}
