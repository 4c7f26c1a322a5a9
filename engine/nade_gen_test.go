package engine

import (
	"math/rand/v2"
	"testing"
)

func init() {
	genFuzzers = append(genFuzzers, func() fuzzModel {
		r := randomModel(rand.New(rand.NewPCG(1, 110)), Config{Arch: "nade", Dims: 9, Hidden: []int{5}})
		m, err := New(r.cfg, r.w)
		if err != nil {
			panic(err)
		}
		x := randBinary(rand.New(rand.NewPCG(2, 110)), 2*9)
		opt := SampleOptions{Seed: 4, Temperature: 1.2, Known: orderMask(r.w.I["order"], 3)}
		return fuzzModel{m: m, x: x, opt: opt, steps: 2}
	})
}

func TestNADEGenerator(t *testing.T) { testBernoulliGenerator(t, "nade", 111) }

func TestNADEForkComputesNoPrefix(t *testing.T) {
	testForkComputesNoPrefix(t, "nade", func(h func(t, n int), f func()) {
		nadeGenHook = h
		defer func() { nadeGenHook = nil }()
		f()
	})
}

func TestNADEGenerateRefuses(t *testing.T) {
	testGenerateRefuses(t, Config{Arch: "nade", Dims: 6, Hidden: []int{4}})
}

func TestNADEStateRefusesDrawnAhead(t *testing.T) {
	testStateRefusesDrawnAhead(t, Config{Arch: "nade", Dims: 6, Hidden: []int{4}})
}
