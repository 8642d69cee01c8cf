// Package heat is a 3D diffusion model for apollo's sim framework: explicit
// FTCS with the 7-point Laplacian, ∂u/∂t = D∇²u, with an initial condition
// whose exact solution is known (a product of sines on a periodic box), so
// that tests can check second-order convergence. It is the default model of
// `apollo run` and the reference user of sim.
package heat

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/internal/fpmath"
	"github.com/apollo-hpc/apollo/sim"
)

// Initial conditions.
const (
	// Sine: u = Π sin(2π k_a (x_a-lo_a)/L_a); on a periodic box the exact
	// solution decays as exp(-D Σ (2π k_a/L_a)² t).
	Sine = "sine"
	// Gauss: a Gaussian pulse of width Sigma·L at the box centre.
	Gauss = "gauss"
)

// Config holds the model parameters; zero fields take the defaults.
type Config struct {
	D     float64 // diffusivity (default 1)
	CFL   float64 // fraction of the FTCS stability limit (default 0.5; must be ≤ 1)
	Init  string  // Sine (default) or Gauss
	Modes [3]int  // Sine wave numbers per axis (default 1, 1, 1)
	Sigma float64 // Gauss width as a fraction of the box (default 0.1)
	// Substeps is how many FTCS sub-steps of dt/Substeps one Step takes,
	// 1 to MaxSubsteps (default DefaultSubsteps); MaxDt is Substeps times
	// the one-sub-step limit. On a periodic box with ghost width ≥
	// Substeps, all of them are done in one sweep after one halo exchange
	// (see fused), which reads and writes the field once per Substeps cell
	// updates; elsewhere they are done one after the other, with the same
	// bits.
	Substeps int
}

// Sub-steps per Step: the default, and the most Step fuses. Ghosts is the
// ghost width (for sim.NewEnv) that lets the default fuse; with a smaller
// one the model still works, exchanging before each sub-step.
const (
	DefaultSubsteps = 4
	MaxSubsteps     = 4
	Ghosts          = DefaultSubsteps
)

// DefaultGrid is the periodic unit cube with n³ cells.
func DefaultGrid(n int) sim.Grid {
	return sim.Grid{N: [3]int{n, n, n}, Hi: [3]float64{1, 1, 1}}
}

// Model is the heat model; it implements sim.Model.
type Model struct {
	cfg    Config
	u, v   *sim.Field // current and next; swapped each step
	hu, hv *sim.Halo
	b      *sim.Block
	halo   time.Duration // spent in halo exchanges, for HaloTime
	// wrapX: the halos leave the periodic x wrap of this one-block-wide
	// axis to the sweep (sim.Halo.DeferWrapX).
	wrapX bool
	// wrapZ: the halos leave the z ghost planes of this one-block-deep
	// axis to the fused sweep, which reads the planes they stand for
	// (sim.Halo.DeferWrapZ).
	wrapZ bool
	// fused: Step does both sub-steps in one sweep (fused), using ring as
	// the three intermediate z-planes.
	fused bool
	ring  []float64
	// stream: the fused sweep writes v with non-temporal stores (see
	// streamBytes).
	stream bool
	comm   *comm.Comm // for the spare field's halo
	holds  holds      // fields frozen states hold (freeze.go)
}

var _ sim.Model = (*Model)(nil)

// New returns a model with cfg, defaults filled in.
func New(cfg Config) *Model {
	if cfg.D == 0 {
		cfg.D = 1
	}
	if cfg.CFL == 0 {
		cfg.CFL = 0.5
	}
	if cfg.Init == "" {
		cfg.Init = Sine
	}
	if cfg.Modes == ([3]int{}) {
		cfg.Modes = [3]int{1, 1, 1}
	}
	if cfg.Sigma == 0 {
		cfg.Sigma = 0.1
	}
	if cfg.Substeps == 0 {
		cfg.Substeps = DefaultSubsteps
	}
	return &Model{cfg: cfg}
}

// Name is the model name recorded in snapshots.
func (m *Model) Name() string { return "heat" }

// Config returns the configuration in use.
func (m *Model) Config() Config { return m.cfg }

