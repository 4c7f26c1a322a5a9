package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rowsIdxKinds are the index patterns SumRows16 is tested on: the sampler's
// ascending lists and the orders that break any assumption of it.
var rowsIdxKinds = []string{"random", "ascending", "repeated", "descending"}

// rowsIdx returns n indices below rows in the given pattern, at offset off
// of their backing slice.
func rowsIdx(r *rand.Rand, kind string, n, rows, off int) []int32 {
	idx := make([]int32, n+off)[off:]
	switch kind {
	case "random":
		for k := range idx {
			idx[k] = int32(r.IntN(rows))
		}
	case "ascending", "descending":
		// Distinct while there are enough rows, then with repeats.
		for k := range idx {
			if n <= rows {
				idx[k] = int32(k * rows / max(n, 1))
			} else {
				idx[k] = int32(r.IntN(rows))
			}
		}
		slices.Sort(idx)
		if kind == "descending" {
			slices.Reverse(idx)
		}
	case "repeated":
		// A few rows, each many times in a row.
		few := []int32{int32(r.IntN(rows)), int32(rows - 1), 0}
		for k := range idx {
			idx[k] = few[(k/3)%len(few)]
		}
	default:
		panic(kind)
	}
	return idx
}

// rowsPanel returns a panel of rows 16-float rows at offset off of a
// backing slice whose elements before and after the panel are NaN, so a
// kernel that read outside it would produce NaN.
func rowsPanel(r *rand.Rand, rows, off int) []float32 {
	full := make([]float32, off+16*rows+16)
	for i := range full {
		full[i] = nan32
	}
	p := full[off : off+16*rows]
	for i := range p {
		p[i] = float32(r.Float64()*2 - 1)
	}
	return p
}

// rowsPanelF16 is rowsPanel with binary16 values (normal and subnormal,
// f16Vec) and NaN halves around the panel.
func rowsPanelF16(r *rand.Rand, rows, off int) []uint16 {
	full := f16Vec(r, off+16*rows+16, 0)
	for i := range full[:off] {
		full[i] = 0x7e00
	}
	for i := off + 16*rows; i < len(full); i++ {
		full[i] = 0x7e00
	}
	return full[off : off+16*rows]
}

// rowsRef returns dst0 + Σ_k val[k]·row(idx[k]) in float64, and the sum
// of the magnitudes of the terms, per lane; row(r) gives the 16 values of
// row r.
func rowsRef(dst0 []float32, idx []int32, val []float32, row func(r int32) []float64) (want, scale [16]float64) {
	for i := range want {
		want[i] = float64(dst0[i])
		scale[i] = math.Abs(float64(dst0[i]))
	}
	for k, r := range idx {
		p := row(r)
		for i := range want {
			term := float64(val[k]) * p[i]
			want[i] += term
			scale[i] += math.Abs(term)
		}
	}
	return want, scale
}

// rowsOf returns the row function of rowsRef for a float32 panel.
func rowsOf(panel []float32) func(r int32) []float64 {
	return func(r int32) []float64 {
		p := make([]float64, 16)
		for i := range p {
			p[i] = float64(panel[16*int(r)+i])
		}
		return p
	}
}

// rowsOfF16 returns the row function of rowsRef for a binary16 panel.
func rowsOfF16(panel []uint16) func(r int32) []float64 {
	return func(r int32) []float64 {
		p := make([]float64, 16)
		for i := range p {
			p[i] = float64(f16ToF32(panel[16*int(r)+i]))
		}
		return p
	}
}

// rowsLengths are the index counts SumRows16 is tested on: every count
// 0..40 (every tail of every unrolling) and a few up to the sampler's
// 2000.
func rowsLengths() []int {
	var ns []int
	for n := 0; n <= 40; n++ {
		ns = append(ns, n)
	}
	return append(ns, 63, 64, 65, 127, 128, 129, 999, 1000, 1001, 2047, 2100)
}

// rowsPanelRows are the panel heights SumRows16 is tested on.
var rowsPanelRows = []int{1, 2, 3, 7, 16, 100, 2000, 3000}

