package format

import (
	"encoding/binary"
	"hash/crc32"
	"io"
	"math"
	"math/bits"
	"os"
	"unicode/utf8"
	"unsafe"
)

// Options adjust how a file is opened.
type Options struct {
	// SkipDataChecksum defers the CRC-32 check of the data section; call
	// [File.VerifyData] to run it later. The preamble and header are always
	// checked. Structural validation (offsets, shapes, orderings, degrees)
	// is never skipped.
	SkipDataChecksum bool
}

// Checksums reports the stored CRC-32 values of a file and whether the data
// checksum has been verified. The header checksum is always verified.
type Checksums struct {
	Preamble     uint32 // CRC-32 of preamble bytes [0, 48)
	Header       uint32 // CRC-32 of the JSON header and its padding
	Data         uint32 // CRC-32 of the data section
	DataVerified bool   // Data has been checked against the file's bytes
}

// preamble is the decoded fixed-size binary preamble.
type preamble struct {
	major, minor                uint16
	flags                       uint32
	headerLen, dataOff, dataLen uint64
	headerCRC, dataCRC, selfCRC uint32
	reserved                    [12]byte
}

// Byte offsets of preamble fields. See SPEC.md.
const (
	offMajor       = 8
	offMinor       = 10
	offFlags       = 12
	offHeaderLen   = 16
	offDataOffset  = 24
	offDataLen     = 32
	offHeaderCRC   = 40
	offDataCRC     = 44
	offPreambleCRC = 48
	offReserved    = 52
)

func decodePreamble(p []byte) preamble {
	le := binary.LittleEndian
	var pr preamble
	pr.major = le.Uint16(p[offMajor:])
	pr.minor = le.Uint16(p[offMinor:])
	pr.flags = le.Uint32(p[offFlags:])
	pr.headerLen = le.Uint64(p[offHeaderLen:])
	pr.dataOff = le.Uint64(p[offDataOffset:])
	pr.dataLen = le.Uint64(p[offDataLen:])
	pr.headerCRC = le.Uint32(p[offHeaderCRC:])
	pr.dataCRC = le.Uint32(p[offDataCRC:])
	pr.selfCRC = le.Uint32(p[offPreambleCRC:])
	copy(pr.reserved[:], p[offReserved:PreambleSize])
	return pr
}

// checkPreamble validates the preamble p (PreambleSize bytes) of a file of
// size bytes. After it succeeds, [PreambleSize, dataOff) holds the header
// and its padding and [dataOff, size) the data section.
func checkPreamble(path string, p []byte, size int64) (preamble, error) {
	if size < PreambleSize || len(p) < PreambleSize {
		return preamble{}, errorf(path, "preamble", "file is %d bytes, shorter than the %d-byte preamble", size, PreambleSize)
	}
	if string(p[:8]) != Magic {
		return preamble{}, errorf(path, "preamble.magic", "not an .arw file: first 8 bytes are %x, want %x", p[:8], Magic)
	}
	pr := decodePreamble(p)
	if pr.major != VersionMajor {
		e := errorf(path, "preamble.version", "file has format version %d.%d; this build reads version %d.x (up to %d.%d)",
			pr.major, pr.minor, VersionMajor, VersionMajor, VersionMinor)
		if pr.major > VersionMajor {
			e.Msg += "; upgrade arinfer to read it"
		}
		e.Err = ErrVersion
		return pr, e
	}
	if got := crc32.ChecksumIEEE(p[:offPreambleCRC]); got != pr.selfCRC {
		return pr, &Error{Path: path, Field: "preamble.preamble_crc",
			Msg: sprintf("stored CRC-32 %08x, computed %08x over bytes [0,48): preamble is corrupt", pr.selfCRC, got), Err: ErrChecksum}
	}
	if pr.flags != 0 {
		return pr, errorf(path, "preamble.flags", "flags are %#x, must be 0 in version %d.x", pr.flags, VersionMajor)
	}
	for _, b := range pr.reserved {
		if b != 0 {
			return pr, errorf(path, "preamble.reserved", "bytes [52,64) must be zero, found %x", pr.reserved)
		}
	}
	usize := uint64(size)
	if pr.headerLen < 2 || pr.headerLen > MaxHeaderLen {
		return pr, errorf(path, "preamble.header_len", "header length %d outside [2, %d]", pr.headerLen, MaxHeaderLen)
	}
	if pr.headerLen > usize-PreambleSize {
		return pr, errorf(path, "preamble.header_len", "header length %d runs past the end of the %d-byte file", pr.headerLen, size)
	}
	if pr.dataOff%Alignment != 0 {
		return pr, errorf(path, "preamble.data_offset", "data offset %d is not a multiple of %d", pr.dataOff, Alignment)
	}
	if pr.dataOff < PreambleSize+pr.headerLen {
		return pr, errorf(path, "preamble.data_offset", "data offset %d overlaps the header, which ends at %d", pr.dataOff, PreambleSize+pr.headerLen)
	}
	if pr.dataOff > usize {
		return pr, errorf(path, "preamble.data_offset", "data offset %d is past the end of the %d-byte file", pr.dataOff, size)
	}
	if pr.dataLen != usize-pr.dataOff {
		return pr, errorf(path, "preamble.data_len", "data section claims %d bytes from offset %d, but the file has %d bytes after it (file size %d): truncated or extended",
			pr.dataLen, pr.dataOff, usize-pr.dataOff, size)
	}
	return pr, nil
}

