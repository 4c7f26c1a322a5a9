// Package engine runs autoregressive models: exact log-likelihoods of
// batches and streaming samplers that cache activations so a whole sample
// costs about one forward pass.
//
// Every architecture implements [Model]. Models are immutable after they
// are built and safe for concurrent use by many goroutines; per-call state
// lives in workspaces recycled through a pool, so scoring and sampling
// allocate nothing in steady state.
package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Dist is the output distribution of every dimension.
type Dist int

const (
	// Bernoulli dimensions take the values 0 and 1.
	Bernoulli Dist = iota
	// Categorical dimensions take the values 0..Categories-1.
	Categorical
)

func (d Dist) String() string {
	switch d {
	case Bernoulli:
		return "bernoulli"
	case Categorical:
		return "categorical"
	}
	return fmt.Sprintf("Dist(%d)", int(d))
}

// Info describes a model.
type Info struct {
	Arch       string // architecture: fvsbn, nade, made, lstm, gru, pixelcnn, gatedpixelcnn, wavenet
	Dims       int    // number of dimensions D of one example
	Shape      []int  // data shape, e.g. [28 28]; its product is Dims
	Dist       Dist   // output distribution of each dimension
	Categories int    // number of values a dimension takes (2 for Bernoulli)
	Params     int    // number of parameters (weights and biases)
	// FLOPs is the number of floating-point operations (2 per multiply-add)
	// of one forward pass over one example through one mixture component,
	// counting only the weights the masks keep: the work a sample must do.
	FLOPs int
	// Components is the number of orderings a mixture model mixes (a
	// MADE's masks; each sample draws one, from p(component | known
	// steps) in a completion); 1 for every other model.
	Components int
	// Classes is the number of classes of a class-conditional model
	// (pixelcnn, gatedpixelcnn, wavenet), which then implements
	// [ClassConditional]; 0 for an unconditional model.
	Classes int
	// SampleRate is the sample rate (samples per second) of an audio
	// model, whose values are mu-law codes of 16-bit PCM audio
	// (format/SPEC.md 3.9); 0 for any other model.
	SampleRate int

	digest *modelDigest // see Digest
}

// Digest returns the SHA-256 of the model's architecture, sizes, build
// options and every weight it read, which binds a saved generator state
// to the model it came from (format/STATE.md); every length view of a
// sequence model has the same digest. A MADE built from a float16 file
// hashes its weight matrices at the first call (tens of milliseconds for
// a large one), not when it is built.
func (i Info) Digest() [32]byte {
	if i.digest == nil {
		return [32]byte{}
	}
	return i.digest.get()
}

// Model is an autoregressive model p(x) = prod_t p(x_order[t] | earlier).
type Model interface {
	// Info describes the model.
	Info() Info
	// LogProb computes log p(x) in nats for each example of a batch: x holds
	// len(out) examples of Dims values each, row-major in data order. It
	// fails if the sizes disagree, a value is outside the distribution's
	// support, or ctx is cancelled.
	LogProb(ctx context.Context, x []float32, out []float64) error
	// Sample draws len(x)/Dims examples into x (row-major, data order),
	// one dimension at a time in the model's ordering, as SampleOptions
	// says.
	Sample(ctx context.Context, x []float32, opt SampleOptions) error
}

// ClassConditional is implemented by models with class conditioning
// (Info().Classes >= 1). Their LogProb is the unconditional log p(x) =
// log sum_y p(y) p(x|y).
type ClassConditional interface {
	Model
	// LogProbGiven computes log p(x | y) in nats for each example of a
	// batch, with labels[e] the class y of example e. It fails as LogProb
	// does, and if len(labels) != len(out) or a label is outside
	// 0..Classes-1.
	LogProbGiven(ctx context.Context, x []float32, labels []int, out []float64) error
}

// Sequence is implemented by models defined for sequences of any length
// (wavenet). The model as built has the length and shape of one data item
// of the data set it was made for (Info().Dims and Shape, e.g. [28 28] for
// binarized MNIST read as a 784-step sequence).
type Sequence interface {
	Model
	// WithLength returns the same model (weights shared, not copied) as a
	// model of length-T sequences: Info().Dims = T and Shape = [T];
	// LogProb, LogProbGiven and Sample work on length T. It fails if T < 1
	// or T exceeds the longest sequence the engine handles (2^31 - 1).
	WithLength(T int) (Model, error)
	// ReceptiveField is ρ = 2 + Σ dilations (format/SPEC.md 3.8): the
	// number of previous values a prediction sees.
	ReceptiveField() int
}

