package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// idxBytes builds an IDX file with element type typ, the given dims and data.
func idxBytes(typ byte, dims []uint32, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, typ, byte(len(dims))})
	for _, d := range dims {
		_ = binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	return b.Bytes()
}

func gz(t testing.TB, raw []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write(raw)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func TestReadIDX(t *testing.T) {
	valid3 := idxBytes(0x08, []uint32{2, 3, 4}, seq(24))
	tests := []struct {
		name    string
		in      []byte
		gzip    bool
		dims    []int
		data    []byte
		wantErr string
	}{
		{name: "raw 3d", in: valid3, dims: []int{2, 3, 4}, data: seq(24)},
		{name: "gzip 3d", in: valid3, gzip: true, dims: []int{2, 3, 4}, data: seq(24)},
		{name: "1d labels", in: idxBytes(0x08, []uint32{5}, []byte{1, 2, 3, 4, 5}), dims: []int{5}, data: []byte{1, 2, 3, 4, 5}},
		{name: "empty dim", in: idxBytes(0x08, []uint32{0, 28, 28}, nil), dims: []int{0, 28, 28}, data: []byte{}},
		{name: "empty input", in: nil, wantErr: "header truncated"},
		{name: "short header", in: []byte{0, 0, 8}, wantErr: "header truncated"},
		{name: "bad magic", in: []byte{1, 0, 8, 1, 0, 0, 0, 1, 9}, wantErr: "magic"},
		{name: "float type", in: idxBytes(0x0d, []uint32{1}, []byte{0, 0, 0, 0}), wantErr: "element type 0x0d"},
		{name: "zero dims", in: []byte{0, 0, 8, 0}, wantErr: "0 dimensions"},
		{name: "too many dims", in: []byte{0, 0, 8, 200}, wantErr: "200 dimensions"},
		{name: "dims truncated", in: []byte{0, 0, 8, 3, 0, 0, 0, 2}, wantErr: "dimension header truncated"},
		{name: "data short", in: idxBytes(0x08, []uint32{2, 3, 4}, seq(23)), wantErr: "need 24 bytes of data, have 23"},
		{name: "data long", in: idxBytes(0x08, []uint32{2, 3, 4}, seq(25)), wantErr: "need 24 bytes of data, have 25"},
		{name: "huge dims", in: idxBytes(0x08, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, seq(3)), wantErr: "overflow"},
		{name: "huge dims gzip", in: idxBytes(0x08, []uint32{60000, 28, 28}, seq(10)), gzip: true, wantErr: "need 47040000 bytes"},
		{name: "truncated gzip", in: gz(t, valid3)[:20], wantErr: "malformed IDX"},
		{name: "gzip header only", in: []byte{0x1f, 0x8b, 0}, wantErr: "gzip header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if tc.gzip {
				in = gz(t, in)
			}
			for _, parse := range []func([]byte) (*IDX, error){
				func(b []byte) (*IDX, error) { return ReadIDX(bytes.NewReader(b)) },
				ParseIDX,
			} {
				idx, err := parse(in)
				if tc.wantErr != "" {
					require.Error(t, err)
					assert.ErrorIs(t, err, ErrMalformedIDX)
					assert.Contains(t, err.Error(), tc.wantErr)
					assert.Nil(t, idx)
					continue
				}
				require.NoError(t, err)
				assert.Equal(t, tc.dims, idx.Dims)
				assert.Equal(t, tc.data, idx.Data)
			}
		})
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idxBytes(0x08, []uint32{2, 3, 4}, seq(24)))
	f.Add(gz(f, idxBytes(0x08, []uint32{3}, seq(3))))
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 0})
	f.Add(idxBytes(0x08, []uint32{1 << 31, 1 << 31}, seq(2)))
	f.Fuzz(func(t *testing.T, in []byte) {
		idx, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			assert.ErrorIs(t, err, ErrMalformedIDX)
			return
		}
		n := 1
		for _, d := range idx.Dims {
			n *= d
		}
		assert.Equal(t, n, len(idx.Data))
		assert.NotEmpty(t, idx.Dims)
	})
}

// SplitMix64 reference outputs for seed 0 (Vigna's splitmix64.c).
func TestSplitMix64At(t *testing.T) {
	tests := []struct {
		seed, k, want uint64
	}{
		{0, 0, 0xe220a8397b1dcdaf},
		{0, 1, 0x6e789e6aa1b965f4},
		{0, 2, 0x06c45d188009454f},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, SplitMix64At(tc.seed, tc.k), "seed %d k %d", tc.seed, tc.k)
	}
}

