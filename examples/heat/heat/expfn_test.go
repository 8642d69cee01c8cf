package heat

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestUnfusedExp checks unfusedExp against math.Exp: within two ulps on
// random arguments over the finite range (amd64's math.Exp is a different
// polynomial, in assembly, so the two may round apart by that much; both
// are within an ulp or so of e^x), and at special values and range ends.
func TestUnfusedExp(t *testing.T) {
	for _, x := range []float64{0, 1, -1, 0.5, 1e-300, -1e-9, 709, 710, -745.2, -746, math.Inf(1), math.Inf(-1)} {
		got, want := unfusedExp(x), math.Exp(x)
		if ulps(got, want) > 2 {
			t.Errorf("unfusedExp(%g) = %g, math.Exp %g", x, got, want)
		}
	}
	if !math.IsNaN(unfusedExp(math.NaN())) {
		t.Error("unfusedExp(NaN) is not NaN")
	}
	r := rand.New(rand.NewPCG(1, 2))
	worst := uint64(0)
	for range 200000 {
		x := (r.Float64() - 0.5) * 1400 // within (−700, 700)
		if r.IntN(2) == 0 {
			x = -0.5 * x * x / 1e4 // the Gaussian's arguments
		}
		worst = max(worst, ulps(unfusedExp(x), math.Exp(x)))
	}
	if worst > 2 {
		t.Errorf("unfusedExp differs from math.Exp by %d ulps", worst)
	}
}

func ulps(a, b float64) uint64 {
	if a == b {
		return 0
	}
	ia, ib := math.Float64bits(a), math.Float64bits(b)
	if ia > ib {
		return ia - ib
	}
	return ib - ia
}
