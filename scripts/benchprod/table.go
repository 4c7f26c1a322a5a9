package main

import (
	"fmt"
	"strings"

	"github.com/arinfer/arinfer/internal/benchfmt"
)

// The targets of issue 15.
const (
	rssSlackMB = 32 * 1.048576 // 32 MiB in MB
	loadMaxMS  = 100
)

// target returns a model's resident-memory target in MB: twice its file
// plus 32 MiB.
func target(j *job) float64 { return 2*j.size + rssSlackMB }

// legend says what each column times, printed above the table.
const legend = `Columns (every figure from fresh processes of the CLI; "x [lo–hi]" is the median and the min..max over the reps;
resident sets from GNU time, which runs the process; the load and first-sample wall times from a second process of the same
command started directly, since GNU time's own start and wait add some 15 ms; scoring and sampling wall times around GNU time):
- file MB: the .arw file's size (MB = 10^6 bytes).
- RSS after load: the maximum resident set of a process that opens the model (building its weights) and stops:
  "arinfer score --model M --data <absent file>", which both binaries answer by loading the model, then failing on --data (exit 2).
- RSS after 1st sample: the maximum resident set of "arinfer sample --model M -n 1" (audio: "--seconds 0.01", 160 samples).
  Both RSS columns: the after binary's median, a check against the target, and "(was ...)" the before binary's median.
- target: 2 x file + 32 MiB; ✓ or ✗ beside the RSS figures.
- load ms: wall time of the load command above, start to exit.
- load + 1st sample ms: wall time of the 1st-sample command above, start to exit, including writing its PNG/WAV; ✓ below 100 ms.
- score/s: images (audio: seconds of audio) scored per second of wall time of one "arinfer score --model M --data D" process,
  start to exit: process start, model load, reading D, scoring, printing. D is an IDX file of the first N binarized MNIST test
  images (0/1 bytes, scored as given by both binaries), or the listed WAV files.
- sample/s: samples (audio: seconds of audio, over all streams) per second of wall time of one "arinfer sample --model M -n N"
  process (audio: "--seconds S -n streams"), start to exit, including writing the PNG grid / WAV files.
- ratio: after's median / before's median; "slower beyond noise" when every after rep is slower than every before rep
  (judged with 3 reps or more).`

func header() string {
	return "| model | file MB | RSS after load MB | RSS after 1st sample MB | target MB | load ms | load + 1st sample ms | scored per run | score/s before | score/s after | ratio | sampled per run | sample/s before | sample/s after | ratio |\n" +
		"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
}

// row formats one model's measurements.
func row(j *job, f [2]figures) string {
	a, b := f[after], f[before]
	tgt := target(j)
	mb := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	ms := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	was := func(d dist, g func(float64) string) string {
		if len(d) == 0 {
			return ""
		}
		return " (was " + g(d.med()) + ")"
	}
	mark := func(ok bool) string {
		if ok {
			return " ✓"
		}
		return " ✗"
	}
	rss := func(a, b dist) string {
		if a.med() == 0 { // not reported by this OS
			return "-"
		}
		return mb(a.med()) + mark(a.med() <= tgt) + was(b, mb)
	}
	scored := fmt.Sprintf("%d images", j.images)
	sampled := fmt.Sprintf("%d samples", j.samples)
	if j.audio() {
		scored = fmt.Sprintf("%d WAV, %.1f s", len(j.wavs), j.wavSec)
		if len(j.wavs) > 1 {
			scored = fmt.Sprintf("%d WAVs, %.1f s", len(j.wavs), j.wavSec)
		}
		sampled = fmt.Sprintf("%d x %g s", j.streams, j.seconds)
	}
	cells := []string{
		fmt.Sprintf("%s (%s)", j.path, j.arch),
		benchfmt.Num(j.size),
		rss(a.loadRSS, b.loadRSS),
		rss(a.firstRSS, b.firstRSS),
		mb(tgt),
		a.load.spread(ms) + was(b.load, ms),
		a.first.spread(ms) + mark(a.first.med() < loadMaxMS) + was(b.first, ms),
		scored,
		b.score.spread(benchfmt.Num),
		a.score.spread(benchfmt.Num),
		ratio(b.score, a.score),
		sampled,
		b.sample.spread(benchfmt.Num),
		a.sample.spread(benchfmt.Num),
		ratio(b.sample, a.sample),
	}
	return "| " + strings.Join(cells, " | ") + " |"
}

// ratio formats after/before of the medians.
func ratio(before, after dist) string {
	if before.med() == 0 || after.med() == 0 {
		return "-"
	}
	s := fmt.Sprintf("%.2fx", after.med()/before.med())
	if slowerBeyondNoise(before, after) {
		s += " slower beyond noise"
	}
	return s
}
