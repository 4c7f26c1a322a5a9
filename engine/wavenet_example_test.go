package engine_test

import (
	"context"
	"fmt"

	"github.com/arinfer/arinfer/engine"
)

// zeroWaveNet is a Bernoulli wavenet of 28x28 items with all-zero weights:
// every conditional is 1/2.
func zeroWaveNet() engine.Model {
	cfg := engine.Config{Arch: "wavenet", Dims: 784, Shape: []int{28, 28}, Dilations: []int{1, 2, 4, 8},
		ResidualChannels: 4, GateChannels: 3, SkipChannels: 5, HeadChannels: 6}
	w := engine.MapWeights{F: map[string][]float32{}, S: map[string][]int{}}
	add := func(name string, shape ...int) {
		n := 1
		for _, s := range shape {
			n *= s
		}
		w.F[name], w.S[name] = make([]float32, n), shape
	}
	add("in_w", 4, 1, 2)
	add("in_b", 4)
	for l := 1; l <= 4; l++ {
		add(fmt.Sprintf("dil%d_w", l), 6, 4, 2)
		add(fmt.Sprintf("dil%d_b", l), 6)
		if l < 4 {
			add(fmt.Sprintf("res%d_w", l), 4, 3)
			add(fmt.Sprintf("res%d_b", l), 4)
		}
		add(fmt.Sprintf("skip%d_w", l), 5, 3)
		add(fmt.Sprintf("skip%d_b", l), 5)
	}
	add("head1_w", 6, 5)
	add("head1_b", 6)
	add("head2_w", 1, 6)
	add("head2_b", 1)
	m, err := engine.New(cfg, w)
	if err != nil {
		panic(err)
	}
	return m
}

// A wavenet is built with the shape of one item of its data set, and
// scores and samples sequences of any length through Sequence.
func ExampleSequence() {
	m := zeroWaveNet()
	seq := m.(engine.Sequence)
	fmt.Println(m.Info().Dims, m.Info().Shape, seq.ReceptiveField())
	clip, err := seq.WithLength(100)
	if err != nil {
		panic(err)
	}
	x := make([]float32, 100)
	out := make([]float64, 1)
	if err := clip.LogProb(context.Background(), x, out); err != nil {
		panic(err)
	}
	fmt.Println(clip.Info().Dims, clip.Info().Shape, fmt.Sprintf("%.4f", out[0]))
	// Output:
	// 784 [28 28] 17
	// 100 [100] -69.3147
}
