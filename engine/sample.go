package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// rngs holds one PCG stream per example of a batch, seeded from
// (seed, example index) so results do not depend on the batch size.
type rngs struct {
	r []rand.PCG
}

func (s *rngs) reset(seed uint64, n int) {
	if cap(s.r) < n {
		s.r = make([]rand.PCG, n)
	}
	s.r = s.r[:n]
	for b := range s.r {
		s.r[b].Seed(seed, uint64(b)^0x9e3779b97f4a7c15)
	}
}

// uniform returns a float64 uniform in [0, 1) from stream b.
func (s *rngs) uniform(b int) float64 {
	return float64(s.r[b].Uint64()>>11) * 0x1p-53
}

// bernoulli draws x ~ Bernoulli(sigmoid(logit/temp)) from stream b.
func (s *rngs) bernoulli(b int, logit float32, invTemp float64) float32 {
	p := sigmoid(float64(logit) * invTemp)
	if s.uniform(b) < p {
		return 1
	}
	return 0
}

func sigmoid(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

// invTemperature validates opt.Temperature and returns its inverse.
func invTemperature(t float64) (float64, error) {
	if t == 0 {
		return 1, nil
	}
	if !(t > 0) || math.IsInf(t, 0) {
		return 0, fmt.Errorf("engine: temperature %v must be positive and finite", t)
	}
	return 1 / t, nil
}

// knownPrefix checks that the dimensions marked in known are exactly the
// first steps of order and returns how many there are.
func knownPrefix(known []bool, order []int32) (int, error) {
	if known == nil {
		return 0, nil
	}
	if len(known) != len(order) {
		return 0, fmt.Errorf("%w: Known has %d entries for %d dimensions", ErrSize, len(known), len(order))
	}
	n := 0
	for _, k := range known {
		if k {
			n++
		}
	}
	for t := 0; t < n; t++ {
		if !known[order[t]] {
			return 0, fmt.Errorf("engine: completion needs the known dimensions to be the first %d steps of the ordering, but step %d (dimension %d) is not known", n, t, order[t])
		}
	}
	return n, nil
}

// checkSampleBuf validates the sample buffer size and returns the batch size.
func checkSampleBuf(x []float32, dims int) (int, error) {
	if dims == 0 || len(x)%dims != 0 || len(x) == 0 {
		return 0, fmt.Errorf("%w: sample buffer of %d values is not a whole number (>= 1) of %d-dimensional examples", ErrSize, len(x), dims)
	}
	return len(x) / dims, nil
}

// checkKnownBinary checks that every example's known dimensions hold 0 or 1.
func checkKnownBinary(x []float32, dims int, known []int32) error {
	for e := 0; e*dims < len(x); e++ {
		for _, d := range known {
			if v := x[e*dims+int(d)]; v != 0 && v != 1 {
				return fmt.Errorf("engine: known dimension %d of example %d is %v; a Bernoulli model takes 0 or 1", d, e, v)
			}
		}
	}
	return nil
}

// sampleArgs validates a Sample call on a Bernoulli model with one
// ordering and returns the batch size, the inverse temperature and the
// number of leading steps the caller fixed (completion).
func sampleArgs(x []float32, dims int, order []int32, opt *SampleOptions) (B int, invT float64, known int, err error) {
	if B, err = checkSampleBuf(x, dims); err != nil {
		return
	}
	if invT, err = invTemperature(opt.Temperature); err != nil {
		return
	}
	if known, err = knownPrefix(opt.Known, order); err != nil {
		return
	}
	err = checkKnownBinary(x, dims, order[:known])
	return
}
