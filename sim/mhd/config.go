package mhd

import (
	"errors"
	"fmt"
	"math"

	"github.com/BurntSushi/toml"

	"github.com/apollo-hpc/apollo/sim"
)

// Config selects a problem and the scheme's parameters. Zero values take the
// problem's defaults (see Defaults); the TOML keys are the tags.
type Config struct {
	Problem string  `toml:"problem"` // linwave, brio-wu, orszag-tang, orszag-tang-3d, blast, field-loop, uniform
	NX      int     `toml:"nx"`
	NY      int     `toml:"ny"`
	NZ      int     `toml:"nz"`
	TLim    float64 `toml:"tlim"`
	CFL     float64 `toml:"cfl"`
	Gamma   float64 `toml:"gamma"`
	Riemann string  `toml:"riemann"` // "hlld" (default) or "hlle"

	// Linear waves.
	Wave      string  `toml:"wave"`      // fast, alfven, slow, entropy
	Direction string  `toml:"direction"` // left or right (entropy: moves with vflow)
	Amp       float64 `toml:"amp"`
	VFlow     float64 `toml:"vflow"`

	// Brio–Wu: axis of the shock tube, "x", "y" or "z".
	Axis string `toml:"axis"`

	// Blast: ambient pressure, pressure ratio, radius, field strength and
	// its angle (degrees) from x in the x–y plane.
	PAmb   float64 `toml:"p_amb"`
	PRatio float64 `toml:"p_ratio"`
	Radius float64 `toml:"radius"`
	B0     float64 `toml:"b0"`
	Angle  float64 `toml:"angle"`

	// 3D Orszag–Tang: amplitude of the z modulation.
	Epsilon float64 `toml:"epsilon"`

	// Boundaries, overriding the problem's: six entries "periodic",
	// "outflow" or "reflecting" for the x low, x high, y low, y high, z low
	// and z high faces. Periodic must be set on both faces of an axis.
	BC []string `toml:"bc"`

	// Floors (defaults 1e-10 and 1e-12).
	DFloor float64 `toml:"dfloor"`
	PFloor float64 `toml:"pfloor"`
}

// Problems lists the problem names accepted by Config.Problem.
var Problems = []string{"linwave", "brio-wu", "orszag-tang", "orszag-tang-3d", "blast", "field-loop", "uniform"}

// Defaults returns cfg with every zero field set to the problem's default.
func Defaults(cfg Config) Config {
	c := cfg
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	defi := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	if c.Riemann == "" {
		c.Riemann = "hlld"
	}
	switch c.Problem {
	case "linwave":
		defi(&c.NX, 32)
		defi(&c.NY, c.NX/2)
		defi(&c.NZ, c.NX/2)
		if c.Wave == "" {
			c.Wave = "fast"
		}
		if c.Direction == "" {
			c.Direction = "right"
		}
		def(&c.Amp, 1e-6)
		if c.Wave == "entropy" {
			def(&c.VFlow, 1)
		}
		switch c.Wave {
		case "fast":
			def(&c.TLim, 0.5)
		case "slow":
			def(&c.TLim, 2)
		default:
			def(&c.TLim, 1)
		}
	case "brio-wu":
		if c.Axis == "" {
			c.Axis = "x"
		}
		n := 400
		switch c.Axis {
		case "y":
			defi(&c.NY, n)
		case "z":
			defi(&c.NZ, n)
		default:
			defi(&c.NX, n)
		}
		def(&c.Gamma, 2) // Brio & Wu (1988)
		def(&c.TLim, 0.1)
		def(&c.CFL, 0.4)
	case "orszag-tang":
		defi(&c.NX, 128)
		defi(&c.NY, c.NX)
		def(&c.TLim, 0.5)
	case "orszag-tang-3d":
		defi(&c.NX, 32)
		defi(&c.NY, c.NX)
		defi(&c.NZ, c.NX)
		def(&c.TLim, 0.5)
		def(&c.Epsilon, 0.2)
	case "blast":
		defi(&c.NX, 64)
		defi(&c.NY, c.NX)
		defi(&c.NZ, c.NX)
		def(&c.TLim, 0.2)
		def(&c.PAmb, 0.1)
		def(&c.PRatio, 100)
		def(&c.Radius, 0.1)
		def(&c.B0, 1)
		def(&c.Angle, 30)
	case "field-loop":
		defi(&c.NX, 128)
		defi(&c.NY, c.NX/2)
		def(&c.TLim, 1)
		def(&c.Amp, 1e-3)
		def(&c.Radius, 0.3)
	case "uniform":
		defi(&c.NX, 16)
		defi(&c.NY, 16)
		defi(&c.NZ, 16)
		def(&c.TLim, 0.1)
	}
	def(&c.CFL, 0.3)
	def(&c.Gamma, 5.0/3)
	def(&c.DFloor, 1e-10)
	def(&c.PFloor, 1e-12)
	defi(&c.NX, 1)
	defi(&c.NY, 1)
	defi(&c.NZ, 1)
	return c
}

// maxCells bounds the grid a config may ask for (2048³ would need terabytes).
const maxCells int64 = 1 << 31

