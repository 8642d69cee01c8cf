package sim

import (
	"strings"
	"testing"
)

func testGrid(n [3]int, bc Boundary) Grid {
	g := Grid{N: n, Hi: [3]float64{1, 1, 1}}
	for a := 0; a < 3; a++ {
		g.BC[a] = [2]Boundary{bc, bc}
	}
	return g
}

func TestProcGrid(t *testing.T) {
	cases := []struct {
		size int
		n    [3]int
		want [3]int
	}{
		{1, [3]int{8, 8, 8}, [3]int{1, 1, 1}},
		{2, [3]int{160, 160, 160}, [3]int{1, 2, 1}},  // ties: y first
		{4, [3]int{160, 160, 160}, [3]int{1, 2, 2}},  // then z
		{12, [3]int{160, 160, 160}, [3]int{2, 3, 2}}, // x last
		{8, [3]int{160, 160, 160}, [3]int{2, 2, 2}},
		{4, [3]int{64, 8, 8}, [3]int{4, 1, 1}},   // long x: cut x
		{6, [3]int{64, 32, 32}, [3]int{3, 2, 1}}, // area 2*1024+1*2048 is least (y before z)
		{3, [3]int{4, 4, 1}, [3]int{1, 3, 1}},    // z has one cell: never cut it
	}
	for _, c := range cases {
		got, err := ProcGrid(c.size, c.n)
		if err != nil || got != c.want {
			t.Errorf("ProcGrid(%d, %v) = %v, %v; want %v", c.size, c.n, got, err, c.want)
		}
	}
	if _, err := ProcGrid(7, [3]int{2, 2, 2}); err == nil {
		t.Error("ProcGrid(7, 2x2x2) succeeded")
	}
	if _, err := ProcGrid(0, [3]int{2, 2, 2}); err == nil {
		t.Error("ProcGrid(0) succeeded")
	}
}

// Blocks of every rank tile the global grid exactly once, and neighbour
// links are mutual.
func TestBlocksTile(t *testing.T) {
	for _, procs := range [][3]int{{1, 1, 1}, {2, 1, 1}, {3, 2, 1}, {2, 2, 2}, {1, 3, 4}} {
		for _, bc := range []Boundary{Periodic, Outflow} {
			g := testGrid([3]int{7, 9, 11}, bc)
			size := procs[0] * procs[1] * procs[2]
			seen := make([]int, 7*9*11)
			blocks := make([]*Block, size)
			for r := 0; r < size; r++ {
				b, err := NewBlock(g, procs, r, 2)
				if err != nil {
					t.Fatal(err)
				}
				blocks[r] = b
				for k := 0; k < b.N[2]; k++ {
					for j := 0; j < b.N[1]; j++ {
						for i := 0; i < b.N[0]; i++ {
							seen[b.Start[0]+i+7*(b.Start[1]+j+9*(b.Start[2]+k))]++
						}
					}
				}
			}
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("procs %v: cell %d covered %d times", procs, i, c)
				}
			}
			for r, b := range blocks {
				for a := 0; a < 3; a++ {
					for s := 0; s < 2; s++ {
						nb := b.Nbr[a][s]
						if nb == NoNeighbor {
							if bc == Periodic || (s == 0 && b.Coord[a] != 0) || (s == 1 && b.Coord[a] != procs[a]-1) {
								t.Fatalf("procs %v rank %d axis %d side %d: missing neighbour", procs, r, a, s)
							}
							continue
						}
						if blocks[nb].Nbr[a][1-s] != r {
							t.Fatalf("procs %v: rank %d axis %d side %d -> %d, not mutual", procs, r, a, s, nb)
						}
						if blocks[nb].Coord[(a+1)%3] != b.Coord[(a+1)%3] || blocks[nb].Coord[(a+2)%3] != b.Coord[(a+2)%3] {
							t.Fatalf("neighbour not in same row")
						}
					}
				}
			}
		}
	}
}

func TestNewBlockErrors(t *testing.T) {
	g := testGrid([3]int{8, 8, 8}, Periodic)
	if _, err := NewBlock(g, [3]int{1, 1, 1}, 0, 0); err == nil {
		t.Error("ghost width 0 accepted")
	}
	if _, err := NewBlock(g, [3]int{1, 1, 1}, 1, 1); err == nil {
		t.Error("rank outside grid accepted")
	}
	if _, err := NewBlock(g, [3]int{1, 1, 4}, 0, 3); err == nil || !strings.Contains(err.Error(), "thinner") {
		t.Errorf("thin block: %v", err)
	}
	bad := g
	bad.BC[1][0] = Outflow
	if _, err := NewBlock(bad, [3]int{1, 1, 1}, 0, 1); err == nil {
		t.Error("half-periodic axis accepted")
	}
	bad = g
	bad.Hi[2] = 0
	if _, err := NewBlock(bad, [3]int{1, 1, 1}, 0, 1); err == nil {
		t.Error("empty extent accepted")
	}
}

func TestFieldLayout(t *testing.T) {
	g := testGrid([3]int{6, 5, 4}, Outflow)
	b, err := NewBlock(g, [3]int{1, 1, 1}, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Location][3]int{
		Cell: {10, 9, 8}, FaceX: {11, 9, 8}, FaceY: {10, 10, 8}, FaceZ: {10, 9, 9},
		EdgeX: {10, 10, 9}, EdgeY: {11, 9, 9}, EdgeZ: {11, 10, 8},
	}
	for loc, dim := range want {
		f := b.NewField("u", loc)
		if f.Dim != dim || len(f.Data) != dim[0]*dim[1]*dim[2] {
			t.Fatalf("%v: dims %v len %d, want %v", loc, f.Dim, len(f.Data), dim)
		}
		// The documented formula.
		ng, sx, sy := 2, dim[0], dim[1]
		for _, p := range [][3]int{{-2, -2, -2}, {0, 0, 0}, {3, -1, 2}, {f.N[0] + 1, f.N[1] + 1, f.N[2] + 1}} {
			if got, w := f.Idx(p[0], p[1], p[2]), (p[0]+ng)+sx*((p[1]+ng)+sy*(p[2]+ng)); got != w {
				t.Fatalf("%v Idx%v = %d, want %d", loc, p, got, w)
			}
		}
		f.Set(1, 2, 3, 7)
		if f.At(1, 2, 3) != 7 {
			t.Fatal("Set/At")
		}
	}
	if o := b.Owned(FaceX); o != [3]int{7, 5, 4} {
		t.Errorf("Owned(FaceX) on outflow = %v", o)
	}
	if x := b.X(0); x != 1.0/12 {
		t.Errorf("X(0) = %v", x)
	}
	if z := b.Node(2, 4); z != 1 {
		t.Errorf("Node(2,4) = %v", z)
	}
}
