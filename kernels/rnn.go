package kernels

import "fmt"

// LSTMCell applies the gate nonlinearities and state update of one
// torch.nn.LSTM step for H units, in one pass. g holds the 4H gate
// pre-activations in PyTorch's order (input i, forget f, cell g, output o),
// already summed over W_ih·x + b_ih + W_hh·h + b_hh (one GEMV over the
// concatenated input and state). c and h (length H) are updated in place:
//
//	c = σ(f)·c + σ(i)·tanh(g)
//	h = σ(o)·tanh(c)
func LSTMCell(g, c, h []float32) {
	H := len(h)
	if len(g) < 4*H || len(c) < H {
		panic(fmt.Sprintf("kernels: LSTMCell: len(g)=%d, len(c)=%d for H=%d", len(g), len(c), H))
	}
	cur.lstmCell(g, c, h)
}

// GRUCell applies the gate nonlinearities and state update of one
// torch.nn.GRU step for H units, in one pass. g holds 4H pre-activations:
// reset r and update z (each W_i·x + b_i + W_h·h + b_h), then the input part
// n_i = W_in·x + b_in and the state part n_h = W_hn·h + b_hn of the new gate,
// kept apart because PyTorch multiplies only n_h by the reset gate. h
// (length H) is updated in place:
//
//	n = tanh(n_i + σ(r)·n_h)
//	h = (1-σ(z))·n + σ(z)·h
func GRUCell(g, h []float32) {
	H := len(h)
	if len(g) < 4*H {
		panic(fmt.Sprintf("kernels: GRUCell: len(g)=%d for H=%d", len(g), H))
	}
	cur.gruCell(g, h)
}

// lstmCellGeneric is the specification of LSTMCell, on the generic tier's
// scalar activations (act_generic.go).
func lstmCellGeneric(g, c, h []float32) {
	H := len(h)
	c = c[:H]
	gi, gf, gg, gout := g[:H], g[H:2*H], g[2*H:3*H], g[3*H:4*H]
	for j := range h {
		cj := sigmoid32(gf[j])*c[j] + sigmoid32(gi[j])*tanh32(gg[j])
		c[j] = cj
		h[j] = sigmoid32(gout[j]) * tanh32(cj)
	}
}

// gruCellGeneric is the specification of GRUCell.
func gruCellGeneric(g, h []float32) {
	H := len(h)
	gr, gz, gni, gnh := g[:H], g[H:2*H], g[2*H:3*H], g[3*H:4*H]
	for j := range h {
		n := tanh32(gni[j] + sigmoid32(gr[j])*gnh[j])
		z := sigmoid32(gz[j])
		h[j] = (1-z)*n + z*h[j]
	}
}
