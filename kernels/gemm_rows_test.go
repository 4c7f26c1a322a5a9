package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMicroRowsMatchesPacked checks every tier's micro-kernel on unpacked
// A against its packed micro-kernel on the same A gathered into a panel:
// equal bit for bit, for one and two segments of odd lengths, rows lda
// apart with NaN between them (never read), and C in a guard band.
func TestMicroRowsMatchesPacked(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 1))
	for _, tier := range Available() {
		k := tiers[tier]
		if k.gemmMicroRows == nil {
			continue
		}
		t.Run(tier.String(), func(t *testing.T) {
			mr, nr := k.mr, k.nr
			for _, ks := range [][2]int{{1, 0}, {0, 1}, {3, 0}, {4, 4}, {5, 7}, {64, 64}, {17, 0}, {0, 33}, {128, 1}, {2, 255}} {
				k1, k2 := ks[0], ks[1]
				lda := max(k1, k2) + 1 + r.IntN(5)
				seg := func(k int) []float32 {
					a := make([]float32, mr*lda)
					for i := range a {
						a[i] = nan32
					}
					for i := 0; i < mr; i++ {
						copy(a[i*lda:i*lda+k], randVec(r, k, 0))
					}
					return a
				}
				a1, a2 := seg(k1), seg(k2)
				b := randVec(r, (k1+k2)*nr, 0)
				panel := make([]float32, (k1+k2)*mr)
				for i := 0; i < mr; i++ {
					for p := 0; p < k1; p++ {
						panel[p*mr+i] = a1[i*lda+p]
					}
					for p := 0; p < k2; p++ {
						panel[(k1+p)*mr+i] = a2[i*lda+p]
					}
				}
				ldc := nr + 5
				c0 := randMat(r, mr, nr, ldc)
				want := newGuarded(c0, mr, nr, ldc, 0)
				k.gemmMicro(k1+k2, panel, b, want.data(), ldc)
				got := newGuarded(c0, mr, nr, ldc, 3)
				k.gemmMicroRows(k1, a1, k2, a2, lda, b, got.data(), ldc)
				got.check(t)
				for i := 0; i < mr; i++ {
					for j := 0; j < nr; j++ {
						require.Equal(t, want.at(i, j), got.at(i, j), "k1=%d k2=%d lda=%d c[%d,%d]", k1, k2, lda, i, j)
					}
				}
			}
		})
	}
}

// TestConv2DRowsInPlace runs Conv2D with A read in place and, on the same
// tier, with gemmMicroRows turned off (A packed) on the geometries where
// in-place reading applies (a one-column sequence with a dilated
// convolution, its rows LD apart with padding; pixels along an image row,
// a 1x1 map) and where it applies only to some panels (the first rows of
// a dilated convolution read above the image): the outputs must be equal
// bit for bit.
func TestConv2DRowsInPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 2))
	type geom struct {
		name      string
		cw        *ConvWeights
		in        Image
		r0, r1    int
		cout, ldo int
	}
	var cases []geom
	for _, d := range []int{1, 5, 64} {
		for _, cin := range []int{3, 64, 130} {
			cout := 32 + r.IntN(100)
			cw, err := NewDilatedConv(randVec(r, cout*cin*2, 0), cout, cin, d)
			require.NoError(t, err)
			steps := d + 70 + r.IntN(40)
			ld := cin + r.IntN(3)
			in := Image{N: 2, H: steps, W: 1, LD: ld, ImgStride: steps*ld + 7}
			cases = append(cases,
				geom{fmt.Sprintf("dilated d=%d cin=%d rows above", d, cin), cw, in, 0, steps, cout, cout + 3},
				geom{fmt.Sprintf("dilated d=%d cin=%d queue rows", d, cin), cw, in, d, steps, cout, cout})
		}
	}
	for _, cin := range []int{1, 64, 300} {
		cout := 1 + r.IntN(300)
		cw, err := NewDense(randVec(r, cout*cin, 0), cout, cin)
		require.NoError(t, err)
		w := 20 + r.IntN(200)
		ld := cin + r.IntN(4)
		in := Image{N: 3, H: 1, W: w, LD: ld, ImgStride: w*ld + 1}
		cases = append(cases, geom{fmt.Sprintf("dense cin=%d cout=%d", cin, cout), cw, in, 0, 1, cout, cout + 2})
	}
	for _, tier := range Available() {
		if tiers[tier].gemmMicroRows == nil {
			continue
		}
		t.Run(tier.String(), func(t *testing.T) {
			withTier(tier, func() {
				for _, c := range cases {
					in := c.in
					in.Data = make([]float32, in.N*in.ImgStride)
					for i := range in.Data {
						in.Data[i] = nan32
					}
					for i := 0; i < in.N; i++ {
						for px := 0; px < in.H*in.W; px++ {
							copy(in.Data[i*in.ImgStride+px*in.LD:], randVec(r, c.cw.Cin(), 0))
						}
					}
					bias := randVec(r, c.cout, 0)
					run := func() []float32 {
						out := Image{N: in.N, H: in.H, W: in.W, LD: c.ldo, ImgStride: in.H * in.W * c.ldo}
						out.Data = make([]float32, in.N*out.ImgStride)
						Conv2D(c.cw, in, c.r0, c.r1, out, bias, false)
						return out.Data
					}
					got := run()
					saved := cur.gemmMicroRows
					cur.gemmMicroRows = nil
					want := run()
					cur.gemmMicroRows = saved
					assert.Equal(t, want, got, c.name)
				}
			})
		})
	}
}

// TestTileRows checks which panels of a dilated convolution over a
// sequence read in place: those whose tap rows are all inside the image.
func TestTileRows(t *testing.T) {
	in := Image{N: 2, H: 40, W: 1, LD: 9, ImgStride: 40*9 + 3}
	g := convGeom{in: in, run: 40, runs: 2}
	const mr = 4
	for _, c := range []struct {
		row  int
		tap  Tap
		off  int
		ok   bool
		what string
	}{
		{0, Tap{}, 0, true, "first rows, tap 0"},
		{0, Tap{DY: -3}, 0, false, "first rows read above the image"},
		{3, Tap{DY: -3}, 0, true, "rows 3-6 read rows 0-3"},
		{36, Tap{}, 36 * 9, true, "last whole panel"},
		{37, Tap{}, 0, false, "a panel past the last row"},
		{40 + 5, Tap{DY: -2}, in.ImgStride + 3*9, true, "second image"},
		{5, Tap{DX: 1}, 0, false, "a column shift in a one-column image"},
	} {
		off, ok := tileRows(&g, c.row, mr, c.tap)
		assert.Equal(t, c.ok, ok, c.what)
		if ok {
			assert.Equal(t, c.off, off, c.what)
		}
	}
}
