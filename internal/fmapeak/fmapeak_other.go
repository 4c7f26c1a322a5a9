//go:build !amd64 || purego

package fmapeak

func hasYMM() bool { return false }
func hasZMM() bool { return false }

func fmaYMM(iters int) { panic("fmapeak: no ymm FMA on this build") }
func fmaZMM(iters int) { panic("fmapeak: no zmm FMA on this build") }
