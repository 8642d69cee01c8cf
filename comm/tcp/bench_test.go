package tcp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
)

// Every benchmark times round trips: one side sends n bytes, the other
// receives them into a ready buffer and sends them back. Bandwidth counts
// both directions (2n bytes per round trip); one-way latency is half a
// round trip.
//
// The machine is shared and noisy, so the Vs benchmarks interleave short
// blocks of the transport and of its reference inside one benchmark and
// report both and their ratio: both sides see the same load.

var benchSizes = []int{8, 4 << 20}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dB", n)
}

// pair is one ping-pong setup; rt does one round trip.
type pair struct {
	rt    func() error
	close func() error
}

// rawPair is the machine's limit: a plain Go TCP socket pair on loopback,
// echoing with io.ReadFull and Write.
func rawPair(b *testing.B, n int) pair {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		ln.Close()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		buf := make([]byte, n)
		for {
			if _, err := io.ReadFull(c, buf); err != nil {
				done <- nil // client closed
				return
			}
			if _, err := c.Write(buf); err != nil {
				done <- err
				return
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	out, in := make([]byte, n), make([]byte, n)
	return pair{
		rt: func() error {
			if _, err := c.Write(out); err != nil {
				return err
			}
			_, err := io.ReadFull(c, in)
			return err
		},
		close: func() error { c.Close(); return <-done },
	}
}

// commPair echoes over two endpoints of one epoch.
func commPair(eps []comm.Endpoint, n int) pair {
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, n)
		for {
			got, _, err := eps[1].Recv(ctx, 0, 1, buf)
			if err != nil {
				done <- nil // closed at the end
				return
			}
			if err := eps[1].Send(ctx, 0, 1, got); err != nil {
				done <- err
				return
			}
		}
	}()
	out, in := make([]byte, n), make([]byte, n)
	return pair{
		rt: func() error {
			if err := eps[0].Send(ctx, 1, 1, out); err != nil {
				return err
			}
			_, _, err := eps[0].Recv(ctx, 1, 1, in)
			return err
		},
		close: func() error {
			eps[1].Close()
			err := <-done
			eps[0].Close()
			return err
		},
	}
}

// tcpPair is the transport between two Hosts of this process: real
// sockets, frames, checksums, matching.
func tcpPair(b *testing.B, n int) pair {
	quiet := func(c *Config) { c.Logger = slog.New(slog.DiscardHandler) }
	h0, h1 := newHost(b, quiet), newHost(b, quiet)
	addrs := []string{h0.Addr(), h1.Addr()}
	e0, err := h0.Endpoint(1, 0, addrs)
	if err != nil {
		b.Fatal(err)
	}
	e1, err := h1.Endpoint(1, 1, addrs)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background() // connect before timing
	if err := e0.Send(ctx, 1, 0, nil); err != nil {
		b.Fatal(err)
	}
	if _, _, err := e1.Recv(ctx, 0, 0, nil); err != nil {
		b.Fatal(err)
	}
	return commPair([]comm.Endpoint{e0, e1}, n)
}

// copyPair is the in-process reference: two plain copies of the buffer per
// round trip, the bytes the ping-pong moves.
func copyPair(n int) pair {
	x, y := make([]byte, n), make([]byte, n)
	return pair{
		rt:    func() error { copy(y, x); copy(x, y); return nil },
		close: func() error { return nil },
	}
}

func runPair(b *testing.B, n int, p pair) {
	b.SetBytes(int64(2 * n))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.rt(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := p.close(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkRawTCP(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) { runPair(b, n, rawPair(b, n)) })
	}
}

func BenchmarkTCP(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) { runPair(b, n, tcpPair(b, n)) })
	}
}

func BenchmarkInproc(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) { runPair(b, n, commPair(inproc.NewWorld(2, 1), n)) })
	}
}

func BenchmarkCopy(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) { runPair(b, n, copyPair(n)) })
	}
}

// interleave times blocks of round trips of p and of its reference in
// turn; one op is one round trip of each. It reports, per round trip, the
// time of each and ratio = p's time / ref's time (for bandwidth, the
// transport reaches 1/ratio of the reference).
func interleave(b *testing.B, n int, p, ref pair) {
	block := 32
	if n >= 1<<20 {
		block = 2
	}
	var tp, tr time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i += block {
		k := min(block, b.N-i)
		t0 := time.Now()
		for j := 0; j < k; j++ {
			if err := ref.rt(); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		for j := 0; j < k; j++ {
			if err := p.rt(); err != nil {
				b.Fatal(err)
			}
		}
		tp += time.Since(t1)
		tr += t1.Sub(t0)
	}
	b.StopTimer()
	N := float64(b.N)
	b.ReportMetric(float64(tp.Nanoseconds())/N, "ns/rt")
	b.ReportMetric(float64(tr.Nanoseconds())/N, "ref-ns/rt")
	b.ReportMetric(2*float64(n)*N/tp.Seconds()/1e6, "MB/s")
	b.ReportMetric(2*float64(n)*N/tr.Seconds()/1e6, "ref-MB/s")
	b.ReportMetric(tp.Seconds()/tr.Seconds(), "ratio")
	if err := p.close(); err != nil {
		b.Fatal(err)
	}
	if err := ref.close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTCPVsRaw: the TCP transport against the raw loopback socket pair.
func BenchmarkTCPVsRaw(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) { interleave(b, n, tcpPair(b, n), rawPair(b, n)) })
	}
}

// BenchmarkInprocVsCopy: the in-process transport against plain copies.
func BenchmarkInprocVsCopy(b *testing.B) {
	b.Run("4MiB", func(b *testing.B) {
		n := 4 << 20
		interleave(b, n, commPair(inproc.NewWorld(2, 1), n), copyPair(n))
	})
}
