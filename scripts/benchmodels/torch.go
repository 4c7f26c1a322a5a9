package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"

	"github.com/arinfer/arinfer/internal/benchfmt"
)

const (
	python3     = "/usr/bin/python3"
	torchScript = "python/bench_models.py"
)

// torchResult is what python/bench_models.py prints for one model.
type torchResult struct {
	Model    string  `json:"model"`
	Score    float64 `json:"score_images_per_s"`
	SampleB1 float64 `json:"sample_loop_b1_samples_per_s"`
	Sample64 float64 `json:"sample_loop_b64_samples_per_s"`
	Coretype string  `json:"openblas_coretype"`
	Threads  int     `json:"threads"`
	Flush    bool    `json:"flush_denormal"`
}

// runTorch measures one model in PyTorch: scoring the first images test
// images with reps repetitions, and the per-pixel sampling loop at batch 1
// and 64, on threads threads. Its stderr passes through.
func runTorch(path, coretype string, threads, images, reps int) (torchResult, error) {
	cmd := exec.Command(python3, torchScript, "--threads", fmt.Sprint(threads),
		"--score-images", fmt.Sprint(images), "--reps", fmt.Sprint(reps), path)
	cmd.Env = benchfmt.TorchEnv(coretype) // OPENBLAS_L2_SIZE unset
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return torchResult{}, fmt.Errorf("%s %s: %w", torchScript, path, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r torchResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return torchResult{}, fmt.Errorf("%s %s: bad output line %q: %w", torchScript, path, sc.Text(), err)
		}
		if r.Model == path {
			return r, nil
		}
	}
	return torchResult{}, fmt.Errorf("%s %s: no result for the model", torchScript, path)
}
