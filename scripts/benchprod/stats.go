package main

import (
	"fmt"
	"math"
	"slices"
)

// dist is the values of one figure over the repetitions of a measurement.
type dist []float64

// med returns the median (the mean of the middle two for an even count),
// or 0 for no values.
func (d dist) med() float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(d))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// lo and hi return the smallest and largest value, or 0 for no values.
func (d dist) lo() float64 {
	if len(d) == 0 {
		return 0
	}
	return slices.Min(d)
}

func (d dist) hi() float64 {
	if len(d) == 0 {
		return 0
	}
	return slices.Max(d)
}

// spread formats the median and the min..max range with f, as "m [lo–hi]";
// one value prints alone, no values as "-".
func (d dist) spread(f func(float64) string) string {
	switch len(d) {
	case 0:
		return "-"
	case 1:
		return f(d[0])
	}
	return fmt.Sprintf("%s [%s–%s]", f(d.med()), f(d.lo()), f(d.hi()))
}

// minNoiseReps is the fewest reps on each side for slowerBeyondNoise to
// judge: with 3 and 3, equal speeds still put every after rep below every
// before rep one time in 20.
const minNoiseReps = 3

// slowerBeyondNoise reports whether after is slower than before by more
// than the runs' spread: every after rate is below every before rate, over
// at least minNoiseReps reps each.
func slowerBeyondNoise(before, after dist) bool {
	return len(before) >= minNoiseReps && len(after) >= minNoiseReps && after.hi() < before.lo()
}

// sig2 rounds x > 0 to two significant digits (1234 -> 1200, 0.347 -> 0.35).
func sig2(x float64) float64 {
	if x <= 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(x))-1)
	return math.Round(x/p) * p
}
