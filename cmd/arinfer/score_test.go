package main

import (
	"bufio"
	"bytes"
	"context"
	idxbin "encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/arinfer/arinfer/audio"
	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/mnist"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// catLevels is a small categorical model with K = 5 values per pixel
// (5x7 images, unconditional).
var catLevels = filepath.Join("..", "..", "engine", "testdata", "golden", "gated-5x7-k5-cat5.arw")

// writeIDX writes n images of h x w grey levels as an IDX file.
func writeIDX(t *testing.T, path string, n, h, w int, px []uint8) {
	t.Helper()
	require.Len(t, px, n*h*w)
	var b bytes.Buffer
	b.Write([]byte{0, 0, 8, 3})
	for _, d := range []int{n, h, w} {
		require.NoError(t, idxbin.Write(&b, idxbin.BigEndian, uint32(d)))
	}
	b.Write(px)
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
}

// writeGreyPNGs writes n images of h x w grey levels as 8-bit grey PNGs
// dir/000.png, dir/001.png … (the order score reads a directory in).
func writeGreyPNGs(t *testing.T, dir string, n, h, w int, px []uint8) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for i := 0; i < n; i++ {
		img := image.NewGray(image.Rect(0, 0, w, h))
		copy(img.Pix, px[i*h*w:(i+1)*h*w])
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%03d.png", i)))
		require.NoError(t, err)
		require.NoError(t, png.Encode(f, img))
		require.NoError(t, f.Close())
	}
}

// randomLevels returns n grey levels: every edge case of the rules (0, 1,
// 127, 128, 254, 255) and random levels between.
func randomLevels(n int, seed uint64) []uint8 {
	rng := rand.New(rand.NewPCG(seed, 9))
	edge := []uint8{0, 1, 127, 128, 254, 255}
	px := make([]uint8, n)
	for i := range px {
		if i < len(edge) {
			px[i] = edge[i]
		} else {
			px[i] = uint8(rng.IntN(256))
		}
	}
	return px
}

type summary struct {
	N          int     `json:"n"`
	NLLNats    float64 `json:"nll_nats"`
	BitsPerDim float64 `json:"bits_per_dim"`
	Samples    int     `json:"samples"`
}

// scorePerExample runs score --per-example --json and parses its JSON
// Lines: the examples, then the summary.
func scorePerExample(t *testing.T, args ...string) ([]exampleScore, summary) {
	t.Helper()
	r := runCLI(t, append([]string{"score", "--per-example", "--json"}, args...)...)
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 2, r.stdout)
	var ex []exampleScore
	for _, l := range lines[:len(lines)-1] {
		var e exampleScore
		dec := json.NewDecoder(strings.NewReader(l))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&e), "line %q", l)
		ex = append(ex, e)
	}
	var s summary
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &s))
	return ex, s
}

// checkPerExample checks the lines against the summary: indices in order,
// bits per dimension from the NLL, and the mean NLL.
func checkPerExample(t *testing.T, ex []exampleScore, s summary, dims int) {
	t.Helper()
	require.Len(t, ex, s.N)
	var sum float64
	for i, e := range ex {
		require.Equal(t, i, e.Index)
		require.InEpsilon(t, e.NLLNats/float64(dims)/math.Ln2, e.BitsPerDim, 1e-12, "example %d", i)
		sum += e.NLLNats
	}
	assert.InEpsilon(t, s.NLLNats, sum/float64(s.N), 1e-12, "mean of the per-example NLLs = the summary")
}

func nlls(ex []exampleScore) []float64 {
	v := make([]float64, len(ex))
	for i, e := range ex {
		v[i] = e.NLLNats
	}
	return v
}

