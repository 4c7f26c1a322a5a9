package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Benchmarks for every kernel on every tier this CPU and build can run.
// Sub-benchmarks are named <Kernel>/<tier>/<shape>, so
//
//	go test -run '^$' -bench 'Gemm|Gemv' ./kernels/
//
// compares tiers shape by shape (scripts/bench-kernels.sh does this and
// sets the numbers against OpenBLAS and the FMA peak). Each benchmark
// reports GFLOP/s (counting a multiply-add as 2 flops), bytes/s where
// memory traffic bounds the kernel, and allocs/op, which must be 0.
//
// Shapes, all from the models arinfer runs:
//
//   - Gemv/GemvT MxN: y = A·x (GemvT: y += Aᵀ·x) for the M x N row-major A.
//     500x784 is a 784→500 Linear (NADE/MADE encoder), 784x500 the
//     500→784 decoder, 500x500 a hidden layer, 256x64 and 64x256 the
//     LSTM/GRU gate matrices (4·64 gates over a 64-wide input or state).
//   - Gemm MxNxK, C (M x N) = op(A)·op(B) with inner dimension K:
//     nn-512x512x512 is the square reference shape (both untransposed);
//     linear-BxNxK is Y = X·Wᵀ for a batch of B rows through an N x K
//     PyTorch-layout weight (transB), batches 1, 16, 64 and 256;
//     conv-64x784x576 is a 3x3 convolution with 64 in and 64 out channels
//     on a 28x28 image as im2col GEMM, weight-stationary: C[out channels x
//     pixels] = W[64 x 64·9] · cols[64·9 x 784] (nn); conv-784x64x576 is the
//     same convolution pixel-major, C[pixels x out] = cols·Wᵀ (transB).
//   - MaskedGemv/MaskedGemm: MADE 784-500-784 with hidden units sorted by
//     degree (made-in: 784→500, made-out: 500→784) and FVSBN (784→784,
//     strictly lower triangular). GFLOP/s counts only the products inside
//     the masks (2·batch·Σ(hi-lo)), i.e. useful work, not the dense
//     equivalent.
//   - Dot, Axpy, Scale, Add over n elements.
//   - Activations/<tier>/<fn>/<n>: also reports ns/elem; the inputs are
//     uniform in [-8, 8) (logit-like). Cells/<tier>/<lstm|gru>/<H>: the fused
//     recurrent cell updates, ns/elem per hidden unit.

// benchSink keeps results alive so the compiler cannot drop the calls.
var benchSink float32

// benchTiers runs f as a sub-benchmark named after each available tier,
// with that tier active, and restores the previously active tier.
func benchTiers(b *testing.B, f func(b *testing.B)) {
	prev := Active()
	defer func() { _ = SetTier(prev) }()
	for _, t := range Available() {
		b.Run(t.String(), func(b *testing.B) {
			if err := SetTier(t); err != nil {
				b.Fatal(err)
			}
			f(b)
		})
	}
}

// benchVec returns n deterministic values uniform in [-scale, scale).
func benchVec(seed uint64, n int, scale float64) []float32 {
	r := rand.New(rand.NewPCG(seed, 0x6172696e66657221))
	v := make([]float32, n)
	for i := range v {
		v[i] = float32((r.Float64()*2 - 1) * scale)
	}
	return v
}

// reportFlops reports flopsPerOp·N / elapsed as GFLOP/s.
func reportFlops(b *testing.B, flopsPerOp float64) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(flopsPerOp*float64(b.N)/s/1e9, "GFLOP/s")
	}
}

var benchVecLens = []int{64, 500, 784, 4096}

func BenchmarkDot(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, n := range benchVecLens {
			b.Run(fmt.Sprint(n), func(b *testing.B) {
				x, y := benchVec(1, n, 1), benchVec(2, n, 1)
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				var s float32
				for b.Loop() {
					s += Dot(x, y)
				}
				benchSink = s
				reportFlops(b, 2*float64(n))
			})
		}
	})
}

func BenchmarkAxpy(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, n := range benchVecLens {
			b.Run(fmt.Sprint(n), func(b *testing.B) {
				x, y := benchVec(1, n, 1), benchVec(2, n, 1)
				b.SetBytes(int64(12 * n))
				b.ReportAllocs()
				for b.Loop() {
					Axpy(1e-3, x, y)
				}
				benchSink = y[0]
				reportFlops(b, 2*float64(n))
			})
		}
	})
}

