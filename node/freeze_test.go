package node

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/coord"
	"github.com/apollo-hpc/apollo/sim"
)

// slowMHD is the Orszag-Tang model with a pause per step, so that a node
// can be pulled while the run is in progress. Embedding keeps it a
// sim.Freezer: the node hands frozen states to the checkpointer.
type slowMHD struct{ sim.Model }

func (m slowMHD) Step(ctx context.Context, env *sim.Env, t, dt float64) error {
	time.Sleep(3 * time.Millisecond)
	return m.Model.Step(ctx, env, t, dt)
}

func (m slowMHD) Freeze() (sim.Frozen, error)        { return m.Model.(sim.Freezer).Freeze() }
func (m slowMHD) FreezeWait() (int64, time.Duration) { return m.Model.(sim.Freezer).FreezeWait() }

func init() {
	RegisterProblem("orszag-tang-slow", "orszag-tang with a 3 ms pause per step (tests only)", func(spec *JobSpec) (Setup, error) {
		s, err := problems["orszag-tang"].setup(spec)
		if err != nil {
			return s, err
		}
		inner := s.New
		s.New = func() sim.Model { return slowMHD{inner()} }
		return s, nil
	})
}

// TestRunFrozenCheckpointsRecover: with frozen (copy-on-write) checkpoints
// of the MHD model, a run whose node is pulled rolls back to a checkpoint
// that was serialized while the solver stepped on, and ends with the bits of
// an undisturbed run.
func TestRunFrozenCheckpointsRecover(t *testing.T) {
	base := testConfig(t, "orszag-tang", 1)
	base.Job.Grid = []int{8, 8, 8}
	base.Job.StopStep = 60
	base.Checkpoint.EverySteps = 5
	ref, err := Run(context.Background(), base, RunOptions{Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := mustSetup(t, "orszag-tang").New().(sim.Freezer); !ok {
		t.Fatal("the MHD model is not a sim.Freezer: this test would not test frozen checkpoints")
	}
	cfg := testConfig(t, "orszag-tang-slow", 3)
	cfg.Job.Grid = []int{8, 8, 8}
	cfg.Job.StopStep = 60
	cfg.Checkpoint.EverySteps = 5
	cfg.Controller.Lease = 10 * time.Second
	var once sync.Once
	var pullErr error
	res, err := Run(context.Background(), cfg, RunOptions{Log: quietLog(),
		Started: func(ctl *coord.Client, ws []*Worker) {
			once.Do(func() {
				for {
					st, err := ctl.Status(context.Background())
					if err != nil {
						pullErr = err
						return
					}
					if cps := st.State.Checkpoints; len(cps) > 0 && cps[len(cps)-1].Step >= 20 {
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
				for ws[1].ID() == "" {
					time.Sleep(time.Millisecond)
				}
				_, pullErr = ctl.Pull(context.Background(), ws[1].ID())
			})
		}})
	if err != nil {
		t.Fatal(err)
	}
	if pullErr != nil {
		t.Fatal(pullErr)
	}
	if res.Checksum != ref.Checksum || res.Recoveries != 1 || res.Steps != 60 {
		t.Fatalf("checksum %016x recoveries %d steps %d, want %016x, 1, 60", res.Checksum, res.Recoveries, res.Steps, ref.Checksum)
	}
}

func mustSetup(t *testing.T, problem string) Setup {
	t.Helper()
	spec := JobSpec{Problem: problem, Grid: [3]int{8, 8, 8}}
	s, err := setupProblem(&spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
