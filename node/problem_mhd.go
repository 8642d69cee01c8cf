package node

import (
	"github.com/apollo-hpc/apollo/sim"
	"github.com/apollo-hpc/apollo/sim/mhd"
)

func init() {
	RegisterProblem("orszag-tang", "3D Orszag-Tang vortex, ideal MHD (sim/mhd, problem orszag-tang-3d)",
		func(spec *JobSpec) (Setup, error) {
			cfg := mhd.Config{Problem: "orszag-tang-3d", NX: spec.Grid[0], NY: spec.Grid[1], NZ: spec.Grid[2]}
			m, err := mhd.New(cfg)
			if err != nil {
				return Setup{}, err
			}
			return Setup{Grid: m.Grid(), Ng: mhd.Ghosts, Model: "mhd/orszag-tang-3d",
				New: func() sim.Model {
					m, _ := mhd.New(cfg) // validated above
					return m
				}}, nil
		})
}
