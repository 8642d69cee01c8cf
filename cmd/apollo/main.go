// Command apollo runs fault-tolerant plasma simulations: `apollo run` for the
// whole job in one process, or a controller plus `apollo node` per machine.
// This file is wiring only; the work lives in package node.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	v := version
	if v == "" && ok {
		v = bi.Main.Version
	}
	if v == "" {
		v = "(unknown)"
	}
	if !ok {
		return v
	}
	if version == "" {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " " + s.Value[:12]
			}
		}
	}
	// The toolchain and its experiments decide which kernels run: the Go
	// version reads e.g. go1.26.8-X:simd for the MHD solver's SIMD build.
	return v + " " + bi.GoVersion
}

// command is one subcommand.
type command struct {
	name     string
	synopsis string // one line for the command list
	usage    string // "apollo name [flags] args"
	help     string // description and an Examples section
	run      func(ctx context.Context, fs *flag.FlagSet, args []string) error
	flags    func(fs *flag.FlagSet)
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func mainUsage(w io.Writer) {
	fmt.Fprintf(w, `apollo runs long domain-decomposed plasma simulations that survive lost nodes.

Usage:
  apollo <command> [flags] [args]
  apollo <command> --help
  apollo --version

Commands:
`)
	cs := append([]*command(nil), commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.synopsis)
	}
	fmt.Fprintf(w, `
Examples:
  apollo run                       # the embedded default job, about a minute
  apollo run job.toml --nodes 8    # your configuration, a flag overriding it
`)
}

// errUsage marks errors already reported together with usage text.
var errUsage = errors.New("usage")

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		mainUsage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				fs := newFlagSet(c, stdout)
				fs.Usage()
				return 0
			}
		}
		mainUsage(stdout)
		return 0
	case "-version", "--version", "version":
		fmt.Fprintf(stdout, "apollo %s\n", versionString())
		return 0
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "apollo: unknown command %q\n\n", args[0])
		mainUsage(stderr)
		return 2
	}
	fs := newFlagSet(c, stderr)
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := c.run(ctx, fs, pos); err != nil {
		if errors.Is(err, errUsage) {
			fs.Usage()
			return 2
		}
		fmt.Fprintf(stderr, "apollo %s: %v\n", c.name, err)
		return 1
	}
	return 0
}

func newFlagSet(c *command, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("apollo "+c.name, flag.ContinueOnError)
	fs.SetOutput(out)
	if c.flags != nil {
		c.flags(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: %s\n\n%s\n", c.usage, strings.TrimSpace(c.help))
		fmt.Fprintf(out, "\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs
}

// newLogger logs text lines at level and above to w.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// parseInterspersed parses flags anywhere among the arguments (`apollo pull
// n3 --controller host:7700`), returning the positional ones; "--" ends
// flag parsing.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
