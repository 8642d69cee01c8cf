package mhd

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/internal/crc32c"
	"github.com/apollo-hpc/apollo/sim"
)

// Ghosts is the ghost width the scheme needs (PLM over VL2 with CT); pass
// it to sim.NewEnv.
const Ghosts = 2

// Model is an MHD problem. It implements sim.Model: the driver calls Init on
// each rank's block. Used without the driver (Run, StepDt) it runs serially
// on one block covering the whole domain.
type Model struct {
	cfg   Config
	geo   geometry
	s     *solver
	start [3]int
	t     float64
	steps int64

	// With sim: the state fields (ρ, ρv, E, B faces), the half-step
	// fields, and one halo for each set.
	fields     []*sim.Field
	halfFields []*sim.Field
	halo       *sim.Halo
	halfHalo   *sim.Halo
}

var (
	_ sim.Model   = (*Model)(nil)
	_ sim.Freezer = (*Model)(nil)
)

// Diagnostics are totals and health counters of the model's block (or, from
// GlobalDiagnostics, of the whole domain).
type Diagnostics struct {
	Time      float64
	Steps     int64
	FloorHits int64      // density/pressure floor applications in interior cells
	MaxDivB   float64    // max |∇·B| over interior cells
	Mass      float64    // ∫ρ dV
	Momentum  [3]float64 // ∫ρv dV
	Energy    float64    // ∫E dV
}

// New validates cfg (after Defaults) and returns the model. Nothing is
// allocated until Init (on a sim block) or the first serial step.
func New(cfg Config) (*Model, error) {
	c := Defaults(cfg)
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &Model{cfg: c, geo: domain(c)}, nil
}

// Config returns the defaulted configuration.
func (m *Model) Config() Config { return m.cfg }

// Grid is the problem's global grid, for sim.NewEnv.
func (m *Model) Grid() sim.Grid {
	return sim.Grid{N: m.geo.n, Lo: m.geo.lo, Hi: m.geo.hi, BC: m.geo.bc}
}

// Time is the model's current time.
func (m *Model) Time() float64 { return m.t }

func (m *Model) riemann() int {
	if m.cfg.Riemann == "hlle" {
		return solverHLLE
	}
	return solverHLLD
}

