package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/arinfer/arinfer/audio"
	"github.com/arinfer/arinfer/engine"
)

// Limits of audio generation: the sample buffer holds n·T values.
const (
	maxSeconds      = 3600
	maxAudioStreams = 64
	maxAudioValues  = 1 << 28 // all streams' samples: 1 GiB of codes (64 streams of 262 s at 16 kHz)
)

// audioSampleFlags are sample's flags as the audio path reads them.
type audioSampleFlags struct {
	out       string
	outSet    bool
	n         int
	seed      uint64
	temp      float64
	class     int
	seconds   float64
	prime     string
	saveState string          // write the generator's state here when done or interrupted
	resume    string          // continue the generation saved in this state file
	set       map[string]bool // the flags given on the command line
	progress  io.Writer       // where the progress bar goes if it is a terminal
}

// maxStateBytes bounds a state file --resume reads: the values and queues
// of the largest run sample allows, with room to spare.
const maxStateBytes = 8 << 30

// sampleAudio generates audio from an audio model (Info().SampleRate > 0):
// --seconds of new samples per stream, after the --prime recording if one is
// given, written as 16-bit PCM WAV (-o out.wav; with -n > 1, out-1.wav …
// out-n.wav) or streamed as raw 16-bit little-endian PCM to stdout (-o -)
// while it is generated. A WAV is written to a temporary file renamed into
// place at the end, so a failed or interrupted run leaves no partial file.
// With --save-state the generator's state is written when the run ends,
// finished or interrupted (Ctrl-C, a closed pipe); --resume continues such
// a state (its streams, length, temperature, classes and random streams)
// where it stopped, and writes the whole recording (a raw stream only the
// samples it adds).
func sampleAudio(ctx context.Context, m engine.Model, f audioSampleFlags, stdout io.Writer) error {
	info := m.Info()
	rate := info.SampleRate
	seq, ok := m.(engine.Sequence)
	if !ok {
		return fmt.Errorf("the %s model is not a sequence model", info.Arch)
	}
	if !f.outSet {
		f.out = "sample.wav"
	}
	raw := f.out == "-"
	if raw && isTerminal(stdout) {
		return badInput("-o - writes raw 16-bit PCM; pipe it to a player (| aplay -f S16_LE -r %d) or a file, not the terminal", rate)
	}
	if f.saveState != "" {
		if err := checkOutDir(f.saveState); err != nil {
			return usageError{fmt.Errorf("--save-state: %w", err)}
		}
	}
	var (
		g     engine.Generator
		prime []int16
		err   error
	)
	if f.resume != "" {
		g, err = resumeAudio(ctx, seq, f)
	} else {
		g, prime, err = startAudio(ctx, seq, f)
	}
	if err != nil {
		return err
	}
	T, B, start := g.Info().Dims, g.Batch(), g.Pos()
	if raw && B != 1 {
		return badInput("-o - streams one recording; this generation has %d streams and wants files (-o out.wav)", B)
	}
	if !raw {
		if err := checkOutDir(f.out); err != nil {
			return err
		}
	}

	outs, names, err := openAudioOutputs(f.out, B, rate, stdout)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			for _, w := range outs {
				_ = w.Abort()
			}
		}
	}()

	// The streams write as they are generated, through a small buffer per
	// stream; a write error (a closed pipe, a full disk) stops generation.
	const flushEvery = 1024
	bufs := make([][]int16, B)
	for e := range bufs {
		bufs[e] = make([]int16, 0, flushEvery)
	}
	var werr error
	flush := func() {
		for e, w := range outs {
			if werr == nil && len(bufs[e]) > 0 {
				werr = w.WriteSamples(bufs[e])
			}
			bufs[e] = bufs[e][:0]
		}
	}
	// The K codes' PCM values, decoded once (MuLawDecode costs a math.Pow).
	K := info.Categories
	pcm := make([]int16, K)
	for c := range pcm {
		pcm[c] = audio.MuLawDecode(c, K)
	}
	// What is there before the first step: the recording of --prime
	// itself; for a resumed WAV every sample so far (decoded codes); for
	// a resumed raw stream nothing (it went out before).
	if len(prime) > 0 || (f.resume != "" && !raw) {
		x := g.Values()
		for i := 0; i < start && werr == nil; i += flushEvery {
			for e := range outs {
				for t := i; t < min(i+flushEvery, start); t++ {
					v := pcm[int(x[e*T+t])]
					if t < len(prime) {
						v = prime[t]
					}
					bufs[e] = append(bufs[e], v)
				}
			}
			flush()
		}
	}
	bar := newProgressUnit(f.progress, T-start, "generating", "samples")
	var gerr error
	// engine.Steps, not Next: a few streams generate on two cores.
	for st, err := range engine.Steps(ctx, g) {
		if err != nil {
			gerr = err
			break
		}
		for e := range outs {
			bufs[e] = append(bufs[e], pcm[int(st.Values[e])])
		}
		if len(bufs[0]) == flushEvery {
			flush()
		}
		if (st.Index-start)%256 == 255 {
			bar.add(256)
		}
		if werr != nil {
			break
		}
	}
	if gerr == nil && werr == nil {
		flush()
	}
	bar.finish()
	if f.saveState != "" {
		if err := saveState(f.saveState, g); err != nil {
			return err
		}
	}
	if werr != nil {
		if raw && errors.Is(werr, syscall.EPIPE) {
			return errBrokenPipe
		}
		return fmt.Errorf("writing %s: %w", f.out, werr)
	}
	if gerr != nil {
		return gerr
	}
	for _, w := range outs {
		if err := w.Close(); err != nil {
			if raw && errors.Is(err, syscall.EPIPE) {
				return errBrokenPipe
			}
			return fmt.Errorf("writing %s: %w", f.out, err)
		}
	}
	committed = true
	if !raw {
		what := ""
		switch {
		case f.resume != "":
			what = fmt.Sprintf(" (resumed at %.2f s)", float64(start)/float64(rate))
		case len(prime) > 0:
			what = fmt.Sprintf(" (%.2f s of prime + %.2f s generated)", float64(len(prime))/float64(rate), float64(T-len(prime))/float64(rate))
		}
		fmt.Fprintf(stdout, "wrote %.2f s of %d Hz audio%s from %s to %s\n", float64(T)/float64(rate), rate, what, info.Arch, strings.Join(names, ", "))
	}
	return nil
}

