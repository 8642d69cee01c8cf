package mhd

import (
	"fmt"
	"math"

	"github.com/apollo-hpc/apollo/internal/fpmath"
	"github.com/apollo-hpc/apollo/sim"
)

// geometry is the global domain of a problem.
type geometry struct {
	n      [3]int
	lo, hi [3]float64
	bc     [3][2]sim.Boundary
}

func (g geometry) dx() [3]float64 {
	var d [3]float64
	for e := 0; e < 3; e++ {
		d[e] = (g.hi[e] - g.lo[e]) / float64(g.n[e])
	}
	return d
}

// domain returns the global grid of a defaulted, valid config.
func domain(c Config) geometry {
	g := geometry{n: [3]int{c.NX, c.NY, c.NZ}, hi: [3]float64{1, 1, 1}}
	switch c.Problem {
	case "linwave":
		g.hi = [3]float64{3, 1.5, 1.5}
	case "brio-wu":
		ax := axisIndex(c.Axis)
		g.bc[ax] = [2]sim.Boundary{sim.Outflow, sim.Outflow}
		for e := 0; e < 3; e++ {
			if e != ax {
				// Inactive axes: one cell as wide as the tube's cells.
				g.hi[e] = 1 / float64(g.n[ax])
			}
		}
	case "blast":
		g.lo = [3]float64{-1, -1, -1}
	case "field-loop":
		g.lo = [3]float64{-1, -0.5, 0}
		g.hi = [3]float64{1, 0.5, 1}
	}
	if c.BC != nil {
		for a := 0; a < 3; a++ {
			g.bc[a] = [2]sim.Boundary{boundaryNames[c.BC[2*a]], boundaryNames[c.BC[2*a+1]]}
		}
	}
	// One-cell axes are as wide as a cell of the first active axis, so
	// the cell volume stays meaningful.
	for e := 0; e < 3; e++ {
		if g.n[e] == 1 && c.Problem != "brio-wu" {
			ref := 0
			for ref < 3 && g.n[ref] == 1 {
				ref++
			}
			g.hi[e] = g.lo[e] + (g.hi[ref]-g.lo[ref])/float64(g.n[ref])
		}
	}
	return g
}

func axisIndex(a string) int {
	switch a {
	case "y":
		return 1
	case "z":
		return 2
	}
	return 0
}

// waveIndex is the Athena++ wave_flag of a linear wave: 0–6 are the
// eigenvectors ordered by speed (L fast, L Alfvén, L slow, entropy, R slow,
// R Alfvén, R fast).
func waveIndex(wave, dir string) int {
	idx := map[string]int{"fast": 0, "alfven": 1, "slow": 2, "entropy": 3}[wave]
	if wave != "entropy" && dir == "right" {
		idx = 6 - idx
	}
	return idx
}

// linwave holds the oblique linear-wave set-up (Athena++ linear_wave.cpp
// conventions: background d0 = 1, p0 = 1/γ, B = (1, √2, 1/2) in the wave
// frame, wave vector along the grid diagonal).
type linwave struct {
	gamma, amp, vflow      float64
	d0, p0, bx0, by0, bz0  float64
	sin2, cos2, sin3, cos3 float64
	kpar                   float64
	rem                    [7]float64 // right eigenvector of the wave, conserved variables
	dby, dbz               float64
}

