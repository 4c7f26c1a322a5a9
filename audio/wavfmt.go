package audio

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// WAVE format tags (the fmt chunk's wFormatTag, or an extensible file's
// subformat).
const (
	tagPCM        = 0x0001
	tagADPCM      = 0x0002
	tagFloat      = 0x0003
	tagALaw       = 0x0006
	tagMuLaw      = 0x0007
	tagIMAADPCM   = 0x0011
	tagGSM        = 0x0031
	tagMP3        = 0x0055
	tagExtensible = 0xFFFE
)

// fmt chunk sizes: the common part, and the whole of a
// WAVE_FORMAT_EXTENSIBLE chunk (cbSize = 22).
const (
	fmtBaseSize = 16
	fmtExtSize  = 40
)

// ksGUIDTail is bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID whose first
// two bytes are a format tag (xxxx0000-0000-0010-8000-00aa00389b71).
var ksGUIDTail = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// wavFormat is a parsed fmt chunk.
type wavFormat struct {
	tag        uint16 // the subformat's tag for an extensible file
	extensible bool
	channels   uint16
	rate       uint32
	blockAlign uint16
	bits       uint16
	validBits  uint16 // extensible only
}

// parseFmt parses the first min(size, 40) bytes b of a fmt chunk of size
// bytes (size ≥ 16).
func parseFmt(b []byte, size uint32) (wavFormat, error) {
	le := binary.LittleEndian
	f := wavFormat{
		tag:        le.Uint16(b[0:]),
		channels:   le.Uint16(b[2:]),
		rate:       le.Uint32(b[4:]),
		blockAlign: le.Uint16(b[12:]),
		bits:       le.Uint16(b[14:]),
	}
	if f.tag != tagExtensible {
		return f, nil
	}
	f.extensible = true
	if size < fmtExtSize || le.Uint16(b[16:]) < fmtExtSize-18 {
		return f, fmt.Errorf("is WAVE_FORMAT_EXTENSIBLE but its fmt chunk has no subformat (%d bytes; want %d)", size, fmtExtSize)
	}
	f.validBits = le.Uint16(b[18:])
	f.tag = le.Uint16(b[24:])
	if !bytes.Equal(b[26:40], ksGUIDTail) {
		return f, fmt.Errorf("is WAVE_FORMAT_EXTENSIBLE with an unknown subformat GUID; want 16-bit PCM")
	}
	return f, nil
}

// check returns the sample rate if f is 16-bit mono PCM, else an error that
// says what f is and (hint being the file's name) how sox converts it.
func (f wavFormat) check(hint string) (int, error) {
	q := shellQuote(hint)
	if f.tag != tagPCM {
		return 0, fmt.Errorf("is %s, want 16-bit PCM (e.g. sox %s -e signed-integer -b 16 out.wav)", tagName(f.tag), q)
	}
	switch {
	case f.channels == 0:
		return 0, fmt.Errorf("has 0 channels; want mono")
	case f.channels != 1:
		return 0, fmt.Errorf("has %d channels; want mono (e.g. sox %s -c 1 out.wav)", f.channels, q)
	case f.bits != 16:
		return 0, fmt.Errorf("has %d-bit samples, want 16-bit (e.g. sox %s -b 16 out.wav)", f.bits, q)
	case f.blockAlign != 2:
		return 0, fmt.Errorf("has block align %d; want 2 (16-bit mono)", f.blockAlign)
	case f.extensible && f.validBits > 16:
		return 0, fmt.Errorf("has %d valid bits in 16-bit samples", f.validBits)
	case f.rate == 0 || f.rate > MaxRate:
		return 0, fmt.Errorf("has sample rate %d; want 1..%d", f.rate, MaxRate)
	}
	return int(f.rate), nil
}

// tagName names a WAVE format tag for an error.
func tagName(tag uint16) string {
	switch tag {
	case tagFloat:
		return "IEEE float"
	case tagALaw:
		return "A-law"
	case tagMuLaw:
		return "mu-law"
	case tagADPCM:
		return "Microsoft ADPCM"
	case tagIMAADPCM:
		return "IMA ADPCM"
	case tagGSM:
		return "GSM 6.10"
	case tagMP3:
		return "MPEG layer 3"
	}
	return fmt.Sprintf("format 0x%04x", tag)
}