func BenchmarkScale(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, n := range benchVecLens {
			b.Run(fmt.Sprint(n), func(b *testing.B) {
				x := benchVec(1, n, 1)
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				for b.Loop() {
					Scale(1, x)
				}
				benchSink = x[0]
				reportFlops(b, float64(n))
			})
		}
	})
}

func BenchmarkAdd(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, n := range benchVecLens {
			b.Run(fmt.Sprint(n), func(b *testing.B) {
				x, y, dst := benchVec(1, n, 1), benchVec(2, n, 1), make([]float32, n)
				b.SetBytes(int64(12 * n))
				b.ReportAllocs()
				for b.Loop() {
					Add(dst, x, y)
				}
				benchSink = dst[0]
				reportFlops(b, float64(n))
			})
		}
	})
}

// benchGemvShapes are M x N matrix shapes for Gemv and GemvT.
var benchGemvShapes = [][2]int{{784, 500}, {500, 784}, {500, 500}, {256, 64}, {64, 256}, {512, 128}, {512, 256}}

func BenchmarkGemv(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, s := range benchGemvShapes {
			m, n := s[0], s[1]
			b.Run(fmt.Sprintf("%dx%d", m, n), func(b *testing.B) {
				a, x, bias, y := benchVec(1, m*n, 1), benchVec(2, n, 1), benchVec(3, m, 1), make([]float32, m)
				b.SetBytes(int64(4 * m * n))
				b.ReportAllocs()
				for b.Loop() {
					Gemv(m, n, a, n, x, bias, y)
				}
				benchSink = y[0]
				reportFlops(b, 2*float64(m)*float64(n))
			})
		}
	})
}

func BenchmarkGemvT(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, s := range benchGemvShapes {
			m, n := s[0], s[1]
			b.Run(fmt.Sprintf("%dx%d", m, n), func(b *testing.B) {
				a, x, y := benchVec(1, m*n, 1), benchVec(2, m, 1), make([]float32, n)
				b.SetBytes(int64(4 * m * n))
				b.ReportAllocs()
				for b.Loop() {
					GemvT(m, n, a, n, x, y)
				}
				benchSink = y[0]
				reportFlops(b, 2*float64(m)*float64(n))
			})
		}
	})
}

// benchGemmCase is one GEMM shape: C (m x n) = op(A)·op(B), inner dim k.
type benchGemmCase struct {
	name     string
	transB   bool
	m, n, k  int
	withBias bool
}

func benchGemmCases() []benchGemmCase {
	cs := []benchGemmCase{{name: "nn-512x512x512", m: 512, n: 512, k: 512}}
	for _, batch := range []int{1, 16, 64, 256} {
		for _, nk := range [][2]int{{500, 784}, {784, 500}, {500, 500}} {
			cs = append(cs, benchGemmCase{
				name:   fmt.Sprintf("linear-%dx%dx%d", batch, nk[0], nk[1]),
				transB: true, m: batch, n: nk[0], k: nk[1], withBias: true,
			})
		}
	}
	cs = append(cs,
		benchGemmCase{name: "conv-64x784x576", m: 64, n: 784, k: 576, withBias: false},
		benchGemmCase{name: "conv-784x64x576", transB: true, m: 784, n: 64, k: 576, withBias: true},
	)
	return cs
}

func BenchmarkGemm(b *testing.B) {
	cases := benchGemmCases()
	benchTiers(b, func(b *testing.B) {
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				a := benchVec(1, c.m*c.k, 1)
				ldb := c.n
				if c.transB {
					ldb = c.k
				}
				w := benchVec(2, c.k*c.n, 1)
				var bias []float32
				if c.withBias {
					bias = benchVec(3, c.n, 1)
				}
				out := make([]float32, c.m*c.n)
				// One untimed call sizes the pooled packing buffers for
				// this shape: the loop measures the steady state.
				Gemm(false, c.transB, c.m, c.n, c.k, a, c.k, w, ldb, bias, out, c.n)
				b.ReportAllocs()
				for b.Loop() {
					Gemm(false, c.transB, c.m, c.n, c.k, a, c.k, w, ldb, bias, out, c.n)
				}
				benchSink = out[0]
				reportFlops(b, 2*float64(c.m)*float64(c.n)*float64(c.k))
			})
		}
	})
}

// benchMask is a masked layer: out x in weights, output unit j reads the
// inputs [0, hi[j]).
type benchMask struct {
	name    string
	out, in int
	hi      []int
}

