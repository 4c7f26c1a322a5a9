// Package benchfmt holds what the benchmark scripts (scripts/benchmodels,
// scripts/benchpixelcnn) print alike: the CPU's name and the numbers of
// their markdown tables.
package benchfmt

import (
	"fmt"
	"os"
	"runtime"
	"strings"
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
