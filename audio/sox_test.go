package audio

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests against a real WAV implementation: Debian's sox (.ci/run installs
// it; without it these tests skip).

func needSox(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sox"); err != nil {
		t.Skip("sox is not installed (apt-get install sox): skipping the tests against it")
	}
}

// sox runs sox with args and returns its standard output.
func sox(t *testing.T, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("sox", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "sox %s: %s", strings.Join(args, " "), stderr.String())
	return stdout.Bytes()
}

// soxSamples returns the samples sox decodes from a file, as raw signed
// 16-bit little-endian (sox only converts if the file is not already so).
func soxSamples(t *testing.T, path string) []int16 {
	t.Helper()
	p, err := ReadRaw(bytes.NewReader(sox(t, "-V1", "-D", path, "-t", "raw", "-e", "signed-integer", "-b", "16", "-L", "-")), 1)
	require.NoError(t, err)
	return p.Samples
}

// soxInfo returns `sox --i <flag> path`, trimmed.
func soxInfo(t *testing.T, flag, path string) string {
	t.Helper()
	return strings.TrimSpace(string(sox(t, "--i", flag, path)))
}

// soxInfoAll returns the fields of `sox --i path` (e.g. "Channels": "1").
func soxInfoAll(t *testing.T, path string) map[string]string {
	t.Helper()
	info := map[string]string{}
	for _, line := range strings.Split(string(sox(t, "--i", path)), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return info
}

// TestSoxReadsOurWAV: sox reads what WriteWAV and WAVWriter write, with
// the same rate and samples.
func TestSoxReadsOurWAV(t *testing.T) {
	needSox(t)
	dir := t.TempDir()
	for _, n := range []int{1, 2, 12345} {
		for _, rate := range []int{8000, 16000, 44100} {
			s := noise(n, uint64(n+rate))
			p := PCM{Rate: rate, Samples: s}
			var buf bytes.Buffer
			require.NoError(t, WriteWAV(&buf, p))
			written := filepath.Join(dir, "written.wav")
			require.NoError(t, os.WriteFile(written, buf.Bytes(), 0o644))
			streamed := filepath.Join(dir, "streamed.wav")
			w, err := CreateWAV(streamed, rate)
			require.NoError(t, err)
			writeInPieces(t, w, s)
			require.NoError(t, w.Close())

			for _, path := range []string{written, streamed} {
				info := soxInfoAll(t, path)
				assert.Equal(t, strconv.Itoa(rate), info["Sample Rate"])
				assert.Equal(t, "1", info["Channels"])
				assert.Equal(t, "16-bit", info["Precision"])
				assert.Equal(t, "16-bit Signed Integer PCM", info["Sample Encoding"])
				assert.True(t, strings.HasSuffix(info["Duration"], "= "+strconv.Itoa(n)+" samples") ||
					strings.Contains(info["Duration"], "= "+strconv.Itoa(n)+" samples "), "duration %q, want %d samples", info["Duration"], n)
				assert.Equal(t, s, soxSamples(t, path), "%s: n=%d rate=%d", filepath.Base(path), n, rate)
			}
		}
	}
}

// soxHint matches the sox command an error suggests.
var soxHint = regexp.MustCompile(`\((?:e\.g\.|resample:) (sox .*) out\.wav\)$`)

// TestReadSoxWAV: WAVs that sox makes are read with sox's samples, or
// refused with the right error, and the sox command the error suggests
// really makes a file that ReadWAVFile reads.
func TestReadSoxWAV(t *testing.T) {
	needSox(t)
	tests := []struct {
		name string
		args []string // sox output options
		err  string   // "" if readable
	}{
		{"16-bit mono", []string{"-b", "16", "-c", "1"}, ""},
		{"16-bit mono, wavpcm", []string{"-t", "wavpcm", "-b", "16", "-c", "1"}, ""},
		{"8 kHz", []string{"-r", "8000", "-b", "16", "-c", "1"}, ""},
		{"8-bit", []string{"-b", "8", "-c", "1"}, "has 8-bit samples, want 16-bit (e.g. sox "},
		{"24-bit (extensible)", []string{"-b", "24", "-c", "1"}, "has 24-bit samples, want 16-bit (e.g. sox "},
		{"32-bit integer", []string{"-b", "32", "-e", "signed-integer", "-c", "1"}, "has 32-bit samples, want 16-bit (e.g. sox "},
		{"32-bit float", []string{"-b", "32", "-e", "floating-point", "-c", "1"}, "is IEEE float, want 16-bit PCM (e.g. sox "},
		{"64-bit float", []string{"-b", "64", "-e", "floating-point", "-c", "1"}, "is IEEE float, want 16-bit PCM (e.g. sox "},
		{"stereo", []string{"-b", "16", "-c", "2"}, "has 2 channels; want mono (e.g. sox "},
		{"3 channels (extensible)", []string{"-b", "16", "-c", "3"}, "has 3 channels; want mono (e.g. sox "},
		{"mu-law", []string{"-e", "mu-law", "-c", "1"}, "is mu-law, want 16-bit PCM (e.g. sox "},
		{"A-law", []string{"-e", "a-law", "-c", "1"}, "is A-law, want 16-bit PCM (e.g. sox "},
		{"IMA ADPCM", []string{"-e", "ima-adpcm", "-c", "1"}, "is IMA ADPCM, want 16-bit PCM (e.g. sox "},
		{"MS ADPCM", []string{"-e", "ms-adpcm", "-c", "1"}, "is Microsoft ADPCM, want 16-bit PCM (e.g. sox "},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.NewReplacer(" ", "_", "(", "", ")", "", ",", "").Replace(tt.name)+".wav")
			rate := "16000"
			args := []string{"-V1", "-n", "-r", rate}
			args = append(args, tt.args...)
			args = append(args, path, "synth", "0.3", "sine", "300-3000", "vol", "0.7")
			sox(t, args...)

			p, err := ReadWAVFile(path)
			if tt.err == "" {
				require.NoError(t, err)
				assert.Equal(t, soxInfo(t, "-r", path), strconv.Itoa(p.Rate))
				assert.Equal(t, soxSamples(t, path), p.Samples)
				return
			}
			require.Error(t, err)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, path+": "+tt.err), "error %q", msg)
			assert.NotContains(t, msg, "\n")

			// the suggested conversion works
			m := soxHint.FindStringSubmatch(msg)
			require.NotNil(t, m, "no sox command in %q", msg)
			fields := strings.Fields(m[1])
			out := filepath.Join(dir, "converted.wav")
			sox(t, append(append([]string{"-V1"}, fields[1:]...), out)...)
			q, err := ReadWAVFile(out)
			require.NoError(t, err, "after %s", m[1])
			assert.Equal(t, 16000, q.Rate)
			assert.Equal(t, soxSamples(t, out), q.Samples)
			assert.InDelta(t, 4800, len(q.Samples), 1100, "0.3 s (ADPCM pads to its blocks)")
		})
	}
}

