package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrTruncated is wrapped by the errors of ReadWAV, ReadWAVFile and ReadRaw
// when the input ends before what its header declares (or inside a sample).
var ErrTruncated = errors.New("truncated")

// Streaming writers that cannot seek back leave one of these in the data
// chunk's size: ReadWAV then reads the samples up to the end of the input.
const (
	streamSize    = 0xFFFFFFFF // the convention of ffmpeg and others
	streamSizeSox = 0x7FFFF000 // what sox writes to a pipe
)

// readBlock is how many bytes of samples a reader takes at a time; sample
// memory grows with what has really been read, never with a declared size.
const readBlock = 1 << 16

// ReadWAV reads a RIFF/WAVE file of mono 16-bit linear PCM:
// WAVE_FORMAT_PCM, or WAVE_FORMAT_EXTENSIBLE with the PCM subformat. Chunks
// other than fmt and data are skipped; nothing after the data chunk is read.
// A data chunk whose size is the streaming placeholder 0xFFFFFFFF (or sox's
// 0x7FFFF000) extends to the end of the input.
//
// Every error is one line, prefixed "wav: ", that names the problem: not a
// RIFF/WAVE file, not PCM ("is IEEE float, want 16-bit PCM ..."), not 16
// bits, not mono ("has 2 channels; want mono (e.g. sox in.wav -c 1
// out.wav)"), a chunk that the input ends inside ("data chunk declares N
// bytes, file ends after M"; wraps ErrTruncated), an odd-sized data chunk
// or odd trailing byte. Where sox converts the file the error gives the
// command. ReadWAV never panics, and allocates memory in proportion to the
// bytes it has actually read, whatever the header says.
func ReadWAV(r io.Reader) (PCM, error) {
	p, err := readWAV(r, "in.wav", -1)
	if err != nil {
		return PCM{}, fmt.Errorf("wav: %w", err)
	}
	return p, nil
}

