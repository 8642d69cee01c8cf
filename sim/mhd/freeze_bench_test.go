package mhd

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// threadCPU is the CPU time of the calling OS thread (Linux
// RUSAGE_THREAD), 0 where unavailable: unlike wall time it hardly moves
// when other processes compete for the cores.
func threadCPU() time.Duration {
	const rusageThread = 1
	if runtime.GOOS != "linux" {
		return 0
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFreezeStep: the solver's own cost of a frozen checkpoint. Steps
// of the serial blast (160³ by default, APOLLO_FREEZE_N for another size)
// alternate: a plain step (in place), and a step taken while the state is
// frozen (it starts from a copy of the frozen set into the next set). In
// the same iterations, one copy of the state arrays (the pass an
// AppendState-style capture would at least cost) is timed as the
// reference. One op is one
// plain step, one frozen step and one copy; the metrics are medians, of
// wall time and of the stepping thread's CPU time (the serial step runs on
// the benchmark's goroutine, locked to its thread).
func BenchmarkFreezeStep(b *testing.B) {
	n := 160
	if v, err := strconv.Atoi(os.Getenv("APOLLO_FREEZE_N")); err == nil && v >= 8 {
		n = v
	}
	b.Run(fmt.Sprintf("%d^3", n), func(b *testing.B) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		ctx := context.Background()
		m, err := New(Config{Problem: "blast", NX: n})
		if err != nil {
			b.Fatal(err)
		}
		if err := m.ensureSerial(); err != nil {
			b.Fatal(err)
		}
		dt, _ := m.MaxDtLocal()
		step := func(frozen bool) (time.Duration, time.Duration) {
			var release func()
			if frozen {
				f, err := m.Freeze()
				if err != nil {
					b.Fatal(err)
				}
				release = f.Release
			}
			t0, c0 := time.Now(), threadCPU()
			if err := m.StepDt(ctx, dt); err != nil {
				b.Fatal(err)
			}
			d, c := time.Since(t0), threadCPU()-c0
			if release != nil {
				release()
			}
			return d, c
		}
		arrays := m.s.stateArrays()
		spare := make([][]float64, len(arrays))
		for i, q := range arrays {
			spare[i] = make([]float64, len(q))
		}
		copyState := func() time.Duration {
			t0 := time.Now()
			for i, q := range m.s.stateArrays() {
				copy(spare[i], q)
			}
			return time.Since(t0)
		}
		// Untimed: fault in the spare state set and the copy's buffers.
		step(true)
		step(false)
		copyState()
		var plain, frozen, plainCPU, frozenCPU, cp []float64
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
		one := func(f bool) {
			w, c := step(f)
			if f {
				frozen, frozenCPU = append(frozen, ms(w)), append(frozenCPU, ms(c))
			} else {
				plain, plainCPU = append(plain, ms(w)), append(plainCPU, ms(c))
			}
		}
		i := 0
		for b.Loop() {
			// Plain and frozen steps in alternating order.
			one(i%2 == 1)
			one(i%2 == 0)
			cp = append(cp, ms(copyState()))
			i++
		}
		med := func(v []float64) float64 {
			v = slices.Clone(v)
			slices.Sort(v)
			if len(v)%2 == 1 {
				return v[len(v)/2]
			}
			return (v[len(v)/2-1] + v[len(v)/2]) / 2
		}
		diff := func(a, b []float64) []float64 {
			d := make([]float64, len(a))
			for i := range a {
				d[i] = a[i] - b[i]
			}
			return d
		}
		b.ReportMetric(med(plain), "plain-step-ms")
		b.ReportMetric(med(frozen), "frozen-step-ms")
		b.ReportMetric(med(diff(frozen, plain)), "frozen-extra-ms")
		b.ReportMetric(med(plainCPU), "plain-cpu-ms")
		b.ReportMetric(med(frozenCPU), "frozen-cpu-ms")
		b.ReportMetric(med(diff(frozenCPU, plainCPU)), "frozen-extra-cpu-ms")
		b.ReportMetric(med(cp), "state-copy-ms")
	})
}

// BenchmarkAppendState: the state encoding of the serial blast (160³, or
// APOLLO_FREEZE_N), value by value (portable) and as whole-array copies (a
// little-endian host), alternating in the same iterations; what the
// checkpointer's background goroutine pays per frozen checkpoint, and the
// copy path's stall.
func BenchmarkAppendState(b *testing.B) {
	n := 160
	if v, err := strconv.Atoi(os.Getenv("APOLLO_FREEZE_N")); err == nil && v >= 8 {
		n = v
	}
	m, err := New(Config{Problem: "blast", NX: n})
	if err != nil {
		b.Fatal(err)
	}
	if err := m.ensureSerial(); err != nil {
		b.Fatal(err)
	}
	defer func(v bool) { nativeLE = v }(nativeLE)
	buf, _ := m.AppendState(nil) // faults the buffer in
	var vals, whole []float64
	timeOne := func(le bool) float64 {
		nativeLE = le
		t0 := time.Now()
		buf, _ = m.AppendState(buf[:0])
		return float64(time.Since(t0).Microseconds()) / 1e3
	}
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			vals = append(vals, timeOne(false))
			whole = append(whole, timeOne(true))
		} else {
			whole = append(whole, timeOne(true))
			vals = append(vals, timeOne(false))
		}
		i++
	}
	slices.Sort(vals)
	slices.Sort(whole)
	b.ReportMetric(vals[len(vals)/2], "values-ms")
	b.ReportMetric(whole[len(whole)/2], "whole-ms")
	b.ReportMetric(vals[len(vals)/2]/whole[len(whole)/2], "values/whole")
	b.ReportMetric(float64(len(buf))/1e6, "MB")
}
