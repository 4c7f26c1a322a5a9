package engine

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/arinfer/arinfer/kernels"
)

// rngs holds one PCG stream per example of a batch, seeded from
// (seed, example index) so results do not depend on the batch size.
type rngs struct {
	r   []rand.PCG
	p32 []float32 // categorical's scratch
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

// bernoulli draws x ~ Bernoulli(sigmoid(z)), z = logit/temp, from stream
// b: x = 1 iff u < sigmoid(z) for u uniform in [0, 1), i.e. iff z >
// logit(u) = log(u) - log(1-u). A bound on logit(u) read off the bits of u
// and 1-u (crudeLogit, within ±logitSlack) decides all but the draws with z
// close to logit(u); those take the exact test (bernoulliExact). The bound
// depends only on the random stream, not on the logit, so the draw adds
// little more than a compare to a sampler's chain of dependent steps.
func (s *rngs) bernoulli(b int, logit float32, invTemp float64) float32 {
	return bernoulliDraw(float64(logit)*invTemp, s.uniform(b))
}

// draws32 fills u with len(u) uniforms of 32 bits from stream b, two per
// 64-bit draw (high half first), and c with a bound on their logits
// (crudeLogit, or NaN when u is within 2^-20 of 0 or 1, where 32 bits do
// not pin the logit down). Each u stands for the interval [u, u+2^-32)
// that holds the 53-bit uniform of the step: decide32 settles the draw
// from the bound when it holds over the whole interval, and finish32
// draws the remaining 21 bits only when it does not. Samplers that take
// all their uniforms up front use this: one 64-bit draw per two steps
// halves the random stream's serial work, and the bound is off the
// sampler's critical path.
func (s *rngs) draws32(b int, u, c []float64) {
	c = c[:len(u)]
	for i := 0; i < len(u); i += 2 {
		r := s.r[b].Uint64()
		setDraw32(u, c, i, r>>32)
		if i+1 < len(u) {
			setDraw32(u, c, i+1, r&(1<<32-1))
		}
	}
}

func setDraw32(u, c []float64, i int, k uint64) {
	u[i] = float64(k) * 0x1p-32
	if k >= 1<<12 && k < 1<<32-1<<12 {
		c[i] = crudeLogit(u[i])
	} else {
		c[i] = math.NaN()
	}
}

// decide32 returns 1 or 0 when z is farther than logitSlack from c, a
// crude bound on logit(u), and -1 otherwise. For a 53-bit u, that settles
// u < sigmoid(z) exactly. For a 32-bit u from draws32 it settles it for
// every uniform of u's interval: the crude bound is within 0.0597 of
// logit(u), and logit moves by less than 2^-11 over the interval for u in
// [2^-20, 1-2^-20]; finish32 decides the rest.
func decide32(z, c float64) int8 {
	if z > c+logitSlack {
		return 1
	}
	if z < c-logitSlack {
		return 0
	}
	return -1
}

// finish32 returns 1 iff u53 < sigmoid(z), completing the 32-bit uniform
// u with the next 21 bits of stream b.
func (s *rngs) finish32(b int, z, u float64) float32 {
	return bernoulliExact(z, u+float64(s.r[b].Uint64()>>43)*0x1p-53)
}

// draw32 is the Bernoulli draw of a step with the 32-bit uniform u and
// bound c of stream b: decide32, or finish32 when that cannot decide.
func (s *rngs) draw32(b int, z, u, c float64) float32 {
	if d := decide32(z, c); d >= 0 {
		return float32(d)
	}
	return s.finish32(b, z, u)
}

// bernoulliDraw returns 1 iff u < sigmoid(z), deciding by the crude bound
// when it can.
func bernoulliDraw(z, u float64) float32 {
	if d := decide32(z, crudeLogitOrNaN(u)); d >= 0 {
		return float32(d)
	}
	return bernoulliExact(z, u)
}

// crudeLogitOrNaN is crudeLogit(u) for u > 0, and NaN (no bound: the exact
// test decides) for u = 0.
func crudeLogitOrNaN(u float64) float64 {
	if u > 0 {
		return crudeLogit(u)
	}
	return math.NaN()
}

// logitSlack bounds |crudeLogit(u) - logit(u)|: log2(1+f) - f is in
// [0, 0.0861] for f in [0, 1), so each crude log2 is low by at most 0.0861,
// and the difference of two is off by at most 0.0861 ln 2 = 0.0597 nats.
const logitSlack = 0.0625

// crudeLogit returns (log2~(u) - log2~(1-u)) ln 2 for u in (0, 1), where
// log2~(x) = e + f for x = 2^e (1+f) (x normal: u >= 2^-53 here). The bits
// of a positive normal float64 read as an integer are (e+1023) 2^52 + f
// 2^52, so the difference of two crude logs is the difference of their bit
// patterns times 2^-52: one integer subtraction and one conversion (exact
// to 2^-42, far inside logitSlack's margin).
func crudeLogit(u float64) float64 {
	d := int64(math.Float64bits(u)) - int64(math.Float64bits(1-u))
	return float64(d) * (0x1p-52 * math.Ln2)
}

// bernoulliExact returns 1 iff u < sigmoid(z). With e = exp(-|z|),
// sigmoid(z) is 1/(1+e) for z >= 0 and e/(1+e) below, so the test is
// u(1+e) < 1 or u(1+e) < e, without a division.
func bernoulliExact(z, u float64) float32 {
	e := expNonPos(-math.Abs(z))
	t := u * (1 + e)
	if z >= 0 {
		if t < 1 {
			return 1
		}
		return 0
	}
	if t < e {
		return 1
	}
	return 0
}

// The argument reduction and rational approximation of fdlibm's exp
// (e_exp.c): exp(x) = 2^k exp(r), x = k ln2 + r, |r| <= ln2/2, with
// exp(r) = 1 + r + r c/(2-c), c = r - r^2 (p1 + r^2 (p2 + ...)).
const (
	expP1    = 1.66666666666666657415e-01
	expP2    = -2.77777777770155933842e-03
	expP3    = 6.61375632143793436117e-05
	expP4    = -1.65339022054652515390e-06
	expP5    = 4.13813679705723846039e-08
	expLn2Hi = 6.93147180369123816490e-01
	expLn2Lo = 1.90821492927058770002e-10
)

// expNonPos returns e^x for x <= 0 to within 2 ulp of math.Exp (checked by
// TestExpNonPos). math.Exp takes the results that would be
// subnormal, -Inf and NaN.
func expNonPos(x float64) float64 {
	if !(x >= -708) {
		return math.Exp(x)
	}
	k := int64(x*math.Log2E - 0.5) // rounds x/ln2 to nearest (x <= 0)
	hi := x - float64(k)*expLn2Hi
	lo := float64(k) * expLn2Lo
	r := hi - lo
	t := r * r
	c := r - t*(expP1+t*(expP2+t*(expP3+t*(expP4+t*expP5))))
	y := 1 - ((lo - (r*c)/(2-c)) - hi)
	return y * math.Float64frombits(uint64(k+1023)<<52)
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
	if opt.Labels != nil {
		err = errorf("Labels given to an unconditional model")
		return
	}
	err = checkKnownBinary(x, dims, order[:known])
	return
}

// categorical draws v with probability softmax(logits·invTemp)_v from
// stream b, using p (len(logits)) as scratch. The exponentials are the
// active kernel tier's float32 exp (one vector pass, not a math.Exp per
// category: a 256-way draw is a noticeable share of a WaveNet step); the
// probabilities are summed and drawn in float64.
func (s *rngs) categorical(b int, logits []float32, invTemp float64, p []float64) int {
	n := len(logits)
	if cap(s.p32) < n {
		s.p32 = make([]float32, n)
	}
	q := s.p32[:n]
	t := float32(invTemp)
	mx := float32(math.Inf(-1))
	for _, a := range logits {
		mx = max(mx, a*t)
	}
	for i, a := range logits {
		q[i] = a*t - mx
	}
	kernels.Exp(q, q)
	p = p[:n]
	var sum float64
	for i, e := range q {
		p[i] = float64(e)
		sum += p[i]
	}
	return s.drawWeighted(b, p, sum)
}

// categorical64 draws v with probability softmax(logits)_v from stream b,
// using p (len(logits)) as scratch; p may be logits itself.
func (s *rngs) categorical64(b int, logits, p []float64) int {
	p = p[:len(logits)]
	mx := math.Inf(-1)
	for _, a := range logits {
		mx = max(mx, a)
	}
	var sum float64
	for i, a := range logits {
		p[i] = math.Exp(a - mx)
		sum += p[i]
	}
	return s.drawWeighted(b, p, sum)
}

// drawWeighted draws v with probability p[v]/sum (sum = Σ p) from stream b.
func (s *rngs) drawWeighted(b int, p []float64, sum float64) int {
	u := s.uniform(b) * sum
	for i := range p {
		u -= p[i]
		if u < 0 {
			return i
		}
	}
	// Rounding left u >= 0 after the last term: the last category with
	// non-zero probability.
	for i := len(p) - 1; i > 0; i-- {
		if p[i] > 0 {
			return i
		}
	}
	return 0
}
