package mnist_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/arinfer/arinfer/mnist"
)

func ExampleBinarized() {
	dir, err := mnist.Locate()
	if err != nil {
		log.Fatal(err)
	}
	test, err := mnist.Binarized(dir, mnist.Test)
	if err != nil {
		log.Fatal(err)
	}
	x := test.Float32() // test.N rows of mnist.D float32 0/1 values
	fmt.Println(test.N, len(x)/test.N, test.Labels[0])
	// Output: 10000 784 7
}

func ExampleReadIDX() {
	// A 2x3 array of unsigned bytes: magic 0x00000802, then the dims.
	raw := []byte{0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6}
	idx, err := mnist.ReadIDX(bytes.NewReader(raw))
	fmt.Println(idx.Dims, idx.Data, err)
	_, err = mnist.ReadIDX(bytes.NewReader(raw[:17]))
	fmt.Println(err)
	// Output:
	// [2 3] [1 2 3 4 5 6] <nil>
	// mnist: malformed IDX: dimensions [2 3] need 6 bytes of data, have 5
}