func newLinwave(c Config, g geometry) *linwave {
	lw := &linwave{gamma: c.Gamma, amp: c.Amp, vflow: c.VFlow, d0: 1, p0: 1 / c.Gamma, bx0: 1, by0: math.Sqrt2, bz0: 0.5}
	x1s, x2s, x3s := g.hi[0]-g.lo[0], g.hi[1]-g.lo[1], g.hi[2]-g.lo[2]
	a3 := fpmath.Atan(x1s / x2s)
	lw.sin3, lw.cos3 = fpmath.Sin(a3), fpmath.Cos(a3)
	a2 := fpmath.Atan(0.5 * (float64(x1s*lw.cos3) + float64(x2s*lw.sin3)) / x3s)
	lw.sin2, lw.cos2 = fpmath.Sin(a2), fpmath.Cos(a2)
	lambda := math.Min(float64(x1s*lw.cos2*lw.cos3), math.Min(float64(x2s*lw.cos2*lw.sin3), float64(x3s*lw.sin2)))
	lw.kpar = 2 * math.Pi / lambda
	gm1 := c.Gamma - 1
	u0 := c.VFlow
	h0 := ((lw.p0/gm1+float64(0.5*lw.d0*u0*u0))+lw.p0)/lw.d0 + (float64(lw.bx0*lw.bx0)+float64(lw.by0*lw.by0)+float64(lw.bz0*lw.bz0))/lw.d0
	lw.rem = rightEigenvector(c.Gamma, lw.d0, u0, 0, 0, h0, lw.bx0, lw.by0, lw.bz0, waveIndex(c.Wave, c.Direction))
	lw.dby = float64(c.Amp * lw.rem[5])
	lw.dbz = float64(c.Amp * lw.rem[6])
	return lw
}

// rightEigenvector is column w of the adiabatic MHD right-eigenmatrix in
// conserved variables (Stone et al. 2008, ApJS 178, 137, eq. B21) for the
// state (d, v, h, b) with X = 0, Y = 1 (no Roe-average corrections).
func rightEigenvector(gamma, d, v1, v2, v3, h, b1, b2, b3 float64, w int) [7]float64 {
	gm1 := gamma - 1
	vsq := float64(v1*v1) + float64(v2*v2) + float64(v3*v3)
	btsq := float64(b2*b2) + float64(b3*b3)
	vaxsq := b1 * b1 / d
	hp := h - (vaxsq + btsq/d)
	asq := math.Max(float64(gm1*(hp-float64(0.5*vsq))), 1e-20)
	ct2 := btsq / d
	tsum := vaxsq + ct2 + asq
	tdif := vaxsq + ct2 - asq
	cfsq := float64(0.5 * (tsum + math.Sqrt(float64(tdif*tdif)+float64(4*asq*ct2))))
	cf := math.Sqrt(cfsq)
	cssq := asq * vaxsq / cfsq
	cs := math.Sqrt(cssq)
	bt := math.Sqrt(btsq)
	bet2, bet3 := 1.0, 0.0
	if bt != 0 {
		bet2, bet3 = b2/bt, b3/bt
	}
	betsq := float64(bet2*bet2) + float64(bet3*bet3)
	vbet := float64(v2*bet2) + float64(v3*bet3)
	var af, as float64
	switch {
	case cfsq-cssq == 0:
		af, as = 1, 0
	case asq-cssq <= 0:
		af, as = 0, 1
	case cfsq-asq <= 0:
		af, as = 1, 0
	default:
		af = math.Sqrt((asq - cssq) / (cfsq - cssq))
		as = math.Sqrt((cfsq - asq) / (cfsq - cssq))
	}
	sqrtd := math.Sqrt(d)
	s := 1.0
	if b1 < 0 {
		s = -1
	}
	a := math.Sqrt(asq)
	qf, qs := float64(cf*af*s), float64(cs*as*s)
	afp, asp := a*af/sqrtd, a*as/sqrtd
	afpbb, aspbb := float64(afp*bt*betsq), float64(asp*bt*betsq)
	vax := math.Sqrt(vaxsq)
	_ = vax
	var r [7]float64
	switch w {
	case 0, 6: // fast
		sg := -1.0
		if w == 6 {
			sg = 1
		}
		r[0] = af
		r[1] = float64(af * (v1 + float64(sg*cf)))
		r[2] = float64(af*v2) - float64(sg*qs*bet2)
		r[3] = float64(af*v3) - float64(sg*qs*bet3)
		r[4] = float64(af*(hp+float64(sg*v1*cf))) - float64(sg*qs*vbet) + aspbb
		r[5] = float64(asp * bet2)
		r[6] = float64(asp * bet3)
	case 1, 5: // Alfvén
		sg := -1.0
		if w == 5 {
			sg = 1
		}
		r[2] = float64(sg * bet3)
		r[3] = float64(-sg * bet2)
		r[4] = float64(sg * (float64(v2*bet3) - float64(v3*bet2)))
		r[5] = -bet3 * s / sqrtd
		r[6] = bet2 * s / sqrtd
	case 2, 4: // slow
		sg := -1.0
		if w == 4 {
			sg = 1
		}
		r[0] = as
		r[1] = float64(as * (v1 + float64(sg*cs)))
		r[2] = float64(as*v2) + float64(sg*qf*bet2)
		r[3] = float64(as*v3) + float64(sg*qf*bet3)
		r[4] = float64(as*(hp+float64(sg*v1*cs))) + float64(sg*qf*vbet) - afpbb
		r[5] = float64(-afp * bet2)
		r[6] = float64(-afp * bet3)
	default: // entropy
		r[0] = 1
		r[1] = v1
		r[2] = v2
		r[3] = v3
		r[4] = float64(0.5 * vsq)
	}
	return r
}