// startAudio checks the flags of a new generation and starts it: the
// --prime recording (returned) is the known prefix of every stream.
func startAudio(ctx context.Context, seq engine.Sequence, f audioSampleFlags) (engine.Generator, []int16, error) {
	info := seq.Info()
	rate := info.SampleRate
	if !(f.seconds > 0 && f.seconds <= maxSeconds) {
		return nil, nil, badInput("--seconds %v: want a duration in (0, %d]", f.seconds, maxSeconds)
	}
	if f.n > maxAudioStreams {
		return nil, nil, badInput("-n %d: want 1..%d audio streams", f.n, maxAudioStreams)
	}
	var prime []int16
	if f.prime != "" {
		p, err := audio.ReadWAVFile(f.prime)
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("--prime: %w", err)}
		}
		if err := audio.CheckRate(f.prime, p, rate); err != nil {
			return nil, nil, usageError{fmt.Errorf("--prime: %w", err)}
		}
		if len(p.Samples) == 0 {
			return nil, nil, badInput("--prime %s: the recording has no samples", f.prime)
		}
		prime = p.Samples
	}
	gen := int(math.Round(f.seconds * float64(rate)))
	if gen < 1 {
		return nil, nil, badInput("--seconds %v is less than one sample at %d Hz", f.seconds, rate)
	}
	T := len(prime) + gen
	if int64(f.n)*int64(T) > maxAudioValues {
		return nil, nil, badInput("-n %d x %d samples (prime + --seconds %v) is more than the %d samples one run holds", f.n, T, f.seconds, maxAudioValues)
	}
	mt, err := seq.WithLength(T)
	if err != nil {
		return nil, nil, usageError{err}
	}
	labels, err := classLabels(info, f.class, f.n)
	if err != nil {
		return nil, nil, err
	}
	x := make([]float32, f.n*T)
	var known []bool
	if len(prime) > 0 {
		known = make([]bool, T)
		for i := range prime {
			known[i] = true
		}
		if err := audio.EncodeCodes(x[:len(prime)], prime, info.Categories); err != nil {
			return nil, nil, err
		}
		for e := 1; e < f.n; e++ {
			copy(x[e*T:e*T+len(prime)], x[:len(prime)])
		}
	}
	g, err := engine.Generate(ctx, mt, x, engine.SampleOptions{Seed: f.seed, Temperature: f.temp, Known: known, Labels: labels})
	if err != nil {
		return nil, nil, err
	}
	return g, prime, nil
}

