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

// Bytes per cell update by the accounting, as STREAM counts them
// (no write-allocate): u read once (neighbours from cache), v written once.
// The "GB/s" and "%triad" metrics use it for every sub-step, so with the
// fused sweep they are the bandwidth one sub-step per sweep would need, not
// the traffic: "mem-GB/s" divides by the sub-steps each sweep does.
const bytesPerCell = 16

// paired times, in each iteration and on every rank at once, one STREAM
// triad pass over the rank's own arrays (n3 elements each) and then one
// heat step, between barriers; the model's HaloTime gives the exchange's
// share of the step. Each ratio thus compares measurements taken under the
// same machine load, which is the figure to trust on a shared machine.
// One benchmark op is one triad pass plus one step.
func paired(b *testing.B, n int, eps []comm.Endpoint, n3 int) {
	var triadT, stepT, haloT, stepCPU time.Duration
	var substeps, perSweep int
	// work[r][it]: rank r's step time in iteration it less its time in
	// the exchange: the sweep, which every rank must finish before the
	// next exchange.
	work := make([][]time.Duration, len(eps))
	for r := range work {
		work[r] = make([]time.Duration, b.N)
	}
	ready := make(chan struct{}, len(eps))
	start := make(chan struct{})
	errs := make([]error, len(eps))
	var wg sync.WaitGroup
	for r := range eps {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			c := comm.New(eps[r])
			defer c.Close()
			ctx := context.Background()
			env, err := sim.NewEnv(c, DefaultGrid(n), [3]int{}, Ghosts)
			m := New(Config{})
			if err == nil {
				err = m.Init(ctx, env)
			}
			ta, tb, tc := make([]float64, n3), make([]float64, n3), make([]float64, n3)
			for i := range tb {
				tb[i], tc[i] = float64(i%7), float64(i%5)
			}
			ready <- struct{}{}
			<-start
			if err == nil {
				err = c.Barrier(ctx)
			}
			var tri, stp, cpu time.Duration
			dt := m.MaxDt(env)
			for it := 0; it < b.N && err == nil; it++ {
				t0 := time.Now()
				for i := range ta {
					ta[i] = tb[i] + 3*tc[i]
				}
				if err = c.Barrier(ctx); err != nil {
					break
				}
				t1, c1, h1 := time.Now(), cpuTime(), m.HaloTime()
				err = m.Step(ctx, env, 0, dt)
				work[r][it] = time.Since(t1) - (m.HaloTime() - h1)
				if err == nil {
					err = c.Barrier(ctx)
				}
				tri, stp, cpu = tri+t1.Sub(t0), stp+time.Since(t1), cpu+cpuTime()-c1
			}
			if r == 0 {
				triadT, stepT, haloT, stepCPU = tri, stp, m.HaloTime(), cpu
				substeps, perSweep = m.Config().Substeps, 1
				if m.Fused() {
					perSweep = substeps
				}
			}
			if errs[r] = err; err != nil {
				c.Close()
			}
		}(r)
	}
	for range eps {
		<-ready
	}
	b.ResetTimer()
	close(start)
	wg.Wait()
	b.StopTimer()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	// Each sub-step counts as one update of every cell.
	cells := float64(n*n*n) * float64(b.N) * float64(substeps)
	heatBW := cells * bytesPerCell / stepT.Seconds()
	triadBW := float64(24*n3*len(eps)) * float64(b.N) / triadT.Seconds()
	b.ReportMetric(cells/stepT.Seconds(), "cells/s")
	b.ReportMetric(heatBW/1e9, "GB/s")
	b.ReportMetric(triadBW/1e9, "triad-GB/s")
	b.ReportMetric(100*heatBW/triadBW, "%triad")
	b.ReportMetric(heatBW/float64(perSweep)/1e9, "mem-GB/s")
	b.ReportMetric(100*haloT.Seconds()/stepT.Seconds(), "%halo")
	b.ReportMetric(float64(stepT.Nanoseconds())/float64(b.N), "ns/step")
	// The process's CPU time while rank 0 was between the barriers around
	// the step: every rank's step work, and little else. Cell updates per
	// CPU-second hardly move when other jobs take the cores (wall time
	// does), so 2 ranks' figure over 1 rank's says how much the work per
	// update grows on two cores (contention, halo), though not the waiting.
	if stepCPU > 0 {
		b.ReportMetric(cells/stepCPU.Seconds(), "cells/cpu-s")
	}
	// The slowest rank's sweep over the mean sweep, per iteration, as a
	// percentage above 1: what ranks of equal work lose per step to the
	// slowest of them (a core that runs slower for the moment, on a shared
	// machine), since each step waits for it at the next exchange.
	var lost float64
	for it := 0; it < b.N; it++ {
		var sum, slow time.Duration
		for r := range work {
			sum += work[r][it]
			slow = max(slow, work[r][it])
		}
		lost += float64(slow) * float64(len(work)) / float64(sum)
	}
	b.ReportMetric(100*(lost/float64(b.N)-1), "%imbalance")
}

