package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// convSpec is one convolution shape: kernel size, anchor and mask.
type convSpec struct {
	name   string
	kh, kw int
	ay, ax int
	keep   func(a, b int) bool
}

func maskA(k int) func(a, b int) bool {
	m := (k - 1) / 2
	return func(a, b int) bool { return a < m || (a == m && b < m) }
}

func maskB(k int) func(a, b int) bool {
	m := (k - 1) / 2
	return func(a, b int) bool { return a < m || (a == m && b <= m) }
}

// convSpecs are the shapes of SPEC 3.6 and 3.7: mask-A and mask-B k x k
// (k = 1, 3, 5, 7), the gated vertical (n+1) x k with anchor (n, n), the
// horizontal 1 x (n+1) and first-layer 1 x n with anchor (0, n), and 1x1.
func convSpecs() []convSpec {
	var s []convSpec
	for _, k := range []int{1, 3, 5, 7} {
		m := (k - 1) / 2
		s = append(s,
			convSpec{fmt.Sprintf("maskA%d", k), k, k, m, m, maskA(k)},
			convSpec{fmt.Sprintf("maskB%d", k), k, k, m, m, maskB(k)})
	}
	for _, n := range []int{1, 2, 3} {
		s = append(s,
			convSpec{fmt.Sprintf("vert%dx%d", n+1, 2*n+1), n + 1, 2*n + 1, n, n, nil},
			convSpec{fmt.Sprintf("horiz1x%d", n+1), 1, n + 1, 0, n, nil},
			convSpec{fmt.Sprintf("horiz1x%d-first", n), 1, n, 0, n, nil})
	}
	return append(s, convSpec{"dense", 1, 1, 0, 0, nil})
}

// convCase is one Conv2D call with its inputs, in padded buffers.
type convCase struct {
	spec      convSpec
	cin, cout int
	n, h, w   int
	r0, r1    int
	acc       bool
	w4        []float32 // [cout, cin, kh, kw]
	bias      []float32
	in        Image
	out0      Image // initial output (guards, acc values)
	written   []bool
	want, sc  []float64 // reference value and sum of |terms| per out.Data element
}

func (c *convCase) String() string {
	return fmt.Sprintf("%s cin=%d cout=%d %dx%dx%d rows [%d,%d) acc=%v bias=%v inLD=%d outLD=%d",
		c.spec.name, c.cin, c.cout, c.n, c.h, c.w, c.r0, c.r1, c.acc, c.bias != nil, c.in.LD, c.out0.LD)
}

// newConvCase builds a case with random weights and inputs, LD and
// ImgStride padding (NaN in the input's padding, so reading it shows;
// guard values in the output's, which must stay untouched) and the float64
// reference.
func newConvCase(r *rand.Rand, spec convSpec, cin, cout, n, h, w, r0, r1 int, acc, withBias bool) *convCase {
	c := &convCase{spec: spec, cin: cin, cout: cout, n: n, h: h, w: w, r0: r0, r1: r1, acc: acc}
	c.w4 = randVec(r, cout*cin*spec.kh*spec.kw, 0)
	if withBias {
		c.bias = randVec(r, cout, 0)
	}
	ld := cin + r.IntN(3)
	c.in = Image{N: n, H: h, W: w, LD: ld, ImgStride: h*w*ld + r.IntN(5)}
	c.in.Data = make([]float32, n*c.in.ImgStride+3)
	for i := range c.in.Data {
		c.in.Data[i] = nan32
	}
	for i := 0; i < n; i++ {
		for p := 0; p < h*w; p++ {
			for ch := 0; ch < cin; ch++ {
				c.in.Data[i*c.in.ImgStride+p*ld+ch] = float32(r.Float64()*2 - 1)
			}
		}
	}
	old := cout + r.IntN(3)
	c.out0 = Image{N: n, H: h, W: w, LD: old, ImgStride: h*w*old + r.IntN(5)}
	c.out0.Data = make([]float32, n*c.out0.ImgStride+guardLen)
	c.written = make([]bool, len(c.out0.Data))
	for i := range c.out0.Data {
		c.out0.Data[i] = guardVal
	}
	for i := 0; i < n; i++ {
		for p := r0 * w; p < r1*w; p++ {
			for co := 0; co < cout; co++ {
				o := i*c.out0.ImgStride + p*old + co
				c.written[o] = true
				if acc {
					c.out0.Data[o] = float32(r.Float64()*2 - 1)
				}
			}
		}
	}
	c.reference()
	return c
}

