package engine

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/arinfer/arinfer/kernels"
)

// made is the masked autoencoder for distribution estimation (Germain et
// al. 2015) with an ensemble of K orderings/masks sharing one set of
// weights. With units sorted by degree and inputs in a component's
// ordering, every mask is a staircase (row r of a layer reduces over a
// prefix [0, hi[r]) of the previous layer) and runs on the masked-matmul
// kernels, which skip masked-out blocks.
//
// The model keeps one copy of the weights, permuted at load into
// component 0's order (inputs and outputs in its ordering, every layer's
// units sorted by its degrees), which every component scores on: another
// component reads it through index maps (madeLayer's rows and cols), which
// the masked product applies while it packs the weights
// (kernels.MaskedGemmIndexed), so a component costs O(D+H) of maps, biases
// and ranges, not a permuted copy of the weights (32 masks of a MADE-2000
// held 440 MB that way). The sampler's push tables are built from this
// copy on first use (made_sample.go): one set for every component of an
// ensemble with one ordering; a component with an ordering of its own
// builds its own set.
type made struct {
	info   Info
	sizes  []int // hidden sizes
	comps  []madeComp
	logK   float64
	sameOr bool // every component has the same ordering
	pool   sync.Pool
}

// madeLayer is one layer of one component: the shared weights and the
// component's view of them.
type madeLayer struct {
	out, in int
	ld      int       // row stride of w: in rounded up to 16 floats (64 bytes)
	w       []float32 // the shared out x in weights (stride ld), in component 0's order
	// rows[r] is the row of w that holds this component's row r, cols[p]
	// the column of w that holds its column p; nil: r and p themselves
	// (component 0, and a component whose order matches on that side).
	rows, cols []int32
	b          []float32 // the component's bias, rows in its order
	hi         []int     // row r reduces over columns [0, hi[r])
	deg        []int32   // hidden layers: the sorted degrees of the rows
	// pk is w prepared for batched products (a single-mask model's
	// layers; nil in mixtures, whose components read w through maps).
	pk *kernels.PackedWeights
}

// at returns the component's weight in row r, column p.
func (ly *madeLayer) at(r, p int) float32 {
	if ly.rows != nil {
		r = int(ly.rows[r])
	}
	if ly.cols != nil {
		p = int(ly.cols[p])
	}
	return ly.w[r*ly.ld+p]
}

// row returns the shared weights' row that holds the component's row r.
func (ly *madeLayer) row(r int) []float32 {
	if ly.rows != nil {
		r = int(ly.rows[r])
	}
	return ly.w[r*ly.ld : r*ly.ld+ly.ld]
}

// col returns the column of the shared weights that holds the component's
// column p.
func (ly *madeLayer) col(p int) int {
	if ly.cols != nil {
		return int(ly.cols[p])
	}
	return p
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
	for k := range m.comps {
		c := &m.comps[k]
		c.order = orders[k*D : (k+1)*D]
		if err := checkOrder(fmt.Sprintf("order[%d]", k), c.order); err != nil {
			return nil, err
		}
		if !slices.Equal(c.order, orders[:D]) {
			m.sameOr = false
		}
		c.hidden = make([]madeLayer, L)
	}
	perms, err := m.readDegrees(w, cfg)
	if err != nil {
		return nil, err
	}
	biases, pos0, err := m.readWeights(w, cfg, perms)
	if err != nil {
		return nil, err
	}
	m.setViews(cfg, perms, pos0, biases)
	if len(m.comps) == 1 {
		m.comps[0].packLayers()
	}
	c0 := &m.comps[0]
	for l := range c0.hidden {
		m.info.FLOPs += 2 * sum(c0.hidden[l].hi)
	}
	m.info.FLOPs += 2 * sum(c0.out.hi)
	if c0.direct != nil {
		m.info.FLOPs += 2 * sum(c0.direct.hi)
	}
	m.pool.New = func() any { return new(madeWork) }
	return m, nil
}

// readDegrees reads every component's degrees into its hidden layers,
// sorted, and returns each component's units of each layer by degree
// (perms[k][l][r] is the r-th unit of layer l of component k).
func (m *made) readDegrees(w Weights, cfg Config) ([][][]int, error) {
	D, K, L := m.info.Dims, len(m.comps), len(cfg.Hidden)
	perms := make([][][]int, K)
	for k := range perms {
		perms[k] = make([][]int, L)
	}
	for l, h := range cfg.Hidden {
		degs, err := itensor(w, "degrees"+strconv.Itoa(l+1), K, h)
		if err != nil {
			return nil, err
		}
		for k := range m.comps {
			deg := degs[k*h : (k+1)*h]
			for j, d := range deg {
				if d < 0 || int(d) > D {
					return nil, errorf("made: degrees%d[%d][%d] = %d is outside [0, %d]", l+1, k, j, d, D)
				}
			}
			perms[k][l] = argsortStable(deg, D)
			ly := &m.comps[k].hidden[l]
			ly.deg = make([]int32, h)
			for r, u := range perms[k][l] {
				ly.deg[r] = deg[u]
			}
		}
	}
	return perms, nil
}

