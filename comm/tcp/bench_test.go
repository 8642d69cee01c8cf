package tcp

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
)

// The ping-pong benchmarks time one round trip per op: rank 0 sends n
// bytes, rank 1 receives them into a ready buffer and sends them back.
// SetBytes counts both directions, so MB/s is the bandwidth of the
// exchange; one-way latency is ns/op / 2.

var benchSizes = []int{8, 4 << 20}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dB", n)
}

// BenchmarkRawTCP is the machine's limit: a plain Go TCP socket pair on
// loopback doing the same ping-pong with io.ReadFull and Write.
func BenchmarkRawTCP(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			done := make(chan error, 1)
			go func() {
				c, err := ln.Accept()
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
			out := make([]byte, n)
			in := make([]byte, n)
			b.SetBytes(int64(2 * n))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.Write(out); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, in); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			c.Close()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}

func pingPong(b *testing.B, eps []comm.Endpoint, n int) {
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
	out := make([]byte, n)
	in := make([]byte, n)
	b.SetBytes(int64(2 * n))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := eps[0].Send(ctx, 1, 1, out); err != nil {
			b.Fatal(err)
		}
		if _, _, err := eps[0].Recv(ctx, 1, 1, in); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	eps[1].Close()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	eps[0].Close()
}

// BenchmarkTCP is the same ping-pong between two Hosts of this process,
// through the full transport: frames, checksums, matching.
func BenchmarkTCP(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			h0, h1 := newHost(b, nil), newHost(b, nil)
			addrs := []string{h0.Addr(), h1.Addr()}
			e0, err := h0.Endpoint(1, 0, addrs)
			if err != nil {
				b.Fatal(err)
			}
			e1, err := h1.Endpoint(1, 1, addrs)
			if err != nil {
				b.Fatal(err)
			}
			// Connect before timing.
			ctx := context.Background()
			if err := e0.Send(ctx, 1, 0, nil); err != nil {
				b.Fatal(err)
			}
			if _, _, err := e1.Recv(ctx, 0, 0, nil); err != nil {
				b.Fatal(err)
			}
			pingPong(b, []comm.Endpoint{e0, e1}, n)
		})
	}
}

// BenchmarkInproc is the ping-pong over the in-process transport.
func BenchmarkInproc(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) { pingPong(b, inproc.NewWorld(2, 1), n) })
	}
}

// BenchmarkCopy is the in-process reference: two plain copies of the
// buffer per op (there and back), the same bytes the ping-pong moves.
func BenchmarkCopy(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			x, y := make([]byte, n), make([]byte, n)
			b.SetBytes(int64(2 * n))
			for i := 0; i < b.N; i++ {
				copy(y, x)
				copy(x, y)
			}
		})
	}
}
