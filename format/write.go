package format

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
)

// Float32Tensor returns a float32 tensor holding v (copied) with the given shape.
func Float32Tensor(name string, shape []int, v []float32) Tensor {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return Tensor{Name: name, DType: F32, Shape: slices.Clone(shape), Data: b}
}

// Float16Tensor returns a float16 tensor holding v rounded to binary16
// (nearest, ties to even).
func Float16Tensor(name string, shape []int, v []float32) Tensor {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], F32ToF16(x))
	}
	return Tensor{Name: name, DType: F16, Shape: slices.Clone(shape), Data: b}
}

// BFloat16Tensor returns a bfloat16 tensor holding v rounded to bfloat16
// (nearest, ties to even).
func BFloat16Tensor(name string, shape []int, v []float32) Tensor {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], F32ToBF16(x))
	}
	return Tensor{Name: name, DType: BF16, Shape: slices.Clone(shape), Data: b}
}

// Int32Tensor returns an int32 tensor holding v (copied) with the given shape.
func Int32Tensor(name string, shape []int, v []int32) Tensor {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return Tensor{Name: name, DType: I32, Shape: slices.Clone(shape), Data: b}
}

func align(n uint64) uint64 { return (n + Alignment - 1) &^ (Alignment - 1) }

// headerJSON returns the canonical JSON header: compact, object keys sorted
// by byte value, no HTML escaping, tensor entries in file order.
func headerJSON(h Header, infos []TensorInfo) ([]byte, error) {
	m := map[string]any{
		"arch":       h.Arch,
		"dims":       h.Dims,
		"shape":      nonNil(h.Shape),
		"dist":       h.Dist,
		"categories": h.Categories,
	}
	// Refuse hyperparameters the architecture does not use rather than
	// dropping them silently.
	unused := func(key string, set bool, archs ...Arch) error {
		if set && !slices.Contains(archs, h.Arch) {
			return errorf("", "header."+key, "is set, but arch %s does not use it", h.Arch)
		}
		return nil
	}
	for _, err := range []error{
		unused("hidden", h.Hidden != nil, NADE, MADE, LSTM, GRU),
		unused("masks", h.Masks != 0, MADE),
		unused("direct", h.Direct, MADE),
		unused("embed", h.Embed != 0, LSTM, GRU),
		unused("channels", h.Channels != 0, PixelCNN, GatedPixelCNN),
		unused("layers", h.Layers != 0, PixelCNN, GatedPixelCNN),
		unused("kernel_size", h.KernelSize != 0, PixelCNN, GatedPixelCNN),
		unused("input_kernel", h.InputKernel != 0, PixelCNN),
		unused("head_channels", h.HeadChannels != 0, PixelCNN, GatedPixelCNN, WaveNet),
		unused("classes", h.Classes != 0, PixelCNN, GatedPixelCNN, WaveNet),
		unused("dilations", h.Dilations != nil, WaveNet),
		unused("residual_channels", h.ResidualChannels != 0, WaveNet),
		unused("gate_channels", h.GateChannels != 0, WaveNet),
		unused("skip_channels", h.SkipChannels != 0, WaveNet),
		unused("sample_rate", h.SampleRate != 0, WaveNet),
	} {
		if err != nil {
			return nil, err
		}
	}
	switch h.Arch {
	case NADE:
		m["hidden"] = nonNil(h.Hidden)
	case MADE:
		m["hidden"] = nonNil(h.Hidden)
		m["masks"] = h.Masks
		m["direct"] = h.Direct
	case LSTM, GRU:
		m["hidden"] = nonNil(h.Hidden)
		m["embed"] = h.Embed
	case PixelCNN, GatedPixelCNN:
		m["channels"] = h.Channels
		m["layers"] = h.Layers
		m["kernel_size"] = h.KernelSize
		m["head_channels"] = h.HeadChannels
		m["classes"] = h.Classes
		if h.Arch == PixelCNN {
			m["input_kernel"] = h.InputKernel
		}
	case WaveNet:
		m["dilations"] = nonNil(h.Dilations)
		m["residual_channels"] = h.ResidualChannels
		m["gate_channels"] = h.GateChannels
		m["skip_channels"] = h.SkipChannels
		m["head_channels"] = h.HeadChannels
		m["classes"] = h.Classes
		if h.SampleRate != 0 {
			m["sample_rate"] = h.SampleRate
		}
	}
	if h.Meta != nil {
		// Re-encode to sort keys and compact; numbers keep their literal text.
		dec := json.NewDecoder(bytes.NewReader(h.Meta))
		dec.UseNumber()
		var meta any
		if err := dec.Decode(&meta); err != nil {
			return nil, &Error{Field: "header.meta", Msg: "not valid JSON", Err: err}
		}
		if _, ok := meta.(map[string]any); !ok {
			return nil, errorf("", "header.meta", "must be a JSON object, found %s", clip(h.Meta))
		}
		if dec.More() {
			return nil, errorf("", "header.meta", "trailing data after the JSON object")
		}
		m["meta"] = meta
	}
	ts := make([]map[string]any, len(infos))
	for i, t := range infos {
		ts[i] = map[string]any{
			"name": t.Name, "dtype": t.DType, "shape": nonNil(t.Shape),
			"offset": t.Offset, "length": t.Length,
		}
	}
	m["tensors"] = ts
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, &Error{Field: "header", Msg: "cannot encode", Err: err}
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func nonNil(s []int) []int {
	if s == nil {
		return []int{}
	}
	return s
}

// Encode returns the canonical .arw file for header h and tensors. The
// tensors are stored in canonical order (SPEC.md section 3, the order
// ExpectedTensors returns) whatever order they are given in, so the same
// content always gives the same bytes. The result is validated exactly as
// Read would validate it, so Encode never produces a file the reader
// refuses.
func Encode(h Header, tensors []Tensor) ([]byte, error) {
	b, err := encode(h, canonicalOrder(h, tensors))
	if err != nil {
		return nil, err
	}
	if _, err := parse("", b, Options{}); err != nil {
		return nil, err
	}
	return b, nil
}

// canonicalOrder returns tensors sorted into the canonical order of h's
// architecture. Names the architecture does not define keep their given
// order after the others (validation then refuses them); if h itself is
// invalid, tensors are returned as given and validation reports why.
func canonicalOrder(h Header, tensors []Tensor) []Tensor {
	names, err := ExpectedTensors(h)
	if err != nil {
		return tensors
	}
	rank := make(map[string]int, len(names))
	for i, n := range names {
		rank[n] = i
	}
	pos := func(t Tensor) int {
		if r, ok := rank[t.Name]; ok {
			return r
		}
		return len(names)
	}
	out := slices.Clone(tensors)
	slices.SortStableFunc(out, func(a, b Tensor) int { return pos(a) - pos(b) })
	return out
}

// encode lays out the file, tensors in the order given, without
// validating the model.
func encode(h Header, tensors []Tensor) ([]byte, error) {
	infos := make([]TensorInfo, len(tensors))
	var off uint64
	for i, t := range tensors {
		tf := sprintf("tensor %q", t.Name)
		if t.DType.Size() == 0 {
			return nil, errorf("", tf+".dtype", "unknown dtype %q (known: %s)", t.DType, joinDTypes())
		}
		if len(t.Shape) > MaxRank {
			return nil, errorf("", tf+".shape", "rank %d exceeds %d", len(t.Shape), MaxRank)
		}
		n := uint64(t.DType.Size())
		for _, d := range t.Shape {
			var ok bool
			if d < 1 {
				return nil, errorf("", tf+".shape", "dimension %d in %v; every dimension must be >= 1", d, t.Shape)
			}
			if n, ok = mulCheck(n, uint64(d)); !ok {
				return nil, errorf("", tf+".shape", "shape %v overflows", t.Shape)
			}
		}
		if uint64(len(t.Data)) != n {
			return nil, errorf("", tf, "has %d data bytes, but shape %v of %s needs %d", len(t.Data), t.Shape, t.DType, n)
		}
		off = align(off)
		infos[i] = TensorInfo{Name: t.Name, DType: t.DType, Shape: t.Shape, Offset: int64(off), Length: int64(n)}
		off += n
	}
	dataLen := off
	js, err := headerJSON(h, infos)
	if err != nil {
		return nil, err
	}
	if len(js) > MaxHeaderLen {
		return nil, errorf("", "header", "JSON header is %d bytes, more than the %d-byte limit", len(js), MaxHeaderLen)
	}
	dataOff := align(PreambleSize + uint64(len(js)))
	size := dataOff + dataLen
	if size > math.MaxInt-Alignment {
		return nil, errorf("", "", "file of %d bytes is too large", size)
	}
	b := alignedBytes(int(size))
	copy(b[PreambleSize:], js)
	for i, t := range tensors {
		copy(b[dataOff+uint64(infos[i].Offset):], t.Data)
	}
	le := binary.LittleEndian
	copy(b, Magic)
	le.PutUint16(b[offMajor:], VersionMajor)
	le.PutUint16(b[offMinor:], minVersionMinor(h.Arch))
	le.PutUint64(b[offHeaderLen:], uint64(len(js)))
	le.PutUint64(b[offDataOffset:], dataOff)
	le.PutUint64(b[offDataLen:], dataLen)
	le.PutUint32(b[offHeaderCRC:], crc32.ChecksumIEEE(b[PreambleSize:dataOff]))
	le.PutUint32(b[offDataCRC:], crc32.ChecksumIEEE(b[dataOff:]))
	le.PutUint32(b[offPreambleCRC:], crc32.ChecksumIEEE(b[:offPreambleCRC]))
	return b, nil
}

// Write writes the canonical .arw file for h and tensors to w.
func Write(w io.Writer, h Header, tensors []Tensor) error {
	b, err := Encode(h, tensors)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return &Error{Msg: "cannot write", Err: err}
	}
	return nil
}

// WriteFile writes the canonical .arw file for h and tensors to path,
// through a temporary file renamed into place so that readers never see a
// partial file.
func WriteFile(path string, h Header, tensors []Tensor) error {
	b, err := Encode(h, tensors)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Path = path
		}
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return &Error{Path: path, Msg: "cannot write", Err: err}
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return &Error{Path: path, Msg: "cannot rename temporary file", Err: err}
	}
	return nil
}