// checkSumRows16 runs SumRows16 (f16 false) or SumRows16F16 on one case under
// the active tier: dst is carved out of a guard band at offset doff, the
// result is compared with the float64 reference within the float32
// summation bound and with the generic kernel within twice that bound.
func checkSumRows16(t *testing.T, what string, f16 bool, panel []float32, panelH []uint16, idx []int32, val []float32, doff int, r *rand.Rand) {
	t.Helper()
	dst0 := randVec(r, 16, 0)
	pre := make([]float32, doff+16)
	for i := range pre[:doff] {
		pre[i] = guardVal
	}
	copy(pre[doff:], dst0)
	full, inner := guardVector(pre)
	dst := inner[doff:]

	gen := append([]float32(nil), dst0...)
	var row func(r int32) []float64
	if f16 {
		SumRows16F16(dst, panelH, idx, val)
		require.True(t, sumRows16F16Generic(gen, panelH, idx, val))
		row = rowsOfF16(panelH)
	} else {
		SumRows16(dst, panel, idx, val)
		require.True(t, sumRows16Generic(gen, panel, idx, val))
		row = rowsOf(panel)
	}
	checkGuards(t, full)
	for i := range inner[:doff] {
		require.Equal(t, guardVal, inner[i], "%s: element %d before dst was overwritten", what, i-doff)
	}
	want, scale := rowsRef(dst0, idx, val, row)
	tol := blasGamma(len(idx) + 1)
	for i := range want {
		if !close32(float64(dst[i]), want[i], scale[i], tol) {
			t.Fatalf("%s: dst[%d]=%v, want %v (scale %v)", what, i, dst[i], want[i], scale[i])
		}
		if !close32(float64(dst[i]), float64(gen[i]), scale[i], 2*tol) {
			t.Fatalf("%s: dst[%d]=%v, generic %v (scale %v)", what, i, dst[i], gen[i], scale[i])
		}
	}
}

func TestSumRows16(t *testing.T) {
	for _, f16 := range []bool{false, true} {
		name := "f32"
		if f16 {
			name = "f16"
		}
		t.Run(name, func(t *testing.T) {
			testAllTiers(t, func(t *testing.T) {
				r := rand.New(rand.NewPCG(31, 16))
				for _, rows := range rowsPanelRows {
					for _, n := range rowsLengths() {
						if rows >= 1000 && n < 30 && n%7 != 0 {
							continue // the short lengths are covered by the small panels
						}
						for _, kind := range rowsIdxKinds {
							off := (n + rows) % 4
							var panel []float32
							var panelH []uint16
							if f16 {
								panelH = rowsPanelF16(r, rows, off)
							} else {
								panel = rowsPanel(r, rows, off)
							}
							idx := rowsIdx(r, kind, n, rows, (off+1)%4)
							val := randVec(r, n, (off+2)%4)
							what := fmt.Sprintf("rows=%d n=%d %s off=%d", rows, n, kind, off)
							checkSumRows16(t, what, f16, panel, panelH, idx, val, (off+3)%4, r)
						}
					}
				}
			})
		})
	}
}

// TestSumRows16F16AllHalves runs every binary16 value through SumRows16F16
// on every tier: a panel of 4096 rows holding the 65536 halves in order
// plus a last row of -0 halves, summed one real row at a time among -0
// rows (which add nothing): row r at position r%5 of a list of r%5+1 to 5
// indices (so it reaches every chain and every tail), each with value 1,
// onto dst = -0. Each lane must be f16ToF32 exactly; a NaN must be a NaN
// with the same payload, quiet bit aside.
func TestSumRows16F16AllHalves(t *testing.T) {
	const rows = 1<<16/16 + 1
	panel := make([]uint16, 16*rows)
	for i := range 1 << 16 {
		panel[i] = uint16(i)
	}
	for i := 1 << 16; i < len(panel); i++ {
		panel[i] = 0x8000
	}
	zero := int32(rows - 1)
	val := []float32{1, 1, 1, 1, 1}
	negZero := float32(math.Copysign(0, -1))
	const quiet = 1 << 22
	testAllTiers(t, func(t *testing.T) {
		for row := range int32(rows - 1) {
			idx := []int32{zero, zero, zero, zero, zero}
			idx[row%5] = row
			dst := make([]float32, 16)
			for i := range dst {
				dst[i] = negZero
			}
			SumRows16F16(dst, panel, idx[:row%5+1+(row/5)%(5-row%5)], val)
			for i, got := range dst {
				h := panel[16*int(row)+i]
				want := f16ToF32(h)
				gb, wb := math.Float32bits(got), math.Float32bits(want)
				if want != want {
					require.True(t, got != got && gb|quiet == wb|quiet, "%#04x: got %#08x, want NaN %#08x", h, gb, wb)
					continue
				}
				require.Equal(t, wb, gb, "%#04x: got %v (%#08x), want %v (%#08x)", h, got, gb, want, wb)
			}
		}
	})
}

