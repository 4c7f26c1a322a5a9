package main

import (
	"bytes"
	le16 "encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arinfer/arinfer/audio"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// audioModel is a small categorical (K = 16) WaveNet audio model at 8 kHz
// from the format's conformance files.
const audioModel = "../../format/testdata/go_wavenet_audio.arw"

func readWAV(t *testing.T, path string) audio.PCM {
	t.Helper()
	p, err := audio.ReadWAVFile(path)
	require.NoError(t, err)
	return p
}

func TestSampleAudioWAVAndRawAgree(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "a.wav")
	r := runCLI(t, "sample", "--model", audioModel, "--seconds", "0.25", "--seed", "7", "-o", out)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "wrote 0.25 s of 8000 Hz audio")
	p := readWAV(t, out)
	assert.Equal(t, 8000, p.Rate)
	require.Len(t, p.Samples, 2000)

	// -o - streams the same samples as raw 16-bit little-endian PCM.
	r = runCLI(t, "sample", "--model", audioModel, "--seconds", "0.25", "--seed", "7", "-o", "-")
	require.Equal(t, 0, r.code, r.stderr)
	require.Len(t, r.stdout, 4000)
	raw := make([]int16, 2000)
	require.NoError(t, le16.Read(strings.NewReader(r.stdout), le16.LittleEndian, raw))
	assert.Equal(t, p.Samples, raw)

	// Every sample is the decoding of one of the model's 16 codes.
	for _, s := range p.Samples {
		c := audio.MuLawEncode(s, 16)
		require.Equal(t, s, audio.MuLawDecode(c, 16))
	}
}

func TestSampleAudioPrimeAndStreams(t *testing.T) {
	dir := t.TempDir()
	prime := filepath.Join(dir, "prime.wav")
	r := runCLI(t, "sample", "--model", audioModel, "--seconds", "0.1", "--seed", "3", "-o", prime)
	require.Equal(t, 0, r.code, r.stderr)
	pp := readWAV(t, prime)

	out := filepath.Join(dir, "cont.wav")
	r = runCLI(t, "sample", "--model", audioModel, "--seconds", "0.05", "--prime", prime, "-n", "3", "-o", out)
	require.Equal(t, 0, r.code, r.stderr)
	for i := 1; i <= 3; i++ {
		p := readWAV(t, filepath.Join(dir, "cont-"+string(rune('0'+i))+".wav"))
		require.Len(t, p.Samples, 800+400)
		assert.Equal(t, pp.Samples, p.Samples[:800], "stream %d starts with the prime recording", i)
	}
	_, err := os.Stat(out)
	assert.True(t, os.IsNotExist(err), "with -n 3 the streams are cont-1.wav …")
}

func TestScoreAudio(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "a.wav")
	require.Equal(t, 0, runCLI(t, "sample", "--model", audioModel, "--seconds", "0.25", "-o", out).code)
	r := runCLI(t, "score", "--model", audioModel, "--data", out+","+out, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"samples":4000`)
	assert.Contains(t, r.stdout, `"n":2`)
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	require.Equal(t, 0, runCLI(t, "sample", "--model", audioModel, "--seconds", "0.25", "-o", filepath.Join(sub, "b.wav")).code)
	r = runCLI(t, "score", "--model", audioModel, "--data", dir, "--json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"n":2`, "a directory's WAV files, at any depth")
	r = runCLI(t, "score", "--model", audioModel, "--data", out, "--class", "0")
	assert.Equal(t, 2, r.code, "the test model is unconditional")
	assert.Contains(t, r.stderr, "not class-conditional")
}

// wavBytes is a canonical 44-byte-header WAV with the given format fields.
func wavBytes(format, channels uint16, rate uint32, bits uint16, data []byte) []byte {
	var b bytes.Buffer
	le := func(v any) { _ = le16.Write(&b, le16.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + len(data)))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(format)
	le(channels)
	le(rate)
	le(rate * uint32(channels) * uint32(bits/8))
	le(channels * bits / 8)
	le(bits)
	b.WriteString("data")
	le(uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func TestAudioBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		return p
	}
	good := wavBytes(1, 1, 8000, 16, make([]byte, 200))
	float := write("float.wav", wavBytes(3, 1, 8000, 32, make([]byte, 400)))
	rate := write("rate.wav", wavBytes(1, 1, 16000, 16, make([]byte, 200)))
	stereo := write("stereo.wav", wavBytes(1, 2, 8000, 16, make([]byte, 400)))
	trunc := write("trunc.wav", good[:len(good)-50])
	empty := write("empty.wav", wavBytes(1, 1, 8000, 16, nil))
	out := filepath.Join(dir, "out.wav")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"not PCM", []string{"score", "--data", float}, "float"},
		{"rate", []string{"score", "--data", rate}, "16000"},
		{"stereo", []string{"score", "--data", stereo}, "channels"},
		{"truncated", []string{"score", "--data", trunc}, "truncated"},
		{"empty", []string{"score", "--data", empty}, "no samples"},
		{"prime rate", []string{"sample", "--prime", rate, "-o", out}, "16000"},
		{"prime truncated", []string{"sample", "--prime", trunc, "-o", out}, "truncated"},
		{"seconds 0", []string{"sample", "--seconds", "0", "-o", out}, "--seconds"},
		{"seconds negative", []string{"sample", "--seconds", "-1", "-o", out}, "--seconds"},
		{"seconds too many", []string{"sample", "--seconds", "4000", "-o", out}, "--seconds"},
		{"seconds NaN", []string{"sample", "--seconds", "NaN", "-o", out}, "--seconds"},
		{"raw needs one stream", []string{"sample", "-n", "2", "-o", "-"}, "-o -"},
		{"too many streams", []string{"sample", "-n", "65", "-o", out}, "-n 65"},
		{"too much audio", []string{"sample", "-n", "64", "--seconds", "3600", "-o", out}, "more than the"},
		{"class", []string{"sample", "--class", "1", "-o", out}, "not class-conditional"},
		{"weights", []string{"sample", "--weights", "f8", "-o", out}, "--weights"},
		{"image data", []string{"score", "--data", "mnist:test"}, "mnist:test"},
		{"empty directory", []string{"score", "--data", t.TempDir()}, "no .wav files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, append(tc.args, "--model", audioModel)...)
			assert.Equal(t, 2, r.code, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			assert.NotContains(t, r.stderr, "panic")
			_, err := os.Stat(out)
			assert.True(t, os.IsNotExist(err), "no output file")
		})
	}
	// A WAV given to a model that is not an audio model.
	r := runCLI(t, "score", "--model", "../../models/mnist-gated.arw", "--data", float)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "not an audio model")
}

