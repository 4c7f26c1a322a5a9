package main

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/mnist"
)

// binarizeRule is how --binarize turns grey levels 0..255 into the 0/1
// values of a Bernoulli model (see valueRules). The zero value is unset.
type binarizeRule int

// The --binarize rules.
const (
	binarizeSample    binarizeRule = iota + 1 // 1 with probability level/255 (the default)
	binarizeThreshold                         // 1 iff level >= 128
	binarizeNone                              // values as given
)

var binarizeNames = map[binarizeRule]string{binarizeSample: "sample", binarizeThreshold: "threshold", binarizeNone: "none"}

func (r *binarizeRule) String() string { return binarizeNames[*r] }

// Set parses a --binarize value.
func (r *binarizeRule) Set(s string) error {
	for k, v := range binarizeNames {
		if v == s {
			*r = k
			return nil
		}
	}
	return fmt.Errorf("want threshold, sample or none")
}

// valueRules is the documentation of --binarize and of the grey levels of
// categorical models, shared by score --help and the README.
const valueRules = "how grey levels 0..255 (an IDX byte; a PNG pixel's luminance\n" +
	"0.299R+0.587G+0.114B at 8 bits) become a Bernoulli model's 0/1 values, the same\n" +
	"rule for PNG, IDX and mnist:<split>:\n" +
	"  threshold  1 iff level >= 128\n" +
	"  sample     1 with probability level/255, the draw of binarized MNIST (package\n" +
	"             mnist: SplitMix64, fixed seed); pixel p of example n of --data\n" +
	"             (counted from 0) uses draw n*D+p, mnist:<split> MNIST's own draws,\n" +
	"             so mnist:test is the fixed binarized test set\n" +
	"  none       values as given; anything but 0 or 1 is an error\n" +
	"Data whose values are all 0 and 1 (a binarized IDX file) is used as given\n" +
	"under every rule. A categorical model with K values per pixel reads level v\n" +
	"as round(v*(K-1)/255) (K=256: the level itself, as sample --complete does),\n" +
	"with none as given (each below K); threshold and sample are refused for it."

// dataset is the examples a --data value names.
type dataset struct {
	x      []float32          // n examples of the model's Dims values, ready to score
	n      int                // number of examples
	source func(i int) string // where example i came from (for --per-example)
}

// greySet is examples as grey levels 0..255, before the value rule.
type greySet struct {
	px     []uint8 // n examples of D levels each
	n      int
	source func(i int) string
}

// loadData returns the examples a --data value names, as the model's
// values under rule (set reports whether --binarize was given):
//
//   - mnist:train, mnist:valid, mnist:test: MNIST's grey images (package
//     mnist); under the sample rule (the default) the fixed binarized
//     MNIST split;
//   - a path ending in .idx, -ubyte or .gz: an IDX image file (N x H x W);
//   - anything else: one or more comma-separated PNG files or directories
//     of PNG files (*.png, in name order), each an image of the model's size.
//
// The grey levels become values as valueRules says.
func loadData(spec string, info engine.Info, rule binarizeRule, set bool) (dataset, error) {
	if err := checkRule(info, rule, set); err != nil {
		return dataset{}, err
	}
	var (
		g   greySet
		err error
	)
	if name, isMNIST := strings.CutPrefix(spec, "mnist:"); isMNIST {
		if info.Categories == 2 && rule == binarizeSample {
			return loadBinarizedMNIST(spec, name, info)
		}
		g, err = loadMNIST(spec, name, info)
	} else {
		g, err = loadImages(spec, info)
	}
	if err != nil {
		return dataset{}, err
	}
	x, err := g.values(spec, info, rule)
	if err != nil {
		return dataset{}, err
	}
	return dataset{x: x, n: g.n, source: g.source}, nil
}

// checkRule refuses a --binarize rule given (set) for a model it does not
// apply to: threshold and sample turn grey levels into 0/1.
func checkRule(info engine.Info, rule binarizeRule, set bool) error {
	if info.Categories > 2 && set && rule != binarizeNone {
		return badInput("--binarize %s: the model takes %d levels per pixel and reads grey levels as they are; threshold and sample are for Bernoulli (2-value) models", rule.String(), info.Categories)
	}
	return nil
}

// mnistSplit checks a mnist:<split> value against the model.
func mnistSplit(spec, name string, info engine.Info) (mnist.Split, string, error) {
	split, err := mnist.ParseSplit(name)
	if err != nil {
		return 0, "", badInput("--data %q: %v", spec, err)
	}
	if info.Dims != mnist.D {
		return 0, "", badInput("--data %s has %d pixels per image but the model has %d dimensions", spec, mnist.D, info.Dims)
	}
	dir, err := mnist.Locate()
	if err != nil {
		return 0, "", err
	}
	return split, dir, nil
}

func mnistSource(spec string) func(int) string {
	return func(i int) string { return fmt.Sprintf("%s:%d", spec, i) }
}

// loadBinarizedMNIST is the sample rule on mnist:<split>: the fixed
// binarized split that the shipped models' test NLLs are measured on.
func loadBinarizedMNIST(spec, name string, info engine.Info) (dataset, error) {
	split, dir, err := mnistSplit(spec, name, info)
	if err != nil {
		return dataset{}, err
	}
	set, err := mnist.Binarized(dir, split)
	if err != nil {
		return dataset{}, err
	}
	return dataset{x: set.Float32(), n: set.N, source: mnistSource(spec)}, nil
}

func loadMNIST(spec, name string, info engine.Info) (greySet, error) {
	split, dir, err := mnistSplit(spec, name, info)
	if err != nil {
		return greySet{}, err
	}
	set, err := mnist.Load(dir, split)
	if err != nil {
		return greySet{}, err
	}
	return greySet{px: set.Pixels, n: set.N, source: mnistSource(spec)}, nil
}

