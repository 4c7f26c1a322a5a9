package mnist

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// MaxIDXBytes bounds the decoded size of an IDX stream accepted by ReadIDX
// (the largest MNIST file is 47,040,016 bytes).
const MaxIDXBytes = 1 << 28

// maxIDXDims bounds the number of dimensions of an IDX array.
const maxIDXDims = 8

// ErrMalformedIDX is wrapped by every error ReadIDX returns for bad input.
var ErrMalformedIDX = errors.New("mnist: malformed IDX")

// IDX is an n-dimensional array of unsigned bytes read from an IDX file.
type IDX struct {
	// Dims holds the size of each dimension, outermost first.
	Dims []int
	// Data holds the elements in row-major order; len(Data) is the product
	// of Dims.
	Data []byte
}

// ReadIDX reads an IDX array of unsigned bytes (element type 0x08) from r,
// which may be gzip-compressed (detected by the gzip magic bytes) or raw.
// The dimensions in the header are checked against the actual amount of data;
// nothing is allocated from the header. Any malformation yields an error
// wrapping ErrMalformedIDX.
func ReadIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip header: %v", ErrMalformedIDX, err)
		}
		defer zr.Close()
		return readRawIDX(zr)
	}
	return readRawIDX(br)
}

func readRawIDX(r io.Reader) (*IDX, error) {
	buf, err := io.ReadAll(io.LimitReader(r, MaxIDXBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read: %v", ErrMalformedIDX, err)
	}
	if len(buf) > MaxIDXBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrMalformedIDX, MaxIDXBytes)
	}
	return parseIDX(buf)
}

// ParseIDX parses an IDX array held in buf, gzip-compressed or raw, with the
// same checks as ReadIDX. For raw input the returned Data aliases buf.
func ParseIDX(buf []byte) (*IDX, error) {
	if len(buf) >= 2 && buf[0] == 0x1f && buf[1] == 0x8b {
		return ReadIDX(bytes.NewReader(buf))
	}
	return parseIDX(buf)
}

func parseIDX(buf []byte) (*IDX, error) {
	if len(buf) < 4 {
		return nil, fmt.Errorf("%w: header truncated (%d bytes)", ErrMalformedIDX, len(buf))
	}
	if buf[0] != 0 || buf[1] != 0 {
		return nil, fmt.Errorf("%w: magic %02x%02x is not 0000", ErrMalformedIDX, buf[0], buf[1])
	}
	if buf[2] != 0x08 {
		return nil, fmt.Errorf("%w: element type 0x%02x unsupported (want 0x08, unsigned byte)", ErrMalformedIDX, buf[2])
	}
	nd := int(buf[3])
	if nd == 0 || nd > maxIDXDims {
		return nil, fmt.Errorf("%w: %d dimensions (want 1..%d)", ErrMalformedIDX, nd, maxIDXDims)
	}
	hdr := 4 + 4*nd
	if len(buf) < hdr {
		return nil, fmt.Errorf("%w: dimension header truncated", ErrMalformedIDX)
	}
	payload := len(buf) - hdr
	dims := make([]int, nd)
	n := uint64(1)
	for i := range dims {
		d := binary.BigEndian.Uint32(buf[4+4*i:])
		dims[i] = int(d)
		if d != 0 && n > math.MaxInt64/uint64(d) {
			return nil, fmt.Errorf("%w: dimensions %v overflow", ErrMalformedIDX, dims[:i+1])
		}
		n *= uint64(d)
	}
	if n != uint64(payload) {
		return nil, fmt.Errorf("%w: dimensions %v need %d bytes of data, have %d", ErrMalformedIDX, dims, n, payload)
	}
	return &IDX{Dims: dims, Data: buf[hdr:]}, nil
}
