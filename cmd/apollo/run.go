package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/apollo-hpc/apollo/node"
)

// configFlags registers the configuration flags of a subcommand and returns
// a loader that reads the optional file and applies the flags over it.
func configFlags(fs *flag.FlagSet, aliases map[string]string) func(path string) (node.Config, error) {
	var o node.Overrides
	o.Register(fs, aliases)
	return func(path string) (node.Config, error) {
		cfg := node.DefaultConfig()
		if path != "" {
			var err error
			if cfg, err = node.LoadConfig(path); err != nil {
				return cfg, err
			}
		}
		if err := o.Apply(&cfg); err != nil {
			return cfg, err
		}
		return cfg, cfg.Validate()
	}
}

var runLoad func(string) (node.Config, error)

func init() {
	register(&command{
		name:     "run",
		synopsis: "run a whole job in this process (the embedded default)",
		usage:    "apollo run [flags] [config.toml]",
		help: `Runs the job described by config.toml (or the embedded default) in one
process: a one-replica controller, job.ranks ranks on run.nodes in-process
nodes, checkpoints under job.data_dir. Shows a progress bar on a terminal and
log lines otherwise, then prints the final checksum and where output and
checkpoints went. Every configuration key is also a flag (--section.key);
flags override the file. Problems: ` + problemList() + `.

Examples:
  apollo run                                  # default: heat, 160^3, 4 ranks, 3000 steps
  apollo run examples/configs/default.toml    # the same, from the commented file
  apollo run --problem heat --grid 64,64,64 --steps 200
  apollo run job.toml --checkpoint.every_steps 50 --nodes 2`,
		flags: func(fs *flag.FlagSet) {
			runLoad = configFlags(fs, map[string]string{
				"problem": "job.problem", "grid": "job.grid", "steps": "job.stop_step",
				"ranks": "job.ranks", "nodes": "run.nodes", "data": "job.data_dir",
			})
		},
		run: runRun,
	})
}

func problemList() string {
	var b strings.Builder
	for i, n := range node.ProblemNames() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s)", n, node.ProblemDoc(n))
	}
	return b.String()
}

func runRun(ctx context.Context, fs *flag.FlagSet, args []string) error {
	if len(args) > 1 {
		return fmt.Errorf("at most one config file, got %d arguments: %w", len(args), errUsage)
	}
	path := ""
	if len(args) == 1 {
		path = args[0]
	}
	cfg, err := runLoad(path)
	if err != nil {
		return err
	}
	var tty io.Writer
	log := newLogger(os.Stderr, slog.LevelInfo)
	if cfg.Run.Progress && term.IsTerminal(int(os.Stderr.Fd())) {
		// The bar owns the terminal line; only warnings are logged beside it.
		tty = os.Stderr
		log = newLogger(os.Stderr, slog.LevelWarn)
	}
	res, err := node.Run(ctx, cfg, node.RunOptions{Log: log, TTY: tty})
	if err != nil {
		return err
	}
	fmt.Printf("finished %d steps, t=%.6g, wall %s, recoveries %d\n", res.Steps, res.Time, res.Wall.Round(time.Millisecond), res.Recoveries)
	fmt.Printf("checkpoints: %s\n", res.CheckpointDir)
	if cfg.Output.EverySteps > 0 {
		fmt.Printf("output: %s (open %s.pvd in ParaView)\n", res.OutputDir, cfg.Job.Name)
	} else {
		fmt.Printf("output: none (set output.every_steps to write VTK files to %s)\n", res.OutputDir)
	}
	fmt.Printf("final checksum %016x\n", res.Checksum)
	return nil
}
