package format

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// specExample reads the hex dump that follows <!-- spec-example --> in SPEC.md.
func specExample(t *testing.T) []byte {
	t.Helper()
	text, err := os.ReadFile("SPEC.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(text), "<!-- spec-example -->\n```text\n")
	require.True(t, ok, "SPEC.md has the example block")
	block, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	var out []byte
	sc := bufio.NewScanner(strings.NewReader(block))
	for sc.Scan() {
		line := sc.Text()
		_, hexPart, ok := strings.Cut(line, ": ")
		require.True(t, ok, line)
		if i := strings.Index(hexPart, "  "); i >= 0 {
			hexPart = hexPart[:i]
		}
		b, err := hex.DecodeString(strings.ReplaceAll(hexPart, " ", ""))
		require.NoError(t, err, line)
		out = append(out, b...)
	}
	return out
}

func TestSpecExample(t *testing.T) {
	want := specExample(t)
	require.Len(t, want, 520)
	h := Header{Arch: FVSBN, Dims: 2, Shape: []int{2}, Dist: Bernoulli, Categories: 2}
	got, err := Encode(h, []Tensor{
		Int32Tensor("order", []int{2}, []int32{1, 0}),
		Float32Tensor("W", []int{2, 2}, []float32{0.5, 2, 3, 0.25}),
		Float32Tensor("b", []int{2}, []float32{-1, 0.5}),
	})
	require.NoError(t, err)
	assert.Equal(t, want, got, "SPEC.md example matches the writer")

	// The CRC test vector quoted in the spec.
	assert.Equal(t, uint32(0xCBF43926), crc32.ChecksumIEEE([]byte("123456789")))

	// The worked log-likelihood, computed from the file per section 3.1.
	f, err := Read(bytes.NewReader(want), int64(len(want)))
	require.NoError(t, err)
	order, _, err := f.Int32("order")
	require.NoError(t, err)
	W, _, err := f.Float32("W")
	require.NoError(t, err)
	b, _, err := f.Float32("b")
	require.NoError(t, err)
	x := []float64{1, 1}
	D := 2
	pos := make([]int, D)
	for t, i := range order {
		pos[i] = t
	}
	logSig := func(a float64) float64 { return -math.Log1p(math.Exp(-a)) }
	ll := 0.0
	for i := 0; i < D; i++ {
		l := float64(b[i])
		for j := 0; j < D; j++ {
			if pos[j] < pos[i] {
				l += float64(W[i*D+j]) * x[j]
			}
		}
		ll += x[i]*logSig(l) + (1-x[i])*logSig(-l)
	}
	assert.InDelta(t, -0.787338671698, ll, 1e-12)
	c := f.Checksums()
	assert.Equal(t, Checksums{Preamble: 0x663115dc, Header: 0x058dbea8, Data: 0x7d2df820, DataVerified: true}, c)
}

// specRounding reads the test vectors that follow <!-- spec-rounding --> in
// SPEC.md: float32 bits and the float16 and bfloat16 bits a writer makes.
func specRounding(t *testing.T) [][3]uint32 {
	t.Helper()
	text, err := os.ReadFile("SPEC.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(text), "<!-- spec-rounding -->\n")
	require.True(t, ok, "SPEC.md has the rounding table")
	row := regexp.MustCompile("^\\| `([0-9A-F]{8})` \\|.*\\| `([0-9A-F]{4})` \\| `([0-9A-F]{4})` \\|$")
	var out [][3]uint32
	for _, line := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue // the header and separator rows
		}
		var v [3]uint32
		for i := range v {
			n, err := strconv.ParseUint(m[i+1], 16, 32)
			require.NoError(t, err)
			v[i] = uint32(n)
		}
		out = append(out, v)
	}
	return out
}

func TestSpecRounding(t *testing.T) {
	vectors := specRounding(t)
	require.GreaterOrEqual(t, len(vectors), 20, "rows parsed from SPEC.md")
	for _, v := range vectors {
		f := math.Float32frombits(v[0])
		assert.Equal(t, uint16(v[1]), F32ToF16(f), "float16 of %08X", v[0])
		assert.Equal(t, uint16(v[2]), F32ToBF16(f), "bfloat16 of %08X", v[0])
		// The tensor constructors write the same bits.
		h := Float16Tensor("x", []int{1}, []float32{f})
		assert.Equal(t, uint16(v[1]), binary.LittleEndian.Uint16(h.Data), "Float16Tensor of %08X", v[0])
		b := BFloat16Tensor("x", []int{1}, []float32{f})
		assert.Equal(t, uint16(v[2]), binary.LittleEndian.Uint16(b.Data), "BFloat16Tensor of %08X", v[0])
	}
}
