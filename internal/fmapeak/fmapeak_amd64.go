//go:build !purego

package fmapeak

import "github.com/klauspost/cpuid/v2"

func hasYMM() bool { return cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) }

func hasZMM() bool { return hasYMM() && cpuid.CPU.Supports(cpuid.AVX512F) }

// fmaYMM runs iters iterations of fmasPerIter ymm FMAs.
//
//go:noescape
func fmaYMM(iters int)

// fmaZMM runs iters iterations of fmasPerIter zmm FMAs.
//
//go:noescape
func fmaZMM(iters int)
