//go:build !purego

package kernels

// fillAVX2BLAS installs the AVX2+FMA vector, GEMV and GEMM kernels.
func fillAVX2BLAS(t *impl) {}

// fillAVX512BLAS installs the AVX-512F vector, GEMV and GEMM kernels.
func fillAVX512BLAS(t *impl) {}