// TestBinarizePixel checks the integer threshold against exact rational
// arithmetic: pixel = 1 iff u24/2^24 < intensity/255.
func TestBinarizePixel(t *testing.T) {
	for k := uint64(0); k < 4000; k += 13 {
		u24 := SplitMix64At(Seed, k) >> 40
		u := new(big.Rat).SetFrac64(int64(u24), 1<<24)
		for v := 0; v < 256; v++ {
			p := new(big.Rat).SetFrac64(int64(v), 255)
			want := uint8(0)
			if u.Cmp(p) < 0 {
				want = 1
			}
			require.Equal(t, want, BinarizePixel(uint8(v), k), "k %d intensity %d", k, v)
		}
	}
	src := []uint8{0, 255, 128, 3}
	got := Binarize(src, 1000)
	for j, v := range src {
		assert.Equal(t, BinarizePixel(v, 1000+uint64(j)), got[j])
	}
	assert.Empty(t, Binarize(nil, 0))
}

func TestSplitNames(t *testing.T) {
	for _, s := range Splits {
		got, err := ParseSplit(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	_, err := ParseSplit("training")
	assert.ErrorContains(t, err, "unknown split")
}

// writeDir writes the four files into a temp dir; each entry may be nil to
// omit the file.
func writeDir(t *testing.T, files map[string][]byte) string {
	dir := t.TempDir()
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	return dir
}

func TestLoadErrors(t *testing.T) {
	labels := gz(t, idxBytes(0x08, []uint32{10000}, make([]byte, 10000)))
	tests := []struct {
		name    string
		files   map[string][]byte
		split   Split
		wantErr string
	}{
		{name: "missing files", files: map[string][]byte{}, split: Test, wantErr: "neither"},
		{name: "malformed images", files: map[string][]byte{
			TestImagesFile: []byte("not an idx file"), TestLabelsFile: labels,
		}, split: Test, wantErr: "malformed IDX"},
		{name: "wrong image dims", files: map[string][]byte{
			TestImagesFile: gz(t, idxBytes(0x08, []uint32{2, 28, 28}, make([]byte, 2*784))), TestLabelsFile: labels,
		}, split: Test, wantErr: "want [10000 28 28]"},
		{name: "label out of range", files: map[string][]byte{
			TestImagesFile: gz(t, idxBytes(0x08, []uint32{10000, 28, 28}, make([]byte, 10000*784))),
			TestLabelsFile: gz(t, idxBytes(0x08, []uint32{10000}, bytes.Repeat([]byte{10}, 10000))),
		}, split: Test, wantErr: "label 10"},
		{name: "bad split", files: map[string][]byte{}, split: Split(7), wantErr: "unknown split"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, tc.files)
			s, err := Binarized(dir, tc.split)
			assert.Nil(t, s)
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// TestLoadUncompressed loads a synthetic test split stored as raw IDX files
// and checks pixels, labels and the binarization offset of the t10k file.
func TestLoadUncompressed(t *testing.T) {
	img := make([]byte, TestSize*D)
	for i := range img {
		img[i] = byte(i % 251)
	}
	lab := make([]byte, TestSize)
	for i := range lab {
		lab[i] = byte(i % 10)
	}
	dir := writeDir(t, map[string][]byte{
		"t10k-images-idx3-ubyte": idxBytes(0x08, []uint32{TestSize, Rows, Cols}, img),
		"t10k-labels-idx1-ubyte": idxBytes(0x08, []uint32{TestSize}, lab),
	})
	raw, err := Load(dir, Test)
	require.NoError(t, err)
	assert.Equal(t, img, raw.Pixels)
	assert.Equal(t, lab, raw.Labels)
	assert.Equal(t, img[5*D:6*D], raw.Image(5))
	f := raw.Float32()
	assert.InDelta(t, float32(img[100])/255, f[100], 1e-7)

	bin, err := Binarized(dir, Test)
	require.NoError(t, err)
	first := uint64(60000 * D)
	for _, i := range []int{0, 1, 783, 784, len(img) - 1} {
		assert.Equal(t, BinarizePixel(img[i], first+uint64(i)), bin.Pixels[i], "pixel %d", i)
	}
	assert.Equal(t, float32(bin.Pixels[7]), bin.Float32()[7])
}

func TestLocateEnv(t *testing.T) {
	t.Setenv(EnvDir, t.TempDir())
	_, err := Locate()
	assert.ErrorContains(t, err, EnvDir)

	dir := writeDir(t, map[string][]byte{
		TrainImagesFile: nil, TrainLabelsFile: nil, TestImagesFile: nil, TestLabelsFile: nil,
	})
	t.Setenv(EnvDir, dir)
	got, err := Locate()
	require.NoError(t, err)
	assert.Equal(t, dir, got)
}
