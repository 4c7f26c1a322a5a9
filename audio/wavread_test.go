package audio

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var someSamples = []int16{0, 1, -1, 32767, -32768, 1234, -4321}

// wavCase is one file for the readers: the PCM it holds or the start of
// the error's text after the "wav: " or "path: " prefix.
type wavCase struct {
	name      string
	file      []byte
	want      PCM    // if err is ""
	err       string // the error, after the prefix
	truncated bool   // the error wraps ErrTruncated
}

func wavCases() []wavCase {
	data := chunk("data", pcmData(someSamples...))
	ok := PCM{Rate: 16000, Samples: someSamples}
	return []wavCase{
		{name: "plain", file: wavFile(pcmFmt(16000), data), want: ok},
		{name: "rate 1", file: wavFile(pcmFmt(1), data), want: PCM{Rate: 1, Samples: someSamples}},
		{name: "rate max", file: wavFile(pcmFmt(MaxRate), data), want: PCM{Rate: MaxRate, Samples: someSamples}},
		{name: "one sample", file: wavFile(pcmFmt(8000), chunk("data", pcmData(-7))), want: PCM{Rate: 8000, Samples: []int16{-7}}},
		{name: "no samples", file: wavFile(pcmFmt(8000), chunk("data", nil)), want: PCM{Rate: 8000, Samples: []int16{}}},
		{name: "other chunks skipped, odd one padded",
			file: wavFile(chunk("LIST", []byte("INFOISFT\x03\x00\x00\x00ab\x00\x00")), pcmFmt(16000),
				chunk("JUNK", []byte{1, 2, 3}), chunk("fact", le32(7)), data, chunk("LIST", []byte("after"))),
			want: ok},
		{name: "nothing read after data",
			file: append(wavFile(pcmFmt(16000), data), chunkSized("LIST", 1<<30, nil)...), want: ok},
		{name: "fmt with cbSize 0", file: wavFile(chunk("fmt ", append(fmtBody(tagPCM, 1, 16000, 2, 16), 0, 0)), data), want: ok},
		{name: "fmt with odd extra bytes", file: wavFile(chunk("fmt ", append(fmtBody(tagPCM, 1, 16000, 2, 16), 2, 0, 9)), data), want: ok},
		{name: "extensible PCM", file: wavFile(extFmt(1, 16000, 2, 16, 16, tagPCM), data), want: ok},
		{name: "extensible PCM, valid bits 12", file: wavFile(extFmt(1, 16000, 2, 16, 12, tagPCM), data), want: ok},
		{name: "extensible PCM, valid bits 0", file: wavFile(extFmt(1, 16000, 2, 16, 0, tagPCM), data), want: ok},
		{name: "streamed (0xFFFFFFFF)", file: wavFile(pcmFmt(16000), chunkSized("data", 0xFFFFFFFF, pcmData(someSamples...))), want: ok},
		{name: "streamed by sox (0x7FFFF000)", file: wavFile(pcmFmt(16000), chunkSized("data", 0x7FFFF000, pcmData(someSamples...))), want: ok},
		{name: "streamed, empty", file: wavFile(pcmFmt(16000), chunkSized("data", 0xFFFFFFFF, nil)), want: PCM{Rate: 16000, Samples: []int16{}}},

		{name: "empty", file: nil, err: "empty file; want a RIFF/WAVE file"},
		{name: "5 bytes", file: []byte("RIFF\x00"), err: "not a RIFF/WAVE file (only 5 bytes)"},
		{name: "not RIFF", file: []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00"), err: "not a RIFF/WAVE file"},
		{name: "RIFX", file: append([]byte("RIFX"), wavFile(pcmFmt(16000), data)[4:]...), err: "is RIFX (big-endian WAV); want RIFF"},
		{name: "RF64", file: append([]byte("RF64"), wavFile(pcmFmt(16000), data)[4:]...), err: "is RF64 (a WAV beyond 4 GiB); want RIFF"},
		{name: "AVI", file: riffFile("AVI ", chunk("hdrl", nil)), err: `is RIFF "AVI ", not WAVE`},
		{name: "binary form type", file: riffFile("\x00\xffab"), err: `is RIFF "??ab", not WAVE`},
		{name: "no chunks", file: wavFile(), err: "no fmt chunk"},
		{name: "no data", file: wavFile(pcmFmt(16000)), err: "no data chunk"},
		{name: "data first", file: wavFile(data, pcmFmt(16000)), err: "data chunk comes before the fmt chunk"},
		{name: "two fmt", file: wavFile(pcmFmt(16000), pcmFmt(16000), data), err: "has two fmt chunks"},
		{name: "short fmt", file: wavFile(chunk("fmt ", fmtBody(tagPCM, 1, 16000, 2, 16)[:14]), data), err: "fmt chunk has 14 bytes; want at least 16"},
		{name: "float", file: wavFile(fmtChunk(tagFloat, 1, 16000, 4, 32), data),
			err: "is IEEE float, want 16-bit PCM (e.g. sox in.wav -e signed-integer -b 16 out.wav)"},
		{name: "mu-law", file: wavFile(fmtChunk(tagMuLaw, 1, 8000, 1, 8), data), err: "is mu-law, want 16-bit PCM"},
		{name: "A-law", file: wavFile(fmtChunk(tagALaw, 1, 8000, 1, 8), data), err: "is A-law, want 16-bit PCM"},
		{name: "unknown tag", file: wavFile(fmtChunk(0x1234, 1, 8000, 2, 16), data), err: "is format 0x1234, want 16-bit PCM"},
		{name: "extensible float", file: wavFile(extFmt(1, 16000, 4, 32, 32, tagFloat), data), err: "is IEEE float, want 16-bit PCM"},
		{name: "extensible bad GUID", file: wavFile(extFmt(1, 16000, 2, 16, 16, tagPCM, make([]byte, 14)...), data),
			err: "is WAVE_FORMAT_EXTENSIBLE with an unknown subformat GUID; want 16-bit PCM"},
		{name: "extensible without subformat", file: wavFile(chunk("fmt ", append(fmtBody(tagExtensible, 1, 16000, 2, 16), 0, 0)), data),
			err: "is WAVE_FORMAT_EXTENSIBLE but its fmt chunk has no subformat (18 bytes; want 40)"},
		{name: "extensible, cbSize too small", file: wavFile(chunk("fmt ", append(fmtBody(tagExtensible, 1, 16000, 2, 16), make([]byte, 24)...)), data),
			err: "is WAVE_FORMAT_EXTENSIBLE but its fmt chunk has no subformat (40 bytes; want 40)"},
		{name: "extensible, 20 valid bits", file: wavFile(extFmt(1, 16000, 2, 16, 20, tagPCM), data), err: "has 20 valid bits in 16-bit samples"},
		{name: "stereo", file: wavFile(fmtChunk(tagPCM, 2, 16000, 4, 16), data), err: "has 2 channels; want mono (e.g. sox in.wav -c 1 out.wav)"},
		{name: "extensible stereo", file: wavFile(extFmt(2, 16000, 4, 16, 16, tagPCM), data), err: "has 2 channels; want mono"},
		{name: "no channels", file: wavFile(fmtChunk(tagPCM, 0, 16000, 2, 16), data), err: "has 0 channels; want mono"},
		{name: "8-bit", file: wavFile(fmtChunk(tagPCM, 1, 16000, 1, 8), data), err: "has 8-bit samples, want 16-bit (e.g. sox in.wav -b 16 out.wav)"},
		{name: "24-bit", file: wavFile(fmtChunk(tagPCM, 1, 16000, 3, 24), data), err: "has 24-bit samples, want 16-bit"},
		{name: "block align 4", file: wavFile(fmtChunk(tagPCM, 1, 16000, 4, 16), data), err: "has block align 4; want 2 (16-bit mono)"},
		{name: "rate 0", file: wavFile(pcmFmt(0), data), err: "has sample rate 0; want 1..2147483647"},
		{name: "rate 2^31", file: wavFile(pcmFmt(1<<31), data), err: "has sample rate 2147483648; want 1..2147483647"},
		{name: "odd data", file: wavFile(pcmFmt(16000), chunk("data", []byte{1, 2, 3})),
			err: "data chunk has an odd size, 3 bytes; 16-bit samples take 2 bytes each"},
		{name: "streamed, odd trailing byte", file: wavFile(pcmFmt(16000), chunkSized("data", 0xFFFFFFFF, []byte{1, 2, 3, 4, 5})),
			err: "odd trailing byte after 2 samples of the data chunk"},

		{name: "truncated data", file: wavFile(pcmFmt(16000), chunkSized("data", 8, pcmData(1, 2))),
			err: "truncated: data chunk declares 8 bytes, file ends after 4", truncated: true},
		{name: "truncated data, odd", file: wavFile(pcmFmt(16000), chunkSized("data", 8, []byte{1, 2, 3})),
			err: "truncated: data chunk declares 8 bytes, file ends after 3", truncated: true},
		{name: "truncated data, nothing", file: wavFile(pcmFmt(16000), chunkSized("data", 8, nil)),
			err: "truncated: data chunk declares 8 bytes, file ends after 0", truncated: true},
		{name: "huge data", file: wavFile(pcmFmt(16000), chunkSized("data", 0xFFFFFFF0, pcmData(someSamples...))),
			err: "truncated: data chunk declares 4294967280 bytes, file ends after 14", truncated: true},
		{name: "truncated chunk header", file: append(wavFile(pcmFmt(16000)), "dat"...),
			err: "truncated: file ends inside a chunk header, after 39 bytes", truncated: true},
		{name: "truncated LIST", file: wavFile(chunkSized("LIST", 100, make([]byte, 10))),
			err: `truncated: "LIST" chunk declares 100 bytes, file ends after 10`, truncated: true},
		{name: "huge LIST", file: wavFile(chunkSized("LIST", 0xFFFFFFFF, make([]byte, 10))),
			err: `truncated: "LIST" chunk declares 4294967295 bytes, file ends after 10`, truncated: true},
		{name: "binary chunk id", file: wavFile(chunkSized("\x00\x01ab", 100, nil)),
			err: `truncated: "??ab" chunk declares 100 bytes, file ends after 0`, truncated: true},
		{name: "truncated fmt", file: wavFile(chunkSized("fmt ", 16, make([]byte, 8))),
			err: `truncated: "fmt " chunk declares 16 bytes, file ends after 8`, truncated: true},
		{name: "truncated long fmt", file: wavFile(chunkSized("fmt ", 1000, fmtBody(tagPCM, 1, 16000, 2, 16))),
			err: `truncated: "fmt " chunk declares 1000 bytes, file ends after 16`, truncated: true},
	}
}

func checkRead(t *testing.T, tt wavCase, p PCM, err error, prefix string) {
	t.Helper()
	if tt.err != "" {
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), prefix+tt.err), "error %q, want %q...", err, prefix+tt.err)
		assert.NotContains(t, err.Error(), "\n")
		assert.Equal(t, tt.truncated, errors.Is(err, ErrTruncated), "wraps ErrTruncated")
		assert.Zero(t, p)
		return
	}
	require.NoError(t, err)
	assert.Equal(t, tt.want.Rate, p.Rate)
	assert.Equal(t, tt.want.Samples, p.Samples)
}

