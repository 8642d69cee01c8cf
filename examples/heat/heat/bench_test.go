package heat

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
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

// heatRun sets up a heat model on n³ cells over the ranks of eps and times
// b.N steps (or, with haloOnly, b.N halo exchanges of u), excluding set-up.
func heatRun(b *testing.B, n int, eps []comm.Endpoint, haloOnly bool) {
	ready := make(chan struct{}, len(eps))
	start := make(chan struct{})
	var elapsed time.Duration
	errs := make([]error, len(eps))
	var wg sync.WaitGroup
	for r := range eps {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			c := comm.New(eps[r])
			defer c.Close()
			ctx := context.Background()
			env, err := sim.NewEnv(c, DefaultGrid(n), [3]int{}, 1)
			m := New(Config{})
			if err == nil {
				err = m.Init(ctx, env)
			}
			ready <- struct{}{}
			if err != nil {
				errs[r] = err
				return
			}
			<-start
			if err := c.Barrier(ctx); err != nil {
				errs[r] = err
				return
			}
			dt := m.MaxDt(env)
			t0 := time.Now()
			for it := 0; it < b.N && err == nil; it++ {
				if haloOnly {
					err = m.hu.Exchange(ctx)
				} else {
					err = m.Step(ctx, env, 0, dt)
				}
			}
			if err == nil {
				err = c.Barrier(ctx)
			}
			if r == 0 {
				elapsed = time.Since(t0)
			}
			errs[r] = err
		}(r)
	}
	for range eps {
		<-ready
	}
	b.ResetTimer()
	close(start)
	wg.Wait()
	b.StopTimer()
	for _, ep := range eps {
		ep.Close()
	}
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
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
		b.Run(fmt.Sprintf("step/ranks=%d", p), func(b *testing.B) { heatRun(b, n, inproc.NewWorld(p, 1), false) })
		b.Run(fmt.Sprintf("halo/ranks=%d", p), func(b *testing.B) { heatRun(b, n, inproc.NewWorld(p, 1), true) })
	}
	b.Run("step/ranks=8", func(b *testing.B) { heatRun(b, n, inproc.NewWorld(8, 1), false) })
	b.Run("halo/ranks=8", func(b *testing.B) { heatRun(b, n, inproc.NewWorld(8, 1), true) })
}

// BenchmarkStencil160 times the kernel alone at 160³ (no halo, no driver),
// as one block and as eight 80³ blocks, for a few y-tile working sets.
func BenchmarkStencil160(b *testing.B) {
	defer func(t int) { tileBytes = t }(tileBytes)
	for _, procs := range [][3]int{{1, 1, 1}, {2, 2, 2}} {
		var us, vs []*sim.Field
		var blks []*sim.Block
		for r := 0; r < procs[0]*procs[1]*procs[2]; r++ {
			blk, err := sim.NewBlock(DefaultGrid(160), procs, r, 1)
			if err != nil {
				b.Fatal(err)
			}
			u, v := blk.NewField("u", sim.Cell), blk.NewField("v", sim.Cell)
			for i := range u.Data {
				u.Data[i] = float64(i % 13)
			}
			us, vs, blks = append(us, u), append(vs, v), append(blks, blk)
		}
		for _, tb := range []int{64 << 10, 256 << 10, 1 << 30} {
			b.Run(fmt.Sprintf("blocks=%d/tile=%dKiB", len(blks), tb>>10), func(b *testing.B) {
				tileBytes = tb
				for it := 0; it < b.N; it++ {
					for i := range blks {
						stencil(us[i], vs[i], blks[i].N, 0.1, 0.1, 0.1)
					}
				}
				b.ReportMetric(float64(160*160*160)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
			})
		}
	}
}
