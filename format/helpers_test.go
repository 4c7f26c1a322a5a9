package format

import (
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"strconv"
)

// The sample models below are replicated exactly by python/make_testdata.py:
// change both together.

// sampleValue is the deterministic float32 value of element i of the tensor
// numbered seed: exact IEEE float64 arithmetic, then one rounding to float32.
func sampleValue(seed, i int) float32 {
	return float32(float64((i*7919+seed*104729)%2001-1000) / 1000)
}

func sampleFloats(seed, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = sampleValue(seed, i)
	}
	return v
}

// sampleOrder returns mask k's ordering: a shifted reversal, a permutation.
func sampleOrder(D, k int) []int32 {
	o := make([]int32, D)
	for t := range o {
		o[t] = int32((D - 1 - t + 3*k) % D)
	}
	return o
}

// sampleDegrees returns the degrees of hidden layer l (1-based) for mask k.
func sampleDegrees(D, H, k, l int) []int32 {
	d := make([]int32, H)
	for j := range d {
		d[j] = int32(1 + (7*j+5*k+l)%(D-1))
	}
	return d
}

const sampleMeta = `{"writer":"arinfer testdata","test_nll":88.5,"epochs":3,"note":"<tiny> model, ünïcode","args":["--lr","1e-3"],"nested":{"b":1,"a":[true,false,null]}}`

// sampleHeaders are the headers of the golden models, by name.
func sampleHeaders() map[string]Header {
	return map[string]Header{
		"fvsbn": {Arch: FVSBN, Dims: 6, Shape: []int{2, 3}, Dist: Bernoulli, Categories: 2, Meta: json.RawMessage(sampleMeta)},
		"nade":  {Arch: NADE, Dims: 6, Shape: []int{2, 3}, Dist: Bernoulli, Categories: 2, Hidden: []int{4}},
		"made": {Arch: MADE, Dims: 6, Shape: []int{1, 2, 3}, Dist: Bernoulli, Categories: 2,
			Hidden: []int{5, 4}, Masks: 2, Direct: true},
		"lstm": {Arch: LSTM, Dims: 4, Shape: []int{4}, Dist: Categorical, Categories: 3, Hidden: []int{3, 3}, Embed: 2},
		"gru":  {Arch: GRU, Dims: 5, Shape: []int{5}, Dist: Bernoulli, Categories: 2, Hidden: []int{3}, Embed: 2},
		// Image models (format 1.1): pixelcnn with a class prior and k0 != k,
		// gatedpixelcnn categorical.
		"pixelcnn": {Arch: PixelCNN, Dims: 12, Shape: []int{3, 4}, Dist: Bernoulli, Categories: 2,
			Channels: 2, Layers: 2, KernelSize: 3, InputKernel: 5, HeadChannels: 3, Classes: 2},
		"gatedpixelcnn": {Arch: GatedPixelCNN, Dims: 12, Shape: []int{4, 3}, Dist: Categorical, Categories: 4,
			Channels: 2, Layers: 2, KernelSize: 3, HeadChannels: 3},
		// WaveNet (format 1.2): bernoulli with a class prior, and a
		// categorical audio model (mu-law codes at 8 kHz).
		"wavenet": {Arch: WaveNet, Dims: 16, Shape: []int{2, 8}, Dist: Bernoulli, Categories: 2,
			Dilations: []int{1, 2, 4}, ResidualChannels: 3, GateChannels: 2, SkipChannels: 4, HeadChannels: 5, Classes: 2},
		"wavenet_audio": {Arch: WaveNet, Dims: 8000, Shape: []int{8000}, Dist: Categorical, Categories: 16,
			Dilations: []int{1, 2}, ResidualChannels: 2, GateChannels: 3, SkipChannels: 2, HeadChannels: 3, SampleRate: 8000},
		// mixed stores every float dtype: W in float16, V in bfloat16.
		"mixed": {Arch: NADE, Dims: 6, Shape: []int{6}, Dist: Bernoulli, Categories: 2, Hidden: []int{4},
			Meta: json.RawMessage(`{"dtypes":"W float16, V bfloat16"}`)},
	}
}

// sampleTensors builds the tensors of a model with header h, every float
// tensor stored as dt (except for the "mixed" model, see sampleHeaders).
func sampleTensors(name string, h Header, dt DType) []Tensor {
	var out []Tensor
	for seed, s := range expectedTensors(&h) {
		shape := make([]int, len(s.shape))
		n := 1
		for i, d := range s.shape {
			shape[i] = int(d)
			n *= int(d)
		}
		if s.kind == kindInt {
			var v []int32
			switch {
			case s.name == "order":
				rows := n / h.Dims
				for k := 0; k < rows; k++ {
					v = append(v, sampleOrder(h.Dims, k)...)
				}
			default: // degreesL
				l, _ := strconv.Atoi(s.name[len("degrees"):])
				H := shape[1]
				for k := 0; k < shape[0]; k++ {
					v = append(v, sampleDegrees(h.Dims, H, k, l)...)
				}
			}
			out = append(out, Int32Tensor(s.name, shape, v))
			continue
		}
		v := sampleFloats(seed, n)
		d := dt
		if name == "mixed" {
			switch s.name {
			case "W":
				d = F16
			case "V":
				d = BF16
			default:
				d = F32
			}
		}
		switch d {
		case F32:
			out = append(out, Float32Tensor(s.name, shape, v))
		case F16:
			out = append(out, Float16Tensor(s.name, shape, v))
		case BF16:
			out = append(out, BFloat16Tensor(s.name, shape, v))
		}
	}
	return out
}

// rawFile assembles a version 1.0 file from a header text and data
// section, with correct checksums and the canonical data offset, without
// validating.
func rawFile(js string, data []byte) []byte { return rawFileMinor(js, data, 0) }

// rawFileMinor is rawFile for a file of version 1.minor.
func rawFileMinor(js string, data []byte, minor uint16) []byte {
	dataOff := int(align(uint64(PreambleSize + len(js))))
	b := make([]byte, dataOff+len(data))
	copy(b[PreambleSize:], js)
	copy(b[dataOff:], data)
	le := binary.LittleEndian
	copy(b, Magic)
	le.PutUint16(b[offMajor:], VersionMajor)
	le.PutUint16(b[offMinor:], minor)
	le.PutUint64(b[offHeaderLen:], uint64(len(js)))
	le.PutUint64(b[offDataOffset:], uint64(dataOff))
	le.PutUint64(b[offDataLen:], uint64(len(data)))
	fixChecksums(b)
	return b
}

// fixChecksums recomputes all three CRCs of b in place, if its preamble
// offsets are within bounds.
func fixChecksums(b []byte) {
	if len(b) < PreambleSize {
		return
	}
	le := binary.LittleEndian
	dataOff := le.Uint64(b[offDataOffset:])
	if dataOff >= PreambleSize && dataOff <= uint64(len(b)) {
		le.PutUint32(b[offHeaderCRC:], crc32.ChecksumIEEE(b[PreambleSize:dataOff]))
		le.PutUint32(b[offDataCRC:], crc32.ChecksumIEEE(b[dataOff:]))
	}
	le.PutUint32(b[offPreambleCRC:], crc32.ChecksumIEEE(b[:offPreambleCRC]))
}

// splitFile returns the JSON header text and data section of b.
func splitFile(b []byte) (string, []byte) {
	le := binary.LittleEndian
	hl := le.Uint64(b[offHeaderLen:])
	do := le.Uint64(b[offDataOffset:])
	return string(b[PreambleSize : PreambleSize+hl]), b[do:]
}
