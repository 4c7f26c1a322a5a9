//go:build !purego

package kernels

import "github.com/klauspost/cpuid/v2"

// registerArch builds the NEON table. Advanced SIMD is architectural on
// arm64 (every ARMv8-A core has it), so it needs no feature check.
func registerArch() {
	t := genericImpl
	t.tier = NEON
	fillNEON(&t)
	fillNEONRNN(&t)
	fillNEONHalf(&t)
	fillNEONMatVec(&t)
	tiers[NEON] = &t
}

func cpuName() string {
	if cpuid.CPU.BrandName != "" {
		return cpuid.CPU.BrandName
	}
	return "arm64"
}
