//go:build !purego

package kernels

// fillAVX2RNN installs the AVX2+FMA fused recurrent cells.
func fillAVX2RNN(t *impl) {}

// fillAVX512RNN installs the AVX-512F fused recurrent cells.
func fillAVX512RNN(t *impl) {}