// A reader that closes the pipe early ends generation quietly with status 1,
// and an interrupted WAV generation leaves no file behind.
func TestAudioBrokenPipeAndInterrupt(t *testing.T) {
	cmd := exec.Command(binary, "sample", "--model", audioModel, "--seconds", "600", "-o", "-")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var se bytes.Buffer
	cmd.Stderr = &se
	require.NoError(t, cmd.Start())
	buf := make([]byte, 4096)
	_, err = stdout.Read(buf)
	require.NoError(t, err)
	require.NoError(t, stdout.Close())
	err = cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 1, ee.ExitCode())
	assert.Empty(t, se.String())

	dir := t.TempDir()
	out := filepath.Join(dir, "long.wav")
	cmd = exec.Command(binary, "sample", "--model", audioModel, "--seconds", "3600", "-o", out)
	require.NoError(t, cmd.Start())
	// Wait until generation is under way (its temporary file exists).
	for i := 0; i < 500; i++ {
		if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) > 0 {
			break
		}
		exec.Command("sleep", "0.01").Run()
	}
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err = cmd.Wait()
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 1, ee.ExitCode())
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	assert.Empty(t, left, "an interrupted generation leaves no file")
}

func TestInfoAndBenchAudioModel(t *testing.T) {
	r := runCLI(t, "info", "--model", audioModel)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "dilations [1 2] (receptive field 5 steps)")
	assert.Contains(t, r.stdout, "audio:        8000 Hz, 16 mu-law levels")
	r = runCLI(t, "bench", "--model", audioModel)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "real time at 8000 Hz")
	assert.Contains(t, r.stdout, "at batch 1 (one core")
	assert.Contains(t, r.stdout, "0 allocs/sample")
}

// An interrupted generation saved with --save-state and continued with
// --resume writes the recording an uninterrupted run with the same seed
// writes, sample for sample; a finished state, a damaged one, one of
// another model, and flags a state fixes are refused with one line and
// status 2.
func TestAudioSaveStateResume(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.wav")
	r := runCLI(t, "sample", "--model", audioModel, "--seconds", "100", "--seed", "9", "-o", full)
	require.Equal(t, 0, r.code, r.stderr)

	part, state := filepath.Join(dir, "part.wav"), filepath.Join(dir, "gen.ars")
	cmd := exec.Command(binary, "sample", "--model", audioModel, "--seconds", "100", "--seed", "9", "-o", part, "--save-state", state)
	require.NoError(t, cmd.Start())
	for i := 0; i < 500; i++ { // until generation is under way (its temporary WAV exists)
		if m, _ := filepath.Glob(filepath.Join(dir, ".part.wav.*")); len(m) > 0 {
			break
		}
		exec.Command("sleep", "0.01").Run()
	}
	exec.Command("sleep", "0.1").Run()
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "the run was interrupted")
	assert.NoFileExists(t, part, "an interrupted generation leaves no WAV")
	require.FileExists(t, state, "but its state")

	rest := filepath.Join(dir, "rest.wav")
	r = runCLI(t, "sample", "--model", audioModel, "--resume", state, "-o", rest, "--save-state", state)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "resumed at")
	assert.Equal(t, readWAV(t, full).Samples, readWAV(t, rest).Samples, "resumed = uninterrupted")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--resume", state}, "complete"},
		{[]string{"--resume", state, "--seconds", "1"}, "-seconds cannot change it"},
		{[]string{"--resume", full}, "bad generator state"},
		{[]string{"--resume", filepath.Join(dir, "missing.ars")}, "no such file"},
	} {
		r := runCLI(t, append([]string{"sample", "--model", audioModel, "-o", filepath.Join(dir, "x.wav")}, c.args...)...)
		assert.Equal(t, 2, r.code, "%v", c.args)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%v: one line: %q", c.args, r.stderr)
		assert.Contains(t, r.stderr, c.want, "%v", c.args)
	}
	// A state of another model: refused, naming both.
	short := filepath.Join(dir, "short.ars")
	r = runCLI(t, "sample", "--model", audioModel, "--seconds", "0.01", "-o", filepath.Join(dir, "s.wav"), "--save-state", short)
	require.Equal(t, 0, r.code, r.stderr)
	r = runCLI(t, "sample", "--model", "../../models/speech-wavenet.arw", "--resume", short, "-o", filepath.Join(dir, "x.wav"))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "another wavenet model")
	r = runCLI(t, "sample", "--model", "../../models/mnist-gated.arw", "--save-state", short)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "only audio models")
}
