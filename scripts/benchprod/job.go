package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/arinfer/arinfer/audio"
	"github.com/arinfer/arinfer/format"
	"github.com/arinfer/arinfer/mnist"
)

// job is one model and what the run does with it.
type job struct {
	path  string  // as printed
	abs   string  // as passed to the binaries
	arch  string  // header architecture
	rate  int     // audio sample rate; 0 for an image model
	size  float64 // file size, MB
	noOld string  // why the before binary cannot open it ("" when it can)

	// The workload, fixed before the first timed run.
	images  int      // image model: test images scored per run
	samples int      // image model: samples drawn per run
	wavs    []string // audio model: recordings scored per run
	wavSec  float64  // their total length, seconds
	seconds float64  // audio model: seconds sampled per stream per run
	streams int      // audio model: streams sampled per run
	est     float64  // estimated seconds of this model's measurement
}

func (j *job) audio() bool { return j.rate > 0 }

// skip is a model the run leaves out, and why.
type skip struct{ path, why string }

// checkModels opens every model's header: a file that does not parse is an
// error; a model that is neither a 28x28 image model nor an audio model is
// skipped. A model inside root is printed by its path from root.
func checkModels(paths []string, root string) ([]*job, []skip, error) {
	var (
		jobs  []*job
		skips []skip
		bad   []string
	)
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		f, err := format.Open(abs)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		h := f.Header()
		f.Close()
		st, err := os.Stat(abs)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		if r, err := filepath.Rel(root, abs); err == nil && !strings.HasPrefix(r, "..") {
			p = r
		}
		j := &job{path: p, abs: abs, arch: string(h.Arch), rate: h.SampleRate, size: float64(st.Size()) / 1e6}
		if j.rate == 0 && h.Dims != mnist.D {
			skips = append(skips, skip{p, fmt.Sprintf("%d dimensions: neither an MNIST image model nor an audio model", h.Dims)})
			continue
		}
		jobs = append(jobs, j)
	}
	if len(bad) > 0 {
		return nil, nil, fmt.Errorf("%s", strings.Join(bad, "\n"))
	}
	return jobs, skips, nil
}

// data holds the inputs of the score runs: IDX files of the first n
// binarized MNIST test images (0/1 bytes, which both binaries score as
// given) and the audio recordings.
type data struct {
	dir   string
	test  []uint8 // binarized test images, 784 bytes each
	idx   map[int]string
	wavs  []string // recordings for an audio model, in the order they are taken
	wavOf string   // where they come from, for the plan
}

// loadMNIST reads the binarized MNIST test split.
func (d *data) loadMNIST() error {
	dir, err := mnist.Locate()
	if err != nil {
		return err
	}
	set, err := mnist.Binarized(dir, mnist.Test)
	if err != nil {
		return err
	}
	d.test = set.Pixels
	return nil
}

// idxFile returns an IDX file of the first n binarized test images.
func (d *data) idxFile(n int) (string, error) {
	if p, ok := d.idx[n]; ok {
		return p, nil
	}
	if n > len(d.test)/mnist.D {
		return "", fmt.Errorf("%d test images asked for, %d held", n, len(d.test)/mnist.D)
	}
	b := binary.BigEndian.AppendUint32(nil, 0x0803) // unsigned bytes, 3 dimensions
	for _, v := range []uint32{uint32(n), 28, 28} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	b = append(b, d.test[:n*mnist.D]...)
	p := filepath.Join(d.dir, "test-"+strconv.Itoa(n)+".idx")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return "", err
	}
	if d.idx == nil {
		d.idx = map[int]string{}
	}
	d.idx[n] = p
	return p, nil
}

// speechTest returns the test recordings of the corpus
// scripts/make-speech-corpus.sh writes (dir/test/<voice>/NNNN.wav),
// ordered by sentence and then voice so the first few cover every voice;
// none if there is no corpus.
func speechTest(dir string) []string {
	wavs, _ := filepath.Glob(filepath.Join(dir, "test", "*", "*.wav"))
	slices.SortFunc(wavs, func(a, b string) int {
		if c := strings.Compare(filepath.Base(a), filepath.Base(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return wavs
}

// generateWAVs draws n recordings of 2 seconds from an audio model with
// bin (seed 1) into the data directory, for a run without a speech corpus.
func (d *data) generateWAVs(ctx context.Context, bin string, j *job, n int) error {
	out := filepath.Join(d.dir, "gen.wav")
	if _, err := exe(ctx, bin, "sample", "--model", j.abs, "--seconds", "2", "-n", strconv.Itoa(n), "--seed", "1", "-o", out); err != nil {
		return err
	}
	d.wavs = nil
	for i := 1; i <= n; i++ {
		d.wavs = append(d.wavs, filepath.Join(d.dir, fmt.Sprintf("gen-%d.wav", i)))
	}
	d.wavOf = fmt.Sprintf("%d recordings of 2 s drawn from %s by the after binary (seed 1; no speech corpus found)", n, j.path)
	return nil
}

// wavSeconds returns the total length of WAV files in seconds.
func wavSeconds(paths []string) (float64, error) {
	var s float64
	for _, p := range paths {
		pcm, err := audio.ReadWAVFile(p)
		if err != nil {
			return 0, err
		}
		s += pcm.Duration().Seconds()
	}
	return s, nil
}

// The command lines of the four kinds of run. A load run scores a data
// file that does not exist: both binaries open the model (building its
// weights) before they read --data, so the process ends, with status 2,
// right after the load.
func (d *data) loadArgs(j *job) []string {
	absent := filepath.Join(d.dir, "absent.idx")
	if j.audio() {
		absent = filepath.Join(d.dir, "absent.wav")
	}
	return []string{"score", "--model", j.abs, "--data", absent}
}

func (d *data) firstArgs(j *job) []string {
	if j.audio() {
		return []string{"sample", "--model", j.abs, "--seconds", "0.01", "-o", filepath.Join(d.dir, "first.wav")}
	}
	return []string{"sample", "--model", j.abs, "-n", "1", "-o", filepath.Join(d.dir, "first.png")}
}

func (d *data) scoreArgs(j *job, images int, wavs []string) ([]string, error) {
	if j.audio() {
		return []string{"score", "--model", j.abs, "--data", strings.Join(wavs, ",")}, nil
	}
	p, err := d.idxFile(images)
	if err != nil {
		return nil, err
	}
	return []string{"score", "--model", j.abs, "--data", p}, nil
}

func (d *data) sampleArgs(j *job, samples int, seconds float64, streams int) []string {
	if j.audio() {
		return []string{"sample", "--model", j.abs, "--seconds", strconv.FormatFloat(seconds, 'g', -1, 64),
			"-n", strconv.Itoa(streams), "-o", filepath.Join(d.dir, "s.wav")}
	}
	return []string{"sample", "--model", j.abs, "-n", strconv.Itoa(samples), "-o", filepath.Join(d.dir, "s.png")}
}
