package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// run is one fresh process of a binary: its wall time (from start to the
// end of wait, so it includes starting the process and writing its
// output) and its maximum resident set in MB (10^6 bytes).
type run struct {
	wall float64 // seconds
	rss  float64 // MB
}

// The resident set is GNU time's (%M): Linux charges a child the largest
// resident set of the memory it replaces at exec, and a Go parent's child
// replaces the parent's own (Go forks with CLONE_VM), so the rusage of a
// child of this process would never read below this process's size. GNU
// time's children start from its small C process.
var (
	gnuTime = "/usr/bin/time"
	rssFile string // where GNU time writes %M
)

// checkTime checks that gnuTime is GNU time and sets rssFile in dir.
func checkTime(ctx context.Context, dir string) error {
	f, err := os.CreateTemp(dir, "rss")
	if err != nil {
		return err
	}
	f.Close()
	rssFile = f.Name()
	if _, err := exec.LookPath(gnuTime); err != nil {
		return fmt.Errorf("needs GNU time for the resident sets (%v; apt-get install time)", err)
	}
	tru, err := exec.LookPath("true")
	if err != nil {
		return err
	}
	if r, code, _, err := exeStatus(ctx, tru); err != nil || code != 0 || r.rss <= 0 {
		return fmt.Errorf("%s does not work as GNU time (-f %%M -o file): %v", gnuTime, err)
	}
	return nil
}

// exe runs bin with args and returns its run; a non-zero exit is an error
// that quotes the end of its stderr.
func exe(ctx context.Context, bin string, args ...string) (run, error) {
	r, code, stderr, err := exeStatus(ctx, bin, args...)
	if err == nil && code != 0 {
		err = fmt.Errorf("%s %s: exit status %d: %s", bin, strings.Join(args, " "), code, tail(stderr))
	}
	return r, err
}

// exeStatus runs bin with args under GNU time and returns its run, exit
// code and stderr; err is for a process that could not start, was killed,
// or whose resident set GNU time did not report.
func exeStatus(ctx context.Context, bin string, args ...string) (run, int, string, error) {
	wall, code, stderr, err := start(ctx, gnuTime, append([]string{"-f", "%M", "-o", rssFile, bin}, args...)...)
	if err != nil {
		return run{}, 0, "", err
	}
	out, err := os.ReadFile(rssFile)
	if err != nil {
		return run{}, 0, "", err
	}
	// GNU time writes "Command exited with non-zero status N" or
	// "Command terminated by signal N" before the figure.
	kb, err := strconv.ParseFloat(tail(string(out)), 64)
	if err != nil || code < 0 {
		return run{}, 0, "", fmt.Errorf("%s %s: %s (%s)", bin, strings.Join(args, " "), strings.TrimSpace(string(out)), tail(stderr))
	}
	return run{wall: wall, rss: kb * 1024 / 1e6}, code, stderr, nil
}

// start runs name with args in a process group of its own (killed whole
// when ctx is cancelled) and returns its wall time in seconds, from start
// to the end of wait, its exit code and its stderr; err is for a process
// that could not start or was cancelled.
func start(ctx context.Context, name string, args ...string) (float64, int, string, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0).Seconds()
	if ctx.Err() != nil {
		return 0, 0, "", ctx.Err()
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return 0, 0, "", err
	}
	return wall, cmd.ProcessState.ExitCode(), stderr.String(), nil
}

// timed runs bin with args directly (not under GNU time, whose own start
// and wait add some 15 ms here) and returns its wall time in seconds, from
// start to the end of wait: the figure for the short load and first-sample
// runs. A non-zero exit other than want is an error quoting stderr.
func timed(ctx context.Context, want int, bin string, args ...string) (float64, error) {
	wall, code, stderr, err := start(ctx, bin, args...)
	if err == nil && code != want {
		err = fmt.Errorf("%s %s: exit status %d: %s", bin, strings.Join(args, " "), code, tail(stderr))
	}
	return wall, err
}

// tail returns the last line of s that is not blank.
func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
