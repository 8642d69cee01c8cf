package node

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/checkpoint"
	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
	"github.com/apollo-hpc/apollo/examples/heat/heat"
	"github.com/apollo-hpc/apollo/sim"
	"github.com/apollo-hpc/apollo/sim/mhd"
)

// BenchmarkStallLive: the stall of a live solver per checkpoint beside the
// full write time, with a real model and a real Checkpointer (4+2, memory
// level over 6 memory stores, or directory level over 6 directories;
// BusyWait as the node). The models: MHD (blast, 160³ cells on one rank: a
// 282 MB state), whose in-place step copies a frozen state set once, and
// heat at 335³ (a 301 MB state), whose every step writes a new field, so a
// frozen state costs it no copy. Two hand-overs alternate on the same model
// and Checkpointer (an interleaved A/B, the order swapped every op):
//
//   - copy: the node's path for a model that cannot freeze: AppendState
//     into the driver's buffer, AppendBinary into one of two alternating
//     buffers, TakeOwned;
//   - freeze: Freeze, then TakeFunc with the snapshot's AppendBinary; the
//     checkpointer serializes in the background and releases the state.
//
// A cycle is: checkpoint, the step after it (which, after a freeze,
// overlaps the background write), a plain step. The stall is capture +
// serialization + hand-over + any wait of the next step for the frozen
// state; the write is from the capture until the checkpoint is stored
// (stall + Written.Write). One op is one copy cycle and one freeze cycle;
// the metrics are medians over the ops. APOLLO_STALL_N sets the MHD grid
// size (e.g. 32 for a smoke run; heat scales with it).
func BenchmarkStallLive(b *testing.B) {
	n := 160
	if v, err := strconv.Atoi(os.Getenv("APOLLO_STALL_N")); err == nil && v >= 8 {
		n = v
	}
	for _, lv := range []checkpoint.Level{checkpoint.LevelMemory, checkpoint.LevelDir} {
		b.Run(fmt.Sprintf("mhd-%d^3/%v", n, lv), func(b *testing.B) {
			m, err := mhd.New(mhd.Config{Problem: "blast", NX: n})
			if err != nil {
				b.Fatal(err)
			}
			benchStallLive(b, "mhd", m, m.Grid(), mhd.Ghosts, lv)
		})
		hn := n * 335 / 160
		b.Run(fmt.Sprintf("heat-%d^3/%v", hn, lv), func(b *testing.B) {
			benchStallLive(b, "heat", heat.New(heat.Config{Init: heat.Gauss}), heat.DefaultGrid(hn), heat.Ghosts, lv)
		})
	}
}

// stallModel is a model that can freeze its state.
type stallModel interface {
	sim.Model
	sim.Freezer
}

type cycleTimes struct {
	stall, write, after, plain time.Duration
}

