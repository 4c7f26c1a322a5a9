package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"testing"
	"unsafe"

	"github.com/arinfer/arinfer/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// madeMixture returns a random MADE mixture; with oneOrder every mask has
// the first mask's ordering (a connectivity-agnostic ensemble).
func madeMixture(seed uint64, cfg Config, oneOrder bool) *refModel {
	r := randomModel(rand.New(rand.NewPCG(seed, 15)), cfg)
	if oneOrder {
		o := r.w.I["order"]
		for k := 1; k < cfg.Masks; k++ {
			copy(o[k*cfg.Dims:(k+1)*cfg.Dims], o[:cfg.Dims])
		}
	}
	return r
}

// unitsByDegree returns component k's units of hidden layer l sorted by
// degree (ties in index order), as the reference's degrees give them.
func unitsByDegree(r *refModel, k, l int) []int {
	h := r.cfg.Hidden[l]
	deg := r.w.I["degrees"+strconv.Itoa(l+1)][k*h : (k+1)*h]
	u := make([]int, h)
	for i := range u {
		u[i] = i
	}
	sort.SliceStable(u, func(a, b int) bool { return deg[u[a]] < deg[u[b]] })
	return u
}

// TestMADEOneWeightCopy checks that every component of a mixture reads one
// shared copy of each weight matrix through its maps, and that what it
// reads is its own permutation of the file's weights.
func TestMADEOneWeightCopy(t *testing.T) {
	for _, tc := range []struct {
		cfg      Config
		oneOrder bool
	}{
		{Config{Arch: "made", Dims: 30, Hidden: []int{40}, Masks: 32, Direct: true}, true},
		{Config{Arch: "made", Dims: 30, Hidden: []int{40}, Masks: 32, Direct: true}, false},
		{Config{Arch: "made", Dims: 20, Hidden: []int{24, 18}, Masks: 8, Direct: true}, true},
		{Config{Arch: "made", Dims: 20, Hidden: []int{24, 18}, Masks: 8}, false},
		{Config{Arch: "made", Dims: 17, Hidden: []int{9}, Masks: 1, Direct: true}, true},
	} {
		t.Run(fmt.Sprintf("%s-oneorder%v", cfgName(tc.cfg), tc.oneOrder), func(t *testing.T) {
			r := madeMixture(1, tc.cfg, tc.oneOrder)
			m := build(t, r).(*made)
			D, L := tc.cfg.Dims, len(tc.cfg.Hidden)
			arrays := map[*float32]bool{}
			for k := range m.comps {
				c := &m.comps[k]
				order := r.w.I["order"][k*D : (k+1)*D]
				require.Equal(t, order, c.order)
				var prev []int // the previous layer's units by degree; nil: the input
				for l := range c.hidden {
					ly := &c.hidden[l]
					arrays[unsafe.SliceData(ly.w)] = true
					n := strconv.Itoa(l + 1)
					W, b := r.w.F["W"+n], r.w.F["b"+n]
					units := unitsByDegree(r, k, l)
					for row, u := range units {
						require.Equal(t, b[u], ly.b[row], "component %d layer %d bias %d", k, l, row)
						for col := range ly.in {
							var src int
							if prev != nil {
								src = prev[col]
							} else {
								src = int(order[col])
							}
							require.Equal(t, W[u*ly.in+src], ly.at(row, col), "component %d layer %d (%d, %d)", k, l, row, col)
						}
					}
					prev = units
				}
				arrays[unsafe.SliceData(c.out.w)] = true
				for t2, d := range order {
					require.Equal(t, r.w.F["bout"][d], c.out.b[t2])
					for col, u := range prev {
						require.Equal(t, r.w.F["Wout"][int(d)*c.out.in+u], c.out.at(t2, col))
					}
				}
				if tc.cfg.Direct {
					arrays[unsafe.SliceData(c.direct.w)] = true
					for t2, d := range order {
						require.Equal(t, t2, c.direct.hi[t2])
						for s, e := range order[:t2] {
							require.Equal(t, r.w.F["A"][int(d)*D+int(e)], c.direct.at(t2, s))
						}
					}
				}
			}
			want := L + 1
			if tc.cfg.Direct {
				want++
			}
			assert.Len(t, arrays, want, "one weight array per layer for all %d components", len(m.comps))
		})
	}
}

// liveHeap returns the bytes of live heap objects after f, which returns
// what it allocated (kept alive while the heap is measured). Two
// collections empty the sync.Pools (kept one collection as victims), so
// that workspaces other tests left there do not count, on either side.
func liveHeap(f func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := f()
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return after.HeapAlloc - before.HeapAlloc
}

