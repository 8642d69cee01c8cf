package tcp

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
)

// exchangePair is one halo-like exchange between two ranks on two hosts:
// both send k rows of n bytes to each other at once and receive the
// other's rows into k rows of their own. native uses SendrecvVec; the
// other way is what comm.Comm did before comm/tcp had VecEndpoint: gather
// the rows into a buffer, Sendrecv, scatter the received buffer.
func exchangePair(b *testing.B, k, n int, native bool) pair {
	quiet := func(c *Config) { c.Logger = slog.New(slog.DiscardHandler) }
	h0, h1 := newHost(b, quiet), newHost(b, quiet)
	addrs := []string{h0.Addr(), h1.Addr()}
	var cs [2]*comm.Comm
	for r, h := range []*Host{h0, h1} {
		ep, err := h.Endpoint(1, r, addrs)
		if err != nil {
			b.Fatal(err)
		}
		cs[r] = comm.New(ep)
	}
	ctx := context.Background()
	rows := func() [][]byte {
		segs := make([][]byte, k)
		for i := range segs {
			segs[i] = make([]byte, n)
		}
		return segs
	}
	type side struct {
		send, recv [][]byte
		sbuf, rbuf []byte
	}
	sides := [2]side{}
	for r := range sides {
		sides[r] = side{send: rows(), recv: rows(), sbuf: make([]byte, k*n), rbuf: make([]byte, k*n)}
	}
	exchange := func(r int) error {
		c, s, peer := cs[r], &sides[r], 1-r
		if native {
			_, err := c.SendrecvVec(ctx, s.send, peer, 1, s.recv, peer, 1)
			return err
		}
		o := 0
		for _, seg := range s.send {
			o += copy(s.sbuf[o:], seg)
		}
		got, _, err := c.Sendrecv(ctx, s.sbuf, peer, 1, s.rbuf, peer, 1)
		if err != nil {
			return err
		}
		for _, seg := range s.recv {
			got = got[copy(seg, got):]
		}
		return nil
	}
	if err := cs[0].Send(ctx, 1, 0, nil); err != nil { // connect before timing
		b.Fatal(err)
	}
	if _, _, err := cs[1].Recv(ctx, 0, 0, nil); err != nil {
		b.Fatal(err)
	}
	start, done := make(chan struct{}), make(chan error)
	go func() {
		for range start {
			done <- exchange(1)
		}
	}()
	return pair{
		rt: func() error {
			start <- struct{}{}
			err := exchange(0)
			if err1 := <-done; err == nil {
				err = err1
			}
			return err
		},
		close: func() error {
			close(start)
			cs[0].Close()
			cs[1].Close()
			return nil
		},
	}
}

// BenchmarkSendrecvVecVsPacked interleaves a native SendrecvVec exchange
// of a halo face (ratio < 1: native is faster) with the packed one, for a
// y face of heat's 160³ block (160 rows of 5376 B) and an x face (25600
// rows of 32 B). MB/s counts both directions.
func BenchmarkSendrecvVecVsPacked(b *testing.B) {
	for _, sh := range [][2]int{{160, 5376}, {25600, 32}} {
		k, n := sh[0], sh[1]
		b.Run(fmt.Sprintf("%dx%dB", k, n), func(b *testing.B) {
			interleave(b, k*n, exchangePair(b, k, n, true), exchangePair(b, k, n, false))
		})
	}
}
