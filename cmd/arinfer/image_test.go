package main

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The random-weight image models that engine's golden tests check.
var (
	gatedClasses = filepath.Join("..", "..", "engine", "testdata", "golden", "gated-6x6-h8-l3-c4.arw")   // bernoulli, 4 classes
	gatedGrey    = filepath.Join("..", "..", "engine", "testdata", "golden", "gated-8x8-k256-c3.arw")    // 256 levels, 3 classes
	pixelcnnBern = filepath.Join("..", "..", "engine", "testdata", "golden", "pixelcnn-6x5-h8-l2.arw")   // bernoulli, unconditional
	pixelcnnGrey = filepath.Join("..", "..", "engine", "testdata", "golden", "pixelcnn-8x8-k256-c3.arw") // 256 levels, 3 classes
)

func TestSampleImageModelWithClass(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "s.png")
	r := runCLI(t, "sample", "--model", gatedClasses, "--class", "2", "-n", "5", "-o", out)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "of class 2")
	st, err := os.Stat(out)
	require.NoError(t, err)
	assert.Positive(t, st.Size())

	// Without --class a class-conditional model draws each class from its prior.
	r = runCLI(t, "sample", "--model", gatedClasses, "-n", "3", "-o", out, "--batch", "2")
	require.Equal(t, 0, r.code, r.stderr)
}

func TestSampleImageModelBadClass(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "s.png")
	for _, tc := range []struct {
		name  string
		args  []string
		wants string
	}{
		{"class out of range", []string{"--model", gatedClasses, "--class", "4"}, "0..3"},
		{"negative class", []string{"--model", gatedClasses, "--class", "-2"}, "0..3"},
		{"unconditional model", []string{"--model", pixelcnnBern, "--class", "1"}, "not class-conditional"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, append(append([]string{"sample"}, tc.args...), "-o", out)...)
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, tc.wants)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
			_, err := os.Stat(out)
			assert.True(t, os.IsNotExist(err), "no output file on error")
		})
	}
}

// A 256-level model completes a grey image: the kept rows come back with
// their grey levels, and the stream view draws grey levels.
func TestCompleteGreyLevels(t *testing.T) {
	for _, model := range []string{gatedGrey, pixelcnnGrey} {
		t.Run(filepath.Base(model), func(t *testing.T) {
			dir := t.TempDir()
			grey := func(x, y int) uint8 { return uint8(x*30 + y*7) }
			in := filepath.Join(dir, "in.png")
			img := newGray(8, 8, grey)
			f, err := os.Create(in)
			require.NoError(t, err)
			require.NoError(t, png.Encode(f, img))
			require.NoError(t, f.Close())
			out := filepath.Join(dir, "out.png")
			r := runCLI(t, "sample", "--model", model, "--class", "1", "-n", "2", "-o", out, "--complete", in, "--rows", "3", "--stream")
			require.Equal(t, 0, r.code, r.stderr)
			assert.Equal(t, 4*2, strings.Count(r.stdout, "▀")/8, "4 text lines of 2 x 8 half blocks")
			f, err = os.Open(out)
			require.NoError(t, err)
			defer f.Close()
			got, err := png.Decode(f)
			require.NoError(t, err)
			cell := 8*cellScale + cellGap
			for s := 0; s < 2; s++ {
				ox, oy := cellGap+s*cell, cellGap
				for y := 0; y < 3; y++ {
					for x := 0; x < 8; x++ {
						g := color.GrayModel.Convert(got.At(ox+x*cellScale, oy+y*cellScale)).(color.Gray)
						assert.Equal(t, grey(x, y), g.Y, "sample %d pixel (%d,%d)", s, x, y)
					}
				}
			}
		})
	}
}

func TestInfoImageModel(t *testing.T) {
	r := runCLI(t, "info", "--model", pixelcnnGrey)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "pixelcnn")
	assert.Contains(t, r.stdout, "format 1.1")
	assert.Contains(t, r.stdout, "input kernel 7x7 (mask A)")
	assert.Contains(t, r.stdout, "classes:      3")
	assert.Regexp(t, `(?m)^\s+res3_cls\s`, r.stdout)
	r = runCLI(t, "info", "--model", pixelcnnBern)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "none (unconditional)")
}

// score reports the unconditional likelihood of a class-conditional model:
// the mean of log sum_y p(y) p(x | y) over PNG images.
func TestScoreImageModel(t *testing.T) {
	dir := t.TempDir()
	for i, pat := range []func(x, y int) bool{
		func(x, y int) bool { return x == y },
		func(x, y int) bool { return (x+y)%3 == 0 },
	} {
		writeTestPNG(t, filepath.Join(dir, string(rune('a'+i))+".png"), 6, 6, pat)
	}
	r := runCLI(t, "score", "--model", gatedClasses, "--data", dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "gatedpixelcnn")
	assert.Contains(t, r.stdout, "over 2 examples")

	writeTestPNG(t, filepath.Join(dir, "wrong.png"), 5, 6, func(x, y int) bool { return false })
	r = runCLI(t, "score", "--model", gatedClasses, "--data", filepath.Join(dir, "wrong.png"))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "5x6")
}

func TestBenchImageModel(t *testing.T) {
	if testing.Short() {
		t.Skip("bench runs benchmarks")
	}
	r := runCLI(t, "bench", "--model", gatedClasses)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "given their class")
	assert.Contains(t, r.stdout, "samples/s at batch 64")
}

func newGray(w, h int, v func(x, y int) uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetGray(x, y, color.Gray{Y: v(x, y)})
		}
	}
	return img
}

// --complete on a model with a generator (the MNIST WaveNet reads a digit
// as a 784-step sequence) computes the kept rows once and forks: the kept
// rows come back unchanged in every sample, the stream view draws, and the
// same seed gives the same samples.
func TestCompleteByFork(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "digit.png")
	bit := func(x, y int) bool { return (x-14)*(x-14)+(y-14)*(y-14) < 60 }
	writeTestPNG(t, in, 28, 28, bit)
	model := "../../models/mnist-wavenet.arw"
	run := func(out string) []byte {
		r := runCLI(t, "sample", "--model", model, "--class", "0", "-n", "6", "--batch", "4", "-o", out, "--complete", in, "--rows", "14", "--stream", "--delay", "0")
		require.Equal(t, 0, r.code, r.stderr)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		return b
	}
	a := run(filepath.Join(dir, "a.png"))
	assert.Equal(t, a, run(filepath.Join(dir, "b.png")), "the same seed, the same samples")
	f, err := os.Open(filepath.Join(dir, "a.png"))
	require.NoError(t, err)
	defer f.Close()
	got, err := png.Decode(f)
	require.NoError(t, err)
	cell := 28*cellScale + cellGap
	for s := 0; s < 6; s++ {
		ox, oy := cellGap+(s%3)*cell, cellGap+(s/3)*cell
		for y := 0; y < 14; y++ {
			for x := 0; x < 28; x++ {
				g := color.GrayModel.Convert(got.At(ox+x*cellScale, oy+y*cellScale)).(color.Gray)
				want := uint8(0)
				if bit(x, y) {
					want = 255
				}
				require.Equal(t, want, g.Y, "sample %d pixel (%d,%d)", s, x, y)
			}
		}
	}
}
