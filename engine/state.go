package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
)

// A generator state (format/STATE.md) is a little-endian byte string:
//
//	magic "ARS1", major version u16 (1), minor version u16 (0)
//	sections, each: name length u8, name (ASCII), type u8, count u64, count values
//	CRC-32C (Castagnoli) of every byte before it, u32
//
// with the types stateU8 (bytes), stateI64, stateF32 and stateF64. The
// sections come in the order the architecture's generator writes them, and
// a reader takes them in that order, checking each name, type and count
// against what the model and the header allow before copying anything:
// nothing is sized from a count in the file.

const (
	stateMagic = "ARS1"
	stateMajor = 1
	stateMinor = 0
)

// The section types.
const (
	stateU8 byte = iota
	stateI64
	stateF32
	stateF64
)

var stateTypeSize = [...]int{stateU8: 1, stateI64: 8, stateF32: 4, stateF64: 8}

// ErrState reports a generator state that cannot be restored: damaged,
// truncated, of another version, or saved from another model.
var ErrState = errors.New("engine: bad generator state")

func stateErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrState}, args...)...)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// stateWriter builds a state.
type stateWriter struct{ b []byte }

func newStateWriter(size int) *stateWriter {
	w := &stateWriter{b: make([]byte, 0, size+64)}
	w.b = append(w.b, stateMagic...)
	w.b = binary.LittleEndian.AppendUint16(w.b, stateMajor)
	w.b = binary.LittleEndian.AppendUint16(w.b, stateMinor)
	return w
}

func (w *stateWriter) section(name string, typ byte, n int) {
	w.b = append(w.b, byte(len(name)))
	w.b = append(w.b, name...)
	w.b = append(w.b, typ)
	w.b = binary.LittleEndian.AppendUint64(w.b, uint64(n))
}

func (w *stateWriter) bytes(name string, v []byte) {
	w.section(name, stateU8, len(v))
	w.b = append(w.b, v...)
}

func (w *stateWriter) i64(name string, v ...int64) {
	w.section(name, stateI64, len(v))
	for _, x := range v {
		w.b = binary.LittleEndian.AppendUint64(w.b, uint64(x))
	}
}

func (w *stateWriter) f32(name string, v []float32) {
	w.section(name, stateF32, len(v))
	for _, x := range v {
		w.b = binary.LittleEndian.AppendUint32(w.b, math.Float32bits(x))
	}
}

func (w *stateWriter) f64(name string, v []float64) {
	w.section(name, stateF64, len(v))
	for _, x := range v {
		w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(x))
	}
}

// rngs writes the random streams of the batch.
func (w *stateWriter) rngs(s *rngs) {
	w.section("rng", stateU8, pcgSize*len(s.r))
	for i := range s.r {
		b, _ := s.r[i].MarshalBinary() // never fails
		w.b = append(w.b, b...)
	}
}

// finish appends the checksum and returns the state.
func (w *stateWriter) finish() []byte {
	return binary.LittleEndian.AppendUint32(w.b, crc32.Checksum(w.b, castagnoli))
}

// stateReader reads a state section by section. The first error sticks:
// later reads do nothing and err reports it.
type stateReader struct {
	b   []byte // the sections not read yet
	err error
}

// newStateReader checks the magic, version and checksum of data.
func newStateReader(data []byte) *stateReader {
	r := &stateReader{}
	if len(data) < 12 {
		r.err = stateErr("%d bytes are too short for a state", len(data))
		return r
	}
	if string(data[:4]) != stateMagic {
		r.err = stateErr("not a generator state (magic %q)", data[:4])
		return r
	}
	if major := binary.LittleEndian.Uint16(data[4:]); major != stateMajor {
		r.err = stateErr("version %d.%d; this build reads %d.x", major, binary.LittleEndian.Uint16(data[6:]), stateMajor)
		return r
	}
	body := data[:len(data)-4]
	if got, want := crc32.Checksum(body, castagnoli), binary.LittleEndian.Uint32(data[len(data)-4:]); got != want {
		r.err = stateErr("checksum mismatch (stored %08x, computed %08x): the state is damaged or truncated", want, got)
		return r
	}
	r.b = body[8:]
	return r
}