// reference computes the float64 result for every written element: the
// kept taps listed once, the weights regrouped as [co][tap][ci] and the
// input widened, so the inner loop is a dot product of contiguous rows.
func (c *convCase) reference() {
	c.want = make([]float64, len(c.out0.Data))
	c.sc = make([]float64, len(c.out0.Data))
	s := c.spec
	var taps [][2]int
	for a := 0; a < s.kh; a++ {
		for b := 0; b < s.kw; b++ {
			if s.keep == nil || s.keep(a, b) {
				taps = append(taps, [2]int{a, b})
			}
		}
	}
	wt := make([]float64, c.cout*len(taps)*c.cin)
	for co := 0; co < c.cout; co++ {
		for t, ab := range taps {
			for ci := 0; ci < c.cin; ci++ {
				wt[(co*len(taps)+t)*c.cin+ci] = float64(c.w4[((co*c.cin+ci)*s.kh+ab[0])*s.kw+ab[1]])
			}
		}
	}
	x := make([]float64, c.cin)
	for i := 0; i < c.n; i++ {
		for r := c.r0; r < c.r1; r++ {
			for col := 0; col < c.w; col++ {
				base := i*c.out0.ImgStride + (r*c.w+col)*c.out0.LD
				for co := 0; co < c.cout; co++ {
					o := base + co
					if c.acc {
						c.want[o] = float64(c.out0.Data[o])
						c.sc[o] = math.Abs(c.want[o])
					}
					if c.bias != nil {
						c.want[o] += float64(c.bias[co])
						c.sc[o] += math.Abs(float64(c.bias[co]))
					}
				}
				for t, ab := range taps {
					y, xx := r+ab[0]-s.ay, col+ab[1]-s.ax
					if y < 0 || y >= c.h || xx < 0 || xx >= c.w {
						continue
					}
					px := c.in.Data[i*c.in.ImgStride+(y*c.w+xx)*c.in.LD:]
					for ci := range x {
						x[ci] = float64(px[ci])
					}
					for co := 0; co < c.cout; co++ {
						w := wt[(co*len(taps)+t)*c.cin : (co*len(taps)+t+1)*c.cin]
						var sum, sc float64
						for ci, v := range w {
							p := v * x[ci]
							sum += p
							sc += math.Abs(p)
						}
						c.want[base+co] += sum
						c.sc[base+co] += sc
					}
				}
			}
		}
	}
}

func (c *convCase) weights(t *testing.T) *ConvWeights {
	t.Helper()
	s := c.spec
	var cw *ConvWeights
	var err error
	if s.name == "dense" {
		cw, err = NewDense(c.w4, c.cout, c.cin)
	} else {
		cw, err = NewConv(c.w4, c.cout, c.cin, s.kh, s.kw, s.ay, s.ax, s.keep)
	}
	require.NoError(t, err)
	return cw
}

// fresh returns a copy of the initial output.
func (c *convCase) fresh() Image {
	o := c.out0
	o.Data = append([]float32(nil), c.out0.Data...)
	return o
}

// check compares got with the reference (within γ_K of the terms'
// magnitudes) and requires every element outside the written region to be
// unchanged.
func (c *convCase) check(t *testing.T, cw *ConvWeights, got Image, what string) {
	t.Helper()
	tol := blasGamma(len(cw.Taps())*c.cin + 2)
	for o, v := range got.Data {
		if !c.written[o] {
			if math.Float32bits(v) != math.Float32bits(c.out0.Data[o]) {
				t.Fatalf("%s %v: element %d outside the output was changed: %v", what, c, o, v)
			}
			continue
		}
		if !close32(float64(v), c.want[o], c.sc[o], tol) {
			t.Fatalf("%s %v: element %d = %v, want %v (scale %v)", what, c, o, v, c.want[o], c.sc[o])
		}
	}
}

// runConv runs Conv2D on the case, then Conv2DAt at every pixel of the row
// range, each into its own copy, and checks both.
func (c *convCase) run(t *testing.T) {
	cw := c.weights(t)
	got := c.fresh()
	Conv2D(cw, c.in, c.r0, c.r1, got, c.bias, c.acc)
	c.check(t, cw, got, "Conv2D")
	at := c.fresh()
	for r := c.r0; r < c.r1; r++ {
		for col := 0; col < c.w; col++ {
			Conv2DAt(cw, c.in, r, col, at, c.bias, c.acc)
		}
	}
	c.check(t, cw, at, "Conv2DAt")
	// Conv2DAt agrees with Conv2D pixel by pixel within float32 rounding.
	tol := 2 * blasGamma(len(cw.Taps())*c.cin+2)
	for o := range at.Data {
		if c.written[o] && !close32(float64(at.Data[o]), float64(got.Data[o]), c.sc[o], tol) {
			t.Fatalf("%v: Conv2DAt element %d = %v, Conv2D gave %v", c, o, at.Data[o], got.Data[o])
		}
	}
}

