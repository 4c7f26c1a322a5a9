package format

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Format constants. See SPEC.md section "Preamble".
const (
	// Magic is the first eight bytes of every .arw file.
	Magic = "\x89ARW\r\n\x1a\n"
	// VersionMajor is the major format version this package reads and writes.
	// Files with another major version are refused.
	VersionMajor = 1
	// VersionMinor is the newest minor version this package knows. Files of
	// any minor version of VersionMajor are read; keys added by newer minor
	// versions are ignored. The writer records the smallest minor version
	// that defines a file's content: 2 for wavenet, 1 for pixelcnn and
	// gatedpixelcnn, 0 otherwise.
	VersionMinor = 2
	// PreambleSize is the size in bytes of the fixed binary preamble; the
	// JSON header starts right after it.
	PreambleSize = 64
	// Alignment is the alignment in bytes of the data section (relative to
	// the start of the file) and of every tensor (relative to the start of
	// the data section).
	Alignment = 64
	// MaxHeaderLen is the largest JSON header accepted, in bytes.
	MaxHeaderLen = 16 << 20
	// MaxRank is the largest number of dimensions a tensor may have.
	MaxRank = 8
	// MaxNameLen is the longest tensor name accepted, in bytes.
	MaxNameLen = 256
)

// DType is the element type of a tensor, spelled as in the JSON header.
type DType string

// The element types of format version 1.0.
const (
	F32  DType = "float32"  // IEEE 754 binary32
	F16  DType = "float16"  // IEEE 754 binary16
	BF16 DType = "bfloat16" // upper 16 bits of a binary32
	I32  DType = "int32"    // two's complement 32-bit integer
)

// Size returns the size in bytes of one element, or 0 for an unknown dtype.
func (d DType) Size() int {
	switch d {
	case F32, I32:
		return 4
	case F16, BF16:
		return 2
	}
	return 0
}

// IsFloat reports whether d is one of the floating-point dtypes.
func (d DType) IsFloat() bool { return d == F32 || d == F16 || d == BF16 }

var knownDTypes = []DType{F32, F16, BF16, I32}

// Arch names a model architecture, spelled as in the JSON header.
type Arch string

// The architectures of format version 1.0.
const (
	FVSBN Arch = "fvsbn" // fully visible sigmoid belief network
	NADE  Arch = "nade"  // neural autoregressive distribution estimator
	MADE  Arch = "made"  // masked autoencoder for distribution estimation
	LSTM  Arch = "lstm"  // LSTM language model over raster order
	GRU   Arch = "gru"   // GRU language model over raster order
)

// The architectures added in format version 1.1 (SPEC.md 3.5-3.7). Their
// files have minor version 1 or later.
const (
	// PixelCNN is a masked-convolution image model with residual layers.
	PixelCNN Arch = "pixelcnn"
	// GatedPixelCNN is a gated PixelCNN with vertical and horizontal stacks.
	GatedPixelCNN Arch = "gatedpixelcnn"
)

// The architecture added in format version 1.2 (SPEC.md 3.8). Its files
// have minor version 2 or later.
const (
	// WaveNet is a stack of gated, dilated causal convolutions over a
	// sequence of any length (audio when the header has a SampleRate).
	WaveNet Arch = "wavenet"
)

var knownArchs = []Arch{FVSBN, NADE, MADE, LSTM, GRU, PixelCNN, GatedPixelCNN, WaveNet}

// IsImage reports whether a is one of the convolutional image
// architectures (pixelcnn, gatedpixelcnn), whose data items are H x W
// images and which use the Channels ... Classes header fields.
func (a Arch) IsImage() bool { return a == PixelCNN || a == GatedPixelCNN }

// minVersionMinor returns the smallest minor version that defines arch a:
// the minor version a writer records and a reader requires.
func minVersionMinor(a Arch) uint16 {
	switch {
	case a == WaveNet:
		return 2
	case a.IsImage():
		return 1
	}
	return 0
}

// Dist names the per-dimension output distribution.
type Dist string

// Output distributions.
const (
	Bernoulli   Dist = "bernoulli"   // binary data, one logit per dimension
	Categorical Dist = "categorical" // K-ary data, K logits per dimension
)

