package audio

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRawRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, writeBuffer/2 + 1, 70001} {
		s := noise(n, 5)
		var buf bytes.Buffer
		w := NewRawWriter(&buf)
		writeInPieces(t, w, s)
		require.NoError(t, w.Close())
		assert.True(t, bytes.Equal(pcmData(s...), buf.Bytes()), "n=%d: bytes", n)
		p, err := ReadRaw(&buf, 16000)
		require.NoError(t, err)
		assert.Equal(t, 16000, p.Rate)
		assert.Equal(t, s, p.Samples[:len(p.Samples):len(p.Samples)])
		assert.Equal(t, errClosed, w.WriteSamples([]int16{1}))
		assert.NoError(t, w.Abort())
	}
}

func TestReadRawErrors(t *testing.T) {
	_, err := ReadRaw(bytes.NewReader([]byte{1, 2, 3}), 16000)
	assert.EqualError(t, err, "raw audio: odd trailing byte after 1 samples")
	boom := errors.New("boom")
	_, err = ReadRaw(&failAfter{b: make([]byte, 100), n: 50, err: boom}, 16000)
	assert.ErrorIs(t, err, boom)
}

func TestRawWriterErrors(t *testing.T) {
	// a broken pipe: the reader has gone
	pr, pw := io.Pipe()
	pr.Close()
	w := NewRawWriter(pw)
	require.NoError(t, w.WriteSamples([]int16{1, 2}), "buffered")
	err := w.Close()
	assert.ErrorIs(t, err, io.ErrClosedPipe)
	assert.ErrorIs(t, w.WriteSamples([]int16{1}), io.ErrClosedPipe, "sticky")
	assert.ErrorIs(t, w.Close(), io.ErrClosedPipe, "sticky")

	// a failure while the buffer fills
	boom := errors.New("boom")
	w = NewRawWriter(&failWriter{n: 100, err: boom})
	err = nil
	for range 10 {
		if err = w.WriteSamples(noise(10000, 4)); err != nil {
			break
		}
	}
	assert.ErrorIs(t, err, boom)

	// Abort drops the buffer
	var buf bytes.Buffer
	w = NewRawWriter(&buf)
	require.NoError(t, w.WriteSamples([]int16{1, 2}))
	require.NoError(t, w.Abort())
	assert.Zero(t, buf.Len())
	assert.Equal(t, errClosed, w.Close())
}

func TestDuration(t *testing.T) {
	tests := []struct {
		p    PCM
		want time.Duration
	}{
		{PCM{Rate: 16000, Samples: make([]int16, 16000)}, time.Second},
		{PCM{Rate: 16000, Samples: make([]int16, 24000)}, 1500 * time.Millisecond},
		{PCM{Rate: 3, Samples: make([]int16, 1)}, 333333333 * time.Nanosecond},
		{PCM{Rate: 0, Samples: make([]int16, 10)}, 0},
		{PCM{Rate: 16000}, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.p.Duration())
	}
}

func TestCheckRate(t *testing.T) {
	p := PCM{Rate: 22050}
	assert.NoError(t, CheckRate("x.wav", p, 22050))
	assert.EqualError(t, CheckRate("rec.wav", p, 16000),
		"rec.wav: sample rate 22050 Hz; the model wants 16000 Hz (resample: sox rec.wav -r 16000 out.wav)")
	assert.EqualError(t, CheckRate("my rec's.wav", p, 16000),
		`my rec's.wav: sample rate 22050 Hz; the model wants 16000 Hz (resample: sox 'my rec'\''s.wav' -r 16000 out.wav)`)
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a.wav", "a.wav"},
		{"/tmp/x_1-2+3.wav", "/tmp/x_1-2+3.wav"},
		{"", "''"},
		{"-x.wav", "./-x.wav"},
		{"a b.wav", "'a b.wav'"},
		{"$(rm).wav", "'$(rm).wav'"},
		{"it's", `'it'\''s'`},
		{"é.wav", "'é.wav'"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, shellQuote(tt.in), tt.in)
	}
}
