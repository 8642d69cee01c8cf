package sim

import "fmt"

// NoNeighbor marks a physical (non-periodic) face in Block.Nbr.
const NoNeighbor = -1

// MaxGhost bounds the ghost width.
const MaxGhost = 16

// Block is the sub-box of the grid one rank owns, with its ghost zones.
type Block struct {
	Grid  Grid
	Rank  int
	Procs [3]int // process grid
	Coord [3]int // this block's position in it
	Start [3]int // global index of local interior cell 0
	N     [3]int // local interior cells
	Ng    int    // ghost width
	// Nbr[axis][0] is the rank across the low face, Nbr[axis][1] across the
	// high face (periodic axes wrap, possibly to this rank itself), or
	// NoNeighbor on a physical boundary.
	Nbr [3][2]int
	Dx  [3]float64
}

// NewBlock returns rank's block of g on process grid procs with ghost width
// ng. Cells are split as evenly as possible; the first N%p blocks of an axis
// get one more cell.
func NewBlock(g Grid, procs [3]int, rank, ng int) (*Block, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if ng < 1 || ng > MaxGhost {
		return nil, fmt.Errorf("sim: ghost width %d, want 1..%d", ng, MaxGhost)
	}
	size := 1
	for a := 0; a < 3; a++ {
		if procs[a] < 1 || procs[a] > g.N[a] {
			return nil, fmt.Errorf("sim: process grid %v does not fit grid %v", procs, g.N)
		}
		size *= procs[a]
	}
	if rank < 0 || rank >= size {
		return nil, fmt.Errorf("sim: rank %d outside process grid %v", rank, procs)
	}
	b := &Block{Grid: g, Rank: rank, Procs: procs, Ng: ng, Dx: g.Dx()}
	b.Coord = CoordOf(procs, rank)
	for a := 0; a < 3; a++ {
		q, r := g.N[a]/procs[a], g.N[a]%procs[a]
		c := b.Coord[a]
		b.N[a] = q
		if c < r {
			b.N[a]++
		}
		b.Start[a] = c*q + min(c, r)
		if procs[a] > 1 && b.N[a] < ng {
			return nil, fmt.Errorf("sim: axis %d: block of %d cells is thinner than ghost width %d", a, b.N[a], ng)
		}
		for s := 0; s < 2; s++ {
			nc := b.Coord
			nc[a] += 2*s - 1
			switch {
			case nc[a] >= 0 && nc[a] < procs[a]:
				b.Nbr[a][s] = RankOf(procs, nc)
			case g.BC[a][s] == Periodic:
				nc[a] = (nc[a] + procs[a]) % procs[a]
				b.Nbr[a][s] = RankOf(procs, nc)
			default:
				b.Nbr[a][s] = NoNeighbor
			}
		}
	}
	return b, nil
}

// Size is the number of ranks of the process grid.
func (b *Block) Size() int { return b.Procs[0] * b.Procs[1] * b.Procs[2] }

// Center returns the coordinate of the centre of local cell i along axis a.
func (b *Block) Center(a, i int) float64 {
	return b.Grid.Lo[a] + (float64(b.Start[a]+i)+0.5)*b.Dx[a]
}

// Node returns the coordinate of the low face of local cell i along axis a.
func (b *Block) Node(a, i int) float64 {
	return b.Grid.Lo[a] + float64(b.Start[a]+i)*b.Dx[a]
}

// X, Y and Z return cell-centre coordinates of local indices.
func (b *Block) X(i int) float64 { return b.Center(0, i) }

// Y returns the y coordinate of the centre of local cell row j.
func (b *Block) Y(j int) float64 { return b.Center(1, j) }

// Z returns the z coordinate of the centre of local cell plane k.
func (b *Block) Z(k int) float64 { return b.Center(2, k) }

// Owned returns, per axis, how many points of a field at loc this block owns
// (starting at local index 0): the interior cells, plus the last node on a
// staggered axis that ends at a physical boundary. Summing over owned points
// of all blocks visits every global point exactly once.
func (b *Block) Owned(loc Location) [3]int {
	st := loc.Stag()
	var o [3]int
	for a := 0; a < 3; a++ {
		o[a] = b.N[a]
		if st[a] == 1 && b.Nbr[a][1] == NoNeighbor {
			o[a]++
		}
	}
	return o
}

// NewField allocates a zeroed field at loc with this block's ghost width.
func (b *Block) NewField(name string, loc Location) *Field {
	st := loc.Stag()
	f := &Field{Name: name, Loc: loc, Ng: b.Ng, Stag: st}
	for a := 0; a < 3; a++ {
		f.N[a] = b.N[a] + st[a]
		f.Dim[a] = f.N[a] + 2*b.Ng
	}
	f.Sx, f.Sy = f.Dim[0], f.Dim[1]
	f.Off = b.Ng + f.Sx*(b.Ng+f.Sy*b.Ng)
	f.Data = make([]float64, f.Dim[0]*f.Dim[1]*f.Dim[2])
	adviseHuge(f.Data) //nolint:errcheck // an optimisation only
	return f
}
