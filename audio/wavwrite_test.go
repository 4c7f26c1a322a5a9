package audio

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noise returns n reproducible samples covering the whole int16 range, with
// both extremes.
func noise(n int, seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 1))
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(r.Uint32())
	}
	if n >= 2 {
		s[0], s[n-1] = -32768, 32767
	}
	return s
}

func TestWriteWAVHeader(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteWAV(&buf, PCM{Rate: 16000, Samples: []int16{1, -2, 32767}}))
	want := []byte("RIFF\x2a\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00\x00\x7d\x00\x00\x02\x00\x10\x00" +
		"data\x06\x00\x00\x00\x01\x00\xfe\xff\xff\x7f")
	assert.Equal(t, want, buf.Bytes())
}

func TestWriteWAVRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, writeBuffer/2 - 22, writeBuffer/2 - 21, 70001} {
		for _, rate := range []int{1, 16000, MaxRate} {
			p := PCM{Rate: rate, Samples: noise(n, uint64(n))}
			var buf bytes.Buffer
			require.NoError(t, WriteWAV(&buf, p))
			assert.Equal(t, wavHeaderSize+2*n, buf.Len())
			got, err := ReadWAV(&buf)
			require.NoError(t, err)
			assert.Equal(t, rate, got.Rate)
			assert.Equal(t, p.Samples, got.Samples[:len(got.Samples):len(got.Samples)], "n=%d", n)
		}
	}
}

func TestWriteWAVErrors(t *testing.T) {
	for _, rate := range []int{0, -1, MaxRate + 1} {
		var buf bytes.Buffer
		err := WriteWAV(&buf, PCM{Rate: rate, Samples: []int16{1}})
		assert.ErrorContains(t, err, "sample rate")
		assert.Zero(t, buf.Len(), "nothing written")
		_, err = NewWAVWriter(&seekBuffer{}, rate)
		assert.ErrorContains(t, err, "sample rate")
		_, err = CreateWAV(filepath.Join(t.TempDir(), "x.wav"), rate)
		assert.ErrorContains(t, err, "sample rate")
		_, err = ReadRaw(bytes.NewReader(nil), rate)
		assert.ErrorContains(t, err, "sample rate")
	}
	boom := errors.New("boom")
	for n := range 60 {
		err := WriteWAV(&failWriter{n: n, err: boom}, PCM{Rate: 8000, Samples: noise(8, 1)})
		assert.ErrorIs(t, err, boom, "failing after %d bytes", n)
	}
}

// failWriter accepts n bytes, then fails with err.
type failWriter struct {
	n   int
	err error
}

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, f.err
	}
	f.n -= len(p)
	return len(p), nil
}

// seekBuffer is an in-memory io.WriteSeeker; failAt > 0 makes writes fail
// once the file would grow beyond it, and seekErr makes Seek fail.
type seekBuffer struct {
	b       []byte
	pos     int
	failAt  int
	seekErr error
}

func (s *seekBuffer) Write(p []byte) (int, error) {
	if s.failAt > 0 && s.pos+len(p) > s.failAt {
		return 0, errors.New("disk full")
	}
	if need := s.pos + len(p); need > len(s.b) {
		s.b = append(s.b, make([]byte, need-len(s.b))...)
	}
	copy(s.b[s.pos:], p)
	s.pos += len(p)
	return len(p), nil
}

func (s *seekBuffer) Seek(off int64, whence int) (int64, error) {
	if s.seekErr != nil {
		return 0, s.seekErr
	}
	switch whence {
	case io.SeekStart:
		s.pos = int(off)
	case io.SeekCurrent:
		s.pos += int(off)
	case io.SeekEnd:
		s.pos = len(s.b) + int(off)
	}
	return int64(s.pos), nil
}

// writeInPieces writes s through w in pieces of varied sizes.
func writeInPieces(t *testing.T, w SampleWriter, s []int16) {
	t.Helper()
	sizes := []int{1, 7, 0, 4000, 33333, 2}
	for i := 0; len(s) > 0; i++ {
		k := min(sizes[i%len(sizes)], len(s))
		require.NoError(t, w.WriteSamples(s[:k]))
		s = s[k:]
	}
}

func TestWAVWriter(t *testing.T) {
	for _, n := range []int{0, 1, 40001, 100000} {
		s := noise(n, 7)
		// at a non-zero offset of a WriteSeeker
		sb := &seekBuffer{}
		_, err := sb.Write([]byte("prefix"))
		require.NoError(t, err)
		w, err := NewWAVWriter(sb, 22050)
		require.NoError(t, err)
		writeInPieces(t, w, s)
		assert.Equal(t, int64(n), w.Samples())
		require.NoError(t, w.Close())
		assert.Equal(t, len(sb.b), sb.pos, "left at the end")
		assert.Equal(t, "prefix", string(sb.b[:6]))
		var want bytes.Buffer
		require.NoError(t, WriteWAV(&want, PCM{Rate: 22050, Samples: s}))
		assert.Equal(t, want.Bytes(), sb.b[6:], "n=%d: same bytes as WriteWAV", n)

		// and as a file
		path := filepath.Join(t.TempDir(), "out.wav")
		w, err = CreateWAV(path, 22050)
		require.NoError(t, err)
		writeInPieces(t, w, s)
		require.NoError(t, w.Close())
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, want.Bytes(), got)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
		assertOnlyFile(t, filepath.Dir(path), "out.wav")
		assert.NoError(t, w.Abort(), "Abort after Close does nothing")
		assert.FileExists(t, path)
		assert.Error(t, w.WriteSamples([]int16{1}), "write after Close")
	}
}

