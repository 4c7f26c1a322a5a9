//go:build !purego

package kernels

import "github.com/klauspost/cpuid/v2"

// CPU features, decided once at start-up.
var (
	hasAVX2   = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3)
	hasAVX512 = hasAVX2 && cpuid.CPU.Supports(cpuid.AVX512F)
	hasF16C   = cpuid.CPU.Supports(cpuid.F16C) // VCVTPH2PS for the AVX2 AxpyF16
)

// registerArch builds the AVX2 and AVX-512 tables this CPU supports. Each
// starts from the tier below it and overrides the kernels it implements.
func registerArch() {
	if hasAVX2 {
		t := genericImpl
		t.tier = AVX2
		fillAVX2BLAS(&t)
		fillAVX2Act(&t)
		fillAVX2RNN(&t)
		fillAVX2Half(&t)
		fillAVX2MatVec(&t)
		tiers[AVX2] = &t
	}
	if hasAVX512 {
		t := *tiers[AVX2]
		t.tier = AVX512
		fillAVX512BLAS(&t)
		fillAVX512Act(&t)
		fillAVX512RNN(&t)
		fillAVX512Half(&t)
		fillAVX512MatVec(&t)
		tiers[AVX512] = &t
	}
}

func cpuName() string { return cpuid.CPU.BrandName }