// benchMasks returns the MADE 784-500-784 layers (hidden degrees spread
// evenly over 1..783 and sorted) and the FVSBN layer.
func benchMasks() []benchMask {
	const d, h = 784, 500
	deg := make([]int, h) // hidden unit j has degree deg[j] in [1, d-1]
	for j := range deg {
		deg[j] = 1 + j*(d-1)/h
	}
	// Input i (0-based) has degree i+1; hidden j sees inputs with degree
	// <= deg[j], the prefix [0, deg[j]).
	in := make([]int, h)
	copy(in, deg)
	// Output i (degree i+1) sees hidden units with degree < i+1, a prefix
	// because deg is sorted.
	out := make([]int, d)
	for i := range out {
		for out[i] < h && deg[out[i]] < i+1 {
			out[i]++
		}
	}
	fv := make([]int, d) // FVSBN: output i sees inputs [0, i)
	for i := range fv {
		fv[i] = i
	}
	return []benchMask{
		{"made-in-500x784", h, d, in},
		{"made-out-784x500", d, h, out},
		{"fvsbn-784x784", d, d, fv},
	}
}

func maskedFlops(hi []int) float64 {
	s := 0
	for _, h := range hi {
		s += h
	}
	return 2 * float64(s)
}

func BenchmarkMaskedGemv(b *testing.B) {
	masks := benchMasks()
	benchTiers(b, func(b *testing.B) {
		for _, mk := range masks {
			b.Run(mk.name, func(b *testing.B) {
				m, n := mk.out, mk.in
				a, x, bias, y := benchVec(1, m*n, 1), benchVec(2, n, 1), benchVec(3, m, 1), make([]float32, m)
				b.ReportAllocs()
				for b.Loop() {
					MaskedGemv(m, n, a, n, x, nil, mk.hi, bias, y)
				}
				benchSink = y[0]
				reportFlops(b, maskedFlops(mk.hi))
			})
		}
	})
}

func BenchmarkMaskedGemm(b *testing.B) { benchMaskedGemm(b, false) }

// BenchmarkMaskedGemmPacked is BenchmarkMaskedGemm on weights packed once
// (PackWeights), as the engine's models hold them.
func BenchmarkMaskedGemmPacked(b *testing.B) { benchMaskedGemm(b, true) }

func benchMaskedGemm(b *testing.B, packed bool) {
	masks := benchMasks()
	benchTiers(b, func(b *testing.B) {
		for _, mk := range masks {
			for _, batch := range []int{16, 64, 256} {
				b.Run(fmt.Sprintf("%s/batch%d", mk.name, batch), func(b *testing.B) {
					n, k := mk.out, mk.in
					x, w, bias, c := benchVec(1, batch*k, 1), benchVec(2, n*k, 1), benchVec(3, n, 1), make([]float32, batch*n)
					gemm := func() { MaskedGemm(batch, n, k, x, k, w, k, nil, mk.hi, bias, c, n) }
					if packed {
						p := PackWeights(n, k, w, k, nil, mk.hi)
						gemm = func() { p.Gemm(batch, x, k, bias, c, n) }
					}
					gemm() // pack, size the pool buffers
					b.ReportAllocs()
					for b.Loop() {
						gemm()
					}
					benchSink = c[0]
					reportFlops(b, float64(batch)*maskedFlops(mk.hi))
				})
			}
		}
	})
}

// benchActs are the activation kernels, as dst, x -> result.
var benchActs = []struct {
	name string
	f    func(dst, x []float32) float32
}{
	{"exp", func(d, x []float32) float32 { Exp(d, x); return d[0] }},
	{"sigmoid", func(d, x []float32) float32 { Sigmoid(d, x); return d[0] }},
	{"tanh", func(d, x []float32) float32 { Tanh(d, x); return d[0] }},
	{"softplus", func(d, x []float32) float32 { Softplus(d, x); return d[0] }},
	{"logsigmoid", func(d, x []float32) float32 { LogSigmoid(d, x); return d[0] }},
	{"relu", func(d, x []float32) float32 { Relu(d, x); return d[0] }},
	{"logsumexp", func(_, x []float32) float32 { return LogSumExp(x) }},
	{"logsoftmax", func(d, x []float32) float32 { LogSoftmax(d, x); return d[0] }},
	// bernoulli reads d as the binary data.
	{"bernoulli", func(d, x []float32) float32 { return BernoulliLogProb(x, d) }},
	// sigmoiddot reads d as the weights v.
	{"sigmoiddot", func(d, x []float32) float32 { return SigmoidDot(d, x) }},
}

