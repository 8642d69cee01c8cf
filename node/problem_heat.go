package node

import (
	"github.com/apollo-hpc/apollo/examples/heat/heat"
	"github.com/apollo-hpc/apollo/sim"
)

func init() {
	RegisterProblem("heat", "3D heat equation on the periodic unit box, Gaussian pulse (examples/heat)",
		func(spec *JobSpec) (Setup, error) {
			g := sim.Grid{N: spec.Grid, Hi: [3]float64{1, 1, 1}}
			if err := g.Validate(); err != nil {
				return Setup{}, err
			}
			return Setup{Grid: g, Ng: 1, Model: "heat",
				New: func() sim.Model { return heat.New(heat.Config{Init: heat.Gauss}) }}, nil
		})
}
