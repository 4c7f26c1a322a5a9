package audio

import (
	"fmt"
	"math"
)

// MinCodes and MaxCodes bound the number of μ-law codes K (μ = K − 1) that
// the coding functions accept: the range of `categories` an audio model may
// have (format/SPEC.md 3.8).
const (
	MinCodes = 2
	MaxCodes = 65536
)

// checkCodes returns an error unless 2 ≤ k ≤ 65536.
func checkCodes(k int) error {
	if k < MinCodes || k > MaxCodes {
		return fmt.Errorf("audio: %d mu-law codes; want %d..%d", k, MinCodes, MaxCodes)
	}
	return nil
}

// MuLawEncode returns the μ-law code of the 16-bit PCM sample s with k codes
// (μ = k − 1), exactly as format/SPEC.md 3.9 defines it: with a = s/32768,
// F(a) = sign(a)·ln(1 + μ|a|)/ln(1 + μ) and code ⌊(F(a) + 1)/2·μ + 1/2⌋ ∈
// 0 … k−1, every step in binary64. It panics unless 2 ≤ k ≤ 65536 (a model
// file's `categories` is always in that range; EncodeCodes returns an error
// instead).
func MuLawEncode(s int16, k int) int {
	if err := checkCodes(k); err != nil {
		panic(err)
	}
	mu := float64(k - 1)
	return encode(s, mu, math.Log(1+mu))
}

// MuLawDecode returns the 16-bit PCM sample of μ-law code x with k codes
// (μ = k − 1), exactly as format/SPEC.md 3.9 defines it: y = 2x/μ − 1,
// a' = sign(y)·((1 + μ)^|y| − 1)/μ, and round(32768·a') (halves away from
// zero) clamped to −32768 … 32767. A code outside 0 … k−1 follows the same
// formula and so decodes to a clamped extreme. It panics unless
// 2 ≤ k ≤ 65536 (DecodeCodes returns an error instead).
func MuLawDecode(x, k int) int16 {
	if err := checkCodes(k); err != nil {
		panic(err)
	}
	return decode(float64(x), float64(k-1))
}

// EncodeCodes writes the μ-law code (MuLawEncode) of each sample of src,
// with k codes, into dst as a float32, the form the engine's sequence models
// take. It returns an error, writing nothing, unless 2 ≤ k ≤ 65536 and
// len(dst) == len(src).
func EncodeCodes(dst []float32, src []int16, k int) error {
	if err := checkCodes(k); err != nil {
		return err
	}
	if len(dst) != len(src) {
		return fmt.Errorf("audio: EncodeCodes into %d codes from %d samples", len(dst), len(src))
	}
	mu := float64(k - 1)
	lnMu1 := math.Log(1 + mu)
	for i, s := range src {
		dst[i] = float32(encode(s, mu, lnMu1))
	}
	return nil
}

// DecodeCodes writes the PCM sample (MuLawDecode) of each μ-law code of src,
// with k codes, into dst. Every code must be an integer in 0 … k−1 (as
// float32 represents every such integer exactly). It returns an error,
// writing nothing, unless 2 ≤ k ≤ 65536, len(dst) == len(src) and every code
// is valid; the error names the first bad code and its index.
func DecodeCodes(dst []int16, src []float32, k int) error {
	if err := checkCodes(k); err != nil {
		return err
	}
	if len(dst) != len(src) {
		return fmt.Errorf("audio: DecodeCodes into %d samples from %d codes", len(dst), len(src))
	}
	for i, c := range src {
		if !(c >= 0 && c < float32(k)) || c != float32(math.Trunc(float64(c))) {
			return fmt.Errorf("audio: code %d is %v; want an integer in 0..%d", i, c, k-1)
		}
	}
	mu := float64(k - 1)
	for i, c := range src {
		dst[i] = decode(float64(c), mu)
	}
	return nil
}

// encode is MuLawEncode with μ and ln(1 + μ) given.
func encode(s int16, mu, lnMu1 float64) int {
	a := float64(s) / 32768
	f := math.Log(1+mu*math.Abs(a)) / lnMu1
	if a < 0 {
		f = -f
	}
	return int(math.Floor((f+1)/2*mu + 0.5))
}

// decode is MuLawDecode with x and μ as float64.
func decode(x, mu float64) int16 {
	y := 2*x/mu - 1
	a := (math.Pow(1+mu, math.Abs(y)) - 1) / mu
	if y < 0 {
		a = -a
	}
	r := math.Round(32768 * a)
	switch {
	case r <= -32768:
		return -32768
	case r >= 32767:
		return 32767
	}
	return int16(r)
}
