package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Result is the outcome of a finished run.
type Result struct {
	Steps    int64
	Time     float64 // simulated time reached
	Checksum uint64  // checksum of the final fields
	Wall     time.Duration
}

// RunOptions are the process-level settings of Run that are not part of the
// job configuration.
type RunOptions struct {
	Log *slog.Logger
	TTY io.Writer // progress bar target when attached to a terminal, else nil
}

// Run runs the embedded default: the whole job in this process.
func Run(ctx context.Context, cfg Config, opts RunOptions) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	cells := float64(cfg.Job.Grid[0]) * float64(cfg.Job.Grid[1]) * float64(cfg.Job.Grid[2])
	var prog *Progress
	if cfg.Run.Progress || opts.TTY == nil {
		prog = NewProgress(opts.TTY, log, cells, cfg.Job.StopStep, cfg.Job.StopTime)
	}
	log.Info("run starting", "job", cfg.Job.Name, "problem", cfg.Job.Problem, "grid", cfg.Job.Grid,
		"ranks", cfg.Job.Ranks, "stop_step", cfg.Job.StopStep)
	res, err := runLocal(ctx, &cfg, func(step int64, t float64) {
		if prog != nil {
			prog.Step(step, t)
		}
	})
	if prog != nil {
		prog.Done()
	}
	if err != nil {
		return res, fmt.Errorf("run %s: %w", cfg.Job.Name, err)
	}
	return res, nil
}