// --per-example gives one JSON line per example, in order, naming its
// source, then the summary, whose NLL is their mean; three batches of an
// IDX file, PNG files, and the text summary without --json.
func TestScorePerExample(t *testing.T) {
	dir := t.TempDir()
	const n, h, w = 2*scoreBatch + 7, 6, 5
	idx := filepath.Join(dir, "many.idx")
	writeIDX(t, idx, n, h, w, randomLevels(n*h*w, 1))
	ex, s := scorePerExample(t, "--model", pixelcnnBern, "--data", idx)
	checkPerExample(t, ex, s, h*w)
	for i, e := range ex {
		require.Equal(t, fmt.Sprintf("%s:%d", idx, i), e.Source)
		require.Zero(t, e.Samples)
	}

	pngs := filepath.Join(dir, "png")
	writeGreyPNGs(t, pngs, 3, h, w, randomLevels(3*h*w, 2))
	extra := filepath.Join(dir, "extra.png")
	require.NoError(t, os.Rename(filepath.Join(pngs, "001.png"), extra))
	ex, s = scorePerExample(t, "--model", pixelcnnBern, "--data", pngs+","+extra)
	checkPerExample(t, ex, s, h*w)
	assert.Equal(t, []string{filepath.Join(pngs, "000.png"), filepath.Join(pngs, "002.png"), extra},
		[]string{ex[0].Source, ex[1].Source, ex[2].Source})

	// Without --json: the same lines, then the text summary.
	r := runCLI(t, "score", "--per-example", "--model", pixelcnnBern, "--data", pngs+","+extra)
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	require.Len(t, lines, 4)
	for i, l := range lines[:3] {
		var e exampleScore
		require.NoError(t, json.Unmarshal([]byte(l), &e))
		assert.Equal(t, ex[i], e)
	}
	assert.Contains(t, lines[3], "over 3 examples")
}

// The examples of mnist:test are named by split and position.
func TestScorePerExampleMNIST(t *testing.T) {
	ex, s := scorePerExample(t, "--model", writeModel(t, t.TempDir()), "--data", "mnist:test")
	checkPerExample(t, ex, s, mnist.D)
	assert.Equal(t, mnist.TestSize, s.N)
	assert.Equal(t, "mnist:test:0", ex[0].Source)
	assert.Equal(t, "mnist:test:9999", ex[9999].Source)
}

// An audio model gives one line per WAV file, with its samples and bits
// per sample; the summary's NLL is the mean per recording and its bits
// per sample are over all samples.
func TestScorePerExampleAudio(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, n := range []int{800, 300} {
		p := filepath.Join(dir, fmt.Sprintf("tone%d.wav", i))
		wr, err := audio.CreateWAV(p, 8000)
		require.NoError(t, err)
		s := make([]int16, n)
		for j := range s {
			s[j] = int16(8000 * math.Sin(float64(j*(i+1))/9))
		}
		require.NoError(t, wr.WriteSamples(s))
		require.NoError(t, wr.Close())
		paths = append(paths, p)
	}
	ex, s := scorePerExample(t, "--model", audioModel, "--data", strings.Join(paths, ","))
	require.Len(t, ex, 2)
	var sum float64
	for i, e := range ex {
		assert.Equal(t, i, e.Index)
		assert.Equal(t, paths[i], e.Source)
		assert.Equal(t, []int{800, 300}[i], e.Samples)
		assert.InEpsilon(t, e.NLLNats/float64(e.Samples)/math.Ln2, e.BitsPerDim, 1e-12)
		sum += e.NLLNats
	}
	assert.InEpsilon(t, s.NLLNats, sum/2, 1e-12)
	assert.InEpsilon(t, s.BitsPerDim, sum/1100/math.Ln2, 1e-12)
	assert.Equal(t, 1100, s.Samples)
}

// lineWriter records what score writes to stdout and cancels the run at
// the first write: lines written as each batch is scored stop the run
// after the first batch, lines written at the end would all be there.
type lineWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cancel()
	return w.buf.Write(p)
}

func TestScorePerExampleStreams(t *testing.T) {
	dir := t.TempDir()
	const n, h, w = 3 * scoreBatch, 6, 5
	idx := filepath.Join(dir, "many.idx")
	writeIDX(t, idx, n, h, w, randomLevels(n*h*w, 3))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lineWriter{cancel: cancel}
	var stderr bytes.Buffer
	err := runScore(ctx, []string{"--model", pixelcnnBern, "--data", idx, "--per-example", "--json"}, out, &stderr)
	require.ErrorIs(t, err, context.Canceled)
	sc := bufio.NewScanner(&out.buf)
	got := 0
	for sc.Scan() {
		var e exampleScore
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
		require.Equal(t, got, e.Index)
		got++
	}
	assert.Equal(t, scoreBatch, got, "the first batch's lines, written before the second batch was scored")
}

