//go:build !linux

package engine

import "unsafe"

// adviseHuge does nothing: transparent huge pages are advised on Linux
// only (hugepage_linux.go).
func adviseHuge(p unsafe.Pointer, n uintptr) {}
