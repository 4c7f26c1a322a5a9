package engine

import (
	"encoding/binary"
	"hash"
	"math"
	"slices"
	"unsafe"

	"github.com/arinfer/arinfer/format"
	"github.com/arinfer/arinfer/internal/half"
)

// weightRows hands out the rows of a matrix of weights in file order, as
// tensor would have them (float32, subnormals flushed to zero), one at a
// time. A float16 or bfloat16 tensor of a file is widened a row at a time
// from the file's memory, and each row is hashed into the model's digest
// as it goes: a model that permutes the rows into its own copy (MADE)
// then reads the weights once, without a float32 copy of the whole tensor
// first (a 6 MB layer of a float16 file was a 6 MB copy, hashed in a
// second pass, then permuted in a third). Different tensors may be read
// on different goroutines.
type weightRows struct {
	rows, cols int
	next       int       // the row row returns next
	f32        []float32 // the tensor in float32 (a view of the file or a copy), or nil
	raw        []byte    // else its little-endian 16-bit values
	bf16       bool      // raw holds bfloat16 (else float16)
	buf        []float32 // a row widened, or copied to flush its subnormals
	h          hash.Hash // a 16-bit tensor's digest record, finished with its last row
	d          *digestWeights
	name       string
}

// rowSource is implemented by Weights that hand out a tensor's stored
// bytes (a *format.File).
type rowSource interface {
	Tensor(name string) (format.Tensor, error)
}

// tensorRows returns the rows of the rows x cols float tensor name of w,
// checked as tensor checks it.
func tensorRows(w Weights, name string, rows, cols int) (*weightRows, error) {
	shape := []int{rows, cols}
	r := &weightRows{rows: rows, cols: cols, buf: make([]float32, cols)}
	if d, ok := w.(*digestWeights); ok {
		if src, ok := d.w.(rowSource); ok {
			t, err := src.Tensor(name)
			if err == nil && (t.DType == format.F16 || t.DType == format.BF16) {
				if !slices.Equal(t.Shape, shape) {
					return nil, errorf("tensor %s has shape %v, want %v", name, t.Shape, shape)
				}
				if len(t.Data) != 2*rows*cols {
					return nil, errorf("tensor %s has %d values, want %d", name, len(t.Data)/2, rows*cols)
				}
				r.raw, r.bf16 = t.Data, t.DType == format.BF16
				r.h, r.d, r.name = d.record("f32", name, t.Shape), d, name
				if rows == 0 {
					d.finish(name, r.h)
				}
				return r, nil
			}
		}
	}
	v, s, err := w.Float32(name)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(s, shape) {
		return nil, errorf("tensor %s has shape %v, want %v", name, s, shape)
	}
	if len(v) != rows*cols {
		return nil, errorf("tensor %s has %d values, want %d", name, len(v), rows*cols)
	}
	r.f32 = v
	return r, nil
}

// row returns row u, which must be the row after the one returned last
// (the first: 0). The slice is valid until the next call.
func (r *weightRows) row(u int) []float32 {
	if u != r.next || u >= r.rows {
		panic("engine: weightRows read out of order")
	}
	r.next++
	c := r.cols
	var v []float32
	switch {
	case r.f32 != nil:
		v = r.f32[u*c : (u+1)*c]
	default:
		v = r.buf[:c]
		r.widen(v, r.raw[2*u*c:2*(u+1)*c])
		if r.h != nil {
			hashWords(r.h, v)
			if r.next == r.rows {
				r.d.finish(r.name, r.h)
			}
		}
	}
	if r.raw != nil && !r.bf16 {
		return v // no binary16 value is a float32 subnormal
	}
	i := slices.IndexFunc(v, isSubnormal)
	if i < 0 {
		return v
	}
	if &v[0] != &r.buf[0] {
		v = r.buf[:copy(r.buf, v)]
	}
	for ; i < len(v); i++ {
		if isSubnormal(v[i]) {
			v[i] = 0
		}
	}
	return v
}

// widen sets v to the len(v) little-endian 16-bit values at the start of
// src, widened exactly (half.F16ToF32, with normal binary16 numbers
// converted inline; half.BF16ToF32).
func (r *weightRows) widen(v []float32, src []byte) {
	src = src[:2*len(v)]
	if r.bf16 {
		for i := range v {
			v[i] = math.Float32frombits((uint32(src[2*i]) | uint32(src[2*i+1])<<8) << 16)
		}
		return
	}
	for i := range v {
		h := uint32(src[2*i]) | uint32(src[2*i+1])<<8
		if e := h & 0x7c00; e != 0 && e != 0x7c00 {
			v[i] = math.Float32frombits((h&0x8000)<<16 | (h&0x7fff+112<<10)<<13)
		} else {
			v[i] = half.F16ToF32(uint16(h))
		}
	}
}

// hashFrom leaves the tensor's digest record to be hashed when the model's
// digest is first asked for (digestWeights.hashLater), from the caller's
// copy of the rows, when the rows are exactly the stored values (a
// float16 tensor: no binary16 value is a float32 subnormal, so none is
// flushed): read(u, row) must then set row to row u, from values the
// caller keeps unchanged for the life of the model. It must be called
// before the first row is read, and reports whether the record was left
// (else the rows are hashed as they are read, or were hashed whole).
func (r *weightRows) hashFrom(read func(u int, row []float32)) bool {
	if r.next != 0 {
		panic("engine: weightRows.hashFrom after a row was read")
	}
	if r.h == nil || r.bf16 || r.rows == 0 {
		return false
	}
	rows, cols := r.rows, r.cols
	r.d.hashLater("f32", r.name, []int{rows, cols}, func(h hash.Hash) {
		row := make([]float32, cols)
		for u := range rows {
			read(u, row)
			hashWords(h, row)
		}
	})
	r.h = nil
	return true
}

// hostLittleEndian reports whether float32s are stored as little-endian
// words in memory (the digest's byte order).
var hostLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// hashWords writes v to h as little-endian 32-bit words.
func hashWords[T float32 | int32](h hash.Hash, v []T) {
	if len(v) == 0 {
		return
	}
	if hostLittleEndian {
		h.Write(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 4*len(v)))
		return
	}
	var buf [4096]byte
	for len(v) > 0 {
		k := 0
		for ; k+4 <= len(buf) && len(v) > 0; k, v = k+4, v[1:] {
			binary.LittleEndian.PutUint32(buf[k:], *(*uint32)(unsafe.Pointer(&v[0])))
		}
		h.Write(buf[:k])
	}
}
