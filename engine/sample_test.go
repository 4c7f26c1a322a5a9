package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpNonPos(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := []float64{0, math.Copysign(0, -1), -1e-300, -1e-17, -0.5, -math.Ln2 / 2, -math.Ln2, -1, -20, -700, -708, -708.1, -745, -746, -1e300, math.Inf(-1)}
	for i := 0; i < 200000; i++ {
		xs = append(xs, -rng.Float64()*750, -rng.Float64()*rng.Float64()*4)
	}
	for _, x := range xs {
		want, got := math.Exp(x), expNonPos(x)
		if want < 0x1p-1022 {
			assert.Equal(t, want, got, "exp(%v)", x)
			continue
		}
		assert.LessOrEqual(t, math.Abs(got-want), 4.5e-16*want, "exp(%v) = %v, want %v", x, got, want)
	}
	assert.True(t, math.IsNaN(expNonPos(math.NaN())))
}

func TestBernoulliDraw(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 300000; i++ {
		u := float64(rng.Uint64()>>11) * 0x1p-53
		if i%1000 == 0 {
			u = float64(i/1000) * 0x1p-53 // the smallest draws, 0 included
		}
		// The exact test agrees with u < sigmoid(z) up to rounding.
		z := (rng.Float64() - 0.5) * 80
		p := 1 / (1 + math.Exp(-z))
		if got := bernoulliExact(z, u); got != b2f(u < p) {
			assert.InDelta(t, p, u, 1e-15*(1+p), "exact: z=%v u=%v", z, u)
		}
		if u == 0 {
			continue
		}
		// The crude bound holds, and the fast decision equals the exact
		// one everywhere, including just inside and outside the slack.
		lg := math.Log(u) - math.Log1p(-u)
		c := crudeLogit(u)
		require.InDelta(t, lg, c, 0.0597, "crudeLogit(%v)", u)
		for _, z := range []float64{z, c - 0.07, c - logitSlack - 1e-9, c - logitSlack + 1e-9, c - 0.01, lg - 1e-9, lg + 1e-9, c + 0.01, c + logitSlack - 1e-9, c + logitSlack + 1e-9, c + 0.07} {
			assert.Equal(t, bernoulliExact(z, u), bernoulliDraw(z, u), "z=%v u=%v", z, u)
		}
	}
	for _, c := range []struct {
		z    float64
		u    float64
		want float32
	}{
		{math.Inf(1), 0.999, 1}, {math.Inf(-1), 0, 0}, {math.Inf(-1), 1e-300, 0},
		{math.NaN(), 0.5, 0}, {math.NaN(), 0, 0}, {0, 0.4999, 1}, {0, 0.5, 0},
		{-740, 0, 1}, {-800, 0, 0}, {800, 1 - 0x1p-53, 1},
	} {
		assert.Equal(t, c.want, bernoulliDraw(c.z, c.u), "z=%v u=%v", c.z, c.u)
	}
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

func TestDraw32(t *testing.T) {
	// Whatever the remaining 21 bits of the uniform are, draw32 decides as
	// the exact test on all 53 bits: check against the bits the stream
	// would give next, near and far from the decision boundary and at the
	// extreme 32-bit draws where the bound is not used.
	var s rngs
	s.reset(5, 1)
	rng := rand.New(rand.NewPCG(6, 7))
	u, c := make([]float64, 1), make([]float64, 1)
	for i := 0; i < 300000; i++ {
		k := rng.Uint64() >> 32
		switch i % 10 {
		case 0:
			k = uint64(rng.IntN(1 << 13)) // near 0, incl. below 2^12
		case 1:
			k = 1<<32 - 1 - uint64(rng.IntN(1<<13)) // near 1
		}
		setDraw32(u, c, 0, k)
		lg := math.Log(u[0]) - math.Log1p(-u[0])
		if k == 0 {
			lg = -800
		}
		for _, z := range []float64{lg - 1, lg - logitSlack, lg - 1e-9, lg, lg + 1e-9, lg + logitSlack, lg + 1, (rng.Float64() - 0.5) * 60} {
			peek := s.r[0]
			u53 := u[0] + float64(peek.Uint64()>>43)*0x1p-53
			assert.Equal(t, bernoulliExact(z, u53), s.draw32(0, z, u[0], c[0]), "k=%d z=%v", k, z)
		}
	}
	// draws32 splits each 64-bit draw into two 32-bit uniforms, high half
	// first.
	s.reset(9, 1)
	ref := rand.NewPCG(9, 0^0x9e3779b97f4a7c15)
	u, c = make([]float64, 5), make([]float64, 5)
	s.draws32(0, u, c)
	for i := 0; i < 5; i += 2 {
		r := ref.Uint64()
		assert.Equal(t, float64(r>>32)*0x1p-32, u[i])
		if i+1 < 5 {
			assert.Equal(t, float64(r&(1<<32-1))*0x1p-32, u[i+1])
		}
	}
}
