package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// roundInputs returns float32 bit patterns covering every rounding case:
// specials (±0, ±Inf, quiet and signalling NaNs of both signs, the largest
// finite, subnormals), exact ties below and above even, and random bits.
func roundInputs() []float32 {
	var v []float32
	for _, b := range []uint32{0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xff800001, 0x7fbfffff,
		0xffffffff, 0x7f7fffff, 0xff7fffff, 0x7f7f8000, 0x00000001, 0x807fffff, 0x00008000, 0x00018000,
		0x3f808000, 0x3f818000, 0x3f807fff, 0x3f808001, 0xbf808000, 0xbf818000} {
		v = append(v, math.Float32frombits(b))
	}
	r := rand.New(rand.NewPCG(17, 1))
	for len(v) < 4099 {
		v = append(v, math.Float32frombits(r.Uint32()))
	}
	return v
}

// TestRoundBF16: every tier's roundBF16 and packBF16 give the generic bits
// for every element of every length and offset (all tails), and write
// nothing past len(x).
func TestRoundBF16(t *testing.T) {
	in := roundInputs()
	testAllTiers(t, func(t *testing.T) {
		k := cur
		for _, n := range sweepLengths() {
			for off := 0; off < 3; off++ {
				x := in[off : off+n]
				f := make([]float32, n+1)
				h := make([]uint16, n+1)
				f[n], h[n] = guardVal, 0xbeef
				k.roundBF16(f[:n], x)
				k.packBF16(h[:n], x)
				for j, v := range x {
					want := f32ToBF16(v)
					if h[j] != want || math.Float32bits(f[j]) != uint32(want)<<16 {
						t.Fatalf("n=%d: %#08x packs to %#04x and rounds to %#08x, want %#04x", n, math.Float32bits(v), h[j], math.Float32bits(f[j]), want)
					}
				}
				require.Equal(t, guardVal, f[n])
				require.Equal(t, uint16(0xbeef), h[n])
			}
		}
	})
}