// SampleOptions controls a call to Model.Sample.
type SampleOptions struct {
	// Seed selects the random stream. Example b of a batch draws from its
	// own stream derived from (Seed, b), so the same seed gives the same
	// samples whatever the batch size or number of cores, up to float32
	// rounding of the logits (which differs slightly between kernel tiers
	// and between batched and per-example products, and changes a draw
	// only when a uniform falls within that rounding of its threshold).
	Seed uint64
	// Temperature divides every logit before drawing: 1 samples the model,
	// lower is greedier, higher is flatter. Zero means 1. It must be
	// positive and finite.
	Temperature float64
	// Known, if not nil, marks the dimensions (in data order) whose values
	// the caller has already put in x for every example: completion. The
	// known dimensions must be the first steps of the model's ordering
	// (for a mixture, of every component's ordering); the sampler draws the
	// rest conditioned on them and never changes them.
	Known []bool
	// Labels, if not nil, gives each example's class (0..Classes-1) for a
	// class-conditional model: one label per example. If it is nil, a
	// class-conditional model draws each example's label with the
	// example's own stream, before anything else, from the prior p(y), or
	// with Known from the posterior p(y | known dimensions) (at
	// temperature 1, whatever Temperature says), so that the sample comes
	// from the model's p(x) or its conditional. Labels for an
	// unconditional model are an error.
	Labels []int
	// OnStep, if not nil, is called after every step with that step's
	// conditionals and values for the whole batch, so a caller can stream
	// the sample as it is made. Its slices are valid only during the call.
	OnStep func(Step)
}

// Step reports one dimension of a batch of samples as it is generated.
type Step struct {
	Index  int       // position in the ordering, 0..Dims-1
	Dim    int       // data index generated at this step, or -1 if it differs between examples (a mixture of orderings)
	Dims   []int32   // per example: the data index generated at this step; nil when all are Dim
	Known  bool      // the caller fixed this dimension (completion)
	Logits []float32 // per example, before temperature: the logit of x=1 (Bernoulli), or the Categories logits of a categorical model (len = batch·Categories, example-major)
	Values []float32 // per example: the value drawn or given
}

// ErrSize reports a buffer whose size does not fit the model.
var ErrSize = errors.New("engine: wrong size")

func checkBatch(info *Info, x []float32, out []float64) error {
	if len(x) != len(out)*info.Dims {
		return fmt.Errorf("%w: %d values for %d examples of %d dimensions", ErrSize, len(x), len(out), info.Dims)
	}
	return nil
}

// errNotBinary is what a scoring worker returns when its examples hold a
// value other than 0 or 1; LogProb then finds the first such value
// (checkBinary) for the error message.
var errNotBinary = errors.New("engine: a value is not 0 or 1")

// allBinary reports whether every value of x is 0 (or -0) or 1, without a
// branch per value: v is one of them iff min(bits<<1, bits^bits(1)) is 0.
// The scoring workers check their own examples with it: a scan with a
// branch per value, before the work was split, took a fifth of FVSBN's
// scoring time on MNIST (15 of 62 ms for the test set).
func allBinary(x []float32) bool {
	const one = 0x3f800000
	var b0, b1, b2, b3 uint32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v0, v1 := math.Float32bits(x[i]), math.Float32bits(x[i+1])
		v2, v3 := math.Float32bits(x[i+2]), math.Float32bits(x[i+3])
		b0 |= min(v0<<1, v0^one)
		b1 |= min(v1<<1, v1^one)
		b2 |= min(v2<<1, v2^one)
		b3 |= min(v3<<1, v3^one)
	}
	for ; i < len(x); i++ {
		v := math.Float32bits(x[i])
		b0 |= min(v<<1, v^one)
	}
	return b0|b1|b2|b3 == 0
}

// scoreBinary runs a Bernoulli model's scoring task over the n examples
// of x, whose workers check their own examples (allBinary), and reports
// the first value that is not 0 or 1.
func scoreBinary(ctx context.Context, x []float32, dims, n, grain int, task batchTask) error {
	err := parallelFor(ctx, n, grain, task)
	if errors.Is(err, errNotBinary) {
		if e := checkBinary(x, dims); e != nil {
			return e
		}
	}
	return err
}

// checkBinary reports the first value of x that is neither 0 nor 1.
func checkBinary(x []float32, dims int) error {
	for i, v := range x {
		if v != 0 && v != 1 {
			return fmt.Errorf("engine: example %d dimension %d is %v; a Bernoulli model takes 0 or 1", i/dims, i%dims, v)
		}
	}
	return nil
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("engine: "+format, args...)
}