// Init allocates the fields and sets the initial condition.
func (m *Model) Init(ctx context.Context, env *sim.Env) error {
	c := m.cfg
	if !(c.D > 0) || !(c.CFL > 0 && c.CFL <= 1) || !(c.Sigma > 0) {
		return fmt.Errorf("heat: D %g, CFL %g, Sigma %g: want D > 0, 0 < CFL ≤ 1, Sigma > 0", c.D, c.CFL, c.Sigma)
	}
	if c.Substeps < 1 || c.Substeps > MaxSubsteps {
		return fmt.Errorf("heat: %d sub-steps per step, want 1..%d", c.Substeps, MaxSubsteps)
	}
	if c.Init != Sine && c.Init != Gauss {
		return fmt.Errorf("heat: unknown initial condition %q (want %q or %q)", c.Init, Sine, Gauss)
	}
	b := env.Block
	m.b, m.comm = b, env.Comm
	m.holds = holds{} // Init is never called while a frozen state is held
	m.u, m.v = b.NewField("u", sim.Cell), b.NewField("u", sim.Cell)
	var err error
	if m.hu, err = sim.NewHalo(env.Comm, b, m.u); err != nil {
		return fmt.Errorf("heat: %w", err)
	}
	if m.hv, err = sim.NewHalo(env.Comm, b, m.v); err != nil {
		return fmt.Errorf("heat: %w", err)
	}
	// The 7-point stencil reads no edge or corner ghosts, so it may fill
	// the x ghosts itself while it reads each row anyway.
	m.wrapX = m.hu.DeferWrapX()
	m.hv.DeferWrapX()
	m.fused = c.Substeps > 1 && canFuse(b, c.Substeps)
	if m.fused {
		m.ring = make([]float64, 3*(c.Substeps-1)*m.u.Sx*m.u.Sy)
		// Only the fused sweep knows to read wrapped planes.
		m.wrapZ = m.hu.DeferWrapZ()
		m.hv.DeferWrapZ()
		m.stream = 8*len(m.v.Data) >= streamBytes
	}
	for k := 0; k < b.N[2]; k++ {
		for j := 0; j < b.N[1]; j++ {
			for i := 0; i < b.N[0]; i++ {
				m.u.Set(i, j, k, m.initial(b.X(i), b.Y(j), b.Z(k)))
			}
		}
	}
	return nil
}

// initial is the initial condition at (x, y, z). It is part of the state,
// so it uses fpmath's Sin and Exp: math.Sin fuses multiply-adds at
// GOAMD64=v3 and amd64's math.Exp picks FMA at run time, either of which
// would make the field's bits depend on the build or the CPU.
func (m *Model) initial(x, y, z float64) float64 {
	g := m.b.Grid
	p := [3]float64{x, y, z}
	v := 1.0
	for a := 0; a < 3; a++ {
		L := g.Hi[a] - g.Lo[a]
		s := (p[a] - g.Lo[a]) / L
		if m.cfg.Init == Sine {
			v *= fpmath.Sin(2 * math.Pi * float64(m.cfg.Modes[a]) * s)
		} else {
			d := (s - 0.5) / m.cfg.Sigma
			v *= fpmath.Exp(-0.5 * d * d)
		}
	}
	return v
}

// Exact returns the analytic solution of the Sine initial condition on a
// periodic box at (x, y, z, t).
func (m *Model) Exact(x, y, z, t float64) float64 {
	g := m.b.Grid
	rate := 0.0
	for a := 0; a < 3; a++ {
		k := 2 * math.Pi * float64(m.cfg.Modes[a]) / (g.Hi[a] - g.Lo[a])
		rate += k * k
	}
	return m.initial(x, y, z) * math.Exp(-m.cfg.D*rate*t)
}

// canFuse reports whether s sub-steps can follow one exchange on every
// rank alike: the ghosts are deep enough for sub-step l to be computed on
// s-l ghost layers too, and no face is physical (an outflow or reflecting
// ghost of an intermediate field is not what the stencil would compute
// there). It depends only on the grid and ghost width, never on the rank,
// so all ranks exchange the same number of times.
func canFuse(b *sim.Block, s int) bool {
	if b.Ng < s {
		return false
	}
	for a := 0; a < 3; a++ {
		if b.Grid.BC[a] != [2]sim.Boundary{sim.Periodic, sim.Periodic} || b.Grid.N[a] < s {
			return false
		}
	}
	return true
}

