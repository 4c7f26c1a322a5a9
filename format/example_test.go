package format_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/arinfer/arinfer/format"
)

// Write a two-dimensional FVSBN, open it again and read its tensors.
func Example() {
	dir, err := os.MkdirTemp("", "arw")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tiny.arw")

	h := format.Header{Arch: format.FVSBN, Dims: 2, Shape: []int{2},
		Dist: format.Bernoulli, Categories: 2, Meta: []byte(`{"note":"example"}`)}
	err = format.WriteFile(path, h, []format.Tensor{
		format.Int32Tensor("order", []int{2}, []int32{1, 0}),
		format.Float32Tensor("W", []int{2, 2}, []float32{0, 2, 0, 0}),
		format.Float16Tensor("b", []int{2}, []float32{-1, 0.5}),
	})
	if err != nil {
		log.Fatal(err)
	}

	f, err := format.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	for _, t := range f.Tensors() {
		fmt.Println(t.Name, t.DType, t.Shape)
	}
	b, _, err := f.Float32("b") // float16 converted to float32
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Arch(), f.Header().Dims, b, f.Checksums().DataVerified)
	// Output:
	// order int32 [2]
	// W float32 [2 2]
	// b float16 [2]
	// fvsbn 2 [-1 0.5] true
}
