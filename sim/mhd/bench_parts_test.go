package mhd

import (
	"context"
	"testing"
)

// BenchmarkParts times the passes of one step separately on the 64³ blast
// after a few steps (serial, one goroutine), reported per cell, so that a
// change to one pass can be A/B-tested with less noise than the whole step.
func BenchmarkParts(b *testing.B) {
	m, err := New(Config{Problem: "blast", NX: 64})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		dt, err := m.MaxDtLocal()
		if err != nil {
			b.Fatal(err)
		}
		if err := m.StepDt(ctx, dt); err != nil {
			b.Fatal(err)
		}
	}
	s := m.s
	dt := 0.3 * s.maxDt()
	cells := float64(s.n[0] * s.n[1] * s.n[2])
	if err := s.fill(ctx, &s.u, &s.b); err != nil {
		b.Fatal(err)
	}
	per := func(b *testing.B) {
		b.ReportMetric(b.Elapsed().Seconds()*1e9/(cells*float64(b.N)), "ns/cell")
	}
	b.Run("maxDt", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if !(s.maxDt() > 0) {
				b.Fatal("bad dt")
			}
		}
		per(b)
	})
	b.Run("primitives", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.primitives(&s.u, &s.b)
		}
		per(b)
	})
	// The sweeps write into a scratch copy so that the state stays fixed.
	var out [nCons][]float64
	for m := range out {
		out[m] = append([]float64(nil), s.u[m]...)
	}
	for _, order := range []int{1, 2} {
		name := "sweeps/predictor"
		if order == 2 {
			name = "sweeps/corrector"
		}
		b.Run(name, func(b *testing.B) {
			s.primitives(&s.u, &s.b)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.sweeps(order, dt, dt, &out)
			}
			per(b)
		})
	}
	b.Run("corner", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.corner()
		}
		per(b)
	})
}
