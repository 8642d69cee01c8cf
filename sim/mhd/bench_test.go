package mhd

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/sim"
)

// BenchmarkBlast measures the 3D magnetised blast (Athena++'s performance
// problem: periodic [−1,1]³, p_amb 0.1, ratio 100, r 0.1, B₀ = 1 at 30°,
// CFL 0.3, VL2+PLM+HLLD+CT) on 1 and 2 in-process ranks. One op is one full
// time step of the whole grid (global dt reduction, two halo exchanges per
// rank); set-up is outside the timer. zone-cycles/s = cells × steps / s.
// 160³ runs only with APOLLO_BENCH160=1.
func BenchmarkBlast(b *testing.B) {
	sizes := []int{64}
	if os.Getenv("APOLLO_BENCH160") == "1" {
		sizes = append(sizes, 160)
	}
	for _, n := range sizes {
		for _, ranks := range []int{1, 2} {
			b.Run(fmt.Sprintf("%d^3/ranks=%d", n, ranks), func(b *testing.B) {
				benchBlast(b, n, ranks)
			})
		}
	}
}

func benchBlast(b *testing.B, n, ranks int) {
	cfg := Config{Problem: "blast", NX: n}
	cmds := make(chan int)
	ready := make(chan struct{}, ranks)
	done := make(chan error, 1)
	stepped := make(chan struct{}, ranks)
	// Each rank waits for a step count, runs it, reports; closing cmds ends it.
	rankCmds := make([]chan int, ranks)
	for r := range rankCmds {
		rankCmds[r] = make(chan int)
	}
	go func() {
		for k := range cmds {
			for _, c := range rankCmds {
				c <- k
			}
		}
		for _, c := range rankCmds {
			close(c)
		}
	}()
	go func() {
		done <- sim.RunLocal(ranks, func(c *comm.Comm) error {
			ctx := context.Background()
			m, err := New(cfg)
			if err != nil {
				return err
			}
			env, err := sim.NewEnv(c, m.Grid(), [3]int{}, Ghosts)
			if err != nil {
				return err
			}
			if err := m.Init(ctx, env); err != nil {
				return err
			}
			// APOLLO_MHD_SLAB sets the z-planes per slab (see stage), to
			// compare slab sizes; "whole" is the pass-by-pass schedule.
			switch v := os.Getenv("APOLLO_MHD_SLAB"); v {
			case "":
			case "whole":
				m.s.slab = math.MaxInt32
			default:
				if m.s.slab, err = strconv.Atoi(v); err != nil || m.s.slab < 1 {
					return fmt.Errorf("APOLLO_MHD_SLAB=%q: want a positive integer or whole", v)
				}
			}
			ready <- struct{}{}
			dt := []float64{0}
			t := 0.0
			for k := range rankCmds[c.Rank()] {
				for i := 0; i < k; i++ {
					dt[0] = m.MaxDt(env)
					if err := c.AllreduceFloat64(ctx, comm.Min, dt, dt); err != nil {
						return err
					}
					if err := m.Step(ctx, env, t, dt[0]); err != nil {
						return err
					}
					t += dt[0]
				}
				stepped <- struct{}{}
			}
			return nil
		})
	}()
	for r := 0; r < ranks; r++ {
		select {
		case <-ready:
		case err := <-done:
			b.Fatal(err)
		}
	}
	cpu0 := cpuSeconds()
	b.ResetTimer()
	cmds <- b.N
	for r := 0; r < ranks; r++ {
		<-stepped
	}
	b.StopTimer()
	cpu := cpuSeconds() - cpu0
	close(cmds)
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	cells := float64(n) * float64(n) * float64(n)
	b.ReportMetric(cells*float64(b.N)/b.Elapsed().Seconds(), "zone-cycles/s")
	// On a shared machine wall time includes waiting for a core; the CPU
	// time the process got gives the per-core figure independent of load.
	b.ReportMetric(cells*float64(b.N)/cpu, "zone-cycles/cpu-s")
}

// cpuSeconds is the user+system CPU time of this process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + 1e-6*float64(ru.Utime.Usec+ru.Stime.Usec)
}

// BenchmarkMachineScaling is the machine's own limit for the 1→2 rank
// figures above: the same fixed work, four independent floating-point
// recurrences in registers (no memory traffic, nothing shared), on 1 and
// on 2 goroutines at once. On a machine that gave two cores the speed of
// one each, threads=2 would report twice the chains/s of threads=1; on this
// VM it does not always (docs/bench/mhd.md), and BenchmarkBlast's scaling
// is read beside it, run in the same invocation.
func BenchmarkMachineScaling(b *testing.B) {
	const iters = 50_000_000 // ~0.1 s per goroutine
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			sums := make([]float64, threads)
			for b.Loop() {
				var wg sync.WaitGroup
				for t := range threads {
					wg.Add(1)
					go func() {
						defer wg.Done()
						sums[t] += spin(iters)
					}()
				}
				wg.Wait()
			}
			if math.IsNaN(sums[0]) {
				b.Fatal("NaN") // keeps the results live
			}
			b.ReportMetric(float64(threads)*float64(iters)*float64(b.N)/b.Elapsed().Seconds(), "chains/s")
		})
	}
}

// spin runs four independent multiply-add recurrences n times: bound by the
// core's floating-point latency, never by memory.
func spin(n int) float64 {
	x, y, z, w := 1.0, 1.1, 1.2, 1.3
	for range n {
		x = float64(x*1.0000001) + 1e-9
		y = float64(y*0.9999999) + 1e-9
		z = float64(z*1.0000002) - 1e-9
		w = float64(w*0.9999998) + 2e-9
	}
	return x + y + z + w
}
