package engine

import (
	"fmt"

	"github.com/arinfer/arinfer/format"
)

// FromFile builds the model a validated .arw file describes. The model
// keeps its own (permuted) copy of the weights, so f may be closed after.
func FromFile(f *format.File) (Model, error) {
	h := f.Header()
	cfg := Config{Arch: string(h.Arch), Dims: h.Dims, Shape: h.Shape, Hidden: h.Hidden, Masks: h.Masks, Direct: h.Direct,
		Categories: h.Categories, Embed: h.Embed, Channels: h.Channels, Layers: h.Layers, KernelSize: h.KernelSize,
		InputKernel: h.InputKernel, HeadChannels: h.HeadChannels, Classes: h.Classes}
	switch h.Dist {
	case format.Bernoulli:
		cfg.Dist = Bernoulli
	case format.Categorical:
		cfg.Dist = Categorical
	default:
		return nil, fmt.Errorf("engine: %s: %s models with %s outputs are not supported", f.Path(), h.Arch, h.Dist)
	}
	m, err := New(cfg, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path(), err)
	}
	return m, nil
}

// Open reads, validates and builds the model in the .arw file at path.
func Open(path string) (Model, error) {
	f, err := format.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return FromFile(f)
}