// binarizeRef applies a --binarize rule to the grey levels of --data as
// the help states it.
func binarizeRef(px []uint8, rule string) []uint8 {
	out := make([]uint8, len(px))
	for i, v := range px {
		switch rule {
		case "threshold":
			if v >= 128 {
				out[i] = 1
			}
		case "sample":
			// pixel p of example n (i = n*d+p) uses draw n*d+p of binarized MNIST's generator
			out[i] = mnist.BinarizePixel(v, uint64(i))
		}
	}
	return out
}

// PNG and IDX of the same grey images score identically under every rule,
// and as the rule says: the same as a binary IDX file of the rule's 0/1
// values. With none a Bernoulli model refuses grey levels in one line.
func TestBinarizeSameForPNGAndIDX(t *testing.T) {
	dir := t.TempDir()
	const n, h, w = 5, 6, 5
	px := randomLevels(n*h*w, 4)
	idx := filepath.Join(dir, "grey.idx")
	writeIDX(t, idx, n, h, w, px)
	pngs := filepath.Join(dir, "png")
	writeGreyPNGs(t, pngs, n, h, w, px)
	for _, rule := range []string{"threshold", "sample"} {
		t.Run(rule, func(t *testing.T) {
			fromIDX, _ := scorePerExample(t, "--model", pixelcnnBern, "--data", idx, "--binarize", rule)
			fromPNG, _ := scorePerExample(t, "--model", pixelcnnBern, "--data", pngs, "--binarize", rule)
			assert.Equal(t, nlls(fromIDX), nlls(fromPNG))
			bin := filepath.Join(dir, rule+".idx")
			writeIDX(t, bin, n, h, w, binarizeRef(px, rule))
			// 0/1 data is used as given, under every rule.
			for _, r := range []string{"threshold", "sample", "none"} {
				fromBin, _ := scorePerExample(t, "--model", pixelcnnBern, "--data", bin, "--binarize", r)
				assert.Equal(t, nlls(fromIDX), nlls(fromBin), "%s = the binary file under %s", rule, r)
			}
		})
	}
	// The default is sample.
	def, _ := scorePerExample(t, "--model", pixelcnnBern, "--data", pngs)
	smp, _ := scorePerExample(t, "--model", pixelcnnBern, "--data", idx, "--binarize", "sample")
	assert.Equal(t, nlls(smp), nlls(def))

	for _, data := range []string{idx, pngs} {
		r := runCLI(t, "score", "--model", pixelcnnBern, "--data", data, "--binarize", "none")
		assert.Equal(t, 2, r.code, r.stderr)
		assert.Empty(t, r.stdout)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
		// the first non-binary level is px[2] = 127, pixel 2 of example 0
		assert.Contains(t, r.stderr, "example 0 (")
		assert.Contains(t, r.stderr, "pixel 2 is 127; a Bernoulli model takes 0 or 1")
	}
}

// A black-and-white PNG (0 and 255) is 0/1 under threshold and sample
// alike, the same as an IDX file of 0/1 values.
func TestBinarizeBlackAndWhitePNG(t *testing.T) {
	dir := t.TempDir()
	const n, h, w = 3, 6, 5
	bits := make([]uint8, n*h*w)
	grey := make([]uint8, n*h*w)
	for i := range bits {
		bits[i] = uint8(i*7/3) % 2
		grey[i] = 255 * bits[i]
	}
	idx := filepath.Join(dir, "bits.idx")
	writeIDX(t, idx, n, h, w, bits)
	pngs := filepath.Join(dir, "png")
	writeGreyPNGs(t, pngs, n, h, w, grey)
	want, _ := scorePerExample(t, "--model", pixelcnnBern, "--data", idx)
	for _, rule := range []string{"threshold", "sample"} {
		got, _ := scorePerExample(t, "--model", pixelcnnBern, "--data", pngs, "--binarize", rule)
		assert.Equal(t, nlls(want), nlls(got), rule)
	}
}

// engineNLL scores x (levels as float32) with the model in process.
func engineNLL(t *testing.T, model string, x []float32) []float64 {
	t.Helper()
	m, err := engine.Open(model)
	require.NoError(t, err)
	ll := make([]float64, len(x)/m.Info().Dims)
	require.NoError(t, m.LogProb(context.Background(), x, ll))
	for i := range ll {
		ll[i] = -ll[i]
	}
	return ll
}

func asFloat32(v []uint8) []float32 {
	x := make([]float32, len(v))
	for i, b := range v {
		x[i] = float32(b)
	}
	return x
}