// Vector potential of the wave (gauge Ax = 0 in the wave frame), rotated to
// the grid.
func (lw *linwave) wx(x1, x2, x3 float64) (x, y float64) {
	x = float64(x1*lw.cos2*lw.cos3) + float64(x2*lw.cos2*lw.sin3) + float64(x3*lw.sin2)
	y = float64(-x1*lw.sin3) + float64(x2*lw.cos3)
	return
}

func (lw *linwave) a1(x1, x2, x3 float64) float64 {
	x, y := lw.wx(x1, x2, x3)
	ay := float64(lw.bz0*x) - float64((lw.dbz/lw.kpar)*fpmath.Cos(float64(lw.kpar*x)))
	az := float64(-lw.by0*x) + float64((lw.dby/lw.kpar)*fpmath.Cos(float64(lw.kpar*x))) + float64(lw.bx0*y)
	return float64(-ay*lw.sin3) - float64(az*lw.sin2*lw.cos3)
}

func (lw *linwave) a2(x1, x2, x3 float64) float64 {
	x, y := lw.wx(x1, x2, x3)
	ay := float64(lw.bz0*x) - float64((lw.dbz/lw.kpar)*fpmath.Cos(float64(lw.kpar*x)))
	az := float64(-lw.by0*x) + float64((lw.dby/lw.kpar)*fpmath.Cos(float64(lw.kpar*x))) + float64(lw.bx0*y)
	return float64(ay*lw.cos3) - float64(az*lw.sin2*lw.sin3)
}

func (lw *linwave) a3(x1, x2, x3 float64) float64 {
	x, y := lw.wx(x1, x2, x3)
	az := float64(-lw.by0*x) + float64((lw.dby/lw.kpar)*fpmath.Cos(float64(lw.kpar*x))) + float64(lw.bx0*y)
	return float64(az * lw.cos2)
}

// exact returns the initial (and, after whole periods, exact) conserved
// state and cell-centred B at a cell centre.
func (lw *linwave) exact(x1, x2, x3 float64) (u [nCons]float64, bc [3]float64) {
	x := float64(lw.cos2*(float64(x1*lw.cos3)+float64(x2*lw.sin3))) + float64(x3*lw.sin2)
	sn := fpmath.Sin(float64(lw.kpar * x))
	r := &lw.rem
	u[iDN] = lw.d0 + float64(lw.amp*sn*r[0])
	mx := float64(lw.d0*lw.vflow) + float64(lw.amp*sn*r[1])
	my := float64(lw.amp * sn * r[2])
	mz := float64(lw.amp * sn * r[3])
	u[iM1] = float64(mx*lw.cos2*lw.cos3) - float64(my*lw.sin3) - float64(mz*lw.sin2*lw.cos3)
	u[iM2] = float64(mx*lw.cos2*lw.sin3) + float64(my*lw.cos3) - float64(mz*lw.sin2*lw.sin3)
	u[iM3] = float64(mx*lw.sin2) + float64(mz*lw.cos2)
	u[iEN] = lw.p0/(lw.gamma-1) + float64(0.5*lw.d0*lw.vflow*lw.vflow) + float64(lw.amp*sn*r[4]) +
		float64(0.5*(float64(lw.bx0*lw.bx0)+float64(lw.by0*lw.by0)+float64(lw.bz0*lw.bz0)))
	bx := lw.bx0
	by := lw.by0 + float64(lw.amp*sn*r[5])
	bz := lw.bz0 + float64(lw.amp*sn*r[6])
	bc[0] = float64(bx*lw.cos2*lw.cos3) - float64(by*lw.sin3) - float64(bz*lw.sin2*lw.cos3)
	bc[1] = float64(bx*lw.cos2*lw.sin3) + float64(by*lw.cos3) - float64(bz*lw.sin2*lw.sin3)
	bc[2] = float64(bx*lw.sin2) + float64(bz*lw.cos2)
	return
}

