package mhd

import (
	"context"
	"math"
	"testing"
)

// briowu runs the Brio–Wu tube along axis with n cells and returns the
// density and the transverse field B_t1 along the tube at t = 0.1.
func briowu(t *testing.T, axis string, n int) (d, bt []float64) {
	t.Helper()
	cfg := Config{Problem: "brio-wu", Axis: axis}
	switch axis {
	case "x":
		cfg.NX = n
	case "y":
		cfg.NY = n
	default:
		cfg.NZ = n
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if dg := m.Diagnostics(); dg.FloorHits != 0 || dg.MaxDivB > 1e-12 {
		t.Fatalf("floor hits %d, div B %g", dg.FloorHits, dg.MaxDivB)
	}
	s := m.s
	s.primitives(&s.u, &s.b)
	ax := axisIndex(axis)
	t1 := (ax + 1) % 3
	d, bt = make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		var ijk [3]int
		ijk[ax] = i
		c := s.cidx(ijk[0], ijk[1], ijk[2])
		d[i], bt[i] = s.w[wDN][c], s.w[wB1+t1][c]
	}
	return d, bt
}

// crossing returns the position in [lo, hi] where q first crosses level,
// linearly interpolated between cell centres (domain [0, 1]).
func crossing(q []float64, level, lo, hi float64) float64 {
	n := len(q)
	for i := 0; i+1 < n; i++ {
		x0, x1 := (float64(i)+0.5)/float64(n), (float64(i)+1.5)/float64(n)
		if x0 < lo || x1 > hi {
			continue
		}
		a, b := q[i]-level, q[i+1]-level
		if a == 0 || a*b < 0 {
			return x0 + (x1-x0)*a/(a-b)
		}
	}
	return math.NaN()
}

// TestBrioWuPositions: at t = 0.1 (x₀ = 0.5, γ = 2, 400 cells) the waves sit
// where Brio & Wu (1988, Fig. 2) and Ryu & Jones (1995, Fig. 2a) show them:
// compound wave ≈ 0.475, contact ≈ 0.555, slow shock ≈ 0.64; the fast
// rarefaction heads at 0.5 ∓ 0.1·c_f of the initial states (0.321, 0.868).
// The tube along y and z gives bit-identical profiles to x.
func TestBrioWuPositions(t *testing.T) {
	d, bt := briowu(t, "x", 400)
	pos := map[string][2]float64{ // measured, published
		"compound wave": {crossing(bt, 0, 0.42, 0.52), 0.475},
		"contact":       {crossing(d, 0.5*(0.676+0.235), 0.52, 0.62), 0.555},
		"slow shock":    {crossing(d, 0.5*(0.235+0.117), 0.60, 0.70), 0.640},
	}
	for name, p := range pos {
		t.Logf("%-13s at %.4f (published %.3f)", name, p[0], p[1])
		if !(math.Abs(p[0]-p[1]) < 0.01) {
			t.Errorf("%s at %.4f, published %.3f", name, p[0], p[1])
		}
	}
	// Rarefaction heads: first departure from the initial states.
	n := len(d)
	var left, right float64
	for i := 0; i < n; i++ {
		if math.Abs(d[i]-1) > 1e-3 {
			left = (float64(i) + 0.5) / float64(n)
			break
		}
	}
	for i := n - 1; i >= 0; i-- {
		if math.Abs(bt[i]+1) > 1e-3 {
			right = (float64(i) + 0.5) / float64(n)
			break
		}
	}
	t.Logf("fast rarefaction heads at %.4f and %.4f (exact 0.321, 0.868)", left, right)
	if math.Abs(left-0.321) > 0.015 || math.Abs(right-0.868) > 0.015 {
		t.Errorf("rarefaction heads %.4f, %.4f; exact 0.321, 0.868", left, right)
	}
	for _, ax := range []string{"y", "z"} {
		d2, b2 := briowu(t, ax, 400)
		for i := range d {
			if d2[i] != d[i] || b2[i] != bt[i] {
				t.Fatalf("axis %s cell %d: (%v, %v) vs x (%v, %v)", ax, i, d2[i], b2[i], d[i], bt[i])
			}
		}
	}
}

// briowuL1 is the L1 density error of the n-cell solution against a
// reference with a multiple of n cells, averaged onto the coarse cells.
func briowuL1(coarse, ref []float64) float64 {
	r := len(ref) / len(coarse)
	sum := 0.0
	for i, v := range coarse {
		avg := 0.0
		for j := 0; j < r; j++ {
			avg += ref[i*r+j]
		}
		sum += math.Abs(v - avg/float64(r))
	}
	return sum / float64(len(coarse))
}

// TestBrioWuConvergence: the L1 density error against the solver's own
// solution at 8× the finest resolution falls with resolution.
func TestBrioWuConvergence(t *testing.T) {
	ns := []int{32, 64, 128}
	if long() {
		ns = []int{100, 200, 400}
	}
	ref, _ := briowu(t, "x", 8*ns[len(ns)-1])
	prev := math.Inf(1)
	for _, n := range ns {
		d, _ := briowu(t, "x", n)
		e := briowuL1(d, ref)
		t.Logf("n=%4d  L1(ρ) = %.4e  (ratio to previous %.3f)", n, e, e/prev)
		if !(e < 0.8*prev) {
			t.Errorf("n=%d: L1 %.4e does not fall from %.4e", n, e, prev)
		}
		prev = e
	}
}
