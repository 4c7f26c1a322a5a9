package engine

import (
	"fmt"

	"github.com/arinfer/arinfer/format"
)

// FromFile builds the model a validated .arw file describes. The model
// keeps its own (permuted) copy of the weights, so f may be closed after.
func FromFile(f *format.File) (Model, error) {
	return FromFileOptions(f, Options{})
}

// FromFileOptions is FromFile with the build options o.
func FromFileOptions(f *format.File, o Options) (Model, error) {
	h := f.Header()
	cfg := Config{Arch: string(h.Arch), Dims: h.Dims, Shape: h.Shape, Hidden: h.Hidden, Masks: h.Masks, Direct: h.Direct,
		Categories: h.Categories, Embed: h.Embed, Channels: h.Channels, Layers: h.Layers, KernelSize: h.KernelSize,
		InputKernel: h.InputKernel, HeadChannels: h.HeadChannels, Classes: h.Classes,
		Dilations: h.Dilations, ResidualChannels: h.ResidualChannels, GateChannels: h.GateChannels,
		SkipChannels: h.SkipChannels, SampleRate: h.SampleRate}
	switch h.Dist {
	case format.Bernoulli:
		cfg.Dist = Bernoulli
	case format.Categorical:
		cfg.Dist = Categorical
	default:
		return nil, fmt.Errorf("engine: %s: %s models with %s outputs are not supported", f.Path(), h.Arch, h.Dist)
	}
	m, err := NewOptions(cfg, f, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path(), err)
	}
	return m, nil
}

// Open reads, validates and builds the model in the .arw file at path.
func Open(path string) (Model, error) {
	return OpenOptions(path, Options{})
}

// OpenOptions is Open with the build options o.
func OpenOptions(path string, o Options) (Model, error) {
	f, err := format.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return FromFileOptions(f, o)
}
