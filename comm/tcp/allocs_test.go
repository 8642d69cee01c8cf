//go:build !race

// The race detector makes sync.Pool drop items at random, so allocation
// counts are only meaningful without it.

package tcp

import (
	"context"
	"log/slog"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
)

// quietPair returns two ranks on two hosts that log nothing.
func quietPair(t *testing.T) (c0, c1 *comm.Comm) {
	quiet := func(c *Config) { c.Logger = slog.New(slog.DiscardHandler) }
	cs := endpoints(t, 1, []*Host{newHost(t, quiet), newHost(t, quiet)}, 2)
	return cs[0], cs[1]
}

// pairAllocs returns the allocations per run of r0 on this goroutine while
// r1 runs once per run in a persistent goroutine of its own, so that only
// the calls themselves are counted.
func pairAllocs(t *testing.T, r0, r1 func() error) float64 {
	start, done := make(chan struct{}), make(chan error)
	go func() {
		for range start {
			done <- r1()
		}
	}()
	defer close(start)
	run := func() {
		start <- struct{}{}
		if err := r0(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	run()
	return testing.AllocsPerRun(100, run)
}

// A steady exchange over TCP allocates nothing per message, small or large
// (received buffers come from and return to the pool).
func TestSteadyStateAllocs(t *testing.T) {
	c0, c1 := quietPair(t)
	ctx := context.Background()
	for _, n := range []int{64, 1 << 20} {
		msg, b0, b1 := make([]byte, n), make([]byte, n), make([]byte, n)
		allocs := pairAllocs(t,
			func() error { _, _, err := c0.Sendrecv(ctx, msg, 1, 1, b0, 1, 1); return err },
			func() error { _, _, err := c1.Sendrecv(ctx, msg, 0, 1, b1, 0, 1); return err })
		if allocs != 0 {
			t.Errorf("%d-byte Sendrecv: %v allocations", n, allocs)
		}
	}
}

// A steady SendrecvVec exchange over TCP allocates nothing either, for a
// halo face of long rows (160 × 5376 B) and one of thousands of 32-byte
// rows, whichever goroutine reads the frames.
func TestSteadyStateVecAllocs(t *testing.T) {
	c0, c1 := quietPair(t)
	ctx := context.Background()
	rows := func(k, n int) [][]byte {
		segs := make([][]byte, k)
		for i := range segs {
			segs[i] = make([]byte, n)
		}
		return segs
	}
	for _, sh := range [][2]int{{160, 5376}, {25600, 32}, {4, 16}} {
		k, n := sh[0], sh[1]
		s0, s1, r0, r1 := rows(k, n), rows(k, n), rows(k, n), rows(k, n)
		allocs := pairAllocs(t,
			func() error { _, err := c0.SendrecvVec(ctx, s0, 1, 1, r0, 1, 1); return err },
			func() error { _, err := c1.SendrecvVec(ctx, s1, 0, 1, r1, 0, 1); return err })
		if allocs != 0 {
			t.Errorf("%d × %d B SendrecvVec: %v allocations", k, n, allocs)
		}
	}
}
