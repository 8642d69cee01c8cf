package sim

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/comm"
)

// toy is a small diffusion model with a rank-dependent MaxDt, so the
// driver's global minimum matters.
type toy struct {
	u, tmp *Field
	halo   *Halo
	steps  int64
}

func (m *toy) Init(ctx context.Context, env *Env) error {
	b := env.Block
	m.u, m.tmp = b.NewField("u", Cell), b.NewField("tmp", Cell)
	for k := 0; k < b.N[2]; k++ {
		for j := 0; j < b.N[1]; j++ {
			for i := 0; i < b.N[0]; i++ {
				m.u.Set(i, j, k, math.Sin(2*math.Pi*b.X(i))*math.Cos(2*math.Pi*b.Y(j))+b.Z(k))
			}
		}
	}
	var err error
	m.halo, err = NewHalo(env.Comm, b, m.u)
	return err
}

func (m *toy) MaxDt(env *Env) float64 { return 0.01 * (1 + 0.1*float64(env.Comm.Rank())) }

func (m *toy) Step(ctx context.Context, env *Env, t, dt float64) error {
	if err := m.halo.Exchange(ctx); err != nil {
		return err
	}
	u, v := m.u.Data, m.tmp.Data
	sx, sxy, b := m.u.Sx, m.u.Sx*m.u.Sy, env.Block
	for k := 0; k < b.N[2]; k++ {
		for j := 0; j < b.N[1]; j++ {
			c := m.u.Idx(0, j, k)
			for i := 0; i < b.N[0]; i++ {
				p := c + i
				v[p] = u[p] + dt*(u[p-1]+u[p+1]+u[p-sx]+u[p+sx]+u[p-sxy]+u[p+sxy]-6*u[p])
			}
		}
	}
	m.u, m.tmp = m.tmp, m.u
	m.halo.fields[0] = m.u
	m.steps++
	return nil
}

func (m *toy) AppendState(buf []byte) ([]byte, error) {
	buf = binary.LittleEndian.AppendUint64(buf, uint64(m.steps))
	for _, x := range m.u.Data {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
	}
	return buf, nil
}

func (m *toy) RestoreState(data []byte) error {
	if len(data) != 8+8*len(m.u.Data) {
		return fmt.Errorf("toy: state of %d bytes", len(data))
	}
	m.steps = int64(binary.LittleEndian.Uint64(data))
	for i := range m.u.Data {
		m.u.Data[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8+8*i:]))
	}
	return nil
}

func (m *toy) Fields() []*Field { return []*Field{m.u} }

var toyGrid = Grid{N: [3]int{8, 6, 4}, Hi: [3]float64{1, 1, 1},
	BC: [3][2]Boundary{{Periodic, Periodic}, {Periodic, Periodic}, {Outflow, Reflecting}}}

func TestRunStopTimeAndHooks(t *testing.T) {
	const size = 4
	var mu sync.Mutex
	ckpts := map[int][]int64{}
	outputs := map[int][]int64{}
	results := make([]Result, size)
	runRanks(t, size, func(c *comm.Comm) error {
		env, err := NewEnv(c, toyGrid, [3]int{}, 1)
		if err != nil {
			return err
		}
		var lastDt float64
		hooks := Hooks{
			Checkpoint: func(ctx context.Context, s Snapshot) error {
				mu.Lock()
				defer mu.Unlock()
				ckpts[c.Rank()] = append(ckpts[c.Rank()], s.Step)
				return nil
			},
			Output: func(ctx context.Context, step int64, tm float64, env *Env, m Model) error {
				mu.Lock()
				defer mu.Unlock()
				outputs[c.Rank()] = append(outputs[c.Rank()], step)
				return nil
			},
			Progress: func(step int64, tm, dt float64) { lastDt = dt },
		}
		cfg := DriverConfig{StopTime: 0.255, CheckpointEvery: 10, OutputEvery: 7}
		res, err := Run(bg, env, &toy{}, cfg, hooks, nil)
		results[c.Rank()] = res
		if err == nil && !(lastDt < 0.01 && lastDt > 0) {
			err = fmt.Errorf("last dt %v not clipped", lastDt)
		}
		return err
	})
	for r := 0; r < size; r++ {
		// dt is the global minimum 0.01: 25 full steps, then 0.005 to 0.255.
		if results[r].Time != 0.255 || results[r].Step != 26 {
			t.Fatalf("rank %d: %+v", r, results[r])
		}
		if fmt.Sprint(ckpts[r]) != "[10 20]" || fmt.Sprint(outputs[r]) != "[0 7 14 21]" {
			t.Fatalf("rank %d: checkpoints %v outputs %v", r, ckpts[r], outputs[r])
		}
	}
}

// Wall-clock checkpoints are decided by rank 0 and taken by all ranks at
// the same steps, even when the ranks' clocks disagree.
func TestRunWallCheckpointAgreed(t *testing.T) {
	const size = 3
	var mu sync.Mutex
	ckpts := map[int][]int64{}
	runRanks(t, size, func(c *comm.Comm) error {
		env, err := NewEnv(c, toyGrid, [3]int{}, 1)
		if err != nil {
			return err
		}
		cfg := DriverConfig{StopStep: 30, CheckpointWall: 2 * time.Millisecond}
		hooks := Hooks{
			Checkpoint: func(ctx context.Context, s Snapshot) error {
				mu.Lock()
				ckpts[c.Rank()] = append(ckpts[c.Rank()], s.Step)
				mu.Unlock()
				return nil
			},
			Progress: func(step int64, tm, dt float64) {
				if c.Rank() != 0 && step%5 == 0 {
					time.Sleep(time.Duration(c.Rank()) * time.Millisecond)
				}
			},
		}
		_, err = Run(bg, env, &toy{}, cfg, hooks, nil)
		return err
	})
	if len(ckpts[0]) == 0 {
		t.Fatal("no wall-clock checkpoint taken")
	}
	for r := 1; r < size; r++ {
		if fmt.Sprint(ckpts[r]) != fmt.Sprint(ckpts[0]) {
			t.Fatalf("rank %d checkpointed at %v, rank 0 at %v", r, ckpts[r], ckpts[0])
		}
	}
}