// resumeAudio restores the generation saved in f.resume on the model
// (viewed at the saved length). The flags that a state fixes must not be
// given.
func resumeAudio(ctx context.Context, seq engine.Sequence, f audioSampleFlags) (engine.Generator, error) {
	for _, name := range []string{"n", "seconds", "prime", "class", "seed", "temperature"} {
		if f.set[name] {
			return nil, badInput("--resume continues the saved generation as it was started; -%s cannot change it", name)
		}
	}
	st, err := os.Stat(f.resume)
	if err != nil {
		return nil, usageError{fmt.Errorf("--resume: %w", err)}
	}
	if st.Size() > maxStateBytes {
		return nil, badInput("--resume %s: %d bytes is larger than any state sample writes", f.resume, st.Size())
	}
	data, err := os.ReadFile(f.resume)
	if err != nil {
		return nil, usageError{fmt.Errorf("--resume: %w", err)}
	}
	si, err := engine.ReadStateInfo(data)
	if err != nil {
		return nil, usageError{fmt.Errorf("--resume %s: %w", f.resume, err)}
	}
	info := seq.Info()
	if si.Arch != info.Arch {
		return nil, badInput("--resume %s: a state of a %s model, not of this %s model", f.resume, si.Arch, info.Arch)
	}
	if int64(si.Batch)*int64(si.Dims) > maxAudioValues {
		return nil, badInput("--resume %s: %d streams of %d samples is more than one run holds", f.resume, si.Batch, si.Dims)
	}
	mt, err := seq.WithLength(si.Dims)
	if err != nil {
		return nil, usageError{err}
	}
	g, err := engine.Restore(mt, data)
	if err != nil {
		return nil, usageError{fmt.Errorf("--resume %s: %w", f.resume, err)}
	}
	if g.Pos() == si.Dims {
		return nil, badInput("--resume %s: the saved generation is complete (%d samples per stream): nothing to continue", f.resume, si.Dims)
	}
	return g, nil
}

