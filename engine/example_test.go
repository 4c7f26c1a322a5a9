package engine_test

import (
	"context"
	"fmt"

	"github.com/arinfer/arinfer/engine"
)

// tinyFVSBN builds a 3-pixel FVSBN in memory: pixel 0 is on with
// probability 1/2, and each later pixel copies the one before it with
// probability sigmoid(4) ≈ 0.98.
func tinyFVSBN() engine.Model {
	w := engine.MapWeights{
		F: map[string][]float32{
			"W": {0, 0, 0, 8, 0, 0, 0, 8, 0},
			"b": {0, -4, -4},
		},
		I: map[string][]int32{"order": {0, 1, 2}},
		S: map[string][]int{"W": {3, 3}, "b": {3}, "order": {3}},
	}
	m, err := engine.New(engine.Config{Arch: "fvsbn", Dims: 3}, w)
	if err != nil {
		panic(err)
	}
	return m
}

func ExampleModel_LogProb() {
	m := tinyFVSBN()
	x := []float32{
		1, 1, 1, // likely
		1, 0, 1, // unlikely
	}
	ll := make([]float64, 2)
	if err := m.LogProb(context.Background(), x, ll); err != nil {
		panic(err)
	}
	fmt.Printf("log p = %.3f, %.3f nats\n", ll[0], ll[1])
	// Output: log p = -0.729, -8.729 nats
}

func ExampleModel_Sample() {
	m := tinyFVSBN()
	x := make([]float32, 4*3) // a batch of 4 samples of 3 pixels
	err := m.Sample(context.Background(), x, engine.SampleOptions{
		Seed: 42,
		OnStep: func(s engine.Step) { // streamed as each pixel is drawn
			fmt.Printf("step %d: pixel %d of every sample: %v\n", s.Index, s.Dim, s.Values)
		},
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// step 0: pixel 0 of every sample: [1 1 1 0]
	// step 1: pixel 1 of every sample: [1 1 1 0]
	// step 2: pixel 2 of every sample: [1 1 1 0]
}

func ExampleSampleOptions_completion() {
	m := tinyFVSBN()
	x := make([]float32, 5*3)
	known := []bool{true, false, false} // pixel 0 is given
	for e := 0; e < 5; e++ {
		x[e*3] = 1
	}
	if err := m.Sample(context.Background(), x, engine.SampleOptions{Seed: 7, Known: known, Temperature: 0.5}); err != nil {
		panic(err)
	}
	fmt.Println(x)
	// Output: [1 1 1 1 1 1 1 1 1 1 1 1 1 1 1]
}
