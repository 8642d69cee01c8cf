package mhd

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/apollo-hpc/apollo/sim"
)

// Riemann solver selection.
const (
	solverHLLD = iota
	solverHLLE
)

// Conserved cell variables.
const (
	iDN = iota
	iM1
	iM2
	iM3
	iEN
	nCons
)

// Primitive cell variables (cell-centred B appended).
const (
	wDN = iota
	wV1
	wV2
	wV3
	wPR
	wB1
	wB2
	wB3
	nPrim
)

// solver holds the state of one block and the scratch it reuses every step.
type solver struct {
	n      [3]int     // interior cells
	ng     int        // ghost width
	s      [3]int     // cell array sizes incl. ghosts
	active [3]bool    // axes with more than one cell
	dx     [3]float64 // cell widths
	bcs    [3][2]sim.Boundary
	gamma  float64
	rsolv  int
	dfloor float64
	pfloor float64

	u  [nCons][]float64 // conserved cell fields at t^n
	uh [nCons][]float64 // conserved at the half step
	b  [3][]float64     // face-centred B at t^n (sim face layout)
	bh [3][]float64     // face-centred B at the half step

	// Intermediates of a stage, kept for rp z-planes only: plane k of the
	// block (interior coordinates) is ring plane (k+ng) mod rp (see ridx).
	// A stage runs in slabs of z-planes, so only the few planes a slab's
	// passes still read are live; rp = s[2] keeps them all.
	rp  int
	w   [nPrim][]float64 // primitives of the stage's input state
	ecc [3][]float64     // cell-centred E = −v×B
	ef  [3][2][]float64  // ef[d][0] = E_{d+2}, ef[d][1] = E_{d+1} on d-faces
	wgt [3][]float64     // CT upwind weight − ½ from the mass flux on d-faces, in [−½, ½]
	edg [3][]float64     // edge E_a at the (b−½, c−½) corner of each cell

	// x-pencil scratch: left/right states, fluxes.
	pl, pr, pf [7][]float64
	pf2        [7][]float64     // fluxes of the previous face row (y sweep)
	zf         [nCons][]float64 // fluxes of the previous face plane (z sweep)
	ph         [6][]float64     // HLLD pass-1 scratch
	bin        [3][]float64     // face B of the current stage's input

	floorHits int64
	slab      int // z-planes per slab of a stage; 0: slabPlanes

	// fill refreshes ghosts of (u, b) before a stage.
	fill func(ctx context.Context, u *[nCons][]float64, b *[3][]float64) error

	// cow is the copy-on-write bookkeeping, nil until the first freeze;
	// rebind, if set, points the halo's fields at the arrays of the
	// (u, b) and (uh, bh) roles after the sets rotate.
	cow    *cow
	rebind func()
}

// stateSet is one set of state arrays (conserved cells and face B).
type stateSet struct {
	u    [nCons][]float64
	b    [3][]float64
	held int // frozen snapshots reading the set; guarded by cow.mu
}

// cow rotates three sets of state arrays through the roles (u, b), (uh,
// bh) and spare, so that a frozen set is never written while held: a step
// that starts on a held set copies it into the half-step set, which takes
// the (u, b) role; the spare becomes the half-step set, and the frozen set
// the spare. A step needs the spare back only when the set it started
// from is held again (a freeze at the next step) and the previous freeze
// is still not released: it then waits (counted as stall).
type cow struct {
	mu               sync.Mutex
	cur, half, spare *stateSet
	released         chan struct{} // a release happened (capacity 1)
	waits            int64
	wait             time.Duration
}

// freeze marks the current state set held and returns it. The spare set
// (one more copy of u and b) is allocated at the first freeze.
func (s *solver) freeze() (*cow, *stateSet) {
	if s.cow == nil {
		c := &cow{cur: &stateSet{u: s.u, b: s.b}, half: &stateSet{u: s.uh, b: s.bh},
			spare: &stateSet{}, released: make(chan struct{}, 1)}
		for m := 0; m < nCons; m++ {
			c.spare.u[m] = make([]float64, len(s.u[m]))
		}
		for d := 0; d < 3; d++ {
			c.spare.b[d] = make([]float64, len(s.b[d]))
		}
		s.cow = c
	}
	c := s.cow
	c.mu.Lock()
	c.cur.held++
	set := c.cur
	c.mu.Unlock()
	return c, set
}