// An on-demand checkpoint asked of rank 0 is taken by every rank after the
// same step; the other ranks' answers are ignored.
func TestRunCheckpointNowAgreed(t *testing.T) {
	const size = 3
	var mu sync.Mutex
	ckpts := map[int][]int64{}
	runRanks(t, size, func(c *comm.Comm) error {
		env, err := NewEnv(c, toyGrid, [3]int{}, 1)
		if err != nil {
			return err
		}
		asked := 0
		hooks := Hooks{
			Checkpoint: func(ctx context.Context, s Snapshot) error {
				mu.Lock()
				ckpts[c.Rank()] = append(ckpts[c.Rank()], s.Step)
				mu.Unlock()
				return nil
			},
			CheckpointNow: func() bool {
				asked++
				if c.Rank() != 0 {
					return true // must not count
				}
				return asked == 7 || asked == 8 // before steps 7 and 8
			},
		}
		_, err = Run(bg, env, &toy{}, DriverConfig{StopStep: 20, CheckpointEvery: 10}, hooks, nil)
		return err
	})
	for r := 0; r < size; r++ {
		if got, want := fmt.Sprint(ckpts[r]), "[7 8 10 20]"; got != want {
			t.Fatalf("rank %d checkpointed at %v, want %v", r, got, want)
		}
	}
}

// A run restarted from an encoded snapshot ends with the same bits as the
// uninterrupted run; a snapshot of another layout is refused.
func TestRunRestartBitIdentical(t *testing.T) {
	const size = 2
	snaps := make([][]byte, size)
	full := make([]uint64, size)
	restarted := make([]uint64, size)
	runRanks(t, size, func(c *comm.Comm) error {
		env, err := NewEnv(c, toyGrid, [3]int{}, 1)
		if err != nil {
			return err
		}
		m := &toy{}
		hooks := Hooks{Checkpoint: func(ctx context.Context, s Snapshot) error {
			if s.Step == 12 {
				snaps[c.Rank()], err = s.AppendBinary(nil)
			}
			return err
		}}
		if _, err := Run(bg, env, m, DriverConfig{StopStep: 20, CheckpointEvery: 6}, hooks, nil); err != nil {
			return err
		}
		if full[c.Rank()], err = FieldsChecksum(bg, env, m.Fields()); err != nil {
			return err
		}
		snap, err := DecodeSnapshot(snaps[c.Rank()])
		if err != nil {
			return err
		}
		m2 := &toy{}
		res, err := Run(bg, env, m2, DriverConfig{StopStep: 20}, Hooks{}, snap)
		if err != nil {
			return err
		}
		if res.Steps != 8 || m2.steps != 20 {
			return fmt.Errorf("restart took %d steps, model counted %d", res.Steps, m2.steps)
		}
		if restarted[c.Rank()], err = FieldsChecksum(bg, env, m2.Fields()); err != nil {
			return err
		}
		// Another model name or layout is refused before any step.
		if _, err := Run(bg, env, &toy{}, DriverConfig{StopStep: 20, ModelName: "other"}, Hooks{}, snap); !errors.Is(err, ErrSnapshot) {
			return fmt.Errorf("other model name: %v", err)
		}
		return nil
	})
	for r := 0; r < size; r++ {
		if full[r] != restarted[r] || full[r] != full[0] {
			t.Fatalf("rank %d: full %x restarted %x", r, full[r], restarted[r])
		}
	}
}

func TestRunErrors(t *testing.T) {
	runRanks(t, 1, func(c *comm.Comm) error {
		env, err := NewEnv(c, toyGrid, [3]int{}, 1)
		if err != nil {
			return err
		}
		if _, err := Run(bg, env, &toy{}, DriverConfig{}, Hooks{}, nil); err == nil {
			return errors.New("run without stop accepted")
		}
		ctx, cancel := context.WithCancel(bg)
		cancel()
		if _, err := Run(ctx, env, &toy{}, DriverConfig{StopStep: 5}, Hooks{}, nil); !errors.Is(err, context.Canceled) {
			return fmt.Errorf("cancelled run: %v", err)
		}
		boom := errors.New("boom")
		_, err = Run(bg, env, &toy{}, DriverConfig{StopStep: 5, CheckpointEvery: 2},
			Hooks{Checkpoint: func(context.Context, Snapshot) error { return boom }}, nil)
		if !errors.Is(err, boom) {
			return fmt.Errorf("checkpoint hook error: %v", err)
		}
		return nil
	})
}

// badDt returns NaN on one rank: every rank must fail, none hang.
type badDt struct{ toy }

func (m *badDt) MaxDt(env *Env) float64 {
	if env.Comm.Rank() == 1 {
		return math.NaN()
	}
	return 0.01
}

func TestRunBadDtFailsEverywhere(t *testing.T) {
	err := RunLocal(3, func(c *comm.Comm) error {
		env, err := NewEnv(c, toyGrid, [3]int{}, 1)
		if err != nil {
			return err
		}
		_, err = Run(bg, env, &badDt{}, DriverConfig{StopStep: 3}, Hooks{}, nil)
		if err == nil {
			return errors.New("NaN dt accepted")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