// convCases are the test cases: every spec with a rotation of channel
// counts (1, 3, 17, 33, 64, 65), images (1x1, 2x3, 5x7, 28x28), batch
// sizes (1, 2, 7), row ranges, acc and bias, sized so that each reference
// stays small.
func convCases() []*convCase {
	r := rand.New(rand.NewPCG(12, 34))
	chans := [][2]int{{1, 1}, {1, 17}, {3, 33}, {17, 3}, {33, 64}, {64, 65}, {65, 64}, {64, 128}}
	imgs := [][2]int{{1, 1}, {2, 3}, {5, 7}, {28, 28}}
	ns := []int{1, 2, 7}
	var cs []*convCase
	for si, s := range convSpecs() {
		for ci, ch := range chans {
			k := si + ci
			img := imgs[k%len(imgs)]
			n := ns[(si+2*ci)%len(ns)]
			h, w := img[0], img[1]
			taps := s.kh * s.kw
			for n > 1 && n*h*w*taps*ch[0]*ch[1] > 1e6 {
				n--
			}
			if n*h*w*taps*ch[0]*ch[1] > 1e6 {
				h, w = 5, 7
			}
			r0, r1 := 0, h
			switch k % 4 {
			case 1:
				r0 = h / 2
			case 2:
				r1 = (h + 1) / 2
			case 3:
				r0, r1 = h/3, h-h/3
			}
			cs = append(cs, newConvCase(r, s, ch[0], ch[1], n, h, w, r0, r1, k%2 == 1, k%3 != 0))
		}
	}
	// The shipped model's shapes at full size (half the rows each): every tile path
	// (direct and edge), several K blocks.
	big := []struct {
		s         convSpec
		cin, cout int
	}{
		{convSpec{"vert2x3", 2, 3, 1, 1, nil}, 64, 128},
		{convSpec{"horiz1x2", 1, 2, 0, 1, nil}, 64, 128},
		{convSpec{"maskB3", 3, 3, 1, 1, maskB(3)}, 64, 64},
		{convSpec{"maskA7", 7, 7, 3, 3, maskA(7)}, 1, 64},
		{convSpec{"dense", 1, 1, 0, 0, nil}, 128, 128},
	}
	// Batches of at least one block of mr images (4 generic, 6 AVX2, 8
	// NEON, 14 AVX-512), with and without a remainder: the image-blocked
	// path (conv_batch.go), then the raster one for the rest.
	batches := []struct {
		s            convSpec
		cin, cout, n int
		h, w, r0, r1 int
		acc, bias    bool
	}{
		{convSpec{"maskB3", 3, 3, 1, 1, maskB(3)}, 17, 33, 16, 5, 7, 1, 4, true, true},
		{convSpec{"vert2x3", 2, 3, 1, 1, nil}, 32, 40, 31, 2, 3, 0, 2, false, true},
		{convSpec{"vert3x5", 3, 5, 2, 2, nil}, 16, 64, 15, 5, 7, 0, 5, false, false},
		{convSpec{"horiz1x3", 1, 3, 0, 2, nil}, 33, 17, 17, 1, 1, 0, 1, true, false},
		{convSpec{"maskB5", 5, 5, 2, 2, maskB(5)}, 20, 32, 29, 4, 6, 2, 4, false, true},
		{convSpec{"maskA7", 7, 7, 3, 3, maskA(7)}, 16, 7, 14, 28, 28, 0, 3, true, true},
		{convSpec{"horiz1x2-first", 1, 2, 0, 2, nil}, 64, 65, 8, 3, 3, 0, 3, false, true},
		{convSpec{"dense", 1, 1, 0, 0, nil}, 33, 70, 15, 2, 3, 0, 2, true, true},
		{convSpec{"dense", 1, 1, 0, 0, nil}, 64, 32, 30, 1, 1, 0, 1, false, true}, // pixels as 1x1 images
		// More channels than a K block (kc = 256): taps split over blocks.
		{convSpec{"vert2x3", 2, 3, 1, 1, nil}, 260, 20, 16, 2, 2, 0, 2, true, true},
		{convSpec{"dense", 1, 1, 0, 0, nil}, 300, 5, 3, 2, 3, 0, 2, false, true},
		{convSpec{"maskB3", 3, 3, 1, 1, maskB(3)}, 120, 9, 2, 3, 3, 0, 3, false, true},
	}
	for _, b := range batches {
		cs = append(cs, newConvCase(r, b.s, b.cin, b.cout, b.n, b.h, b.w, b.r0, b.r1, b.acc, b.bias))
	}
	if raceEnabled {
		return cs // the race detector makes their references take a minute
	}
	for i, b := range big {
		r0 := 14 * (i % 2) // the top half, or the bottom half
		cs = append(cs, newConvCase(r, b.s, b.cin, b.cout, 1, 28, 28, r0, r0+14, i%2 == 0, true))
	}
	return cs
}

