package mhd

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchmarkFreezeStep: the solver's own cost of a frozen checkpoint. Steps
// of the serial blast (160³ by default, APOLLO_FREEZE_N for another size)
// alternate: a plain step (in place), and a step taken while the state is
// frozen (it starts from a copy of the frozen set in the next set; the
// copy of the half-step set is fused into the predictor). In the same
// iterations, one copy of the state arrays (the pass an AppendState-style
// capture would at least cost) is timed as the reference. One op is one
// plain step, one frozen step and one copy; the metrics are medians.
func BenchmarkFreezeStep(b *testing.B) {
	n := 160
	if v, err := strconv.Atoi(os.Getenv("APOLLO_FREEZE_N")); err == nil && v >= 8 {
		n = v
	}
	b.Run(fmt.Sprintf("%d^3", n), func(b *testing.B) {
		ctx := context.Background()
		m, err := New(Config{Problem: "blast", NX: n})
		if err != nil {
			b.Fatal(err)
		}
		if err := m.ensureSerial(); err != nil {
			b.Fatal(err)
		}
		dt, _ := m.MaxDtLocal()
		step := func(frozen bool) time.Duration {
			var release func()
			if frozen {
				f, err := m.Freeze()
				if err != nil {
					b.Fatal(err)
				}
				release = f.Release
			}
			t0 := time.Now()
			if err := m.StepDt(ctx, dt); err != nil {
				b.Fatal(err)
			}
			d := time.Since(t0)
			if release != nil {
				release()
			}
			return d
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
		var plain, frozen, cp []float64
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
		i := 0
		for b.Loop() {
			if i%2 == 0 {
				plain = append(plain, ms(step(false)))
				frozen = append(frozen, ms(step(true)))
			} else {
				frozen = append(frozen, ms(step(true)))
				plain = append(plain, ms(step(false)))
			}
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
		diff := make([]float64, len(plain))
		for i := range plain {
			diff[i] = frozen[i] - plain[i]
		}
		b.ReportMetric(med(plain), "plain-step-ms")
		b.ReportMetric(med(frozen), "frozen-step-ms")
		b.ReportMetric(med(diff), "frozen-extra-ms")
		b.ReportMetric(med(cp), "state-copy-ms")
		b.ReportMetric(med(frozen)/med(plain), "frozen/plain")
	})
}
