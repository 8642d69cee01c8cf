package checkpoint

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkTake300MB: the solver's stall beside the full background write
// (encode + store) at each level, for both ways of handing the state over:
//
//   - copy: Take copies the state into the reused shard buffers before it
//     returns (a caller whose state is live, modified by the next step);
//   - owned: TakeOwned keeps the caller's buffer and copies it in the
//     background (a caller that has serialized its state into a buffer it
//     sets aside until the next checkpoint, as the node process does with
//     two alternating buffers). The serialization itself is the caller's
//     and is not in this stall.
//   - func: TakeFunc with a fill function that appends the state (what a
//     frozen solver state does, sim.Freezer): the background goroutine
//     serializes into the Checkpointer's reused buffer, then loads it; the
//     caller's stall is the bookkeeping only, and the serialization pass is
//     part of the write.
//
// Reported per op: stall-ms, write-ms (Take until Flush returns) and
// stall/write.
func BenchmarkTake300MB(b *testing.B) {
	state := testData(benchSize, 4)
	for _, lv := range []Level{LevelMemory, LevelDir} {
		for _, mode := range []string{"copy", "owned", "func"} {
			b.Run(lv.String()+"/"+mode, func(b *testing.B) {
				benchTake(b, lv, mode, state)
			})
		}
	}
}

func benchTake(b *testing.B, lv Level, mode string, state []byte) {
	var ds []Domain
	if lv == LevelMemory {
		ds = memDomains(6)
	} else {
		root := benchDir(b)
		for i := 0; i < 6; i++ {
			s, err := NewDirStore(filepath.Join(root, fmt.Sprint(i)))
			if err != nil {
				b.Fatal(err)
			}
			ds = append(ds, Domain{Name: fmt.Sprint(i), Store: s})
		}
	}
	c, err := New(0, Config{K: 4, M: 2, Capacity: benchSize, Logger: quiet,
		Levels: []LevelConfig{{Level: lv, Every: 1, Domains: ds, Keep: 1}}})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	takeFn := c.Take
	switch mode {
	case "owned":
		takeFn = c.TakeOwned
	case "func":
		takeFn = func(ctx context.Context, meta Meta, state []byte) (bool, error) {
			fill := func(dst []byte) ([]byte, error) { return append(dst, state...), nil }
			return c.TakeFunc(ctx, meta, fill, nil)
		}
	}
	var stall, write time.Duration
	id := uint64(0)
	take := func() {
		id++
		t0 := time.Now()
		if _, err := takeFn(ctx, Meta{ID: id, Step: int64(id)}, state); err != nil {
			b.Fatal(err)
		}
		stall += time.Since(t0)
		if _, err := c.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		write += time.Since(t0)
		if err := c.Commit(ctx, lv, id); err != nil {
			b.Fatal(err)
		}
	}
	// Two untimed checkpoints: the first touches the shard buffers, the
	// second the memory store's (recycled from the first once deleted).
	take()
	take()
	stall, write = 0, 0
	b.SetBytes(benchSize)
	n := 0
	for b.Loop() {
		take()
		n++
	}
	b.ReportMetric(float64(stall.Microseconds())/1e3/float64(n), "stall-ms")
	b.ReportMetric(float64(write.Microseconds())/1e3/float64(n), "write-ms")
	b.ReportMetric(float64(stall)/float64(write), "stall/write")
}
