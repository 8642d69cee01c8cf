package heat

import (
	"fmt"
	"testing"

	"github.com/apollo-hpc/apollo/comm/inproc"
	"github.com/apollo-hpc/apollo/sim"
)

// With z split alone, Step overlaps the z exchange with the sweep (zInner,
// then zTop and zBottom after the ghosts arrive), and the bits are those
// of separate sub-steps on one rank: blocks exactly 2·Substeps planes thick
// (zInner computes no plane of v) and thicker, uneven blocks, odd rows,
// 2 to 4 ranks along z, and a final step clipped to reach StopTime. Where
// x or y is split too, or a block is thinner than 2·Substeps, or the sweep
// tiles y, Step exchanges first and sweeps whole (same bits, no overlap).
func TestOverlapMatchesSeparate(t *testing.T) {
	defer func(b int) { fusedTileBytes = b }(fusedTileBytes)
	dc := sim.DriverConfig{StopTime: 0.05}
	for sub := 2; sub <= MaxSubsteps; sub++ {
		cfg := Config{Init: Gauss, Sigma: 0.15, Substeps: sub}
		for _, c := range []struct {
			n     [3]int
			procs [3]int
			tile  int
		}{
			{[3]int{7, 9, 4 * sub}, [3]int{1, 1, 2}, 1 << 30},   // 2·sub planes per block
			{[3]int{5, 6, 4*sub + 3}, [3]int{1, 1, 2}, 1 << 30}, // uneven blocks
			{[3]int{9, 5, 7 * sub}, [3]int{1, 1, 3}, 1 << 30},
			{[3]int{6, 7, 8*sub + 1}, [3]int{1, 1, 4}, 1 << 30},
			{[3]int{7, 9, 4*sub - 1}, [3]int{1, 1, 2}, 1 << 30}, // one block too thin to overlap
			{[3]int{7, 9, 4 * sub}, [3]int{1, 1, 2}, 1},         // y tiled
			{[3]int{8, 2 * sub, 4 * sub}, [3]int{1, 2, 2}, 1 << 30},
			{[3]int{2 * sub, 5, 4 * sub}, [3]int{2, 1, 2}, 1 << 30},
		} {
			fusedTileBytes = c.tile
			g := sim.Grid{N: c.n, Hi: [3]float64{1, 0.9, 1.1}}
			ref := run(t, inproc.NewWorld(1, 1), g, 1, false, cfg, dc)
			size := c.procs[0] * c.procs[1] * c.procs[2]
			o := runProcs(t, inproc.NewWorld(size, 1), g, c.procs, sub, cfg, dc, func(m *Model) error {
				// Decided per rank: a thin block's rank sweeps whole.
				want := c.procs[0] == 1 && c.procs[1] == 1 && m.b.N[2] >= 2*sub && c.tile > 1
				if !m.Fused() || m.overlap != want {
					return fmt.Errorf("fused %v overlap %v, want true %v", m.Fused(), m.overlap, want)
				}
				return nil
			})
			if o != ref {
				t.Fatalf("%d sub-steps, grid %v on %v, tile %d B: %+v, separate on 1 rank %+v", sub, c.n, c.procs, c.tile, o, ref)
			}
		}
	}
}