func BenchmarkActivations(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, a := range benchActs {
			for _, n := range []int{500, 784, 4096} {
				b.Run(fmt.Sprintf("%s/%d", a.name, n), func(b *testing.B) {
					x := benchVec(1, n, 8)
					dst := make([]float32, n)
					if a.name == "sigmoiddot" {
						copy(dst, benchVec(2, n, 1))
					}
					if a.name == "bernoulli" {
						for i, v := range benchVec(2, n, 1) {
							if v > 0 {
								dst[i] = 1
							}
						}
					}
					b.SetBytes(int64(8 * n))
					b.ReportAllocs()
					var s float32
					for b.Loop() {
						s += a.f(dst, x)
					}
					benchSink = s
					if sec := b.Elapsed().Seconds(); sec > 0 {
						b.ReportMetric(sec*1e9/float64(b.N)/float64(n), "ns/elem")
					}
				})
			}
		}
	})
}

// TestSteadyStateAllocs checks that the kernels the benchmarks time do not
// allocate once warm (GEMM's packing buffers come from a pool).
func TestSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items)")
	}
	masks := benchMasks()
	mk := masks[0]
	testAllTiers(t, func(t *testing.T) {
		const m, n, k = 16, 500, 784
		x, w, bias, c := benchVec(1, m*k, 1), benchVec(2, n*k, 1), benchVec(3, n, 1), make([]float32, m*n)
		y := make([]float32, n)
		for name, f := range map[string]func(){
			"Gemm":       func() { Gemm(false, true, m, n, k, x, k, w, k, bias, c, n) },
			"MaskedGemm": func() { MaskedGemm(m, n, k, x, k, w, k, nil, mk.hi, bias, c, n) },
			"Gemv":       func() { Gemv(n, k, w, k, x, bias, y) },
			"MaskedGemv": func() { MaskedGemv(n, k, w, k, x, nil, mk.hi, bias, y) },
			"GemvT":      func() { GemvT(n, k, w, k, y, x) },
			"Sigmoid":    func() { Sigmoid(y, y) },
			"LogSumExp":  func() { benchSink = LogSumExp(y) },
		} {
			f() // warm the pool
			if a := testing.AllocsPerRun(20, f); a != 0 {
				t.Errorf("%s: %v allocs per call, want 0", name, a)
			}
		}
	})
}

// BenchmarkCells times the fused LSTM and GRU cell updates for H units
// (ns/elem is per unit); the cells read g and update c and h in place,
// which stay bounded over repeated steps.
func BenchmarkCells(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, cell := range []string{"lstm", "gru"} {
			for _, h := range []int{64, 256} {
				b.Run(fmt.Sprintf("%s/%d", cell, h), func(b *testing.B) {
					g, c, hs := benchVec(1, 4*h, 4), benchVec(2, h, 1), benchVec(3, h, 1)
					b.SetBytes(int64(4 * 6 * h))
					b.ReportAllocs()
					for b.Loop() {
						if cell == "lstm" {
							LSTMCell(g, c, hs)
						} else {
							GRUCell(g, hs)
						}
					}
					benchSink = hs[0]
					if sec := b.Elapsed().Seconds(); sec > 0 {
						b.ReportMetric(sec*1e9/float64(b.N)/float64(h), "ns/elem")
					}
				})
			}
		}
	})
}

// BenchmarkAxpySubnormal shows what subnormal operands cost the FMA units
// (a microcode assist per operand on x86): the engine flushes subnormal
// weights to zero at load for this reason.
func BenchmarkAxpySubnormal(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, c := range []struct {
			name string
			w    float32
		}{{"normal", 0.01}, {"subnormal", 1e-39}} {
			b.Run(c.name, func(b *testing.B) {
				x, y := benchVec(1, 512, 1), benchVec(2, 512, 1)
				for i := range x {
					x[i] = c.w
				}
				b.SetBytes(12 * 512)
				for b.Loop() {
					Axpy(0.5, x, y)
				}
				reportFlops(b, 2*512)
			})
		}
	})
}

func BenchmarkAxpyF16(b *testing.B) {
	benchTiers(b, func(b *testing.B) {
		for _, n := range benchVecLens {
			b.Run(fmt.Sprint(n), func(b *testing.B) {
				x := make([]uint16, n)
				for i := range x {
					x[i] = 0x3c00 + uint16(i%1024) // [1, 2)
				}
				y := benchVec(2, n, 1)
				b.SetBytes(int64(10 * n))
				b.ReportAllocs()
				for b.Loop() {
					AxpyF16(1e-3, x, y)
				}
				benchSink = y[0]
				reportFlops(b, 2*float64(n))
			})
		}
	})
}
