// Package heat is a 3D diffusion model for apollo's sim framework: explicit
// FTCS with the 7-point Laplacian, ∂u/∂t = D∇²u, with an initial condition
// whose exact solution is known (a product of sines on a periodic box), so
// that tests can check second-order convergence. It is the default model of
// `apollo run` and the reference user of sim.
package heat

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"

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
}

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
	if c.Init != Sine && c.Init != Gauss {
		return fmt.Errorf("heat: unknown initial condition %q (want %q or %q)", c.Init, Sine, Gauss)
	}
	b := env.Block
	m.b = b
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
	for k := 0; k < b.N[2]; k++ {
		for j := 0; j < b.N[1]; j++ {
			for i := 0; i < b.N[0]; i++ {
				m.u.Set(i, j, k, m.initial(b.X(i), b.Y(j), b.Z(k)))
			}
		}
	}
	return nil
}

func (m *Model) initial(x, y, z float64) float64 {
	g := m.b.Grid
	p := [3]float64{x, y, z}
	v := 1.0
	for a := 0; a < 3; a++ {
		L := g.Hi[a] - g.Lo[a]
		s := (p[a] - g.Lo[a]) / L
		if m.cfg.Init == Sine {
			v *= math.Sin(2 * math.Pi * float64(m.cfg.Modes[a]) * s)
		} else {
			d := (s - 0.5) / m.cfg.Sigma
			v *= math.Exp(-0.5 * d * d)
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

// MaxDt is the CFL fraction of the FTCS limit 1/(2D Σ 1/dx²).
func (m *Model) MaxDt(env *sim.Env) float64 {
	dx := env.Block.Dx
	return m.cfg.CFL / (2 * m.cfg.D * (1/(dx[0]*dx[0]) + 1/(dx[1]*dx[1]) + 1/(dx[2]*dx[2])))
}

// Step advances u by one FTCS step.
func (m *Model) Step(ctx context.Context, env *sim.Env, t, dt float64) error {
	t0 := time.Now()
	if err := m.hu.Exchange(ctx); err != nil {
		return fmt.Errorf("heat: %w", err)
	}
	m.halo += time.Since(t0)
	dx := m.b.Dx
	cx := dt * m.cfg.D / (dx[0] * dx[0])
	cy := dt * m.cfg.D / (dx[1] * dx[1])
	cz := dt * m.cfg.D / (dx[2] * dx[2])
	stencil(m.u, m.v, m.b.N, cx, cy, cz, m.wrapX)
	m.u, m.v = m.v, m.u
	m.hu, m.hv = m.hv, m.hu
	return nil
}

// stencil writes v = u + cx δx²u + cy δy²u + cz δz²u over the interior,
// regrouped as c0·u + cx(u_w+u_e) + cy(u_s+u_n) + cz(u_b+u_t): 9 flops.
// Every cell evaluates the same expression in the same order (row and rowGo
// agree bit for bit), so the bits do not depend on the decomposition. The y
// range is cut into tiles whose three z-planes of u fit in L2, so each u
// value comes from memory once rather than three times. With wrapX it first
// fills each row's x ghosts from the row (sim.WrapX), which only that row
// reads, while the row is in cache anyway.
func stencil(uf, vf *sim.Field, n [3]int, cx, cy, cz float64, wrapX bool) {
	u, v := uf.Data, vf.Data
	sx, sxy, nx := uf.Sx, uf.Sx*uf.Sy, n[0]
	c := coefs{1 - 2*(cx+cy+cz), cx, cy, cz}
	tile := max(4, tileBytes/(3*8*uf.Sx)-2)
	for j0 := 0; j0 < n[1]; j0 += tile {
		j1 := min(j0+tile, n[1])
		for k := 0; k < n[2]; k++ {
			for j := j0; j < j1; j++ {
				o := uf.Idx(0, j, k)
				if wrapX {
					sim.WrapX(uf, o)
				}
				row(v[o:o+nx], u[o:o+nx], u[o-1:o-1+nx], u[o+1:o+1+nx],
					u[o-sx:o-sx+nx], u[o+sx:o+sx+nx], u[o-sxy:o-sxy+nx], u[o+sxy:o+sxy+nx], &c)
			}
		}
	}
}

// tileBytes is the working set aimed at per y-tile: half of a 512 KiB L2
// (BenchmarkStencil160 compares sizes).
var tileBytes = 256 << 10

// stateVersion tags the AppendState format.
const stateVersion = 1

// AppendState appends a version byte, the interior cell count and the
// interior values of u (ghosts are refilled by the next exchange).
func (m *Model) AppendState(buf []byte) ([]byte, error) {
	n := m.b.N
	buf = append(buf, stateVersion)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(n[0]*n[1]*n[2]))
	for k := 0; k < n[2]; k++ {
		for j := 0; j < n[1]; j++ {
			c := m.u.Idx(0, j, k)
			for _, x := range m.u.Data[c : c+n[0]] {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
			}
		}
	}
	return buf, nil
}

// RestoreState is the inverse of AppendState for the same block.
func (m *Model) RestoreState(data []byte) error {
	n := m.b.N
	cells := n[0] * n[1] * n[2]
	if len(data) < 9 || data[0] != stateVersion {
		return fmt.Errorf("heat: state of %d bytes is not version %d", len(data), stateVersion)
	}
	if got := binary.LittleEndian.Uint64(data[1:]); got != uint64(cells) || len(data) != 9+8*cells {
		return fmt.Errorf("heat: state holds %d cells in %d bytes, block has %d", got, len(data), cells)
	}
	p := 9
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