// A 256-level model scores grey data as its integer levels, from PNG and
// IDX alike; --binarize none changes nothing for it, threshold and sample
// are refused.
func TestScoreGreyLevels(t *testing.T) {
	dir := t.TempDir()
	const n, h, w = 4, 8, 8
	px := randomLevels(n*h*w, 5)
	idx := filepath.Join(dir, "grey.idx")
	writeIDX(t, idx, n, h, w, px)
	pngs := filepath.Join(dir, "png")
	writeGreyPNGs(t, pngs, n, h, w, px)
	want := engineNLL(t, pixelcnnGrey, asFloat32(px))
	for _, args := range [][]string{
		{"--data", idx}, {"--data", pngs}, {"--data", idx, "--binarize", "none"}, {"--data", pngs, "--binarize", "none"},
	} {
		got, s := scorePerExample(t, append([]string{"--model", pixelcnnGrey}, args...)...)
		checkPerExample(t, got, s, h*w)
		assert.Equal(t, want, nlls(got), "%v", args)
	}
	for _, rule := range []string{"threshold", "sample"} {
		r := runCLI(t, "score", "--model", pixelcnnGrey, "--data", pngs, "--binarize", rule)
		assert.Equal(t, 2, r.code)
		assert.Empty(t, r.stdout)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
		assert.Contains(t, r.stderr, "--binarize "+rule+": the model takes 256 levels per pixel")
	}
}

// A K-level model reads grey level v as round(v*(K-1)/255) (K = 5 here),
// as sample --complete does; with none it takes the values as given and
// refuses one of K or more in one line.
func TestScoreFewLevels(t *testing.T) {
	dir := t.TempDir()
	const n, h, w, K = 3, 5, 7, 5
	codes := make([]uint8, n*h*w)
	grey := make([]uint8, n*h*w)
	for i := range codes {
		codes[i] = uint8(i*3) % K
		grey[i] = []uint8{0, 64, 128, 191, 255}[codes[i]] // round(v*4/255) = the code
	}
	want := engineNLL(t, catLevels, asFloat32(codes))
	cidx := filepath.Join(dir, "codes.idx")
	writeIDX(t, cidx, n, h, w, codes)
	gidx := filepath.Join(dir, "grey.idx")
	writeIDX(t, gidx, n, h, w, grey)
	pngs := filepath.Join(dir, "png")
	writeGreyPNGs(t, pngs, n, h, w, grey)
	for _, args := range [][]string{{"--data", gidx}, {"--data", pngs}, {"--data", cidx, "--binarize", "none"}} {
		got, _ := scorePerExample(t, append([]string{"--model", catLevels}, args...)...)
		assert.Equal(t, want, nlls(got), "%v", args)
	}
	r := runCLI(t, "score", "--model", catLevels, "--data", gidx, "--binarize", "none")
	assert.Equal(t, 2, r.code)
	assert.Empty(t, r.stdout)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
	assert.Contains(t, r.stderr, "example 0 ("+gidx+":0) pixel 1 is 191; the model takes levels 0..4")
}

// Bad --binarize values and uses: a flag error is two lines (the problem,
// then a pointer to --help), a refused use one line; exit 2, nothing on
// stdout.
func TestBinarizeBadUse(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.idx")
	writeIDX(t, empty, 0, 6, 5, nil)
	for _, c := range []struct {
		args  []string
		lines int
		want  string
	}{
		{[]string{"--binarize", "round"}, 2, `invalid value "round" for flag -binarize: want threshold, sample or none`},
		{[]string{"--binarize"}, 2, "flag needs an argument: -binarize"},
		{[]string{"--model", audioModel, "--data", "x.wav", "--binarize", "none"}, 1, "--binarize: for image data"},
		{[]string{"--model", pixelcnnBern, "--data", empty}, 1, "no examples"},
	} {
		r := runCLI(t, append([]string{"score"}, c.args...)...)
		assert.Equal(t, 2, r.code, "%v: %s", c.args, r.stderr)
		assert.Empty(t, r.stdout, "%v", c.args)
		assert.Equal(t, c.lines, strings.Count(r.stderr, "\n"), "%v: %q", c.args, r.stderr)
		assert.Contains(t, r.stderr, c.want, "%v", c.args)
	}
}

