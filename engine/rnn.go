package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/arinfer/arinfer/kernels"
)

// rnn is a stacked LSTM or GRU over the dimensions in raster order
// (format/SPEC.md section 3.4): the input at step t is the embedding of the
// previous value (of a start symbol at t = 0), the last layer's state gives
// the logit (Bernoulli) or the K logits (categorical) of dimension t. The
// state carries the whole prefix, so sampling needs nothing else.
//
// The weights are rearranged at load so that every step is one matrix-vector
// product per layer followed by a fused cell kernel:
//
//   - layer 0: the input part W_ih·embed[s] + b_ih (+ the state biases) is
//     tabulated for every input symbol s (K+1 rows), so a step adds only
//     W_hh·h to a table row;
//   - layer n ≥ 1: [W_ih | W_hh] is concatenated so that a step is one
//     product over [h_{n-1} | h_n], which are adjacent in the state vector
//     [h_0 | h_1 | … | h_{L-1}];
//   - GRU: gates are laid out as kernels.GRUCell wants them, 4H rows (r, z,
//     n_i, n_h), with n_i reading only the input half and n_h only the
//     state half (a per-row column range), because PyTorch multiplies only
//     W_hn·h + b_hn by the reset gate.
//
// A batch of B examples advances together: each layer's step is one GEMM of
// the B states against the layer's weights.
type rnn struct {
	info  Info
	gru   bool
	L, H  int
	K, C  int
	ident []int32 // 0..D-1: the ordering (raster)

	tab0   []float32 // (K+1) x 4H: layer-0 gate pre-activations for each input symbol, biases included
	whh0   []float32 // 4H x H: layer-0 state weights (GRU: the n_i rows are zero and never read)
	hi0    []int     // GRU: per-row column end over h for layer 0 (0 for n_i rows)
	wup    []float32 // (L-1) x 4H x 2H: [W_ih | W_hh] of layers 1..L-1
	bup    []float32 // (L-1) x 4H: their biases
	lo, hi []int     // GRU: per-row column range over [x | h] for layers ≥ 1
	wout   []float32 // C x H
	bout   []float32 // C

	// The same weights prepared for the batched (GEMM) step, packed at its
	// first use: layer 0's state product (GRU: its r,z rows and its n_h
	// rows), each upper layer's [W_ih | W_hh], and the output layer (C > 1).
	pkHH0, pkHH0n *kernels.PackedWeights
	pkUp          []*kernels.PackedWeights
	pkOut         *kernels.PackedWeights
	// An LSTM's one-example step runs its layers' products on the same
	// weights prepared for MatVec (row panels the kernel streams in order:
	// 1.5-1.8x kernels.Gemv on the shipped 2 x 128 model's [512 x 128] and
	// [512 x 256] matrices, BenchmarkMatVec and BenchmarkGemv); nil for a
	// GRU, whose step skips its zero blocks with MaskedGemv.
	mvHH0 *kernels.Mat
	mvUp  []*kernels.Mat

	pool sync.Pool // *rnnWork
}

// rnnWork is the state of up to B examples advancing together.
type rnnWork struct {
	hs, cs []float32 // B x (L·H): per example [h_0 | … | h_{L-1}] and the LSTM cells
	g      []float32 // B x 4H gate pre-activations of one layer
	out    []float32 // B x C logits of the current step
	sym    []int32   // B input symbols of the current step
	lg     []float32 // scoring, Bernoulli: B x D logits
	lp     []float64 // scoring, categorical: B running log-probabilities
	vals   []float32 // sampling: B values of the current step
	p      []float64 // sampling, categorical: K probabilities
	rng    rngs
	run    rnnScore
}

// rnnGemmMin is the batch size from which a layer's step runs as one GEMM
// over the batch, on weights packed once (kernels.PackWeights), rather
// than one GEMV per example. Measured with BenchmarkRNNStep (AVX-512, Zen
// 5, quiet machine, median of 3): at H = 64 the GEMM step costs 0.85x the
// GEMVs' speed at 4 examples, is 1.15x faster at 8 and 1.6-2.2x from 16;
// at H = 256 (two layers, LSTM and GRU) it is 1.1-1.8x faster at 4 and
// 2.0-4.9x from 8. Before the weights were packed once, kernels.Gemm
// repacked them on every call and the GEMM paid only from 32
// to 64 examples. Since an LSTM's per-example products run on MatVec (one
// run, same machine): at H = 64 the GEMM step is 0.68x the per-example
// speed at 4 examples and 1.3x at 8, so the threshold stands. It is a
// variable only so that the benchmark can run both paths at one batch.
var rnnGemmMin = 8