// TestSumRows16BadIndex puts one index outside the panel (negative, equal
// to the row count, huge) at several positions of lists of several lengths.
// The public functions must panic; the table entries must report false,
// and the assembly ones (every tier but generic) must leave dst unchanged.
func TestSumRows16BadIndex(t *testing.T) {
	const rows = 37
	r := rand.New(rand.NewPCG(41, 7))
	panel := rowsPanel(r, rows, 1)
	panelH := rowsPanelF16(r, rows, 3)
	testAllTiers(t, func(t *testing.T) {
		for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 33, 1000} {
			for _, bad := range []int32{-1, -16, rows, rows + 1, math.MaxInt32, math.MinInt32} {
				for _, pos := range []int{0, n / 2, n - 1} {
					idx := rowsIdx(r, "ascending", n, rows, 0)
					idx[pos] = bad
					val := randVec(r, n, 0)
					dst0 := randVec(r, 16, 0)
					what := fmt.Sprintf("n=%d idx[%d]=%d", n, pos, bad)

					dst := slices.Clone(dst0)
					require.Panics(t, func() { SumRows16(dst, panel, idx, val) }, what)
					require.Panics(t, func() { SumRows16F16(dst, panelH, idx, val) }, what)

					dst = slices.Clone(dst0)
					require.False(t, cur.sumRows16(dst, panel, idx, val), what)
					if cur.tier != Generic {
						require.Equal(t, f32Bits(dst0), f32Bits(dst), "%s: dst changed", what)
					}
					dst = slices.Clone(dst0)
					require.False(t, cur.sumRows16F16(dst, panelH, idx, val), "F16 %s", what)
					if cur.tier != Generic {
						require.Equal(t, f32Bits(dst0), f32Bits(dst), "F16 %s: dst changed", what)
					}
				}
			}
		}
		// Good indices report true, the last row included.
		idx := []int32{0, rows - 1, 5}
		dst := make([]float32, 16)
		require.True(t, cur.sumRows16(dst, panel, idx, []float32{1, 2, 3}))
		require.True(t, cur.sumRows16F16(dst, panelH, idx, []float32{1, 2, 3}))
		require.True(t, cur.sumRows16(dst, panel, nil, nil))
		require.True(t, cur.sumRows16F16(dst, panelH, nil, nil))
	})
}

