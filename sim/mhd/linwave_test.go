package mhd

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"
)

func runLinwave(t *testing.T, wave, dir string, nx int, riemann string) float64 {
	t.Helper()
	m, err := New(Config{Problem: "linwave", Wave: wave, Direction: dir, NX: nx, Riemann: riemann})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	e, err := m.LinearWaveError()
	if err != nil {
		t.Fatal(err)
	}
	d := m.Diagnostics()
	// ∇·B relative to |B|/Δx: the face values come from differences of a
	// vector potential with O(1) linear terms, so the absolute round-off
	// grows like 1/Δx².
	dx := m.geo.dx()[0]
	if d.MaxDivB*dx/2.5 > 1e-13 || d.FloorHits != 0 {
		t.Fatalf("%s %s %d: div B %g, floor hits %d", wave, dir, nx, d.MaxDivB, d.FloorHits)
	}
	t.Logf("%-7s %-5s %3d×%d×%d (%s): err %.4e after %d steps", wave, dir, nx, nx/2, nx/2, riemann, e, d.Steps)
	return e
}

func long() bool { return os.Getenv("APOLLO_LONG") == "1" }

// athenaFast is Athena++'s fast-wave error at 64×32×32 (VL2, PLM, HLLD,
// CT) as the issue quotes it; athenaBound are the thresholds of Athena++'s
// regression test mhd_linwave at the same size. The quoted fast figure is
// itself 1.5× its bound (the bounds come from a configuration with lower
// errors), so the bounds are compared with a factor 1.7 and the published
// fast figure with the 1.5.
const athenaFast = 6.0e-8

var athenaBound = map[string]float64{"fast": 4.0e-8, "alfven": 4.0e-8, "slow": 5.0e-8, "entropy": 2.5e-8}

// TestLinwaveConvergenceCheap runs the cheap resolutions in CI:
// err(32×16×16)/err(16×8×8) < 0.4 for every wave.
func TestLinwaveConvergenceCheap(t *testing.T) {
	for _, w := range []string{"fast", "alfven", "slow", "entropy"} {
		e16 := runLinwave(t, w, "right", 16, "hlld")
		e32 := runLinwave(t, w, "right", 32, "hlld")
		if r := e32 / e16; !(r < 0.4) {
			t.Errorf("%s: err(32)/err(16) = %.3f, want < 0.4", w, r)
		}
	}
}

// TestLinwaveLeftRightIdentical: L- and R-going waves give identical errors
// as Athena++'s regression test compares them, on the printed value (%e,
// 7 significant digits). They are not bit-identical: the initial states are
// mirror images only up to the rounding of sin(k·x) at mirrored points; we
// also require agreement to 1e-9 relative.
func TestLinwaveLeftRightIdentical(t *testing.T) {
	for _, w := range []string{"fast", "alfven", "slow"} {
		l := runLinwave(t, w, "left", 16, "hlld")
		r := runLinwave(t, w, "right", 16, "hlld")
		if fmt.Sprintf("%e", l) != fmt.Sprintf("%e", r) || math.Abs(l-r) > 1e-9*r {
			t.Errorf("%s: left %.17g != right %.17g", w, l, r)
		}
	}
}

// TestLinwaveConvergenceLong is the full check at 64×32×32 (APOLLO_LONG=1):
// err(64)/err(32) < 0.4 and err(64) near Athena++'s figures (see athenaFast).
func TestLinwaveConvergenceLong(t *testing.T) {
	if !long() {
		t.Skip("set APOLLO_LONG=1 for the 64×32×32 linear-wave runs")
	}
	for _, w := range []string{"fast", "alfven", "slow", "entropy"} {
		e32 := runLinwave(t, w, "right", 32, "hlld")
		e64 := runLinwave(t, w, "right", 64, "hlld")
		r := e64 / e32
		t.Logf("%s: err64 %.4e  err32 %.4e  ratio %.3f  regression bound %.1e  err64/bound %.2f", w, e64, e32, r, athenaBound[w], e64/athenaBound[w])
		if !(r < 0.4) {
			t.Errorf("%s: err(64)/err(32) = %.3f, want < 0.4", w, r)
		}
		if e64 > 1.7*athenaBound[w] {
			t.Errorf("%s: err(64) = %.3e, more than 1.7× Athena++'s regression bound %.1e", w, e64, athenaBound[w])
		}
		if w == "fast" && e64 > 1.5*athenaFast {
			t.Errorf("fast: err(64) = %.3e, more than 1.5× Athena++'s %.1e", e64, athenaFast)
		}
	}
}

// TestLinwaveHLLE: the selectable HLLE solver converges too, and is more
// diffusive than HLLD (it smears the contact and Alfvén/slow families):
// measured at 32×16×16, fast 2.38e-7 vs 1.83e-7, entropy 2.49e-7 vs 1.10e-7.
func TestLinwaveHLLE(t *testing.T) {
	for _, w := range []string{"fast", "entropy"} {
		e16 := runLinwave(t, w, "right", 16, "hlle")
		e32 := runLinwave(t, w, "right", 32, "hlle")
		if r := e32 / e16; !(r < 0.4) {
			t.Errorf("%s HLLE: err(32)/err(16) = %.3f, want < 0.4", w, r)
		}
		if d := runLinwave(t, w, "right", 32, "hlld"); !(e32 > d) {
			t.Errorf("%s: HLLE error %.4e not above HLLD's %.4e", w, e32, d)
		}
	}
}
