package audio

import (
	"math"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// codeCounts are the K the exhaustive tests run: the usual 256, small and
// degenerate ones, and the largest a model may have.
var codeCounts = []int{256, 16, 2, 3, 1024, 65536}

// specArg is SPEC 3.9's encoder argument (F(a) + 1)/2·μ + 1/2, written out
// here independently of mulaw.go.
func specArg(s int16, k int) float64 {
	mu := float64(k) - 1
	a := float64(s) / 32768
	f := math.Copysign(math.Log(1+mu*math.Abs(a))/math.Log(1+mu), a)
	return (f+1)/2*mu + 0.5
}

// codeBounds returns, for the log-free encoder, the lower boundary of each
// code c ≥ 1 in the linear domain: F⁻¹(2(c − 1/2)/μ − 1), computed with the
// power function.
func codeBounds(k int) []float64 {
	mu := float64(k) - 1
	b := make([]float64, k-1)
	for c := 1; c < k; c++ {
		y := 2*(float64(c)-0.5)/mu - 1
		b[c-1] = math.Copysign((math.Pow(1+mu, math.Abs(y))-1)/mu, y)
	}
	return b
}

// thresholdCode encodes s without the logarithm: it counts the code
// boundaries (codeBounds) that are ≤ a.
func thresholdCode(s int16, bounds []float64) int {
	a := float64(s) / 32768
	return sort.Search(len(bounds), func(i int) bool { return bounds[i] > a })
}

func TestMuLawEncodeMatchesSpec(t *testing.T) {
	for _, k := range codeCounts {
		t.Run("", func(t *testing.T) {
			bounds := codeBounds(k)
			near := 0
			for v := -32768; v <= 32767; v++ {
				s := int16(v)
				arg := specArg(s, k)
				want := int(math.Floor(arg))
				got := MuLawEncode(s, k)
				if got != want || got < 0 || got >= k {
					t.Fatalf("k=%d s=%d: code %d, want %d", k, s, got, want)
				}
				if math.Abs(arg-math.Round(arg)) < 1e-9 {
					near++ // a boundary case: the two methods may round apart
					continue
				}
				if c := thresholdCode(s, bounds); c != got {
					t.Fatalf("k=%d s=%d: code %d, threshold method %d", k, s, got, c)
				}
			}
			t.Logf("k=%d: %d samples within 1e-9 of a code boundary", k, near)
		})
	}
}

// TestMuLawSpecClaim checks SPEC 3.9's claim that makes every binary64
// implementation agree for K = 256: no sample but 0 puts the encoder's
// argument within 1e-5 of an integer.
func TestMuLawSpecClaim(t *testing.T) {
	minDist := math.Inf(1)
	for v := -32768; v <= 32767; v++ {
		arg := specArg(int16(v), 256)
		d := math.Abs(arg - math.Round(arg))
		if v == 0 {
			assert.Equal(t, 128.0, arg, "s = 0 is exactly mu/2 + 1/2")
			continue
		}
		minDist = math.Min(minDist, d)
		if d <= 1e-5 {
			t.Fatalf("s=%d: argument %.12f", v, arg)
		}
	}
	t.Logf("k=256: smallest distance of an argument to an integer (s != 0): %.3g", minDist)
}

// roundTripMaxK is the largest K for which every code survives
// encode(decode(x)) = x (SPEC 3.9 claims it for every K, but from K = 656 on
// the codes next to zero are narrower than one PCM step, and some of them
// hold no sample at all: decode(x) then lands in a neighbouring code).
const roundTripMaxK = 655

func TestMuLawRoundTripCodes(t *testing.T) {
	for k := MinCodes; k <= roundTripMaxK; k++ {
		prev := math.MinInt
		for x := 0; x < k; x++ {
			s := MuLawDecode(x, k)
			if MuLawEncode(s, k) != x || int(s) <= prev {
				t.Fatalf("k=%d: decode(%d) = %d (previous %d), encodes to %d", k, x, s, prev, MuLawEncode(s, k))
			}
			prev = int(s)
		}
	}
	bad := 0
	for x := 0; x < roundTripMaxK+1; x++ {
		if MuLawEncode(MuLawDecode(x, roundTripMaxK+1), roundTripMaxK+1) != x {
			bad++
		}
	}
	assert.NotZero(t, bad, "k=%d: the round trip holds beyond roundTripMaxK", roundTripMaxK+1)
}

// TestMuLawRoundTripUsedCodes checks, for every K, the round trip of every
// code that some PCM sample encodes to, and that decode never decreases.
func TestMuLawRoundTripUsedCodes(t *testing.T) {
	for _, k := range codeCounts {
		used := make([]bool, k)
		for v := -32768; v <= 32767; v++ {
			used[MuLawEncode(int16(v), k)] = true
		}
		n, prev := 0, math.MinInt
		for x := 0; x < k; x++ {
			s := MuLawDecode(x, k)
			if int(s) < prev {
				t.Fatalf("k=%d: decode decreases at %d", k, x)
			}
			prev = int(s)
			if used[x] {
				n++
				if MuLawEncode(s, k) != x {
					t.Fatalf("k=%d: encode(decode(%d)) (decode = %d) = %d", k, x, s, MuLawEncode(s, k))
				}
			}
		}
		t.Logf("k=%d: %d of %d codes hold a PCM sample", k, n, k)
		assert.Equal(t, int16(-32768), MuLawDecode(0, k), "k=%d", k)
		assert.Equal(t, int16(32767), MuLawDecode(k-1, k), "k=%d", k)
	}
}

func TestMuLawEncodeMonotone(t *testing.T) {
	for _, k := range codeCounts {
		prev := 0
		for v := -32768; v <= 32767; v++ {
			c := MuLawEncode(int16(v), k)
			if c < prev {
				t.Fatalf("k=%d s=%d: code %d after %d", k, v, c, prev)
			}
			prev = c
		}
		assert.Equal(t, 0, MuLawEncode(-32768, k))
		assert.Equal(t, k-1, MuLawEncode(32767, k))
	}
}

// TestMuLawQuantizationError bounds |decode(encode(s)) − s| by half a code
// in the companded domain: a code spans 2/μ of y, and da/dy =
// ln(1+μ)(1+μ|a|)/μ grows by at most (1+μ)^(1/μ) over half a code; plus the
// final rounding to an integer sample.
func TestMuLawQuantizationError(t *testing.T) {
	for _, k := range codeCounts {
		mu := float64(k - 1)
		grow := math.Pow(1+mu, 1/mu)
		worst := 0.0
		for v := -32768; v <= 32767; v++ {
			s := int16(v)
			back := MuLawDecode(MuLawEncode(s, k), k)
			a := math.Abs(float64(s) / 32768)
			bound := 32768*math.Log(1+mu)/(mu*mu)*(1+mu*a)*grow + 0.5 + 1e-9
			e := math.Abs(float64(back) - float64(s))
			if e > bound {
				t.Fatalf("k=%d s=%d decodes back to %d (bound %.1f)", k, s, back, bound)
			}
			worst = math.Max(worst, e/bound)
		}
		// the bound is tight to within a small factor, so the test has teeth
		assert.Greater(t, worst, 0.4, "k=%d", k)
	}
	// a fine code is nearly lossless around zero: k = 65536 keeps small samples exactly
	for v := -100; v <= 100; v++ {
		assert.Equal(t, int16(v), MuLawDecode(MuLawEncode(int16(v), 65536), 65536))
	}
}

func TestMuLawDecodeOutOfRange(t *testing.T) {
	assert.Equal(t, int16(-32768), MuLawDecode(-1, 256))
	assert.Equal(t, int16(-32768), MuLawDecode(math.MinInt32, 256))
	assert.Equal(t, int16(32767), MuLawDecode(256, 256))
	assert.Equal(t, int16(32767), MuLawDecode(math.MaxInt32, 256))
}

func TestMuLawBadK(t *testing.T) {
	for _, k := range []int{-1, 0, 1, 65537, math.MaxInt} {
		assert.Panics(t, func() { MuLawEncode(0, k) }, "k=%d", k)
		assert.Panics(t, func() { MuLawDecode(0, k) }, "k=%d", k)
		assert.ErrorContains(t, EncodeCodes(nil, nil, k), "mu-law codes; want 2..65536")
		assert.ErrorContains(t, DecodeCodes(nil, nil, k), "mu-law codes; want 2..65536")
	}
}

func TestEncodeCodes(t *testing.T) {
	src := make([]int16, 65536)
	for i := range src {
		src[i] = int16(i - 32768)
	}
	for _, k := range codeCounts {
		dst := make([]float32, len(src))
		require.NoError(t, EncodeCodes(dst, src, k))
		for i, s := range src {
			if dst[i] != float32(MuLawEncode(s, k)) {
				t.Fatalf("k=%d s=%d: code %v, want %d", k, s, dst[i], MuLawEncode(s, k))
			}
		}
		back := make([]int16, len(dst))
		require.NoError(t, DecodeCodes(back, dst, k))
		for i, c := range dst {
			if back[i] != MuLawDecode(int(c), k) {
				t.Fatalf("k=%d code %v: sample %d, want %d", k, c, back[i], MuLawDecode(int(c), k))
			}
		}
	}
}

func TestCodesErrors(t *testing.T) {
	tests := []struct {
		name string
		code float32
		want string
	}{
		{"negative", -1, "code 1 is -1; want an integer in 0..255"},
		{"too large", 256, "code 1 is 256; want an integer in 0..255"},
		{"fraction", 1.5, "code 1 is 1.5; want an integer in 0..255"},
		{"NaN", float32(math.NaN()), "code 1 is NaN"},
		{"+Inf", float32(math.Inf(1)), "code 1 is +Inf"},
		{"-Inf", float32(math.Inf(-1)), "code 1 is -Inf"},
		{"negative zero is zero", float32(math.Copysign(0, -1)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []int16{7, 7, 7}
			err := DecodeCodes(dst, []float32{3, tt.code, 5}, 256)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, []int16{MuLawDecode(3, 256), -32768, MuLawDecode(5, 256)}, dst)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, []int16{7, 7, 7}, dst, "nothing written on error")
		})
	}
	assert.ErrorContains(t, EncodeCodes(make([]float32, 2), make([]int16, 3), 256), "into 2 codes from 3 samples")
	assert.ErrorContains(t, DecodeCodes(make([]int16, 3), make([]float32, 2), 256), "into 3 samples from 2 codes")
}

func TestCodesAllocs(t *testing.T) {
	src := make([]int16, 4096)
	for i := range src {
		src[i] = int16(i*16 - 32768)
	}
	codes := make([]float32, len(src))
	back := make([]int16, len(src))
	allocs := testing.AllocsPerRun(10, func() {
		if EncodeCodes(codes, src, 256) != nil || DecodeCodes(back, codes, 256) != nil {
			t.Fatal("coding failed")
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkEncodeCodes(b *testing.B) {
	src := make([]int16, 16000)
	for i := range src {
		src[i] = int16(i*4 - 32000)
	}
	dst := make([]float32, len(src))
	b.SetBytes(int64(2 * len(src)))
	for b.Loop() {
		_ = EncodeCodes(dst, src, 256)
	}
}

func BenchmarkDecodeCodes(b *testing.B) {
	src := make([]float32, 16000)
	for i := range src {
		src[i] = float32(i % 256)
	}
	dst := make([]int16, len(src))
	b.SetBytes(int64(2 * len(src)))
	for b.Loop() {
		_ = DecodeCodes(dst, src, 256)
	}
}
