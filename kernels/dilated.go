package kernels

import "fmt"

// NewDilatedConv prepares a causal dilated convolution with kernel 2 (the
// WaveNet layer of SPEC 3.8) from w in PyTorch conv1d layout [cout, cin, 2]:
// output time t reads input times t-d (tap 0) and t (tap 1), and input
// before time 0 is zero. The result is a ConvWeights for Conv2D and
// Conv2DAt on a sequence laid out as an Image with H = time and W = 1: its
// taps are {DY: -d, DX: 0} (tap 0) and {0, 0} (tap 1), so
//
//	out[i, t, 0, co] = bias[co] + Σ_ci w[co, ci, 0]·in[i, t-d, 0, ci] + w[co, ci, 1]·in[i, t, 0, ci].
//
// It returns an error (never panics) on inconsistent sizes or d outside
// 1..2^24.
func NewDilatedConv(w []float32, cout, cin, d int) (*ConvWeights, error) {
	for _, s := range []struct {
		name string
		v    int
	}{{"cout", cout}, {"cin", cin}, {"d", d}} {
		if s.v < 1 || s.v > maxConvDim {
			return nil, fmt.Errorf("kernels: NewDilatedConv: %s = %d, want 1..%d", s.name, s.v, maxConvDim)
		}
	}
	if int64(cout)*int64(cin)*2 > maxConvWeights {
		return nil, fmt.Errorf("kernels: NewDilatedConv: %dx%dx2 weights are too large", cout, cin)
	}
	if len(w) != cout*cin*2 {
		return nil, fmt.Errorf("kernels: NewDilatedConv: len(w) = %d, want %d·%d·2 = %d", len(w), cout, cin, cout*cin*2)
	}
	cw := &ConvWeights{cout: cout, cin: cin, taps: []Tap{{DY: -d, DX: 0}, {DY: 0, DX: 0}}}
	cw.b = make([]float32, 2*cin*cout)
	for t := 0; t < 2; t++ {
		for ci := 0; ci < cin; ci++ {
			row := cw.b[(t*cin+ci)*cout : (t*cin+ci+1)*cout]
			for co := range row {
				row[co] = w[(co*cin+ci)*2+t]
			}
		}
	}
	return cw, nil
}
