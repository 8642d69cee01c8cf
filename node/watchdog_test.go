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
	block, wedge bool
}

var (
	trapArmed atomic.Bool
	trapStep  = 35.0 // in steps of the test job
	// trapRelease ends a wedged step: each test that wedges one stores a
	// fresh channel and closes it when done (so -count=N works).
	trapRelease atomic.Pointer[chan struct{}]
)

func (m trapHeat) Step(ctx context.Context, env *sim.Env, t, dt float64) error {
	if env.Comm.Rank() == 1 && t >= (trapStep-0.5)*dt && trapArmed.CompareAndSwap(true, false) {
		switch {
		case m.wedge: // deaf to its context, like a deadlock on a mutex
			<-*trapRelease.Load()
			return errors.New("trap: released")
		case m.block:
			<-ctx.Done()
			return ctx.Err()
		}
		return errors.New("trap: simulated lost connection")
	}
	return m.Model.Step(ctx, env, t, dt)
}

func init() {
	for name, kind := range map[string][2]bool{"heat-fail-once": {}, "heat-block-once": {true, false}, "heat-wedge-once": {false, true}} {
		RegisterProblem(name, "heat whose rank 1 fails, blocks or wedges once (tests only)", func(spec *JobSpec) (Setup, error) {
			s, err := problems["heat"].setup(spec)
			s.New = func() sim.Model { return trapHeat{heat.New(heat.Config{Init: heat.Gauss}), kind[0], kind[1]} }
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

// TestRunStallWatchdogWedged: a rank is stuck in a call that ignores its
// context, so its node cannot even stop the epoch. Whichever node leaves
// first, the wedged one leaves once it fails to stop its ranks for the new
// epoch, and the run ends with the undisturbed run's bits.
func TestRunStallWatchdogWedged(t *testing.T) {
	want := reference(t, 16, 1, 120)
	cfg := testConfig(t, "heat-wedge-once", 4)
	// Longer than the failed-epoch grace (2 × 500 ms + 2 s), as with the
	// defaults (5 min against 6 s): the wedged node goes before a node of
	// the new epoch, stuck waiting for it, times out.
	cfg.Node.StallTimeout = 5 * time.Second
	release := make(chan struct{})
	trapRelease.Store(&release)
	defer close(release)
	trapArmed.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Run(ctx, cfg, RunOptions{Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	// One node or two left (the first to time out, then the wedged one if
	// it was not the first): the final epoch is 2 or 3. (Recoveries may
	// count more: the finished nodes' leases run out while the wedged
	// worker is being waited for.)
	if res.Checksum != want || res.Epoch < 2 || res.Epoch > 3 {
		t.Fatalf("checksum %016x in epoch %d, want %016x in epoch 2 or 3", res.Checksum, res.Epoch, want)
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
