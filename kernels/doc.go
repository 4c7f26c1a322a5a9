// Package kernels is arinfer's compute core: float32 vector, matrix and
// activation kernels on plain slices with explicit sizes and strides
// (plus [AxpyF16], which reads binary16 weights and widens them exactly,
// and [MatVec], the generation step's products on weights prepared once as
// float32, float16 or bfloat16 [Mat]s).
//
// Every kernel has a pure-Go implementation (always compiled, no build tag)
// and, where it pays, hand-written assembly for AVX2+FMA and AVX-512F on
// amd64 and NEON on arm64. The implementation set ("tier") is chosen once at
// start-up from the CPU's features (github.com/klauspost/cpuid/v2) into a
// kernel table; there is no feature check per element. The environment
// variable ARINFER_KERNELS (generic, avx2, avx512, neon) forces a tier, the
// build tag purego forces the generic tier, and [Active] reports the tier in
// use so programs and benchmarks can print it.
//
// Matrices are row-major: element (i, j) of a matrix with leading dimension
// (row stride) ld is at index i*ld + j. Kernels never allocate in steady state
// and never write outside the elements their sizes name.
//
// Kernels are not safe to call concurrently with [SetTier], which exists for
// tests, benchmarks and start-up configuration.
package kernels
