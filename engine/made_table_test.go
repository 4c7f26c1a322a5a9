package engine

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/arinfer/arinfer/internal/half"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPushTablesSplit builds push tables (transposeFull, transposeSuffix)
// of layers wide enough for tableParallel to split their targets among
// goroutines, on 1 and 4 of them, with and without index maps, with every
// weight a binary16 value and with one float32 weight (in each range of
// targets in turn), and checks every entry: the weight ly.at(r, i) where
// the table must hold it, zero elsewhere, in binary16 exactly when every
// weight it holds is one.
func TestPushTablesSplit(t *testing.T) {
	const out, in = 700, 50
	rng := rand.New(rand.NewPCG(7, 7))
	for _, procs := range []int{1, 4} {
		for _, mapped := range []bool{false, true} {
			for _, bad := range []int{-1, 3, 200, 400, 699} { // the row of the float32 weight (-1: none)
				t.Run(fmt.Sprintf("procs%d-mapped%v-bad%d", procs, mapped, bad), func(t *testing.T) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
					ly := randomTableLayer(rng, out, in, mapped)
					if bad >= 0 {
						// a weight every table holds: input 0 feeds row bad
						ly.hi[bad] = max(ly.hi[bad], 1)
						for r := bad + 1; r < out; r++ {
							ly.hi[r] = max(ly.hi[r], ly.hi[bad])
						}
						ly.row(bad)[ly.col(0)] = 0.1
					}
					for _, all := range []bool{true, false} {
						var p pushRows
						if all {
							p = transposeFull(ly)
						} else {
							p = transposeSuffix(ly)
						}
						assert.Equal(t, bad < 0, p.h != nil, "all=%v: binary16 table", all)
						for i := range in {
							for r := range p.n {
								want := float32(0)
								if r < out && (all || ly.hi[r] > i) {
									want = ly.at(r, i)
								}
								if r < p.start[i] {
									require.Zero(t, want, "all=%v: input %d feeds row %d before the row's start %d", all, i, r, p.start[i])
									continue
								}
								k := p.off[i] + r - p.start[i]
								got := float32(0)
								if p.h != nil {
									got = half.F16ToF32(p.h[k])
								} else {
									got = p.w[k]
								}
								require.Equal(t, want, got, "all=%v: input %d, row %d", all, i, r)
							}
						}
					}
				})
			}
		}
	}
}

// randomTableLayer returns an out x in layer of binary16 weights (zeros,
// signed zeros and subnormals among them) whose rows reduce over growing
// prefixes of the input, with random row and column maps when mapped.
func randomTableLayer(rng *rand.Rand, out, in int, mapped bool) *madeLayer {
	ld := pad16(in)
	rows := out + 5
	ly := &madeLayer{out: out, in: in, ld: ld, w: make([]float32, rows*ld), hi: make([]int, out)}
	for j := range ly.w {
		ly.w[j] = half.F16ToF32(uint16(rng.Uint32())&^0x7c00 | uint16(rng.IntN(30))<<10) // finite
	}
	for r := range out {
		ly.hi[r] = rng.IntN(in + 1)
	}
	slices.Sort(ly.hi)
	if mapped {
		ly.rows = make([]int32, out)
		for r, v := range rng.Perm(rows)[:out] {
			ly.rows[r] = int32(v)
		}
		ly.cols = make([]int32, in)
		for c, v := range rng.Perm(ld)[:in] {
			ly.cols[c] = int32(v)
		}
	}
	return ly
}
