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

// fillAVX512RNN installs the AVX-512F fused recurrent cells. The cell is
// O(H) next to the O(H²) matrix-vector product of a step, so the AVX-512
// tier keeps the AVX2+FMA cells it inherits.
func fillAVX512RNN(t *impl) {}
