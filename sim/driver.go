package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/apollo-hpc/apollo/comm"
)

// Env is what a model sees of the run: its communicator and block.
type Env struct {
	Comm  *comm.Comm
	Block *Block
	Log   *slog.Logger // never nil after NewEnv
}

// NewEnv makes the environment of rank c.Rank() for grid g with ghost width
// ng. A zero procs means ProcGrid's choice for c.Size() ranks.
func NewEnv(c *comm.Comm, g Grid, procs [3]int, ng int) (*Env, error) {
	if procs == ([3]int{}) {
		var err error
		if procs, err = ProcGrid(c.Size(), g.N); err != nil {
			return nil, err
		}
	}
	if procs[0]*procs[1]*procs[2] != c.Size() {
		return nil, fmt.Errorf("sim: process grid %v does not have %d ranks", procs, c.Size())
	}
	b, err := NewBlock(g, procs, c.Rank(), ng)
	if err != nil {
		return nil, err
	}
	return &Env{Comm: c, Block: b, Log: slog.Default().With("rank", c.Rank())}, nil
}

// Model is a solver the driver steps: MHD, PIC, the examples, a user's code.
type Model interface {
	// Init allocates the fields and sets the initial condition at t=0. On
	// a restart the driver calls Init and then RestoreState.
	Init(ctx context.Context, env *Env) error
	// MaxDt is the largest stable dt of this block; the driver uses the
	// global minimum.
	MaxDt(env *Env) float64
	// Step advances the state from t to t+dt, doing its own halo exchanges.
	Step(ctx context.Context, env *Env, t, dt float64) error
	// AppendState appends the complete state to buf; RestoreState is its
	// inverse. Restoring and stepping must give the same bits as stepping on.
	AppendState(buf []byte) ([]byte, error)
	RestoreState(data []byte) error
	// Fields are the fields for output and checksums.
	Fields() []*Field
}

// DriverConfig says when to stop, checkpoint and output. Zero disables an
// item; at least one of StopStep and StopTime must be set.
type DriverConfig struct {
	StopStep        int64         // stop after this step
	StopTime        float64       // stop at this time, clipping the last dt to reach it exactly
	CheckpointEvery int64         // snapshot every N steps
	CheckpointWall  time.Duration // snapshot when this much wall time passed since the last one
	OutputEvery     int64         // Output hook every M steps (and at step 0 of a fresh run)
	MaxDt           float64       // cap on dt
	ModelName       string        // recorded in snapshots; default: the model's Go type
}

// Hooks are the driver's callbacks; nil ones are skipped.
type Hooks struct {
	// Checkpoint receives the snapshot; snap.Data is valid only during the
	// call (the checkpointer copies what it keeps).
	Checkpoint func(ctx context.Context, snap Snapshot) error
	// Deferred says the Checkpoint hook accepts deferred snapshots: if the
	// model is a Freezer, the driver freezes it instead of calling
	// AppendState, and the hook gets snap.Frozen (snap.Data nil). The hook
	// then owns the Frozen and must release it exactly once, also when it
	// returns an error, and may serialize it later from another goroutine
	// (snap.AppendBinary works on either kind of snapshot).
	Deferred bool
	Output   func(ctx context.Context, step int64, t float64, env *Env, m Model) error
	Progress func(step int64, t, dt float64)
	// CheckpointNow is asked on rank 0 before every step; true takes a
	// snapshot after that step, outside the schedule (an operator's
	// "checkpoint now"). Only rank 0's answer counts: it travels in the dt
	// reduction, so every rank checkpoints at the same step.
	CheckpointNow func() bool
}

// Result summarises a run.
type Result struct {
	Step        int64   // last step completed
	Time        float64 // time reached
	Steps       int64   // steps taken by this call
	Checkpoints int
	Outputs     int
}

