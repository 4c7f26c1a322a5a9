package kernels

import (
	"fmt"
	"sync/atomic"
)

// Tap is one kept tap of a convolution: output pixel (r, c) reads input
// pixel (r+DY, c+DX).
type Tap struct{ DY, DX int }

// Image is n images stored pixel-major (NHWC): channel ch of pixel (r, c) of
// image i is Data[i*ImgStride + (r*W+c)*LD + ch]. LD >= the channels used;
// ImgStride >= H*W*LD.
type Image struct {
	Data          []float32
	N, H, W       int
	LD, ImgStride int
}

// ConvWeights is a convolution's kept taps and weights, prepared once (at
// model load) in the layout the kernels want. Immutable after creation
// (the per-tier packed copies are made once, on first use, race-free); safe
// for concurrent use.
type ConvWeights struct {
	cout, cin int
	taps      []Tap
	// b is the K x cout GEMM operand, K = len(taps)*cin, row k = t*cin + ci:
	// b[k*cout+co] = w[co, ci, tap t].
	b []float32
	// packed holds b packed for each tier's micro-kernel (conv_pack.go).
	packed [numTiers]atomic.Pointer[convPacked]
}

// maxConvDim bounds every size NewConv accepts, so that no product of
// sizes overflows and nothing is sized from an absurd value.
const (
	maxConvDim     = 1 << 24
	maxConvWeights = 1 << 28
)

// NewConv prepares the weights w of shape [cout, cin, kh, kw] (PyTorch
// conv2d layout, row-major) keeping the taps (a, b), a < kh, b < kw, for
// which keep(a, b) is true (nil keeps all); tap (a, b) reads input pixel
// (r + a - ay, c + b - ax) for output pixel (r, c) (ay, ax: the anchor,
// which may lie outside the kernel, as the 1 x n horizontal convolution's
// (0, n) does). Taps not kept are never read. It returns an error (never
// panics) on inconsistent sizes.
func NewConv(w []float32, cout, cin, kh, kw, ay, ax int, keep func(a, b int) bool) (*ConvWeights, error) {
	return newConv("NewConv", w, cout, cin, kh, kw, ay, ax, keep)
}

// NewDense prepares a 1x1 convolution (a linear map at every pixel) with w
// of shape [cout, cin].
func NewDense(w []float32, cout, cin int) (*ConvWeights, error) {
	return newConv("NewDense", w, cout, cin, 1, 1, 0, 0, nil)
}

func newConv(fn string, w []float32, cout, cin, kh, kw, ay, ax int, keep func(a, b int) bool) (*ConvWeights, error) {
	for _, d := range []struct {
		name string
		v    int
	}{{"cout", cout}, {"cin", cin}, {"kh", kh}, {"kw", kw}} {
		if d.v < 1 || d.v > maxConvDim {
			return nil, fmt.Errorf("kernels: %s: %s = %d, want 1..%d", fn, d.name, d.v, maxConvDim)
		}
	}
	if ay < -maxConvDim || ay > maxConvDim || ax < -maxConvDim || ax > maxConvDim {
		return nil, fmt.Errorf("kernels: %s: anchor (%d, %d) out of range", fn, ay, ax)
	}
	taps := kh * kw
	if int64(kh)*int64(kw) > maxConvDim || int64(cout)*int64(cin)*int64(taps) > maxConvWeights {
		return nil, fmt.Errorf("kernels: %s: %dx%dx%dx%d weights are too large", fn, cout, cin, kh, kw)
	}
	if len(w) != cout*cin*taps {
		return nil, fmt.Errorf("kernels: %s: len(w) = %d, want %d·%d·%d·%d = %d", fn, len(w), cout, cin, kh, kw, cout*cin*taps)
	}
	cw := &ConvWeights{cout: cout, cin: cin}
	var kept [][2]int
	for a := 0; a < kh; a++ {
		for b := 0; b < kw; b++ {
			if keep == nil || keep(a, b) {
				kept = append(kept, [2]int{a, b})
				cw.taps = append(cw.taps, Tap{DY: a - ay, DX: b - ax})
			}
		}
	}
	cw.b = make([]float32, len(kept)*cin*cout)
	for t, ab := range kept {
		for ci := 0; ci < cin; ci++ {
			row := cw.b[(t*cin+ci)*cout : (t*cin+ci+1)*cout]
			for co := range row {
				row[co] = w[((co*cin+ci)*kh+ab[0])*kw+ab[1]]
			}
		}
	}
	return cw, nil
}

// Cout returns the number of output channels.
func (cw *ConvWeights) Cout() int { return cw.cout }

// Cin returns the number of input channels.
func (cw *ConvWeights) Cin() int { return cw.cin }

// Taps returns the kept taps, in the order a-major then b. The slice is
// shared: callers must not modify it.
func (cw *ConvWeights) Taps() []Tap { return cw.taps }

// FLOPs is 2*Cout*Cin*len(Taps): the useful floating-point operations per
// output pixel.
func (cw *ConvWeights) FLOPs() int { return 2 * cw.cout * cw.cin * len(cw.taps) }

