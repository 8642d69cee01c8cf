package sim

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
)

func bigSum(xs []float64) float64 {
	acc := new(big.Float).SetPrec(4000)
	for _, x := range xs {
		acc.Add(acc, new(big.Float).SetFloat64(x))
	}
	r, _ := acc.Float64()
	return r
}

func TestExactSum(t *testing.T) {
	cases := []struct {
		xs   []float64
		want float64
	}{
		{[]float64{1, 1e100, 1, -1e100}, 2},
		{[]float64{math.MaxFloat64, math.MaxFloat64, -math.MaxFloat64}, math.MaxFloat64},
		{[]float64{math.MaxFloat64, math.MaxFloat64}, math.Inf(1)},
		{[]float64{5e-324, 5e-324, -5e-324}, 5e-324},
		{[]float64{0.1, 0.2, 0.3}, 0.6},                // naive left-to-right gives 0.6000000000000001
		{[]float64{1, 0x1p-53}, 1},                     // tie rounds to even
		{[]float64{1, 0x1p-53, 0x1p-105}, 1 + 0x1p-52}, // just above the tie
		{[]float64{math.Inf(1), 1}, math.Inf(1)},
		{[]float64{math.Inf(1), math.Inf(-1)}, math.NaN()},
		{[]float64{math.NaN(), 1}, math.NaN()},
		{nil, 0},
	}
	for _, c := range cases {
		var s ExactSum
		for _, x := range c.xs {
			s.Add(x)
		}
		got := s.Float64()
		if !(got == c.want || (math.IsNaN(got) && math.IsNaN(c.want))) {
			t.Errorf("sum %v = %v, want %v", c.xs, got, c.want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		xs := make([]float64, 300)
		for i := range xs {
			xs[i] = (rng.Float64() - 0.5) * math.Ldexp(1, rng.IntN(200)-100)
		}
		want := bigSum(xs)
		var s, u1, u2 ExactSum
		for _, x := range xs {
			s.Add(x)
		}
		rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
		for i, x := range xs {
			if i%2 == 0 {
				u1.Add(x)
			} else {
				u2.Add(x)
			}
		}
		u1.AddSum(&u2)
		if s.Float64() != want || u1.Float64() != want {
			t.Fatalf("trial %d: %v / %v, want %v", trial, s.Float64(), u1.Float64(), want)
		}
	}
	// Many carries: the periodic normalisation keeps limbs in range.
	var s ExactSum
	s.adds = sumNormEvery - 3
	for i := 0; i < 10; i++ {
		s.Add(math.MaxFloat64 / 16)
		s.Add(-math.MaxFloat64 / 32)
	}
	if got, want := s.Float64(), 10*(math.MaxFloat64/32); got != want {
		t.Errorf("after normalisation: %v, want %v", got, want)
	}
}

// Sum and FieldsChecksum give the same bits on 1, 2, 4 and 8 ranks.
func TestReductionsDecompositionIndependent(t *testing.T) {
	g := testGrid([3]int{6, 5, 4}, Outflow)
	g.BC[2] = [2]Boundary{Periodic, Periodic}
	value := func(fi int, gi, gj, gk int) float64 {
		r := rand.New(rand.NewPCG(uint64(fi), uint64(gi+100*gj+10000*gk)))
		return (r.Float64() - 0.5) * math.Ldexp(1, r.IntN(60)-30)
	}
	type out struct {
		sums [2]float64
		ck   uint64
	}
	var ref *out
	for _, size := range []int{1, 2, 4, 8} {
		procs, err := ProcGrid(size, g.N)
		if err != nil {
			t.Fatal(err)
		}
		res := make([]out, size)
		runRanks(t, size, func(c *comm.Comm) error {
			env, err := NewEnv(c, g, procs, 1)
			if err != nil {
				return err
			}
			b := env.Block
			fs := []*Field{b.NewField("c", Cell), b.NewField("fx", FaceX), b.NewField("ez", EdgeZ)}
			for fi, f := range fs {
				for k := 0; k < f.N[2]; k++ {
					for j := 0; j < f.N[1]; j++ {
						for i := 0; i < f.N[0]; i++ {
							f.Set(i, j, k, value(fi, b.Start[0]+i, b.Start[1]+j, b.Start[2]+k))
						}
					}
				}
			}
			var o out
			for fi := 0; fi < 2; fi++ {
				if o.sums[fi], err = Sum(bg, env, fs[fi]); err != nil {
					return err
				}
			}
			if o.ck, err = FieldsChecksum(bg, env, fs); err != nil {
				return err
			}
			res[c.Rank()] = o
			return nil
		})
		for r := range res {
			if res[r] != res[0] {
				t.Fatalf("%d ranks: rank %d got %+v, rank 0 %+v", size, r, res[r], res[0])
			}
		}
		if ref == nil {
			ref = &res[0]
			var xs []float64
			for k := 0; k < 4; k++ {
				for j := 0; j < 5; j++ {
					for i := 0; i < 6; i++ {
						xs = append(xs, value(0, i, j, k))
					}
				}
			}
			if want := bigSum(xs); ref.sums[0] != want {
				t.Fatalf("Sum = %v, exact %v", ref.sums[0], want)
			}
		} else if res[0] != *ref {
			t.Fatalf("%d ranks (procs %v): %+v, 1 rank %+v", size, procs, res[0], *ref)
		}
	}
}

func TestFieldsChecksumSensitive(t *testing.T) {
	g := testGrid([3]int{4, 4, 4}, Periodic)
	runRanks(t, 1, func(c *comm.Comm) error {
		env, err := NewEnv(c, g, [3]int{}, 1)
		if err != nil {
			return err
		}
		a, b := env.Block.NewField("a", Cell), env.Block.NewField("b", Cell)
		a.Set(1, 2, 3, 1.5)
		base, _ := FieldsChecksum(bg, env, []*Field{a, b})
		swapped, _ := FieldsChecksum(bg, env, []*Field{b, a})
		a.Set(1, 2, 3, math.Nextafter(1.5, 2))
		bit, _ := FieldsChecksum(bg, env, []*Field{a, b})
		a.Set(1, 2, 3, 0)
		a.Set(2, 2, 3, 1.5)
		moved, _ := FieldsChecksum(bg, env, []*Field{a, b})
		a.Set(-1, 0, 0, 9) // ghosts do not count
		ghost, _ := FieldsChecksum(bg, env, []*Field{a, b})
		if base == swapped || base == bit || base == moved || moved != ghost {
			return fmt.Errorf("checksums base %x swapped %x bit %x moved %x ghost %x", base, swapped, bit, moved, ghost)
		}
		return nil
	})
}

// The global exact sum cancels across ranks and carries ±Inf and NaN.
func TestExactSumAllreduce(t *testing.T) {
	cases := []struct {
		per  [3][]float64 // values added on ranks 0, 1, 2
		want float64
	}{
		{[3][]float64{{1e300, 1}, {-1e300}, {1e-300}}, 1},
		{[3][]float64{{math.MaxFloat64}, {math.MaxFloat64}, {-math.MaxFloat64}}, math.MaxFloat64},
		{[3][]float64{{math.Inf(1)}, {1}, {2}}, math.Inf(1)},
		{[3][]float64{{math.Inf(1)}, {math.Inf(-1)}, {2}}, math.NaN()},
		{[3][]float64{{0.1}, {0.2}, {0.3}}, 0.6},
	}
	for _, c := range cases {
		got := make([]float64, 3)
		runRanks(t, 3, func(cm *comm.Comm) error {
			var s ExactSum
			for _, x := range c.per[cm.Rank()] {
				s.Add(x)
			}
			if err := s.Allreduce(bg, cm); err != nil {
				return err
			}
			got[cm.Rank()] = s.Float64()
			return nil
		})
		for r, g := range got {
			if !(g == c.want || (math.IsNaN(g) && math.IsNaN(c.want))) {
				t.Fatalf("%v: rank %d got %v, want %v", c.per, r, g, c.want)
			}
		}
	}
}
