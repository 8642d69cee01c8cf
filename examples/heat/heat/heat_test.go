package heat

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"

	"go.uber.org/goleak"
	"gonum.org/v1/gonum/stat"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
	"github.com/apollo-hpc/apollo/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var bg = context.Background()

// onRanks runs fn on every rank of a world made of endpoints eps.
func onRanks(t *testing.T, eps []comm.Endpoint, fn func(c *comm.Comm) error) {
	t.Helper()
	errs := make([]error, len(eps))
	var wg sync.WaitGroup
	for r := range eps {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			c := comm.New(eps[r])
			if errs[r] = fn(c); errs[r] != nil {
				c.Close()
			}
		}(r)
	}
	wg.Wait()
	for _, ep := range eps {
		ep.Close()
	}
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
}

type outcome struct {
	checksum uint64
	errL2    float64
	sum      float64
	time     float64
}

// run steps the model with ghost width ng on the given world and returns
// rank 0's outcome (after checking every rank agrees). It fails unless the
// model takes the fused path exactly when fused is true.
func run(t *testing.T, eps []comm.Endpoint, g sim.Grid, ng int, fused bool, cfg Config, dc sim.DriverConfig) outcome {
	t.Helper()
	outs := make([]outcome, len(eps))
	onRanks(t, eps, func(c *comm.Comm) error {
		env, err := sim.NewEnv(c, g, [3]int{}, ng)
		if err != nil {
			return err
		}
		m := New(cfg)
		res, err := sim.Run(bg, env, m, dc, sim.Hooks{}, nil)
		if err != nil {
			return err
		}
		if m.Fused() != fused {
			return fmt.Errorf("ghost width %d, %d sub-steps, BC %v: fused %v, want %v", ng, m.Config().Substeps, g.BC, m.Fused(), fused)
		}
		var o outcome
		o.time = res.Time
		if o.checksum, err = sim.FieldsChecksum(bg, env, m.Fields()); err != nil {
			return err
		}
		if o.errL2, err = m.ErrorL2(bg, env, res.Time); err != nil {
			return err
		}
		if o.sum, err = sim.Sum(bg, env, m.Fields()[0]); err != nil {
			return err
		}
		outs[c.Rank()] = o
		return nil
	})
	for r := range outs {
		if outs[r] != outs[0] {
			t.Fatalf("rank %d: %+v, rank 0: %+v", r, outs[r], outs[0])
		}
	}
	return outs[0]
}

// The error falls at second order when dx halves and dt ∝ dx² (FTCS is
// first order in time, second in space).
func TestConvergenceSecondOrder(t *testing.T) {
	const T = 1.0 / 160
	ns := []int{8, 16, 32}
	var errs []float64
	for _, n := range ns {
		o := run(t, inproc.NewWorld(2, 1), DefaultGrid(n), Ghosts, true, Config{CFL: 0.6}, sim.DriverConfig{StopTime: T})
		if o.time != T {
			t.Fatalf("n=%d stopped at t=%v", n, o.time)
		}
		errs = append(errs, o.errL2)
	}
	logDx := make([]float64, len(ns))
	logErr := make([]float64, len(ns))
	for i := range ns {
		logDx[i] = math.Log(1 / float64(ns[i]))
		logErr[i] = math.Log(errs[i])
		if i > 0 {
			order := math.Log2(errs[i-1] / errs[i])
			t.Logf("error %.3e -> %.3e: order %.3f", errs[i-1], errs[i], order)
			if order < 1.9 || order > 2.1 {
				t.Errorf("measured order %.3f between n=%d and n=%d, want 1.9..2.1", order, ns[i-1], ns[i])
			}
		}
	}
	// The order over all resolutions: the least-squares slope of log error
	// against log dx.
	_, slope := stat.LinearRegression(logDx, logErr, nil, false)
	t.Logf("least-squares order over n=%v: %.3f", ns, slope)
	if slope < 1.9 || slope > 2.1 {
		t.Errorf("least-squares order %.3f, want 1.9..2.1", slope)
	}
}