// MaxDt is Substeps times the CFL fraction of the FTCS limit
// 1/(2D Σ 1/dx²), so each sub-step stays within it.
func (m *Model) MaxDt(env *sim.Env) float64 {
	dx := env.Block.Dx
	return float64(m.cfg.Substeps) * m.cfg.CFL / (2 * m.cfg.D * (1/(dx[0]*dx[0]) + 1/(dx[1]*dx[1]) + 1/(dx[2]*dx[2])))
}

// Fused reports whether Step does its sub-steps in one sweep after one halo
// exchange (see Config.Substeps).
func (m *Model) Fused() bool { return m.fused }

// Step advances u by Substeps FTCS sub-steps of dt/Substeps.
func (m *Model) Step(ctx context.Context, env *sim.Env, t, dt float64) error {
	h := dt / float64(m.cfg.Substeps) // the same on every rank, fused or not
	dx := m.b.Dx
	c := coefs{0, h * m.cfg.D / (dx[0] * dx[0]), h * m.cfg.D / (dx[1] * dx[1]), h * m.cfg.D / (dx[2] * dx[2])}
	c[0] = 1 - 2*(c[1]+c[2]+c[3])
	if m.fused {
		if err := m.exchange(ctx); err != nil {
			return err
		}
		if err := m.claimTarget(ctx); err != nil {
			return err
		}
		fused(m.u, m.v, m.ring, m.cfg.Substeps, m.b.N, &c, m.wrapX, m.wrapZ, m.stream)
		m.swap()
		return nil
	}
	for range m.cfg.Substeps {
		if err := m.exchange(ctx); err != nil {
			return err
		}
		if err := m.claimTarget(ctx); err != nil {
			return err
		}
		stencil(m.u, m.v, m.b.N, &c, m.wrapX)
		m.swap()
	}
	return nil
}

// exchange fills u's ghosts, timing it for HaloTime.
func (m *Model) exchange(ctx context.Context) error {
	t0 := time.Now()
	err := m.hu.Exchange(ctx)
	m.halo += time.Since(t0)
	if err != nil {
		return fmt.Errorf("heat: %w", err)
	}
	return nil
}

// swap makes the new field current.
func (m *Model) swap() {
	m.u, m.v = m.v, m.u
	m.hu, m.hv = m.hv, m.hu
}

// stencil writes v = u + cx δx²u + cy δy²u + cz δz²u over the interior,
// regrouped as c0·u + cx(u_w+u_e) + cy(u_s+u_n) + cz(u_b+u_t): 9 flops.
// Every cell evaluates the same expression in the same order (rows and
// rowsGo agree bit for bit), so the bits do not depend on the decomposition.
// The y range is cut into tiles whose three z-planes of u fit in L2, so each
// u value comes from memory once rather than three times. With wrapX it
// first fills the x ghosts of each row of a tile's plane from the row
// (sim.WrapX), which only that row reads, while the rows are in cache anyway.
func stencil(uf, vf *sim.Field, n [3]int, c *coefs, wrapX bool) {
	u, v := uf.Data, vf.Data
	sx, sxy, nx := uf.Sx, uf.Sx*uf.Sy, n[0]
	tile := max(4, tileBytes/(3*8*uf.Sx)-2)
	for j0 := 0; j0 < n[1]; j0 += tile {
		j1 := min(j0+tile, n[1])
		for k := 0; k < n[2]; k++ {
			o := uf.Idx(0, j0, k)
			if wrapX {
				for j := j0; j < j1; j++ {
					sim.WrapX(uf, uf.Idx(0, j, k))
				}
			}
			rows(v, u, u, u, o, o, o-sxy, o+sxy, nx, j1-j0, sx, c)
		}
	}
}

