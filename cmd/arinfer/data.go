package main

import (
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/arinfer/arinfer/engine"
	"github.com/arinfer/arinfer/mnist"
)

// loadData returns the examples a --data value names, as float32 rows of
// 0/1 values, and their number:
//
//   - mnist:train, mnist:valid, mnist:test: binarized MNIST (package mnist);
//   - a path ending in .idx, -ubyte or .gz: an IDX image file (N x H x W);
//     0/1 values are used as they are, grey levels are binarized with
//     mnist.Binarize (the same Bernoulli draw as binarized MNIST, with
//     global pixel indices starting at 0);
//   - anything else: one or more comma-separated PNG files or directories
//     of PNG files, each an image of the model's size, thresholded at half
//     intensity.
func loadData(spec string, info engine.Info) ([]float32, int, error) {
	h, w, ok := imageSize(info.Shape)
	if name, isMNIST := strings.CutPrefix(spec, "mnist:"); isMNIST {
		split, err := mnist.ParseSplit(name)
		if err != nil {
			return nil, 0, badInput("--data %q: %v", spec, err)
		}
		if info.Dims != mnist.Rows*mnist.Cols {
			return nil, 0, badInput("--data %s has %d pixels per image but the model has %d dimensions", spec, mnist.Rows*mnist.Cols, info.Dims)
		}
		dir, err := mnist.Locate()
		if err != nil {
			return nil, 0, err
		}
		set, err := mnist.Binarized(dir, split)
		if err != nil {
			return nil, 0, err
		}
		return set.Float32(), set.N, nil
	}
	if !ok {
		return nil, 0, badInput("model data shape %v is not an image; --data takes mnist:<split>, IDX or PNG files of images", info.Shape)
	}
	if isIDX(spec) {
		return loadIDX(spec, h, w)
	}
	var files []string
	for _, p := range strings.Split(spec, ",") {
		st, err := os.Stat(p)
		if err != nil {
			return nil, 0, badInput("--data %s: %v", p, err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		fs, err := filepath.Glob(filepath.Join(p, "*.png"))
		if err != nil {
			return nil, 0, badInput("--data %s: %v", p, err)
		}
		slices.Sort(fs)
		files = append(files, fs...)
	}
	if len(files) == 0 {
		return nil, 0, badInput("--data %s: no PNG files", spec)
	}
	x := make([]float32, 0, len(files)*h*w)
	for _, f := range files {
		img, err := readPNG(f, h, w)
		if err != nil {
			return nil, 0, err
		}
		x = append(x, img...)
	}
	return x, len(files), nil
}

func isIDX(p string) bool {
	return strings.HasSuffix(p, ".idx") || strings.HasSuffix(p, "-ubyte") || strings.HasSuffix(p, ".gz")
}

func loadIDX(path string, h, w int) ([]float32, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, badInput("--data %s: %v", path, err)
	}
	defer f.Close()
	idx, err := mnist.ReadIDX(f)
	if err != nil {
		return nil, 0, badInput("--data %s: %v", path, err)
	}
	if len(idx.Dims) != 3 || idx.Dims[1] != h || idx.Dims[2] != w {
		return nil, 0, badInput("--data %s holds images of shape %v; the model takes N x %d x %d", path, idx.Dims, h, w)
	}
	px := idx.Data
	binary := !slices.ContainsFunc(px, func(v uint8) bool { return v > 1 })
	if !binary {
		px = mnist.Binarize(px, 0)
	}
	x := make([]float32, len(px))
	for i, v := range px {
		x[i] = float32(v)
	}
	return x, idx.Dims[0], nil
}

// readPNG reads a PNG of exactly h x w pixels as 0/1 values (luminance at or
// above half intensity is 1).
func readPNG(path string, h, w int) ([]float32, error) {
	img, err := decodePNG(path, h, w)
	if err != nil {
		return nil, err
	}
	return binarizeImage(img), nil
}

// readPNGLevels reads a PNG of exactly h x w pixels as values 0..k-1: for
// k = 2 thresholded as readPNG does, otherwise its luminance quantized to k
// levels (round(lum / 65535 * (k-1)): an 8-bit grey PNG gives its own grey
// levels to a 256-level model).
func readPNGLevels(path string, h, w, k int) ([]float32, error) {
	img, err := decodePNG(path, h, w)
	if err != nil {
		return nil, err
	}
	if k == 2 {
		return binarizeImage(img), nil
	}
	b := img.Bounds()
	x := make([]float32, 0, w*h)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for xx := b.Min.X; xx < b.Max.X; xx++ {
			x = append(x, float32(math.Round(float64(luminance(img, xx, y))/65535*float64(k-1))))
		}
	}
	return x, nil
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

// luminance returns the luminance of a pixel, 0..65535.
func luminance(img image.Image, x, y int) uint32 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (299*r + 587*g + 114*b) / 1000
}

func binarizeImage(img image.Image) []float32 {
	b := img.Bounds()
	x := make([]float32, 0, b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for xx := b.Min.X; xx < b.Max.X; xx++ {
			v := float32(0)
			if luminance(img, xx, y) >= 0x8000 {
				v = 1
			}
			x = append(x, v)
		}
	}
	return x
}