// validate checks a defaulted config and returns a clear error.
func (c Config) validate() error {
	known := false
	for _, p := range Problems {
		if c.Problem == p {
			known = true
		}
	}
	if !known {
		return fmt.Errorf("mhd: unknown problem %q (want one of %v)", c.Problem, Problems)
	}
	if c.NX < 1 || c.NY < 1 || c.NZ < 1 {
		return fmt.Errorf("mhd: grid %d×%d×%d: every size must be ≥ 1", c.NX, c.NY, c.NZ)
	}
	if float64(c.NX)*float64(c.NY)*float64(c.NZ) > float64(maxCells) {
		return fmt.Errorf("mhd: grid %d×%d×%d exceeds %d cells", c.NX, c.NY, c.NZ, maxCells)
	}
	if c.NX == 1 && c.NY == 1 && c.NZ == 1 {
		return errors.New("mhd: grid has a single cell")
	}
	if !(c.TLim > 0) || math.IsInf(c.TLim, 0) {
		return fmt.Errorf("mhd: tlim %g must be positive and finite", c.TLim)
	}
	if !(c.CFL > 0 && c.CFL <= 0.5) {
		return fmt.Errorf("mhd: cfl %g outside (0, 0.5] (VL2 with CT in 3D is stable to 0.5)", c.CFL)
	}
	if !(c.Gamma > 1) || math.IsInf(c.Gamma, 0) {
		return fmt.Errorf("mhd: gamma %g must be > 1", c.Gamma)
	}
	if c.Riemann != "hlld" && c.Riemann != "hlle" {
		return fmt.Errorf("mhd: riemann %q: want \"hlld\" or \"hlle\"", c.Riemann)
	}
	if !(c.DFloor > 0) || !(c.PFloor > 0) {
		return fmt.Errorf("mhd: floors dfloor=%g pfloor=%g must be positive", c.DFloor, c.PFloor)
	}
	if c.BC != nil {
		if len(c.BC) != 6 {
			return fmt.Errorf("mhd: bc has %d entries, want 6 (x lo, x hi, y lo, y hi, z lo, z hi)", len(c.BC))
		}
		for a := 0; a < 3; a++ {
			lo, hi := c.BC[2*a], c.BC[2*a+1]
			for _, b := range []string{lo, hi} {
				if _, ok := boundaryNames[b]; !ok {
					return fmt.Errorf("mhd: bc %q: want periodic, outflow or reflecting", b)
				}
			}
			if (lo == "periodic") != (hi == "periodic") {
				return fmt.Errorf("mhd: bc of axis %d: periodic on one face only (%s, %s)", a, lo, hi)
			}
			if n := [3]int{c.NX, c.NY, c.NZ}[a]; n == 1 && lo != "periodic" {
				return fmt.Errorf("mhd: bc of axis %d: an axis with one cell must be periodic", a)
			}
		}
	}
	switch c.Problem {
	case "linwave":
		switch c.Wave {
		case "fast", "alfven", "slow", "entropy":
		default:
			return fmt.Errorf("mhd: wave %q: want fast, alfven, slow or entropy", c.Wave)
		}
		if c.Direction != "left" && c.Direction != "right" {
			return fmt.Errorf("mhd: direction %q: want left or right", c.Direction)
		}
		if c.NX < 4 || c.NY < 4 || c.NZ < 4 {
			return fmt.Errorf("mhd: linwave is 3D oblique: need at least 4 cells per axis, got %d×%d×%d", c.NX, c.NY, c.NZ)
		}
		if !(math.Abs(c.Amp) > 0 && math.Abs(c.Amp) < 0.1) {
			return fmt.Errorf("mhd: linwave amp %g outside (0, 0.1)", c.Amp)
		}
	case "brio-wu":
		n := map[string]int{"x": c.NX, "y": c.NY, "z": c.NZ}
		if _, ok := n[c.Axis]; !ok {
			return fmt.Errorf("mhd: brio-wu axis %q: want x, y or z", c.Axis)
		}
		if n[c.Axis] < 8 {
			return fmt.Errorf("mhd: brio-wu needs ≥ 8 cells along %s", c.Axis)
		}
	case "orszag-tang":
		if c.NX < 4 || c.NY < 4 || c.NZ != 1 {
			return fmt.Errorf("mhd: orszag-tang is 2D: want nx, ny ≥ 4 and nz = 1, got %d×%d×%d", c.NX, c.NY, c.NZ)
		}
	case "orszag-tang-3d":
		if c.NX < 4 || c.NY < 4 || c.NZ < 4 {
			return fmt.Errorf("mhd: orszag-tang-3d wants ≥ 4 cells per axis, got %d×%d×%d", c.NX, c.NY, c.NZ)
		}
	case "blast":
		if !(c.PAmb > 0) || !(c.PRatio > 0) || !(c.Radius > 0 && c.Radius < 1) {
			return fmt.Errorf("mhd: blast p_amb=%g p_ratio=%g radius=%g: want positive values, radius < 1", c.PAmb, c.PRatio, c.Radius)
		}
	case "field-loop":
		if c.NX < 4 || c.NY < 4 || c.NZ != 1 {
			return fmt.Errorf("mhd: field-loop is 2D: want nx, ny ≥ 4 and nz = 1, got %d×%d×%d", c.NX, c.NY, c.NZ)
		}
		if !(c.Radius > 0 && c.Radius < 0.5) {
			return fmt.Errorf("mhd: field-loop radius %g outside (0, 0.5)", c.Radius)
		}
	}
	return nil
}

// boundaryNames maps the bc keys to sim's boundary kinds.
var boundaryNames = map[string]sim.Boundary{"periodic": sim.Periodic, "outflow": sim.Outflow, "reflecting": sim.Reflecting}

// maxConfigBytes bounds a configuration file.
const maxConfigBytes = 1 << 20

// ParseConfig decodes a TOML problem description (the keys of Config),
// rejecting unknown keys, and returns it defaulted and validated.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if len(data) > maxConfigBytes {
		return c, fmt.Errorf("mhd: config of %d bytes exceeds %d", len(data), maxConfigBytes)
	}
	md, err := toml.Decode(string(data), &c)
	if err != nil {
		return c, fmt.Errorf("mhd: config: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return c, fmt.Errorf("mhd: config: unknown keys %v", und)
	}
	c = Defaults(c)
	if err := c.validate(); err != nil {
		return c, err
	}
	return c, nil
}
