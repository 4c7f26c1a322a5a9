package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arinfer/arinfer/format"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run the built binary as a user would.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "arinfer-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "arinfer")
	args := []string{"build", "-o", binary}
	if tags := os.Getenv("ARINFER_TEST_TAGS"); tags != "" {
		args = append(args, "-tags", tags)
	}
	if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
		panic("building arinfer: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code   int
	stdout string
	stderr string
}

func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{code, so.String(), se.String()}
}

// writeModel writes a random NADE over 28x28 images and returns its path.
func writeModel(t *testing.T, dir string) string {
	t.Helper()
	const D, H = 784, 20
	rng := rand.New(rand.NewPCG(1, 2))
	randn := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * 0.1)
		}
		return v
	}
	order := make([]int32, D)
	for i := range order {
		order[i] = int32(i)
	}
	h := format.Header{Arch: format.NADE, Dims: D, Shape: []int{28, 28}, Dist: format.Bernoulli, Categories: 2, Hidden: []int{H}}
	ts := []format.Tensor{
		format.Int32Tensor("order", []int{D}, order),
		format.Float32Tensor("W", []int{H, D}, randn(H*D)),
		format.Float32Tensor("c", []int{H}, randn(H)),
		format.Float32Tensor("V", []int{D, H}, randn(D*H)),
		format.Float32Tensor("b", []int{D}, randn(D)),
	}
	path := filepath.Join(dir, "nade.arw")
	require.NoError(t, format.WriteFile(path, h, ts))
	return path
}

func TestSampleWritesPNGGrid(t *testing.T) {
	dir := t.TempDir()
	model := writeModel(t, dir)
	out := filepath.Join(dir, "s.png")
	r := runCLI(t, "sample", "--model", model, "-n", "5", "-o", out, "--seed", "3", "--temperature", "0.8")
	require.Equal(t, 0, r.code, r.stderr)
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	// 5 samples: a 3x2 grid of 28x28 images drawn 2x with 2-pixel gaps.
	cell := 28*cellScale + cellGap
	assert.Equal(t, 3*cell+cellGap, img.Bounds().Dx())
	assert.Equal(t, 2*cell+cellGap, img.Bounds().Dy())
}

func TestScoreJSON(t *testing.T) {
	dir := t.TempDir()
	model := writeModel(t, dir)
	r := runCLI(t, "score", "--model", model, "--data", "mnist:test", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	nll, ok := res["nll_nats"].(float64)
	require.True(t, ok, "nll_nats in %s", r.stdout)
	assert.Greater(t, nll, 0.0)
	assert.EqualValues(t, 10000, res["n"])
	assert.InDelta(t, nll/784/0.6931471805599453, res["bits_per_dim"], 1e-9)
}

func TestInfoListsTensors(t *testing.T) {
	model := writeModel(t, t.TempDir())
	r := runCLI(t, "info", "--model", model)
	require.Equal(t, 0, r.code, r.stderr)
	for _, name := range []string{"order", "W", "c", "V", "b"} {
		assert.Regexp(t, `(?m)^\s+`+name+`\s`, r.stdout)
	}
	assert.Contains(t, r.stdout, "nade")
}

func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	dir := t.TempDir()
	model := writeModel(t, dir)
	good, err := os.ReadFile(model)
	require.NoError(t, err)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		return p
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x10
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	truncated := write("truncated.arw", good[:len(good)/3])
	bitflip := write("flipped.arw", flipped)
	rnd := write("random.arw", random)
	out := filepath.Join(dir, "out.png")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{"sample", "--model", filepath.Join(dir, "nope.arw"), "-o", out}, "nope.arw"},
		{"truncated", []string{"sample", "--model", truncated, "-o", out}, "truncated.arw"},
		{"bit flipped", []string{"score", "--model", bitflip}, "CRC-32"},
		{"random bytes", []string{"info", "--model", rnd}, "random.arw"},
		{"negative n", []string{"sample", "--model", model, "-n", "-3", "-o", out}, "-n -3"},
		{"temperature", []string{"sample", "--model", model, "--temperature", "0", "-o", out}, "temperature"},
		{"temperature NaN", []string{"sample", "--model", model, "--temperature", "NaN", "-o", out}, "temperature"},
		{"missing dir", []string{"sample", "--model", model, "-o", filepath.Join(dir, "no", "such", "dir", "s.png")}, "does not exist"},
		{"bad data", []string{"score", "--model", model, "--data", "cifar:test"}, "cifar"},
		{"no model", []string{"info"}, "--model"},
		{"unknown command", []string{"frobnicate"}, "frobnicate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, c.args...)
			assert.Equal(t, 2, r.code, "stderr: %s", r.stderr)
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			assert.Len(t, lines, 1, "one line on stderr: %q", r.stderr)
			assert.Contains(t, r.stderr, c.want)
			assert.NotContains(t, r.stderr, "goroutine")
			assert.NotContains(t, r.stderr, "panic")
			_, err := os.Stat(out)
			assert.True(t, os.IsNotExist(err), "no output file written")
			left, _ := filepath.Glob(filepath.Join(dir, ".arinfer-*"))
			assert.Empty(t, left, "no temporary files left")
		})
	}
}