// linwaveSource returns the wave whose formulas set up (and measure) the
// configured linear wave, and whether the configured wave is its point
// reflection. A left-going fast, Alfvén or slow wave without background
// flow on a periodic grid with even nx is built as the exact mirror image
// of the right-going one, x ↦ x₀ − x with x₀ = (3/2 Lx, Ly, Lz). Here
// k = 2π(1, 2, 2)/3, so k·x₀ = 7π (an odd multiple of π) and
// sin(k·(x₀ − x)) = sin(k·x): the reflected right-going wave (ρ, E and the
// axial B unchanged, ρv negated) is the left-going wave of the same
// amplitude and phase. Evaluating the left eigenvector at the cell centres
// instead gives the same state only up to the rounding of sin(k·x) at
// mirrored points, and then L and R errors differ in the last bits.
func linwaveSource(c Config, g geometry) (*linwave, bool) {
	mir := c.Direction == "left" && c.Wave != "entropy" && c.VFlow == 0 && g.n[0]%2 == 0
	for e := 0; e < 3; e++ {
		mir = mir && g.bc[e][0] == sim.Periodic && g.bc[e][1] == sim.Periodic
	}
	if !mir {
		return newLinwave(c, g), false
	}
	r := c
	r.Direction = "right"
	return newLinwave(r, g), true
}

// mirrorCell is the global cell that x ↦ x₀ − x maps global cell gi to
// (see linwaveSource); mirrorFace the same for a face normal to d.
func mirrorCell(g geometry, gi [3]int) [3]int {
	for e := 0; e < 3; e++ {
		n := g.n[e]
		h := 0
		if e == 0 {
			h = n / 2
		}
		gi[e] = ((n-1-gi[e]+h)%n + n) % n
	}
	return gi
}

func mirrorFace(g geometry, d int, gi [3]int) [3]int {
	for e := 0; e < 3; e++ {
		n := g.n[e]
		h := 0
		if e == 0 {
			h = n / 2
		}
		if e == d {
			gi[e] = ((n-gi[e]+h)%n + n) % n
		} else {
			gi[e] = ((n-1-gi[e]+h)%n + n) % n
		}
	}
	return gi
}

// exactAt is exact at the centre of global cell gi, or, for a mirrored
// wave, the reflection of exact at the mirrored cell.
func (lw *linwave) exactAt(st *setter, gi [3]int, mirrored bool) (u [nCons]float64, bc [3]float64) {
	if !mirrored {
		return lw.exact(st.xc(0, gi[0]), st.xc(1, gi[1]), st.xc(2, gi[2]))
	}
	m := mirrorCell(st.g, gi)
	u, bc = lw.exact(st.xc(0, m[0]), st.xc(1, m[1]), st.xc(2, m[2]))
	u[iM1], u[iM2], u[iM3] = -u[iM1], -u[iM2], -u[iM3]
	return u, bc
}

// setter places a problem's initial state on one block.
type setter struct {
	s     *solver
	g     geometry
	start [3]int // global index of the block's interior cell 0
	dx    [3]float64
}

// face coordinate of global face index gi along e, and cell centre.
func (st *setter) xf(e, gi int) float64 { return st.g.lo[e] + float64(float64(gi)*st.dx[e]) }
func (st *setter) xc(e, gi int) float64 { return st.g.lo[e] + float64((float64(gi)+0.5)*st.dx[e]) }

// wrap maps a global face index on a periodic axis back into [0, N) so
// the faces at both ends get the same bits.
func (st *setter) wrap(e, gi int) int {
	if st.g.bc[e][0] == sim.Periodic && gi == st.g.n[e] {
		return 0
	}
	return gi
}