// maxInputTable bounds the layer-0 input table (K+1 rows of 4H values,
// 1 GiB at the limit): a file whose K and H would need more is refused
// with an error instead of exhausting memory.
const maxInputTable = 1 << 28

// rnnChunk is the number of examples a scoring worker advances together.
const rnnChunk = 64

func newRNN(info Info, cfg Config, w Weights) (*rnn, error) {
	arch := info.Arch
	L := len(cfg.Hidden)
	if L < 1 {
		return nil, errorf("%s: needs at least one hidden layer size", arch)
	}
	H := cfg.Hidden[0]
	for _, h := range cfg.Hidden {
		if h != H {
			return nil, errorf("%s: stacked layers must have equal hidden sizes, have %v", arch, cfg.Hidden)
		}
	}
	if H < 1 || cfg.Embed < 1 {
		return nil, errorf("%s: hidden size %d and embedding width %d must be at least 1", arch, H, cfg.Embed)
	}
	E, K := cfg.Embed, info.Categories
	C := 1
	if info.Dist == Categorical {
		C = K
	}
	gru := arch == "gru"
	G := 4
	if gru {
		G = 3
	}
	if int64(K+1)*int64(4*H) > maxInputTable {
		return nil, errorf("%s: the layer-0 input table of %d symbols x %d gate rows exceeds %d values", arch, K+1, 4*H, maxInputTable)
	}
	m := &rnn{info: info, gru: gru, L: L, H: H, K: K, C: C}
	emb, err := tensor(w, "embed", K+1, E)
	if err != nil {
		return nil, err
	}
	var err2 error
	get := func(name string, shape ...int) []float32 {
		if err2 != nil {
			return nil
		}
		v, e := tensor(w, name, shape...)
		if e != nil {
			err2 = e
		}
		return v
	}
	type layer struct{ wih, whh, bih, bhh []float32 }
	layers := make([]layer, L)
	for n := range layers {
		in := H
		if n == 0 {
			in = E
		}
		layers[n] = layer{
			wih: get(fmt.Sprintf("weight_ih_l%d", n), G*H, in),
			whh: get(fmt.Sprintf("weight_hh_l%d", n), G*H, H),
			bih: get(fmt.Sprintf("bias_ih_l%d", n), G*H),
			bhh: get(fmt.Sprintf("bias_hh_l%d", n), G*H),
		}
	}
	wout := get("out_weight", C, H)
	bout := get("out_bias", C)
	if err2 != nil {
		return nil, err2
	}
	m.info.Params = (K+1)*E + G*H*(E+H) + 2*G*H + (L-1)*(G*H*2*H+2*G*H) + C*H + C
	m.wout = append([]float32(nil), wout...)
	m.bout = append([]float32(nil), bout...)
	m.ident = make([]int32, info.Dims)
	for t := range m.ident {
		m.ident[t] = int32(t)
	}

	// src maps gate row r of the 4H layout to (row of the G·H PyTorch
	// layout, whether it reads the input, whether it reads the state).
	type rowSrc struct {
		row       int
		in, state bool
	}
	src := func(r int) rowSrc {
		if !gru {
			return rowSrc{r, true, true}
		}
		switch {
		case r < 2*H: // r, z
			return rowSrc{r, true, true}
		case r < 3*H: // n_i
			return rowSrc{r, true, false}
		}
		return rowSrc{r - H, false, true} // n_h
	}

	// Layer 0: the input table and the state weights.
	l0 := layers[0]
	m.tab0 = make([]float32, (K+1)*4*H)
	m.whh0 = make([]float32, 4*H*H)
	if gru {
		m.hi0 = make([]int, 4*H)
	}
	for r := 0; r < 4*H; r++ {
		s := src(r)
		if s.state {
			copy(m.whh0[r*H:(r+1)*H], l0.whh[s.row*H:(s.row+1)*H])
			if gru {
				m.hi0[r] = H
			}
		}
		for v := 0; v <= K; v++ {
			var acc float64
			if s.in {
				acc = float64(l0.bih[s.row])
				for e := 0; e < E; e++ {
					acc += float64(l0.wih[s.row*E+e]) * float64(emb[v*E+e])
				}
			}
			if s.state {
				acc += float64(l0.bhh[s.row])
			}
			m.tab0[v*4*H+r] = float32(acc)
		}
	}

	// Layers ≥ 1: [W_ih | W_hh] over [h_{n-1} | h_n].
	m.wup = make([]float32, (L-1)*4*H*2*H)
	m.bup = make([]float32, (L-1)*4*H)
	if gru {
		m.lo, m.hi = make([]int, 4*H), make([]int, 4*H)
		for r := 0; r < 4*H; r++ {
			s := src(r)
			if s.in {
				m.lo[r] = 0
			} else {
				m.lo[r] = H
			}
			if s.state {
				m.hi[r] = 2 * H
			} else {
				m.hi[r] = H
			}
		}
	}
	for n := 1; n < L; n++ {
		l := layers[n]
		wn := m.wup[(n-1)*4*H*2*H:]
		bn := m.bup[(n-1)*4*H:]
		for r := 0; r < 4*H; r++ {
			s := src(r)
			var b float64
			if s.in {
				copy(wn[r*2*H:r*2*H+H], l.wih[s.row*H:(s.row+1)*H])
				b += float64(l.bih[s.row])
			}
			if s.state {
				copy(wn[r*2*H+H:(r+1)*2*H], l.whh[s.row*H:(s.row+1)*H])
				b += float64(l.bhh[s.row])
			}
			bn[r] = float32(b)
		}
	}
	if err := m.packWeights(); err != nil {
		return nil, err
	}
	m.pool.New = func() any { return new(rnnWork) }
	return m, nil
}

