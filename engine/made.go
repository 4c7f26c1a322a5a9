package engine

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"sync"
)

// made is the masked autoencoder for distribution estimation (Germain et
// al. 2015) with an ensemble of K orderings/masks sharing one set of
// weights. At load, each component's weights are permuted so that inputs
// are in its ordering and every layer's units are sorted by degree; then
// every mask is a staircase (row r of a layer reduces over a prefix
// [0, hi[r]) of the previous layer) and runs on the masked-matmul kernels,
// which skip masked-out blocks.
type made struct {
	info   Info
	sizes  []int // hidden sizes
	comps  []madeComp
	logK   float64
	sameOr bool // every component has the same ordering
	pool   sync.Pool
}

type madeLayer struct {
	out, in int
	ld      int       // row stride of w: in rounded up to 16 floats (64 bytes)
	w       []float32 // out x in (stride ld), permuted
	b       []float32
	hi      []int   // row r reduces over columns [0, hi[r])
	deg     []int32 // hidden layers: the sorted degrees of the rows
}

type madeComp struct {
	order  []int32
	hidden []madeLayer
	out    madeLayer  // D x H_L, rows in ordering space
	direct *madeLayer // D x D, row t reduces over [0, t)
	// directOf is the component whose direct connections this one shares
	// (same ordering), or nil.
	directOf *madeComp
	// base is the component whose unit order every component of an
	// ensemble with one ordering shares for sampling (component 0), or nil
	// when the component samples on its own tables; canon[l][j] is then
	// the index in base's order of this component's j-th unit of layer l
	// by degree.
	base  *madeComp
	canon [][]int32

	pushOnce sync.Once
	push     *madePush // the sampler's transposed weights, built on first use
	fullOnce sync.Once
	full     []pushRows // base only: per layer, the full transposed weights into it (see canonTables)
}

type madeWork struct {
	xo, logits, tmp []float32
	acts            [][]float32 // per hidden layer: scoring chunk (or sampling batch, for the posterior) x H_l
	ll              []float64   // K x chunk component log-likelihoods
	u, c            []float64   // sampling: each example's 32-bit uniforms and logit bounds (draws32)
	comp            []int       // sampling: component of each example
	rng             rngs
	vals, lg        []float32 // sampling with OnStep: the step's values and logits
	dims            []int32
	states          []pushState // sampling: one per example (OnStep) or one per worker
	samp            madeSampleTask
	run             madeScore
}