// loadImages reads an IDX file or PNG files as grey levels.
func loadImages(spec string, info engine.Info) (greySet, error) {
	h, w, ok := imageSize(info.Shape)
	if !ok {
		return greySet{}, badInput("model data shape %v is not an image; --data takes mnist:<split>, IDX or PNG files of images", info.Shape)
	}
	if isIDX(spec) {
		return loadIDX(spec, h, w)
	}
	var files []string
	for _, p := range strings.Split(spec, ",") {
		st, err := os.Stat(p)
		if err != nil {
			return greySet{}, badInput("--data %s: %v", p, err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		fs, err := filepath.Glob(filepath.Join(p, "*.png"))
		if err != nil {
			return greySet{}, badInput("--data %s: %v", p, err)
		}
		slices.Sort(fs)
		files = append(files, fs...)
	}
	if len(files) == 0 {
		return greySet{}, badInput("--data %s: no PNG files", spec)
	}
	px := make([]uint8, 0, len(files)*h*w)
	for _, f := range files {
		img, err := decodePNG(f, h, w)
		if err != nil {
			return greySet{}, err
		}
		px = append(px, greyLevels(img)...)
	}
	return greySet{px: px, n: len(files), source: func(i int) string { return files[i] }}, nil
}

func isIDX(p string) bool {
	return strings.HasSuffix(p, ".idx") || strings.HasSuffix(p, "-ubyte") || strings.HasSuffix(p, ".gz")
}

func loadIDX(path string, h, w int) (greySet, error) {
	f, err := os.Open(path)
	if err != nil {
		return greySet{}, badInput("--data %s: %v", path, err)
	}
	defer f.Close()
	idx, err := mnist.ReadIDX(f)
	if err != nil {
		return greySet{}, badInput("--data %s: %v", path, err)
	}
	if len(idx.Dims) != 3 || idx.Dims[1] != h || idx.Dims[2] != w {
		return greySet{}, badInput("--data %s holds images of shape %v; the model takes N x %d x %d", path, idx.Dims, h, w)
	}
	return greySet{px: idx.Data, n: idx.Dims[0], source: func(i int) string { return fmt.Sprintf("%s:%d", path, i) }}, nil
}

// values applies the value rule (valueRules) to the grey levels of g.
func (g greySet) values(spec string, info engine.Info, rule binarizeRule) ([]float32, error) {
	D := info.Dims
	x := make([]float32, len(g.px))
	bad := func(i int, want string) error {
		return badInput("--data %s: example %d (%s) pixel %d is %d; %s", spec, i/D, g.source(i/D), i%D, g.px[i], want)
	}
	if k := info.Categories; k > 2 {
		for i, v := range g.px {
			if rule != binarizeNone {
				x[i] = float32(scaleLevel(v, k))
				continue
			}
			if int(v) >= k {
				return nil, bad(i, fmt.Sprintf("the model takes levels 0..%d (without --binarize none grey levels are scaled to them)", k-1))
			}
			x[i] = float32(v)
		}
		return x, nil
	}
	if !slices.ContainsFunc(g.px, func(v uint8) bool { return v > 1 }) {
		rule = binarizeNone // binary already
	}
	for i, v := range g.px {
		switch rule {
		case binarizeThreshold:
			x[i] = float32(threshold(v))
		case binarizeSample:
			x[i] = float32(mnist.BinarizePixel(v, uint64(i)))
		default:
			if v > 1 {
				return nil, bad(i, "a Bernoulli model takes 0 or 1 (--binarize threshold or sample turns grey levels into 0/1)")
			}
			x[i] = float32(v)
		}
	}
	return x, nil
}

// threshold is the threshold rule: 1 iff the grey level is at least 128.
func threshold(v uint8) uint8 {
	if v >= 128 {
		return 1
	}
	return 0
}

// scaleLevel maps a grey level 0..255 to one of k levels:
// round(v*(k-1)/255), computed exactly (it never falls on a half).
func scaleLevel(v uint8, k int) int {
	return (2*int(v)*(k-1) + 255) / 510
}

// readPNGValues reads the PNG at path, of exactly the model's h x w
// pixels, as the model's values under rule (set: --binarize was given),
// as loadData reads a PNG to score (valueRules).
func readPNGValues(path string, info engine.Info, h, w int, rule binarizeRule, set bool) ([]float32, error) {
	if err := checkRule(info, rule, set); err != nil {
		return nil, err
	}
	img, err := decodePNG(path, h, w)
	if err != nil {
		return nil, err
	}
	g := greySet{px: greyLevels(img), n: 1, source: func(int) string { return path }}
	return g.values(path, info, rule)
}

// decodePNG reads the PNG at path and checks that it is h x w pixels.
func decodePNG(path string, h, w int) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, badInput("%s: %v", path, err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, badInput("%s: not a PNG image: %v", path, err)
	}
	b := img.Bounds()
	if b.Dx() != w || b.Dy() != h {
		return nil, badInput("%s is %dx%d pixels; the model takes %dx%d images", path, b.Dx(), b.Dy(), w, h)
	}
	return img, nil
}

// greyLevels returns the grey level 0..255 of every pixel of img, row by
// row: its luminance 0.299R+0.587G+0.114B at 16 bits rounded to 8 (an
// 8-bit grey PNG gives its own levels).
func greyLevels(img image.Image) []uint8 {
	b := img.Bounds()
	g := make([]uint8, 0, b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, gr, bl, _ := img.At(x, y).RGBA()
			lum := (299*r + 587*gr + 114*bl) / 1000 // 0..65535
			g = append(g, uint8((lum+128)/257))
		}
	}
	return g
}