// packWeights sets up the step's prepared weights (nothing is packed until
// a step of rnnGemmMin examples or more runs, or of an LSTM's one example:
// PackWeights and MatVec pack on first use).
func (m *rnn) packWeights() error {
	H, L := m.H, m.L
	G := 4 * H // the gate rows (GRU: rows 2H..3H of whh0, n_i, are zero and skipped)
	if m.gru {
		m.pkHH0 = kernels.PackWeights(2*H, H, m.whh0, H, nil, nil)
		m.pkHH0n = kernels.PackWeights(H, H, m.whh0[3*H*H:], H, nil, nil)
	} else {
		m.pkHH0 = kernels.PackWeights(G, H, m.whh0, H, nil, nil)
	}
	m.pkUp = make([]*kernels.PackedWeights, L-1)
	for n := 1; n < L; n++ {
		w := m.wup[(n-1)*G*2*H : n*G*2*H]
		if m.gru {
			m.pkUp[n-1] = kernels.PackWeights(G, 2*H, w, 2*H, m.lo, m.hi)
		} else {
			m.pkUp[n-1] = kernels.PackWeights(G, 2*H, w, 2*H, nil, nil)
		}
	}
	if m.C > 1 {
		m.pkOut = kernels.PackWeights(m.C, H, m.wout, H, nil, nil)
	}
	if m.gru {
		return nil
	}
	var err error
	if m.mvHH0, err = kernels.NewMat(m.whh0, G, H, kernels.F32); err != nil {
		return errorf("%s: layer 0: %v", m.info.Arch, err)
	}
	m.mvUp = make([]*kernels.Mat, L-1)
	for n := 1; n < L; n++ {
		if m.mvUp[n-1], err = kernels.NewMat(m.wup[(n-1)*G*2*H:n*G*2*H], G, 2*H, kernels.F32); err != nil {
			return errorf("%s: layer %d: %v", m.info.Arch, n, err)
		}
	}
	return nil
}

func (m *rnn) Info() Info { return m.info }

// prepare sizes ws for B examples and zeroes their states.
func (m *rnn) prepare(ws *rnnWork, B int) {
	LH := m.L * m.H
	ws.hs = growF(ws.hs, B*LH)
	clear(ws.hs)
	if !m.gru {
		ws.cs = growF(ws.cs, B*LH)
		clear(ws.cs)
	}
	ws.g = growF(ws.g, B*4*m.H)
	ws.out = growF(ws.out, B*m.C)
	if cap(ws.sym) < B {
		ws.sym = make([]int32, B)
	}
	ws.sym = ws.sym[:B]
	for b := range ws.sym {
		ws.sym[b] = int32(m.K)
	}
}

