package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSizeOr(t *testing.T) {
	for _, c := range []struct {
		name              string
		fixed, lo, hi, n0 float64
		perUnit           float64 // seconds per unit of work
		wantSize          float64
		wantPilots        []float64
	}{
		{"fixed runs once", 500, 16, 10000, 16, 0.01, 500, []float64{500}},
		{"slow: first pilot suffices", 0, 16, 10000, 16, 0.1, 20, []float64{16}},
		{"fast: pilots grow by 8", 0, 16, 10000, 16, 0.001, 2000, []float64{16, 128, 1024}},
		{"very fast: capped", 0, 16, 10000, 16, 1e-6, 10000, []float64{16, 128, 1024, 8192, 10000}},
		{"very slow: floored", 0, 16, 10000, 16, 10, 16, []float64{16}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var pilots []float64
			size, tm, err := sizeOr(c.fixed, c.lo, c.hi, c.n0, 2, func(n float64) (float64, error) {
				pilots = append(pilots, n)
				return n * c.perUnit, nil
			})
			require.NoError(t, err)
			assert.Equal(t, c.wantSize, size)
			assert.InDelta(t, c.wantSize*c.perUnit, tm, 1e-9)
			assert.Equal(t, c.wantPilots, pilots)
		})
	}
}

func TestSizeWAVs(t *testing.T) {
	for _, c := range []struct {
		name       string
		have       int
		perWAV     float64
		want       int
		wantPilots []int
	}{
		{"one pilot", 60, 1, 2, []int{1}},
		{"grows by 4", 60, 0.02, 60, []int{1, 4, 16}},
		{"capped at have", 3, 0.01, 3, []int{1, 3}},
		{"at least one", 60, 9, 1, []int{1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var pilots []int
			k, tm, err := sizeWAVs(func(k int) (float64, error) {
				pilots = append(pilots, k)
				return float64(k) * c.perWAV, nil
			}, c.have, 2)
			require.NoError(t, err)
			assert.Equal(t, c.want, k)
			assert.InDelta(t, float64(k)*c.perWAV, tm, 1e-9)
			assert.Equal(t, c.wantPilots, pilots)
		})
	}
}

// A row has the header's columns, for an image model and an audio model,
// with and without the before binary's figures.
func TestRowColumns(t *testing.T) {
	cols := strings.Count(strings.SplitN(header(), "\n", 2)[0], "|")
	full := figures{loadRSS: dist{40}, firstRSS: dist{41}, load: dist{30, 31, 32}, first: dist{50, 51, 52},
		score: dist{100, 110, 120}, sample: dist{7, 8, 9}}
	for _, j := range []*job{
		{path: "m.arw", arch: "made", size: 7.9, images: 500, samples: 640},
		{path: "s.arw", arch: "wavenet", size: 1, rate: 16000, wavs: []string{"a.wav", "b.wav"}, wavSec: 4.5, seconds: 1, streams: 1},
	} {
		for _, f := range [][2]figures{{full, full}, {{}, full}} {
			r := row(j, f)
			assert.Equal(t, cols, strings.Count(r, "|"), r)
		}
	}
	r := row(&job{path: "m.arw", arch: "made", size: 7.9, images: 500, samples: 640},
		[2]figures{{loadRSS: dist{450}, firstRSS: dist{452}, score: dist{200, 210, 220}}, full})
	assert.Contains(t, r, "40.0 ✓ (was 450.0)")
	assert.Contains(t, r, "51 [50–52] ✓")
	assert.Contains(t, r, "0.52x slower beyond noise")
}