// readWeights reads the weights into component 0's layers, in its order
// (inputs and outputs in its ordering, units by its degrees), a row of the
// file at a time (tensorRows): each row goes straight to its place, and a
// float16 file's weights are widened on the way, with no float32 copy of
// a whole tensor in between; each tensor on a goroutine of its own, once
// all are found. The layers hold every weight of the file, those no mask
// reads included, so that the digest's record of a float16 tensor is
// hashed from them if the digest is ever asked for (weightRows.hashFrom),
// not at every load. It returns the biases as the file has them (layer by
// layer, then the outputs') and pos0[l][u], component 0's position of
// unit u of layer l.
func (m *made) readWeights(w Weights, cfg Config, perms [][][]int) (biases [][]float32, pos0 [][]int32, err error) {
	D, L := m.info.Dims, len(cfg.Hidden)
	c0 := &m.comps[0]
	pos0 = make([][]int32, L)
	biases = make([][]float32, L+1)
	// Every layer's weights in one allocation (64-byte aligned rows),
	// made before anything else big: fresh memory, which bigSlice backs
	// with huge pages.
	size, in := D*pad16(cfg.Hidden[L-1]), D
	for _, h := range cfg.Hidden {
		size, in = size+h*pad16(in), h
	}
	if cfg.Direct {
		size += D * pad16(D)
	}
	arena := alignedFloats(size)
	var fills []func()       // each fills one layer from one tensor
	step := make([]int32, D) // component 0's step of each dimension
	for t, d := range c0.order {
		step[d] = int32(t)
	}
	in = D
	for l, h := range cfg.Hidden {
		n := strconv.Itoa(l + 1)
		W, err := tensorRows(w, "W"+n, h, in)
		if err != nil {
			return nil, nil, err
		}
		if biases[l], err = tensor(w, "b"+n, h); err != nil {
			return nil, nil, err
		}
		// The columns: the input in ordering space, or the previous layer
		// by degree; col is where each input or unit is.
		src, col := c0.order, step
		if l > 0 {
			src, col = perm32(perms[0][l-1]), pos0[l-1]
		}
		pos0[l] = make([]int32, h)
		for r, u := range perms[0][l] {
			pos0[l][u] = int32(r)
		}
		ly := &c0.hidden[l]
		*ly = newLayer(h, in, ly.deg, &arena)
		lw, ld, rowOf := ly.w, ly.ld, pos0[l]
		W.hashFrom(func(u int, row []float32) {
			gather(row, lw[int(rowOf[u])*ld:], col)
		})
		fills = append(fills, func() {
			for u, r := range pos0[l] {
				row, dst := W.row(u), ly.w[int(r)*ly.ld:]
				for col, s := range src {
					dst[col] = row[s]
				}
			}
		})
		m.info.Params += h*in + h
		in = h
	}
	HL := cfg.Hidden[L-1]
	Wout, err := tensorRows(w, "Wout", D, HL)
	if err != nil {
		return nil, nil, err
	}
	if biases[L], err = tensor(w, "bout", D); err != nil {
		return nil, nil, err
	}
	m.info.Params += D*HL + D
	c0.out = newLayer(D, HL, nil, &arena)
	ow, old, unitCol := c0.out.w, c0.out.ld, pos0[L-1]
	Wout.hashFrom(func(d int, row []float32) {
		gather(row, ow[int(step[d])*old:], unitCol)
	})
	fills = append(fills, func() {
		for d, t := range step {
			row, dst := Wout.row(d), c0.out.w[int(t)*c0.out.ld:]
			for col, u := range perms[0][L-1] {
				dst[col] = row[u]
			}
		}
	})
	if cfg.Direct {
		A, err := tensorRows(w, "A", D, D)
		if err != nil {
			return nil, nil, err
		}
		m.info.Params += D * D
		// A in component 0's ordering, all of it: component 0 reads the
		// connections into step t from the steps before it, a component
		// with an ordering of its own others.
		dl := newLayer(D, D, nil, &arena)
		dl.b = nil
		A.hashFrom(func(d int, row []float32) {
			gather(row, dl.w[int(step[d])*dl.ld:], step)
		})
		fills = append(fills, func() {
			for d, t := range step {
				row, dst := A.row(d), dl.w[int(t)*dl.ld:]
				for s, e := range c0.order {
					dst[s] = row[e]
				}
			}
		})
		c0.direct = &dl
	}
	var wg sync.WaitGroup
	for _, f := range fills[1:] {
		wg.Go(f)
	}
	fills[0]()
	wg.Wait()
	return biases, pos0, nil
}