// face returns the global index (wrapped along d) and the centre of local
// face (i, j, k) normal to d: face coordinate along d, cell centres elsewhere.
func (st *setter) face(d, i, j, k int) (gi [3]int, x [3]float64) {
	gi = [3]int{st.start[0] + i, st.start[1] + j, st.start[2] + k}
	gi[d] = st.wrap(d, gi[d])
	for e := 0; e < 3; e++ {
		if e == d {
			x[e] = st.xf(e, gi[e])
		} else {
			x[e] = st.xc(e, gi[e])
		}
	}
	return gi, x
}

// facesFromPotential sets every interior face from the discrete curl of A
// (edge-centred), plus a uniform field b0. ∇·B is then zero to round-off.
func (st *setter) facesFromPotential(a [3]func(x, y, z float64) float64, b0 [3]float64) {
	st.facesFromPotentialMap(a, b0, nil)
}

// facesFromPotentialMap is facesFromPotential where each face takes the
// value of the global face mirror(d, gi) (nil: gi itself).
func (st *setter) facesFromPotentialMap(a [3]func(x, y, z float64) float64, b0 [3]float64, mirror func(d int, gi [3]int) [3]int) {
	s := st.s
	for d := 0; d < 3; d++ {
		e1, e2 := (d+1)%3, (d+2)%3
		var hi [3]int
		for e := 0; e < 3; e++ {
			hi[e] = s.n[e] - 1
		}
		hi[d] = s.n[d]
		for k := 0; k <= hi[2]; k++ {
			for j := 0; j <= hi[1]; j++ {
				for i := 0; i <= hi[0]; i++ {
					gi, x := st.face(d, i, j, k)
					if mirror != nil {
						gi = mirror(d, gi)
						x = st.faceAt(d, gi)
					}
					// B_d = ∂A_e2/∂e1 − ∂A_e1/∂e2 with A on the face's edges.
					lo1, hi1 := x, x
					lo1[e1], hi1[e1] = st.xf(e1, gi[e1]), st.xf(e1, gi[e1]+1)
					lo2, hi2 := x, x
					lo2[e2], hi2[e2] = st.xf(e2, gi[e2]), st.xf(e2, gi[e2]+1)
					v := b0[d]
					if a[e2] != nil {
						v += (a[e2](hi1[0], hi1[1], hi1[2]) - a[e2](lo1[0], lo1[1], lo1[2])) / st.dx[e1]
					}
					if a[e1] != nil {
						v -= (a[e1](hi2[0], hi2[1], hi2[2]) - a[e1](lo2[0], lo2[1], lo2[2])) / st.dx[e2]
					}
					s.b[d][s.fidx(d, i, j, k)] = v
				}
			}
		}
	}
}

// faceAt is the centre of global face gi normal to d.
func (st *setter) faceAt(d int, gi [3]int) (x [3]float64) {
	for e := 0; e < 3; e++ {
		if e == d {
			x[e] = st.xf(e, gi[e])
		} else {
			x[e] = st.xc(e, gi[e])
		}
	}
	return x
}

// facesFunc sets every interior face from a point function of position.
func (st *setter) facesFunc(f func(d int, x [3]float64) float64) {
	s := st.s
	for d := 0; d < 3; d++ {
		var hi [3]int
		for e := 0; e < 3; e++ {
			hi[e] = s.n[e] - 1
		}
		hi[d] = s.n[d]
		for k := 0; k <= hi[2]; k++ {
			for j := 0; j <= hi[1]; j++ {
				for i := 0; i <= hi[0]; i++ {
					_, x := st.face(d, i, j, k)
					s.b[d][s.fidx(d, i, j, k)] = f(d, x)
				}
			}
		}
	}
}

