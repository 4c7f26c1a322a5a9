package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// dilatedCase is a causal dilated convolution over n sequences of T steps
// (an Image with H = T, W = 1) with its float64 reference.
type dilatedCase struct {
	cin, cout, d, n, steps int
	w, bias                []float32
	in                     Image
	want, tol              []float64 // [i][t][co]
}

func (c *dilatedCase) String() string {
	return fmt.Sprintf("cin=%d cout=%d d=%d N=%d T=%d", c.cin, c.cout, c.d, c.n, c.steps)
}

func newDilatedCase(r *rand.Rand, cin, cout, d, n, steps int) *dilatedCase {
	c := &dilatedCase{cin: cin, cout: cout, d: d, n: n, steps: steps}
	c.w = randVec(r, cout*cin*2, 0)
	c.bias = randVec(r, cout, 0)
	ld := cin + 1
	c.in = Image{N: n, H: steps, W: 1, LD: ld, ImgStride: steps*ld + 2}
	c.in.Data = make([]float32, n*c.in.ImgStride)
	for i := range c.in.Data {
		c.in.Data[i] = nan32 // padding: never read
	}
	for i := 0; i < n; i++ {
		for s := 0; s < steps; s++ {
			copy(c.in.Data[i*c.in.ImgStride+s*ld:], randVec(r, cin, 0))
		}
	}
	c.want = make([]float64, n*steps*cout)
	c.tol = make([]float64, n*steps*cout)
	gamma := blasGamma(2*cin + 1)
	for i := 0; i < n; i++ {
		for s := 0; s < steps; s++ {
			for co := 0; co < cout; co++ {
				sum := float64(c.bias[co])
				sc := math.Abs(sum)
				for tap, ts := range []int{s - d, s} {
					if ts < 0 {
						continue
					}
					px := c.in.Data[i*c.in.ImgStride+ts*ld:]
					for ci := 0; ci < cin; ci++ {
						p := float64(c.w[(co*cin+ci)*2+tap]) * float64(px[ci])
						sum += p
						sc += math.Abs(p)
					}
				}
				k := (i*steps+s)*cout + co
				c.want[k], c.tol[k] = sum, gamma*sc
			}
		}
	}
	return c
}

// out returns a fresh output image with guard values everywhere.
func (c *dilatedCase) out() Image {
	ld := c.cout + 2
	o := Image{N: c.n, H: c.steps, W: 1, LD: ld, ImgStride: c.steps*ld + 3}
	o.Data = make([]float32, c.n*o.ImgStride)
	for i := range o.Data {
		o.Data[i] = guardVal
	}
	return o
}

// check compares rows [r0, r1) of out with the reference and requires
// every other element to hold its guard value.
func (c *dilatedCase) check(t *testing.T, out Image, r0, r1 int, what string) {
	t.Helper()
	for k, v := range out.Data {
		i, rest := k/out.ImgStride, k%out.ImgStride
		s, co := rest/out.LD, rest%out.LD
		if i < c.n && s >= r0 && s < r1 && co < c.cout {
			kk := (i*c.steps+s)*c.cout + co
			if math.Abs(float64(v)-c.want[kk]) > c.tol[kk] {
				t.Fatalf("%v %s: out[%d][%d][%d]=%v, want %v", c, what, i, s, co, v, c.want[kk])
			}
		} else if v != guardVal {
			t.Fatalf("%v %s: element %d (seq %d step %d channel %d) outside rows [%d, %d) written: %v", c, what, k, i, s, co, r0, r1, v)
		}
	}
}

// TestDilatedConv: Conv2D (whole sequences and row ranges) and Conv2DAt on
// NewDilatedConv's weights match a float64 causal dilated convolution on
// every tier, for dilations below, at and above the sequence length.
func TestDilatedConv(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 1))
	var cases []*dilatedCase
	for _, d := range []int{1, 2, 7, 512} {
		for _, steps := range []int{max(d/2, 1), d + 1, 2*d + 5} {
			for _, n := range []int{1, 3} {
				cin, cout := 5+r.IntN(30), 3+r.IntN(40)
				if d == 512 {
					cin, cout, steps = 6, 9, min(steps, d+40)
				}
				cases = append(cases, newDilatedCase(r, cin, cout, d, n, steps))
			}
		}
	}
	cases = append(cases, newDilatedCase(r, 64, 128, 4, 16, 40)) // the image-blocked path
	testAllTiers(t, func(t *testing.T) {
		for _, c := range cases {
			cw, err := NewDilatedConv(c.w, c.cout, c.cin, c.d)
			require.NoError(t, err)
			require.Equal(t, []Tap{{DY: -c.d}, {}}, cw.Taps())
			require.Equal(t, 4*c.cin*c.cout, cw.FLOPs())
			out := c.out()
			Conv2D(cw, c.in, 0, c.steps, out, c.bias, false)
			c.check(t, out, 0, c.steps, "whole")
			// Row ranges, as the engine scores a long sequence in chunks.
			out = c.out()
			r0, r1 := c.steps/3, c.steps-c.steps/4
			Conv2D(cw, c.in, r0, r1, out, c.bias, false)
			c.check(t, out, r0, r1, "rows")
			out = c.out()
			for s := r0; s < r1; s++ {
				Conv2DAt(cw, c.in, s, 0, out, c.bias, false)
			}
			c.check(t, out, r0, r1, "at")
		}
	})
}