func TestReadWAV(t *testing.T) {
	for _, tt := range wavCases() {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ReadWAV(bytes.NewReader(tt.file))
			checkRead(t, tt, p, err, "wav: ")
			// a reader that returns one byte at a time reads the same
			p, err = ReadWAV(iotest.OneByteReader(bytes.NewReader(tt.file)))
			checkRead(t, tt, p, err, "wav: ")
		})
	}
}

func TestReadWAVFile(t *testing.T) {
	dir := t.TempDir()
	for i, tt := range wavCases() {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "case"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+".wav")
			require.NoError(t, os.WriteFile(path, tt.file, 0o644))
			tt.err = strings.ReplaceAll(tt.err, "sox in.wav", "sox "+path)
			p, err := ReadWAVFile(path)
			checkRead(t, tt, p, err, path+": ")
		})
	}
	_, err := ReadWAVFile(filepath.Join(dir, "missing.wav"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "missing.wav")
}

func TestReadWAVReaderError(t *testing.T) {
	file := wavFile(pcmFmt(16000), chunk("data", pcmData(someSamples...)))
	boom := errors.New("boom")
	for n := 0; n < len(file); n++ {
		r := iotest.DataErrReader(&failAfter{b: file, n: n, err: boom})
		_, err := ReadWAV(r)
		require.ErrorIs(t, err, boom, "failing after %d bytes", n)
	}
}