// rnnHook, when not nil (tests only), is told every step of B examples.
var rnnHook func(B int)

// step advances the B examples of ws by one time step on the input symbols
// ws.sym and writes the step's logits to ws.out (B x C).
func (m *rnn) step(ws *rnnWork, B int) {
	if rnnHook != nil {
		rnnHook(B)
	}
	H, L := m.H, m.L
	LH, G := L*H, 4*H
	hs, g := ws.hs[:B*LH], ws.g[:B*G]
	gemm := B >= rnnGemmMin
	for n := 0; n < L; n++ {
		switch {
		case n == 0 && gemm:
			for b, s := range ws.sym[:B] {
				copy(g[b*G:(b+1)*G], m.tab0[int(s)*G:(int(s)+1)*G])
			}
			m.pkHH0.GemmAcc(B, hs, LH, g, G)
			if m.gru {
				m.pkHH0n.GemmAcc(B, hs, LH, g[3*H:], G)
			}
		case n == 0:
			for b, s := range ws.sym[:B] {
				row := m.tab0[int(s)*G : (int(s)+1)*G]
				h := hs[b*LH : b*LH+H]
				if m.gru {
					kernels.MaskedGemv(G, H, m.whh0, H, h, nil, m.hi0, row, g[b*G:(b+1)*G])
				} else {
					// One example per call: each example's arithmetic is
					// the same whatever the batch (MatVec groups vectors).
					kernels.MatVec(m.mvHH0, 1, h, H, row, g[b*G:(b+1)*G], G, false)
				}
			}
		default:
			w := m.wup[(n-1)*G*2*H : n*G*2*H]
			bias := m.bup[(n-1)*G : n*G]
			xh := hs[(n-1)*H:]
			switch {
			case gemm:
				m.pkUp[n-1].Gemm(B, xh, LH, bias, g, G)
			default:
				for b := 0; b < B; b++ {
					v := xh[b*LH : b*LH+2*H]
					if m.gru {
						kernels.MaskedGemv(G, 2*H, w, 2*H, v, m.lo, m.hi, bias, g[b*G:(b+1)*G])
					} else {
						kernels.MatVec(m.mvUp[n-1], 1, v, 2*H, bias, g[b*G:(b+1)*G], G, false)
					}
				}
			}
		}
		for b := 0; b < B; b++ {
			o := b*LH + n*H
			if m.gru {
				kernels.GRUCell(g[b*G:(b+1)*G], hs[o:o+H])
			} else {
				kernels.LSTMCell(g[b*G:(b+1)*G], ws.cs[o:o+H], hs[o:o+H])
			}
		}
	}
	last := hs[(L-1)*H:]
	C := m.C
	switch {
	case C == 1:
		for b := 0; b < B; b++ {
			ws.out[b] = m.bout[0] + kernels.Dot(m.wout, last[b*LH:b*LH+H])
		}
	case gemm:
		m.pkOut.Gemm(B, last, LH, m.bout, ws.out, C)
	default:
		for b := 0; b < B; b++ {
			kernels.Gemv(C, H, m.wout, H, last[b*LH:b*LH+H], m.bout, ws.out[b*C:(b+1)*C])
		}
	}
}

// checkValues checks that x holds values of the model's support.
func (m *rnn) checkValues(x []float32) error {
	if m.info.Dist == Bernoulli {
		return checkBinary(x, m.info.Dims)
	}
	return checkCategorical(x, m.info.Dims, m.K)
}

// checkCategorical reports the first value of x that is not an integer in
// 0..K-1.
func checkCategorical(x []float32, dims, K int) error {
	for i, v := range x {
		if !(v >= 0 && v < float32(K)) || v != float32(int32(v)) {
			return fmt.Errorf("engine: example %d dimension %d is %v; a categorical model with %d categories takes an integer 0..%d", i/dims, i%dims, v, K, K-1)
		}
	}
	return nil
}

type rnnScore struct {
	m   *rnn
	ctx context.Context
	x   []float32
	out []float64
}

