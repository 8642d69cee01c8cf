package mhd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/sim"
)

// runFrozen runs cfg on ranks in-process ranks for steps steps. With
// every > 0 it freezes the model every that many steps; each frozen state
// is serialized by another goroutine only after the model has finished
// hold more steps (and slept 50 ms more), while the model steps on, and
// must equal AppendState at the step of the freeze byte for byte. With
// three state sets, a step may need the set frozen two freezes ago back,
// so hold must be small enough that no release waits for such a step. It returns the final
// AppendState of every rank and the steps' freeze waits.
func runFrozen(t *testing.T, cfg Config, ranks int, steps, every, hold int64) (map[int][]byte, int64) {
	t.Helper()
	var mu sync.Mutex
	final := map[int][]byte{}
	var waits int64
	err := sim.RunLocal(ranks, func(c *comm.Comm) error {
		ctx := context.Background()
		m, err := New(cfg)
		if err != nil {
			return err
		}
		env, err := sim.NewEnv(c, m.Grid(), [3]int{}, Ghosts)
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		defer wg.Wait()
		var smu sync.Mutex
		reached := map[int64]chan struct{}{} // closed when the model completes a step
		stepDone := func(n int64) chan struct{} {
			smu.Lock()
			defer smu.Unlock()
			if reached[n] == nil {
				reached[n] = make(chan struct{})
			}
			return reached[n]
		}
		errs := make(chan error, steps)
		hooks := sim.Hooks{
			Deferred: true,
			Progress: func(step int64, _, _ float64) { close(stepDone(step)) },
			Checkpoint: func(_ context.Context, snap sim.Snapshot) error {
				if snap.Frozen == nil || snap.Data != nil {
					snap.Frozen.Release()
					return errors.New("driver did not freeze the model")
				}
				want, err := m.AppendState(nil) // reads the frozen arrays only
				if err != nil {
					snap.Frozen.Release()
					return err
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer snap.Frozen.Release()
					if snap.Step+hold <= steps {
						<-stepDone(snap.Step + hold)
					}
					time.Sleep(50 * time.Millisecond)
					got, err := snap.Frozen.AppendTo(nil)
					if err == nil && !bytes.Equal(got, want) {
						err = fmt.Errorf("rank %d: frozen state of step %d serialized later differs from AppendState (%d vs %d bytes)",
							c.Rank(), snap.Step, len(got), len(want))
					}
					if err == nil && snap.Frozen.Size() != len(want) {
						err = fmt.Errorf("Size %d, %d bytes", snap.Frozen.Size(), len(want))
					}
					if err != nil {
						errs <- err
					}
				}()
				return nil
			},
		}
		dcfg := sim.DriverConfig{StopStep: steps, CheckpointEvery: every, ModelName: "mhd"}
		if every == 0 {
			hooks.Checkpoint = nil
		}
		if _, err := sim.Run(ctx, env, m, dcfg, hooks, nil); err != nil {
			return err
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			return err
		}
		b, err := m.AppendState(nil)
		if err != nil {
			return err
		}
		n, _ := m.FreezeWait()
		mu.Lock()
		final[c.Rank()] = b
		waits += n
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return final, waits
}

// TestFreezeBitIdentical: a state frozen at step n and serialized after
// steps n+1..n+3 equals AppendState at n byte for byte, and a run with
// frozen checkpoints ends in the same bytes (ghosts included) as one
// without, in 3D and 2D periodic (z inactive), 1D along y with outflow (x
// inactive), and with reflecting walls, on 1 and 2 ranks.
func TestFreezeBitIdentical(t *testing.T) {
	walls := []string{"reflecting", "reflecting", "reflecting", "reflecting", "reflecting", "reflecting"}
	cases := []struct {
		cfg   Config
		steps int64
		every int64
		hold  int64
	}{
		{Config{Problem: "orszag-tang-3d", NX: 16}, 9, 4, 3},
		{Config{Problem: "orszag-tang", NX: 32}, 9, 4, 3},
		{Config{Problem: "brio-wu", Axis: "y", NY: 64, Riemann: "hlle"}, 12, 4, 3},
		{Config{Problem: "blast", NX: 16, Radius: 0.3, BC: walls}, 6, 1, 1},
	}
	for _, tc := range cases {
		for _, ranks := range []int{1, 2} {
			want, _ := runFrozen(t, tc.cfg, ranks, tc.steps, 0, 0)
			got, waits := runFrozen(t, tc.cfg, ranks, tc.steps, tc.every, tc.hold)
			for r := range want {
				if !bytes.Equal(got[r], want[r]) {
					t.Errorf("%s, %d ranks, rank %d: final state with frozen checkpoints differs", tc.cfg.Problem, ranks, r)
				}
			}
			// Freezing every step while each frozen state is held one step
			// and 50 ms more: the step after the next freeze needs it back
			// at once and waits.
			if tc.every == 1 && waits == 0 {
				t.Errorf("%s: no freeze wait counted", tc.cfg.Problem)
			}
		}
	}
}

// A step that needs a set still held waits for its release (and gives up
// with the context), counting the wait; RestoreState refuses a held state.
func TestFreezeWaitAndRelease(t *testing.T) {
	m, err := New(Config{Problem: "orszag-tang", NX: 16})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Freeze(); err == nil {
		t.Fatal("Freeze before Init accepted")
	}
	ctx := context.Background()
	dt, err := m.MaxDtLocal()
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := New(Config{Problem: "orszag-tang", NX: 16})
	for i := 0; i < 3; i++ {
		if err := ref.StepDt(ctx, dt); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := ref.AppendState(nil)

	f1, err := m.Freeze()
	if err != nil {
		t.Fatal(err)
	}
	s0, _ := m.AppendState(nil)
	if err := m.RestoreState(s0); err == nil {
		t.Fatal("RestoreState over a frozen state accepted")
	}
	if err := m.StepDt(ctx, dt); err != nil { // writes elsewhere: no wait
		t.Fatal(err)
	}
	f2, _ := m.Freeze()
	// The next step needs f1's arrays back.
	tctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	err = m.StepDt(tctx, dt)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("step with the spare held: %v", err)
	}
	// Released from another goroutine while this one's step waits.
	read := make(chan []byte, 1)
	go func() {
		time.Sleep(20 * time.Millisecond)
		got, _ := f1.AppendTo(nil)
		read <- got
		f1.Release()
		f1.Release() // extra releases do nothing
	}()
	if err := m.StepDt(ctx, dt); err != nil {
		t.Fatal(err)
	}
	got1 := <-read
	if !bytes.Equal(got1, s0) {
		t.Fatal("frozen state changed while held")
	}
	if waits, wait := m.FreezeWait(); waits != 1 || wait <= 0 {
		t.Fatalf("FreezeWait %d %v", waits, wait)
	}
	f2.Release()
	// The aborted step left the state untouched: three completed steps
	// (the last in place, nothing held) give the bits of three straight ones.
	if err := m.StepDt(ctx, dt); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.AppendState(nil); !bytes.Equal(got, want) {
		t.Fatal("state after frozen steps differs from straight steps")
	}
}

// The state encoding is the same whether arrays are copied whole (a
// little-endian host) or value by value, for AppendState and frozen states.
func TestAppendStateByteOrderPaths(t *testing.T) {
	m, err := New(Config{Problem: "orszag-tang-3d", NX: 8})
	if err != nil {
		t.Fatal(err)
	}
	dt, _ := m.MaxDtLocal()
	if err := m.StepDt(context.Background(), dt); err != nil {
		t.Fatal(err)
	}
	defer func(v bool) { nativeLE = v }(nativeLE)
	var out [2][]byte
	for i, le := range []bool{false, true} {
		nativeLE = le
		a, _ := m.AppendState([]byte("x"))
		f, _ := m.Freeze()
		b, _ := f.AppendTo([]byte("x"))
		f.Release()
		if !bytes.Equal(a, b) {
			t.Fatalf("nativeLE %v: frozen state differs from AppendState", le)
		}
		if err := m.RestoreState(a[1:]); err != nil {
			t.Fatalf("nativeLE %v: %v", le, err)
		}
		out[i] = a
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Fatal("whole-array copy and per-value encoding differ")
	}
}
