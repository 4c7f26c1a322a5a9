//go:build !purego

package kernels

// fillNEONRNN installs the NEON fused recurrent cells.
func fillNEONRNN(t *impl) {}
