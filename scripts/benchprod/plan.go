package main

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// opts is the workload the flags ask for; a zero size means "sized from a
// pilot run to take about target seconds".
type opts struct {
	reps    int
	target  float64 // seconds of scoring or sampling per auto-sized run
	images  int
	samples int
	wavs    int
	seconds float64
	streams int
	net     bool
}

// The bounds of the auto sizes.
const (
	minImages, maxImages   = 16, 10000
	minSamples, maxSamples = 64, 10000
	minSeconds, maxSeconds = 0.1, 3600
)

// loadRun runs a load run (see loadArgs) and checks that it stopped where
// it should: status 2 and an error naming the absent data file. Anything
// else (a binary that cannot open the model) is an error quoting stderr.
func loadRun(ctx context.Context, bin string, args []string) (run, error) {
	r, code, stderr, err := exeStatus(ctx, bin, args...)
	if err != nil {
		return run{}, err
	}
	if code != 2 || !strings.Contains(stderr, "absent.") {
		return run{}, fmt.Errorf("exit status %d: %s", code, tail(stderr))
	}
	return r, nil
}

// plan checks that the before binary opens j's model (noOld says why not)
// and fixes j's workload: the sizes opts gives, or for a zero size, one
// from pilot runs of the after binary. It sets j.est from the pilots.
func plan(ctx context.Context, before, after string, j *job, d *data, o opts) error {
	la := d.loadArgs(j)
	if _, err := loadRun(ctx, after, la); err != nil { // warms the page cache
		return fmt.Errorf("%s: the after binary's load run: %v", j.path, err)
	}
	load, err := loadRun(ctx, after, la)
	if err != nil {
		return fmt.Errorf("%s: the after binary's load run: %v", j.path, err)
	}
	old, err := loadRun(ctx, before, la)
	if err != nil {
		j.noOld = err.Error()
	}
	first, err := exe(ctx, after, d.firstArgs(j)...)
	if err != nil {
		return fmt.Errorf("%s: the first sample: %v", j.path, err)
	}
	// net runs f and returns its wall time less the load's.
	net := func(args []string) (float64, error) {
		r, err := exe(ctx, after, args...)
		return max(r.wall-load.wall, 1e-3), err
	}
	var scoreT, sampleT float64
	if j.audio() {
		if len(d.wavs) == 0 {
			return fmt.Errorf("%s: no recordings to score", j.path)
		}
		k := o.wavs
		if k > len(d.wavs) {
			return fmt.Errorf("-wavs %d: only %d recordings (%s)", k, len(d.wavs), d.wavOf)
		}
		if k == 0 {
			k, scoreT, err = sizeWAVs(func(k int) (float64, error) {
				a, _ := d.scoreArgs(j, 0, d.wavs[:k])
				return net(a)
			}, len(d.wavs), o.target)
		} else {
			a, _ := d.scoreArgs(j, 0, d.wavs[:k])
			scoreT, err = net(a)
		}
		if err != nil {
			return fmt.Errorf("%s: scoring: %v", j.path, err)
		}
		j.wavs = d.wavs[:k]
		if j.wavSec, err = wavSeconds(j.wavs); err != nil {
			return err
		}
		j.streams = o.streams
		j.seconds, sampleT, err = sizeOr(o.seconds, minSeconds, maxSeconds, 0.25, o.target, func(s float64) (float64, error) {
			return net(d.sampleArgs(j, 0, s, j.streams))
		})
		if err != nil {
			return fmt.Errorf("%s: sampling: %v", j.path, err)
		}
	} else {
		var n float64
		n, scoreT, err = sizeOr(float64(o.images), minImages, maxImages, minImages, o.target, func(n float64) (float64, error) {
			a, err := d.scoreArgs(j, int(n), nil)
			if err != nil {
				return 0, err
			}
			return net(a)
		})
		if err != nil {
			return fmt.Errorf("%s: scoring: %v", j.path, err)
		}
		j.images = int(n)
		n, sampleT, err = sizeOr(float64(o.samples), minSamples, maxSamples, minSamples, o.target, func(n float64) (float64, error) {
			return net(d.sampleArgs(j, int(n), 0, 0))
		})
		if err != nil {
			return fmt.Errorf("%s: sampling: %v", j.path, err)
		}
		j.samples = int(n)
	}
	// Per rep and binary: a load run, a first-sample run, and a score and a
	// sample run that each load too. The before binary is taken to score
	// and sample as fast as the after one.
	after1 := load.wall + first.wall + 2*load.wall + scoreT + sampleT
	before1 := 0.0
	if j.noOld == "" {
		before1 = after1 + 4*(old.wall-load.wall)
	}
	j.est = float64(o.reps) * (after1 + before1)
	return nil
}

// sizeOr returns fixed and the net time of one run at it when fixed > 0,
// else the size auto picks: a size that takes about target seconds net,
// from pilot runs at n0, 8 n0, 64 n0, ... (until one takes an eighth of
// target), to two significant digits within [lo, hi]. The time returned
// is the pilot's, scaled to the size.
func sizeOr(fixed, lo, hi, n0, target float64, f func(float64) (float64, error)) (float64, float64, error) {
	if fixed > 0 {
		t, err := f(fixed)
		return fixed, t, err
	}
	n := n0
	for {
		t, err := f(n)
		if err != nil {
			return 0, 0, err
		}
		if t >= target/8 || n >= hi {
			size := math.Min(math.Max(sig2(n*target/t), lo), hi)
			return size, t * size / n, nil
		}
		n = math.Min(n*8, hi)
	}
}

// sizeWAVs is sizeOr for a number of recordings out of have: pilots at 1,
// 4, 16, ... recordings.
func sizeWAVs(f func(int) (float64, error), have int, target float64) (int, float64, error) {
	k := 1
	for {
		t, err := f(k)
		if err != nil {
			return 0, 0, err
		}
		if t >= target/8 || k >= have {
			size := min(max(int(math.Round(float64(k)*target/t)), 1), have)
			return size, t * float64(size) / float64(k), nil
		}
		k = min(k*4, have)
	}
}