// The fields are bit-identical on 1, 2, 4 and 8 ranks, for the periodic
// sine and for a Gaussian on a box with outflow and reflecting faces, with
// 1 to MaxSubsteps sub-steps per step. Sub-steps give the same bits whether
// they are fused (ghost width ≥ Substeps, periodic box) or done one after
// the other (ghost width 1, or a box with physical faces, where fusing is
// refused).
func TestBitIdenticalAcrossRanks(t *testing.T) {
	mixed := sim.Grid{N: [3]int{12, 10, 8}, Lo: [3]float64{-1, 0, 0}, Hi: [3]float64{1, 1.5, 1},
		BC: [3][2]sim.Boundary{{sim.Periodic, sim.Periodic}, {sim.Outflow, sim.Reflecting}, {sim.Reflecting, sim.Outflow}}}
	for _, c := range []struct {
		g        sim.Grid
		cfg      Config
		periodic bool
	}{
		{DefaultGrid(12), Config{Modes: [3]int{1, 2, 1}}, true},
		{mixed, Config{Init: Gauss, Sigma: 0.2}, false},
	} {
		for sub := 1; sub <= MaxSubsteps; sub++ {
			cfg := c.cfg
			cfg.Substeps = sub
			var ref outcome
			for _, ng := range []int{1, max(2, sub)} {
				for _, size := range []int{1, 2, 4, 8} {
					o := run(t, inproc.NewWorld(size, 1), c.g, ng, sub > 1 && ng >= sub && c.periodic, cfg, sim.DriverConfig{StopStep: 25})
					if ng == 1 && size == 1 {
						ref = o
						continue
					}
					if o != ref {
						t.Fatalf("%v, %d sub-steps: ghost width %d on %d ranks %+v, ghost width 1 on 1 rank %+v", c.g.BC, sub, ng, size, o, ref)
					}
				}
			}
			if ref.sum == 0 || ref.checksum == 0 {
				t.Fatalf("degenerate outcome %+v", ref)
			}
		}
	}
}

// The fused sweep gives the bits of separate sub-steps, for 2 to
// MaxSubsteps of them, on awkward shapes: odd row lengths (the kernels'
// scalar tails, x ghosts at every alignment), blocks as thin as the ghost
// width allows, many y-tiles with rows shared between tiles, x split
// between ranks (x ghosts computed rather than copied), and a final step
// clipped to reach StopTime.
func TestFusedMatchesSeparate(t *testing.T) {
	defer func(b int) { fusedTileBytes = b }(fusedTileBytes)
	dc := sim.DriverConfig{StopTime: 0.05}
	for sub := 2; sub <= MaxSubsteps; sub++ {
		cfg := Config{Init: Gauss, Sigma: 0.15, Substeps: sub}
		for _, n := range [][3]int{{7, 9, 5}, {13, 6, 11}, {4, 4, 4}, {2, 3, 2}, {9, 8, 17}} {
			g := sim.Grid{N: n, Hi: [3]float64{1, 0.9, 1.1}}
			if min(n[0], n[1], n[2]) < sub {
				continue // fusing needs sub cells per axis
			}
			for _, tb := range []int{1 << 30, 1} { // one tile; tiles of 4 rows
				fusedTileBytes = tb
				ref := run(t, inproc.NewWorld(1, 1), g, 1, false, cfg, dc)
				for _, size := range []int{1, 2, 4, 8} {
					if !fits(g, size, sub) {
						continue // the grid is too small for this many ranks
					}
					if o := run(t, inproc.NewWorld(size, 1), g, sub, true, cfg, dc); o != ref {
						t.Fatalf("%d sub-steps, grid %v, tile %d B, %d ranks: fused %+v, separate on 1 rank %+v", sub, n, tb, size, o, ref)
					}
				}
			}
		}
	}
}

