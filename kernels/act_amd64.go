//go:build !purego

package kernels

// fillAVX2Act installs the AVX2+FMA activation kernels.
func fillAVX2Act(t *impl) {}

// fillAVX512Act installs the AVX-512F activation kernels.
func fillAVX512Act(t *impl) {}
