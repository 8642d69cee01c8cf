package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/checkpoint"
	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
	"github.com/apollo-hpc/apollo/coord"
	"github.com/apollo-hpc/apollo/examples/heat/heat"
	"github.com/apollo-hpc/apollo/sim"
)

// slowHeat is the heat model with a pause per step, so that tests can act
// while a run is in progress.
type slowHeat struct{ *heat.Model }

func (m slowHeat) Step(ctx context.Context, env *sim.Env, t, dt float64) error {
	time.Sleep(2 * time.Millisecond)
	return m.Model.Step(ctx, env, t, dt)
}

func init() {
	RegisterProblem("heat-slow", "heat with a 2 ms pause per step (tests only)", func(spec *JobSpec) (Setup, error) {
		s, err := problems["heat"].setup(spec)
		s.New = func() sim.Model { return slowHeat{heat.New(heat.Config{Init: heat.Gauss})} }
		return s, err
	})
}

// reference runs heat directly with the sim driver on one in-process world.
func reference(t *testing.T, n, ranks int, steps int64) uint64 {
	t.Helper()
	spec := JobSpec{Problem: "heat", Grid: [3]int{n, n, n}, Ranks: ranks}
	setup, err := setupProblem(&spec)
	if err != nil {
		t.Fatal(err)
	}
	eps := inproc.NewWorld(ranks, 1)
	sums := make([]uint64, ranks)
	errs := make([]error, ranks)
	var wg sync.WaitGroup
	for r := range eps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := comm.New(eps[r])
			defer c.Close()
			env, err := sim.NewEnv(c, setup.Grid, [3]int{}, setup.Ng)
			if err != nil {
				errs[r] = err
				return
			}
			m := setup.New()
			if _, err := sim.Run(context.Background(), env, m, sim.DriverConfig{StopStep: steps, ModelName: setup.Model}, sim.Hooks{}, nil); err != nil {
				errs[r] = err
				return
			}
			sums[r], errs[r] = sim.FieldsChecksum(context.Background(), env, m.Fields())
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return sums[0]
}

func testConfig(t *testing.T, problem string, nodes int) Config {
	c := DefaultConfig()
	c.Job.Problem = problem
	c.Job.Grid = []int{16, 16, 16}
	c.Job.StopStep = 120
	c.Job.StopTime = 0
	c.Job.DataDir = t.TempDir()
	c.Run.Nodes = nodes
	c.Checkpoint.EverySteps = 10
	c.Controller.Lease = 500 * time.Millisecond
	c.Controller.Heartbeat = 50 * time.Millisecond
	return c
}

