package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/apollo-hpc/apollo/checkpoint"
	"github.com/apollo-hpc/apollo/coord"
)

// Result is the outcome of a finished run.
type Result struct {
	Steps    int64
	Time     float64 // simulated time reached
	Checksum uint64  // sim.FieldsChecksum of the final fields
	Wall     time.Duration
	Epoch    uint64 // epoch in which the final state was computed
	// Recoveries is the number of epochs the controller started because of
	// a failure (embedded run only).
	Recoveries uint64
	// CheckpointDir and OutputDir say where files went (embedded run only).
	CheckpointDir, OutputDir string
}

// RunOptions are the process-level settings of Run that are not part of the
// job configuration.
type RunOptions struct {
	Log *slog.Logger
	TTY io.Writer // progress bar target when attached to a terminal, else nil
	// Started, if set, is called with the in-process controller and the
	// workers once they are running (tests use it to pull nodes).
	Started func(ctl *coord.Client, workers []*Worker)
}

// Run runs the embedded default: a controller and cfg.Run.Nodes workers in
// this process, ranks talking over comm/inproc, checkpoints in the workers'
// memory and under the data directory.
func Run(ctx context.Context, cfg Config, opts RunOptions) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	spec := SpecOf(&cfg)
	if _, err := setupProblem(&spec); err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(spec.SharedDir, 0o755); err != nil {
		return Result{}, fmt.Errorf("run: %w", err)
	}
	// The controller: one replica, its Raft state under the data directory
	// (a fresh job each run), committed checkpoints recorded in the shared
	// directory like on a cluster.
	key, err := LoadOrCreateKey(cfg.KeyFile())
	if err != nil {
		return Result{}, err
	}
	if err := os.RemoveAll(cfg.RaftDir()); err != nil {
		return Result{}, fmt.Errorf("run: %w", err)
	}
	srv, err := coord.NewServer(coord.Config{ID: "c1", DataDir: cfg.RaftDir(), RaftAddr: "127.0.0.1:0",
		HTTPAddr: "127.0.0.1:0", Key: key, Bootstrap: true, SharedDir: spec.SharedDir,
		Lease: cfg.Controller.Lease, Logger: quiet(log)})
	if err != nil {
		return Result{}, fmt.Errorf("run: controller: %w", err)
	}
	defer srv.Close()
	client := coord.NewClient([]string{srv.HTTPAddr()}, key)
	defer client.CloseIdleConnections()
	job, err := jobOf(&spec, cfg.Run.Nodes)
	if err != nil {
		return Result{}, err
	}
	if _, err := client.SetJob(ctx, job); err != nil {
		return Result{}, fmt.Errorf("run: set job: %w", err)
	}

	cells := float64(spec.Grid[0]) * float64(spec.Grid[1]) * float64(spec.Grid[2])
	prog := NewProgress(opts.TTY, log, cells, spec.StopStep, spec.StopTime)
	log.Info("run starting", "job", spec.Name, "problem", spec.Problem, "grid", spec.Grid, "ranks", spec.Ranks,
		"nodes", cfg.Run.Nodes, "stop_step", spec.StopStep, "checkpoints", spec.SharedDir)

	fabric := &InprocFabric{}
	defer fabric.Close()
	stores := map[string]checkpoint.Store{}
	workers := make([]*Worker, cfg.Run.Nodes)
	for i := range workers {
		addr := "inproc-" + strconv.Itoa(i)
		mem := checkpoint.NewMemStore()
		stores[addr] = mem
		workers[i] = NewWorker(WorkerConfig{
			// Each node its own Controller, heartbeating over
			// controller.heartbeat_channel as an apollo node does.
			Addr: addr, Capacity: 1, Ctl: newController(&cfg, client, []string{srv.HTTPAddr()}, key), Transport: fabric, Mem: mem,
			Peer:      func(a string) checkpoint.Store { return stores[a] },
			Heartbeat: cfg.Controller.Heartbeat, Log: log, Progress: prog,
			StallTimeout: cfg.Node.StallTimeout, FailGrace: failGrace(&cfg),
		})
	}
	t0 := time.Now()
	results := make([]Result, len(workers))
	errs := make([]error, len(workers))
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = w.Run(ctx)
		}()
	}
	if opts.Started != nil {
		opts.Started(client, workers)
	}
	wg.Wait()
	prog.Done()
	status, err := client.Status(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("run: final status: %w", err)
	}
	st := status.State
	var best *Result
	var failed []error
	for i := range workers {
		if errs[i] != nil {
			// A fenced node, or one that left because its ranks made no
			// progress, is part of surviving a failure, not a failed run.
			if !errors.Is(errs[i], ErrFenced) && !errors.Is(errs[i], ErrLeft) {
				failed = append(failed, errs[i])
			}
			continue
		}
		if results[i].Steps > 0 && (best == nil || results[i].Epoch > best.Epoch) {
			best = &results[i]
		}
	}
	if err := errors.Join(failed...); err != nil {
		return Result{}, fmt.Errorf("run %s: %w", spec.Name, err)
	}
	if best == nil || !finalCommitted(st) {
		return Result{}, fmt.Errorf("run %s: no node finished the job", spec.Name)
	}
	res := *best
	res.Wall = time.Since(t0)
	res.Recoveries = st.Recoveries
	res.CheckpointDir, res.OutputDir = spec.SharedDir, spec.OutputDir
	return res, nil
}

// quiet lowers a logger to errors: the embedded controller's routine
// messages (elections of its single replica, leases) are noise beside the
// run's own.
func quiet(l *slog.Logger) *slog.Logger {
	return slog.New(minLevel{l.Handler(), slog.LevelError})
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.Handler.Enabled(ctx, l)
}
func (m minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{m.Handler.WithAttrs(a), m.min}
}
func (m minLevel) WithGroup(g string) slog.Handler { return minLevel{m.Handler.WithGroup(g), m.min} }
