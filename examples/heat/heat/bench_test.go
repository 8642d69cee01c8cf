package heat

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/sim"
)

// Bytes of memory traffic per cell update counted as STREAM does (no
// write-allocate): u read once (neighbours come from cache), v written once.
const bytesPerCell = 16

// triad runs a[i] = b[i] + s*c[i] on each of threads goroutines over its
// own arrays of n float64 (far larger than the caches) and returns bytes
// moved per second, counting 24 bytes per element as STREAM does.
func triad(b *testing.B, threads, n int) {
	arrs := make([][3][]float64, threads)
	for t := range arrs {
		for k := range arrs[t] {
			arrs[t][k] = make([]float64, n)
			for i := range arrs[t][k] {
				arrs[t][k][i] = float64(i % 7)
			}
		}
	}
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		var wg sync.WaitGroup
		for t := 0; t < threads; t++ {
			wg.Add(1)
			go func(a, x, y []float64) {
				defer wg.Done()
				y = y[:len(x)]
				a = a[:len(x)]
				for i := range x {
					a[i] = x[i] + 3*y[i]
				}
			}(arrs[t][0], arrs[t][1], arrs[t][2])
		}
		wg.Wait()
	}
	b.StopTimer()
	bytes := float64(24*n*threads) * float64(b.N)
	b.ReportMetric(bytes/b.Elapsed().Seconds()/1e9, "GB/s")
}

// heatRun sets up a heat model on n³ cells over ranks in-process ranks and
// times b.N steps (or, with haloOnly, b.N halo exchanges of u).
func heatRun(b *testing.B, n, ranks int, haloOnly bool) {
	ready := make(chan struct{})
	start := make(chan struct{})
	var once sync.Once
	var elapsed time.Duration
	done := make(chan error, 1)
	go func() {
		done <- sim.RunLocal(ranks, func(c *comm.Comm) error {
			ctx := context.Background()
			env, err := sim.NewEnv(c, DefaultGrid(n), [3]int{}, 1)
			if err != nil {
				return err
			}
			m := New(Config{})
			if err := m.Init(ctx, env); err != nil {
				return err
			}
			dt := m.MaxDt(env)
			if err := c.Barrier(ctx); err != nil {
				return err
			}
			if c.Rank() == 0 {
				close(ready)
			}
			<-start
			t0 := time.Now()
			for it := 0; it < b.N; it++ {
				if haloOnly {
					err = m.hu.Exchange(ctx)
				} else {
					err = m.Step(ctx, env, 0, dt)
				}
				if err != nil {
					return err
				}
			}
			if err := c.Barrier(ctx); err != nil {
				return err
			}
			if c.Rank() == 0 {
				once.Do(func() { elapsed = time.Since(t0) })
			}
			return nil
		})
	}()
	select {
	case <-ready:
	case err := <-done:
		b.Fatal(err)
	}
	b.ResetTimer()
	close(start)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if !haloOnly {
		cells := float64(n*n*n) * float64(b.N)
		b.ReportMetric(cells/elapsed.Seconds(), "cells/s")
		b.ReportMetric(cells*bytesPerCell/elapsed.Seconds()/1e9, "GB/s")
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N), "ns/step")
}

// BenchmarkHeat160 measures, in one run, the STREAM-style triad on 1 and 2
// goroutines, the heat step at 160³ on 1 and 2 in-process ranks, and the
// halo exchange alone, so their ratios come from the same machine state.
func BenchmarkHeat160(b *testing.B) {
	const n = 160
	for _, p := range []int{1, 2} {
		b.Run(fmt.Sprintf("triad/threads=%d", p), func(b *testing.B) { triad(b, p, 1<<23) })
		b.Run(fmt.Sprintf("step/ranks=%d", p), func(b *testing.B) { heatRun(b, n, p, false) })
		b.Run(fmt.Sprintf("halo/ranks=%d", p), func(b *testing.B) { heatRun(b, n, p, true) })
	}
	b.Run("step/ranks=8", func(b *testing.B) { heatRun(b, n, 8, false) })
	b.Run("halo/ranks=8", func(b *testing.B) { heatRun(b, n, 8, true) })
}

// BenchmarkStencil160 times the kernel alone at 160³ (no halo, no driver)
// for a few y-tile working sets.
func BenchmarkStencil160(b *testing.B) {
	g := DefaultGrid(160)
	blk, err := sim.NewBlock(g, [3]int{1, 1, 1}, 0, 1)
	if err != nil {
		b.Fatal(err)
	}
	u, v := blk.NewField("u", sim.Cell), blk.NewField("v", sim.Cell)
	for i := range u.Data {
		u.Data[i] = float64(i % 13)
	}
	defer func(t int) { tileBytes = t }(tileBytes)
	for _, tb := range []int{32 << 10, 128 << 10, 512 << 10, 1 << 30} {
		b.Run(fmt.Sprintf("tile=%dKiB", tb>>10), func(b *testing.B) {
			tileBytes = tb
			for it := 0; it < b.N; it++ {
				stencil(u, v, blk.N, 0.1, 0.1, 0.1)
			}
			b.ReportMetric(float64(160*160*160)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
		})
	}
}
