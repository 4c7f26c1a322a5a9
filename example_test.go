package arinfer_test

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/arinfer/arinfer"
)

// Sampling from the embedded model: a batch of 4 images of 28x28 pixels.
func Example() {
	m, err := arinfer.Default()
	if err != nil {
		panic(err)
	}
	info := m.Info()
	x := make([]float32, 4*info.Dims)
	if err := m.Sample(context.Background(), x, arinfer.SampleOptions{Seed: 1}); err != nil {
		panic(err)
	}
	ll := make([]float64, 4)
	if err := m.LogProb(context.Background(), x, ll); err != nil {
		panic(err)
	}
	fmt.Println(info.Shape, len(ll), ll[0] < 0)
	// Output: [28 28] 4 true
}

// One loaded model scores from many goroutines at once.
func ExampleModel_concurrent() {
	m, err := arinfer.Default()
	if err != nil {
		panic(err)
	}
	D := m.Info().Dims
	blank := make([]float32, 8*D) // all-zero images
	results := make([][]float64, 4)
	var wg sync.WaitGroup
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[g] = make([]float64, 8)
			if err := m.LogProb(context.Background(), blank, results[g]); err != nil {
				panic(err)
			}
		}()
	}
	wg.Wait()
	fmt.Println(results[0][0] == results[3][7])
	// Output: true
}

// Scoring stops when its context is cancelled.
func ExampleModel_cancel() {
	m, err := arinfer.Default()
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = m.LogProb(ctx, make([]float32, m.Info().Dims), make([]float64, 1))
	fmt.Println(err)
	// Output: context canceled
}

// A generation as a value: take half the steps, save the state, restore
// it, and finish both; then fork the saved generation into 3 variants.
func ExampleGenerate() {
	ctx := context.Background()
	m, err := arinfer.Open("models/mnist-nade.arw")
	if err != nil {
		panic(err)
	}
	g, err := arinfer.Generate(ctx, m, make([]float32, m.Info().Dims), arinfer.SampleOptions{Seed: 7})
	if err != nil {
		panic(err)
	}
	for g.Pos() < m.Info().Dims/2 {
		if _, err := g.Next(ctx); err != nil {
			panic(err)
		}
	}
	state, err := g.MarshalBinary()
	if err != nil {
		panic(err)
	}
	r, err := arinfer.Restore(m, state)
	if err != nil {
		panic(err)
	}
	variants, err := r.Fork(3, 99)
	if err != nil {
		panic(err)
	}
	for _, gen := range []arinfer.Generator{g, r, variants} {
		for _, err := range arinfer.Steps(ctx, gen) {
			if err != nil {
				panic(err)
			}
		}
	}
	fmt.Println(slices.Equal(g.Values(), r.Values()), variants.Batch(), len(state) > 0)
	// Output: true 3 true
}