func TestNewDilatedConvErrors(t *testing.T) {
	tests := []struct {
		name         string
		w            []float32
		cout, cin, d int
	}{
		{"zero d", make([]float32, 12), 2, 3, 0},
		{"negative d", make([]float32, 12), 2, 3, -4},
		{"huge d", make([]float32, 12), 2, 3, 1<<24 + 1},
		{"zero cout", nil, 0, 3, 1},
		{"zero cin", nil, 2, 0, 1},
		{"short w", make([]float32, 11), 2, 3, 1},
		{"w of a 1-tap conv", make([]float32, 6), 2, 3, 1},
		{"too large", nil, 1 << 24, 1 << 24, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cw, err := NewDilatedConv(tc.w, tc.cout, tc.cin, tc.d)
			require.Error(t, err)
			require.Nil(t, cw)
		})
	}
}

// TestDilatedConvLongSequence: a sequence of 2^20 steps (the longest
// receptive field SPEC 3.8 allows) with the largest dilation, two streams,
// computed in row ranges at both ends (as the engine scores a long clip in
// chunks) and step by step at the last row.
func TestDilatedConvLongSequence(t *testing.T) {
	const (
		steps = 1 << 20
		d     = 65536
		cin   = 2
		cout  = 3
		n     = 2
	)
	r := rand.New(rand.NewPCG(21, 2))
	w := randVec(r, cout*cin*2, 0)
	bias := randVec(r, cout, 0)
	in := Image{N: n, H: steps, W: 1, LD: cin, ImgStride: steps * cin}
	in.Data = make([]float32, n*steps*cin)
	for i := range in.Data {
		in.Data[i] = float32(i*7919%2001)/1000 - 1 // cheaper than 4M random draws
	}
	out := Image{N: n, H: steps, W: 1, LD: cout, ImgStride: steps * cout}
	out.Data = make([]float32, n*steps*cout)
	want := func(i, s, co int) (float64, float64) {
		sum := float64(bias[co])
		sc := math.Abs(sum)
		for tap, ts := range []int{s - d, s} {
			if ts < 0 {
				continue
			}
			for ci := 0; ci < cin; ci++ {
				p := float64(w[(co*cin+ci)*2+tap]) * float64(in.Data[i*in.ImgStride+ts*cin+ci])
				sum += p
				sc += math.Abs(p)
			}
		}
		return sum, sc
	}
	check := func(t *testing.T, r0, r1 int) {
		for i := 0; i < n; i++ {
			for s := r0; s < r1; s++ {
				for co := 0; co < cout; co++ {
					got := float64(out.Data[i*out.ImgStride+s*cout+co])
					v, sc := want(i, s, co)
					if math.Abs(got-v) > blasGamma(2*cin+1)*sc {
						t.Fatalf("rows [%d, %d): seq %d step %d channel %d: %v, want %v", r0, r1, i, s, co, got, v)
					}
				}
			}
		}
	}
	testAllTiers(t, func(t *testing.T) {
		cw, err := NewDilatedConv(w, cout, cin, d)
		require.NoError(t, err)
		for _, rr := range [][2]int{{0, 40}, {d - 20, d + 20}, {steps - 64, steps}} {
			Conv2D(cw, in, rr[0], rr[1], out, bias, false)
			check(t, rr[0], rr[1])
		}
		for i := 0; i < n; i++ {
			clear(out.Data[i*out.ImgStride+(steps-1)*cout : (i+1)*out.ImgStride])
		}
		Conv2DAt(cw, in, steps-1, 0, out, bias, false)
		check(t, steps-1, steps)
	})
}
