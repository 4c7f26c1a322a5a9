package audio

import (
	"fmt"
	"strings"
	"time"
)

// MaxRate is the largest sample rate, in samples per second, that the
// readers accept and the writers write: a 16-bit mono WAV stores the byte
// rate, 2 × rate, in 32 bits.
const MaxRate = 1<<31 - 1

// PCM is mono 16-bit linear PCM audio: Rate samples per second.
type PCM struct {
	Rate    int
	Samples []int16
}

// Duration returns how long p plays: len(Samples)/Rate seconds (0 when Rate
// is not positive).
func (p PCM) Duration() time.Duration {
	if p.Rate <= 0 {
		return 0
	}
	n := int64(len(p.Samples))
	sec := n / int64(p.Rate)
	rem := n % int64(p.Rate)
	return time.Duration(sec)*time.Second + time.Duration(rem)*time.Second/time.Duration(p.Rate)
}

// CheckRate returns nil if p is at want samples per second, else a one-line
// error that names the file (name, e.g. its path) and gives the sox command
// that resamples it: audio at another rate must be resampled, never
// reinterpreted (format/SPEC.md 3.9).
func CheckRate(name string, p PCM, want int) error {
	if p.Rate == want {
		return nil
	}
	return fmt.Errorf("%s: sample rate %d Hz; the model wants %d Hz (resample: sox %s -r %d out.wav)",
		name, p.Rate, want, shellQuote(name), want)
}

// checkRate returns an error unless 1 ≤ rate ≤ MaxRate.
func checkRate(rate int) error {
	if rate < 1 || rate > MaxRate {
		return fmt.Errorf("audio: sample rate %d; want 1..%d", rate, MaxRate)
	}
	return nil
}

// shellQuote returns s as one POSIX shell word, for the commands that
// errors suggest.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if s[0] == '-' {
		s = "./" + s // not an option
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '/' || c == '_' || c == '-' || c == '+' || c == ',' || c == ':' || c == '=' || c == '@') {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}
