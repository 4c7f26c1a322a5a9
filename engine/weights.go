package engine

import (
	"crypto/sha256"
	"fmt"
	"hash"
	"math"
	"slices"
	"sync"
	"unsafe"

	"github.com/arinfer/arinfer/kernels"
)

// Weights supplies a model's named tensors, in the layouts format/SPEC.md
// gives (a *format.File does; tests use a map). Models copy what they keep,
// so the Weights may be released (a file closed and unmapped) after New.
type Weights interface {
	// Float32 returns the tensor's values, row-major, and its shape.
	Float32(name string) ([]float32, []int, error)
	// Int32 returns an integer tensor (orderings, degrees) and its shape.
	Int32(name string) ([]int32, []int, error)
}

// Config holds the hyperparameters a model is built from.
type Config struct {
	Arch   string // fvsbn, nade, made, lstm, gru, pixelcnn, gatedpixelcnn, wavenet
	Dims   int    // D
	Shape  []int  // data shape; nil means [D]
	Hidden []int  // hidden layer sizes (nade: one; made: one or more; lstm/gru: one per stacked layer, all equal)
	Masks  int    // made: number of orderings/masks K (0 means 1)
	Direct bool   // made: direct input-to-output connection

	// Dist is the output distribution; Categorical only for lstm and gru.
	Dist Dist
	// Categories is the number of values K of a categorical dimension
	// (at least 2); 0 or 2 for Bernoulli.
	Categories int
	// Embed is the embedding width E of lstm and gru.
	Embed int

	// The image models (pixelcnn, gatedpixelcnn; format/SPEC.md 3.5-3.7),
	// whose Shape is [H, W]:
	Channels     int // F: feature maps of the residual stream or of each stack
	Layers       int // L: residual (pixelcnn) or gated (gatedpixelcnn) layers
	KernelSize   int // k: size of the masked convolutions (odd)
	InputKernel  int // k0: pixelcnn's mask-A input convolution (odd)
	HeadChannels int // O: width of the hidden 1x1 output layer (also wavenet's)
	Classes      int // N: classes of a class-conditional model; 0 for none (also wavenet's)

	// The wavenet (format/SPEC.md 3.8-3.9), whose Dims and Shape are those
	// of one data item; it scores and samples any length (Sequence):
	Dilations        []int // d_1 ... d_L of the residual layers
	ResidualChannels int   // R: width of the residual stream
	GateChannels     int   // G: outputs of each gated unit
	SkipChannels     int   // S: width of the skip connections
	SampleRate       int   // samples per second of an audio model (categorical mu-law codes); 0 otherwise
}

// Options configure how a model is built. The zero value is the default
// (float32 everywhere).
type Options struct {
	// StepWeights is the storage of the weights the generation step
	// streams (wavenet's fast generation): kernels.F32 (default), F16,
	// BF16 or BF16Dot. Scoring always uses float32. Other architectures
	// ignore it.
	StepWeights kernels.WeightType
}

// New builds a model of cfg.Arch from w with the default Options.
func New(cfg Config, w Weights) (Model, error) {
	return NewOptions(cfg, w, Options{})
}