// failAfter reads b and fails with err after n bytes.
type failAfter struct {
	b   []byte
	n   int
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	k := copy(p[:min(len(p), f.n)], f.b)
	f.b, f.n = f.b[k:], f.n-k
	return k, nil
}

// TestReadWAVBoundedMemory reads files whose headers declare 4 GiB: the
// reader must not allocate by the header.
func TestReadWAVBoundedMemory(t *testing.T) {
	files := map[string][]byte{
		"data": wavFile(pcmFmt(16000), chunkSized("data", 0xFFFFFFF0, pcmData(someSamples...))),
		"LIST": wavFile(chunkSized("LIST", 0xFFFFFFFE, make([]byte, 100))),
		"fmt":  wavFile(chunkSized("fmt ", 0xFFFFFFFE, fmtBody(tagPCM, 1, 16000, 2, 16))),
	}
	dir := t.TempDir()
	for name, file := range files {
		path := filepath.Join(dir, name+".wav")
		require.NoError(t, os.WriteFile(path, file, 0o644))
		alloc := allocated(func() {
			_, err := ReadWAV(bytes.NewReader(file))
			assert.ErrorIs(t, err, ErrTruncated)
			_, err = ReadWAVFile(path)
			assert.ErrorIs(t, err, ErrTruncated)
		})
		assert.Less(t, alloc, uint64(1<<20), "%s: %d bytes allocated", name, alloc)
	}
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestReadWAVDamaged truncates a file at every length and flips every bit
// of its header: the reader errs (a cut is always noticed) or reads
// something valid, and never panics.
func TestReadWAVDamaged(t *testing.T) {
	s := make([]int16, 300)
	for i := range s {
		s[i] = int16(i * 211)
	}
	var buf bytes.Buffer
	require.NoError(t, WriteWAV(&buf, PCM{Rate: 16000, Samples: s}))
	file := buf.Bytes()
	for n := range len(file) {
		_, err := ReadWAV(bytes.NewReader(file[:n]))
		require.Error(t, err, "cut at %d", n)
		assert.NotContains(t, err.Error(), "\n")
	}
	for i := range wavHeaderSize * 8 {
		b := bytes.Clone(file)
		b[i/8] ^= 1 << (i % 8)
		p, err := ReadWAV(bytes.NewReader(b))
		if err != nil {
			assert.NotContains(t, err.Error(), "\n")
			continue
		}
		assert.True(t, p.Rate >= 1 && len(p.Samples) <= len(s), "flip %d: rate %d, %d samples", i, p.Rate, len(p.Samples))
	}
}
