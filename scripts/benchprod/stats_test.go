package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDist(t *testing.T) {
	f := func(v float64) string { return fmt.Sprintf("%g", v) }
	for _, c := range []struct {
		d           dist
		med, lo, hi float64
		spread      string
	}{
		{nil, 0, 0, 0, "-"},
		{dist{3}, 3, 3, 3, "3"},
		{dist{5, 1, 3}, 3, 1, 5, "3 [1–5]"},
		{dist{4, 1, 2, 8}, 3, 1, 8, "3 [1–8]"},
	} {
		assert.Equal(t, c.med, c.d.med(), "%v", c.d)
		assert.Equal(t, c.lo, c.d.lo(), "%v", c.d)
		assert.Equal(t, c.hi, c.d.hi(), "%v", c.d)
		assert.Equal(t, c.spread, c.d.spread(f), "%v", c.d)
	}
}

func TestSlowerBeyondNoise(t *testing.T) {
	for _, c := range []struct {
		before, after dist
		want          bool
	}{
		{dist{10, 11, 12}, dist{8, 9, 9.9}, true},
		{dist{10, 11, 12}, dist{8, 9, 10}, false}, // ranges touch
		{dist{10, 11, 12}, dist{13, 14, 15}, false},
		{dist{10, 11}, dist{8, 9}, false}, // too few reps to judge
		{dist{10, 11, 12}, dist{8, 9}, false},
		{nil, dist{1}, false},
		{dist{1}, nil, false},
	} {
		assert.Equal(t, c.want, slowerBeyondNoise(c.before, c.after), "%v %v", c.before, c.after)
	}
}

func TestSig2(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{
		{1234, 1200}, {0.347, 0.35}, {99.6, 100}, {16, 16}, {0, 0}, {-3, 0},
	} {
		assert.InDelta(t, c.want, sig2(c.x), 1e-9, "%g", c.x)
	}
}
