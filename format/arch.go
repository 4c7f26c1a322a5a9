package format

import (
	"encoding/binary"
	"strconv"
)

// kind is the dtype class a tensor must have.
type kind int

const (
	kindFloat kind = iota // float32, float16 or bfloat16
	kindInt               // int32
)

// tensorSpec is one tensor an architecture requires.
type tensorSpec struct {
	name  string
	kind  kind
	shape []int64
}

// Spec lists the tensors that h's architecture requires, in canonical
// order, as (name, required dtype class, shape). It assumes h passed
// header validation.
func expectedTensors(h *Header) []tensorSpec {
	D := int64(h.Dims)
	f := func(name string, shape ...int64) tensorSpec { return tensorSpec{name, kindFloat, shape} }
	in := func(name string, shape ...int64) tensorSpec { return tensorSpec{name, kindInt, shape} }
	switch h.Arch {
	case FVSBN:
		return []tensorSpec{in("order", D), f("W", D, D), f("b", D)}
	case NADE:
		H := int64(h.Hidden[0])
		return []tensorSpec{in("order", D), f("W", H, D), f("c", H), f("V", D, H), f("b", D)}
	case MADE:
		K := int64(h.Masks)
		specs := []tensorSpec{in("order", K, D)}
		for l, H := range h.Hidden {
			specs = append(specs, in("degrees"+strconv.Itoa(l+1), K, int64(H)))
		}
		prev := D
		for l, H := range h.Hidden {
			n := strconv.Itoa(l + 1)
			specs = append(specs, f("W"+n, int64(H), prev), f("b"+n, int64(H)))
			prev = int64(H)
		}
		specs = append(specs, f("Wout", D, prev), f("bout", D))
		if h.Direct {
			specs = append(specs, f("A", D, D))
		}
		return specs
	case LSTM, GRU:
		G := int64(4)
		if h.Arch == GRU {
			G = 3
		}
		H := int64(h.Hidden[0])
		C := int64(1)
		if h.Dist == Categorical {
			C = int64(h.Categories)
		}
		specs := []tensorSpec{f("embed", int64(h.Categories)+1, int64(h.Embed))}
		in := int64(h.Embed)
		for l := range h.Hidden {
			n := strconv.Itoa(l)
			specs = append(specs,
				f("weight_ih_l"+n, G*H, in), f("weight_hh_l"+n, G*H, H),
				f("bias_ih_l"+n, G*H), f("bias_hh_l"+n, G*H))
			in = H
		}
		return append(specs, f("out_weight", C, H), f("out_bias", C))
	case PixelCNN, GatedPixelCNN:
		return imageTensors(h)
	case WaveNet:
		return waveNetTensors(h)
	}
	return nil
}

// ExpectedTensors returns the names of the tensors a model with header h
// must contain, in canonical order (the order SPEC.md lists them), or an
// error if h's hyperparameters are invalid.
func ExpectedTensors(h Header) ([]string, error) {
	js, err := headerJSON(h, nil)
	if err != nil {
		return nil, err
	}
	valid, _, err := parseHeader("", js, VersionMinor, 0)
	if err != nil {
		return nil, err
	}
	specs := expectedTensors(&valid)
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	return names, nil
}

// validateArch checks that f holds exactly the tensors its architecture
// requires, with the implied shapes and dtypes, that orderings are
// permutations and that MADE degrees are in range.
func validateArch(f *File) error {
	h := &f.hdr
	specs := expectedTensors(h)
	for _, s := range specs {
		i, ok := f.index[s.name]
		tf := sprintf("tensor %q", s.name)
		if !ok {
			return errorf(f.path, tf, "required by arch %s but missing from the tensor index", h.Arch)
		}
		t := f.tensors[i]
		switch {
		case s.kind == kindInt && t.DType != I32:
			return errorf(f.path, tf+".dtype", "is %s, want int32", t.DType)
		case s.kind == kindFloat && !t.DType.IsFloat():
			return errorf(f.path, tf+".dtype", "is %s, want float32, float16 or bfloat16", t.DType)
		}
		if !shapeEqual(t.Shape, s.shape) {
			return errorf(f.path, tf+".shape", "is %v, want %v for arch %s with %s", t.Shape, s.shape, h.Arch, describe(h))
		}
	}
	if f.minor <= VersionMinor {
		known := make(map[string]bool, len(specs))
		for _, s := range specs {
			known[s.name] = true
		}
		for _, t := range f.tensors {
			if !known[t.Name] {
				return errorf(f.path, sprintf("tensor %q", t.Name), "is not part of arch %s", h.Arch)
			}
		}
	}
	switch h.Arch {
	case FVSBN, NADE, MADE:
		if err := f.checkOrders(); err != nil {
			return err
		}
	}
	if h.Arch == MADE {
		for l := range h.Hidden {
			if err := f.checkDegrees("degrees" + strconv.Itoa(l+1)); err != nil {
				return err
			}
		}
	}
	return nil
}