// release ends one hold of set.
func (c *cow) release(set *stateSet) {
	c.mu.Lock()
	set.held--
	c.mu.Unlock()
	select {
	case c.released <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// frozen reports whether the current set is held (RestoreState must not
// write it).
func (s *solver) frozen() bool {
	if s.cow == nil {
		return false
	}
	s.cow.mu.Lock()
	defer s.cow.mu.Unlock()
	return s.cow.cur.held > 0
}

// rotate is called before a step writes the state. If the current set is
// held, the sets rotate (waiting for the spare if it is still held) and
// rotate returns the held set, which the step must copy from instead of
// writing it; else nil, and the step runs in place.
func (s *solver) rotate(ctx context.Context) (*stateSet, error) {
	c := s.cow
	if c == nil {
		return nil, nil
	}
	c.mu.Lock()
	if c.cur.held == 0 {
		c.mu.Unlock()
		return nil, nil
	}
	if c.spare.held > 0 {
		t0 := time.Now()
		for c.spare.held > 0 {
			c.mu.Unlock()
			select {
			case <-c.released:
			case <-ctx.Done():
				return nil, fmt.Errorf("mhd: waiting for a frozen state to be released: %w", ctx.Err())
			}
			c.mu.Lock()
		}
		c.waits++
		c.wait += time.Since(t0)
	}
	src := c.cur
	c.cur, c.half, c.spare = c.half, c.spare, src
	s.u, s.b, s.uh, s.bh = c.cur.u, c.cur.b, c.half.u, c.half.b
	c.mu.Unlock()
	if s.rebind != nil {
		s.rebind()
	}
	return src, nil
}

// storage optionally supplies the state arrays (the sim fields' Data) so
// that the halo exchange works on them in place; nil entries are allocated.
type storage struct {
	u, uh [nCons][]float64
	b, bh [3][]float64
}

func newSolver(n [3]int, ng int, dx [3]float64, gamma float64, rsolv int, ext *storage) (*solver, error) {
	if ng < 2 {
		return nil, fmt.Errorf("mhd: ghost width %d < 2", ng)
	}
	s := &solver{n: n, ng: ng, dx: dx, gamma: gamma, rsolv: rsolv, dfloor: 1e-10, pfloor: 1e-12}
	for d := 0; d < 3; d++ {
		if n[d] < 1 {
			return nil, fmt.Errorf("mhd: %d cells along axis %d", n[d], d)
		}
		if !(dx[d] > 0) {
			return nil, fmt.Errorf("mhd: cell width %g along axis %d", dx[d], d)
		}
		s.active[d] = n[d] > 1
		s.s[d] = n[d] + 2*ng
	}
	if !s.active[0] && !s.active[1] && !s.active[2] {
		return nil, errors.New("mhd: no axis has more than one cell")
	}
	nc := s.s[0] * s.s[1] * s.s[2]
	if ext == nil {
		ext = &storage{}
	}
	get := func(ext []float64, l int) ([]float64, error) {
		if ext == nil {
			return make([]float64, l), nil
		}
		if len(ext) != l {
			return nil, fmt.Errorf("mhd: supplied array has %d values, want %d", len(ext), l)
		}
		return ext, nil
	}
	var err error
	for m := 0; m < nCons; m++ {
		if s.u[m], err = get(ext.u[m], nc); err != nil {
			return nil, err
		}
		if s.uh[m], err = get(ext.uh[m], nc); err != nil {
			return nil, err
		}
	}
	for d := 0; d < 3; d++ {
		if s.b[d], err = get(ext.b[d], s.faceLen(d)); err != nil {
			return nil, err
		}
		if s.bh[d], err = get(ext.bh[d], s.faceLen(d)); err != nil {
			return nil, err
		}
	}
	s.setRing(s.ringPlanes(slabPlanes))
	np := s.s[0] + 1
	for m := 0; m < 7; m++ {
		s.pl[m] = make([]float64, np)
		s.pr[m] = make([]float64, np)
		s.pf[m] = make([]float64, np)
		s.pf2[m] = make([]float64, np)
	}
	for m := 0; m < 6; m++ {
		s.ph[m] = make([]float64, np)
	}
	for m := 0; m < nCons; m++ {
		s.zf[m] = make([]float64, np*(s.s[1]+1))
	}
	s.fill = s.fillSerial
	return s, nil
}

// ringPlanes is the number of ring planes for slabs of B planes: in a
// slab the z sweep reads w of the planes k0−2 … k0+B, the last of them
// written by the same slab's primitives (the widest live range; see
// stage), so B+3 are needed. It is rounded up to a power of two: at 160³
// a ring of 5 planes ran 0.7× as fast as rings of 4, 6 or 8 and the full
// arrays, reproducibly (docs/bench/mhd.md; the cause, presumably cache
// conflicts, could not be measured on the VM).
func (s *solver) ringPlanes(B int) int {
	r := 4
	for r < B+3 {
		r *= 2
	}
	return min(s.s[2], r)
}

// setRing (re)allocates the intermediates for rp ring planes; zero-filled,
// as at the start, so reads of cells no pass writes (ghost corners of
// inactive axes, multiplied by a zero width) find the same values at any rp.
func (s *solver) setRing(rp int) {
	if s.rp == rp {
		return
	}
	s.rp = rp
	l := rp * s.s[0] * s.s[1]
	for d := 0; d < 3; d++ {
		s.ecc[d] = make([]float64, l)
		s.wgt[d] = make([]float64, l)
		s.edg[d] = make([]float64, l)
		s.ef[d][0] = make([]float64, l)
		s.ef[d][1] = make([]float64, l)
	}
	for m := 0; m < nPrim; m++ {
		s.w[m] = make([]float64, l)
	}
}

// ridx is the index of cell (i,j,k) in the intermediates' ring of planes.
func (s *solver) ridx(i, j, k int) int {
	g := s.ng
	return (i + g) + s.s[0]*((j+g)+s.s[1]*((k+g)%s.rp))
}

// faceLen is the length of a face field in direction d.
func (s *solver) faceLen(d int) int {
	l := 1
	for e := 0; e < 3; e++ {
		if e == d {
			l *= s.s[e] + 1
		} else {
			l *= s.s[e]
		}
	}
	return l
}

// cidx is the index of cell (i,j,k) (local interior coordinates).
func (s *solver) cidx(i, j, k int) int {
	g := s.ng
	return (i + g) + s.s[0]*((j+g)+s.s[1]*(k+g))
}

// fidx is the index of face (i,j,k) of the face field in direction d: the
// face on the low side of cell (i,j,k).
func (s *solver) fidx(d, i, j, k int) int {
	g := s.ng
	switch d {
	case 0:
		return (i + g) + (s.s[0]+1)*((j+g)+s.s[1]*(k+g))
	case 1:
		return (i + g) + s.s[0]*((j+g)+(s.s[1]+1)*(k+g))
	default:
		return (i + g) + s.s[0]*((j+g)+s.s[1]*(k+g))
	}
}

// cstride is the cell-array stride along axis d.
func (s *solver) cstride(d int) int {
	switch d {
	case 0:
		return 1
	case 1:
		return s.s[0]
	default:
		return s.s[0] * s.s[1]
	}
}

// trange is the range of transverse indices along axis e on which face
// fluxes are needed so that the edge EMFs of all interior faces exist. An
// inactive axis needs only index 0 (its face 1 is a copy of face 0).
func (s *solver) trange(e int) (int, int) {
	if s.active[e] {
		return -1, s.n[e]
	}
	return 0, 0
}

// prange is the range of cells along axis e whose primitives are needed.
func (s *solver) prange(e int) (int, int) {
	if s.active[e] {
		return -s.ng, s.n[e] + s.ng - 1
	}
	return 0, 0
}

// step advances the state by dt with the VL2 predictor–corrector.
func (s *solver) step(ctx context.Context, dt float64) error {
	// A frozen state is read, never written: the step starts from a copy
	// in the next set (see cow).
	src, err := s.rotate(ctx)
	if err != nil {
		return err
	}
	if src != nil {
		for m := 0; m < nCons; m++ {
			copy(s.u[m], src.u[m])
		}
		for d := 0; d < 3; d++ {
			copy(s.b[d], src.b[d])
		}
	}
	// Predictor: first-order fluxes from t^n, half step.
	if err := s.fill(ctx, &s.u, &s.b); err != nil {
		return fmt.Errorf("mhd: ghost fill (predictor): %w", err)
	}
	s.stage(1, float64(0.5*dt), dt, &s.u, &s.b, &s.uh, &s.bh, true)

	// Corrector: second-order fluxes from the half step, full step from t^n.
	if err := s.fill(ctx, &s.uh, &s.bh); err != nil {
		return fmt.Errorf("mhd: ghost fill (corrector): %w", err)
	}
	s.stage(2, dt, dt, &s.uh, &s.bh, &s.u, &s.b, false)
	return nil
}

// slabPlanes is the default number of z-planes per slab of a stage (see
// stage): one plane keeps the fewest intermediates (a ring of 4 planes);
// larger slabs measured no faster (docs/bench/mhd.md).
const slabPlanes = 1

// stage runs one VL2 stage: primitives of (u, b), fluxes of the given
// order along every axis added (times dtu) to out, edge EMFs, and
// ob −= dtu ∇×E. With cp, out and ob first get a copy of u and b (the
// predictor starts the half step from t^n).
//
// The passes run in slabs of z-planes rather than each over the whole
// block: for slab [k0, k0+B) the primitives do planes k0+1…k0+B, the three
// sweeps and the corner EMFs planes k0…k0+B−1 and CT planes k0−1…k0+B−2,
// each lagging the one before by its reach in k (the z sweep reads w at
// k−2…k+1, the corners read face EMFs at k−1 and k, CT reads edges at k
// and k+1). So a slab's intermediates are still in cache when the next
// pass reads them, instead of every pass streaming whole arrays through
// memory. Every value is computed by the same operations from the same
// inputs, and each cell still gets its x, y and z updates in that order,
// so the bits do not depend on the slab size; one slab covering the block
// is the pass-by-pass schedule (TestSlabsSameBits).
func (s *solver) stage(order int, dtu, dtw float64, u *[nCons][]float64, b *[3][]float64,
	out *[nCons][]float64, ob *[3][]float64, cp bool) {
	g := s.ng
	n2 := s.n[2]
	B := s.slab
	if B <= 0 {
		B = slabPlanes
	}
	s.bin = *b
	s.setRing(s.ringPlanes(B))
	plane := s.s[0] * s.s[1]
	copied := 0 // array z-planes of u, b already copied into out, ob
	copyTo := func(end int) {
		if !cp || end <= copied {
			return
		}
		for m := 0; m < nCons; m++ {
			copy(out[m][copied*plane:end*plane], u[m][copied*plane:end*plane])
		}
		for d := 0; d < 3; d++ {
			// Face arrays: plane p starts at p·fp (fp = plane size of
			// the d-face array; the z-face array has one plane more).
			fp := len(b[d]) / s.s[2]
			if d == 2 {
				fp = plane
			}
			copy(ob[d][copied*fp:end*fp], b[d][copied*fp:end*fp])
		}
		copied = end
	}
	for k0 := -g - 1; k0 <= n2+1; k0 += B {
		s.primitivesK(u, b, k0+1, k0+B+1)
		// The copy of a plane follows its primitives (which may floor
		// u) and precedes the first pass that writes it.
		copyTo(min(k0+B+1+g, s.s[2]))
		for d := 0; d < 3; d++ {
			if s.active[d] {
				s.sweep(d, order, dtu, dtw, out, k0, k0+B)
			}
		}
		s.cornerK(k0, k0+B)
		s.ctUpdateK(dtu, ob, k0-1, k0+B-1)
	}
	if cp {
		copyTo(s.s[2])
		copy(ob[2][s.s[2]*plane:], b[2][s.s[2]*plane:])
	}
	for a := 0; a < 3; a++ {
		if !s.active[a] {
			s.copyFaceLayer(ob[a], a)
		}
	}
}

// primitives converts (u, b) of every cell, ghosts included, into s.w and
// the cell-centred EMFs, applying (and counting, in interior cells) the
// density and pressure floors; floored conserved values are written back.
// The intermediates keep every plane afterwards (tests and BenchmarkParts
// read them or run the other passes on the whole block).
func (s *solver) primitives(u *[nCons][]float64, b *[3][]float64) {
	s.bin = *b
	s.setRing(s.s[2])
	s.primitivesK(u, b, math.MinInt, math.MaxInt)
}

// primitivesK is primitives on the cell planes k0 ≤ k < k1 (interior
// coordinates) of its range.
func (s *solver) primitivesK(u *[nCons][]float64, b *[3][]float64, k0, k1 int) {
	g := s.ng
	sx, sy := s.s[0], s.s[1]
	gm1 := s.gamma - 1
	d0, m1, m2, m3, en := u[iDN], u[iM1], u[iM2], u[iM3], u[iEN]
	bx, by, bz := b[0], b[1], b[2]
	wd, wv1, wv2, wv3, wp := s.w[wDN], s.w[wV1], s.w[wV2], s.w[wV3], s.w[wPR]
	wb1, wb2, wb3 := s.w[wB1], s.w[wB2], s.w[wB3]
	e1, e2, e3 := s.ecc[0], s.ecc[1], s.ecc[2]
	sxy := sx * sy
	var hits int64
	ilo, ihi := s.prange(0)
	jlo, jhi := s.prange(1)
	klo, khi := s.prange(2)
	klo, khi = max(klo, k0), min(khi, k1-1)
	for kk := klo + g; kk <= khi+g; kk++ {
		for jj := jlo + g; jj <= jhi+g; jj++ {
			c0 := sx * (jj + sy*kk)
			fx0 := (sx + 1) * (jj + sy*kk)
			fy0 := sx * (jj + (sy+1)*kk)
			rowIn := jj >= g && jj < g+s.n[1] && kk >= g && kk < g+s.n[2]
			// Row slices of length n (bounds-check-free loop).
			i0 := ilo + g
			n := ihi + g - i0 + 1
			r0 := s.ridx(ilo, jj-g, kk-g) // the row in the intermediates
			c0 += i0
			r := primRowArgs{
				bxl: bx[fx0+i0:][:n], bxr: bx[fx0+i0+1:][:n],
				byl: by[fy0+i0:][:n], byr: by[fy0+i0+sx:][:n],
				bzl: bz[c0:][:n], bzr: bz[c0+sxy:][:n],
				rd: d0[c0:][:n], rm1: m1[c0:][:n], rm2: m2[c0:][:n], rm3: m3[c0:][:n], ren: en[c0:][:n],
				od: wd[r0:][:n], ov1: wv1[r0:][:n], ov2: wv2[r0:][:n], ov3: wv3[r0:][:n], op: wp[r0:][:n],
				ob1: wb1[r0:][:n], ob2: wb2[r0:][:n], ob3: wb3[r0:][:n],
				oe1: e1[r0:][:n], oe2: e2[r0:][:n], oe3: e3[r0:][:n],
				gm1: gm1, dfloor: s.dfloor, pfloor: s.pfloor,
			}
			if rowIn {
				// Interior cells of the row, for the floor-hit count.
				r.inLo, r.inHi = g-i0, g+s.n[0]-i0
			}
			hits += primRow(&r, n)
		}
	}
	s.floorHits += hits
}

// primRowArgs are the row slices (all of one length) and constants of one
// row of the primitives pass.
type primRowArgs struct {
	bxl, bxr, byl, byr, bzl, bzr []float64
	rd, rm1, rm2, rm3, ren       []float64
	od, ov1, ov2, ov3, op        []float64
	ob1, ob2, ob3, oe1, oe2, oe3 []float64
	gm1, dfloor, pfloor          float64
	inLo, inHi                   int // cells [inLo, inHi) count floor hits
}

// primRowGo converts cells [lo, hi) of a row and returns the floor hits.
func primRowGo(r *primRowArgs, lo, hi int) int64 {
	var hits int64
	gm1 := r.gm1
	bxl, bxr, byl, byr, bzl, bzr := r.bxl[:hi], r.bxr[:hi], r.byl[:hi], r.byr[:hi], r.bzl[:hi], r.bzr[:hi]
	rd, rm1, rm2, rm3, ren := r.rd[:hi], r.rm1[:hi], r.rm2[:hi], r.rm3[:hi], r.ren[:hi]
	od, ov1, ov2, ov3, op := r.od[:hi], r.ov1[:hi], r.ov2[:hi], r.ov3[:hi], r.op[:hi]
	ob1, ob2, ob3, oe1, oe2, oe3 := r.ob1[:hi], r.ob2[:hi], r.ob3[:hi], r.oe1[:hi], r.oe2[:hi], r.oe3[:hi]
	for t := lo; t < hi; t++ {
		b1 := float64(0.5 * (bxl[t] + bxr[t]))
		b2 := float64(0.5 * (byl[t] + byr[t]))
		b3 := float64(0.5 * (bzl[t] + bzr[t]))
		rho := rd[t]
		floored := false
		if rho < r.dfloor {
			rho = r.dfloor
			rd[t] = rho
			floored = true
		}
		di := 1 / rho
		v1, v2, v3 := float64(rm1[t]*di), float64(rm2[t]*di), float64(rm3[t]*di)
		ke := float64(0.5 * rho * (float64(v1*v1) + float64(v2*v2) + float64(v3*v3)))
		me := float64(0.5 * (float64(b1*b1) + float64(b2*b2) + float64(b3*b3)))
		p := float64(gm1 * (ren[t] - ke - me))
		if p < r.pfloor {
			p = r.pfloor
			ren[t] = p/gm1 + ke + me
			floored = true
		}
		if floored && t >= r.inLo && t < r.inHi {
			hits++
		}
		od[t], ov1[t], ov2[t], ov3[t], op[t] = rho, v1, v2, v3, p
		ob1[t], ob2[t], ob3[t] = b1, b2, b3
		oe1[t] = float64(v3*b2) - float64(v2*b3)
		oe2[t] = float64(v1*b3) - float64(v3*b1)
		oe3[t] = float64(v2*b1) - float64(v1*b2)
	}
	return hits
}

// sweeps computes the fluxes along every active axis from s.w, adds
// −dtu·∇·F to out, and stores the face EMFs and upwind weights for CT.
// order is 1 (donor cell) or 2 (PLM). dtw is the step used by the weights.
func (s *solver) sweeps(order int, dtu, dtw float64, out *[nCons][]float64) {
	for d := 0; d < 3; d++ {
		if !s.active[d] {
			continue
		}
		s.sweep(d, order, dtu, dtw, out, math.MinInt, math.MaxInt)
	}
}

// sweep is the sweep along d over the face rows at k0 ≤ k < k1 of its
// range. The z sweep carries the previous face plane's fluxes (zf), so its
// calls must cover its planes in increasing order.
func (s *solver) sweep(d, order int, dtu, dtw float64, out *[nCons][]float64, k0, k1 int) {
	d1, d2 := (d+1)%3, (d+2)%3
	st := s.cstride(d)
	// Loop ranges: faces along d, transverse ranges elsewhere.
	var lo, hi [3]int
	for e := 0; e < 3; e++ {
		if e == d {
			lo[e], hi[e] = 0, s.n[e]
		} else {
			lo[e], hi[e] = s.trange(e)
		}
	}
	L := hi[0] - lo[0] + 1
	comp := [7]int{wDN, wV1 + d, wV1 + d1, wV1 + d2, wPR, wB1 + d1, wB1 + d2}
	um := [5]int{iDN, iM1 + d, iM1 + d1, iM1 + d2, iEN}
	bn := s.b0face(d)
	dtdx := dtu / s.dx[d]
	wfac := 1024 * dtw / s.dx[d]
	efA, efB, wg := s.ef[d][0], s.ef[d][1], s.wgt[d]
	// A cell row is updated once the fluxes of both its faces along d
	// exist: the x sweep has them in one pencil; the y sweep keeps the
	// previous face row's fluxes (pf2), the z sweep the previous face
	// plane's (zf, row j at offset j·L).
	cur, prev := &s.pf, &s.pf2
	for k := max(lo[2], k0); k <= min(hi[2], k1-1); k++ {
		for j := lo[1]; j <= hi[1]; j++ {
			p0 := s.cidx(lo[0], j, k)
			f0 := s.fidx(d, lo[0], j, k)
			// The row in the intermediates and, in the z sweep, the rows
			// of the planes k−2, k−1, k+1 (elsewhere at ±st in the plane).
			r0 := s.ridx(lo[0], j, k)
			rm2, rm1, rp1 := r0-2*st, r0-st, r0+st
			if d == 2 {
				rm2, rm1, rp1 = s.ridx(lo[0], j, k-2), s.ridx(lo[0], j, k-1), s.ridx(lo[0], j, k+1)
			}
			// Donor cell needs no reconstruction: the Riemann solver reads
			// the cell values in place.
			left, right := &s.pl, &s.pr
			var dcl, dcr [7][]float64
			if order == 1 {
				for m := 0; m < 7; m++ {
					q := s.w[comp[m]]
					dcl[m], dcr[m] = q[rm1:][:L], q[r0:][:L]
				}
				left, right = &dcl, &dcr
			} else {
				for m := 0; m < 7; m++ {
					q := s.w[comp[m]]
					plmRows(q[rm2:], q[rm1:], q[r0:], q[rp1:], L, s.pl[m], s.pr[m])
				}
			}
			pbn := bn[f0:][:L]
			if s.rsolv == solverHLLE {
				hlle(L, s.gamma, left, right, pbn, cur)
			} else {
				hlld(L, s.gamma, left, right, pbn, cur, &s.ph)
			}
			// Face EMFs and upwind weights for CT.
			fd, fb1, fb2 := cur[0][:L], cur[5][:L], cur[6][:L]
			dl, dr := left[0][:L], right[0][:L]
			ea, eb, ww := efA[r0:][:L], efB[r0:][:L], wg[r0:][:L]
			for t := 0; t < L; t++ {
				ea[t] = -fb1[t]
				eb[t] = fb2[t]
				v := wfac * fd[t] / (dl[t] + dr[t])
				if v > 0.5 {
					v = 0.5
				} else if v < -0.5 {
					v = -0.5
				}
				ww[t] = v
			}
			// Hydro update of the interior cells: each gets
			// dtdx·F_low − dtdx·F_high as one difference, so a mirrored
			// state gets the mirrored bits (adding the two faces one after
			// the other would round in face order).
			switch d {
			case 0:
				if s.rowInterior(d, j, k) {
					for m := 0; m < nCons; m++ {
						updateRow(out[um[m]][p0:][:L-1], cur[m][:L-1], cur[m][1:L], dtdx)
					}
				}
			case 1:
				if j > lo[1] && j-1 < s.n[1] && s.rowInterior(d, j, k) {
					for m := 0; m < nCons; m++ {
						updateRow(out[um[m]][p0-st:][:L], prev[m][:L], cur[m][:L], dtdx)
					}
				}
				cur, prev = prev, cur
			default:
				zo := (j - lo[1]) * L
				if k > lo[2] && k-1 < s.n[2] && s.rowInterior(d, j, k) {
					for m := 0; m < nCons; m++ {
						updateRow(out[um[m]][p0-st:][:L], s.zf[m][zo:][:L], cur[m][:L], dtdx)
					}
				}
				for m := 0; m < nCons; m++ {
					copy(s.zf[m][zo:][:L], cur[m][:L])
				}
			}
		}
	}
}

// updateCells sets q[t] += dtdx·flo[t] − dtdx·fhi[t] (flo, fhi: fluxes
// through the low and high face of cell t). The conversions keep the two
// products rounded separately (the spec lets a compiler fuse x*y − z into
// an FMA, e.g. with GOAMD64=v3), which the mirror symmetry needs.
func updateCells(q, flo, fhi []float64, dtdx float64) {
	flo = flo[:len(q)]
	fhi = fhi[:len(q)]
	for t := range q {
		q[t] += float64(dtdx*flo[t]) - float64(dtdx*fhi[t])
	}
}

// b0face returns the face field array of the current stage's input in
// direction d. The stage input is whatever primitives() last read; the
// solver records it there.
func (s *solver) b0face(d int) []float64 { return s.bin[d] }

// rowInterior reports whether a pencil of d-faces at (j, k) touches only
// interior cells in the transverse directions (the update rows).
func (s *solver) rowInterior(d, j, k int) bool {
	switch d {
	case 0:
		return j >= 0 && j < s.n[1] && k >= 0 && k < s.n[2]
	case 1:
		return k >= 0 && k < s.n[2]
	default:
		return j >= 0 && j < s.n[1]
	}
}

// plm is piecewise-linear reconstruction with the van Leer limiter: the
// left state at each face extrapolates from the cell below, the right state
// from the cell above.
func plm(q []float64, p0, st, L int, ql, qr []float64) {
	plmGo(q[p0-2*st:], q[p0-st:], q[p0:], q[p0+st:], L, ql, qr)
}

// plmGo is plm from the four cell rows around the faces: qm2, qm1 below,
// q0, qp1 above.
func plmGo(qm2, qm1, q0, qp1 []float64, L int, ql, qr []float64) {
	// The [:L] form gives every slice length exactly L, so the loop needs
	// no bounds checks.
	qm2, qm1, q0, qp1 = qm2[:L], qm1[:L], q0[:L], qp1[:L]
	ql = ql[:L]
	qr = qr[:L]
	for t := 0; t < L; t++ {
		a, b, c := qm1[t]-qm2[t], q0[t]-qm1[t], qp1[t]-q0[t]
		ab := float64(a * b)
		sl := 0.0
		if ab > 0 {
			sl = ab / (a + b)
		}
		bc := float64(b * c)
		sr := 0.0
		if bc > 0 {
			sr = bc / (b + c)
		}
		// van Leer slope is 2ab/(a+b); half of it is added.
		ql[t] = qm1[t] + sl
		qr[t] = q0[t] - sr
	}
}

// corner builds the edge EMFs from the face EMFs (Gardiner & Stone upwind
// CT). Edge E_a sits at the (b−½, c−½) corner of cell p, b = a+1, c = a+2.
func (s *solver) corner() { s.cornerK(math.MinInt, math.MaxInt) }

// cornerK is corner on the edge planes k0 ≤ k < k1 of its range.
func (s *solver) cornerK(k0, k1 int) {
	for a := 0; a < 3; a++ {
		b, c := (a+1)%3, (a+2)%3
		// Unit offsets along b and c (the neighbours at −b, −c).
		var ob, oc [3]int
		ob[b], oc[c] = 1, 1
		eb := s.ef[b][0] // E_a on b-faces
		ec := s.ef[c][1] // E_a on c-faces
		wb, wc := s.wgt[b], s.wgt[c]
		cc := s.ecc[a]
		out := s.edg[a]
		var lo, hi [3]int
		for e := 0; e < 3; e++ {
			switch {
			case e == a:
				lo[e], hi[e] = 0, s.n[e]-1
			case s.active[e]:
				lo[e], hi[e] = 0, s.n[e]
			default:
				lo[e], hi[e] = 0, 0
			}
		}
		ab, ac := s.active[b], s.active[c]
		for k := max(lo[2], k0); k <= min(hi[2], k1-1); k++ {
			for j := lo[1]; j <= hi[1]; j++ {
				i0 := lo[0]
				p0 := s.ridx(i0, j, k)
				L := hi[0] - lo[0] + 1
				switch {
				case ab && ac:
					// Row slices at each neighbour offset, all of length
					// L, so the loop has no bounds checks.
					pB := s.ridx(i0-ob[0], j-ob[1], k-ob[2])
					pC := s.ridx(i0-oc[0], j-oc[1], k-oc[2])
					pBC := s.ridx(i0-ob[0]-oc[0], j-ob[1]-oc[1], k-ob[2]-oc[2])
					r := cornerRowArgs{
						o:   out[p0:][:L],
						ec0: ec[p0:][:L], ecB: ec[pB:][:L],
						eb0: eb[p0:][:L], ebC: eb[pC:][:L],
						cc0: cc[p0:][:L], ccB: cc[pB:][:L], ccC: cc[pC:][:L], ccBC: cc[pBC:][:L],
						wb0: wb[p0:][:L], wbC: wb[pC:][:L],
						wc0: wc[p0:][:L], wcB: wc[pB:][:L],
					}
					cornerRow(&r)
				case ab:
					copy(out[p0:p0+L], eb[p0:p0+L])
				case ac:
					copy(out[p0:p0+L], ec[p0:p0+L])
				default:
					// Both transverse axes inactive: E_a never enters a curl.
					clear(out[p0 : p0+L])
				}
			}
		}
	}
}

// cornerRowArgs are the row slices, all of one length, of one row of edge
// EMFs: the output, the face EMFs and upwind weights (v) at the edge's
// faces, and the cell-centred EMFs of the four cells around the edge.
type cornerRowArgs struct {
	o, ec0, ecB, eb0, ebC []float64
	cc0, ccB, ccC, ccBC   []float64
	wb0, wbC, wc0, wcB    []float64
}

// cornerRowGo computes edges [lo, hi) of a row.
func cornerRowGo(r *cornerRowArgs, lo, hi int) {
	o, ec0, ecB, eb0, ebC := r.o[:hi], r.ec0[:hi], r.ecB[:hi], r.eb0[:hi], r.ebC[:hi]
	cc0, ccB, ccC, ccBC := r.cc0[:hi], r.ccB[:hi], r.ccC[:hi], r.ccBC[:hi]
	wb0, wbC, wc0, wcB := r.wb0[:hi], r.wbC[:hi], r.wc0[:hi], r.wcB[:hi]
	for t := lo; t < hi; t++ {
		// Weights ½ ± v, each rounded once, and the sum in pairs: a
		// mirrored state then gives the mirrored bits (1 − (½ + v) and a
		// left-to-right sum would not).
		vbl, vbr := wbC[t], wb0[t]
		vcl, vcr := wcB[t], wc0[t]
		deLc := float64((0.5-vbl)*(ec0[t]-ccC[t])) + float64((0.5+vbl)*(ecB[t]-ccBC[t]))
		deRc := float64((0.5-vbr)*(ec0[t]-cc0[t])) + float64((0.5+vbr)*(ecB[t]-ccB[t]))
		deLb := float64((0.5-vcl)*(eb0[t]-ccB[t])) + float64((0.5+vcl)*(ebC[t]-ccBC[t]))
		deRb := float64((0.5-vcr)*(eb0[t]-cc0[t])) + float64((0.5+vcr)*(ebC[t]-ccC[t]))
		o[t] = float64(0.25 * (((deLb + deRb) + (deLc + deRc)) + ((ecB[t] + ec0[t]) + (ebC[t] + eb0[t]))))
	}
}

// ctUpdateK sets bo −= dt ∇×E on the interior faces (Stokes on each face)
// of the planes k0 ≤ k < k1. The face layer of an inactive axis is left to
// the caller (copyFaceLayer, once the whole layer is done).
func (s *solver) ctUpdateK(dt float64, bo *[3][]float64, k0, k1 int) {
	for a := 0; a < 3; a++ {
		b, c := (a+1)%3, (a+2)%3
		var ob, oc [3]int
		ob[b], oc[c] = 1, 1
		// (∇×E)_a = ∂E_c/∂b − ∂E_b/∂c
		ec, eb := s.edg[c], s.edg[b]
		fb, fc := 0.0, 0.0
		if s.active[b] {
			fb = dt / s.dx[b]
		}
		if s.active[c] {
			fc = dt / s.dx[c]
		}
		q := bo[a]
		var hi [3]int
		for e := 0; e < 3; e++ {
			hi[e] = s.n[e] - 1
		}
		if s.active[a] {
			hi[a] = s.n[a]
		}
		for k := max(0, k0); k <= min(hi[2], k1-1); k++ {
			for j := 0; j <= hi[1]; j++ {
				L := hi[0] + 1
				p0 := s.ridx(0, j, k)
				ec0, ecB := ec[p0:][:L], ec[s.ridx(ob[0], j+ob[1], k+ob[2]):][:L]
				eb0, ebC := eb[p0:][:L], eb[s.ridx(oc[0], j+oc[1], k+oc[2]):][:L]
				qf := q[s.fidx(a, 0, j, k):][:L]
				for t := range qf {
					qf[t] -= float64(fb*(ecB[t]-ec0[t])) - float64(fc*(ebC[t]-eb0[t]))
				}
			}
		}
	}
}

// copyFaceLayer sets face 1 of an inactive axis a to face 0 over the whole
// array: the problem does not vary along a.
func (s *solver) copyFaceLayer(q []float64, a int) {
	var tot [3]int
	for e := 0; e < 3; e++ {
		tot[e] = s.s[e]
	}
	tot[a]++
	st := [3]int{1, tot[0], tot[0] * tot[1]}
	b, c := (a+1)%3, (a+2)%3
	for oc := 0; oc < tot[c]; oc++ {
		for ob := 0; ob < tot[b]; ob++ {
			base := ob*st[b] + oc*st[c] + s.ng*st[a]
			q[base+st[a]] = q[base]
		}
	}
}

// fastSpeed is the fast magnetosonic speed for normal field bn.
func fastSpeed(gamma, d, p, bn, bt1, bt2 float64) float64 {
	asq := gamma * p / d
	ct2 := (float64(bt1*bt1) + float64(bt2*bt2)) / d
	ca2 := bn * bn / d
	qsq := ca2 + ct2 + asq
	tmp := ca2 + ct2 - asq
	return math.Sqrt(0.5 * (qsq + math.Sqrt(float64(tmp*tmp)+float64(4*asq*ct2))))
}

// maxDt is the CFL-1 stable step of the interior of (u, b); 0 if any
// cell is not a number.
//
// It keeps, per axis, the largest |v_e| + c_f,e and divides by Δx_e once at
// the end: correctly rounded division by a positive constant is monotone,
// so max(x/Δx) = max(x)/Δx bit for bit, and the pass saves three
// divisions per cell. γp/ρ is shared by the three fast speeds (the same
// expression, so the same bits as fastSpeed).
// faster returns the larger of m and r; ok is false when r is NaN, which
// must stop the run rather than be skipped by the comparison.
func faster(m, r float64) (larger float64, ok bool) {
	if r > m {
		return r, true
	}
	return m, r == r
}

func (s *solver) maxDt() float64 {
	gm1 := s.gamma - 1
	gamma := s.gamma
	var vmax [3]float64
	sx, sy := s.s[0], s.s[1]
	n := s.n[0]
	act0, act1, act2 := s.active[0], s.active[1], s.active[2]
	u0, u1, u2, u3, u4 := s.u[iDN], s.u[iM1], s.u[iM2], s.u[iM3], s.u[iEN]
	for k := 0; k < s.n[2]; k++ {
		for j := 0; j < s.n[1]; j++ {
			c0 := s.cidx(0, j, k)
			fx0 := s.fidx(0, 0, j, k)
			fy0 := s.fidx(1, 0, j, k)
			bxl, bxr := s.b[0][fx0:][:n], s.b[0][fx0+1:][:n]
			byl, byr := s.b[1][fy0:][:n], s.b[1][fy0+sx:][:n]
			bzl, bzr := s.b[2][c0:][:n], s.b[2][c0+sx*sy:][:n]
			rd, r1, r2, r3, re := u0[c0:][:n], u1[c0:][:n], u2[c0:][:n], u3[c0:][:n], u4[c0:][:n]
			m0, m1, m2 := vmax[0], vmax[1], vmax[2]
			for i := 0; i < n; i++ {
				b1 := float64(0.5 * (bxl[i] + bxr[i]))
				b2 := float64(0.5 * (byl[i] + byr[i]))
				b3 := float64(0.5 * (bzl[i] + bzr[i]))
				d := math.Max(rd[i], s.dfloor)
				v1, v2, v3 := r1[i]/d, r2[i]/d, r3[i]/d
				p := float64(gm1 * (re[i] - float64(0.5*d*(float64(v1*v1)+float64(v2*v2)+float64(v3*v3))) - float64(0.5*(float64(b1*b1)+float64(b2*b2)+float64(b3*b3)))))
				p = math.Max(p, s.pfloor)
				asq := gamma * p / d
				b1sq, b2sq, b3sq := float64(b1*b1), float64(b2*b2), float64(b3*b3)
				ok := true
				if act0 {
					m0, ok = faster(m0, math.Abs(v1)+fastSpeedA(asq, d, b1sq, b2sq+b3sq))
				}
				if act1 && ok {
					m1, ok = faster(m1, math.Abs(v2)+fastSpeedA(asq, d, b2sq, b3sq+b1sq))
				}
				if act2 && ok {
					m2, ok = faster(m2, math.Abs(v3)+fastSpeedA(asq, d, b3sq, b1sq+b2sq))
				}
				if !ok {
					return 0 // a NaN state: a zero dt makes the driver fail
				}
			}
			vmax[0], vmax[1], vmax[2] = m0, m1, m2
		}
	}
	inv := 0.0
	for e := 0; e < 3; e++ {
		if r := vmax[e] / s.dx[e]; r > inv {
			inv = r
		}
	}
	if inv == 0 {
		return math.Inf(1)
	}
	return 1 / inv
}

// fastSpeedA is fastSpeed with γp/ρ, B_n² and B_t1² + B_t2² precomputed
// (the same operations in the same order).
func fastSpeedA(asq, d, bnsq, btsq float64) float64 {
	ct2 := btsq / d
	ca2 := bnsq / d
	qsq := ca2 + ct2 + asq
	tmp := ca2 + ct2 - asq
	return math.Sqrt(0.5 * (qsq + math.Sqrt(float64(tmp*tmp)+float64(4*asq*ct2))))
}
