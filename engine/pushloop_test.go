//go:build (amd64 || arm64) && !purego

package engine

import (
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"testing"
	"unsafe"

	"github.com/arinfer/arinfer/kernels"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMadeLoopLayout checks the field offsets the assembly loop of this
// architecture (pushloop_$GOARCH.s) uses against the Go structs.
func TestMadeLoopLayout(t *testing.T) {
	src, err := os.ReadFile("pushloop_" + runtime.GOARCH + ".s")
	require.NoError(t, err)
	defs := map[string]uintptr{}
	for _, m := range regexp.MustCompile(`(?m)^#define ([LT]_[A-Z0-9]+) (\d+)$`).FindAllStringSubmatch(string(src), -1) {
		v, err := strconv.Atoi(m[2])
		require.NoError(t, err)
		defs[m[1]] = uintptr(v)
	}
	var l madeLoop
	var tab loopTab
	want := map[string]uintptr{
		"L_XO": unsafe.Offsetof(l.xo), "L_OUT": unsafe.Offsetof(l.out), "L_ACC": unsafe.Offsetof(l.acc),
		"L_FINAL": unsafe.Offsetof(l.final), "L_UNIT": unsafe.Offsetof(l.unit), "L_C": unsafe.Offsetof(l.c),
		"L_IN": unsafe.Offsetof(l.in), "L_OUTT": unsafe.Offsetof(l.outT), "L_DIR": unsafe.Offsetof(l.dir),
		"L_INVT": unsafe.Offsetof(l.invT), "L_SLACK": unsafe.Offsetof(l.slack), "L_KNOWN": unsafe.Offsetof(l.known),
		"L_END": unsafe.Offsetof(l.end), "L_T": unsafe.Offsetof(l.t), "L_J": unsafe.Offsetof(l.j),
		"L_UNDECIDED": unsafe.Offsetof(l.undecided), "L_P32": unsafe.Offsetof(l.p32), "L_P16": unsafe.Offsetof(l.p16),
		"T_OFF": unsafe.Offsetof(tab.off), "T_START": unsafe.Offsetof(tab.start), "T_N": unsafe.Offsetof(tab.n),
		"T_W": unsafe.Offsetof(tab.w), "T_HALF": unsafe.Offsetof(tab.half),
	}
	if runtime.GOARCH != "amd64" { // the push routine pointers are amd64's
		delete(want, "L_P32")
		delete(want, "L_P16")
	}
	assert.Equal(t, want, defs)
}

// TestMadeLoopTiers checks which loop each tier runs: the assembly on the
// SIMD tiers, Go on the generic one.
func TestMadeLoopTiers(t *testing.T) {
	r := randomModel(rand.New(rand.NewPCG(3, 3)), Config{Arch: "made", Dims: 20, Hidden: []int{24}, Direct: true})
	m := build(t, r).(*made)
	p := m.comps[0].pushTables()
	forAllTiers(t, func(t *testing.T) {
		run := madeLoopFor(p)
		assert.Equal(t, kernels.Active() != kernels.Generic, run != nil)
	})
}