// Run initialises m (or restores it from start), then steps it until
// cfg.StopStep or cfg.StopTime, calling the hooks. Every decision (dt,
// checkpoint, stop) is taken identically on all ranks.
func Run(ctx context.Context, env *Env, m Model, cfg DriverConfig, hooks Hooks, start *Snapshot) (Result, error) {
	var res Result
	if cfg.StopStep <= 0 && cfg.StopTime <= 0 {
		return res, errors.New("sim: Run: neither StopStep nor StopTime set")
	}
	name := cfg.ModelName
	if name == "" {
		name = fmt.Sprintf("%T", m)
	}
	if err := m.Init(ctx, env); err != nil {
		return res, fmt.Errorf("sim: init %s: %w", name, err)
	}
	step, t, lastDt := int64(0), 0.0, 0.0
	if start != nil {
		res.Step, res.Time = start.Step, start.Time
		if err := start.CheckLayout(name, env.Block); err != nil {
			return res, err
		}
		if err := m.RestoreState(start.Data); err != nil {
			return res, fmt.Errorf("sim: restore %s at step %d: %w", name, start.Step, err)
		}
		step, t, lastDt = start.Step, start.Time, start.Dt
	} else if cfg.OutputEvery > 0 && hooks.Output != nil {
		if err := hooks.Output(ctx, step, t, env, m); err != nil {
			return res, fmt.Errorf("sim: output at step 0: %w", err)
		}
		res.Outputs++
	}
	var state []byte // reused across checkpoints
	lastCkpt := time.Now()
	red := make([]float64, 2)
	for {
		if (cfg.StopStep > 0 && step >= cfg.StopStep) || (cfg.StopTime > 0 && t >= cfg.StopTime) {
			break
		}
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("sim: run stopped at step %d: %w", step, err)
		}
		dt := m.MaxDt(env)
		if cfg.MaxDt > 0 && dt > cfg.MaxDt {
			dt = cfg.MaxDt
		}
		if !(dt > 0) { // NaN or ≤ 0: make every rank see it and fail together
			dt = -1
		}
		// One reduction carries dt and rank 0's wall-clock or on-demand checkpoint vote
		// (others vote +Inf), so all ranks agree on both.
		red[0], red[1] = dt, math.Inf(1)
		if env.Comm.Rank() == 0 {
			red[1] = 1
			if cfg.CheckpointWall > 0 && time.Since(lastCkpt) >= cfg.CheckpointWall {
				red[1] = 0
			}
			if hooks.CheckpointNow != nil && hooks.CheckpointNow() {
				red[1] = 0
			}
		}
		if err := env.Comm.AllreduceFloat64(ctx, comm.Min, red, red); err != nil {
			return res, fmt.Errorf("sim: dt reduction at step %d: %w", step, err)
		}
		dt = red[0]
		wallDue := red[1] == 0
		if !(dt > 0) || math.IsInf(dt, 0) {
			return res, fmt.Errorf("sim: step %d: global dt %g is not a positive finite number (a rank's MaxDt was NaN, ≤ 0, or all were +Inf)", step, dt)
		}
		next := t + dt
		// Within rounding of StopTime counts as reaching it, so that no
		// sliver step follows.
		if cfg.StopTime > 0 && next >= cfg.StopTime-1e-9*dt {
			dt, next = cfg.StopTime-t, cfg.StopTime
		}
		if err := m.Step(ctx, env, t, dt); err != nil {
			return res, fmt.Errorf("sim: step %d of %s: %w", step+1, name, err)
		}
		step, t, lastDt = step+1, next, dt
		res.Step, res.Time = step, t
		res.Steps++
		if hooks.Progress != nil {
			hooks.Progress(step, t, dt)
		}
		if cfg.OutputEvery > 0 && step%cfg.OutputEvery == 0 && hooks.Output != nil {
			if err := hooks.Output(ctx, step, t, env, m); err != nil {
				return res, fmt.Errorf("sim: output at step %d: %w", step, err)
			}
			res.Outputs++
		}
		if (wallDue || (cfg.CheckpointEvery > 0 && step%cfg.CheckpointEvery == 0)) && hooks.Checkpoint != nil {
			t0 := time.Now()
			data, fz, err := captureState(m, hooks.Deferred, state)
			if err != nil {
				return res, fmt.Errorf("sim: state of %s at step %d: %w", name, step, err)
			}
			if fz == nil {
				state = data
			}
			b := env.Block
			snap := Snapshot{Model: name, Grid: b.Grid, Procs: b.Procs, Rank: b.Rank, Ng: b.Ng,
				Step: step, Time: t, Dt: lastDt, Data: data, Frozen: fz, Capture: time.Since(t0)}
			size := snap.StateLen() // before the hook, which may release fz
			if err := hooks.Checkpoint(ctx, snap); err != nil {
				return res, fmt.Errorf("sim: checkpoint at step %d: %w", step, err)
			}
			lastCkpt = time.Now()
			res.Checkpoints++
			if env.Log != nil {
				attrs := []any{"step", step, "time", t, "bytes", size, "capture", snap.Capture}
				if f, ok := m.(Freezer); ok {
					waits, wait := f.FreezeWait()
					attrs = append(attrs, "frozen", fz != nil, "freeze_waits", waits, "freeze_wait", wait)
				}
				env.Log.Debug("checkpoint", attrs...)
			}
		}
	}
	return res, nil
}
