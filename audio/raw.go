package audio

import (
	"bufio"
	"fmt"
	"io"
)

// ReadRaw reads raw audio, signed 16-bit little-endian samples with no
// header, to the end of r, as PCM at rate samples per second. An odd
// trailing byte is an error. Memory grows with the bytes actually read.
func ReadRaw(r io.Reader, rate int) (PCM, error) {
	if err := checkRate(rate); err != nil {
		return PCM{}, err
	}
	s, got, err := readSamples(r, -1, readBlock/2)
	if err != nil {
		return PCM{}, err
	}
	if got&1 == 1 {
		return PCM{}, fmt.Errorf("raw audio: odd trailing byte after %d samples", len(s))
	}
	return PCM{Rate: rate, Samples: s}, nil
}

// RawWriter writes samples as raw audio (signed 16-bit little-endian, no
// header) through a buffer, e.g. to standard output.
type RawWriter struct {
	bw  *bufio.Writer
	err error // sticky: the first error, or errClosed
}

// NewRawWriter returns a RawWriter to w.
func NewRawWriter(w io.Writer) *RawWriter {
	return &RawWriter{bw: bufio.NewWriterSize(w, writeBuffer)}
}

// WriteSamples appends s to the buffer, writing it out as it fills, and
// returns the first write error (e.g. a broken pipe); it does not allocate.
func (w *RawWriter) WriteSamples(s []int16) error {
	if w.err != nil {
		return w.err
	}
	if err := putSamples(w.bw, s); err != nil {
		w.err = err
	}
	return w.err
}

// Close writes out the buffered samples; it does not close the underlying
// writer.
func (w *RawWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = err
		return err
	}
	w.err = errClosed
	return nil
}

// Abort drops the buffered samples; what was written out stays written.
func (w *RawWriter) Abort() error {
	if w.err == nil {
		w.err = errClosed
	}
	return nil
}
