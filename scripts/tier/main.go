// Command tier prints the active kernel tier and the CPU, for test and
// benchmark logs.
package main

import (
	"fmt"

	"github.com/arinfer/arinfer/kernels"
)

func main() { fmt.Println(kernels.Describe()) }