// saveState writes g's state to path through a temporary file renamed
// into place, so that an old state is never half overwritten.
func saveState(path string, g engine.Generator) error {
	data, err := g.MarshalBinary()
	if err != nil {
		return err
	}
	return writeAtomic(path, "--save-state", ".ars", func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// errBrokenPipe ends a run whose standard output was closed by its reader
// (e.g. `arinfer sample -o - | head -c 1000`): exit status 1, no message.
var errBrokenPipe = errors.New("broken pipe")

// openAudioOutputs opens the n outputs of an audio generation: stdout as raw
// PCM for "-", else WAV files (out, or out-1 … out-n before the extension
// when n > 1), each written to a temporary file renamed at Close.
func openAudioOutputs(out string, n, rate int, stdout io.Writer) ([]audio.SampleWriter, []string, error) {
	if out == "-" {
		return []audio.SampleWriter{audio.NewRawWriter(stdout)}, []string{"-"}, nil
	}
	names := []string{out}
	if n > 1 {
		ext := filepath.Ext(out)
		base := strings.TrimSuffix(out, ext)
		names = names[:0]
		for i := 1; i <= n; i++ {
			names = append(names, fmt.Sprintf("%s-%d%s", base, i, ext))
		}
	}
	outs := make([]audio.SampleWriter, 0, n)
	for _, name := range names {
		w, err := audio.CreateWAV(name, rate)
		if err != nil {
			for _, o := range outs {
				_ = o.Abort()
			}
			return nil, nil, usageError{err}
		}
		outs = append(outs, w)
	}
	return outs, names, nil
}

// classLabels checks --class against the model and returns n copies of it,
// or nil when no class was asked for (-1).
func classLabels(info engine.Info, class, n int) ([]int, error) {
	if class == -1 {
		return nil, nil
	}
	switch {
	case info.Classes == 0:
		return nil, badInput("--class %d: the %s model is not class-conditional", class, info.Arch)
	case class < 0 || class >= info.Classes:
		return nil, badInput("--class %d: want a class label in 0..%d", class, info.Classes-1)
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = class
	}
	return labels, nil
}

// scoreAudio scores WAV recordings (comma-separated paths) under an audio
// model: each is μ-law coded (format/SPEC.md 3.9) and scored as one
// sequence; the result is the NLL per sample, in bits, over all of them.
// each, if not nil, is called after each recording with its position, path,
// log-likelihood in nats and number of samples.
func scoreAudio(ctx context.Context, m engine.Model, data string, class int, each func(i int, path string, ll float64, samples int) error) (n int, nats float64, samples int, err error) {
	info := m.Info()
	seq, ok := m.(engine.Sequence)
	if !ok {
		return 0, 0, 0, fmt.Errorf("the %s model is not a sequence model", info.Arch)
	}
	labels, err := classLabels(info, class, 1)
	if err != nil {
		return 0, 0, 0, err
	}
	paths, err := wavPaths(data)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, path := range paths {
		p, err := audio.ReadWAVFile(path)
		if err != nil {
			return 0, 0, 0, usageError{err}
		}
		if err := audio.CheckRate(path, p, info.SampleRate); err != nil {
			return 0, 0, 0, usageError{err}
		}
		if len(p.Samples) == 0 {
			return 0, 0, 0, badInput("%s: the recording has no samples", path)
		}
		mt, err := seq.WithLength(len(p.Samples))
		if err != nil {
			return 0, 0, 0, usageError{err}
		}
		x := make([]float32, len(p.Samples))
		if err := audio.EncodeCodes(x, p.Samples, info.Categories); err != nil {
			return 0, 0, 0, err
		}
		var ll [1]float64
		if labels != nil {
			err = mt.(engine.ClassConditional).LogProbGiven(ctx, x, labels, ll[:])
		} else {
			err = mt.LogProb(ctx, x, ll[:])
		}
		if err != nil {
			return 0, 0, 0, err
		}
		if each != nil {
			if err := each(n, path, ll[0], len(p.Samples)); err != nil {
				return 0, 0, 0, err
			}
		}
		n++
		nats -= ll[0]
		samples += len(p.Samples)
	}
	return n, nats, samples, nil
}

// isAudioPath reports whether --data names WAV files.
func isAudioPath(data string) bool {
	return strings.EqualFold(filepath.Ext(strings.Split(data, ",")[0]), ".wav")
}

// wavPaths expands --data for an audio model: comma-separated WAV files
// and directories, whose .wav files (at any depth) are taken in name order.
func wavPaths(data string) ([]string, error) {
	var paths []string
	for _, p := range strings.Split(data, ",") {
		st, err := os.Stat(p)
		if err != nil {
			return nil, usageError{err}
		}
		if !st.IsDir() {
			if !strings.EqualFold(filepath.Ext(p), ".wav") {
				return nil, badInput("--data %s: an audio model scores WAV files (.wav) or directories of them", p)
			}
			paths = append(paths, p)
			continue
		}
		n := len(paths)
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(q), ".wav") {
				paths = append(paths, q)
			}
			return err
		})
		if err != nil {
			return nil, usageError{err}
		}
		if len(paths) == n {
			return nil, badInput("--data %s: no .wav files in the directory", p)
		}
	}
	return paths, nil
}