func (s *rnnScore) run(lo, hi int) error {
	m := s.m
	ws := m.pool.Get().(*rnnWork)
	defer m.pool.Put(ws)
	for c := lo; c < hi; c += rnnChunk {
		if err := m.score(s.ctx, ws, s.x, s.out, c, min(c+rnnChunk, hi)); err != nil {
			return err
		}
	}
	return nil
}

// score computes out[lo:hi] for the examples lo..hi-1 of x, advancing them
// together.
func (m *rnn) score(ctx context.Context, ws *rnnWork, x []float32, out []float64, lo, hi int) error {
	D, C, B := m.info.Dims, m.C, hi-lo
	x = x[lo*D : hi*D]
	m.prepare(ws, B)
	if C == 1 {
		ws.lg = growF(ws.lg, B*D)
	} else {
		ws.lp = growF64(ws.lp, B)
		clear(ws.lp)
	}
	for t := 0; t < D; t++ {
		if t%64 == 63 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		m.step(ws, B)
		for b := 0; b < B; b++ {
			v := x[b*D+t]
			if C == 1 {
				ws.lg[b*D+t] = ws.out[b]
			} else {
				a := ws.out[b*C : (b+1)*C]
				ws.lp[b] += float64(a[int(v)]) - float64(kernels.LogSumExp(a))
			}
			ws.sym[b] = int32(v)
		}
	}
	for b := 0; b < B; b++ {
		if C == 1 {
			out[lo+b] = float64(kernels.BernoulliLogProb(ws.lg[b*D:(b+1)*D], x[b*D:(b+1)*D]))
		} else {
			out[lo+b] = ws.lp[b]
		}
	}
	return nil
}

func (m *rnn) LogProb(ctx context.Context, x []float32, out []float64) error {
	if err := checkBatch(&m.info, x, out); err != nil {
		return err
	}
	if err := m.checkValues(x); err != nil {
		return err
	}
	ws := m.pool.Get().(*rnnWork)
	ws.run = rnnScore{m: m, ctx: ctx, x: x, out: out}
	err := parallelFor(ctx, len(out), rnnGemmMin, &ws.run)
	ws.run = rnnScore{}
	m.pool.Put(ws)
	return err
}

// Sample advances the whole batch one dimension at a time: each step is one
// recurrent step on the previous values, then a draw per example. The state
// is all a sampler keeps, so a sample costs exactly one forward pass.
func (m *rnn) Sample(ctx context.Context, x []float32, opt SampleOptions) error {
	D, C := m.info.Dims, m.C
	B, err := checkSampleBuf(x, D)
	if err != nil {
		return err
	}
	invT, err := invTemperature(opt.Temperature)
	if err != nil {
		return err
	}
	known, err := knownPrefix(opt.Known, m.ident)
	if err != nil {
		return err
	}
	if err := checkSampleLabels(m.info.Arch, 0, B, opt.Labels); err != nil {
		return err
	}
	for e := 0; e < B; e++ {
		for t, v := range x[e*D : e*D+known] {
			if !(v >= 0 && v < float32(m.K)) || v != float32(int32(v)) {
				return fmt.Errorf("engine: known dimension %d of example %d is %v; a %s model takes an integer 0..%d", t, e, v, m.info.Dist, m.K-1)
			}
		}
	}
	ws := m.pool.Get().(*rnnWork)
	defer m.pool.Put(ws)
	ws.rng.reset(opt.Seed, B)
	m.prepare(ws, B)
	ws.vals = growF(ws.vals, B)
	if C > 1 {
		ws.p = growF64(ws.p, C)
	}
	for t := 0; t < D; t++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		m.step(ws, B)
		for b := 0; b < B; b++ {
			v := x[b*D+t]
			if t >= known {
				if C == 1 {
					v = ws.rng.bernoulli(b, ws.out[b], invT)
				} else {
					v = float32(ws.rng.categorical(b, ws.out[b*C:(b+1)*C], invT, ws.p))
				}
				x[b*D+t] = v
			}
			ws.vals[b] = v
			ws.sym[b] = int32(v)
		}
		if opt.OnStep != nil {
			opt.OnStep(Step{Index: t, Dim: t, Known: t < known, Logits: ws.out[:B*C], Values: ws.vals[:B]})
		}
	}
	return nil
}
