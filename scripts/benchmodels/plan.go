package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/arinfer/arinfer/engine"
)

// mnistDims is the size of the data every measurement uses: the 784 pixels
// of a binarized MNIST test image.
const mnistDims = 784

// torchArchs are the architectures python/bench_models.py rebuilds in
// PyTorch and samples with its loop (the whole network once per pixel, in
// the model's ordering).
var torchArchs = []string{"fvsbn", "nade", "made"}

// peerOf names, for the architectures bench_models.py cannot compare, the
// script that measures them against their own PyTorch peer.
var peerOf = map[string]string{
	"lstm":          "scripts/bench-rnn.sh (scripts/benchrnn beside the step loop of scripts/bench_rnn.py)",
	"gru":           "scripts/bench-rnn.sh (scripts/benchrnn beside the step loop of scripts/bench_rnn.py)",
	"pixelcnn":      "scripts/benchpixelcnn (with python/bench_pixelcnn.py)",
	"gatedpixelcnn": "scripts/benchpixelcnn (with python/bench_pixelcnn.py)",
	"wavenet":       "scripts/benchwavenet (with python/bench_wavenet.py)",
}

// job is one model the run measures.
type job struct {
	path  string
	info  engine.Info
	torch bool   // PyTorch (python/bench_models.py) runs beside arinfer
	note  string // what the run does differently for this model, and why
}

// skip is a model given on the command line that the run leaves out.
type skip struct{ path, why string }

// checkArgs checks every model before anything long runs: the file exists
// and loads, and its data are 784-pixel images. It returns the models to
// measure (possibly none), those it leaves out (with the reason), or an
// error naming every path that is wrong.
func checkArgs(paths []string, python bool) ([]job, []skip, error) {
	var jobs []job
	var skips []skip
	var bad []string
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", p, errors.Unwrap(err)))
			continue
		} else if st.IsDir() {
			bad = append(bad, p+": is a directory, want an .arw file")
			continue
		}
		m, err := engine.Open(p)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		info := m.Info()
		switch {
		case info.SampleRate != 0:
			skips = append(skips, skip{p, fmt.Sprintf("audio model (%s, %d mu-law steps at %d Hz), not scored on MNIST; %s measures it",
				info.Arch, info.Dims, info.SampleRate, peerOf["wavenet"])})
			continue
		case info.Dims != mnistDims:
			skips = append(skips, skip{p, fmt.Sprintf("%s with %d dimensions; the run scores and samples %d-pixel binarized MNIST images",
				info.Arch, info.Dims, mnistDims)})
			continue
		}
		j := job{path: p, info: info, torch: python && slices.Contains(torchArchs, info.Arch)}
		var notes []string
		if !j.torch {
			switch {
			case !python:
				notes = append(notes, "-python=false")
			default:
				notes = append(notes, fmt.Sprintf("python/bench_models.py rebuilds fvsbn, nade and made only; %s compares %s with PyTorch",
					peerOf[info.Arch], info.Arch))
			}
		}
		if info.Classes > 0 {
			notes = append(notes, fmt.Sprintf("%d classes: scored unconditionally (log sum_y p(y) p(x|y)), sampled with labels drawn from p(y)", info.Classes))
		}
		j.note = strings.Join(notes, "; ")
		jobs = append(jobs, j)
	}
	if len(bad) > 0 {
		return nil, nil, fmt.Errorf("cannot measure:\n  %s", strings.Join(bad, "\n  "))
	}
	return jobs, skips, nil
}

// checkTorch checks, before anything long runs, that the PyTorch peer can
// start: its script is where the run expects it (the repository root is
// the working directory) and /usr/bin/python3 imports torch and numpy.
func checkTorch() error {
	if _, err := os.Stat(torchScript); err != nil {
		wd, _ := os.Getwd()
		return fmt.Errorf("%s not found from %s: run from the repository root, or with -python=false", torchScript, wd)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, python3, "-c", "import torch, numpy").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s cannot import torch and numpy (%v): %s; run with -python=false to measure arinfer alone",
			python3, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// defaultModels lists every shipped model, models/*.arw.
func defaultModels() []string {
	paths, _ := filepath.Glob(filepath.Join("models", "*.arw"))
	return paths
}
