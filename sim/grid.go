package sim

import "fmt"

// Boundary is the kind of a physical face of the global grid.
type Boundary int

// Boundary kinds. Periodic must be set on both faces of an axis.
const (
	Periodic     Boundary = iota
	Outflow               // zero gradient: ghosts copy the boundary value
	Reflecting            // mirror image; fields named by Halo.SetReflectSign flip sign
	UserBoundary          // filled by the function given to Halo.SetUserBC
)

func (b Boundary) String() string {
	switch b {
	case Periodic:
		return "periodic"
	case Outflow:
		return "outflow"
	case Reflecting:
		return "reflecting"
	case UserBoundary:
		return "user"
	}
	return fmt.Sprintf("Boundary(%d)", int(b))
}

// Grid is the global problem: cell counts, physical extent and the boundary
// kind of each face (BC[axis][0] low face, BC[axis][1] high face).
type Grid struct {
	N      [3]int
	Lo, Hi [3]float64
	BC     [3][2]Boundary
}

// Dx returns the cell widths.
func (g Grid) Dx() [3]float64 {
	var d [3]float64
	for a := 0; a < 3; a++ {
		d[a] = (g.Hi[a] - g.Lo[a]) / float64(g.N[a])
	}
	return d
}

// Cells returns the global cell count.
func (g Grid) Cells() int64 { return int64(g.N[0]) * int64(g.N[1]) * int64(g.N[2]) }

// maxCells bounds each axis so index arithmetic cannot overflow.
const maxCells = 1 << 20

// Validate reports whether g describes a usable grid.
func (g Grid) Validate() error {
	for a := 0; a < 3; a++ {
		if g.N[a] < 1 || g.N[a] > maxCells {
			return fmt.Errorf("sim: grid axis %d: %d cells, want 1..%d", a, g.N[a], maxCells)
		}
		if !(g.Hi[a] > g.Lo[a]) {
			return fmt.Errorf("sim: grid axis %d: extent [%g, %g] is empty", a, g.Lo[a], g.Hi[a])
		}
		for s := 0; s < 2; s++ {
			if g.BC[a][s] < Periodic || g.BC[a][s] > UserBoundary {
				return fmt.Errorf("sim: grid axis %d side %d: unknown boundary %d", a, s, g.BC[a][s])
			}
		}
		if (g.BC[a][0] == Periodic) != (g.BC[a][1] == Periodic) {
			return fmt.Errorf("sim: grid axis %d: periodic on one face only", a)
		}
	}
	return nil
}

// ProcGrid factors size ranks into px*py*pz, each at most the cell count of
// its axis, minimising the total area of the cuts between blocks (the halo
// surface). Among equal surfaces it cuts y most, then z, then x: a y cut
// shrinks the xy-plane that solvers sweeping along z keep in cache (MHD's
// ring of intermediate planes, heat's wavefront), where a z cut leaves it
// whole; on 2 ranks at 160³ the MHD step ran about 10 % faster split along y
// than along z (docs/bench/mhd.md). Cutting x last keeps the x rows, the
// vector kernels' pencils, long. Callers may ignore it and pass their own
// factorisation to NewBlock.
func ProcGrid(size int, n [3]int) ([3]int, error) {
	if size < 1 {
		return [3]int{}, fmt.Errorf("sim: ProcGrid: size %d < 1", size)
	}
	best := [3]int{}
	bestArea := int64(-1)
	for py := size; py >= 1; py-- {
		if size%py != 0 || py > n[1] {
			continue
		}
		for pz := size / py; pz >= 1; pz-- {
			if (size/py)%pz != 0 || pz > n[2] {
				continue
			}
			px := size / py / pz
			if px > n[0] {
				continue
			}
			area := int64(px-1)*int64(n[1])*int64(n[2]) +
				int64(py-1)*int64(n[0])*int64(n[2]) +
				int64(pz-1)*int64(n[0])*int64(n[1])
			if bestArea < 0 || area < bestArea {
				best, bestArea = [3]int{px, py, pz}, area
			}
		}
	}
	if bestArea < 0 {
		return [3]int{}, fmt.Errorf("sim: ProcGrid: no factorisation of %d ranks fits grid %v", size, n)
	}
	return best, nil
}

// RankOf returns the rank at process-grid coordinate c (x fastest).
func RankOf(procs, c [3]int) int { return c[0] + procs[0]*(c[1]+procs[1]*c[2]) }

// CoordOf is the inverse of RankOf.
func CoordOf(procs [3]int, rank int) [3]int {
	return [3]int{rank % procs[0], (rank / procs[0]) % procs[1], rank / (procs[0] * procs[1])}
}
