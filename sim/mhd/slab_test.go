package mhd

import (
	"context"
	"fmt"
	"math"
	"testing"
)

// TestSlabsSameBits runs problems with stages done in slabs of 1, 2, 3 and
// 7 z-planes (intermediates in rings of 4, 8 and 16 planes; slabs of 1 and
// 5 need exactly 4 and 8) and in one slab covering the block (the
// pass-by-pass schedule, every plane kept), and compares the state after each stage,
// (uh, bh) of the predictor and (u, b) of the corrector, and the floor-hit
// count bit for bit after each step. Every intermediate feeds the state of
// its stage, so a wrong one shows there.
func TestSlabsSameBits(t *testing.T) {
	cases := []struct {
		name  string
		cfg   Config
		steps int
	}{
		{"blast", Config{Problem: "blast", NX: 16, NY: 12, NZ: 14}, 4},
		{"blast-hlle-floors", Config{Problem: "blast", NX: 12, Riemann: "hlle", PFloor: 0.2}, 3},
		{"orszag-tang-3d", Config{Problem: "orszag-tang-3d", NX: 12, NY: 10, NZ: 9}, 4},
		{"linwave", Config{Problem: "linwave", NX: 16, Wave: "alfven"}, 3},
		{"blast-outflow-reflecting", Config{Problem: "blast", NX: 10, NY: 11, NZ: 13,
			BC: []string{"outflow", "reflecting", "reflecting", "outflow", "outflow", "reflecting"}}, 4},
		{"orszag-tang-2d", Config{Problem: "orszag-tang", NX: 16}, 3},
		{"brio-wu-z", Config{Problem: "brio-wu", Axis: "z", NZ: 40}, 4},
		{"brio-wu-y", Config{Problem: "brio-wu", Axis: "y", NY: 30}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ref []*solver
			for _, slab := range []int{1 << 20, 1, 2, 3, 5, 7} {
				m, err := New(tc.cfg)
				if err != nil {
					t.Fatal(err)
				}
				if err := m.ensureSerial(); err != nil {
					t.Fatal(err)
				}
				m.s.slab = slab
				if rp := m.s.ringPlanes(slab); rp < min(slab+3, m.s.s[2]) || rp > max(4, 2*(slab+2)) {
					t.Fatalf("slab %d: %d ring planes", slab, rp)
				}
				var run []*solver
				for i := 0; i < tc.steps; i++ {
					dt, err := m.MaxDtLocal()
					if err != nil {
						t.Fatal(err)
					}
					if err := m.StepDt(context.Background(), dt); err != nil {
						t.Fatal(err)
					}
					run = append(run, snapshot(m.s))
				}
				if ref == nil {
					ref = run
					if tc.name == "blast-hlle-floors" && run[len(run)-1].floorHits == 0 {
						t.Fatal("no floor hits: the case does not exercise the floors")
					}
					continue
				}
				for i := range run {
					if err := sameSolverBits(ref[i], run[i]); err != nil {
						t.Fatalf("slab %d, step %d: %v", slab, i+1, err)
					}
				}
			}
		})
	}
}

// snapshot copies the state arrays and the floor-hit count of s.
func snapshot(s *solver) *solver {
	c := &solver{floorHits: s.floorHits}
	cp := func(x []float64) []float64 { return append([]float64(nil), x...) }
	for m := 0; m < nCons; m++ {
		c.u[m], c.uh[m] = cp(s.u[m]), cp(s.uh[m])
	}
	for d := 0; d < 3; d++ {
		c.b[d], c.bh[d] = cp(s.b[d]), cp(s.bh[d])
	}
	return c
}

// sameSolverBits names the first array and index where a and b differ.
func sameSolverBits(a, b *solver) error {
	if a.floorHits != b.floorHits {
		return fmt.Errorf("floor hits %d vs %d", a.floorHits, b.floorHits)
	}
	type arr struct {
		name string
		x, y []float64
	}
	var all []arr
	for m := 0; m < nCons; m++ {
		all = append(all, arr{fmt.Sprintf("u[%d]", m), a.u[m], b.u[m]}, arr{fmt.Sprintf("uh[%d]", m), a.uh[m], b.uh[m]})
	}
	for d := 0; d < 3; d++ {
		all = append(all, arr{fmt.Sprintf("b[%d]", d), a.b[d], b.b[d]}, arr{fmt.Sprintf("bh[%d]", d), a.bh[d], b.bh[d]})
	}
	for _, r := range all {
		if len(r.x) != len(r.y) {
			return fmt.Errorf("%s: length %d vs %d", r.name, len(r.x), len(r.y))
		}
		for i := range r.x {
			if math.Float64bits(r.x[i]) != math.Float64bits(r.y[i]) {
				return fmt.Errorf("%s[%d]: %v vs %v", r.name, i, r.x[i], r.y[i])
			}
		}
	}
	return nil
}