// cellsPrim sets the conserved interior cells from primitive (ρ, v, p) at
// cell centres, with the magnetic energy of the face-averaged B.
func (st *setter) cellsPrim(f func(x [3]float64) (d float64, v [3]float64, p float64)) {
	s := st.s
	gm1 := s.gamma - 1
	for k := 0; k < s.n[2]; k++ {
		for j := 0; j < s.n[1]; j++ {
			for i := 0; i < s.n[0]; i++ {
				x := [3]float64{st.xc(0, st.start[0]+i), st.xc(1, st.start[1]+j), st.xc(2, st.start[2]+k)}
				d, v, p := f(x)
				b1 := float64(0.5 * (s.b[0][s.fidx(0, i, j, k)] + s.b[0][s.fidx(0, i+1, j, k)]))
				b2 := float64(0.5 * (s.b[1][s.fidx(1, i, j, k)] + s.b[1][s.fidx(1, i, j+1, k)]))
				b3 := float64(0.5 * (s.b[2][s.fidx(2, i, j, k)] + s.b[2][s.fidx(2, i, j, k+1)]))
				c := s.cidx(i, j, k)
				s.u[iDN][c] = d
				s.u[iM1][c], s.u[iM2][c], s.u[iM3][c] = float64(d*v[0]), float64(d*v[1]), float64(d*v[2])
				s.u[iEN][c] = p/gm1 + float64(0.5*d*(float64(v[0]*v[0])+float64(v[1]*v[1])+float64(v[2]*v[2]))) + float64(0.5*(float64(b1*b1)+float64(b2*b2)+float64(b3*b3)))
			}
		}
	}
}

// setup places the initial condition of problem c on the block of s whose
// interior cell 0 has global index start.
func setup(s *solver, c Config, g geometry, start [3]int) error {
	st := &setter{s: s, g: g, start: start, dx: g.dx()}
	tp := 2 * math.Pi
	switch c.Problem {
	case "uniform":
		st.facesFunc(func(d int, _ [3]float64) float64 { return [3]float64{0.5, -0.4, 0.9}[d] })
		st.cellsPrim(func([3]float64) (float64, [3]float64, float64) {
			return 1.3, [3]float64{0.3, -0.2, 0.1}, 0.7
		})
	case "linwave":
		lw, mir := linwaveSource(c, g)
		var fm func(d int, gi [3]int) [3]int
		if mir {
			fm = func(d int, gi [3]int) [3]int { return mirrorFace(g, d, gi) }
		}
		st.facesFromPotentialMap([3]func(x, y, z float64) float64{lw.a1, lw.a2, lw.a3}, [3]float64{}, fm)
		for k := 0; k < s.n[2]; k++ {
			for j := 0; j < s.n[1]; j++ {
				for i := 0; i < s.n[0]; i++ {
					u, _ := lw.exactAt(st, [3]int{start[0] + i, start[1] + j, start[2] + k}, mir)
					c := s.cidx(i, j, k)
					for m := 0; m < nCons; m++ {
						s.u[m][c] = u[m]
					}
				}
			}
		}
	case "brio-wu":
		ax := axisIndex(c.Axis)
		t1, t2 := (ax+1)%3, (ax+2)%3
		mid := float64(0.5 * (g.lo[ax] + g.hi[ax]))
		st.facesFunc(func(d int, x [3]float64) float64 {
			switch d {
			case ax:
				return 0.75
			case t1:
				if x[ax] < mid {
					return 1
				}
				return -1
			}
			return 0
		})
		_ = t2
		st.cellsPrim(func(x [3]float64) (float64, [3]float64, float64) {
			if x[ax] < mid {
				return 1, [3]float64{}, 1
			}
			return 0.125, [3]float64{}, 0.1
		})
	case "orszag-tang", "orszag-tang-3d":
		b0 := 1 / math.Sqrt(4*math.Pi)
		eps := 0.0
		if c.Problem == "orszag-tang-3d" {
			eps = c.Epsilon
		}
		az := func(x, y, _ float64) float64 {
			return float64(b0 * (fpmath.Cos(float64(2*tp*x))/(2*tp) + fpmath.Cos(float64(tp*y))/tp))
		}
		st.facesFromPotential([3]func(x, y, z float64) float64{nil, nil, az}, [3]float64{})
		st.cellsPrim(func(x [3]float64) (float64, [3]float64, float64) {
			m := 1 + float64(eps*fpmath.Sin(float64(tp*x[2])))
			return 25 / (36 * math.Pi), [3]float64{float64(-m * fpmath.Sin(float64(tp*x[1]))), float64(m * fpmath.Sin(float64(tp*x[0]))), float64(eps * fpmath.Sin(float64(tp*x[2])))}, 5 / (12 * math.Pi)
		})
	case "blast":
		th := c.Angle * math.Pi / 180
		bb := [3]float64{float64(c.B0 * fpmath.Cos(th)), float64(c.B0 * fpmath.Sin(th)), 0}
		st.facesFunc(func(d int, _ [3]float64) float64 { return bb[d] })
		st.cellsPrim(func(x [3]float64) (float64, [3]float64, float64) {
			r := math.Sqrt(float64(x[0]*x[0]) + float64(x[1]*x[1]) + float64(x[2]*x[2]))
			if r < c.Radius {
				return 1, [3]float64{}, float64(c.PAmb * c.PRatio)
			}
			return 1, [3]float64{}, c.PAmb
		})
	case "field-loop":
		az := func(x, y, _ float64) float64 {
			r := math.Sqrt(float64(x*x) + float64(y*y))
			if r < c.Radius {
				return float64(c.Amp * (c.Radius - r))
			}
			return 0
		}
		st.facesFromPotential([3]func(x, y, z float64) float64{nil, nil, az}, [3]float64{})
		st.cellsPrim(func([3]float64) (float64, [3]float64, float64) {
			return 1, [3]float64{2, 1, 0}, 1
		})
	default:
		return fmt.Errorf("mhd: no set-up for problem %q", c.Problem)
	}
	return nil
}

