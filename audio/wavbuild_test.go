package audio

import (
	"encoding/binary"
)

// Builders of RIFF/WAVE files, byte by byte, for the reader's tests.

// riffFile is "RIFF", the size of what follows, form and the chunks.
func riffFile(form string, chunks ...[]byte) []byte {
	var body []byte
	body = append(body, form...)
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(append([]byte("RIFF"), le32(uint32(len(body)))...), body...)
}

// wavFile is riffFile("WAVE", chunks...).
func wavFile(chunks ...[]byte) []byte { return riffFile("WAVE", chunks...) }

// chunk is a chunk with its real size and a pad byte if that is odd.
func chunk(id string, data []byte) []byte {
	c := chunkSized(id, uint32(len(data)), data)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// chunkSized is a chunk header declaring size, then data as given.
func chunkSized(id string, size uint32, data []byte) []byte {
	c := append([]byte(id), le32(size)...)
	return append(c, data...)
}

// fmtChunk is a 16-byte fmt chunk.
func fmtChunk(tag, channels uint16, rate uint32, align, bits uint16) []byte {
	return chunk("fmt ", fmtBody(tag, channels, rate, align, bits))
}

func fmtBody(tag, channels uint16, rate uint32, align, bits uint16) []byte {
	var b []byte
	b = append(b, le16(tag)...)
	b = append(b, le16(channels)...)
	b = append(b, le32(rate)...)
	b = append(b, le32(rate*uint32(align))...)
	b = append(b, le16(align)...)
	return append(b, le16(bits)...)
}

// pcmFmt is the fmt chunk of 16-bit mono PCM at rate.
func pcmFmt(rate uint32) []byte { return fmtChunk(tagPCM, 1, rate, 2, 16) }

// extFmt is a 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk with subformat sub
// (and the standard GUID tail unless tail is given).
func extFmt(channels uint16, rate uint32, align, bits, valid, sub uint16, tail ...byte) []byte {
	b := fmtBody(tagExtensible, channels, rate, align, bits)
	b = append(b, le16(22)...)
	b = append(b, le16(valid)...)
	b = append(b, le32(4)...) // channel mask: front centre
	b = append(b, le16(sub)...)
	if tail == nil {
		tail = ksGUIDTail
	}
	return chunk("fmt ", append(b, tail...))
}

// pcmData is the little-endian bytes of s.
func pcmData(s ...int16) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, v := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