// fits reports whether every rank's block of g on size ranks can have ghost
// width ng.
func fits(g sim.Grid, size, ng int) bool {
	p, err := sim.ProcGrid(size, g.N)
	if err != nil {
		return false
	}
	for r := 0; r < size; r++ {
		if _, err := sim.NewBlock(g, p, r, ng); err != nil {
			return false
		}
	}
	return true
}

// A run restored from a mid-run snapshot ends with the same bits.
func TestSnapshotRestoreBitIdentical(t *testing.T) {
	for _, ng := range []int{1, Ghosts} {
		snapshotRestore(t, ng)
	}
}

func snapshotRestore(t *testing.T, ng int) {
	g := DefaultGrid(10)
	const size = 4
	snaps := make([][]byte, size)
	full := make([]uint64, size)
	again := make([]uint64, size)
	onRanks(t, inproc.NewWorld(size, 1), func(c *comm.Comm) error {
		env, err := sim.NewEnv(c, g, [3]int{}, ng)
		if err != nil {
			return err
		}
		m := New(Config{})
		hooks := sim.Hooks{Checkpoint: func(ctx context.Context, s sim.Snapshot) error {
			if s.Step == 15 {
				snaps[c.Rank()], err = s.AppendBinary(nil)
			}
			return err
		}}
		dc := sim.DriverConfig{StopStep: 40, CheckpointEvery: 15, ModelName: m.Name()}
		if _, err := sim.Run(bg, env, m, dc, hooks, nil); err != nil {
			return err
		}
		if full[c.Rank()], err = sim.FieldsChecksum(bg, env, m.Fields()); err != nil {
			return err
		}
		snap, err := sim.DecodeSnapshot(snaps[c.Rank()])
		if err != nil {
			return err
		}
		m2 := New(Config{})
		if _, err := sim.Run(bg, env, m2, dc, sim.Hooks{}, snap); err != nil {
			return err
		}
		again[c.Rank()], err = sim.FieldsChecksum(bg, env, m2.Fields())
		return err
	})
	for r := range full {
		if full[r] != again[r] {
			t.Fatalf("ghost width %d, rank %d: uninterrupted %x, restored %x", ng, r, full[r], again[r])
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{{CFL: 1.5}, {D: -1}, {Init: "square"}, {Substeps: MaxSubsteps + 1}, {Substeps: -1}} {
		onRanks(t, inproc.NewWorld(1, 1), func(c *comm.Comm) error {
			env, err := sim.NewEnv(c, DefaultGrid(4), [3]int{}, 1)
			if err != nil {
				return err
			}
			if err := New(cfg).Init(bg, env); err == nil {
				return fmt.Errorf("config %+v accepted", cfg)
			}
			return nil
		})
	}
	m := New(Config{})
	onRanks(t, inproc.NewWorld(1, 1), func(c *comm.Comm) error {
		env, _ := sim.NewEnv(c, DefaultGrid(4), [3]int{}, 1)
		if err := m.Init(bg, env); err != nil {
			return err
		}
		st, _ := m.AppendState(nil)
		if err := m.RestoreState(st[:len(st)-1]); err == nil {
			return fmt.Errorf("short state accepted")
		}
		st[0] = 9
		if err := m.RestoreState(st); err == nil {
			return fmt.Errorf("state version 9 accepted")
		}
		return nil
	})
}

// RestoreState never panics on arbitrary bytes and accepts only what
// AppendState produces for this block.
func FuzzRestoreState(f *testing.F) {
	g := DefaultGrid(3)
	b, err := sim.NewBlock(g, [3]int{1, 1, 1}, 0, 1)
	if err != nil {
		f.Fatal(err)
	}
	m := New(Config{})
	m.b, m.u = b, b.NewField("u", sim.Cell)
	for i := range m.u.Data {
		m.u.Data[i] = float64(i)
	}
	good, _ := m.AppendState(nil)
	f.Add(good)
	f.Add(good[:9])
	f.Add([]byte{stateVersion})
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := m.RestoreState(data); err != nil {
			return
		}
		again, _ := m.AppendState(nil)
		if string(again) != string(data) {
			t.Fatal("restored state re-encodes differently")
		}
	})
}
