package sim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
)

// Start then Finish: after Start, every ghost of the axes not Pending (the
// axes before the first one with a neighbour rank, interior along the
// others) holds its final value and the interior is untouched; after
// Finish, every ghost does, as after Exchange. Pending is true exactly from
// the first axis with a neighbour rank on.
func TestHaloStartFinish(t *testing.T) {
	mixed := Grid{N: [3]int{6, 5, 7}, Hi: [3]float64{1, 1, 1},
		BC: [3][2]Boundary{{Periodic, Periodic}, {Outflow, Reflecting}, {Reflecting, Outflow}}}
	cases := []struct {
		grid  Grid
		procs [3]int
		ng    int
		split int // first axis with a neighbour rank, 3 if none
	}{
		{testGrid([3]int{6, 5, 7}, Periodic), [3]int{1, 1, 1}, 2, 3},
		{mixed, [3]int{1, 1, 1}, 2, 3},
		{testGrid([3]int{6, 5, 10}, Periodic), [3]int{1, 1, 2}, 4, 2},
		{testGrid([3]int{6, 5, 8}, Outflow), [3]int{1, 1, 2}, 3, 2},
		{mixed, [3]int{1, 1, 2}, 2, 2},
		{testGrid([3]int{6, 6, 7}, Periodic), [3]int{1, 2, 1}, 2, 1},
		{testGrid([3]int{6, 6, 7}, Periodic), [3]int{2, 1, 2}, 2, 0},
		{mixed, [3]int{2, 2, 2}, 2, 0},
	}
	for _, c := range cases {
		for _, oneField := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v_%v_%v_ng%d_one%v", c.grid.BC, c.grid.N, c.procs, c.ng, oneField), func(t *testing.T) {
				testHaloStartFinish(t, c.grid, c.procs, c.ng, c.split, oneField)
			})
		}
	}
}

func testHaloStartFinish(t *testing.T, grid Grid, procs [3]int, ng, split int, oneField bool) {
	runRanks(t, procs[0]*procs[1]*procs[2], func(cm *comm.Comm) error {
		b, err := NewBlock(grid, procs, cm.Rank(), ng)
		if err != nil {
			return err
		}
		var fields []*Field
		for fi, loc := range []Location{Cell, FaceZ, EdgeY} {
			f := b.NewField(fmt.Sprintf("f%d", fi), loc)
			for i := range f.Data {
				f.Data[i] = -1
			}
			o := b.Owned(loc)
			for k := 0; k < o[2]; k++ {
				for j := 0; j < o[1]; j++ {
					for i := 0; i < o[0]; i++ {
						f.Set(i, j, k, haloValue(fi, [3]int{b.Start[0] + i, b.Start[1] + j, b.Start[2] + k}))
					}
				}
			}
			fields = append(fields, f)
		}
		groups := [][]*Field{fields}
		if oneField {
			groups = [][]*Field{fields[:1], fields[1:2], fields[2:]}
		}
		var halos []*Halo
		for _, g := range groups {
			h, err := NewHalo(cm, b, g...)
			if err != nil {
				return err
			}
			for a := 0; a < 3; a++ {
				if got := h.Pending(a); got != (a >= split) {
					return fmt.Errorf("Pending(%d) = %v, want %v", a, got, a >= split)
				}
			}
			halos = append(halos, h)
		}
		if err := halos[0].Finish(bg); err == nil || !strings.Contains(err.Error(), "without Start") {
			return fmt.Errorf("Finish before Start: err = %v", err)
		}
		for rep := 0; rep < 2; rep++ { // buffers are reused
			for _, h := range halos {
				if err := h.Start(bg); err != nil {
					return err
				}
			}
			if rep == 0 {
				if err := halos[0].Start(bg); err == nil || !strings.Contains(err.Error(), "twice") {
					return fmt.Errorf("Start twice: err = %v", err)
				}
			}
			// What Start filled, while the messages are in flight.
			if err := checkHaloSubset(grid, b, fields, func(ghost [3]bool) bool {
				for a := split; a < 3; a++ {
					if ghost[a] {
						return false
					}
				}
				return true
			}); err != nil {
				return fmt.Errorf("after Start %d: %w", rep+1, err)
			}
			for _, h := range halos {
				if err := h.Finish(bg); err != nil {
					return err
				}
			}
			if err := checkHaloFields(grid, b, fields, nil); err != nil {
				return fmt.Errorf("after Finish %d: %w", rep+1, err)
			}
		}
		return nil
	})
}

// checkHaloSubset is checkHaloFields over the points for which want,
// given along which axes the point is a ghost, is true.
func checkHaloSubset(grid Grid, b *Block, fields []*Field, want func(ghost [3]bool) bool) error {
	for fi, f := range fields {
		ng := b.Ng
		for k := -ng; k < f.N[2]+ng; k++ {
			for j := -ng; j < f.N[1]+ng; j++ {
				for i := -ng; i < f.N[0]+ng; i++ {
					p := [3]int{i, j, k}
					var ghost [3]bool
					for a := 0; a < 3; a++ {
						// A staggered field's last point is the high
						// neighbour's first: it arrives like a ghost.
						ghost[a] = p[a] < 0 || p[a] >= b.Owned(f.Loc)[a]
					}
					if !want(ghost) {
						continue
					}
					g := [3]int{b.Start[0] + i, b.Start[1] + j, b.Start[2] + k}
					src, _ := mapGlobal(grid, f.Stag, g, [3]bool{})
					if got, w := f.At(i, j, k), haloValue(fi, src); got != w {
						return fmt.Errorf("field %d (%v) local %v global %v: got %v want %v (from %v)", fi, f.Loc, p, g, got, w, src)
					}
				}
			}
		}
	}
	return nil
}