// Header holds the architecture and hyperparameters of a model: everything
// in the JSON header except the tensor index.
type Header struct {
	Arch Arch
	// Dims is D, the number of data dimensions; it equals the product of Shape.
	Dims int
	// Shape is the shape of one data item, e.g. [28 28] or [1 28 28].
	// Data index i is the row-major (raster) position in this shape.
	Shape []int
	Dist  Dist
	// Categories is K, the number of values one dimension takes: 2 for
	// bernoulli, >= 2 for categorical.
	Categories int
	// Hidden holds the hidden layer sizes: [H] for nade, [H1 ... HL] for
	// made, and one entry per stacked layer (all equal) for lstm and gru.
	// It must be empty for fvsbn.
	Hidden []int
	// Masks is the number of MADE masks (orderings); made only.
	Masks int
	// Direct reports whether a MADE has a direct input-to-output
	// connection (tensor "A"); made only.
	Direct bool
	// Embed is the embedding width E of lstm and gru.
	Embed int
	// Channels is F, the number of feature maps of the residual stream
	// (pixelcnn) or of each stack (gatedpixelcnn), 1..65536; image
	// architectures only.
	Channels int
	// Layers is L, the number of residual layers of a pixelcnn (0..1024)
	// or of gated layers of a gatedpixelcnn (1..1024); image
	// architectures only.
	Layers int
	// KernelSize is k, the odd size of the masked k x k convolutions:
	// 1..255 for pixelcnn, 3..255 for gatedpixelcnn; image architectures
	// only.
	KernelSize int
	// InputKernel is k0, the odd size (3..255) of pixelcnn's mask-A input
	// convolution; pixelcnn only (0 for every other architecture).
	InputKernel int
	// HeadChannels is O, the width of the hidden 1x1 output layer,
	// 1..65536; image architectures and wavenet only.
	HeadChannels int
	// Classes is N, the number of classes of a class-conditional model
	// (0..65536; 0 is an unconditional model); image architectures and
	// wavenet only.
	Classes int
	// Dilations holds d_1 ... d_L, the dilation of each residual layer of a
	// wavenet: 1 to 1024 entries, each 1..65536, summing to at most 2^20
	// (the receptive field is 2 + their sum); wavenet only.
	Dilations []int
	// ResidualChannels is R, the width of a wavenet's residual stream,
	// 1..65536; wavenet only.
	ResidualChannels int
	// GateChannels is G, the outputs of each gated unit of a wavenet (its
	// dilated convolution has 2G), 1..65536; wavenet only.
	GateChannels int
	// SkipChannels is S, the width of a wavenet's skip connections,
	// 1..65536; wavenet only.
	SkipChannels int
	// SampleRate is the audio sample rate in samples per second (1..10^6)
	// of a wavenet audio model, whose values are mu-law codes (SPEC.md
	// 3.9; dist categorical). 0 means the model is not an audio model and
	// the key is absent from the file.
	SampleRate int
	// Meta is an optional free-form JSON object (training command, test
	// NLL, ...). Nil means absent.
	Meta json.RawMessage
}

// Clone returns a deep copy of h.
func (h Header) Clone() Header {
	h.Shape = slices.Clone(h.Shape)
	h.Hidden = slices.Clone(h.Hidden)
	h.Dilations = slices.Clone(h.Dilations)
	h.Meta = slices.Clone(h.Meta)
	return h
}

// TensorInfo describes one entry of the tensor index.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int
	// Offset is the tensor's byte offset from the start of the data section.
	Offset int64
	// Length is the tensor's size in bytes: the product of Shape times the
	// element size.
	Length int64
}

// NumElements returns the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Tensor is a named tensor with its raw little-endian bytes. It is what
// [Write] takes and what [File.Tensor] returns.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	// Data holds the elements in row-major order, little-endian, exactly
	// NumElements*DType.Size() bytes. Data returned by a File may be a view
	// of a read-only memory mapping: do not modify it.
	Data []byte
}

// Error is the error type of this package: it names the file, the field or
// tensor concerned, and what was wrong.
type Error struct {
	// Path is the file name, or "" when reading from an io.ReaderAt
	// or writing.
	Path string
	// Field names the preamble field, header key or tensor concerned,
	// e.g. "preamble.data_len", "header.dims" or `tensor "W1"`.
	Field string
	// Msg says what was expected and what was found.
	Msg string
	// Err is the underlying error, if any (I/O errors, or one of
	// ErrChecksum and ErrVersion).
	Err error
}

func (e *Error) Error() string {
	s := "arw: "
	if e.Path != "" {
		s += e.Path + ": "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	s += e.Msg
	if e.Err != nil && !isSentinel(e.Err) {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

type sentinel string

func (s sentinel) Error() string { return string(s) }

func isSentinel(err error) bool { _, ok := err.(sentinel); return ok }

// Sentinel errors, matched with errors.Is.
var (
	// ErrChecksum is wrapped by errors reporting a checksum mismatch
	// (truncation or corruption).
	ErrChecksum error = sentinel("checksum mismatch")
	// ErrVersion is wrapped by errors reporting a format version this
	// package does not read.
	ErrVersion error = sentinel("unsupported version")
)

func errorf(path, field, format string, args ...any) *Error {
	return &Error{Path: path, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