// parse validates the complete file image b and returns the File over it.
// b must stay valid (and unmodified) for the life of the File.
func parse(path string, b []byte, opt Options) (*File, error) {
	pr, err := checkPreamble(path, b, int64(len(b)))
	if err != nil {
		return nil, err
	}
	hdrEnd := PreambleSize + int(pr.headerLen)
	dataOff := int(pr.dataOff)
	if got := crc32.ChecksumIEEE(b[PreambleSize:dataOff]); got != pr.headerCRC {
		return nil, &Error{Path: path, Field: "preamble.header_crc",
			Msg: sprintf("stored CRC-32 %08x, computed %08x over the header bytes [64,%d): header is corrupt", pr.headerCRC, got, dataOff), Err: ErrChecksum}
	}
	for i := hdrEnd; i < dataOff; i++ {
		if b[i] != 0 {
			return nil, errorf(path, "header padding", "byte %d between the header end (%d) and the data offset (%d) is %#x, must be 0", i, hdrEnd, dataOff, b[i])
		}
	}
	js := b[PreambleSize:hdrEnd]
	if !utf8.Valid(js) {
		return nil, errorf(path, "header", "JSON header is not valid UTF-8")
	}
	h, infos, err := parseHeader(path, js, pr.minor, pr.dataLen)
	if err != nil {
		return nil, err
	}
	f := &File{
		path:    path,
		hdr:     h,
		minor:   int(pr.minor),
		tensors: infos,
		index:   make(map[string]int, len(infos)),
		data:    b[dataOff:],
		sums:    Checksums{Preamble: pr.selfCRC, Header: pr.headerCRC, Data: pr.dataCRC},
	}
	for i, t := range infos {
		f.index[t.Name] = i
	}
	// Integrity before meaning: a corrupted data byte is reported as a
	// checksum mismatch, not as a malformed ordering.
	if !opt.SkipDataChecksum {
		if err := f.VerifyData(); err != nil {
			return nil, err
		}
	}
	if err := validateArch(f); err != nil {
		return nil, err
	}
	return f, nil
}

// Read reads and validates an .arw file of size bytes from r. The whole
// file is copied into memory; float32 and int32 tensors are views of that
// copy. The data checksum is verified.
func Read(r io.ReaderAt, size int64) (*File, error) {
	return ReadOptions(r, size, Options{})
}