// NewOptions builds a model of cfg.Arch from w as o says.
func NewOptions(cfg Config, w Weights, o Options) (Model, error) {
	if cfg.Dims < 1 {
		return nil, fmt.Errorf("engine: %s: dims %d must be at least 1", cfg.Arch, cfg.Dims)
	}
	shape := cfg.Shape
	if shape == nil {
		shape = []int{cfg.Dims}
	}
	p := 1
	for _, s := range shape {
		if s < 1 || p > cfg.Dims {
			return nil, fmt.Errorf("engine: %s: shape %v does not hold %d dimensions", cfg.Arch, shape, cfg.Dims)
		}
		p *= s
	}
	if p != cfg.Dims {
		return nil, fmt.Errorf("engine: %s: shape %v holds %d dimensions, not %d", cfg.Arch, shape, p, cfg.Dims)
	}
	info := Info{Arch: cfg.Arch, Dims: cfg.Dims, Shape: slices.Clone(shape), Dist: Bernoulli, Categories: 2, Components: 1}
	if cfg.Arch == "made" && cfg.Masks > 1 {
		info.Components = cfg.Masks
	}
	switch cfg.Dist {
	case Bernoulli:
		if cfg.Categories != 0 && cfg.Categories != 2 {
			return nil, fmt.Errorf("engine: %s: a bernoulli model has 2 categories, not %d", cfg.Arch, cfg.Categories)
		}
	case Categorical:
		switch cfg.Arch {
		case "lstm", "gru", "pixelcnn", "gatedpixelcnn", "wavenet":
		default:
			return nil, fmt.Errorf("engine: %s: categorical outputs are supported for lstm, gru, pixelcnn, gatedpixelcnn and wavenet only", cfg.Arch)
		}
		if cfg.Categories < 2 {
			return nil, fmt.Errorf("engine: %s: a categorical model needs at least 2 categories, not %d", cfg.Arch, cfg.Categories)
		}
		info.Dist, info.Categories = Categorical, cfg.Categories
	default:
		return nil, fmt.Errorf("engine: %s: unknown distribution %v", cfg.Arch, cfg.Dist)
	}
	dw := &digestWeights{w: w, sums: map[string][32]byte{}}
	info.digest = new(modelDigest)
	m, err := buildArch(info, cfg, dw, o)
	dw.wg.Wait() // the hashes read w, which the caller may release once New returns
	dw.w = nil
	if err != nil {
		return nil, err
	}
	info.digest.compute = func() [32]byte {
		return dw.digest(cfg.Arch, cfg.Dims, shape, info.Dist, info.Categories, o.StepWeights)
	}
	if len(dw.later) == 0 {
		info.digest.get()
	}
	return m, nil
}

// modelDigest is a model's digest (Info.Digest), computed when New builds
// the model or, when some tensor records are left to be hashed from the
// model's own copy of their values (digestWeights.hashLater), when it is
// first asked for: only saved generator states need it.
type modelDigest struct {
	once    sync.Once
	compute func() [32]byte
	sum     [32]byte
}

func (d *modelDigest) get() [32]byte {
	d.once.Do(func() {
		d.sum = d.compute()
		d.compute = nil
	})
	return d.sum
}

// buildArch builds a model of cfg.Arch.
func buildArch(info Info, cfg Config, w Weights, o Options) (Model, error) {
	switch cfg.Arch {
	case "lstm", "gru":
		return newRNN(info, cfg, w)
	case "fvsbn":
		return newFVSBN(info, w)
	case "nade":
		if len(cfg.Hidden) != 1 {
			return nil, fmt.Errorf("engine: nade: needs exactly one hidden size, have %v", cfg.Hidden)
		}
		return newNADE(info, cfg.Hidden[0], w)
	case "made":
		return newMADE(info, cfg, w)
	case "pixelcnn", "gatedpixelcnn":
		return newConvModel(info, cfg, w)
	case "wavenet":
		return newWaveNet(info, cfg, w, o)
	}
	return nil, fmt.Errorf("engine: unsupported architecture %q", cfg.Arch)
}

// digestWeights is the Weights a model is built from, hashing every
// tensor the model reads for its digest (Info.Digest, format/STATE.md 2):
// SHA-256 over a line describing the model and the SHA-256 of each
// tensor, in name order. A large tensor is hashed on a goroutine of its
// own while the model is built from it (wg: NewOptions waits for them
// before it returns).
type digestWeights struct {
	w     Weights
	wg    sync.WaitGroup
	mu    sync.Mutex
	sums  map[string][32]byte // tensor name -> SHA-256 of its record
	later []func()            // records hashed when the digest is computed (hashLater)
}

// hashAlone is the number of values from which a tensor is hashed on a
// goroutine of its own.
const hashAlone = 1 << 16

func (d *digestWeights) Float32(name string) ([]float32, []int, error) {
	v, s, err := d.w.Float32(name)
	if err == nil {
		d.hash("f32", name, s, len(v), func(h hash.Hash) { hashWords(h, v) })
	}
	return v, s, err
}

