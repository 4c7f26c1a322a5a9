package format

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fuzzSeeds returns valid files and damaged variants of them: truncated,
// bit-flipped, zero-filled and with oversized size claims (checksums fixed
// so that the claim itself is what gets validated).
func fuzzSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for _, name := range []string{"fvsbn", "made", "lstm", "mixed", "pixelcnn", "gatedpixelcnn", "wavenet", "wavenet_audio"} {
		h := sampleHeaders()[name]
		good, err := Encode(h, sampleTensors(name, h, F32))
		require.NoError(tb, err)
		seeds = append(seeds, good)
		for _, n := range []int{0, 1, 8, 47, 63, 64, 65, len(good) / 2, len(good) - 1} {
			seeds = append(seeds, good[:n])
		}
		for _, pos := range []int{0, offMajor, offHeaderLen, offDataLen + 3, PreambleSize + 1, len(good) - 1} {
			b := bytes.Clone(good)
			b[pos] ^= 0x04
			seeds = append(seeds, b)
		}
		zero := bytes.Clone(good)
		clear(zero[PreambleSize:])
		seeds = append(seeds, zero)
		seeds = append(seeds, make([]byte, len(good)))
		for _, c := range []struct {
			off  int
			v    uint64
			size int
		}{
			{offHeaderLen, MaxHeaderLen + 1, 8}, {offHeaderLen, 1 << 62, 8},
			{offDataOffset, 1 << 62, 8}, {offDataLen, 1 << 40, 8}, {offMajor, 2, 2}, {offMinor, 9, 2},
		} {
			seeds = append(seeds, patch(good, c.off, c.v, c.size))
		}
		js, data := splitFile(good)
		seeds = append(seeds, rawFile(string(bytes.Replace([]byte(js), []byte(`"shape":[`), []byte(`"shape":[1099511627776,`), 1)), data))
		seeds = append(seeds, rawFile(string(bytes.Replace([]byte(js), []byte(`"dims":`), []byte(`"dims":1099511627776,"x":`), 1)), data))
	}
	seeds = append(seeds, []byte(Magic), []byte("not an arw file at all"))
	return seeds
}

// checkParsed exercises every accessor of a successfully read file and
// checks that writing it again yields a file with the same content.
func checkParsed(t *testing.T, f *File) {
	h := f.Header()
	var ts []Tensor
	for _, info := range f.Tensors() {
		tn, err := f.Tensor(info.Name)
		require.NoError(t, err)
		require.Len(t, tn.Data, int(info.Length))
		ts = append(ts, tn)
		if info.DType == I32 {
			v, _, err := f.Int32(info.Name)
			require.NoError(t, err)
			require.Len(t, v, info.NumElements())
		} else {
			v, _, err := f.Float32(info.Name)
			require.NoError(t, err)
			require.Len(t, v, info.NumElements())
		}
	}
	b, err := Encode(h, ts)
	if f.minor > VersionMinor {
		// Unknown tensors of a newer minor version are not written back.
		return
	}
	require.NoError(t, err, "a file that reads must write back")
	g, err := Read(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	assert.Equal(t, f.Tensors()[0].Name, g.Tensors()[0].Name)
	assert.Equal(t, len(f.Tensors()), len(g.Tensors()))
	b2, err := Encode(g.Header(), ts)
	require.NoError(t, err)
	assert.Equal(t, b, b2, "canonical form is a fixed point")
}

func readChecked(t *testing.T, data []byte) {
	f, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		var e *Error
		require.True(t, errors.As(err, &e), "error %v is an *Error", err)
		require.NotEmpty(t, e.Error())
		return
	}
	checkParsed(t, f)
}

func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		readChecked(t, data)
		// Most mutations only break a checksum. Repair the checksums so the
		// fuzzer also explores the structural validation behind them.
		if len(data) >= PreambleSize {
			fixed := bytes.Clone(data)
			fixChecksums(fixed)
			readChecked(t, fixed)
		}
	})
}

func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= PreambleSize {
			data = bytes.Clone(data)
			fixChecksums(data)
		}
		path := filepath.Join(dir, "fuzz.arw")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		mf, err := Open(path)
		rf, rerr := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			require.Error(t, rerr, "Open and Read agree")
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, path, e.Path)
			return
		}
		require.NoError(t, rerr, "Open and Read agree")
		defer mf.Close()
		checkParsed(t, mf)
		assert.Equal(t, rf.Tensors(), mf.Tensors())
		le := binary.LittleEndian
		assert.Equal(t, le.Uint32(data[offDataCRC:]), mf.Checksums().Data)
	})
}
