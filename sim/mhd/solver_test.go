package mhd

import (
	"context"
	"math"
	"testing"
)

// uniformSolver returns a periodic solver holding one uniform state.
func uniformSolver(t *testing.T, n [3]int, rs int) *solver {
	t.Helper()
	s, err := newSolver(n, 2, [3]float64{1.0 / float64(n[0]), 1.0 / float64(n[1]), 1.0 / float64(n[2])}, 5.0/3, rs, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, v, p, b := 1.3, [3]float64{0.3, -0.2, 0.1}, 0.7, [3]float64{0.5, -0.4, 0.9}
	for c := range s.u[iDN] {
		s.u[iDN][c] = d
		s.u[iM1][c], s.u[iM2][c], s.u[iM3][c] = d*v[0], d*v[1], d*v[2]
		s.u[iEN][c] = p/(s.gamma-1) + 0.5*d*(v[0]*v[0]+v[1]*v[1]+v[2]*v[2]) + 0.5*(b[0]*b[0]+b[1]*b[1]+b[2]*b[2])
	}
	for a := 0; a < 3; a++ {
		for c := range s.b[a] {
			s.b[a][c] = b[a]
		}
	}
	return s
}

func TestUniformStaysUniform(t *testing.T) {
	for _, rs := range []int{solverHLLE, solverHLLD} {
		s := uniformSolver(t, [3]int{8, 6, 4}, rs)
		u0 := make([]float64, nCons)
		c0 := s.cidx(0, 0, 0)
		for m := range u0 {
			u0[m] = s.u[m][c0]
		}
		for it := 0; it < 5; it++ {
			if err := s.step(context.Background(), 0.3*s.maxDt()); err != nil {
				t.Fatal(err)
			}
		}
		for k := 0; k < s.n[2]; k++ {
			for j := 0; j < s.n[1]; j++ {
				for i := 0; i < s.n[0]; i++ {
					c := s.cidx(i, j, k)
					for m := 0; m < nCons; m++ {
						if d := math.Abs(s.u[m][c] - u0[m]); d > 1e-13 {
							t.Fatalf("solver %d: cell (%d,%d,%d) comp %d moved by %g", rs, i, j, k, m, d)
						}
					}
				}
			}
		}
		if s.floorHits != 0 {
			t.Fatalf("floor hits %d", s.floorHits)
		}
	}
}

// perturbedSolver holds a smooth, non-trivial periodic state with a
// divergence-free face field built from a vector potential.
func perturbedSolver(t *testing.T, n [3]int, rs int) *solver {
	t.Helper()
	s := uniformSolver(t, n, rs)
	tp := 2 * math.Pi
	dx := s.dx
	pr := make([]float64, len(s.u[iDN]))
	// A = (sin 2πy·cos 2πz, sin 2πz, cos 2πx·sin 2πy)/(2π)·0.3 on edges.
	ax := func(x, y, z float64) float64 { return 0.3 * math.Sin(tp*y) * math.Cos(tp*z) / tp }
	ay := func(x, y, z float64) float64 { return 0.3 * math.Sin(tp*z+tp*x) / tp }
	az := func(x, y, z float64) float64 { return 0.3 * math.Cos(tp*x) * math.Sin(tp*y) / tp }
	for k := -s.ng; k < n[2]+s.ng; k++ {
		for j := -s.ng; j < n[1]+s.ng; j++ {
			for i := -s.ng; i < n[0]+s.ng; i++ {
				x, y, z := (float64(i)+0.5)*dx[0], (float64(j)+0.5)*dx[1], (float64(k)+0.5)*dx[2]
				xf, yf, zf := float64(i)*dx[0], float64(j)*dx[1], float64(k)*dx[2]
				c := s.cidx(i, j, k)
				d := 1 + 0.2*math.Sin(tp*(x+y+z))
				vx, vy, vz := 0.5*math.Sin(tp*y), 0.3*math.Cos(tp*z), 0.4*math.Sin(tp*x)
				p := 1 + 0.1*math.Cos(tp*(x-y))
				s.u[iDN][c] = d
				s.u[iM1][c], s.u[iM2][c], s.u[iM3][c] = d*vx, d*vy, d*vz
				s.u[iEN][c] = 1e3 // replaced below once the cell-centred B is known
				pr[c] = p
				s.b[0][s.fidx(0, i, j, k)] = 0.5 + (az(xf, yf+dx[1], z)-az(xf, yf, z))/dx[1] - (ay(xf, y, zf+dx[2])-ay(xf, y, zf))/dx[2]
				s.b[1][s.fidx(1, i, j, k)] = -0.4 + (ax(x, yf, zf+dx[2])-ax(x, yf, zf))/dx[2] - (az(xf+dx[0], yf, z)-az(xf, yf, z))/dx[0]
				s.b[2][s.fidx(2, i, j, k)] = 0.9 + (ay(xf+dx[0], y, zf)-ay(xf, y, zf))/dx[0] - (ax(x, yf+dx[1], zf)-ax(x, yf, zf))/dx[1]
			}
		}
	}
	s.fillSerial(context.Background(), &s.u, &s.b)
	s.primitives(&s.u, &s.b)
	for c := range s.u[iDN] {
		w := func(m int) float64 { return s.w[m][c] }
		s.u[iEN][c] = pr[c]/(s.gamma-1) + 0.5*w(wDN)*(w(wV1)*w(wV1)+w(wV2)*w(wV2)+w(wV3)*w(wV3)) + 0.5*(w(wB1)*w(wB1)+w(wB2)*w(wB2)+w(wB3)*w(wB3))
	}
	return s
}

func TestConservationAndDivB(t *testing.T) {
	for _, rs := range []int{solverHLLE, solverHLLD} {
		s := perturbedSolver(t, [3]int{16, 12, 8}, rs)
		if dv := s.maxDivB(); dv > 1e-12 {
			t.Fatalf("initial div B %g", dv)
		}
		t0 := s.totals()
		for it := 0; it < 20; it++ {
			if err := s.step(context.Background(), 0.3*s.maxDt()); err != nil {
				t.Fatal(err)
			}
			if dv := s.maxDivB(); dv > 1e-12 {
				t.Fatalf("solver %d step %d: div B %g", rs, it, dv)
			}
		}
		t1 := s.totals()
		for m := 0; m < nCons; m++ {
			if d := math.Abs(t1[m] - t0[m]); d > 1e-14*math.Max(1, math.Abs(t0[m])) {
				t.Errorf("solver %d: conserved %d changed %g -> %g (%g)", rs, m, t0[m], t1[m], d)
			}
		}
		if s.floorHits != 0 {
			t.Errorf("floor hits %d", s.floorHits)
		}
	}
}

// TestNaNStopsRun: a corrupted cell gives dt = 0, so neither the serial
// loop nor the driver carries on with garbage.
func TestNaNStopsRun(t *testing.T) {
	s := uniformSolver(t, [3]int{8, 8, 8}, solverHLLD)
	s.u[iEN][s.cidx(3, 4, 5)] = math.NaN()
	if dt := s.maxDt(); dt != 0 {
		t.Fatalf("maxDt with a NaN cell = %g, want 0", dt)
	}
	m, _ := New(Config{Problem: "uniform"})
	_ = m.ensureSerial()
	m.s.u[iDN][m.s.cidx(1, 1, 1)] = math.NaN()
	if err := m.Run(context.Background(), nil); err == nil {
		t.Fatal("run with a NaN cell succeeded")
	}
}