func shapeEqual(got []int, want []int64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if int64(got[i]) != want[i] {
			return false
		}
	}
	return true
}

func describe(h *Header) string {
	s := sprintf("dims=%d", h.Dims)
	if len(h.Hidden) > 0 {
		s += sprintf(" hidden=%v", h.Hidden)
	}
	if h.Arch == MADE {
		s += sprintf(" masks=%d direct=%v", h.Masks, h.Direct)
	}
	if h.Arch == LSTM || h.Arch == GRU {
		s += sprintf(" embed=%d categories=%d dist=%s", h.Embed, h.Categories, h.Dist)
	}
	if h.Arch.IsImage() {
		s += sprintf(" shape=%v channels=%d layers=%d kernel_size=%d", h.Shape, h.Channels, h.Layers, h.KernelSize)
		if h.Arch == PixelCNN {
			s += sprintf(" input_kernel=%d", h.InputKernel)
		}
		s += sprintf(" head_channels=%d classes=%d categories=%d dist=%s", h.HeadChannels, h.Classes, h.Categories, h.Dist)
	}
	if h.Arch == WaveNet {
		s += sprintf(" dilations=%v residual_channels=%d gate_channels=%d skip_channels=%d head_channels=%d classes=%d categories=%d dist=%s",
			h.Dilations, h.ResidualChannels, h.GateChannels, h.SkipChannels, h.HeadChannels, h.Classes, h.Categories, h.Dist)
		if h.SampleRate != 0 {
			s += sprintf(" sample_rate=%d", h.SampleRate)
		}
	}
	return s
}

// rawInt32 returns the i-th element of an int32 tensor's bytes.
func rawInt32(b []byte, i int) int32 { return int32(binary.LittleEndian.Uint32(b[4*i:])) }

// checkOrders checks that every row of the "order" tensor is a permutation
// of 0..D-1. The tensor's shape has already been checked.
func (f *File) checkOrders() error {
	t := f.tensors[f.index["order"]]
	b := f.raw(t)
	D := f.hdr.Dims
	rows := t.NumElements() / D
	seen := make([]bool, D) // D is bounded: the tensor of D elements is in the file
	for r := 0; r < rows; r++ {
		clear(seen)
		for i := 0; i < D; i++ {
			v := rawInt32(b, r*D+i)
			if v >= 0 && int(v) < D && !seen[v] {
				seen[v] = true
				continue
			}
			where := sprintf("element %d", i)
			if len(t.Shape) > 1 {
				where = sprintf("element [%d,%d]", r, i)
			}
			if v < 0 || int(v) >= D {
				return errorf(f.path, `tensor "order"`, "%s is %d, outside [0, %d): not a permutation", where, v, D)
			}
			return errorf(f.path, `tensor "order"`, "%s repeats data index %d: not a permutation", where, v)
		}
	}
	return nil
}

// checkDegrees checks that a MADE degree tensor holds values in [1, D-1].
func (f *File) checkDegrees(name string) error {
	t := f.tensors[f.index[name]]
	b := f.raw(t)
	D := f.hdr.Dims
	cols := t.Shape[1]
	for i := 0; i < t.NumElements(); i++ {
		v := rawInt32(b, i)
		if v < 1 || int(v) > D-1 {
			return errorf(f.path, sprintf("tensor %q", name), "element [%d,%d] is %d, outside [1, %d]", i/cols, i%cols, v, D-1)
		}
	}
	return nil
}