// section reads the header of the next section, which must be name of
// type typ with exactly n values, and returns its payload.
func (r *stateReader) section(name string, typ byte, n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < 1 || len(r.b) < 1+int(r.b[0])+9 {
		r.err = stateErr("section %s missing", name)
		return nil
	}
	got := string(r.b[1 : 1+int(r.b[0])])
	rest := r.b[1+int(r.b[0]):]
	t, cnt := rest[0], binary.LittleEndian.Uint64(rest[1:9])
	rest = rest[9:]
	switch {
	case got != name:
		r.err = stateErr("section %q where %s belongs", got, name)
	case t != typ:
		r.err = stateErr("section %s has type %d, want %d", name, t, typ)
	case cnt != uint64(n):
		r.err = stateErr("section %s has %d values, want %d", name, cnt, n)
	case uint64(len(rest)) < cnt*uint64(stateTypeSize[typ]):
		r.err = stateErr("section %s is cut short", name)
	}
	if r.err != nil {
		return nil
	}
	size := n * stateTypeSize[typ]
	p := rest[:size]
	r.b = rest[size:]
	return p
}

// peekCount returns the count of the next section if it is name of type
// typ (for sizes read before the model checks them), or an error.
func (r *stateReader) peekCount(name string, typ byte) uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 1 || len(r.b) < 1+int(r.b[0])+9 {
		r.err = stateErr("section %s missing", name)
		return 0
	}
	got := string(r.b[1 : 1+int(r.b[0])])
	rest := r.b[1+int(r.b[0]):]
	if got != name || rest[0] != typ {
		r.err = stateErr("section %q (type %d) where %s belongs", got, rest[0], name)
		return 0
	}
	return binary.LittleEndian.Uint64(rest[1:9])
}

func (r *stateReader) bytes(name string, dst []byte) {
	if p := r.section(name, stateU8, len(dst)); p != nil {
		copy(dst, p)
	}
}

// str reads a byte section of at most max bytes as a string.
func (r *stateReader) str(name string, max int) string {
	n := r.peekCount(name, stateU8)
	if r.err == nil && n > uint64(max) {
		r.err = stateErr("section %s has %d bytes, at most %d allowed", name, n, max)
	}
	if r.err != nil {
		return ""
	}
	return string(r.section(name, stateU8, int(n)))
}

func (r *stateReader) i64(name string, dst []int64) {
	if p := r.section(name, stateI64, len(dst)); p != nil {
		for i := range dst {
			dst[i] = int64(binary.LittleEndian.Uint64(p[8*i:]))
		}
	}
}

func (r *stateReader) f32(name string, dst []float32) {
	if p := r.section(name, stateF32, len(dst)); p != nil {
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
		}
	}
}

func (r *stateReader) f64(name string, dst []float64) {
	if p := r.section(name, stateF64, len(dst)); p != nil {
		for i := range dst {
			dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(p[8*i:]))
		}
	}
}

// rngs reads the random streams of a batch of len(s.r) streams.
func (r *stateReader) rngs(s *rngs) {
	p := r.section("rng", stateU8, pcgSize*len(s.r))
	if p == nil {
		return
	}
	for i := range s.r {
		if err := s.r[i].UnmarshalBinary(p[pcgSize*i : pcgSize*i+pcgSize]); err != nil {
			r.err = stateErr("random stream %d: %v", i, err)
			return
		}
	}
}

// end checks that every section was read.
func (r *stateReader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = stateErr("%d bytes after the last section", len(r.b))
	}
	return r.err
}

// pcgSize is the size of a marshalled rand.PCG.
var pcgSize = func() int { b, _ := new(rand.PCG).MarshalBinary(); return len(b) }()