// A flag the command does not have, a flag value that does not parse,
// and a stray argument: the problem on one line and a pointer to --help
// on a second, nothing on stdout, status 2.
func TestFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sample", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"sample", "-n", "x"}, `invalid value "x" for flag -n`},
		{[]string{"score", "--json=maybe"}, "--json"},
		{[]string{"info", "extra"}, `unexpected argument "extra"`},
		{[]string{"convert", "--dtype"}, "flag needs an argument: -dtype"},
		{[]string{"bench", "-model"}, "flag needs an argument"},
	} {
		r := runCLI(t, c.args...)
		assert.Equal(t, 2, r.code, "%v", c.args)
		assert.Empty(t, r.stdout, "%v: nothing on stdout", c.args)
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		require.Len(t, lines, 2, "%v: two lines on stderr: %q", c.args, r.stderr)
		assert.Contains(t, lines[0], "arinfer "+c.args[0]+": ", "%v", c.args)
		assert.Contains(t, lines[0], strings.TrimPrefix(c.want, "--"), "%v", c.args)
		assert.Equal(t, "Run 'arinfer "+c.args[0]+" --help' for usage.", lines[1], "%v", c.args)
	}
}

func TestHelp(t *testing.T) {
	for _, c := range []string{"sample", "score", "info"} {
		r := runCLI(t, c, "--help")
		assert.Equal(t, 0, r.code)
		assert.Contains(t, r.stdout, "usage: arinfer "+c)
		assert.Contains(t, r.stdout, "-model")
	}
	r := runCLI(t, "--help")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "sample")
}

// writePNG writes a w x h grey PNG whose pixel (x, y) is white where on
// returns true.
func writeTestPNG(t *testing.T, path string, w, h int, on func(x, y int) bool) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if on(x, y) {
				img.SetGray(x, y, color.Gray{Y: 255})
			}
		}
	}
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, png.Encode(f, img))
	require.NoError(t, f.Close())
}

// gridPixels reads the PNG grid of samples at path (cols samples of w
// pixels per row of the grid) and returns whether pixel (x, y) of sample s
// is white.
func gridPixels(t *testing.T, path string, cols, w int) func(s, x, y int) bool {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	cell := w*cellScale + cellGap
	return func(s, x, y int) bool {
		ox, oy := cellGap+(s%cols)*cell, cellGap+(s/cols)*cell
		return color.GrayModel.Convert(img.At(ox+x*cellScale, oy+y*cellScale)).(color.Gray).Y == 255
	}
}

func TestCompleteKeepsTopRows(t *testing.T) {
	dir := t.TempDir()
	model := writeModel(t, dir)
	digit := filepath.Join(dir, "digit.png")
	stripes := func(x, y int) bool { return (x/3+y)%2 == 0 }
	writeTestPNG(t, digit, 28, 28, stripes)
	out := filepath.Join(dir, "done.png")
	r := runCLI(t, "sample", "--model", model, "-n", "4", "-o", out, "--complete", digit, "--rows", "10")
	require.Equal(t, 0, r.code, r.stderr)
	white := gridPixels(t, out, 2, 28)
	for s := 0; s < 4; s++ {
		for y := 0; y < 10; y++ {
			for x := 0; x < 28; x++ {
				assert.Equal(t, stripes(x, y), white(s, x, y), "sample %d pixel (%d,%d)", s, x, y)
			}
		}
	}

	small := filepath.Join(dir, "small.png")
	writeTestPNG(t, small, 27, 28, stripes)
	r = runCLI(t, "sample", "--model", model, "-o", out, "--complete", small)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "27x28")
	r = runCLI(t, "score", "--model", model, "--data", small)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "27x28")
}

func TestScorePNGAndIDX(t *testing.T) {
	dir := t.TempDir()
	model := writeModel(t, dir)
	for i := 0; i < 3; i++ {
		writeTestPNG(t, filepath.Join(dir, fmt.Sprintf("d%d.png", i)), 28, 28, func(x, y int) bool { return (x+y+i)%4 == 0 })
	}
	r := runCLI(t, "score", "--model", model, "--data", dir, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	assert.EqualValues(t, 3, res["n"])

	// The same three images as a binary IDX file give the same NLL.
	idx := []byte{0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28}
	for i := 0; i < 3; i++ {
		for y := 0; y < 28; y++ {
			for x := 0; x < 28; x++ {
				v := byte(0)
				if (x+y+i)%4 == 0 {
					v = 1
				}
				idx = append(idx, v)
			}
		}
	}
	p := filepath.Join(dir, "three.idx")
	require.NoError(t, os.WriteFile(p, idx, 0o644))
	r2 := runCLI(t, "score", "--model", model, "--data", p, "--json")
	require.Equal(t, 0, r2.code, r2.stderr)
	var res2 map[string]any
	require.NoError(t, json.Unmarshal([]byte(r2.stdout), &res2))
	assert.Equal(t, res["nll_nats"], res2["nll_nats"])
}

func TestStreamDrawsHalfBlocks(t *testing.T) {
	dir := t.TempDir()
	model := writeModel(t, dir)
	r := runCLI(t, "sample", "--model", model, "-n", "2", "-o", filepath.Join(dir, "s.png"), "--stream")
	require.Equal(t, 0, r.code, r.stderr)
	// Not a terminal: the final frame only, 14 lines of 2 x 28 half blocks.
	lines := strings.Split(r.stdout, "\n")
	require.GreaterOrEqual(t, len(lines), 14)
	for _, l := range lines[:14] {
		assert.Equal(t, 56, strings.Count(l, "▀"))
	}
}

func TestDefaultModelNeedsNoFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "s.png")
	r := runCLI(t, "sample", "-n", "2", "-o", out)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "wrote 2 samples")
	_, err := os.Stat(out)
	assert.NoError(t, err)
	r = runCLI(t, "bench")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "kernels:")
	assert.Contains(t, r.stdout, "samples/s")
}

func TestOutputIsWorldReadable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s.png")
	r := runCLI(t, "sample", "-n", "1", "-o", out)
	require.Equal(t, 0, r.code, r.stderr)
	st, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
}
