package mhd

import (
	"context"
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

// TestLinwaveLeftRightIdentical: left- and right-going waves give
// bit-identical errors (the criterion). The left-going state is the
// exact point reflection of the right-going one (linwaveSource), the solver
// maps a reflected state to the reflected bits (TestMirrorSymmetric), and
// the error sums are exact, so the two errors must agree to the bit.
func TestLinwaveLeftRightIdentical(t *testing.T) {
	cases := []struct {
		wave string
		nx   int
	}{{"fast", 16}, {"alfven", 16}, {"slow", 16}, {"fast", 32}}
	for _, c := range cases {
		l := runLinwave(t, c.wave, "left", c.nx, "hlld")
		r := runLinwave(t, c.wave, "right", c.nx, "hlld")
		if math.Float64bits(l) != math.Float64bits(r) {
			t.Errorf("%s %d: left %.17g != right %.17g", c.wave, c.nx, l, r)
		}
	}
}

// TestLinwaveLeftIsLeftGoing: the reflected state is the left-going wave of
// Athena++'s set-up (left eigenvector, same amplitude and phase) to
// round-off: a wrong reflection centre or sign would differ by O(amp).
func TestLinwaveLeftIsLeftGoing(t *testing.T) {
	for _, w := range []string{"fast", "alfven", "slow"} {
		m, err := New(Config{Problem: "linwave", Wave: w, Direction: "left", NX: 16})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.ensureSerial(); err != nil {
			t.Fatal(err)
		}
		if _, mir := linwaveSource(m.cfg, m.geo); !mir {
			t.Fatalf("%s: left wave not built by reflection", w)
		}
		s := m.s
		lw := newLinwave(m.cfg, m.geo) // the left eigenvector, evaluated directly
		ref, err := newSolver(s.n, s.ng, s.dx, s.gamma, s.rsolv, nil)
		if err != nil {
			t.Fatal(err)
		}
		st := &setter{s: ref, g: m.geo, dx: m.geo.dx()}
		st.facesFromPotential([3]func(x, y, z float64) float64{lw.a1, lw.a2, lw.a3}, [3]float64{})
		worstU, worstB := 0.0, 0.0
		for k := 0; k < s.n[2]; k++ {
			for j := 0; j < s.n[1]; j++ {
				for i := 0; i < s.n[0]; i++ {
					u, _ := lw.exact(st.xc(0, i), st.xc(1, j), st.xc(2, k))
					c := s.cidx(i, j, k)
					for q := 0; q < nCons; q++ {
						worstU = math.Max(worstU, math.Abs(s.u[q][c]-u[q]))
					}
					for d := 0; d < 3; d++ {
						f := s.fidx(d, i, j, k)
						worstB = math.Max(worstB, math.Abs(s.b[d][f]-ref.b[d][f]))
					}
				}
			}
		}
		t.Logf("%s: reflected − direct left state: cells %.2g, faces %.2g (amplitude %g)", w, worstU, worstB, m.cfg.Amp)
		if worstU > 1e-14 || worstB > 1e-13 {
			t.Errorf("%s: reflected left state differs from the left eigenvector by %g (cells), %g (faces)", w, worstU, worstB)
		}
	}
}

// TestMirrorSymmetric: the solver maps the point reflection of a state to
// the point reflection of its result, bit for bit, step after step (ρ, E
// and face B even, ρv odd), for HLLD and HLLE, on waves of amplitude 0.05
// where rounding differences show within a step.
func TestMirrorSymmetric(t *testing.T) {
	ctx := context.Background()
	for _, rs := range []string{"hlld", "hlle"} {
		for _, w := range []string{"fast", "alfven", "slow"} {
			var ms [2]*Model
			for n, dir := range []string{"right", "left"} {
				m, err := New(Config{Problem: "linwave", Wave: w, Direction: dir, NX: 16, Amp: 0.05, Riemann: rs})
				if err != nil {
					t.Fatal(err)
				}
				if err := m.ensureSerial(); err != nil {
					t.Fatal(err)
				}
				ms[n] = m
			}
			R, L := ms[0].s, ms[1].s
			g := ms[0].geo
			for step := 0; step < 10; step++ {
				dr, dl := R.maxDt(), L.maxDt()
				if math.Float64bits(dr) != math.Float64bits(dl) {
					t.Fatalf("%s %s step %d: dt %v vs %v", rs, w, step, dr, dl)
				}
				for _, s := range []*solver{R, L} {
					if err := s.step(ctx, 0.3*dr); err != nil {
						t.Fatal(err)
					}
				}
			}
			bad := 0
			sign := [nCons]float64{1, -1, -1, -1, 1}
			for k := 0; k < g.n[2]; k++ {
				for j := 0; j < g.n[1]; j++ {
					for i := 0; i < g.n[0]; i++ {
						gi := [3]int{i, j, k}
						mc := mirrorCell(g, gi)
						for q := 0; q < nCons; q++ {
							if math.Float64bits(L.u[q][L.cidx(i, j, k)]) != math.Float64bits(sign[q]*R.u[q][R.cidx(mc[0], mc[1], mc[2])]) {
								bad++
							}
						}
						for d := 0; d < 3; d++ {
							mf := mirrorFace(g, d, gi)
							if math.Float64bits(L.b[d][L.fidx(d, i, j, k)]) != math.Float64bits(R.b[d][R.fidx(d, mf[0], mf[1], mf[2])]) {
								bad++
							}
						}
					}
				}
			}
			if bad != 0 {
				t.Errorf("%s %s: %d values are not the mirror image after 10 steps", rs, w, bad)
			}
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
