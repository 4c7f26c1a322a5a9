package kernels

import (
	"fmt"
	"os"
	"strings"
)

// Tier names one implementation set of the kernels.
type Tier uint8

const (
	// Generic is the pure-Go implementation, available everywhere.
	Generic Tier = iota
	// AVX2 is the amd64 tier that requires both AVX2 and FMA.
	AVX2
	// AVX512 is the amd64 tier that requires AVX-512F (plus AVX2 and FMA,
	// whose kernels it reuses where it has none of its own).
	AVX512
	// NEON is the arm64 Advanced SIMD tier.
	NEON
	numTiers
)

var tierNames = [numTiers]string{"generic", "avx2", "avx512", "neon"}

// String returns the tier's name as ARINFER_KERNELS spells it.
func (t Tier) String() string {
	if t < numTiers {
		return tierNames[t]
	}
	return fmt.Sprintf("Tier(%d)", uint8(t))
}

// ParseTier returns the tier named s (generic, avx2, avx512 or neon).
func ParseTier(s string) (Tier, error) {
	for i, n := range tierNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Tier(i), nil
		}
	}
	return 0, fmt.Errorf("kernels: unknown tier %q (want one of %s)", s, strings.Join(tierNames[:], ", "))
}

// impl is one tier's kernel table. Every entry is set: a tier starts as a
// copy of the generic table (or of the tier below it) and overrides what it
// implements itself. The doc comment of each generic function in generic.go
// is the specification every implementation must meet.
type impl struct {
	tier Tier

	dot   func(x, y []float32) float32
	axpy  func(alpha float32, x, y []float32)
	scale func(alpha float32, x []float32)
	add   func(dst, x, y []float32)

	axpyF16 func(alpha float32, x []uint16, y []float32) // half.go

	gemv  func(m, n int, a []float32, lda int, x, y []float32)
	gemvT func(m, n int, a []float32, lda int, x, y []float32)

	// GEMM register tile and cache blocking (see gemm.go).
	mr, nr     int
	mc, kc, nc int
	gemmMicro  func(k int, a, b, c []float32, ldc int)
	// gemmMicroRows is gemmMicro on A read in place (gemm_rows.go); nil:
	// the tier packs A.
	gemmMicroRows func(k1 int, a1 []float32, k2 int, a2 []float32, lda int, b, c []float32, ldc int)

	exp        func(dst, x []float32)
	sigmoid    func(dst, x []float32)
	tanh       func(dst, x []float32)
	softplus   func(dst, x []float32)
	logSigmoid func(dst, x []float32)
	relu       func(dst, x []float32)
	logSumExp  func(x []float32) float32
	bernoulli  func(logits, x []float32) float32
	sigmoidDot func(v, a []float32) float32

	// Fused recurrent cells (rnn.go).
	lstmCell func(g, c, h []float32)
	gruCell  func(g, h []float32)

	// Gated activation (gate.go): dst = tanh(a)·sigmoid(b), len(a),
	// len(b) >= len(dst).
	gate func(dst, a, b []float32)

	// MatVec kernels by weight type (matvec_run.go); nil entries run the
	// generic kernel. roundBF16 and packBF16 round x for BF16Dot
	// (matvec_round.go).
	matvec    matvecTable
	roundBF16 func(dst, x []float32)
	packBF16  func(dst []uint16, x []float32)
}

// tiers holds the table of every tier this build and CPU can run; cur is
// the active one. Both are set in init and changed only by SetTier.
var (
	tiers [numTiers]*impl
	cur   *impl
)

var genericImpl = impl{
	tier:          Generic,
	dot:           dotGeneric,
	axpy:          axpyGeneric,
	scale:         scaleGeneric,
	add:           addGeneric,
	axpyF16:       axpyF16Generic,
	gemv:          gemvGeneric,
	gemvT:         gemvTGeneric,
	mr:            4,
	nr:            4,
	mc:            64,
	kc:            256,
	nc:            1024,
	gemmMicro:     gemmMicroGeneric,
	gemmMicroRows: gemmMicroRowsGeneric,
	exp:           expGeneric,
	sigmoid:       sigmoidGeneric,
	tanh:          tanhGeneric,
	softplus:      softplusGeneric,
	logSigmoid:    logSigmoidGeneric,
	relu:          reluGeneric,
	logSumExp:     logSumExpGeneric,
	bernoulli:     bernoulliGeneric,
	sigmoidDot:    sigmoidDotGeneric,
	lstmCell:      lstmCellGeneric,
	gruCell:       gruCellGeneric,
	gate:          gateGeneric,
	roundBF16:     roundBF16Generic,
	packBF16:      packBF16Generic,
}

// EnvVar is the environment variable that forces a tier at start-up.
const EnvVar = "ARINFER_KERNELS"

func init() {
	g := genericImpl
	tiers[Generic] = &g
	registerArch() // per-architecture file: adds the tiers this CPU supports
	cur = tiers[Generic]
	for t := numTiers - 1; t > Generic; t-- {
		if tiers[t] != nil {
			cur = tiers[t]
			break
		}
	}
	if s := os.Getenv(EnvVar); s != "" {
		t, err := ParseTier(s)
		if err == nil {
			err = SetTier(t)
		}
		if err != nil {
			envErr = fmt.Errorf("%s=%s: %w", EnvVar, s, err)
		}
	}
}

// envErr records a bad ARINFER_KERNELS value; see EnvError.
var envErr error

// EnvError reports whether ARINFER_KERNELS named a tier that does not exist
// or that this CPU or build cannot run. The best available tier is active
// in that case; programs should report the error to the user.
func EnvError() error { return envErr }

// Active returns the tier in use.
func Active() Tier { return cur.tier }

// Available lists the tiers this build can run on this CPU, generic first.
func Available() []Tier {
	var ts []Tier
	for t, k := range tiers {
		if k != nil {
			ts = append(ts, Tier(t))
		}
	}
	return ts
}

// SetTier makes t the active tier. It fails if this CPU or build cannot run
// t. It must not be called while kernels are running in other goroutines.
func SetTier(t Tier) error {
	if t >= numTiers {
		return fmt.Errorf("kernels: unknown tier %d", t)
	}
	if tiers[t] == nil {
		return fmt.Errorf("kernels: tier %s is not available on this CPU or build (available: %v)", t, Available())
	}
	cur = tiers[t]
	return nil
}

// Describe returns a one-line description of the active tier and the CPU,
// for benchmark and CLI headers.
func Describe() string {
	return fmt.Sprintf("kernels=%s cpu=%q", cur.tier, cpuName())
}
