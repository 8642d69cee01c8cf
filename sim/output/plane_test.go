package output

import (
	"math"
	"testing"
)

// TestCutPlaneAssembles cuts every axis of a 2x2x2-rank decomposition, assembles the plane
// from all pieces and compares it with the global values.
func TestCutPlaneAssembles(t *testing.T) {
	whole := [3]int{7, 5, 6}
	pieces, _ := testPieces(whole, [3]int{2, 2, 2}, 2)
	for axis := 0; axis < 3; axis++ {
		for _, index := range []int{0, whole[axis] / 2, whole[axis] - 1} {
			for comp := 0; comp < 3; comp++ {
				s, err := pieces[0].NewSlice(axis, index)
				if err != nil {
					t.Fatal(err)
				}
				crossed := 0
				for _, p := range pieces {
					ok, err := p.CutPlane("B", comp, axis, index, s)
					if err != nil {
						t.Fatal(err)
					}
					if ok {
						crossed++
					}
				}
				if crossed != 4 {
					t.Fatalf("axis %d index %d: %d pieces cross the plane, want 4", axis, index, crossed)
				}
				u, v := planeAxes(axis)
				for b := 0; b < s.NY; b++ {
					for a := 0; a < s.NX; a++ {
						var g [3]int
						g[axis], g[u], g[v] = index, a, b
						want := testValue(1, comp, g[0], g[1], g[2])
						if got := s.Data[a+s.NX*b]; math.Float64bits(got) != math.Float64bits(want) {
							t.Fatalf("axis %d index %d comp %d cell (%d,%d) = %v, want %v", axis, index, comp, a, b, got, want)
						}
					}
				}
				if s.X1-s.X0 != float64(whole[u])*pieces[0].Spacing[u] {
					t.Fatalf("slice extent %v..%v", s.X0, s.X1)
				}
			}
		}
	}
	s, _ := pieces[0].NewSlice(2, 0)
	for name, call := range map[string]func() error{
		"no field":      func() error { _, err := pieces[0].CutPlane("nope", 0, 2, 0, s); return err },
		"bad component": func() error { _, err := pieces[0].CutPlane("rho", 1, 2, 0, s); return err },
		"bad index":     func() error { _, err := pieces[0].CutPlane("rho", 0, 2, 6, s); return err },
		"wrong slice":   func() error { _, err := pieces[0].CutPlane("rho", 0, 0, 0, s); return err },
		"bad axis":      func() error { _, err := pieces[0].NewSlice(3, 0); return err },
	} {
		if call() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
