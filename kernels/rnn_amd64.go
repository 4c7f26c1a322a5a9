//go:build !purego

package kernels

// AVX2+FMA fused recurrent cells (rnn_amd64.s): the specifications
// lstmCellGeneric and gruCellGeneric lane by lane, with the activation
// algorithms of act_amd64.s, 8 units per step.

// lstmCellAVX2 is LSTMCell; len(g) >= 4*len(h), len(c) >= len(h).
//
//go:noescape
func lstmCellAVX2(g, c, h []float32)

// gruCellAVX2 is GRUCell; len(g) >= 4*len(h).
//
//go:noescape
func gruCellAVX2(g, h []float32)

// fillAVX2RNN installs the AVX2+FMA fused recurrent cells.
func fillAVX2RNN(t *impl) {
	t.lstmCell = lstmCellAVX2
	t.gruCell = gruCellAVX2
}

// lstmCellAVX512 is LSTMCell on ZMM registers, 16 units per step.
//
//go:noescape
func lstmCellAVX512(g, c, h []float32)

// gruCellAVX512 is GRUCell on ZMM registers, 16 units per step.
//
//go:noescape
func gruCellAVX512(g, h []float32)

// fillAVX512RNN installs the AVX-512F fused recurrent cells.
func fillAVX512RNN(t *impl) {
	t.lstmCell = lstmCellAVX512
	t.gruCell = gruCellAVX512
}
