package node

import (
	"fmt"

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
			ng, err := heatGhosts(g, spec.Ranks)
			if err != nil {
				return Setup{}, err
			}
			return Setup{Grid: g, Ng: ng, Model: "heat",
				New: func() sim.Model { return heat.New(heat.Config{Init: heat.Gauss}) }}, nil
		})
}

// heatGhosts is the ghost width for heat on g over ranks: heat.Ghosts, so
// that a step's sub-steps share one exchange and one sweep, unless a split
// axis has blocks thinner than that; then the largest width that fits. The
// model takes separate sub-steps then, with the same bits, only slower.
func heatGhosts(g sim.Grid, ranks int) (int, error) {
	procs, err := sim.ProcGrid(ranks, g.N)
	if err != nil {
		return 0, fmt.Errorf("heat: %d ranks on grid %v: %w", ranks, g.N, err)
	}
	ng := heat.Ghosts
	for a := range 3 {
		if procs[a] > 1 {
			ng = min(ng, g.N[a]/procs[a]) // the thinnest block along a
		}
	}
	return max(ng, 1), nil
}