func TestConv2D(t *testing.T) {
	cases := convCases()
	testAllTiers(t, func(t *testing.T) {
		for _, c := range cases {
			c.run(t)
		}
	})
}

// TestConv2DTierSwitch: weights used on one tier are packed again for
// another (the packing depends on the tier's tile), and both give the
// right result.
func TestConv2DTierSwitch(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	c := newConvCase(r, convSpec{"maskB3", 3, 3, 1, 1, maskB(3)}, 17, 33, 2, 5, 7, 0, 5, false, true)
	cw := c.weights(t)
	for range 2 {
		for _, tier := range Available() {
			withTier(tier, func() {
				got := c.fresh()
				Conv2D(cw, c.in, c.r0, c.r1, got, c.bias, c.acc)
				c.check(t, cw, got, tier.String())
			})
		}
	}
}

func TestConvWeightsAccessors(t *testing.T) {
	w := make([]float32, 4*3*3*3)
	cw, err := NewConv(w, 4, 3, 3, 3, 1, 1, maskB(3))
	require.NoError(t, err)
	require.Equal(t, 4, cw.Cout())
	require.Equal(t, 3, cw.Cin())
	require.Equal(t, []Tap{{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 0}}, cw.Taps())
	require.Equal(t, 2*4*3*5, cw.FLOPs())
	cw, err = NewConv(make([]float32, 2*1*1*2), 2, 1, 1, 2, 0, 2, nil)
	require.NoError(t, err)
	require.Equal(t, []Tap{{0, -2}, {0, -1}}, cw.Taps())
	d, err := NewDense(make([]float32, 6), 2, 3)
	require.NoError(t, err)
	require.Equal(t, []Tap{{0, 0}}, d.Taps())
}

func TestNewConvErrors(t *testing.T) {
	tests := []struct {
		name                         string
		n, cout, cin, kh, kw, ay, ax int
	}{
		{"short w", 26, 1, 1, 3, 3, 1, 1},
		{"long w", 10, 1, 1, 3, 3, 1, 1},
		{"zero cout", 0, 0, 1, 3, 3, 1, 1},
		{"negative cin", 9, 1, -1, 3, 3, 1, 1},
		{"zero kh", 0, 1, 1, 0, 3, 1, 1},
		{"negative kw", 3, 1, 1, 3, -1, 1, 1},
		{"huge", 1, 1 << 30, 1 << 30, 1, 1, 0, 0},
		{"huge taps", 1, 1, 1, 1 << 20, 1 << 20, 0, 0},
		{"huge anchor", 1, 1, 1, 1, 1, 1 << 40, 0},
		{"mismatch", 8, 2, 2, 1, 1, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewConv(make([]float32, max(tc.n, 0)), tc.cout, tc.cin, tc.kh, tc.kw, tc.ay, tc.ax, nil)
			require.Error(t, err)
		})
	}
	_, err := NewDense(make([]float32, 5), 2, 3)
	require.ErrorContains(t, err, "NewDense")
	_, err = NewDense(nil, 0, 3)
	require.Error(t, err)
}

