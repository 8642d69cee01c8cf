package mhd

import (
	"context"
	"fmt"
	"math"
)

// Model is an MHD problem on one block. New builds it for the whole domain
// on a single block (serial runs and tests).
type Model struct {
	cfg   Config
	geo   geometry
	s     *solver
	start [3]int
	t     float64
	steps int64
}

// Diagnostics are the model's running totals over its block.
type Diagnostics struct {
	Time      float64
	Steps     int64
	FloorHits int64      // density/pressure floor applications in interior cells
	MaxDivB   float64    // max |∇·B| over interior cells
	Mass      float64    // ∫ρ dV
	Momentum  [3]float64 // ∫ρv dV
	Energy    float64    // ∫E dV
}

// New validates cfg (after Defaults) and returns the model set to its
// initial condition on a single block covering the whole domain.
func New(cfg Config) (*Model, error) {
	c := Defaults(cfg)
	if err := c.validate(); err != nil {
		return nil, err
	}
	m := &Model{cfg: c, geo: domain(c)}
	s, err := m.newBlockSolver(m.geo.n, [3]int{}, 2)
	if err != nil {
		return nil, err
	}
	m.s = s
	return m, nil
}

// newBlockSolver builds and initialises the solver of the block with n
// interior cells starting at global index start.
func (m *Model) newBlockSolver(n, start [3]int, ng int) (*solver, error) {
	rs := solverHLLD
	if m.cfg.Riemann == "hlle" {
		rs = solverHLLE
	}
	s, err := newSolver(n, ng, m.geo.dx(), m.cfg.Gamma, rs)
	if err != nil {
		return nil, fmt.Errorf("mhd: block %v at %v: %w", n, start, err)
	}
	s.bcs = m.geo.bc
	s.dfloor, s.pfloor = m.cfg.DFloor, m.cfg.PFloor
	m.start = start
	if err := setup(s, m.cfg, m.geo, start); err != nil {
		return nil, err
	}
	return s, nil
}

// Config returns the defaulted configuration.
func (m *Model) Config() Config { return m.cfg }

// Time is the model's current time.
func (m *Model) Time() float64 { return m.t }

// MaxDtLocal is the CFL-limited step of the block (cfl × stable step).
func (m *Model) MaxDtLocal() float64 { return m.cfg.CFL * m.s.maxDt() }

// StepDt advances the block by dt (ghosts filled by the serial fill or by
// the framework's halo, whichever the model was built with).
func (m *Model) StepDt(dt float64) error {
	if !(dt > 0) || math.IsInf(dt, 0) {
		return fmt.Errorf("mhd: step %d: invalid dt %g", m.steps, dt)
	}
	if err := m.s.step(dt); err != nil {
		return fmt.Errorf("mhd: step %d at t=%g: %w", m.steps, m.t, err)
	}
	m.t += dt
	m.steps++
	return nil
}

// Run advances a single-block model to cfg.TLim, calling each (if non-nil)
// after every step. It stops early when ctx is done.
func (m *Model) Run(ctx context.Context, each func(*Model) error) error {
	for m.t < m.cfg.TLim {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("mhd: run stopped at t=%g: %w", m.t, err)
		}
		dt := m.MaxDtLocal()
		if m.t+dt > m.cfg.TLim {
			dt = m.cfg.TLim - m.t
		}
		if !(dt > 0) || math.IsNaN(dt) {
			return fmt.Errorf("mhd: step %d at t=%g: time step %g (state no longer physical)", m.steps, m.t, dt)
		}
		if err := m.StepDt(dt); err != nil {
			return err
		}
		if each != nil {
			if err := each(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// Diagnostics returns the block's totals and health counters.
func (m *Model) Diagnostics() Diagnostics {
	tot := m.s.totals()
	return Diagnostics{
		Time: m.t, Steps: m.steps, FloorHits: m.s.floorHits, MaxDivB: m.s.maxDivB(),
		Mass: tot[iDN], Momentum: [3]float64{tot[iM1], tot[iM2], tot[iM3]}, Energy: tot[iEN],
	}
}
