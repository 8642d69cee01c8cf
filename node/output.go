package node

import (
	"context"
	"fmt"
	"os"

	"github.com/apollo-hpc/apollo/sim"
	"github.com/apollo-hpc/apollo/sim/output"
)

// outputHook returns the driver's output hook for one rank: every rank
// writes its block's cell-centred fields as a .vti piece (no gather), rank 0
// the .pvti index and the .pvd time collection. A rolled-back run rewrites
// the same steps with the same bits.
func outputHook(dir, name string, setup Setup) (func(ctx context.Context, step int64, t float64, env *sim.Env, m sim.Model) error, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	w, err := output.NewVTKWriter(dir, name)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	var extents []output.Extent
	return func(ctx context.Context, step int64, t float64, env *sim.Env, m sim.Model) error {
		b := env.Block
		g := b.Grid
		p := &output.Piece{Whole: g.N, Start: b.Start, N: b.N, Ng: b.Ng, Origin: g.Lo, Spacing: g.Dx()}
		for _, f := range m.Fields() {
			if f.Loc == sim.Cell {
				p.Fields = append(p.Fields, output.NamedField{Name: f.Name, Data: f.Data, Components: 1})
			}
		}
		if len(p.Fields) == 0 {
			return nil
		}
		if _, err := w.WritePiece(step, b.Rank, p); err != nil {
			return fmt.Errorf("output step %d: %w", step, err)
		}
		if b.Rank != 0 {
			return nil
		}
		if extents == nil {
			// The extents follow from the decomposition; no communication.
			for r := 0; r < b.Size(); r++ {
				ob, err := sim.NewBlock(g, b.Procs, r, b.Ng)
				if err != nil {
					return fmt.Errorf("output: %w", err)
				}
				extents = append(extents, output.Extent{Start: ob.Start, N: ob.N})
			}
		}
		if _, err := w.WriteIndex(step, p, extents); err != nil {
			return fmt.Errorf("output step %d: %w", step, err)
		}
		if err := output.UpdateCollection(dir, name, step, t); err != nil {
			return fmt.Errorf("output step %d: %w", step, err)
		}
		return nil
	}, nil
}