func TestConv2DPanics(t *testing.T) {
	cw, err := NewConv(make([]float32, 2*3*9), 2, 3, 3, 3, 1, 1, nil)
	require.NoError(t, err)
	img := func(n, h, w, ld int) Image {
		return Image{Data: make([]float32, n*h*w*ld), N: n, H: h, W: w, LD: ld, ImgStride: h * w * ld}
	}
	in, out := img(2, 4, 5, 3), img(2, 4, 5, 2)
	require.NotPanics(t, func() { Conv2D(cw, in, 0, 4, out, nil, false) })
	tests := []struct {
		name string
		f    func()
	}{
		{"in LD < cin", func() { Conv2D(cw, img(2, 4, 5, 2), 0, 4, out, nil, false) }},
		{"out LD < cout", func() { Conv2D(cw, in, 0, 4, img(2, 4, 5, 1), nil, false) }},
		{"N differs", func() { Conv2D(cw, in, 0, 4, img(1, 4, 5, 2), nil, false) }},
		{"W differs", func() { Conv2D(cw, in, 0, 4, img(2, 4, 6, 2), nil, false) }},
		{"rows past out", func() { Conv2D(cw, in, 0, 5, out, nil, false) }},
		{"negative r0", func() { Conv2D(cw, in, -1, 4, out, nil, false) }},
		{"r1 < r0", func() { Conv2D(cw, in, 3, 2, out, nil, false) }},
		{"short bias", func() { Conv2D(cw, in, 0, 4, out, []float32{1}, false) }},
		{"short data", func() { o := out; o.Data = o.Data[:len(o.Data)-1]; Conv2D(cw, in, 0, 4, o, nil, false) }},
		{"small ImgStride", func() { i := in; i.ImgStride--; Conv2D(cw, i, 0, 4, out, nil, false) }},
		{"nil weights", func() { Conv2D(nil, in, 0, 4, out, nil, false) }},
		{"At outside", func() { Conv2DAt(cw, in, 4, 0, out, nil, false) }},
		{"At negative col", func() { Conv2DAt(cw, in, 0, -1, out, nil, false) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Panics(t, tc.f) })
	}
}

// TestConvAllocs: Conv2D, Conv2DAt and GateRows allocate nothing once the
// weights are packed and the pools are warm.
func TestConvAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	r := rand.New(rand.NewPCG(7, 8))
	c := newConvCase(r, convSpec{"vert2x3", 2, 3, 1, 1, nil}, 16, 32, 3, 6, 7, 0, 6, false, true)
	testAllTiers(t, func(t *testing.T) {
		cw := c.weights(t)
		out := c.fresh()
		one := c.in
		one.N = 1
		outOne := out
		outOne.N = 1
		src := randVec(r, 42*64, 0)
		dst := make([]float32, 42*32)
		f := func() {
			Conv2D(cw, c.in, 0, 6, out, c.bias, false)
			Conv2DAt(cw, c.in, 3, 4, out, c.bias, true)
			Conv2DAt(cw, one, 2, 2, outOne, nil, false)
			GateRows(42, 32, src, 64, dst, 32)
		}
		f()
		require.Zero(t, testing.AllocsPerRun(20, f))
	})
}

// TestConv2DConcurrent: goroutines sharing fresh weights (so that the
// first uses race to pack them) each compute the right result; -race
// checks the packing's synchronisation.
func TestConv2DConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	c := newConvCase(r, convSpec{"vert2x3", 2, 3, 1, 1, nil}, 17, 40, 3, 5, 7, 0, 5, false, true)
	testAllTiers(t, func(t *testing.T) {
		cw := c.weights(t)
		const workers = 4
		outs := make([]Image, workers)
		var wg sync.WaitGroup
		for w := range outs {
			outs[w] = c.fresh()
			wg.Add(1)
			go func() {
				defer wg.Done()
				if w%2 == 0 {
					Conv2D(cw, c.in, c.r0, c.r1, outs[w], c.bias, c.acc)
					return
				}
				for row := c.r0; row < c.r1; row++ {
					for col := 0; col < c.w; col++ {
						Conv2DAt(cw, c.in, row, col, outs[w], c.bias, c.acc)
					}
				}
			}()
		}
		wg.Wait()
		for w, o := range outs {
			c.check(t, cw, o, fmt.Sprintf("worker %d", w))
		}
	})
}

func TestUseBlocked(t *testing.T) {
	cw, err := NewConv(make([]float32, 64*64*6), 64, 64, 2, 3, 1, 1, nil)
	require.NoError(t, err)
	d, err := NewDense(make([]float32, 64*64), 64, 64)
	require.NoError(t, err)
	none, err := NewConv(make([]float32, 64*64), 64, 64, 1, 1, 0, 0, maskA(1))
	require.NoError(t, err)
	first, err := NewConv(make([]float32, 64*2), 64, 1, 1, 2, 0, 2, nil)
	require.NoError(t, err)
	for _, tier := range Available() {
		k := tiers[tier]
		require.True(t, useBlocked(k, cw, k.mr, 28), tier)
		require.False(t, useBlocked(k, cw, k.mr-1, 28), tier)
		require.True(t, useBlocked(k, d, 64, 28), tier)
		require.False(t, useBlocked(k, none, 64, 28), tier)  // no taps
		require.False(t, useBlocked(k, first, 64, 28), tier) // one channel per tap
		require.False(t, useBlocked(k, cw, 64, 1<<16), tier) // the ring would be too large
	}
}
