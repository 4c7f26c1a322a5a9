package mnist

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readHashes(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "binarized.sha256"))
	require.NoError(t, err)
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		require.Len(t, fields, 2, "line %q", sc.Text())
		m[fields[1]] = fields[0]
	}
	require.NoError(t, sc.Err())
	return m
}

// TestBinarizedHashes checks the binarized splits built from the real MNIST
// files against the SHA-256 digests that python/tests/test_mnist.py also
// checks with numpy, proving both implementations produce identical bits.
func TestBinarizedHashes(t *testing.T) {
	dir, err := Locate()
	require.NoError(t, err)
	want := readHashes(t)
	tests := []struct {
		split  Split
		n      int
		labels string // first labels, from the MNIST files
	}{
		{Train, TrainSize, "5041921314"},
		{Valid, ValidSize, "3869645384"},
		{Test, TestSize, "7210414959"},
	}
	for _, tc := range tests {
		t.Run(tc.split.String(), func(t *testing.T) {
			s, err := Binarized(dir, tc.split)
			require.NoError(t, err)
			assert.Equal(t, tc.n, s.N)
			assert.Len(t, s.Pixels, tc.n*D)
			assert.Len(t, s.Labels, tc.n)
			assert.True(t, s.Binary)
			var sb strings.Builder
			for _, l := range s.Labels[:10] {
				sb.WriteByte('0' + l)
			}
			assert.Equal(t, tc.labels, sb.String())
			sum := sha256.Sum256(s.Pixels)
			assert.Equal(t, want[tc.split.String()], hex.EncodeToString(sum[:]))

			// The mean of the bits must match the mean intensity/255 (a
			// Bernoulli draw per pixel): with ~8M pixels the standard error
			// of the mean is below 1e-4.
			raw, err := Load(dir, tc.split)
			require.NoError(t, err)
			var ones, inten float64
			for i, v := range s.Pixels {
				ones += float64(v)
				inten += float64(raw.Pixels[i]) / 255
			}
			assert.InDelta(t, inten/float64(len(raw.Pixels)), ones/float64(len(s.Pixels)), 1e-3)
		})
	}
}