// BenchmarkHeat160 runs the heat step at 160³ on 1, 2 and 8 in-process
// ranks beside the triad and the halo exchange (see paired).
func BenchmarkHeat160(b *testing.B) {
	for _, p := range []int{1, 2, 8} {
		b.Run(fmt.Sprintf("ranks=%d", p), func(b *testing.B) {
			paired(b, 160, inproc.NewWorld(p, 1), (1<<23)/p)
		})
	}
}

// benchBlocks returns the blocks of a 160³ grid over procs with ghost width
// ng, and for each a field u with nonzero values and a field v.
func benchBlocks(b *testing.B, procs [3]int, ng int) (blks []*sim.Block, us, vs []*sim.Field) {
	b.Helper()
	for r := 0; r < procs[0]*procs[1]*procs[2]; r++ {
		blk, err := sim.NewBlock(DefaultGrid(160), procs, r, ng)
		if err != nil {
			b.Fatal(err)
		}
		u, v := blk.NewField("u", sim.Cell), blk.NewField("v", sim.Cell)
		for i := range u.Data {
			u.Data[i] = float64(i % 13)
		}
		blks, us, vs = append(blks, blk), append(us, u), append(vs, v)
	}
	return blks, us, vs
}

// BenchmarkStencil160 times the kernel alone at 160³ (no halo, no driver),
// as one block and as eight 80³ blocks, for a few y-tile working sets.
func BenchmarkStencil160(b *testing.B) {
	defer func(t int) { tileBytes = t }(tileBytes)
	for _, procs := range [][3]int{{1, 1, 1}, {2, 2, 2}} {
		blks, us, vs := benchBlocks(b, procs, 1)
		for _, tb := range []int{64 << 10, 256 << 10, 1 << 30} {
			b.Run(fmt.Sprintf("blocks=%d/tile=%dKiB", len(blks), tb>>10), func(b *testing.B) {
				tileBytes = tb
				for it := 0; it < b.N; it++ {
					for i := range blks {
						stencil(us[i], vs[i], blks[i].N, &coefs{0.4, 0.1, 0.1, 0.1}, false)
					}
				}
				b.ReportMetric(float64(160*160*160)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
			})
		}
	}
}

// BenchmarkFused160 times the fused sweep alone at 160³ (ghost width
// MaxSubsteps, x wrapped in the sweep, no exchange) for 2 to MaxSubsteps
// sub-steps, beside two separate sub-steps (stencil twice), as one block and
// as two 160×160×80 blocks swept at once by two goroutines (the 2-rank split
// without its exchange: how the kernel alone scales on two cores), and for
// a few tile working sets. cells/s counts each sub-step as one update of
// every cell; cpu-ns/op is the process's CPU time per op.
func BenchmarkFused160(b *testing.B) {
	defer func(t, f int) { tileBytes, fusedTileBytes = t, f }(tileBytes, fusedTileBytes)
	for _, procs := range [][3]int{{1, 1, 1}, {1, 1, 2}, {1, 2, 1}} {
		blks, us, vs := benchBlocks(b, procs, MaxSubsteps)
		rings := make([][]float64, len(blks))
		for r, u := range us {
			rings[r] = make([]float64, 3*(MaxSubsteps-1)*u.Sx*u.Sy)
		}
		c := coefs{0.4, 0.1, 0.1, 0.1}
		split := "" // blocks=2: z split; blocks=2y: y split
		if procs[1] > 1 {
			split = "y"
		}
		for _, tb := range []int{256 << 10, 1 << 20, 2 << 20, 4 << 20} {
			for s := 1; s <= MaxSubsteps; s++ {
				name := fmt.Sprintf("blocks=%d%s/substeps=%d/tile=%dKiB", len(blks), split, s, tb>>10)
				if s == 1 {
					name = fmt.Sprintf("blocks=%d%s/separate2/tile=%dKiB", len(blks), split, tb>>10)
				}
				b.Run(name, func(b *testing.B) {
					tileBytes, fusedTileBytes = tb, tb
					cpu0 := cpuTime()
					var wg sync.WaitGroup
					for r := range blks {
						wg.Add(1)
						go func(u, v *sim.Field, ring []float64, n [3]int) {
							defer wg.Done()
							for it := 0; it < b.N; it++ {
								if s == 1 {
									stencil(u, v, n, &c, true)
									stencil(v, u, n, &c, true)
								} else {
									fused(u, v, ring, s, n, &c, true, false, 8*len(v.Data) >= streamBytes)
								}
							}
						}(us[r], vs[r], rings[r], blks[r].N)
					}
					wg.Wait()
					updates := float64(max(s, 2)) * float64(160*160*160) * float64(b.N)
					b.ReportMetric(updates/b.Elapsed().Seconds(), "cells/s")
					b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
				})
			}
		}
	}
}

// BenchmarkLockstep160 is the ceiling of BenchmarkRun160's 2-rank figure
// on this machine: the same fused sweeps of the two 160×80×160 halves (y
// split, as NewEnv chooses), on two goroutines at once, meeting at a
// barrier after every sweep as ranks meet at the exchange, but with no
// exchange and no reduction. Against blocks=1 (one goroutine, no barrier)
// it is the 1→2 scaling that a free exchange would give: the kernel's own
// scaling on two cores less what each step loses waiting for the slower
// core. BenchmarkRun160's 2-rank rate over it is what the exchange and the
// dt reduction cost.
func BenchmarkLockstep160(b *testing.B) {
	for _, procs := range [][3]int{{1, 1, 1}, {1, 2, 1}} {
		blks, us, vs := benchBlocks(b, procs, Ghosts)
		b.Run(fmt.Sprintf("blocks=%d", len(blks)), func(b *testing.B) {
			c := coefs{0.4, 0.1, 0.1, 0.1}
			meet := make([]sync.WaitGroup, b.N) // meet[it]: the barrier after sweep it
			for it := range meet {
				meet[it].Add(len(blks))
			}
			var wg sync.WaitGroup
			b.ResetTimer()
			for r := range blks {
				wg.Add(1)
				go func(u, v *sim.Field, n [3]int) {
					defer wg.Done()
					ring := make([]float64, 3*(DefaultSubsteps-1)*u.Sx*u.Sy)
					stream := 8*len(v.Data) >= streamBytes
					for it := 0; it < b.N; it++ {
						fused(u, v, ring, DefaultSubsteps, n, &c, true, false, stream)
						u, v = v, u
						meet[it].Done()
						meet[it].Wait()
					}
				}(us[r], vs[r], blks[r].N)
			}
			wg.Wait()
			updates := float64(DefaultSubsteps) * float64(160*160*160) * float64(b.N)
			b.ReportMetric(updates/b.Elapsed().Seconds(), "cells/s")
		})
	}
}

// BenchmarkRun160 times the driver's own loop, as `apollo run` steps: the
// default heat problem at 160³ on 1 and 2 in-process ranks, steps back to
// back (each with its dt reduction), no triad between them. One op is one
// run of runWarm+runSteps steps; the clock runs on rank 0 from the end of
// step runWarm to the end of the last step, so Init and the first steps'
// page faults are left out. It complements BenchmarkHeat160, whose steps
// start with caches the triad has just flushed: the 1→2 scaling a user
// sees is this one's.
func BenchmarkRun160(b *testing.B) {
	const runWarm, runSteps = 5, 100
	for _, p := range []int{1, 2} {
		b.Run(fmt.Sprintf("ranks=%d", p), func(b *testing.B) {
			var total time.Duration
			for it := 0; it < b.N; it++ {
				var t0, t1 time.Time
				err := sim.RunLocal(p, func(c *comm.Comm) error {
					env, err := sim.NewEnv(c, DefaultGrid(160), [3]int{}, Ghosts)
					if err != nil {
						return err
					}
					hooks := sim.Hooks{}
					if c.Rank() == 0 {
						hooks.Progress = func(step int64, _, _ float64) {
							switch step {
							case runWarm:
								t0 = time.Now()
							case runWarm + runSteps:
								t1 = time.Now()
							}
						}
					}
					_, err = sim.Run(context.Background(), env, New(Config{}), sim.DriverConfig{StopStep: runWarm + runSteps}, hooks, nil)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				total += t1.Sub(t0)
			}
			updates := float64(160*160*160) * DefaultSubsteps * runSteps * float64(b.N)
			b.ReportMetric(updates/total.Seconds(), "cells/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}
