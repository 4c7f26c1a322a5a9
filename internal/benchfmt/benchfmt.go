// Package benchfmt holds what the benchmark scripts (scripts/benchmodels,
// scripts/benchpixelcnn, scripts/benchwavenet) print alike: the CPU's name and the numbers of
// their markdown tables.
package benchfmt

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// CPUName returns the CPU's model name from /proc/cpuinfo, or GOARCH.
func CPUName() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

// Num formats a table figure: "-" for 0 (not measured), two decimals
// below 10, none above.
func Num(v float64) string {
	if v == 0 {
		return "-"
	}
	if v < 10 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

// Ratio formats a/b as "3.1x", or "-" when either is 0 (not measured).
func Ratio(a, b float64) string {
	if b == 0 || a == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fx", a/b)
}

// Median runs f reps times (after one warm-up) and returns the median time
// in seconds.
func Median(reps int, f func()) float64 {
	f()
	ts := make([]float64, max(reps, 1))
	for i := range ts {
		t0 := time.Now()
		f()
		ts[i] = time.Since(t0).Seconds()
	}
	slices.Sort(ts)
	return ts[len(ts)/2]
}

// TorchEnv returns the environment for a PyTorch peer: this process's
// environment with OPENBLAS_CORETYPE set to coretype and OPENBLAS_L2_SIZE
// removed (Debian's OpenBLAS misdetects these CPUs; see README).
func TorchEnv(coretype string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "OPENBLAS_L2_SIZE=") && !strings.HasPrefix(e, "OPENBLAS_CORETYPE=") {
			env = append(env, e)
		}
	}
	return append(env, "OPENBLAS_CORETYPE="+coretype)
}
