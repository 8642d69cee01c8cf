package node

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/examples/heat/heat"
	"github.com/apollo-hpc/apollo/sim"
)

// trapHeat is the heat model with a trap: while armed, rank 1 reaching step
// trapStep disarms it and either fails the step (as a lost comm connection
// would) or blocks until its context ends (as a deadlock would).
type trapHeat struct {
	*heat.Model
	block bool
}

var (
	trapArmed atomic.Bool
	trapStep  = 35.0 // in steps of the test job
)

func (m trapHeat) Step(ctx context.Context, env *sim.Env, t, dt float64) error {
	if env.Comm.Rank() == 1 && t >= (trapStep-0.5)*dt && trapArmed.CompareAndSwap(true, false) {
		if !m.block {
			return errors.New("trap: simulated lost connection")
		}
		<-ctx.Done()
		return ctx.Err()
	}
	return m.Model.Step(ctx, env, t, dt)
}

func init() {
	for name, block := range map[string]bool{"heat-fail-once": false, "heat-block-once": true} {
		RegisterProblem(name, "heat whose rank 1 fails or blocks once (tests only)", func(spec *JobSpec) (Setup, error) {
			s, err := problems["heat"].setup(spec)
			s.New = func() sim.Model { return trapHeat{heat.New(heat.Config{Init: heat.Gauss}), block} }
			return s, err
		})
	}
}

// TestRunRecoversFailedEpoch is the regression test of the hang seen in the
// overhead benchmark: the ranks of an epoch stop with an error while every
// node is alive and heartbeating (there, a comm/tcp connection declared lost
// during a stall shorter than the lease). The controller sees no dead node;
// before the fix every node waited for a new epoch forever. Now one node
// leaves after the grace period, and the run recovers from the last
// checkpoint with the undisturbed run's bits. The stall watchdog is off, so
// this is the failed-epoch path alone.
func TestRunRecoversFailedEpoch(t *testing.T) {
	want := reference(t, 16, 1, 120)
	cfg := testConfig(t, "heat-fail-once", 4)
	cfg.Node.StallTimeout = 0
	trapArmed.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := Run(ctx, cfg, RunOptions{Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	if trapArmed.Load() {
		t.Fatal("trap never sprung")
	}
	if res.Checksum != want || res.Recoveries != 1 {
		t.Fatalf("checksum %016x recoveries %d, want %016x and 1", res.Checksum, res.Recoveries, want)
	}
}

// TestRunStallWatchdog: a rank blocks (until its context ends) in the
// middle of a step, so no rank of the epoch completes a step while every
// node heartbeats. The watchdog makes one node leave after
// node.stall_timeout; the run recovers with the undisturbed run's bits.
func TestRunStallWatchdog(t *testing.T) {
	want := reference(t, 16, 1, 120)
	cfg := testConfig(t, "heat-block-once", 4)
	cfg.Node.StallTimeout = time.Second
	trapArmed.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Now()
	res, err := Run(ctx, cfg, RunOptions{Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	if trapArmed.Load() {
		t.Fatal("trap never sprung")
	}
	if res.Checksum != want || res.Recoveries != 1 {
		t.Fatalf("checksum %016x recoveries %d, want %016x and 1", res.Checksum, res.Recoveries, want)
	}
	if d := time.Since(t0); d < cfg.Node.StallTimeout {
		t.Fatalf("run took %v, less than the stall timeout", d)
	}
}

func TestGoroutineSummary(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	for range 3 {
		go func() { <-block }()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, sum := goroutineSummary(5)
		if n < 4 || len(sum) == 0 || len(sum) > 5 {
			t.Fatalf("summary of %d goroutines: %q", n, sum)
		}
		if strings.HasPrefix(sum[0], "3× [chan receive] node.TestGoroutineSummary") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("most common stack %q, want the 3 blocked goroutines first", sum[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
