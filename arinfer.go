// Package arinfer is the library face of arinfer, a CPU inference engine
// for autoregressive generative models (FVSBN, NADE, MADE, LSTM/GRU,
// PixelCNN, Gated PixelCNN, WaveNet): open a model, score data exactly,
// sample with a streaming, cached sampler, or drive a generation step by
// step as a value that forks, saves and resumes (Generate).
//
//	m, err := arinfer.Open("weights.arw") // or arinfer.Default()
//	ll := make([]float64, n)
//	err = m.LogProb(ctx, x, ll)           // log p(x) in nats per example
//	err = m.Sample(ctx, x, arinfer.SampleOptions{Seed: 1})
//
//	g, err := arinfer.Generate(ctx, m, x, arinfer.SampleOptions{Seed: 1})
//	for st, err := range arinfer.Steps(ctx, g) { ... } // one step at a time
//	state, err := g.MarshalBinary()                     // later: arinfer.Restore(m, state)
//
// Models are immutable and safe for concurrent use by many goroutines;
// scoring spreads a batch over all cores; neither scoring nor sampling
// allocates in steady state; both stop early when their context is
// cancelled. Kernels (AVX-512, AVX2/FMA, NEON or pure Go) are chosen once
// at start-up; see package kernels.
package arinfer

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"iter"

	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/format"
)

// Model is a loaded autoregressive model; see engine.Model.
type Model = engine.Model

// SampleOptions, Step, Info, ClassConditional, Sequence, Options,
// Generator and StateInfo are engine's; see there.
type (
	SampleOptions    = engine.SampleOptions
	Step             = engine.Step
	Info             = engine.Info
	ClassConditional = engine.ClassConditional
	Sequence         = engine.Sequence
	Options          = engine.Options
	Generator        = engine.Generator
	StateInfo        = engine.StateInfo
)

// ErrState wraps every reason a generator state is refused; see engine.
var ErrState = engine.ErrState

// Generate starts a step-by-step generation; see engine.Generate.
func Generate(ctx context.Context, m Model, x []float32, opt SampleOptions) (Generator, error) {
	return engine.Generate(ctx, m, x, opt)
}

// Restore continues a saved generation on its model; see engine.Restore.
func Restore(m Model, state []byte) (Generator, error) { return engine.Restore(m, state) }

// ReadStateInfo describes a saved generation without a model; see
// engine.ReadStateInfo.
func ReadStateInfo(state []byte) (StateInfo, error) { return engine.ReadStateInfo(state) }

// Steps ranges over a generator's remaining steps; see engine.Steps.
func Steps(ctx context.Context, g Generator) iter.Seq2[Step, error] { return engine.Steps(ctx, g) }

// Open reads, validates and loads the .arw model at path.
func Open(path string) (Model, error) { return engine.Open(path) }

// OpenOptions is Open with build options (e.g. 16-bit weights for a
// WaveNet's generation step).
func OpenOptions(path string, o Options) (Model, error) { return engine.OpenOptions(path, o) }

//go:embed models/mnist-default.arw
var defaultModel []byte

// DefaultName names the model Default returns.
const DefaultName = "models/mnist-default.arw (embedded)"

// Default returns the small trained binarized-MNIST model embedded in the
// binary, so programs work without any file.
func Default() (Model, error) {
	f, err := format.Read(bytes.NewReader(defaultModel), int64(len(defaultModel)))
	if err != nil {
		return nil, fmt.Errorf("arinfer: embedded model: %w", err)
	}
	defer f.Close()
	return engine.FromFile(f)
}