// ReadOptions is [Read] with options.
func ReadOptions(r io.ReaderAt, size int64, opt Options) (*File, error) {
	return readAt("", r, size, opt)
}

func readAt(path string, r io.ReaderAt, size int64, opt Options) (*File, error) {
	if size < PreambleSize {
		return nil, errorf(path, "preamble", "file is %d bytes, shorter than the %d-byte preamble", size, PreambleSize)
	}
	if size > math.MaxInt || uint64(size) > uint64(math.MaxInt)-Alignment {
		return nil, errorf(path, "", "file of %d bytes is too large for this platform", size)
	}
	var p [PreambleSize]byte
	if err := readFull(r, p[:], 0); err != nil {
		return nil, &Error{Path: path, Field: "preamble", Msg: "cannot read", Err: err}
	}
	if _, err := checkPreamble(path, p[:], size); err != nil {
		return nil, err
	}
	// The size comes from the caller, not from the file: make sure the
	// reader really holds that many bytes before allocating them.
	if err := readFull(r, p[:1], size-1); err != nil {
		return nil, &Error{Path: path, Field: "", Msg: sprintf("size is given as %d bytes but the last byte cannot be read", size), Err: err}
	}
	b := alignedBytes(int(size))
	if err := readFull(r, b, 0); err != nil {
		return nil, &Error{Path: path, Field: "", Msg: sprintf("cannot read %d bytes", size), Err: err}
	}
	return parse(path, b, opt)
}

// readFull fills p from r at off. Per the io.ReaderAt contract a complete
// read at the end of the source may come with io.EOF, which is not an error.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// alignedBytes returns a zeroed n-byte slice whose start is Alignment-aligned.
func alignedBytes(n int) []byte {
	buf := make([]uint64, (n+2*Alignment)/8)
	raw := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(buf))), len(buf)*8)
	off := int((Alignment - uintptr(unsafe.Pointer(unsafe.SliceData(raw)))%Alignment) % Alignment)
	return raw[off : off+n : off+n]
}

// Open opens, memory-maps (on unix; elsewhere reads) and validates the .arw
// file at path, including its data checksum. Close the File to release the
// mapping; tensor views must not be used after Close. As with any memory
// map, truncating the file while it is open makes later accesses fault.
func Open(path string) (*File, error) {
	return OpenOptions(path, Options{})
}

// OpenOptions is [Open] with options.
func OpenOptions(path string, opt Options) (*File, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, &Error{Path: path, Msg: "cannot open", Err: err}
	}
	defer fd.Close()
	st, err := fd.Stat()
	if err != nil {
		return nil, &Error{Path: path, Msg: "cannot stat", Err: err}
	}
	size := st.Size()
	if !st.Mode().IsRegular() {
		return nil, errorf(path, "", "not a regular file")
	}
	var p [PreambleSize]byte
	if size >= PreambleSize {
		if _, err := fd.ReadAt(p[:], 0); err != nil {
			return nil, &Error{Path: path, Field: "preamble", Msg: "cannot read", Err: err}
		}
	}
	// Validate the preamble before mapping so that a foreign or oversized
	// file is refused without touching the rest of it.
	if _, err := checkPreamble(path, p[:], size); err != nil {
		return nil, err
	}
	if size > math.MaxInt {
		return nil, errorf(path, "", "file of %d bytes is too large for this platform", size)
	}
	b, unmap, err := mapFile(fd, int(size))
	if err != nil {
		// Mapping can fail on special file systems: fall back to reading.
		return readAt(path, fd, size, opt)
	}
	f, err := parse(path, b, opt)
	if err != nil {
		_ = unmap()
		return nil, err
	}
	f.unmap = unmap
	return f, nil
}

// mulCheck returns a*b and whether it did not overflow int64 range.
func mulCheck(a, b uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	return lo, hi == 0 && lo <= math.MaxInt64
}
