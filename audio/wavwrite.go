package audio

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// wavHeaderSize is the size of the header WriteWAV and WAVWriter write:
// RIFF header, a 16-byte fmt chunk and the data chunk's header.
const wavHeaderSize = 44

// MaxWAVSamples is the most samples a WAV file holds: the RIFF size,
// 36 + 2 × samples, is a 32-bit number.
const MaxWAVSamples = (1<<32 - 1 - (wavHeaderSize - 8)) / 2

// wavHeader returns the header of a 16-bit mono WAVE_FORMAT_PCM file at rate
// samples per second with dataSize bytes of samples, and the RIFF size
// dataSize + 36 (both saturate at 0xFFFFFFFF, the streaming placeholder).
func wavHeader(rate int, dataSize uint32) [wavHeaderSize]byte {
	var h [wavHeaderSize]byte
	le := binary.LittleEndian
	riff := uint32(0xFFFFFFFF)
	if dataSize <= 0xFFFFFFFF-(wavHeaderSize-8) {
		riff = dataSize + wavHeaderSize - 8
	}
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], riff)
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], fmtBaseSize)
	le.PutUint16(h[20:], tagPCM)
	le.PutUint16(h[22:], 1) // channels
	le.PutUint32(h[24:], uint32(rate))
	le.PutUint32(h[28:], uint32(2*rate)) // byte rate
	le.PutUint16(h[32:], 2)              // block align
	le.PutUint16(h[34:], 16)             // bits per sample
	copy(h[36:], "data")
	le.PutUint32(h[40:], dataSize)
	return h
}

// WriteWAV writes p as a 16-bit mono WAVE_FORMAT_PCM file (a 44-byte
// header, then the samples little-endian). It returns an error, writing
// nothing, unless 1 ≤ p.Rate ≤ MaxRate and len(p.Samples) ≤ MaxWAVSamples,
// and otherwise the first error of w.
func WriteWAV(w io.Writer, p PCM) error {
	if err := checkRate(p.Rate); err != nil {
		return err
	}
	if int64(len(p.Samples)) > MaxWAVSamples {
		return fmt.Errorf("audio: %d samples; a WAV file holds at most %d", len(p.Samples), int64(MaxWAVSamples))
	}
	h := wavHeader(p.Rate, uint32(2*len(p.Samples)))
	bw := bufio.NewWriterSize(w, writeBuffer)
	if _, err := bw.Write(h[:]); err != nil {
		return err
	}
	if err := putSamples(bw, p.Samples); err != nil {
		return err
	}
	return bw.Flush()
}

// writeBuffer is the buffer size of the sample writers.
const writeBuffer = 1 << 16

// putSamples appends s to bw as little-endian int16 without allocating.
func putSamples(bw *bufio.Writer, s []int16) error {
	for len(s) > 0 {
		if bw.Available() < 2 {
			if err := bw.Flush(); err != nil {
				return err
			}
		}
		b := bw.AvailableBuffer()
		k := min(len(s), cap(b)/2)
		for _, v := range s[:k] {
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
		s = s[k:]
	}
	return nil
}
