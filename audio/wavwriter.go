package audio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// errClosed is returned by a WAVWriter or RawWriter used after Close or
// Abort.
var errClosed = errors.New("audio: writer already closed")

// WAVWriter streams samples into a 16-bit mono WAV file whose length is
// unknown until Close. It writes a header whose sizes are the streaming
// placeholder 0xFFFFFFFF (which ReadWAV reads to the end of the file) and
// patches the real sizes at Close.
type WAVWriter struct {
	ws    io.WriteSeeker
	bw    *bufio.Writer
	start int64 // offset of the header in ws
	rate  int
	n     int64 // samples written
	err   error // sticky: the first error, or errClosed

	// CreateWAV only: the temporary file (nil once closed), its name (""
	// once renamed or removed) and the final path.
	f    *os.File
	tmp  string
	path string
}

// NewWAVWriter starts a WAV file at rate samples per second at ws's current
// offset. Close patches the header and leaves ws at the end of the file
// without closing it; Abort leaves ws as it is.
func NewWAVWriter(ws io.WriteSeeker, rate int) (*WAVWriter, error) {
	if err := checkRate(rate); err != nil {
		return nil, err
	}
	start, err := ws.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("audio: WAV output must be seekable: %w", err)
	}
	w := &WAVWriter{ws: ws, bw: bufio.NewWriterSize(ws, writeBuffer), start: start, rate: rate}
	h := wavHeader(rate, streamSize)
	if _, err := w.bw.Write(h[:]); err != nil {
		return nil, err
	}
	return w, nil
}

// CreateWAV starts the WAV file path at rate samples per second. The
// samples go to a temporary file in path's directory, which Close renames
// to path (replacing any file there, with permissions 0644), and which Abort
// or a failing Close removes: path is never left holding a partial file.
func CreateWAV(path string, rate int) (*WAVWriter, error) {
	if err := checkRate(rate); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	w, err := NewWAVWriter(f, rate)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	w.f, w.tmp, w.path = f, f.Name(), path
	return w, nil
}

// WriteSamples appends s to the file. It fails if the file would exceed
// MaxWAVSamples, and returns the first write error; it does not allocate.
func (w *WAVWriter) WriteSamples(s []int16) error {
	if w.err != nil {
		return w.err
	}
	if int64(len(s)) > MaxWAVSamples-w.n {
		w.err = fmt.Errorf("audio: a WAV file holds at most %d samples", int64(MaxWAVSamples))
		return w.err
	}
	if err := putSamples(w.bw, s); err != nil {
		w.err = err
		return err
	}
	w.n += int64(len(s))
	return nil
}

// Samples returns the number of samples written so far.
func (w *WAVWriter) Samples() int64 { return w.n }

// Close writes the buffered samples and the header's real sizes and, for
// CreateWAV, renames the file into place. On any error it returns the
// error (and CreateWAV's temporary file is removed).
func (w *WAVWriter) Close() error {
	if w.err != nil {
		err := w.err
		w.Abort()
		return err
	}
	err := w.finish()
	if err != nil {
		w.err = err
		w.Abort()
		return err
	}
	w.err = errClosed
	return nil
}

// finish flushes, patches the header and renames a CreateWAV file.
func (w *WAVWriter) finish() error {
	if err := w.bw.Flush(); err != nil {
		return err
	}
	h := wavHeader(w.rate, uint32(2*w.n))
	if _, err := w.ws.Seek(w.start, io.SeekStart); err != nil {
		return err
	}
	if _, err := w.ws.Write(h[:]); err != nil {
		return err
	}
	if _, err := w.ws.Seek(w.start+wavHeaderSize+2*w.n, io.SeekStart); err != nil {
		return err
	}
	if w.f == nil {
		return nil
	}
	if err := w.f.Chmod(0o644); err != nil {
		return err
	}
	err := w.f.Close()
	w.f = nil // closed either way
	if err != nil {
		return err
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		return err
	}
	w.tmp = ""
	return nil
}

// Abort gives up the file: CreateWAV's temporary file is closed and
// removed; a NewWAVWriter's output is left as it is. Later writes fail.
func (w *WAVWriter) Abort() error {
	if w.err == nil {
		w.err = errClosed
	}
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	if w.tmp == "" {
		return nil
	}
	err := os.Remove(w.tmp)
	w.tmp = ""
	return err
}
