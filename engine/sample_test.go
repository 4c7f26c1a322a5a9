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