func newMADE(info Info, cfg Config, w Weights) (*made, error) {
	D := info.Dims
	L := len(cfg.Hidden)
	if L < 1 {
		return nil, errorf("made: needs at least one hidden layer")
	}
	for l, h := range cfg.Hidden {
		if h < 1 {
			return nil, errorf("made: hidden layer %d has size %d", l+1, h)
		}
	}
	K := cfg.Masks
	if K == 0 {
		K = 1
	}
	if K < 1 {
		return nil, errorf("made: %d masks", cfg.Masks)
	}
	orders, err := itensor(w, "order", K, D)
	if err != nil {
		return nil, err
	}
	m := &made{info: info, sizes: slices.Clone(cfg.Hidden), comps: make([]madeComp, K), logK: math.Log(float64(K)), sameOr: true}
	// Shared weights.
	Ws := make([][]float32, L)
	bs := make([][]float32, L)
	degs := make([][]int32, L)
	in := D
	for l, h := range cfg.Hidden {
		n := strconv.Itoa(l + 1)
		if Ws[l], err = tensor(w, "W"+n, h, in); err != nil {
			return nil, err
		}
		if bs[l], err = tensor(w, "b"+n, h); err != nil {
			return nil, err
		}
		if degs[l], err = itensor(w, "degrees"+n, K, h); err != nil {
			return nil, err
		}
		m.info.Params += h*in + h
		in = h
	}
	HL := cfg.Hidden[L-1]
	Wout, err := tensor(w, "Wout", D, HL)
	if err != nil {
		return nil, err
	}
	bout, err := tensor(w, "bout", D)
	if err != nil {
		return nil, err
	}
	m.info.Params += D*HL + D
	var A []float32
	if cfg.Direct {
		if A, err = tensor(w, "A", D, D); err != nil {
			return nil, err
		}
		m.info.Params += D * D
	}
	perms := make([][][]int, K) // per component and layer: the units by degree
	for k := range m.comps {
		perms[k] = make([][]int, L)
		order := orders[k*D : (k+1)*D]
		if err := checkOrder(fmt.Sprintf("order[%d]", k), order); err != nil {
			return nil, err
		}
		if k > 0 && !slices.Equal(order, orders[:D]) {
			m.sameOr = false
		}
		c := &m.comps[k]
		c.order = order
		c.hidden = make([]madeLayer, L)
		var prevPerm []int // nil: previous layer is the input, in ordering space
		var prevDeg []int32
		for l, h := range cfg.Hidden {
			deg := degs[l][k*h : (k+1)*h]
			for j, d := range deg {
				if d < 0 || int(d) > D {
					return nil, errorf("made: degrees%d[%d][%d] = %d is outside [0, %d]", l+1, k, j, d, D)
				}
			}
			perm := argsortStable(deg)
			in := D
			if l > 0 {
				in = cfg.Hidden[l-1]
			}
			ly := newLayer(h, in)
			ly.deg = make([]int32, h)
			for r, u := range perm {
				ly.deg[r] = deg[u]
				ly.b[r] = bs[l][u]
				row := Ws[l][u*in : (u+1)*in]
				for col := 0; col < in; col++ {
					if prevPerm == nil {
						ly.w[r*ly.ld+col] = row[order[col]]
					} else {
						ly.w[r*ly.ld+col] = row[prevPerm[col]]
					}
				}
				if prevPerm == nil {
					ly.hi[r] = min(int(deg[u]), D) // inputs of degree <= m are steps 0..m-1
				} else {
					ly.hi[r] = upperBound(prevDeg, deg[u])
				}
			}
			c.hidden[l] = ly
			perms[k][l] = perm
			prevPerm, prevDeg = perm, ly.deg
		}
		c.out = newLayer(D, HL)
		for t, d := range order {
			c.out.b[t] = bout[d]
			for col := 0; col < HL; col++ {
				c.out.w[t*c.out.ld+col] = Wout[int(d)*HL+prevPerm[col]]
			}
			c.out.hi[t] = upperBound(prevDeg, int32(t)) // output t sees degrees <= t
		}
		if A != nil && k > 0 && slices.Equal(order, m.comps[0].order) {
			// The direct connections depend on the ordering only: masks
			// that share it (connectivity-agnostic ensembles) share them.
			c.direct, c.directOf = m.comps[0].direct, &m.comps[0]
		} else if A != nil {
			dl := newLayer(D, D)
			dl.b = nil
			for t, d := range order {
				dl.hi[t] = t
				for s := 0; s < t; s++ {
					dl.w[t*dl.ld+s] = A[int(d)*D+int(order[s])]
				}
			}
			c.direct = &dl
		}
	}
	if K > 1 && m.sameOr {
		// One ordering: every component samples on component 0's unit
		// order (canonTables).
		inv := make([][]int32, L) // component 0's position of each unit
		for l, h := range cfg.Hidden {
			inv[l] = make([]int32, h)
			for r, u := range perms[0][l] {
				inv[l][u] = int32(r)
			}
		}
		for k := range m.comps {
			c := &m.comps[k]
			c.base = &m.comps[0]
			c.canon = make([][]int32, L)
			for l := range cfg.Hidden {
				c.canon[l] = make([]int32, len(perms[k][l]))
				for j, u := range perms[k][l] {
					c.canon[l][j] = inv[l][u]
				}
			}
		}
	}
	c := &m.comps[0]
	for l := range c.hidden {
		m.info.FLOPs += 2 * sum(c.hidden[l].hi)
	}
	m.info.FLOPs += 2 * sum(c.out.hi)
	if c.direct != nil {
		m.info.FLOPs += 2 * sum(c.direct.hi)
	}
	m.pool.New = func() any { return new(madeWork) }
	return m, nil
}

// newLayer allocates a layer whose weight rows start on 64-byte
// boundaries: row loads that straddle cache lines cost the GEMV kernels up
// to a third of their speed (500-float rows).
func newLayer(out, in int) madeLayer {
	ld := (in + 15) &^ 15
	return madeLayer{out: out, in: in, ld: ld, w: alignedFloats(out * ld), b: make([]float32, out), hi: make([]int, out)}
}

// argsortStable returns the indices of deg sorted by degree, ties in index order.
func argsortStable(deg []int32) []int {
	p := make([]int, len(deg))
	for i := range p {
		p[i] = i
	}
	sort.SliceStable(p, func(a, b int) bool { return deg[p[a]] < deg[p[b]] })
	return p
}

// upperBound returns the number of entries of the sorted s that are <= v.
func upperBound(s []int32, v int32) int {
	return sort.Search(len(s), func(i int) bool { return s[i] > v })
}

func (m *made) Info() Info { return m.info }

func (ws *madeWork) grow(m *made, rows int) {
	D := m.info.Dims
	ws.xo = growF(ws.xo, rows*D)
	ws.logits = growF(ws.logits, rows*D)
	ws.tmp = growF(ws.tmp, rows*D)
	if len(ws.acts) != len(m.sizes) {
		ws.acts = make([][]float32, len(m.sizes))
	}
	for l, h := range m.sizes {
		ws.acts[l] = growF(ws.acts[l], rows*h)
	}
}