// newBlockSolver builds and initialises the solver of the block with n
// interior cells starting at global index start.
func (m *Model) newBlockSolver(n, start [3]int, ng int, ext *storage) (*solver, error) {
	s, err := newSolver(n, ng, m.geo.dx(), m.cfg.Gamma, m.riemann(), ext)
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

// ensureSerial builds the single-block solver on first serial use.
func (m *Model) ensureSerial() error {
	if m.s != nil {
		return nil
	}
	s, err := m.newBlockSolver(m.geo.n, [3]int{}, Ghosts, nil)
	if err != nil {
		return err
	}
	m.s = s
	return nil
}

// Init allocates the block's fields, sets the initial condition and
// prepares the halo exchanges (sim.Model).
func (m *Model) Init(ctx context.Context, env *sim.Env) error {
	b := env.Block
	if g := m.Grid(); b.Grid != g {
		return fmt.Errorf("mhd: block grid %+v is not the problem's grid %+v", b.Grid, g)
	}
	if b.Ng < Ghosts {
		return fmt.Errorf("mhd: ghost width %d < %d", b.Ng, Ghosts)
	}
	names := [8]string{"dens", "mom1", "mom2", "mom3", "etot", "b1f", "b2f", "b3f"}
	locs := [8]sim.Location{sim.Cell, sim.Cell, sim.Cell, sim.Cell, sim.Cell, sim.FaceX, sim.FaceY, sim.FaceZ}
	m.fields = make([]*sim.Field, 8)
	m.halfFields = make([]*sim.Field, 8)
	var ext storage
	for i := range names {
		m.fields[i] = b.NewField(names[i], locs[i])
		m.halfFields[i] = b.NewField(names[i], locs[i])
		if i < nCons {
			ext.u[i], ext.uh[i] = m.fields[i].Data, m.halfFields[i].Data
		} else {
			ext.b[i-nCons], ext.bh[i-nCons] = m.fields[i].Data, m.halfFields[i].Data
		}
	}
	var err error
	if m.halo, err = sim.NewHalo(env.Comm, b, m.fields...); err != nil {
		return fmt.Errorf("mhd: halo: %w", err)
	}
	if m.halfHalo, err = sim.NewHalo(env.Comm, b, m.halfFields...); err != nil {
		return fmt.Errorf("mhd: halo: %w", err)
	}
	// Reflecting faces are mirror planes: the normal momentum and, B being
	// an axial vector, the tangential field components change sign.
	for a := 0; a < 3; a++ {
		b, c := (a+1)%3, (a+2)%3
		for _, h := range []*sim.Halo{m.halo, m.halfHalo} {
			if err := h.SetReflectSign(a, names[1+a], names[nCons+b], names[nCons+c]); err != nil {
				return fmt.Errorf("mhd: halo: %w", err)
			}
		}
	}
	s, err := m.newBlockSolver(b.N, b.Start, b.Ng, &ext)
	if err != nil {
		return err
	}
	s.fill = func(ctx context.Context, u *[nCons][]float64, _ *[3][]float64) error {
		if u == &s.u {
			return m.halo.Exchange(ctx)
		}
		return m.halfHalo.Exchange(ctx)
	}
	// After a freeze the state sets rotate; the fields (halo exchange,
	// output, checksums) follow the arrays of their role.
	s.rebind = func() {
		for i := 0; i < nCons; i++ {
			m.fields[i].Data, m.halfFields[i].Data = s.u[i], s.uh[i]
		}
		for d := 0; d < 3; d++ {
			m.fields[nCons+d].Data, m.halfFields[nCons+d].Data = s.b[d], s.bh[d]
		}
	}
	m.s = s
	m.t, m.steps = 0, 0
	return nil
}

// MaxDt is the CFL-limited step of the block (sim.Model).
func (m *Model) MaxDt(*sim.Env) float64 {
	if m.s == nil {
		return math.Inf(1)
	}
	return float64(m.cfg.CFL * m.s.maxDt())
}

// Step advances the block from t to t+dt (sim.Model).
func (m *Model) Step(ctx context.Context, _ *sim.Env, t, dt float64) error {
	if m.s == nil {
		return errors.New("mhd: Step before Init")
	}
	m.t = t
	return m.StepDt(ctx, dt)
}

// Fields are the state fields: dens, mom1–3, etot (cells) and b1f–b3f
// (faces) (sim.Model).
func (m *Model) Fields() []*sim.Field { return m.fields }

// MaxDtLocal is the CFL-limited step of a serial model.
func (m *Model) MaxDtLocal() (float64, error) {
	if err := m.ensureSerial(); err != nil {
		return 0, err
	}
	return float64(m.cfg.CFL * m.s.maxDt()), nil
}

// StepDt advances the block by dt.
func (m *Model) StepDt(ctx context.Context, dt float64) error {
	if err := m.ensureSerial(); err != nil {
		return err
	}
	if !(dt > 0) || math.IsInf(dt, 0) {
		return fmt.Errorf("mhd: step %d: invalid dt %g", m.steps, dt)
	}
	if err := m.s.step(ctx, dt); err != nil {
		return fmt.Errorf("mhd: step %d at t=%g: %w", m.steps, m.t, err)
	}
	m.t += dt
	m.steps++
	return nil
}

// Run advances a serial model to cfg.TLim, calling each (if non-nil) after
// every step. It stops early when ctx is done.
func (m *Model) Run(ctx context.Context, each func(*Model) error) error {
	if err := m.ensureSerial(); err != nil {
		return err
	}
	for m.t < m.cfg.TLim {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("mhd: run stopped at t=%g: %w", m.t, err)
		}
		dt := float64(m.cfg.CFL * m.s.maxDt())
		if m.t+dt >= m.cfg.TLim-float64(1e-9*dt) {
			dt = m.cfg.TLim - m.t
		}
		if !(dt > 0) || math.IsNaN(dt) {
			return fmt.Errorf("mhd: step %d at t=%g: time step %g (state no longer physical)", m.steps, m.t, dt)
		}
		if err := m.StepDt(ctx, dt); err != nil {
			return err
		}
		if m.cfg.TLim-m.t < 1e-12*m.cfg.TLim {
			m.t = m.cfg.TLim
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
	if m.s == nil {
		return Diagnostics{}
	}
	tot := m.s.totals()
	return Diagnostics{
		Time: m.t, Steps: m.steps, FloorHits: m.s.floorHits, MaxDivB: m.s.maxDivB(),
		Mass: tot[iDN], Momentum: [3]float64{tot[iM1], tot[iM2], tot[iM3]}, Energy: tot[iEN],
	}
}

// GlobalDiagnostics reduces the diagnostics over all ranks: exact sums
// (identical on any rank count), the global max of ∇·B, the total floor
// hits. Every rank must call it.
func (m *Model) GlobalDiagnostics(ctx context.Context, env *sim.Env) (Diagnostics, error) {
	if m.s == nil || m.fields == nil {
		return Diagnostics{}, errors.New("mhd: GlobalDiagnostics before Init")
	}
	d := Diagnostics{Time: m.t, Steps: m.steps}
	vol := float64(m.s.dx[0] * m.s.dx[1] * m.s.dx[2])
	out := []*float64{&d.Mass, &d.Momentum[0], &d.Momentum[1], &d.Momentum[2], &d.Energy}
	for i := 0; i < nCons; i++ {
		v, err := sim.Sum(ctx, env, m.fields[i])
		if err != nil {
			return d, fmt.Errorf("mhd: diagnostics: %w", err)
		}
		*out[i] = float64(v * vol)
	}
	hits := []int64{m.s.floorHits}
	if err := env.Comm.AllreduceInt64(ctx, comm.Sum, hits, hits); err != nil {
		return d, fmt.Errorf("mhd: diagnostics: %w", err)
	}
	div := []float64{m.s.maxDivB()}
	if err := env.Comm.AllreduceFloat64(ctx, comm.Max, div, div); err != nil {
		return d, fmt.Errorf("mhd: diagnostics: %w", err)
	}
	d.FloorHits, d.MaxDivB = hits[0], div[0]
	return d, nil
}

// State encoding (AppendState / RestoreState):
//
//	magic "MHD1" | version u32 | n 3×u32 | ng u32 | floor hits i64 |
//	steps i64 | t f64 | 8 arrays (ρ, ρv, E, B faces, ghosts included) as
//	f64 | CRC32C of everything before, u32
//
// little-endian. The length is fixed by n and ng, so it is checked exactly.
const (
	stateMagic   = "MHD1"
	stateVersion = 1
	stateHeader  = 4 + 4 + 3*4 + 4 + 8 + 8 + 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// nativeLE reports whether float64s in memory are in the state's byte
// order (little-endian), so that appendState can copy arrays whole.
var nativeLE = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// stateLen is the encoded size of the state of s.
func (s *solver) stateLen() int {
	n := 0
	for m := 0; m < nCons; m++ {
		n += len(s.u[m])
	}
	for d := 0; d < 3; d++ {
		n += len(s.b[d])
	}
	return stateHeader + 8*n + 4
}

// AppendState appends the complete model state to buf (sim.Model).
func (m *Model) AppendState(buf []byte) ([]byte, error) {
	if m.s == nil {
		return buf, errors.New("mhd: AppendState before Init")
	}
	s := m.s
	return appendState(buf, s.n, s.ng, s.floorHits, m.steps, m.t, s.stateArrays()), nil
}

// appendState appends the state encoding of the given scalars and arrays;
// AppendState and a frozen state share it, so their bytes are the same.
func appendState(buf []byte, n [3]int, ng int, hits, steps int64, t float64, arrays [8][]float64) []byte {
	size := stateHeader + 4
	for _, q := range arrays {
		size += 8 * len(q)
	}
	start := len(buf)
	buf = slices.Grow(buf, size)
	le := binary.LittleEndian
	buf = append(buf, stateMagic...)
	buf = le.AppendUint32(buf, stateVersion)
	for d := 0; d < 3; d++ {
		buf = le.AppendUint32(buf, uint32(n[d]))
	}
	buf = le.AppendUint32(buf, uint32(ng))
	buf = le.AppendUint64(buf, uint64(hits))
	buf = le.AppendUint64(buf, uint64(steps))
	buf = le.AppendUint64(buf, math.Float64bits(t))
	// The checksum runs with the copy (crc32c, the same CRC-32C as
	// hash/crc32's Castagnoli table): one pass over the state.
	crc := crc32c.Update(0, buf[start:])
	for _, q := range arrays {
		p := len(buf)
		buf = buf[:p+8*len(q)]
		out := buf[p:]
		if nativeLE && len(q) > 0 {
			// The memory already is the encoding: one copy per array.
			crc = crc32c.UpdateCopy(crc, out, unsafe.Slice((*byte)(unsafe.Pointer(&q[0])), 8*len(q)))
			continue
		}
		for i, v := range q {
			le.PutUint64(out[8*i:], math.Float64bits(v))
		}
		crc = crc32c.Update(crc, out)
	}
	return le.AppendUint32(buf, crc)
}

// Freeze captures the state for a checkpoint without copying it
// (sim.Freezer): the scalars are copied now, the arrays are read by the
// Frozen later. The next step writes into another set of arrays (one more
// copy of ρ, ρv, E and face B, allocated at the first Freeze: 8 bytes per
// value, about 280 MB at 160³) and the sets rotate, so the frozen arrays
// stay untouched until released.
func (m *Model) Freeze() (sim.Frozen, error) {
	if m.s == nil {
		return nil, errors.New("mhd: Freeze before Init")
	}
	s := m.s
	c, set := s.freeze()
	return &frozenState{c: c, set: set, n: s.n, ng: s.ng, hits: s.floorHits, steps: m.steps, t: m.t,
		size: s.stateLen()}, nil
}

// FreezeWait reports how often and how long steps waited for a frozen
// state to be released (sim.Freezer).
func (m *Model) FreezeWait() (int64, time.Duration) {
	if m.s == nil || m.s.cow == nil {
		return 0, 0
	}
	c := m.s.cow
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waits, c.wait
}

// frozenState is a Model's state captured by Freeze.
type frozenState struct {
	c     *cow
	set   *stateSet
	n     [3]int
	ng    int
	hits  int64
	steps int64
	t     float64
	size  int
	once  sync.Once
}

func (f *frozenState) Size() int { return f.size }

func (f *frozenState) AppendTo(buf []byte) ([]byte, error) {
	u, b := f.set.u, f.set.b // never reassigned; the arrays are held
	return appendState(buf, f.n, f.ng, f.hits, f.steps, f.t,
		[8][]float64{u[0], u[1], u[2], u[3], u[4], b[0], b[1], b[2]}), nil
}

func (f *frozenState) Release() { f.once.Do(func() { f.c.release(f.set) }) }

func (s *solver) stateArrays() [8][]float64 {
	return [8][]float64{s.u[0], s.u[1], s.u[2], s.u[3], s.u[4], s.b[0], s.b[1], s.b[2]}
}

// ErrState is wrapped by every RestoreState error.
var ErrState = errors.New("mhd: bad state")

// RestoreState restores what AppendState wrote, after Init on the same
// block layout (sim.Model). It refuses, without touching the model, data of
// another version or layout, truncated or corrupted data.
func (m *Model) RestoreState(data []byte) error {
	if m.s == nil {
		return errors.New("mhd: RestoreState before Init")
	}
	if m.s.frozen() {
		return errors.New("mhd: RestoreState while a frozen state is held")
	}
	return m.decodeState(data, true)
}

// decodeState verifies data against the block of m and, if apply, loads it.
func (m *Model) decodeState(data []byte, apply bool) error {
	s := m.s
	if len(data) < stateHeader+4 {
		return fmt.Errorf("%w: %d bytes, shorter than the header", ErrState, len(data))
	}
	if string(data[:4]) != stateMagic {
		return fmt.Errorf("%w: magic %q", ErrState, data[:4])
	}
	le := binary.LittleEndian
	if v := le.Uint32(data[4:]); v != stateVersion {
		return fmt.Errorf("%w: version %d, this build reads %d", ErrState, v, stateVersion)
	}
	var n [3]int
	for d := 0; d < 3; d++ {
		n[d] = int(le.Uint32(data[8+4*d:]))
	}
	ng := int(le.Uint32(data[20:]))
	if n != s.n || ng != s.ng {
		return fmt.Errorf("%w: block %v ng %d, this block is %v ng %d", ErrState, n, ng, s.n, s.ng)
	}
	if want := s.stateLen(); len(data) != want {
		return fmt.Errorf("%w: %d bytes, want %d", ErrState, len(data), want)
	}
	body := data[:len(data)-4]
	if got, want := crc32.Checksum(body, castagnoli), le.Uint32(data[len(data)-4:]); got != want {
		return fmt.Errorf("%w: CRC32C %08x, stored %08x", ErrState, got, want)
	}
	hits := int64(le.Uint64(data[24:]))
	steps := int64(le.Uint64(data[32:]))
	t := math.Float64frombits(le.Uint64(data[40:]))
	if hits < 0 || steps < 0 || !(t >= 0) || math.IsInf(t, 0) {
		return fmt.Errorf("%w: counters hits=%d steps=%d t=%g", ErrState, hits, steps, t)
	}
	if !apply {
		return nil
	}
	p := stateHeader
	for _, q := range s.stateArrays() {
		for i := range q {
			q[i] = math.Float64frombits(le.Uint64(data[p:]))
			p += 8
		}
	}
	s.floorHits, m.steps, m.t = hits, steps, t
	return nil
}

// Plane returns the interior values of a cell quantity on the z-plane k of
// the model's block, x fastest: "dens", "pres" or "bmag" (|B|, cell-centred).
func (m *Model) Plane(quantity string, k int) ([]float64, error) {
	if m.s == nil {
		return nil, errors.New("mhd: Plane before the model has a state")
	}
	s := m.s
	if k < 0 || k >= s.n[2] {
		return nil, fmt.Errorf("mhd: plane %d outside [0, %d)", k, s.n[2])
	}
	out := make([]float64, 0, s.n[0]*s.n[1])
	gm1 := s.gamma - 1
	for j := 0; j < s.n[1]; j++ {
		for i := 0; i < s.n[0]; i++ {
			c := s.cidx(i, j, k)
			b1 := float64(0.5 * (s.b[0][s.fidx(0, i, j, k)] + s.b[0][s.fidx(0, i+1, j, k)]))
			b2 := float64(0.5 * (s.b[1][s.fidx(1, i, j, k)] + s.b[1][s.fidx(1, i, j+1, k)]))
			b3 := float64(0.5 * (s.b[2][s.fidx(2, i, j, k)] + s.b[2][s.fidx(2, i, j, k+1)]))
			d := s.u[iDN][c]
			var v float64
			switch quantity {
			case "dens":
				v = d
			case "pres":
				m1, m2, m3 := s.u[iM1][c], s.u[iM2][c], s.u[iM3][c]
				v = float64(gm1 * (s.u[iEN][c] - 0.5*(float64(m1*m1)+float64(m2*m2)+float64(m3*m3))/d - float64(0.5*(float64(b1*b1)+float64(b2*b2)+float64(b3*b3)))))
			case "bmag":
				v = math.Sqrt(float64(b1*b1) + float64(b2*b2) + float64(b3*b3))
			default:
				return nil, fmt.Errorf("mhd: unknown plane quantity %q (want dens, pres or bmag)", quantity)
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// Setup validates cfg and returns what a driver needs to run it: the global
// grid, the ghost width and a constructor of one fresh model per rank (each
// rank's Init then builds its block). It is the one call a problem registry
// needs.
func Setup(cfg Config) (sim.Grid, int, func() sim.Model, error) {
	m, err := New(cfg)
	if err != nil {
		return sim.Grid{}, 0, nil, err
	}
	c := m.Config()
	return m.Grid(), Ghosts, func() sim.Model {
		// c is already validated; New cannot fail on it.
		mm, _ := New(c)
		return mm
	}, nil
}
