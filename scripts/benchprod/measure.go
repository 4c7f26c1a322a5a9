package main

import (
	"context"
	"fmt"
	"os"
)

// figures is one binary's measurements of one model over the reps.
type figures struct {
	loadRSS, firstRSS dist // MB
	load, first       dist // wall ms
	score, sample     dist // rates: work per second
}

// The two binaries, in the order each rep runs them.
const (
	before = iota
	after
)

// measure runs j's four kinds of run reps times with both binaries, in
// fresh processes, interleaved so drift hits both: in each rep the load
// runs (before, after), then the first samples, the scoring and the
// sampling. A model the before binary cannot open runs the after binary
// only.
func measure(ctx context.Context, bins [2]string, j *job, d *data, o opts) ([2]figures, error) {
	var f [2]figures
	scoreArgs, err := d.scoreArgs(j, j.images, j.wavs)
	if err != nil {
		return f, err
	}
	which := []int{before, after}
	if j.noOld != "" {
		which = []int{after}
	}
	scoreWork, sampleWork := float64(j.images), float64(j.samples)
	if j.audio() {
		scoreWork, sampleWork = j.wavSec, j.seconds*float64(j.streams)
	}
	sampleArgs := d.sampleArgs(j, j.samples, j.seconds, j.streams)
	for rep := range o.reps {
		progress("%s: rep %d of %d", j.path, rep+1, o.reps)
		var load [2]float64
		for _, b := range which {
			r, err := loadRun(ctx, bins[b], d.loadArgs(j))
			if err != nil {
				return f, fmt.Errorf("%s: load run: %v", j.path, err)
			}
			wall, err := timed(ctx, 2, bins[b], d.loadArgs(j)...)
			if err != nil {
				return f, fmt.Errorf("%s: load run: %v", j.path, err)
			}
			load[b] = r.wall
			f[b].load = append(f[b].load, wall*1e3)
			f[b].loadRSS = append(f[b].loadRSS, r.rss)
		}
		for _, b := range which {
			r, err := exe(ctx, bins[b], d.firstArgs(j)...)
			if err != nil {
				return f, err
			}
			wall, err := timed(ctx, 0, bins[b], d.firstArgs(j)...)
			if err != nil {
				return f, err
			}
			f[b].first = append(f[b].first, wall*1e3)
			f[b].firstRSS = append(f[b].firstRSS, r.rss)
		}
		// rate is work per second of wall time, or with -net of wall time
		// less this rep's load run of the same binary.
		rate := func(b int, work float64, r run) float64 {
			t := r.wall
			if o.net {
				t -= load[b]
			}
			return work / max(t, 1e-6)
		}
		for _, b := range which {
			r, err := exe(ctx, bins[b], scoreArgs...)
			if err != nil {
				return f, err
			}
			f[b].score = append(f[b].score, rate(b, scoreWork, r))
		}
		for _, b := range which {
			r, err := exe(ctx, bins[b], sampleArgs...)
			if err != nil {
				return f, err
			}
			f[b].sample = append(f[b].sample, rate(b, sampleWork, r))
		}
	}
	return f, nil
}

// floor returns each binary's wall time in ms for printing its usage
// (arinfer --help): starting a process, no model.
func floor(ctx context.Context, bins [2]string, reps int) ([2]dist, error) {
	var f [2]dist
	for range reps {
		for b := range bins {
			wall, err := timed(ctx, 0, bins[b], "--help")
			if err != nil {
				return f, err
			}
			f[b] = append(f[b], wall*1e3)
		}
	}
	return f, nil
}

// progress says on stderr what the run is doing now.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchprod: "+format+"\n", args...)
}