// TestMADEMixtureMemory checks the memory a model holds: K masks cost one
// mask's weights plus O(K·(D+H)) of maps, biases and ranges, after New
// and, for an ensemble with one ordering (whose components sample on one
// set of push tables), after its first samples.
func TestMADEMixtureMemory(t *testing.T) {
	const D, H, K = 200, 300, 16
	copyBytes := uint64(4 * (H*D + D*H + D*D)) // one float32 copy of W1, Wout, A
	perComp := uint64(64 * (D + H))            // a generous bound on a component's own tables
	for _, oneOrder := range []bool{true, false} {
		t.Run(fmt.Sprintf("oneorder%v", oneOrder), func(t *testing.T) {
			r1 := madeMixture(2, Config{Arch: "made", Dims: D, Hidden: []int{H}, Masks: 1, Direct: true}, true)
			rK := madeMixture(2, Config{Arch: "made", Dims: D, Hidden: []int{H}, Masks: K, Direct: true}, oneOrder)
			for _, sample := range []bool{false, true} {
				if sample && !oneOrder {
					continue // components with their own orderings sample on their own tables
				}
				use := func(r *refModel) func() any {
					return func() any {
						m, err := New(r.cfg, r.w)
						require.NoError(t, err)
						if sample {
							x := make([]float32, 4*D)
							require.NoError(t, m.Sample(context.Background(), x, SampleOptions{Seed: 1}))
						}
						return m
					}
				}
				one, many := liveHeap(use(r1)), liveHeap(use(rK))
				t.Logf("sample=%v: 1 mask %d bytes, %d masks %d bytes (one weight copy %d bytes)", sample, one, K, many, copyBytes)
				assert.Greater(t, one, copyBytes, "a model holds its weights")
				assert.LessOrEqual(t, many, one+K*perComp, "sample=%v: %d masks hold more than one copy of the weights", sample, K)
			}
		})
	}
}

// TestMADELogProbOneExample scores mixtures one example at a time (a
// component on shared push tables, or a row through the maps) and as a
// batch, against the float64 reference.
func TestMADELogProbOneExample(t *testing.T) {
	for i, tc := range []struct {
		cfg      Config
		oneOrder bool
	}{
		{Config{Arch: "made", Dims: 30, Hidden: []int{40}, Masks: 5, Direct: true}, true},
		{Config{Arch: "made", Dims: 30, Hidden: []int{40}, Masks: 5, Direct: true}, false},
		{Config{Arch: "made", Dims: 35, Hidden: []int{30, 21}, Masks: 3, Direct: true}, true},
		{Config{Arch: "made", Dims: 33, Hidden: []int{24, 30}, Masks: 3}, false},
	} {
		t.Run(fmt.Sprintf("%s-oneorder%v", cfgName(tc.cfg), tc.oneOrder), func(t *testing.T) {
			r := madeMixture(uint64(3+i), tc.cfg, tc.oneOrder)
			m := build(t, r)
			D := tc.cfg.Dims
			const B = 12
			x := randBinary(rand.New(rand.NewPCG(4, uint64(i))), B*D)
			forAllTiers(t, func(t *testing.T) {
				batch := make([]float64, B)
				require.NoError(t, m.LogProb(context.Background(), x, batch))
				for e := range B {
					want := r.logProb(x[e*D : (e+1)*D])
					one := make([]float64, 1)
					require.NoError(t, m.LogProb(context.Background(), x[e*D:(e+1)*D], one))
					assert.InEpsilon(t, want, one[0], 1e-5, "example %d alone", e)
					assert.InEpsilon(t, want, batch[e], 1e-5, "example %d in the batch", e)
				}
				if !raceEnabled { // under -race sync.Pool drops items
					one := make([]float64, 1)
					assert.Zero(t, testing.AllocsPerRun(10, func() {
						_ = m.LogProb(context.Background(), x[:D], one)
					}), "allocs per LogProb of one example")
				}
			})
		})
	}
}

func TestHalfBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	vals := []float32{0, float32(math.Copysign(0, -1)), 1, -2, 65504, 65520, 6.1035156e-05, 5.9604645e-08, 1e-8, float32(math.Inf(1)), float32(math.NaN()), 0.1}
	for range 100000 {
		vals = append(vals, math.Float32frombits(rng.Uint32()), format.F16ToF32(uint16(rng.Uint32())))
	}
	for _, v := range vals {
		h := format.F32ToF16(v)
		exact := format.F16ToF32(h) == v
		got, ok := halfOf(v)
		require.Equal(t, exact, ok, "halfOf(%v)", v)
		if ok {
			require.Equal(t, h, got, "halfOf(%v)", v)
		}
		if hb, ok := halfBits(math.Float32bits(v)); ok {
			require.True(t, exact, "halfBits(%v) claims an exact binary16", v)
			require.Equal(t, h, hb, "halfBits(%v)", v)
		}
	}
}

func TestArgsortStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, n := range []int{0, 1, 2, 7, 100, 2000} {
		for _, maxDeg := range []int{0, 1, 5, 784} {
			deg := make([]int32, n)
			for i := range deg {
				deg[i] = int32(rng.IntN(maxDeg + 1))
			}
			want := make([]int, n)
			for i := range want {
				want[i] = i
			}
			sort.SliceStable(want, func(a, b int) bool { return deg[want[a]] < deg[want[b]] })
			assert.Equal(t, want, argsortStable(deg, maxDeg), "n=%d maxDeg=%d", n, maxDeg)
		}
	}
	assert.True(t, slices.Equal([]int{}, argsortStable(nil, 3)))
}
