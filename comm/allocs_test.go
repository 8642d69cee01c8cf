//go:build !race

// The race detector makes sync.Pool drop items at random, so allocation
// counts are only meaningful without it.

package comm_test

import (
	"context"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
)

// Steady-state point-to-point and collective calls over inproc allocate
// nothing: solvers call them every step.
func TestSteadyStateAllocs(t *testing.T) {
	eps := inproc.NewWorld(2, 1)
	c0, c1 := comm.New(eps[0]), comm.New(eps[1])
	defer c0.Close()
	defer c1.Close()
	ctx := context.Background()
	msg, b0, b1 := make([]byte, 8192), make([]byte, 8192), make([]byte, 8192)
	v0, v1 := []float64{1, 2, 3}, []float64{4, 5, 6}
	i0, i1 := []int64{1, 2}, []int64{3, 4}
	sv := [][]byte{msg[:1000], msg[2000:5000], msg[6000:]}
	rv0, rv1 := [][]byte{b0[:4000], b0[4000:6192]}, [][]byte{b1[:100], b1[200:6292]} // 6192 bytes each
	ops := []struct {
		name   string
		r0, r1 func() error
	}{
		{"Sendrecv", func() error { _, _, err := c0.Sendrecv(ctx, msg, 1, 1, b0, 1, 1); return err },
			func() error { _, _, err := c1.Sendrecv(ctx, msg, 0, 1, b1, 0, 1); return err }},
		{"SendrecvVec", func() error { _, err := c0.SendrecvVec(ctx, sv, 1, 1, rv0, 1, 1); return err },
			func() error { _, err := c1.SendrecvVec(ctx, sv, 0, 1, rv1, 0, 1); return err }},
		{"Barrier", func() error { return c0.Barrier(ctx) }, func() error { return c1.Barrier(ctx) }},
		{"AllreduceFloat64", func() error { return c0.AllreduceFloat64(ctx, comm.Sum, v0, v0) },
			func() error { return c1.AllreduceFloat64(ctx, comm.Sum, v1, v1) }},
		{"AllreduceInt64", func() error { return c0.AllreduceInt64(ctx, comm.Min, i0, i0) },
			func() error { return c1.AllreduceInt64(ctx, comm.Min, i1, i1) }},
	}
	for _, op := range ops {
		// Rank 1 runs in a persistent goroutine, driven through channels,
		// so that only the calls themselves are counted.
		start, done := make(chan struct{}), make(chan error)
		go func() {
			for range start {
				done <- op.r1()
			}
		}()
		run := func() {
			start <- struct{}{}
			if err := op.r0(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		run()
		n := testing.AllocsPerRun(100, run)
		close(start)
		if n != 0 {
			t.Errorf("%s: %v allocations per call", op.name, n)
		}
	}
}
