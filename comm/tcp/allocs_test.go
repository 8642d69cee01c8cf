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

// A steady exchange over TCP allocates nothing per message, small or large
// (received buffers come from and return to the pool).
func TestSteadyStateAllocs(t *testing.T) {
	quiet := func(c *Config) { c.Logger = slog.New(slog.DiscardHandler) }
	h0, h1 := newHost(t, quiet), newHost(t, quiet)
	addrs := []string{h0.Addr(), h1.Addr()}
	e0, err := h0.Endpoint(1, 0, addrs)
	if err != nil {
		t.Fatal(err)
	}
	e1, err := h1.Endpoint(1, 1, addrs)
	if err != nil {
		t.Fatal(err)
	}
	c0, c1 := comm.New(e0), comm.New(e1)
	defer c0.Close()
	defer c1.Close()
	ctx := context.Background()
	for _, n := range []int{64, 1 << 20} {
		msg, b0, b1 := make([]byte, n), make([]byte, n), make([]byte, n)
		start, done := make(chan struct{}), make(chan error)
		go func() {
			for range start {
				_, _, err := c1.Sendrecv(ctx, msg, 0, 1, b1, 0, 1)
				done <- err
			}
		}()
		run := func() {
			start <- struct{}{}
			if _, _, err := c0.Sendrecv(ctx, msg, 1, 1, b0, 1, 1); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		run()
		allocs := testing.AllocsPerRun(100, run)
		close(start)
		if allocs != 0 {
			t.Errorf("%d-byte Sendrecv: %v allocations", n, allocs)
		}
	}
}

// A steady SendrecvVec exchange over TCP allocates nothing either, for a
// halo face of long rows (160 × 5376 B) and one of thousands of 32-byte
// rows, whichever goroutine reads the frames.
func TestSteadyStateVecAllocs(t *testing.T) {
	quiet := func(c *Config) { c.Logger = slog.New(slog.DiscardHandler) }
	h0, h1 := newHost(t, quiet), newHost(t, quiet)
	addrs := []string{h0.Addr(), h1.Addr()}
	e0, err := h0.Endpoint(1, 0, addrs)
	if err != nil {
		t.Fatal(err)
	}
	e1, err := h1.Endpoint(1, 1, addrs)
	if err != nil {
		t.Fatal(err)
	}
	c0, c1 := comm.New(e0), comm.New(e1)
	defer c0.Close()
	defer c1.Close()
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
		start, done := make(chan struct{}), make(chan error)
		go func() {
			for range start {
				_, err := c1.SendrecvVec(ctx, s1, 0, 1, r1, 0, 1)
				done <- err
			}
		}()
		run := func() {
			start <- struct{}{}
			if _, err := c0.SendrecvVec(ctx, s0, 1, 1, r0, 1, 1); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		run()
		allocs := testing.AllocsPerRun(100, run)
		close(start)
		if allocs != 0 {
			t.Errorf("%d × %d B SendrecvVec: %v allocations", k, n, allocs)
		}
	}
}