// TestReadSoxPipe reads what sox writes to a pipe: it cannot seek back to
// fill in the sizes, so the data chunk has sox's placeholder size.
func TestReadSoxPipe(t *testing.T) {
	needSox(t)
	out := sox(t, "-V1", "-n", "-r", "16000", "-b", "16", "-c", "1", "-t", "wav", "-", "synth", "0.25", "sine", "440")
	require.Greater(t, len(out), 44)
	assert.Equal(t, uint32(streamSizeSox), uint32(out[40])|uint32(out[41])<<8|uint32(out[42])<<16|uint32(out[43])<<24,
		"sox's placeholder size")
	p, err := ReadWAV(bytes.NewReader(out))
	require.NoError(t, err)
	assert.Equal(t, 16000, p.Rate)
	assert.Len(t, p.Samples, 4000)
	path := filepath.Join(t.TempDir(), "pipe.wav")
	require.NoError(t, os.WriteFile(path, out, 0o644))
	q, err := ReadWAVFile(path)
	require.NoError(t, err)
	assert.Equal(t, p, q)
}

// TestSoxReadsExtensible checks the hand-made WAVE_FORMAT_EXTENSIBLE file
// of the table tests against sox, so that accepting it is right.
func TestSoxReadsExtensible(t *testing.T) {
	needSox(t)
	path := filepath.Join(t.TempDir(), "ext.wav")
	require.NoError(t, os.WriteFile(path, wavFile(extFmt(1, 16000, 2, 16, 16, tagPCM), chunk("data", pcmData(someSamples...))), 0o644))
	assert.Equal(t, "16000", soxInfo(t, "-r", path))
	assert.Equal(t, "1", soxInfo(t, "-c", path))
	assert.Equal(t, someSamples, soxSamples(t, path))
	p, err := ReadWAVFile(path)
	require.NoError(t, err)
	assert.Equal(t, someSamples, p.Samples)
}

// TestCheckRateSox resamples with the command CheckRate suggests.
func TestCheckRateSox(t *testing.T) {
	needSox(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "at 22050.wav")
	sox(t, "-V1", "-n", "-r", "22050", "-b", "16", "-c", "1", in, "synth", "0.5", "sine", "440")
	p, err := ReadWAVFile(in)
	require.NoError(t, err)
	err = CheckRate(in, p, 16000)
	require.Error(t, err)
	m := soxHint.FindStringSubmatch(err.Error())
	require.NotNil(t, m, "no sox command in %q", err)
	cmd := exec.Command("sh", "-c", m[1]+" out.wav")
	cmd.Dir = dir
	outp, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s: %s", m[1], outp)
	q, err := ReadWAVFile(filepath.Join(dir, "out.wav"))
	require.NoError(t, err)
	assert.NoError(t, CheckRate("out.wav", q, 16000))
	assert.Len(t, q.Samples, 8000)
}