// ReadWAVFile reads the WAV file at path as ReadWAV does; its errors start
// with the path, and the sox commands they suggest name the file. A declared
// size beyond the file's real size is reported before anything is read.
func ReadWAVFile(path string) (PCM, error) {
	f, err := os.Open(path)
	if err != nil {
		return PCM{}, err
	}
	defer f.Close()
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	p, err := readWAV(f, path, size)
	if err != nil {
		return PCM{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// readWAV is ReadWAV; hint names the file in suggested commands and size is
// the input's length in bytes (-1 if unknown).
func readWAV(r io.Reader, hint string, size int64) (PCM, error) {
	c := &counter{r: r}
	var hdr [fmtExtSize]byte
	if n, err := io.ReadFull(c, hdr[:12]); err != nil {
		if n == 0 && err == io.EOF {
			return PCM{}, errors.New("empty file; want a RIFF/WAVE file")
		}
		if err == io.ErrUnexpectedEOF {
			return PCM{}, fmt.Errorf("not a RIFF/WAVE file (only %d bytes)", n)
		}
		return PCM{}, err
	}
	if err := checkRIFF(hdr[:12]); err != nil {
		return PCM{}, err
	}

	var f *wavFormat
	for {
		if n, err := io.ReadFull(c, hdr[:8]); err != nil {
			switch {
			case n == 0 && err == io.EOF && f == nil:
				return PCM{}, errors.New("no fmt chunk")
			case n == 0 && err == io.EOF:
				return PCM{}, errors.New("no data chunk")
			case err == io.ErrUnexpectedEOF:
				return PCM{}, fmt.Errorf("%w: file ends inside a chunk header, after %d bytes", ErrTruncated, c.n)
			}
			return PCM{}, err
		}
		id := string(hdr[:4])
		n := binary.LittleEndian.Uint32(hdr[4:8])
		switch id {
		case "fmt ":
			if f != nil {
				return PCM{}, errors.New("has two fmt chunks")
			}
			if n < fmtBaseSize {
				return PCM{}, fmt.Errorf("fmt chunk has %d bytes; want at least %d", n, fmtBaseSize)
			}
			head := min(n, fmtExtSize)
			if got, err := io.ReadFull(c, hdr[:head]); err != nil {
				return PCM{}, chunkErr(id, n, int64(got), err)
			}
			if err := skip(c, id, n, int64(head)); err != nil {
				return PCM{}, err
			}
			pf, err := parseFmt(hdr[:head], n)
			if err != nil {
				return PCM{}, err
			}
			f = &pf
		case "data":
			if f == nil {
				return PCM{}, errors.New("data chunk comes before the fmt chunk")
			}
			rate, err := f.check(hint)
			if err != nil {
				return PCM{}, err
			}
			left := int64(-1)
			if size >= 0 {
				left = size - c.n
			}
			s, err := readData(c, n, left)
			if err != nil {
				return PCM{}, err
			}
			return PCM{Rate: rate, Samples: s}, nil
		default:
			if err := skip(c, id, n, 0); err != nil {
				return PCM{}, err
			}
		}
	}
}

// checkRIFF checks the 12-byte RIFF header: "RIFF", a size (ignored: many
// writers get it wrong, and the data chunk's own size decides), "WAVE".
func checkRIFF(h []byte) error {
	switch string(h[:4]) {
	case "RIFF":
	case "RIFX":
		return errors.New("is RIFX (big-endian WAV); want RIFF (e.g. sox in.wav -L out.wav)")
	case "RF64", "BW64":
		return fmt.Errorf("is %s (a WAV beyond 4 GiB); want RIFF", h[:4])
	default:
		return errors.New("not a RIFF/WAVE file")
	}
	if string(h[8:12]) != "WAVE" {
		return fmt.Errorf("is RIFF %q, not WAVE", printable(h[8:12]))
	}
	return nil
}

// skip discards the rest of a chunk of n bytes of which done are read, and
// its pad byte if n is odd.
func skip(c *counter, id string, n uint32, done int64) error {
	want := int64(n) - done + int64(n&1)
	got, err := io.CopyN(io.Discard, c, want)
	if err != nil {
		if err == io.EOF && n&1 == 1 && got == want-1 {
			return nil // a missing pad byte at the very end: harmless
		}
		return chunkErr(id, n, done+got, err)
	}
	return nil
}

// chunkErr reports the input ending (err) after got of a chunk's n bytes.
func chunkErr(id string, n uint32, got int64, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: %q chunk declares %d bytes, file ends after %d", ErrTruncated, printable([]byte(id)), n, got)
	}
	return err
}

// readData reads a data chunk of n bytes (or to the end of the input for a
// streaming size); left is the number of bytes the input has left, or -1
// if unknown.
func readData(c *counter, n uint32, left int64) ([]int16, error) {
	stream := n == streamSize || n == streamSizeSox
	if !stream {
		if n&1 == 1 {
			return nil, fmt.Errorf("data chunk has an odd size, %d bytes; 16-bit samples take 2 bytes each", n)
		}
		if left >= 0 && int64(n) > left {
			return nil, fmt.Errorf("%w: data chunk declares %d bytes, file ends after %d", ErrTruncated, n, left)
		}
	}
	want := int64(-1) // bytes to read; -1: to the end
	if !stream {
		want = int64(n)
	}
	var capHint int64 = readBlock / 2
	switch {
	case left >= 0 && (want < 0 || left < want):
		capHint = left / 2 // known to exist
	case left >= 0:
		capHint = want / 2
	}
	s, got, err := readSamples(c, want, capHint)
	if err != nil {
		return nil, err
	}
	switch {
	case stream && got&1 == 1:
		return nil, fmt.Errorf("odd trailing byte after %d samples of the data chunk", len(s))
	case !stream && got < want:
		return nil, fmt.Errorf("%w: data chunk declares %d bytes, file ends after %d", ErrTruncated, n, got)
	}
	return s, nil
}

// readSamples reads up to want bytes (all of r if want < 0) of
// little-endian int16 samples, growing the slice from capHint samples as
// blocks arrive. It returns the samples, the bytes read (an odd last byte is
// counted but not returned) and any error but the input's end.
func readSamples(r io.Reader, want, capHint int64) ([]int16, int64, error) {
	buf := make([]byte, readBlock)
	s := make([]int16, 0, capHint)
	var got int64
	for want < 0 || got < want {
		b := buf
		if want >= 0 && want-got < int64(len(b)) {
			b = b[:want-got]
		}
		m, err := io.ReadFull(r, b)
		got += int64(m)
		for i := 0; i+1 < m; i += 2 {
			s = append(s, int16(binary.LittleEndian.Uint16(b[i:])))
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, got, err
		}
	}
	return s, got, nil
}

// printable returns b with bytes outside printable ASCII replaced by '?',
// for chunk names in errors.
func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}