// assertOnlyFile checks that dir holds exactly the named files.
func assertOnlyFile(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	assert.Equal(t, names, got)
}

// TestWAVWriterUnclosed reads what a writer leaves if it is never closed
// (the process is killed): the placeholder sizes make it a readable stream.
func TestWAVWriterUnclosed(t *testing.T) {
	sb := &seekBuffer{}
	w, err := NewWAVWriter(sb, 16000)
	require.NoError(t, err)
	s := noise(3*writeBuffer/2, 3)
	require.NoError(t, w.WriteSamples(s))
	p, err := ReadWAV(bytes.NewReader(sb.b))
	require.NoError(t, err)
	assert.Equal(t, s[:len(p.Samples)], p.Samples)
	assert.Greater(t, len(p.Samples), writeBuffer/2, "the flushed part")
}

func TestCreateWAVAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.wav")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
	w, err := CreateWAV(path, 16000)
	require.NoError(t, err)
	require.NoError(t, w.WriteSamples(noise(100000, 1)))
	old, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(old), "the old file stays until Close")
	require.NoError(t, w.Abort())
	assertOnlyFile(t, dir, "out.wav")
	old, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(old), "Abort keeps the old file")
	assert.NoError(t, w.Abort(), "a second Abort")
	assert.Error(t, w.WriteSamples([]int16{1}))
	assert.Error(t, w.Close())
	assertOnlyFile(t, dir, "out.wav")

	// a replaced file
	w, err = CreateWAV(path, 16000)
	require.NoError(t, err)
	require.NoError(t, w.WriteSamples([]int16{5}))
	require.NoError(t, w.Close())
	p, err := ReadWAVFile(path)
	require.NoError(t, err)
	assert.Equal(t, []int16{5}, p.Samples)

	_, err = CreateWAV(filepath.Join(dir, "no", "such", "dir.wav"), 16000)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestCreateWAVCloseFails makes the rename fail: the error is returned and
// no file is left behind.
func TestCreateWAVCloseFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.wav")
	w, err := CreateWAV(path, 16000)
	require.NoError(t, err)
	require.NoError(t, os.Mkdir(path, 0o755)) // rename onto a directory fails
	require.NoError(t, os.WriteFile(filepath.Join(path, "x"), nil, 0o644))
	require.NoError(t, w.WriteSamples([]int16{1, 2}))
	assert.Error(t, w.Close())
	assertOnlyFile(t, dir, "out.wav")
	assert.DirExists(t, path)
}

func TestWAVWriterErrors(t *testing.T) {
	// disk full midway: the error comes back from WriteSamples or Close
	for _, failAt := range []int{10, 44, 45, writeBuffer, writeBuffer + 1, 3 * writeBuffer} {
		sb := &seekBuffer{failAt: failAt}
		w, err := NewWAVWriter(sb, 16000)
		require.NoError(t, err)
		var werr error
		for range 10 {
			if werr = w.WriteSamples(noise(10000, 2)); werr != nil {
				break
			}
		}
		cerr := w.Close()
		assert.ErrorContains(t, cerr, "disk full", "failAt %d", failAt)
		if werr != nil {
			assert.Equal(t, werr, cerr, "the first error is kept")
		}
		assert.Error(t, w.WriteSamples([]int16{1}))
	}
	// not seekable
	_, err := NewWAVWriter(&seekBuffer{seekErr: errors.New("illegal seek")}, 16000)
	assert.ErrorContains(t, err, "WAV output must be seekable: illegal seek")
	// too long
	w, err := NewWAVWriter(&seekBuffer{}, 16000)
	require.NoError(t, err)
	w.n = MaxWAVSamples - 1
	require.NoError(t, w.WriteSamples([]int16{1}))
	assert.ErrorContains(t, w.WriteSamples([]int16{1}), "a WAV file holds at most 2147483629 samples")
}

func TestWriteSamplesAllocs(t *testing.T) {
	s := noise(5000, 9)
	w, err := NewWAVWriter(discardSeeker{}, 16000)
	require.NoError(t, err)
	r := NewRawWriter(io.Discard)
	allocs := testing.AllocsPerRun(20, func() {
		if w.WriteSamples(s) != nil || w.WriteSamples(s[:1]) != nil || r.WriteSamples(s) != nil || r.WriteSamples(s[:3]) != nil {
			t.Fatal("write failed")
		}
	})
	assert.Zero(t, allocs)
}

// discardSeeker is an io.WriteSeeker that keeps nothing.
type discardSeeker struct{}

func (discardSeeker) Write(p []byte) (int, error)    { return len(p), nil }
func (discardSeeker) Seek(int64, int) (int64, error) { return 0, nil }

func BenchmarkWAVWriter(b *testing.B) {
	w, err := NewWAVWriter(discardSeeker{}, 16000)
	require.NoError(b, err)
	benchWriter(b, w)
}

func BenchmarkRawWriter(b *testing.B) { benchWriter(b, NewRawWriter(io.Discard)) }

func benchWriter(b *testing.B, w SampleWriter) {
	s := noise(16000, 1)
	b.SetBytes(2 * int64(len(s)))
	for b.Loop() {
		_ = w.WriteSamples(s)
	}
}