// fused does s sub-steps u → w₁ → … → v in one wavefront over z-planes,
// so u is read from memory once and v written once per s cell updates: the
// intermediate levels w_l (l = 1..s-1) live only in ring, three planes per
// level laid out like a z-plane of u, which stay in cache. For each kk it
// computes level l's plane kk-(l-1) from level l-1's three planes around
// it, l = 1..s (level 0 is u, level s is v). Level l is computed on g = s-l
// ghost layers too (y rows, z planes, and x points unless wrapX), from the
// g+1 layers of level l-1, with the same expression as the neighbour
// computes for its interior, so the bits are those of separate sub-steps.
// A level's outermost z planes are read only as the next level's z
// neighbours, so there only the next level's rows are computed. With
// wrapX, u's x ghosts are filled per row (sim.WrapX) and each level's one
// x ghost on each side by copying, as the exchange would; with wrapZ, level
// 1 reads the interior plane each z ghost plane of u stands for
// (sim.WrapZ) instead of the ghost plane; with stream, v is written with
// non-temporal stores where its rows are aligned for them. Every point of
// ring a level reads is written earlier in the same call, so ring carries
// nothing from one step to the next.
func fused(uf, vf *sim.Field, ring []float64, s int, n [3]int, c *coefs, wrapX, wrapZ, stream bool) {
	u, v := uf.Data, vf.Data
	sx, sxy := uf.Sx, uf.Sx*uf.Sy
	nx, ny, nz := n[0], n[1], n[2]
	p0 := uf.Off % sxy // offset of (0, 0) within a plane
	// plane returns level l's plane k (1 ≤ l < s) in ring.
	plane := func(l, k int) []float64 {
		o := (3*(l-1) + (k+s)%3) * sxy // k ≥ -s: k+s ≥ 0
		return ring[o : o+sxy : o+sxy]
	}
	tile := max(4, fusedTileBytes/(3*s*8*uf.Sx)-2*s)
	for j0 := 0; j0 < ny; j0 += tile {
		j1 := min(j0+tile, ny)
		for kk := -(s - 1); kk < nz+s-1; kk++ {
			for l := 1; l <= s; l++ {
				k, g := kk-(l-1), s-l
				if k < -g || k >= nz+g {
					continue
				}
				if l < s && (k == -g || k == nz+g-1) {
					g-- // an outermost plane: the next level's rows only
				}
				x0 := -g // x range of the rows: [x0, nx-x0)
				if wrapX {
					x0 = 0
				}
				jlo, nr, wn := j0-g, j1-j0+2*g, nx-2*x0
				// uk, ub, ut: the planes of u that level 1 reads (k and its
				// z neighbours), mapped into the interior with wrapZ.
				uk, ub, ut := k, k-1, k+1
				if l == 1 && wrapZ {
					uk, ub, ut = sim.WrapZ(uf, k), sim.WrapZ(uf, k-1), sim.WrapZ(uf, k+1)
				}
				if l == 1 && wrapX {
					for j := jlo; j < jlo+nr; j++ {
						sim.WrapX(uf, uf.Idx(0, j, uk))
					}
				}
				po := p0 + sx*jlo + x0
				if l == s { // s ≥ 2: level s-1 is in ring
					b, w, t := plane(l-1, k-1), plane(l-1, k), plane(l-1, k+1)
					if stream { // direct calls: through a func value c would escape
						rowsStream(v, w, b, t, vf.Idx(0, j0, k), po, po, po, nx, nr, sx, c)
					} else {
						rows(v, w, b, t, vf.Idx(0, j0, k), po, po, po, nx, nr, sx, c)
					}
					continue
				}
				w := plane(l, k)
				if l == 1 {
					rows(w, u, u, u, po, uf.Idx(x0, jlo, uk), uf.Idx(x0, jlo, ub), uf.Idx(x0, jlo, ut), wn, nr, sx, c)
				} else {
					rows(w, plane(l-1, k), plane(l-1, k-1), plane(l-1, k+1), po, po, po, po, wn, nr, sx, c)
				}
				if wrapX {
					for j := jlo; j < jlo+nr; j++ {
						o := p0 + sx*j
						w[o-1], w[o+nx] = w[o+nx-1], w[o]
					}
				}
			}
		}
	}
}

