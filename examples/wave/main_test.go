package main

import (
	"context"
	"math"
	"testing"

	"go.uber.org/goleak"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// solve runs the wave to t=0.25 on n³ cells and returns the checksum and the
// max error against the exact standing wave (rank 0's view).
func solve(t *testing.T, n, ranks int) (uint64, float64) {
	var sum uint64
	var maxErr float64
	grid := sim.Grid{N: [3]int{n, n, n}, Hi: [3]float64{1, 1, 1}}
	err := sim.RunLocal(ranks, func(c *comm.Comm) error {
		ctx := context.Background()
		env, err := sim.NewEnv(c, grid, [3]int{}, 1)
		if err != nil {
			return err
		}
		w := &wave{c: 1}
		res, err := sim.Run(ctx, env, w, sim.DriverConfig{StopTime: 0.25}, sim.Hooks{}, nil)
		if err != nil {
			return err
		}
		red := []float64{0}
		for k := 0; k < w.b.N[2]; k++ {
			for j := 0; j < w.b.N[1]; j++ {
				for i := 0; i < w.b.N[0]; i++ {
					red[0] = math.Max(red[0], math.Abs(w.u.At(i, j, k)-w.exact(i, j, k, res.Time)))
				}
			}
		}
		if err := c.AllreduceFloat64(ctx, comm.Max, red, red); err != nil {
			return err
		}
		s, err := sim.FieldsChecksum(ctx, env, w.Fields())
		if c.Rank() == 0 {
			sum, maxErr = s, red[0]
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum, maxErr
}

func TestWave(t *testing.T) {
	s1, e16 := solve(t, 16, 1)
	s4, _ := solve(t, 16, 4)
	if s1 != s4 {
		t.Fatalf("checksum on 1 rank %x, on 4 ranks %x", s1, s4)
	}
	_, e32 := solve(t, 32, 2)
	order := math.Log2(e16 / e32)
	t.Logf("max error %.3e -> %.3e, order %.2f", e16, e32, order)
	if order < 1.8 || order > 2.2 {
		t.Fatalf("order %.2f, want about 2", order)
	}
}
