package sim_test

import (
	"context"
	"fmt"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/sim"
)

func ExampleProcGrid() {
	for _, size := range []int{2, 8, 12} {
		p, _ := sim.ProcGrid(size, [3]int{160, 160, 160})
		fmt.Println(size, p)
	}
	// Output:
	// 2 [1 2 1]
	// 8 [2 2 2]
	// 12 [2 3 2]
}

func ExampleExactSum() {
	var s sim.ExactSum
	naive := 0.0
	for _, x := range []float64{1e100, 1, -1e100, 0.5} {
		s.Add(x)
		naive += x
	}
	fmt.Println(s.Float64(), naive)
	// Output: 1.5 0.5
}

// Every rank fills its interior with its rank number, exchanges halos and
// reads the ghost cell across its low z face.
func ExampleHalo() {
	g := sim.Grid{N: [3]int{4, 4, 8}, Hi: [3]float64{1, 1, 1}} // periodic
	got := make([]float64, 4)
	err := sim.RunLocal(4, func(c *comm.Comm) error {
		env, err := sim.NewEnv(c, g, [3]int{1, 1, 4}, 1)
		if err != nil {
			return err
		}
		u := env.Block.NewField("u", sim.Cell)
		for k := 0; k < env.Block.N[2]; k++ {
			for j := 0; j < env.Block.N[1]; j++ {
				for i := 0; i < env.Block.N[0]; i++ {
					u.Set(i, j, k, float64(c.Rank()))
				}
			}
		}
		h, err := sim.NewHalo(c, env.Block, u)
		if err != nil {
			return err
		}
		if err := h.Exchange(context.Background()); err != nil {
			return err
		}
		got[c.Rank()] = u.At(0, 0, -1)
		return nil
	})
	fmt.Println(got, err)
	// Output: [3 0 1 2] <nil>
}