func benchStallLive(b *testing.B, name string, m stallModel, g sim.Grid, ng int, lv checkpoint.Level) {
	runtime.GC()
	ctx := context.Background()
	c := comm.New(inproc.NewWorld(1, 1)[0])
	defer c.Close()
	env, err := sim.NewEnv(c, g, [3]int{}, ng)
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Init(ctx, env); err != nil {
		b.Fatal(err)
	}
	var ds []checkpoint.Domain
	for i := 0; i < 6; i++ {
		var st checkpoint.Store = checkpoint.NewMemStore()
		if lv == checkpoint.LevelDir {
			if st, err = checkpoint.NewDirStore(filepath.Join(stallDir(b), fmt.Sprint(i))); err != nil {
				b.Fatal(err)
			}
		}
		ds = append(ds, checkpoint.Domain{Name: fmt.Sprint(i), Store: st})
	}
	blk := env.Block
	snapOf := func(step int64, t float64) sim.Snapshot {
		return sim.Snapshot{Model: name, Grid: blk.Grid, Procs: blk.Procs, Rank: blk.Rank, Ng: blk.Ng, Step: step, Time: t}
	}
	probe := snapOf(0, 0)
	state, _ := m.AppendState(nil)
	probe.Data = state
	var wmu sync.Mutex
	written := map[uint64]checkpoint.Written{}
	ck, err := checkpoint.New(0, checkpoint.Config{K: 4, M: 2, Capacity: int64(probe.BinaryLen()) + 1<<20,
		Busy: checkpoint.BusyWait, Logger: quietLog(),
		Levels: []checkpoint.LevelConfig{{Level: lv, Every: 1, Domains: ds, Keep: 1}},
		OnWritten: func(w checkpoint.Written) {
			wmu.Lock()
			written[w.ID] = w
			wmu.Unlock()
		}})
	if err != nil {
		b.Fatal(err)
	}
	defer ck.Close()

	var step int64
	var t float64
	step1 := func() time.Duration {
		t0 := time.Now()
		dt := m.MaxDt(env)
		if err := m.Step(ctx, env, t, dt); err != nil {
			b.Fatal(err)
		}
		step++
		t += dt
		return time.Since(t0)
	}
	var bufs [2][]byte
	cur := 0
	cycle := func(freeze bool) cycleTimes {
		var ct cycleTimes
		id := uint64(step) + 1
		meta := checkpoint.Meta{ID: id, Step: step}
		_, wait0 := m.FreezeWait()
		t0 := time.Now()
		snap := snapOf(step, t)
		if freeze {
			fz, err := m.Freeze()
			if err != nil {
				b.Fatal(err)
			}
			snap.Frozen = fz
			if _, err := ck.TakeFunc(ctx, meta, snap.AppendBinary, fz.Release); err != nil {
				b.Fatal(err)
			}
		} else {
			if state, err = m.AppendState(state[:0]); err != nil {
				b.Fatal(err)
			}
			snap.Data = state
			if bufs[cur], err = snap.AppendBinary(bufs[cur][:0]); err != nil {
				b.Fatal(err)
			}
			if _, err := ck.TakeOwned(ctx, meta, bufs[cur]); err != nil {
				b.Fatal(err)
			}
			cur ^= 1
		}
		ct.stall = time.Since(t0)
		ct.after = step1()
		_, wait1 := m.FreezeWait()
		ct.stall += wait1 - wait0
		if _, err := ck.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		if err := ck.Commit(ctx, lv, id); err != nil {
			b.Fatal(err)
		}
		wmu.Lock()
		w := written[id]
		wmu.Unlock()
		ct.write = ct.stall + w.Write
		ct.plain = step1()
		return ct
	}
	// Untimed: the first cycle of each kind faults in the shard, snapshot
	// and spare state buffers.
	cycle(false)
	cycle(true)
	var cp, fz []cycleTimes
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			cp = append(cp, cycle(false))
			fz = append(fz, cycle(true))
		} else {
			fz = append(fz, cycle(true))
			cp = append(cp, cycle(false))
		}
		i++
	}
	med := func(cs []cycleTimes, f func(cycleTimes) time.Duration) float64 {
		v := make([]float64, len(cs))
		for i, c := range cs {
			v[i] = float64(f(c).Microseconds()) / 1e3
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	ratio := func(cs []cycleTimes) float64 {
		v := make([]float64, len(cs))
		for i, c := range cs {
			v[i] = float64(c.stall) / float64(c.write)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	b.ReportMetric(float64(probe.BinaryLen())/1e6, "state-MB")
	b.ReportMetric(med(cp, func(c cycleTimes) time.Duration { return c.stall }), "copy-stall-ms")
	b.ReportMetric(med(cp, func(c cycleTimes) time.Duration { return c.write }), "copy-write-ms")
	b.ReportMetric(med(fz, func(c cycleTimes) time.Duration { return c.stall }), "freeze-stall-ms")
	b.ReportMetric(med(fz, func(c cycleTimes) time.Duration { return c.write }), "freeze-write-ms")
	b.ReportMetric(ratio(fz), "freeze-stall/write")
	b.ReportMetric(ratio(cp), "copy-stall/write")
	b.ReportMetric(med(cp, func(c cycleTimes) time.Duration { return c.after }), "copy-step-after-ms")
	b.ReportMetric(med(fz, func(c cycleTimes) time.Duration { return c.after }), "freeze-step-after-ms")
	b.ReportMetric(med(append(cp, fz...), func(c cycleTimes) time.Duration { return c.plain }), "plain-step-ms")
	if waits, wait := m.FreezeWait(); waits > 0 {
		b.Logf("freeze waits: %d, %v", waits, wait)
	}
}

func stallDir(b *testing.B) string {
	if d := os.Getenv("APOLLO_BENCH_DIR"); d != "" {
		dir, err := os.MkdirTemp(d, "stallbench")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}