// TestSumRows16Lengths checks the length panics and that only dst[0:16]
// and val[0:len(idx)] are used when they are longer.
func TestSumRows16Lengths(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 8))
	panel := rowsPanel(r, 4, 0)
	panelH := rowsPanelF16(r, 4, 0)
	idx := []int32{3, 1, 2}
	val := randVec(r, 3, 0)
	testAllTiers(t, func(t *testing.T) {
		for _, c := range []struct {
			name           string
			dst, val       int
			panel, panelH  int
			panics         bool
			wantInPanicMsg string
		}{
			{"ok", 16, 3, 64, 64, false, ""},
			{"short dst", 15, 3, 64, 64, true, "len(dst)=15"},
			{"empty dst", 0, 3, 64, 64, true, "len(dst)=0"},
			{"short val", 16, 2, 64, 64, true, "len(val)=2"},
			{"ragged panel", 16, 3, 63, 63, true, "len(panel)=63"},
			{"ragged panel by one", 16, 3, 65, 65, true, "len(panel)=65"},
		} {
			d := make([]float32, c.dst)
			v := append(slices.Clone(val), 1e6)[:c.val]
			if c.panics {
				assert.PanicsWithValue(t, "kernels: SumRows16: "+panicTail(c.wantInPanicMsg, c.val), func() {
					SumRows16(d, append(panel, nan32)[:c.panel], idx, v)
				}, c.name)
				assert.Panics(t, func() { SumRows16F16(d, append(panelH, 0)[:c.panelH], idx, v) }, c.name)
				continue
			}
			SumRows16(d, panel[:c.panel], idx, v)
			SumRows16F16(d, panelH[:c.panelH], idx, v)
		}

		// A longer dst and val: only dst[0:16] and val[:len(idx)] count.
		for _, f16 := range []bool{false, true} {
			dst0 := randVec(r, 20, 0)
			dst := slices.Clone(dst0)
			long := append(slices.Clone(val), nan32, nan32)
			row := rowsOf(panel)
			if f16 {
				SumRows16F16(dst, panelH, idx, long)
				row = rowsOfF16(panelH)
			} else {
				SumRows16(dst, panel, idx, long)
			}
			require.Equal(t, f32Bits(dst0[16:]), f32Bits(dst[16:]), "dst past 16 written")
			want, scale := rowsRef(dst0, idx, val, row)
			for i := range want {
				require.True(t, close32(float64(dst[i]), want[i], scale[i], blasGamma(len(idx)+1)),
					"f16=%v dst[%d]=%v want %v", f16, i, dst[i], want[i])
			}
		}
	})
}

// panicTail completes a SumRows16 length panic message from its start.
func panicTail(start string, val int) string {
	switch start {
	case "len(dst)=15", "len(dst)=0":
		return start + " < 16"
	case "len(val)=2":
		return fmt.Sprintf("len(val)=%d < len(idx)=3", val)
	}
	return start + " is not a multiple of 16"
}

