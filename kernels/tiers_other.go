//go:build purego || !(amd64 || arm64)

package kernels

import "runtime"

// registerArch adds no tiers: this build uses the generic kernels only.
func registerArch() {}

func cpuName() string { return runtime.GOARCH + " (purego)" }