// linwaveL1 returns the per-component sums of |U − U₀| over the block's
// interior cells for a linwave model (8 components: ρ, ρv, E, B_cc), to be
// summed over blocks and divided by the global cell count.
func (m *Model) linwaveL1() ([8]float64, error) {
	var l1 [8]float64
	if m.cfg.Problem != "linwave" {
		return l1, fmt.Errorf("mhd: linear-wave error asked of problem %q", m.cfg.Problem)
	}
	s := m.s
	lw, mir := linwaveSource(m.cfg, m.geo)
	st := &setter{s: s, g: m.geo, start: m.start, dx: m.geo.dx()}
	// Exact sums: the result must not depend on the cell order, so that a
	// mirrored run gives the same bits.
	var acc [8]sim.ExactSum
	for k := 0; k < s.n[2]; k++ {
		for j := 0; j < s.n[1]; j++ {
			for i := 0; i < s.n[0]; i++ {
				u0, b0 := lw.exactAt(st, [3]int{m.start[0] + i, m.start[1] + j, m.start[2] + k}, mir)
				c := s.cidx(i, j, k)
				for q := 0; q < nCons; q++ {
					acc[q].Add(math.Abs(s.u[q][c] - u0[q]))
				}
				bc := [3]float64{
					float64(0.5 * (s.b[0][s.fidx(0, i, j, k)] + s.b[0][s.fidx(0, i+1, j, k)])),
					float64(0.5 * (s.b[1][s.fidx(1, i, j, k)] + s.b[1][s.fidx(1, i, j+1, k)])),
					float64(0.5 * (s.b[2][s.fidx(2, i, j, k)] + s.b[2][s.fidx(2, i, j, k+1)])),
				}
				for q := 0; q < 3; q++ {
					acc[nCons+q].Add(math.Abs(bc[q] - b0[q]))
				}
			}
		}
	}
	for q := range l1 {
		l1[q] = acc[q].Float64()
	}
	return l1, nil
}

// rmsL1 is the RMS over components of the L1 errors normalised by cells.
func rmsL1(l1 [8]float64, cells int) float64 {
	sum := 0.0
	for _, v := range l1 {
		e := v / float64(cells)
		sum += float64(e * e)
	}
	return math.Sqrt(sum)
}

// LinearWaveError returns Athena++'s linear-wave error measure for a
// single-block linwave model: the RMS over the 8 components of the L1 norm
// of U − U₀ (U₀ the initial state; after whole periods, the exact one).
func (m *Model) LinearWaveError() (float64, error) {
	l1, err := m.linwaveL1()
	if err != nil {
		return 0, err
	}
	return rmsL1(l1, m.geo.n[0]*m.geo.n[1]*m.geo.n[2]), nil
}