// setViews gives every component its view of component 0's weights: the
// maps into component 0's order, its biases and its ranges; and, in an
// ensemble with one ordering, the unit maps its push tables read
// component 0's with (canon).
func (m *made) setViews(cfg Config, perms [][][]int, pos0 [][]int32, biases [][]float32) {
	D, L := m.info.Dims, len(cfg.Hidden)
	c0 := &m.comps[0]
	stepOf0 := make([]int32, D) // component 0's step of each dimension
	for t, d := range c0.order {
		stepOf0[d] = int32(t)
	}
	HL := cfg.Hidden[L-1]
	for k := range m.comps {
		c := &m.comps[k]
		var steps []int32 // the ordering's steps in component 0's (nil: the same ordering)
		if !slices.Equal(c.order, c0.order) {
			steps = make([]int32, D)
			for t, d := range c.order {
				steps[t] = stepOf0[d]
			}
		}
		cols := steps
		var prevDeg []int32
		for l, h := range cfg.Hidden {
			ly := &c.hidden[l]
			if k > 0 {
				*ly = madeLayer{out: h, in: c0.hidden[l].in, ld: c0.hidden[l].ld, w: c0.hidden[l].w, b: make([]float32, h), hi: make([]int, h), deg: ly.deg}
				ly.rows, ly.cols = unitMap(perms[k][l], pos0[l]), cols
			}
			for r, u := range perms[k][l] {
				ly.b[r] = biases[l][u]
				if l == 0 {
					ly.hi[r] = min(int(ly.deg[r]), D) // inputs of degree <= m are steps 0..m-1
				} else {
					ly.hi[r] = upperBound(prevDeg, ly.deg[r])
				}
			}
			cols, prevDeg = ly.rows, ly.deg
		}
		if k > 0 {
			c.out = madeLayer{out: D, in: HL, ld: c0.out.ld, w: c0.out.w, rows: steps, cols: cols, b: make([]float32, D), hi: make([]int, D)}
		}
		for t, d := range c.order {
			c.out.b[t] = biases[L][d]
			c.out.hi[t] = upperBound(prevDeg, int32(t)) // output t sees degrees <= t
		}
		switch {
		case c0.direct == nil:
		case k == 0:
			for t := range c.direct.hi {
				c.direct.hi[t] = t
			}
		case steps == nil:
			// The direct connections depend on the ordering only: masks
			// that share it (connectivity-agnostic ensembles) share them.
			c.direct, c.directOf = c0.direct, c0
		default:
			c.direct = &madeLayer{out: D, in: D, ld: c0.direct.ld, w: c0.direct.w, rows: steps, cols: steps, hi: c0.direct.hi}
		}
	}
	if len(m.comps) > 1 && m.sameOr {
		// One ordering: every component samples on component 0's unit
		// order (canonTables).
		for k := range m.comps {
			c := &m.comps[k]
			c.base = c0
			c.canon = make([][]int32, L)
			for l := range cfg.Hidden {
				c.canon[l] = c.hidden[l].rows
				if c.canon[l] == nil { // the same order as component 0's
					c.canon[l] = make([]int32, cfg.Hidden[l])
					for j := range c.canon[l] {
						c.canon[l][j] = int32(j)
					}
				}
			}
		}
	}
}

// unitMap returns, for a component's units by degree (perm: the unit of
// each position), component 0's position of each (pos0), or nil when they
// are the same.
func unitMap(perm []int, pos0 []int32) []int32 {
	idx := make([]int32, len(perm))
	same := true
	for j, u := range perm {
		idx[j] = pos0[u]
		same = same && int(idx[j]) == j
	}
	if same {
		return nil
	}
	return idx
}

func perm32(p []int) []int32 {
	q := make([]int32, len(p))
	for i, v := range p {
		q[i] = int32(v)
	}
	return q
}

// newLayer returns a layer whose weights are taken from the front of
// arena, rows starting on 64-byte boundaries (arena does): row loads that
// straddle cache lines cost the GEMV kernels up to a third of their speed
// (500-float rows). deg is the rows' degrees (hidden layers) or nil.
func newLayer(out, in int, deg []int32, arena *[]float32) madeLayer {
	ld := pad16(in)
	w := (*arena)[: out*ld : out*ld]
	*arena = (*arena)[out*ld:]
	return madeLayer{out: out, in: in, ld: ld, w: w, b: make([]float32, out), hi: make([]int, out), deg: deg}
}

// argsortStable returns the indices of deg sorted by degree, ties in index
// order (a counting sort: every degree is in [0, maxDeg]).
func argsortStable(deg []int32, maxDeg int) []int {
	start := make([]int, maxDeg+2) // start[d+1] counts degree d, then start[d] is where d begins
	for _, d := range deg {
		start[d+1]++
	}
	for d := 1; d < len(start); d++ {
		start[d] += start[d-1]
	}
	p := make([]int, len(deg))
	for i, d := range deg {
		p[start[d]] = i
		start[d]++
	}
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