func (d *digestWeights) Int32(name string) ([]int32, []int, error) {
	v, s, err := d.w.Int32(name)
	if err == nil {
		d.hash("i32", name, s, len(v), func(h hash.Hash) { hashWords(h, v) })
	}
	return v, s, err
}

// hash records the SHA-256 of the n-value tensor name's record, whose
// values write writes to h (hashWords). Models do not modify the tensors
// they read, so a large one is hashed on a goroutine of its own while the
// model is built (NewOptions waits for it).
func (d *digestWeights) hash(kind, name string, shape []int, n int, write func(h hash.Hash)) {
	run := func() {
		h := d.record(kind, name, shape)
		write(h)
		d.finish(name, h)
	}
	if n < hashAlone {
		run()
		return
	}
	d.wg.Go(run)
}

// record starts the record of a tensor: SHA-256 of
// "kind\x00name\x00shape\x00" followed by its values as little-endian
// 32-bit words (hashWords), which finish adds to the digest.
func (d *digestWeights) record(kind, name string, shape []int) hash.Hash {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%v\x00", kind, name, shape)
	return h
}

// hashLater leaves the record of tensor name to be hashed when the
// digest is first computed: write then writes its values (as read from
// the model's own copy, which must hold them unchanged).
func (d *digestWeights) hashLater(kind, name string, shape []int, write func(h hash.Hash)) {
	d.mu.Lock()
	d.later = append(d.later, func() {
		h := d.record(kind, name, shape)
		write(h)
		d.finish(name, h)
	})
	d.mu.Unlock()
}

// finish adds the SHA-256 of the tensor name's record h to the digest.
func (d *digestWeights) finish(name string, h hash.Hash) {
	var sum [32]byte
	h.Sum(sum[:0])
	d.mu.Lock()
	d.sums[name] = sum
	d.mu.Unlock()
}