// Conv2D computes, for every image i < in.N, output row r in [r0, r1),
// column c < in.W and co < Cout:
//
//	out[i, r, c, co] = bias[co] + sum over kept taps (DY,DX) and ci < Cin of W[co, ci, tap] * in[i, r+DY, c+DX, ci]
//
// (+= instead of = when acc is true; a nil bias counts as 0), reading
// in[...] as 0 outside 0 <= r' < in.H, 0 <= c' < in.W. out has the same N
// and W as in and out.H >= r1; its channels [0, Cout) of each written pixel
// are written, nothing else (other channels of the LD stride, other rows,
// guard bands untouched). in must hold Cin channels (in.LD >= Cin). Panics
// (programmer error, like Gemm) on inconsistent shapes.
//
// This is an implicit GEMM with M = N*(r1-r0)*W output pixels, K =
// len(Taps)*Cin, N = Cout on the active tier's GEMM micro-kernel, with the
// weights packed once per tier and cache blocking in Go (BLIS). The A
// panels are gathered by Go code straight from the shifted input pixels
// (zeros outside the image), so masked-out taps are skipped, not
// multiplied by zero; where a tile's pixels lie LD apart inside the image
// (a sequence as a one-column image, or pixels along an image row) and
// the tier has a micro-kernel on unpacked A, it reads them in place
// instead, with the same result bit for bit (gemm_rows.go). Batches of at least mr images (the micro-kernel's
// height) with taps of at least 16 channels run image-blocked
// (conv_batch.go, for images of moderate width): a tile is one pixel of mr
// images, each input pixel is interleaved once for all the taps that read
// it, and taps outside the image are skipped per tile; the remaining
// images run in raster order (conv_gemm.go). It runs on the
// calling goroutine (callers split images or rows across workers) and
// allocates nothing in steady state. The sums are float32 with the
// accuracy of Gemm: within γ_K·Σ|terms| of the exact value (γ_K =
// (K+1)u/(1-(K+1)u), u = 2^-24), in an order that depends on the tier and
// the path.
func Conv2D(cw *ConvWeights, in Image, r0, r1 int, out Image, bias []float32, acc bool) {
	checkConv("Conv2D", cw, in, out, bias)
	if r0 < 0 || r1 < r0 || r1 > out.H {
		panic(fmt.Sprintf("kernels: Conv2D: rows [%d, %d) outside the output's %d rows", r0, r1, out.H))
	}
	t := cur
	done := 0 // images computed image-blocked
	if useBlocked(t, cw, in.N, in.W) {
		convBlocked(t, cw, in, r0, r1, out, bias, acc)
		done = in.N / t.mr * t.mr
		if done == in.N {
			return
		}
		in.Data, in.N = in.Data[done*in.ImgStride:], in.N-done
		out.Data, out.N = out.Data[done*out.ImgStride:], out.N-done
	}
	p := (r1 - r0) * in.W
	g := convGeom{
		in: in, out: out, run: p, runs: in.N,
		row0: r0, col0: 0,
		outBase: r0 * in.W * out.LD, outStride: out.LD,
	}
	conv(t, cw, &g, bias, acc)
}

// Conv2DAt computes what Conv2D computes for the single pixel (r, c) of
// every image (the cached generator's step), 0 <= r < out.H, 0 <= c < W:
// an M = in.N row GEMM gathered from the taps around (r, c). For N = 1 it
// is a GEMV per kept tap that streams the weights once (skipping taps
// outside the image), not a micro-kernel call padded with zeros.
func Conv2DAt(cw *ConvWeights, in Image, r, c int, out Image, bias []float32, acc bool) {
	checkConv("Conv2DAt", cw, in, out, bias)
	if r < 0 || r >= out.H || c < 0 || c >= out.W {
		panic(fmt.Sprintf("kernels: Conv2DAt: pixel (%d, %d) outside the %dx%d output", r, c, out.H, out.W))
	}
	if in.N == 1 {
		convPixel(cur, cw, in, r, c, out, bias, acc)
		return
	}
	g := convGeom{
		in: in, out: out, run: in.N, runs: 1,
		row0: r, col0: c, at: true,
		outBase: (r*out.W + c) * out.LD, outStride: out.ImgStride,
	}
	conv(cur, cw, &g, bias, acc)
}

// checkConv panics unless in, out and bias fit cw.
func checkConv(fn string, cw *ConvWeights, in, out Image, bias []float32) {
	if cw == nil {
		panic("kernels: " + fn + ": nil weights")
	}
	checkImage(fn, "in", in, cw.cin)
	checkImage(fn, "out", out, cw.cout)
	if out.N != in.N || out.W != in.W {
		panic(fmt.Sprintf("kernels: %s: out is %d images of width %d, in is %d of width %d", fn, out.N, out.W, in.N, in.W))
	}
	if bias != nil && len(bias) < cw.cout {
		panic(fmt.Sprintf("kernels: %s: len(bias) = %d < Cout = %d", fn, len(bias), cw.cout))
	}
}

// checkImage panics unless im holds its N images of H x W pixels with ch
// channels each.
func checkImage(fn, name string, im Image, ch int) {
	if im.N < 0 || im.H < 0 || im.W < 0 || im.LD < ch || im.LD < 1 || im.ImgStride < im.H*im.W*im.LD {
		panic(fmt.Sprintf("kernels: %s: bad %s image: N=%d H=%d W=%d LD=%d ImgStride=%d for %d channels",
			fn, name, im.N, im.H, im.W, im.LD, im.ImgStride, ch))
	}
	if im.N > 0 && im.H > 0 && im.W > 0 {
		if need := (im.N-1)*im.ImgStride + (im.H*im.W-1)*im.LD + ch; len(im.Data) < need {
			panic(fmt.Sprintf("kernels: %s: %s has %d elements, needs %d", fn, name, len(im.Data), need))
		}
	}
}
