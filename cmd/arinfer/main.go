// Command arinfer samples and scores autoregressive models stored in .arw
// files.
//
//	arinfer sample --model m.arw -n 16 -o samples.png
//	arinfer score --model m.arw --data mnist:test [--json]
//	arinfer info --model m.arw
//
// Exit status: 0 on success, 1 on a runtime failure, 2 on bad usage or bad
// input (a missing or invalid model file, a bad flag value, unreadable
// data). Errors are one line on stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// usageError marks an error as the caller's: bad flags or bad input.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func badInput(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands []command

func init() {
	commands = []command{
		{"sample", "draw samples from a model into a PNG grid", runSample},
		{"score", "mean negative log-likelihood of a data set", runScore},
		{"info", "describe a model file", runInfo},
		{"convert", "re-encode a model's weights (float32, float16, bfloat16)", runConvert},
		{"bench", "measure scoring and sampling speed on this machine", runBench},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	// A write to a closed pipe returns EPIPE instead of killing the
	// process, so `arinfer sample -o - | head` ends with status 1 quietly.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: arinfer <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'arinfer <command> --help' for a command's flags.")
}

// run executes one invocation and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errBrokenPipe):
			return 1
		}
		fmt.Fprintf(stderr, "arinfer %s: %s\n", c.name, oneLine(err.Error()))
		var fe flagError
		if errors.As(err, &fe) {
			fmt.Fprintf(stderr, "Run 'arinfer %s --help' for usage.\n", c.name)
		}
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stderr, "arinfer: unknown command %q (see arinfer --help)\n", args[0])
	return 2
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// flagSet is a command's flags: errors are one line on stderr (run) plus a
// pointer to --help; --help prints the usage on stdout.
type flagSet struct {
	*flag.FlagSet
	synopsis string
	stdout   io.Writer
}

// newFlags returns the flag set of command name.
func newFlags(name, synopsis string, stdout io.Writer) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), synopsis: synopsis, stdout: stdout}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // the flag package calls it on every error too: parse prints it for --help only
	return fs
}

// printUsage writes the command's usage and flags to stdout.
func (fs *flagSet) printUsage() {
	fmt.Fprintf(fs.stdout, "usage: arinfer %s %s\n\nflags:\n", fs.Name(), fs.synopsis)
	fs.SetOutput(fs.stdout)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// flagError is a flag the command line got wrong: run prints it and a
// line pointing at the command's --help.
type flagError struct{ usageError }

// Unwrap makes a flagError a usageError too (exit status 2).
func (e flagError) Unwrap() error { return e.usageError }

// parse parses args, turning flag errors into usage errors and rejecting
// stray arguments.
func parse(fs *flagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.printUsage()
			return err
		}
		return flagError{usageError{err}}
	}
	if fs.NArg() > 0 {
		return flagError{usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}}
	}
	return nil
}