// FuzzSumRows16 draws the panel height, the index count, the indices
// (optionally sorted), the offsets of the slices and the data from the
// fuzz input and compares every tier with the generic kernels:
//
//   - SumRows16 with values k/16 (fuzzVals) and at most 1000 indices: every
//     product is a multiple of 2⁻⁸ below 64 and every partial sum, in any
//     order, below 2¹⁶, so all sums are exact and every tier must match the
//     generic result bit for bit (the sign of a zero included: it is -0 only
//     if every term is).
//   - SumRows16F16 with any binary16 bit pattern (NaN, infinity,
//     subnormal): a lane must be NaN or infinite exactly where the generic
//     one is (the products cannot overflow, so that does not depend on the
//     order), and otherwise within the summation bound of the float64 sum.
//   - If the input asks, one index is made bad: both functions must panic
//     on every tier, and the table entries of the assembly tiers must
//     report false with dst unchanged.
func FuzzSumRows16(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint16(0), uint8(0), uint8(0))
	f.Add([]byte{1, 2, 3}, uint16(7), uint16(2), uint8(1), uint8(1))
	f.Add([]byte("arinfer sum rows"), uint16(1000), uint16(1999), uint8(2), uint8(1))
	f.Add([]byte{0x00, 0x7c, 0x00, 0xfc, 0x00, 0x7e, 0x01, 0x00, 0xff, 0x83}, uint16(33), uint16(40), uint8(3), uint8(2))
	f.Add([]byte{0xff, 0x7f, 0x00, 0x80}, uint16(9), uint16(5), uint8(7), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, n, rows uint16, offs, mode uint8) {
		nn := int(n) % 1001
		rr := 1 + int(rows)%3000
		po, io, vo := int(offs)%4, int(offs>>2)%4, int(offs>>4)%4
		idx := make([]int32, nn+io)[io:]
		for k := range idx {
			b := uint32(k) * 2654435761
			if len(data) > 0 {
				b ^= uint32(data[k%len(data)]) | uint32(data[(k+1)%len(data)])<<8 | uint32(data[(k+2)%len(data)])<<16
			}
			idx[k] = int32(b % uint32(rr))
		}
		if mode&1 != 0 {
			slices.Sort(idx)
		}
		val := fuzzVals(data, 3, nn+vo)[vo:]
		panel := fuzzVals(data, 5, 16*rr+po)[po:]
		panelH := fuzzHalves(data, 16*rr+po)[po:]
		dst0 := fuzzVals(data, 7, 16)

		if mode&4 != 0 && nn > 0 {
			bads := []int32{-1, int32(rr), math.MaxInt32, math.MinInt32}
			idx[int(mode>>3)%nn] = bads[int(mode>>5)%len(bads)]
			for _, tier := range Available() {
				withTier(tier, func() {
					dst := slices.Clone(dst0)
					require.Panics(t, func() { SumRows16(dst, panel, idx, val) }, "tier %s", tier)
					require.Panics(t, func() { SumRows16F16(dst, panelH, idx, val) }, "tier %s", tier)
					dst = slices.Clone(dst0)
					require.False(t, cur.sumRows16(dst, panel, idx, val), "tier %s", tier)
					require.False(t, cur.sumRows16F16(dst, panelH, idx, val), "tier %s", tier)
					if tier != Generic {
						require.Equal(t, f32Bits(dst0), f32Bits(dst), "tier %s: dst changed", tier)
					}
				})
			}
			return
		}

		requireTiersAgree(t, fmt.Sprintf("SumRows16 n=%d rows=%d", nn, rr), func() []float32 {
			dst := slices.Clone(dst0)
			SumRows16(dst, panel, idx, val)
			return dst
		})

		want, scale := rowsRef(dst0, idx, val, rowsOfF16(panelH))
		ts, outs := eachTier(func() []float32 {
			dst := slices.Clone(dst0)
			SumRows16F16(dst, panelH, idx, val)
			return dst
		})
		for k := range outs {
			for i, got := range outs[k] {
				g := outs[0][i]
				if g != g || math.IsInf(float64(g), 0) {
					if !(got != got && g != g || got == g) {
						t.Fatalf("SumRows16F16 n=%d rows=%d: tier %s dst[%d]=%v, generic %v", nn, rr, ts[k], i, got, g)
					}
					continue
				}
				if !close32(float64(got), want[i], scale[i], blasGamma(nn+1)) {
					t.Fatalf("SumRows16F16 n=%d rows=%d: tier %s dst[%d]=%v, want %v (scale %v)", nn, rr, ts[k], i, got, want[i], scale[i])
				}
			}
		}
	})
}

// BenchmarkSumRows16 is the MADE sampler's output step: 1000 indices in
// ascending order over a panel of 2000 rows (f32: 128 KB, f16: 64 KB, so
// in L2), 16 outputs. Bytes/op counts the rows read plus the indices and
// values.
func BenchmarkSumRows16(b *testing.B) {
	const rows, n = 2000, 1000
	r := rand.New(rand.NewPCG(51, 16))
	panel := benchVec(3, 16*rows, 1)
	panelH := make([]uint16, 16*rows)
	for i := range panelH {
		panelH[i] = 0x3c00 + uint16(i%1024) // [1, 2)
	}
	idx := make([]int32, n)
	for k, p := range r.Perm(rows)[:n] {
		idx[k] = int32(p)
	}
	slices.Sort(idx)
	val := benchVec(4, n, 1)
	benchTiers(b, func(b *testing.B) {
		for _, kind := range []string{"f32", "f16"} {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) {
				dst := make([]float32, 16)
				rowBytes := 64
				if kind == "f16" {
					rowBytes = 32
				}
				b.SetBytes(int64(n * (rowBytes + 8)))
				b.ReportAllocs()
				for b.Loop() {
					if kind == "f16" {
						SumRows16F16(dst, panelH, idx, val)
					} else {
						SumRows16(dst, panel, idx, val)
					}
				}
				benchSink = dst[0]
				reportFlops(b, 2*16*n)
			})
		}
	})
}