func TestBinarizeRuleFlag(t *testing.T) {
	for _, name := range []string{"threshold", "sample", "none"} {
		var r binarizeRule
		require.NoError(t, r.Set(name))
		assert.Equal(t, name, r.String())
	}
	var r binarizeRule
	assert.Error(t, r.Set("Threshold"))
	assert.Equal(t, "", r.String(), "unset")
}

// scaleLevel is round(v*(k-1)/255), exactly, for every level and k.
func TestScaleLevel(t *testing.T) {
	for _, k := range []int{3, 4, 5, 16, 17, 100, 255, 256} {
		for v := 0; v < 256; v++ {
			want := int(math.Round(float64(v) * float64(k-1) / 255))
			require.Equal(t, want, scaleLevel(uint8(v), k), "v %d k %d", v, k)
		}
	}
	for v := 0; v < 256; v++ {
		require.Equal(t, v, scaleLevel(uint8(v), 256))
	}
}

// greyLevels gives an 8-bit grey image its own levels, and its threshold
// at 128 is the 16-bit luminance threshold at half intensity (what PNGs
// were thresholded by before --binarize) for every 16-bit grey level.
func TestGreyLevels(t *testing.T) {
	g8 := image.NewGray(image.Rect(0, 0, 256, 1))
	for v := range 256 {
		g8.Pix[v] = uint8(v)
	}
	for v, got := range greyLevels(g8) {
		require.Equal(t, uint8(v), got)
	}
	g16 := image.NewGray16(image.Rect(0, 0, 256, 256))
	for i := range 1 << 16 {
		g16.SetGray16(i%256, i/256, color.Gray16{Y: uint16(i)})
	}
	for i, got := range greyLevels(g16) {
		require.Equal(t, i >= 0x8000, threshold(got) == 1, "level %d", i)
		require.InDelta(t, float64(i)/257, float64(got), 0.5, "level %d", i)
	}
	rgb := image.NewRGBA(image.Rect(0, 0, 3, 1))
	rgb.Set(0, 0, color.RGBA{255, 0, 0, 255})
	rgb.Set(1, 0, color.RGBA{0, 255, 0, 255})
	rgb.Set(2, 0, color.RGBA{0, 0, 255, 255})
	assert.Equal(t, []uint8{76, 150, 29}, greyLevels(rgb)) // 0.299, 0.587, 0.114 of 255
}

// sample --complete reads its image under the same --binarize rule as
// score (default sample): the kept rows of every completion are the rule's
// 0/1 values of the grey image; --binarize without --complete, or none on
// grey levels, is one line and exit 2.
func TestCompleteBinarize(t *testing.T) {
	dir := t.TempDir()
	model := writeModel(t, dir)
	const rows = 12
	px := randomLevels(28*28, 31)
	writeGreyPNGs(t, filepath.Join(dir, "in"), 1, 28, 28, px)
	in := filepath.Join(dir, "in", "000.png")
	for _, rule := range []string{"", "threshold", "sample"} {
		t.Run("rule="+rule, func(t *testing.T) {
			out := filepath.Join(dir, "done-"+rule+".png")
			args := []string{"sample", "--model", model, "-n", "2", "-o", out, "--complete", in, "--rows", fmt.Sprint(rows)}
			want := binarizeRef(px, "sample")
			if rule != "" {
				args = append(args, "--binarize", rule)
				want = binarizeRef(px, rule)
			}
			r := runCLI(t, args...)
			require.Equal(t, 0, r.code, r.stderr)
			white := gridPixels(t, out, 2, 28)
			for s := 0; s < 2; s++ {
				for p := 0; p < rows*28; p++ {
					require.Equal(t, want[p] == 1, white(s, p%28, p/28), "sample %d pixel %d (level %d)", s, p, px[p])
				}
			}
		})
	}
	for _, bad := range [][]string{
		{"sample", "--model", model, "--binarize", "threshold", "-o", filepath.Join(dir, "x.png")},
		{"sample", "--model", model, "--complete", in, "--binarize", "none", "-o", filepath.Join(dir, "x.png")},
	} {
		r := runCLI(t, bad...)
		assert.Equal(t, 2, r.code)
		assert.Empty(t, r.stdout)
		assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, r.stderr)
		assert.NoFileExists(t, filepath.Join(dir, "x.png"))
	}
}