// tileBytes is the working set aimed at per y-tile: half of a 512 KiB L2
// (BenchmarkStencil160 compares sizes).
var tileBytes = 256 << 10

// fusedTileBytes is the working set aimed at per y-tile of the fused sweep
// (three planes of u, three of w): a share of L3 rather than L2, so at 160³
// (1.3 MB) it does not tile at all. BenchmarkFused160 found whole planes
// 10 % faster than 256 KiB tiles on one core and 17 % on two: L2-sized
// tiles recompute and re-read 6 of every ~30 rows, and L3 keeps up.
var fusedTileBytes = 4 << 20

// streamBytes is the field size from which the fused sweep writes v with
// non-temporal stores: half the last-level cache, where u and v together
// no longer fit in it. Then v is evicted before the next step reads it,
// so an ordinary store's read of each line before writing it (write-
// allocate) is memory traffic for nothing: a third of the sweep's. At
// 160³, streaming made BenchmarkRun160 11 % faster on 1 rank and 15 % on 2
// (BENCHMARKS.md). Below it, v would be read from cache, which streaming
// would give up. Tests lower it to cover the streaming path.
var streamBytes = cmp.Or(lastLevelCache()/2, 16<<20)

// stateVersion tags the AppendState format.
const stateVersion = 1

// stateHeader is the version byte and the cell count before the values.
const stateHeader = 9

// AppendState appends a version byte, the interior cell count and the
// interior values of u (ghosts are refilled by the next exchange).
func (m *Model) AppendState(buf []byte) ([]byte, error) {
	return appendState(buf, m.u, m.b.N), nil
}

// appendState appends f's interior of n cells in the AppendState format.
func appendState(buf []byte, f *sim.Field, n [3]int) []byte {
	buf = append(buf, stateVersion)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(n[0]*n[1]*n[2]))
	for k := 0; k < n[2]; k++ {
		for j := 0; j < n[1]; j++ {
			c := f.Idx(0, j, k)
			for _, x := range f.Data[c : c+n[0]] {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
			}
		}
	}
	return buf
}

// RestoreState is the inverse of AppendState for the same block.
func (m *Model) RestoreState(data []byte) error {
	n := m.b.N
	cells := n[0] * n[1] * n[2]
	if len(data) < stateHeader || data[0] != stateVersion {
		return fmt.Errorf("heat: state of %d bytes is not version %d", len(data), stateVersion)
	}
	if got := binary.LittleEndian.Uint64(data[1:]); got != uint64(cells) || len(data) != stateHeader+8*cells {
		return fmt.Errorf("heat: state holds %d cells in %d bytes, block has %d", got, len(data), cells)
	}
	p := stateHeader
	for k := 0; k < n[2]; k++ {
		for j := 0; j < n[1]; j++ {
			c := m.u.Idx(0, j, k)
			row := m.u.Data[c : c+n[0]]
			for i := range row {
				row[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[p:]))
				p += 8
			}
		}
	}
	return nil
}

// HaloTime is the wall time this rank spent in halo exchanges so far.
func (m *Model) HaloTime() time.Duration { return m.halo }

// Fields returns the temperature field.
func (m *Model) Fields() []*sim.Field { return []*sim.Field{m.u} }

// ErrorL2 returns the global RMS difference between u and the exact Sine
// solution at time t, summed exactly so it is the same on any rank count.
func (m *Model) ErrorL2(ctx context.Context, env *sim.Env, t float64) (float64, error) {
	b := env.Block
	var s sim.ExactSum
	for k := 0; k < b.N[2]; k++ {
		for j := 0; j < b.N[1]; j++ {
			for i := 0; i < b.N[0]; i++ {
				d := m.u.At(i, j, k) - m.Exact(b.X(i), b.Y(j), b.Z(k), t)
				s.Add(d * d)
			}
		}
	}
	if err := s.Allreduce(ctx, env.Comm); err != nil {
		return 0, fmt.Errorf("heat: %w", err)
	}
	return math.Sqrt(s.Float64() / float64(b.Grid.Cells())), nil
}
