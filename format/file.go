package format

import (
	"encoding/binary"
	"hash/crc32"
	"slices"
	"unsafe"
)

// File is a validated .arw file. Its methods are safe for concurrent use,
// except Close, which must not run concurrently with the others. Slices
// returned by Float32 (for float32 tensors), Int32 and Tensor are views of
// the file's memory: they are read-only and must not be used after Close.
type File struct {
	path    string
	hdr     Header
	minor   int
	tensors []TensorInfo
	index   map[string]int
	data    []byte // the data section
	unmap   func() error
	sums    Checksums
	closed  bool
}

// Path returns the path the file was opened from, or "" for Read.
func (f *File) Path() string { return f.path }

// Version returns the format version recorded in the file.
func (f *File) Version() (major, minor int) { return VersionMajor, f.minor }

// Arch returns the model architecture.
func (f *File) Arch() Arch { return f.hdr.Arch }

// Header returns a copy of the architecture, hyperparameters and metadata.
func (f *File) Header() Header { return f.hdr.Clone() }

// Checksums returns the stored checksums and whether the data checksum has
// been verified.
func (f *File) Checksums() Checksums { return f.sums }

// DataSize returns the size in bytes of the data section.
func (f *File) DataSize() int64 { return int64(len(f.data)) }

// Tensors lists the tensor index in file order.
func (f *File) Tensors() []TensorInfo {
	out := make([]TensorInfo, len(f.tensors))
	for i, t := range f.tensors {
		t.Shape = slices.Clone(t.Shape)
		out[i] = t
	}
	return out
}

// VerifyData checks the CRC-32 of the data section against the stored value.
// Open and Read do this unless Options.SkipDataChecksum is set.
func (f *File) VerifyData() error {
	if f.closed {
		return errorf(f.path, "", "file is closed")
	}
	if got := crc32.ChecksumIEEE(f.data); got != f.sums.Data {
		return &Error{Path: f.path, Field: "preamble.data_crc",
			Msg: sprintf("stored CRC-32 %08x, computed %08x over the %d-byte data section: data is corrupt", f.sums.Data, got, len(f.data)), Err: ErrChecksum}
	}
	f.sums.DataVerified = true
	return nil
}

// Close releases the memory mapping. Views returned earlier become invalid.
// Close is idempotent.
func (f *File) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	f.data = nil
	if f.unmap != nil {
		err := f.unmap()
		f.unmap = nil
		if err != nil {
			return &Error{Path: f.path, Msg: "cannot unmap", Err: err}
		}
	}
	return nil
}

func (f *File) raw(t TensorInfo) []byte {
	return f.data[t.Offset : t.Offset+t.Length : t.Offset+t.Length]
}

func (f *File) lookup(name string) (TensorInfo, error) {
	if f.closed {
		return TensorInfo{}, errorf(f.path, sprintf("tensor %q", name), "file is closed")
	}
	i, ok := f.index[name]
	if !ok {
		return TensorInfo{}, errorf(f.path, sprintf("tensor %q", name), "not in the file")
	}
	return f.tensors[i], nil
}

// Tensor returns the named tensor with its raw little-endian bytes, a
// read-only view of the file.
func (f *File) Tensor(name string) (Tensor, error) {
	t, err := f.lookup(name)
	if err != nil {
		return Tensor{}, err
	}
	return Tensor{Name: t.Name, DType: t.DType, Shape: slices.Clone(t.Shape), Data: f.raw(t)}, nil
}

// littleEndian reports whether the host stores integers little-endian.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// Float32 returns the elements of a floating-point tensor as float32 and its
// shape. A float32 tensor is returned as a zero-copy, read-only view of the
// file on little-endian hosts; float16 and bfloat16 tensors are converted
// into a new slice. An int32 tensor is an error.
func (f *File) Float32(name string) ([]float32, []int, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, nil, err
	}
	b := f.raw(t)
	n := t.NumElements()
	shape := slices.Clone(t.Shape)
	switch t.DType {
	case F32:
		if littleEndian && uintptr(unsafe.Pointer(unsafe.SliceData(b)))%4 == 0 {
			return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), n), shape, nil
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return out, shape, nil
	case F16:
		out := make([]float32, n)
		for i := range out {
			out[i] = F16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
		}
		return out, shape, nil
	case BF16:
		out := make([]float32, n)
		for i := range out {
			out[i] = BF16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
		}
		return out, shape, nil
	}
	return nil, nil, errorf(f.path, sprintf("tensor %q", name), "dtype is %s, not a floating-point type", t.DType)
}

// Int32 returns the elements of an int32 tensor and its shape, as a
// zero-copy read-only view on little-endian hosts. Another dtype is an error.
func (f *File) Int32(name string) ([]int32, []int, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, nil, err
	}
	if t.DType != I32 {
		return nil, nil, errorf(f.path, sprintf("tensor %q", name), "dtype is %s, not int32", t.DType)
	}
	b := f.raw(t)
	n := t.NumElements()
	shape := slices.Clone(t.Shape)
	if littleEndian && uintptr(unsafe.Pointer(unsafe.SliceData(b)))%4 == 0 {
		return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(b))), n), shape, nil
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = rawInt32(b, i)
	}
	return out, shape, nil
}