func TestRunMatchesPlainDriver(t *testing.T) {
	want := reference(t, 16, 1, 120)
	for _, nodes := range []int{1, 4} {
		res, err := Run(context.Background(), testConfig(t, "heat", nodes), RunOptions{Log: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		if res.Checksum != want || res.Steps != 120 || res.Recoveries != 0 {
			t.Fatalf("%d nodes: checksum %016x steps %d recoveries %d, want %016x", nodes, res.Checksum, res.Steps, res.Recoveries, want)
		}
	}
}

// TestRunHeartbeatChannel: apollo run's in-process nodes renew their
// leases over controller.heartbeat_channel, as apollo node does, and a run
// longer than the lease ends with no recovery and the same bits either way.
func TestRunHeartbeatChannel(t *testing.T) {
	const steps = 300 // heat-slow: ≥ 0.6 s, more than the lease
	want := reference(t, 16, 1, steps)
	for _, ch := range []string{ChannelUDP, ChannelHTTP} {
		cfg := testConfig(t, "heat-slow", 2)
		cfg.Job.StopStep = steps
		cfg.Controller.HeartbeatChannel = ch
		var hookErr error
		res, err := Run(context.Background(), cfg, RunOptions{Log: quietLog(),
			Started: func(_ *coord.Client, ws []*Worker) {
				for _, w := range ws {
					switch c := w.cfg.Ctl.(type) {
					case *beatController:
						if ch != ChannelUDP {
							hookErr = fmt.Errorf("%s: node %s beats over UDP", ch, w.cfg.Addr)
						}
					case *clientController:
						if ch != ChannelHTTP {
							hookErr = fmt.Errorf("%s: node %s beats over HTTP", ch, w.cfg.Addr)
						}
					default:
						hookErr = fmt.Errorf("%s: node %s has controller %T", ch, w.cfg.Addr, c)
					}
				}
			}})
		if err != nil {
			t.Fatalf("%s: %v", ch, err)
		}
		if hookErr != nil {
			t.Fatal(hookErr)
		}
		if res.Checksum != want || res.Recoveries != 0 {
			t.Fatalf("%s: checksum %016x recoveries %d, want %016x and 0", ch, res.Checksum, res.Recoveries, want)
		}
	}
}

// TestRunSurvivesPull pulls a node once a checkpoint is committed: the run
// rolls back, rebuilds the lost ranks and ends with the same bits.
func TestRunSurvivesPull(t *testing.T) {
	want := reference(t, 16, 1, 120)
	for _, victim := range []int{0, 2} {
		var pullErr error
		cfg := testConfig(t, "heat-slow", 4)
		// The pull is the only failure this test makes: a lease far longer
		// than any scheduling hiccup of a loaded -race run keeps a slow
		// survivor from being declared dead too (a second recovery). The
		// pull itself takes effect at once, whatever the lease.
		cfg.Controller.Lease = 10 * time.Second
		res, err := Run(context.Background(), cfg, RunOptions{Log: quietLog(),
			Started: func(ctl *coord.Client, ws []*Worker) {
				for {
					st, err := ctl.Status(context.Background())
					if err != nil {
						pullErr = err
						return
					}
					if cps := st.State.Checkpoints; len(cps) > 0 && cps[len(cps)-1].Step >= 30 {
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
				for ws[victim].ID() == "" {
					time.Sleep(time.Millisecond)
				}
				_, pullErr = ctl.Pull(context.Background(), ws[victim].ID())
			}})
		if err != nil {
			t.Fatal(err)
		}
		if pullErr != nil {
			t.Fatal(pullErr)
		}
		if res.Checksum != want || res.Recoveries != 1 {
			t.Fatalf("victim %d: checksum %016x recoveries %d, want %016x and 1", victim, res.Checksum, res.Recoveries, want)
		}
	}
}

// TestRunOrszagTang: the MHD problem plugs in through the registry and
// gives the same bits on 1 and 3 in-process nodes.
func TestRunOrszagTang(t *testing.T) {
	var sums []uint64
	for _, nodes := range []int{1, 3} {
		c := testConfig(t, "orszag-tang", nodes)
		c.Job.Grid = []int{8, 8, 8}
		c.Job.StopStep = 12
		c.Checkpoint.EverySteps = 4
		res, err := Run(context.Background(), c, RunOptions{Log: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, res.Checksum)
	}
	if sums[0] != sums[1] {
		t.Fatalf("orszag-tang checksums differ: %016x %016x", sums[0], sums[1])
	}
}

func TestRunWritesOutput(t *testing.T) {
	c := testConfig(t, "heat", 2)
	c.Output.EverySteps = 60
	if _, err := Run(context.Background(), c, RunOptions{Log: quietLog()}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"apollo.pvd", "apollo_000120.pvti", "apollo_000120_0003.vti", "apollo_000000.pvti"} {
		if _, err := os.Stat(filepath.Join(c.OutputDir(), f)); err != nil {
			t.Error(err)
		}
	}
}

func TestShardNameLayout(t *testing.T) {
	// prune parses checkpoint.ShardName; fail loudly if its layout changes.
	n := checkpoint.ShardName(0x1234, 3, 2)
	if !strings.HasPrefix(n, "ckpt-") || n[5:21] != "0000000000001234" {
		t.Fatalf("shard name layout changed: %q", n)
	}
}