// digest returns the model's digest: SHA-256 of the line
// "arinfer model\x00arch\x00dims\x00shape\x00dist\x00categories\x00step=type\x00"
// then each tensor's SHA-256, in byte order of the names.
func (d *digestWeights) digest(arch string, dims int, shape []int, dist Dist, cats int, step kernels.WeightType) [32]byte {
	for _, f := range d.later {
		f()
	}
	d.later = nil
	h := sha256.New()
	fmt.Fprintf(h, "arinfer model\x00%s\x00%d\x00%v\x00%v\x00%d\x00step=%v\x00", arch, dims, shape, dist, cats, step)
	names := make([]string, 0, len(d.sums))
	for n := range d.sums {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		s := d.sums[n]
		h.Write(s[:])
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// tensor fetches a float32 tensor and checks its shape.
func tensor(w Weights, name string, shape ...int) ([]float32, error) {
	v, s, err := w.Float32(name)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(s, shape) {
		return nil, fmt.Errorf("engine: tensor %s has shape %v, want %v", name, s, shape)
	}
	if n := prod(shape); len(v) != n {
		return nil, fmt.Errorf("engine: tensor %s has %d values, want %d", name, len(v), n)
	}
	return flushSubnormals(v), nil
}

// flushSubnormals returns v, or a copy of v with its subnormal values
// (0 < |w| < 2^-126) replaced by zeros when it has any. The FMA units take
// a microcode assist for every subnormal operand, about 100x slower
// (kernels' BenchmarkAxpySubnormal), and training leaves many behind:
// weight decay shrinks the weights of masked-out connections and of
// pixels that are never on towards zero (the MADE shipped in models/ has
// 178k subnormals in W1). A subnormal weight changes a float32
// pre-activation by less than 2^-126 per product, far below its rounding
// error, so flushing changes no result that float32 can tell apart.
func flushSubnormals(v []float32) []float32 {
	i := slices.IndexFunc(v, isSubnormal)
	if i < 0 {
		return v
	}
	c := slices.Clone(v)
	for ; i < len(c); i++ {
		if isSubnormal(c[i]) {
			c[i] = 0
		}
	}
	return c
}

func isSubnormal(w float32) bool {
	b := math.Float32bits(w) &^ (1 << 31)
	return b != 0 && b < 1<<23
}

func itensor(w Weights, name string, shape ...int) ([]int32, error) {
	v, s, err := w.Int32(name)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(s, shape) {
		return nil, fmt.Errorf("engine: tensor %s has shape %v, want %v", name, s, shape)
	}
	if n := prod(shape); len(v) != n {
		return nil, fmt.Errorf("engine: tensor %s has %d values, want %d", name, len(v), n)
	}
	return slices.Clone(v), nil // models outlive the Weights (an unmapped file)
}

func prod(s []int) int {
	p := 1
	for _, v := range s {
		p *= v
	}
	return p
}

// checkOrder verifies that order is a permutation of 0..D-1.
func checkOrder(name string, order []int32) error {
	seen := make([]bool, len(order))
	for t, d := range order {
		if d < 0 || int(d) >= len(order) || seen[d] {
			return fmt.Errorf("engine: %s is not a permutation of 0..%d (step %d is %d)", name, len(order)-1, t, d)
		}
		seen[d] = true
	}
	return nil
}

// MapWeights is a Weights backed by maps, for tests and for programs that
// build models in memory.
type MapWeights struct {
	F map[string][]float32
	I map[string][]int32
	S map[string][]int // shapes of the tensors in F and I
}

// Float32 implements Weights.
func (m MapWeights) Float32(name string) ([]float32, []int, error) {
	v, ok := m.F[name]
	if !ok {
		return nil, nil, fmt.Errorf("engine: missing float32 tensor %s", name)
	}
	return v, m.S[name], nil
}

// Int32 implements Weights.
func (m MapWeights) Int32(name string) ([]int32, []int, error) {
	v, ok := m.I[name]
	if !ok {
		return nil, nil, fmt.Errorf("engine: missing int32 tensor %s", name)
	}
	return v, m.S[name], nil
}

// gather writes dst[t] = src[order[t]]: data order to ordering order.
func gather(dst, src []float32, order []int32) {
	dst = dst[:len(order)]
	for t, d := range order {
		dst[t] = src[d]
	}
}

// alignedFloats returns n zeroed float32s starting on a 64-byte boundary
// (on a 2 MB one, in huge pages, when they fill one: bigSlice).
func alignedFloats(n int) []float32 {
	if n*4 >= hugePage {
		return bigSlice[float32](n)
	}
	buf := make([]float32, n+16)
	off := int(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))&63) / 4
	if off != 0 {
		off = 16 - off
	}
	return buf[off : off+n : off+n]
}

// hugePage is the size of a transparent huge page (x86-64, arm64 with
// 4 kB pages).
const hugePage = 2 << 20

// bigSlice returns n zeroed values for a model's large weight arrays,
// starting on a huge page boundary, and advises the pages they span into
// huge pages (adviseHuge) before anything touches them: the allocation is
// rounded up to whole huge pages, with a huge page of slack to align it.
// The slack is not written and costs no resident memory; the rounding
// costs less than a huge page, resident.
//
// The advice takes effect for memory the heap hands out fresh, which
// nothing has touched yet (a large allocation in memory that held freed
// objects is cleared by the runtime, in 4 kB pages, before make returns);
// a model therefore allocates its largest arrays first, before it makes
// garbage.
func bigSlice[T float32 | uint16](n int) []T {
	var z T
	size := int(unsafe.Sizeof(z))
	span := (n*size + hugePage - 1) &^ (hugePage - 1)
	buf := make([]T, (span+hugePage)/size)
	off := int(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))&(hugePage-1)) / size
	if off != 0 {
		off = hugePage/size - off
	}
	adviseHuge(unsafe.Pointer(&buf[off]), uintptr(span))
	return buf[off : off+n : off+n]
}

// halves returns n zeroed uint16s (binary16 push tables), from bigSlice
// when they fill a quarter of a huge page or more: a table is written
// whole right after, so a huge page costs at most 1.5 MB of zeroed memory
// it does not use, where 4 kB pages cost a page fault per 4 kB (made32's
// 0.6 MB table of direct connections: 160 faults, 2 ms here).
func halves(n int) []uint16 {
	if 2*n >= hugePage/4 {
		return bigSlice[uint16](n)
	}
	return make([]uint16, n)
}
