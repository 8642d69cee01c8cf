// Package commtest is the conformance suite every comm transport must pass:
// point-to-point patterns, tags, ordering, large and empty messages,
// collectives against serial computations, determinism and epoch closing.
package commtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/comm"
)

// NewWorld creates the endpoints of one epoch with size ranks, endpoint i
// being rank i. It should register cleanup of anything beyond the endpoints
// (hosts, listeners) with t.Cleanup; the suite closes the endpoints.
type NewWorld func(t *testing.T, size int) []comm.Endpoint

// Sizes are the rank counts every test runs with.
var Sizes = []int{1, 2, 3, 8}

// Run runs the whole suite against a transport.
func Run(t *testing.T, newWorld NewWorld) {
	tests := []struct {
		name string
		f    func(t *testing.T, cs []*comm.Comm)
	}{
		{"PointToPoint", testPointToPoint},
		{"Ring", testRing},
		{"AllToAll", testAllToAll},
		{"TagsAndOrder", testTagsAndOrder},
		{"AnySource", testAnySource},
		{"Empty", testEmpty},
		{"Vector", testVector},
		{"VectorHalo", testVectorHalo},
		{"Barrier", testBarrier},
		{"Bcast", testBcast},
		{"AllreduceSerial", testAllreduceSerial},
		{"CloseMidBarrier", testCloseMidBarrier},
		{"PeerClosesMidVector", testPeerClosesMidVector},
		{"CancelMidBarrier", testCancelMidBarrier},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range Sizes {
				t.Run(fmt.Sprint(size), func(t *testing.T) {
					tc.f(t, open(t, newWorld, size))
				})
			}
		})
	}
	t.Run("Large64MiB", func(t *testing.T) { testLarge(t, open(t, newWorld, 2)) })
	t.Run("Deterministic", func(t *testing.T) {
		for _, size := range Sizes {
			t.Run(fmt.Sprint(size), func(t *testing.T) { testDeterministic(t, newWorld, size) })
		}
	})
}

func open(t *testing.T, newWorld NewWorld, size int) []*comm.Comm {
	t.Helper()
	eps := newWorld(t, size)
	if len(eps) != size {
		t.Fatalf("newWorld(%d) returned %d endpoints", size, len(eps))
	}
	cs := make([]*comm.Comm, size)
	for i, ep := range eps {
		if ep.Rank() != i || ep.Size() != size {
			t.Fatalf("endpoint %d has rank %d size %d", i, ep.Rank(), ep.Size())
		}
		cs[i] = comm.New(ep)
	}
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	return cs
}

const timeout = 60 * time.Second

// parallel runs f on every rank concurrently and fails on any error.
func parallel(t *testing.T, cs []*comm.Comm, f func(ctx context.Context, c *comm.Comm) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(ctx, c)
			if errs[i] != nil {
				cancel() // unblock the others
			}
		}()
	}
	wg.Wait()
	failed := false
	for i, err := range errs {
		if err != nil {
			t.Errorf("rank %d: %v", i, err)
			failed = true
		}
	}
	if failed {
		t.FailNow()
	}
}

// payload is a message whose bytes depend on all of its arguments.
func payload(src, dst, tag, n int) []byte {
	b := make([]byte, n+8)
	x := uint64(src*7919+dst*104729+tag*31+n) * 0x9e3779b97f4a7c15
	for i := 0; i < n; i += 8 {
		x = x*6364136223846793005 + 1442695040888963407
		binary.LittleEndian.PutUint64(b[i:], x^x>>29)
	}
	return b[:n:n]
}

// bigPayload is a large message made fast (under -race too): a random
// 64 KiB block repeated, with every 4 KiB page stamped with its index so
// that a reordered or shifted page is caught.
func bigPayload(n int) []byte {
	b := make([]byte, n)
	block := payload(0, 1, 5, 64<<10)
	for i := 0; i < n; i += len(block) {
		copy(b[i:], block)
	}
	for i := 0; i+8 <= n; i += 4 << 10 {
		binary.LittleEndian.PutUint64(b[i:], uint64(i))
	}
	return b
}

func testPointToPoint(t *testing.T, cs []*comm.Comm) {
	// Every rank sends one message to each other rank, then receives them,
	// by explicit source.
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		n := c.Size()
		for d := 0; d < n; d++ {
			if d != c.Rank() {
				if err := c.Send(ctx, d, 11, payload(c.Rank(), d, 11, 100+d)); err != nil {
					return err
				}
			}
		}
		for s := 0; s < n; s++ {
			if s == c.Rank() {
				continue
			}
			got, st, err := c.Recv(ctx, s, 11, nil)
			if err != nil {
				return err
			}
			if want := payload(s, c.Rank(), 11, 100+c.Rank()); !bytes.Equal(got, want) || st != (comm.Status{Source: s, Tag: 11, Len: len(want)}) {
				return fmt.Errorf("from %d: wrong message (len %d, status %+v)", s, len(got), st)
			}
		}
		return nil
	})
}

func testRing(t *testing.T, cs []*comm.Comm) {
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		n, r := c.Size(), c.Rank()
		next, prev := (r+1)%n, (r-1+n)%n
		buf := make([]byte, 0, 64)
		for it := 0; it < 100; it++ {
			got, st, err := c.Sendrecv(ctx, payload(r, next, it, 1+it%50), next, 2, buf, prev, 2)
			if err != nil {
				return err
			}
			if !bytes.Equal(got, payload(prev, r, it, 1+it%50)) || st.Source != prev {
				return fmt.Errorf("iteration %d: wrong message from %d", it, st.Source)
			}
		}
		return nil
	})
}

func testAllToAll(t *testing.T, cs []*comm.Comm) {
	// Everyone (self included) sends several sizes to everyone; receives
	// happen in reverse rank order to exercise unexpected-message queues.
	sizes := []int{0, 1, 8, 1000, 70000}
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		n, r := c.Size(), c.Rank()
		for d := 0; d < n; d++ {
			for i, sz := range sizes {
				if err := c.Send(ctx, d, 100+i, payload(r, d, i, sz)); err != nil {
					return err
				}
			}
		}
		for s := n - 1; s >= 0; s-- {
			for i := len(sizes) - 1; i >= 0; i-- {
				got, _, err := c.Recv(ctx, s, 100+i, nil)
				if err != nil {
					return err
				}
				if !bytes.Equal(got, payload(s, r, i, sizes[i])) {
					return fmt.Errorf("from %d size %d: wrong message", s, sizes[i])
				}
			}
		}
		return nil
	})
}

func testTagsAndOrder(t *testing.T, cs []*comm.Comm) {
	// Rank r sends 50 messages on each of tags 1..3 to r+1, interleaved;
	// the receiver takes tag 3 first, then 1, then 2, each in send order.
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		n, r := c.Size(), c.Rank()
		next, prev := (r+1)%n, (r-1+n)%n
		var b [4]byte
		for i := 0; i < 50; i++ {
			for tag := 1; tag <= 3; tag++ {
				b = [4]byte{byte(r), byte(tag), byte(i), comm.MaxTag & 0xff}
				if err := c.Send(ctx, next, tag, b[:]); err != nil {
					return err
				}
			}
		}
		if err := c.Send(ctx, next, comm.MaxTag, []byte{7}); err != nil {
			return err
		}
		for _, tag := range []int{3, 1, 2} {
			for i := 0; i < 50; i++ {
				got, st, err := c.Recv(ctx, prev, tag, b[:0])
				if err != nil {
					return err
				}
				if want := []byte{byte(prev), byte(tag), byte(i), comm.MaxTag & 0xff}; !bytes.Equal(got, want) || st.Tag != tag {
					return fmt.Errorf("tag %d message %d: got %v want %v", tag, i, got, want)
				}
			}
		}
		got, _, err := c.Recv(ctx, prev, comm.MaxTag, nil)
		if err != nil || !bytes.Equal(got, []byte{7}) {
			return fmt.Errorf("MaxTag: %v %v", got, err)
		}
		return nil
	})
}

func testAnySource(t *testing.T, cs []*comm.Comm) {
	// Everyone sends 5 messages to rank 0, which receives them with
	// AnySource: each source once per round, in per-source order.
	const rounds = 5
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		r := c.Rank()
		for i := 0; i < rounds; i++ {
			if err := c.Send(ctx, 0, 9, []byte{byte(r), byte(i)}); err != nil {
				return err
			}
		}
		if r != 0 {
			return nil
		}
		next := make([]int, c.Size())
		for k := 0; k < rounds*c.Size(); k++ {
			got, st, err := c.Recv(ctx, comm.AnySource, 9, nil)
			if err != nil {
				return err
			}
			if len(got) != 2 || int(got[0]) != st.Source || int(got[1]) != next[st.Source] {
				return fmt.Errorf("any-source message %v from %d, want sequence %d", got, st.Source, next[st.Source])
			}
			next[st.Source]++
		}
		return nil
	})
}

func testEmpty(t *testing.T, cs []*comm.Comm) {
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		n, r := c.Size(), c.Rank()
		if err := c.Send(ctx, (r+1)%n, 0, nil); err != nil {
			return err
		}
		got, st, err := c.Recv(ctx, (r-1+n)%n, 0, make([]byte, 10))
		if err != nil {
			return err
		}
		if len(got) != 0 || st.Len != 0 {
			return fmt.Errorf("empty message arrived with %d bytes", len(got))
		}
		return nil
	})
}

// split cuts b into segments of random lengths (empty ones included), the
// same cut for the same seed.
func split(b []byte, seed uint64) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	var segs [][]byte
	for len(b) > 0 || rng.IntN(4) == 0 {
		n := min(len(b), rng.IntN(300))
		segs = append(segs, b[:n:n])
		b = b[n:]
		if len(b) == 0 && rng.IntN(2) == 0 {
			break
		}
	}
	return segs
}

func testVector(t *testing.T, cs []*comm.Comm) {
	// Vector and plain calls match each other in every combination, keep
	// per-tag order with plain messages in between, accept a message
	// shorter than the receive vector and refuse a longer one.
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		n, r := c.Size(), c.Rank()
		next, prev := (r+1)%n, (r-1+n)%n
		for it := 0; it < 40; it++ {
			size := (it * 97) % 2000
			msg := payload(r, next, it, size)
			// 0: SendVec/RecvVec, 1: SendVec/Recv, 2: Send/RecvVec, 3: SendrecvVec.
			mode := it % 4
			var err error
			switch mode {
			case 0, 1:
				err = c.SendVec(ctx, next, 3, split(msg, uint64(it)))
			case 2:
				err = c.Send(ctx, next, 3, msg)
			}
			if err != nil {
				return err
			}
			if mode != 3 { // a plain message behind it on the same tag
				if err := c.Send(ctx, next, 3, []byte{byte(it)}); err != nil {
					return err
				}
			}
			want := payload(prev, r, it, size)
			got := make([]byte, size+it%3) // room to spare on some
			var st comm.Status
			switch mode {
			case 1:
				var g []byte
				g, st, err = c.Recv(ctx, prev, 3, nil)
				copy(got, g)
			case 3:
				st, err = c.SendrecvVec(ctx, split(msg, uint64(it)), next, 3, split(got, uint64(it+1)), prev, 3)
			default:
				st, err = c.RecvVec(ctx, prev, 3, split(got, uint64(it+1)))
			}
			if err != nil {
				return fmt.Errorf("iteration %d (mode %d): %w", it, mode, err)
			}
			if st != (comm.Status{Source: prev, Tag: 3, Len: size}) || !bytes.Equal(got[:size], want) {
				return fmt.Errorf("iteration %d (mode %d): wrong message (status %+v)", it, mode, st)
			}
			if mode != 3 {
				b, _, err := c.Recv(ctx, prev, 3, nil)
				if err != nil || len(b) != 1 || b[0] != byte(it) {
					return fmt.Errorf("iteration %d: plain message after a vector one: %v %v", it, b, err)
				}
			}
		}
		// Too long for the receive vector: an error, and the stream goes on.
		if err := c.SendVec(ctx, next, 4, [][]byte{make([]byte, 10), make([]byte, 7)}); err != nil {
			return err
		}
		var tl *comm.TooLongError
		if _, err := c.RecvVec(ctx, prev, 4, [][]byte{make([]byte, 8), make([]byte, 8)}); !errors.As(err, &tl) || tl.Len != 17 || tl.Room != 16 {
			return fmt.Errorf("a 17-byte message for a 16-byte receive vector: %v", err)
		}
		return nil
	})
}

func testVectorHalo(t *testing.T, cs []*comm.Comm) {
	// The halo exchange's pattern: every rank swaps strided rows with both
	// neighbours by SendrecvVec, up then down, many times over, with the
	// send rows changed between exchanges (so a transport that read them
	// after SendrecvVec returned would deliver wrong bytes).
	const rows, row, stride = 40, 48, 64
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		n, r := c.Size(), c.Rank()
		next, prev := (r+1)%n, (r-1+n)%n
		mem := make([]byte, 4*rows*stride) // up/down send, up/down receive
		view := func(part int) [][]byte {
			v := make([][]byte, rows)
			for i := range v {
				o := (part*rows + i) * stride
				v[i] = mem[o : o+row]
			}
			return v
		}
		sendUp, sendDown, recvUp, recvDown := view(0), view(1), view(2), view(3)
		fill := func(v [][]byte, src, dst, it int) {
			p := payload(src, dst, it, rows*row)
			for i := range v {
				copy(v[i], p[i*row:])
			}
		}
		check := func(v [][]byte, src, dst, it int) error {
			p := payload(src, dst, it, rows*row)
			for i := range v {
				if !bytes.Equal(v[i], p[i*row:(i+1)*row]) {
					return fmt.Errorf("exchange %d: row %d from %d wrong", it, i, src)
				}
			}
			return nil
		}
		for it := 0; it < 200; it++ {
			fill(sendUp, r, next, it)
			fill(sendDown, r, prev, it)
			if _, err := c.SendrecvVec(ctx, sendUp, next, 1, recvUp, prev, 1); err != nil {
				return err
			}
			if _, err := c.SendrecvVec(ctx, sendDown, prev, 2, recvDown, next, 2); err != nil {
				return err
			}
			if err := check(recvUp, prev, r, it); err != nil {
				return err
			}
			if err := check(recvDown, next, r, it); err != nil {
				return err
			}
		}
		return nil
	})
}

func testLarge(t *testing.T, cs []*comm.Comm) {
	const n = 64 << 20
	want := bigPayload(n)
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		if c.Rank() == 0 {
			return c.Send(ctx, 1, 5, want)
		}
		got, st, err := c.Recv(ctx, 0, 5, nil)
		if err != nil {
			return err
		}
		if st.Len != n || !bytes.Equal(got, want) {
			return fmt.Errorf("64 MiB message corrupted (len %d)", len(got))
		}
		// And back, into a buffer that fits.
		return c.Send(ctx, 0, 6, got[:n/2])
	})
	parallel(t, cs[:1], func(ctx context.Context, c *comm.Comm) error {
		buf := make([]byte, 0, n)
		got, _, err := c.Recv(ctx, 1, 6, buf)
		if err != nil {
			return err
		}
		if &got[0] != &buf[:1][0] || !bytes.Equal(got, want[:n/2]) {
			return errors.New("32 MiB reply corrupted or not stored in the given buffer")
		}
		return nil
	})
	// Both ranks send 16 MiB to each other at once: eager sends must not
	// deadlock however large the messages are.
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		r := c.Rank()
		got, _, err := c.Sendrecv(ctx, want[r*n/4:(r+1)*n/4], 1-r, 8, nil, 1-r, 8)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want[(1-r)*n/4:(2-r)*n/4]) {
			return errors.New("16 MiB swap corrupted")
		}
		return nil
	})
}

func testBarrier(t *testing.T, cs []*comm.Comm) {
	// Nobody leaves round k before everybody entered it.
	var entered [20]atomic.Int32
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		rng := rand.New(rand.NewPCG(uint64(c.Rank()), 1))
		for k := range entered {
			time.Sleep(time.Duration(rng.IntN(300)) * time.Microsecond)
			entered[k].Add(1)
			if err := c.Barrier(ctx); err != nil {
				return err
			}
			if got := entered[k].Load(); int(got) != c.Size() {
				return fmt.Errorf("left barrier %d with %d of %d ranks entered", k, got, c.Size())
			}
		}
		return nil
	})
}

func testBcast(t *testing.T, cs []*comm.Comm) {
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		for root := 0; root < c.Size(); root++ {
			for _, sz := range []int{0, 5, 100000} {
				var data []byte
				if c.Rank() == root {
					data = payload(root, 0, sz, sz)
				}
				got, err := c.Bcast(ctx, root, data)
				if err != nil {
					return err
				}
				if !bytes.Equal(got, payload(root, 0, sz, sz)) {
					return fmt.Errorf("bcast from %d of %d bytes: wrong data", root, sz)
				}
			}
		}
		return nil
	})
}

func rankInput(r, n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, uint64(r)))
	v := make([]float64, n)
	for i := range v {
		v[i] = (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(20)-10))
	}
	return v
}

func testAllreduceSerial(t *testing.T, cs []*comm.Comm) {
	const n = 257
	size := len(cs)
	// Integer-valued float64 sums are exact in any order, so they must equal
	// the serial sum exactly; arbitrary floats must agree to rounding.
	ints := func(r int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64((r+1)*(i-100)) * 1024
		}
		return v
	}
	wantInt := make([]float64, n)
	wantSum := make([]float64, n)
	wantMin := make([]float64, n)
	wantMax := make([]float64, n)
	wantAbs := make([]float64, n)
	wantI64 := make([][3]int64, n)
	for i := range n {
		wantMin[i], wantMax[i] = math.Inf(1), math.Inf(-1)
		wantI64[i] = [3]int64{0, math.MaxInt64, math.MinInt64}
	}
	for r := 0; r < size; r++ {
		x, y := ints(r), rankInput(r, n, 1)
		for i := range n {
			wantInt[i] += x[i]
			wantSum[i] += y[i]
			wantAbs[i] += math.Abs(y[i])
			wantMin[i] = min(wantMin[i], y[i])
			wantMax[i] = max(wantMax[i], y[i])
			iv := int64(i-n/2)*int64(r+1)*1e15 + int64(r) // overflows: Sum wraps
			wantI64[i][0] += iv
			wantI64[i][1] = min(wantI64[i][1], iv)
			wantI64[i][2] = max(wantI64[i][2], iv)
		}
	}
	parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
		r := c.Rank()
		got := ints(r)
		if err := c.AllreduceFloat64(ctx, comm.Sum, got, got); err != nil {
			return err
		}
		for i := range n {
			if got[i] != wantInt[i] {
				return fmt.Errorf("exact sum [%d] = %v, want %v", i, got[i], wantInt[i])
			}
		}
		in := rankInput(r, n, 1)
		out := make([]float64, n)
		for _, op := range []comm.Op{comm.Sum, comm.Min, comm.Max} {
			if err := c.AllreduceFloat64(ctx, op, in, out); err != nil {
				return err
			}
			for i := range n {
				var want float64
				var tol float64
				switch op {
				case comm.Sum:
					want, tol = wantSum[i], 1e-15*float64(size)*wantAbs[i]
				case comm.Min:
					want = wantMin[i]
				case comm.Max:
					want = wantMax[i]
				}
				if math.Abs(out[i]-want) > tol {
					return fmt.Errorf("%v [%d] = %v, want %v", op, i, out[i], want)
				}
			}
		}
		iin := make([]int64, n)
		iout := make([]int64, n)
		for i := range n {
			iin[i] = int64(i-n/2)*int64(r+1)*1e15 + int64(r)
		}
		for k, op := range []comm.Op{comm.Sum, comm.Min, comm.Max} {
			if err := c.AllreduceInt64(ctx, op, iin, iout); err != nil {
				return err
			}
			for i := range n {
				if iout[i] != wantI64[i][k] {
					return fmt.Errorf("int64 %v [%d] = %d, want %d", op, i, iout[i], wantI64[i][k])
				}
			}
		}
		// NaN propagates through Min and Max.
		nan := []float64{1}
		if r == size-1 {
			nan[0] = math.NaN()
		}
		if err := c.AllreduceFloat64(ctx, comm.Max, nan, nan); err != nil {
			return err
		}
		if !math.IsNaN(nan[0]) {
			return fmt.Errorf("max with a NaN gave %v", nan[0])
		}
		return nil
	})
}

// testDeterministic runs an allreduce sum of arbitrary floats in 20 fresh
// worlds with random delays before and between the calls: every rank of
// every run must get the same bits.
func testDeterministic(t *testing.T, newWorld NewWorld, size int) {
	const n = 64
	var ref []uint64
	for run := 0; run < 20; run++ {
		cs := open(t, newWorld, size)
		bits := make([][]uint64, size)
		parallel(t, cs, func(ctx context.Context, c *comm.Comm) error {
			rng := rand.New(rand.NewPCG(uint64(run), uint64(c.Rank())))
			v := rankInput(c.Rank(), n, 42)
			for k := 0; k < 3; k++ {
				time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
				if err := c.AllreduceFloat64(ctx, comm.Sum, v, v); err != nil {
					return err
				}
				if k == 2 {
					break
				}
				for i := range v { // rank-dependent input for the next call
					v[i] = v[i]*0.37 + rankInput(c.Rank(), n, uint64(k))[i]
				}
			}
			b := make([]uint64, n)
			for i := range v {
				b[i] = math.Float64bits(v[i])
			}
			bits[c.Rank()] = b
			return nil
		})
		for _, c := range cs {
			c.Close()
		}
		if ref == nil {
			ref = bits[0]
		}
		for r := range bits {
			for i := range ref {
				if bits[r][i] != ref[i] {
					t.Fatalf("run %d rank %d element %d: bits %x, want %x", run, r, i, bits[r][i], ref[i])
				}
			}
		}
	}
}

// waitAll collects one error from each of n goroutines within a deadline.
func waitAll(t *testing.T, errc <-chan error, n int, within time.Duration) []error {
	t.Helper()
	deadline := time.After(within)
	var errs []error
	for range n {
		select {
		case err := <-errc:
			errs = append(errs, err)
		case <-deadline:
			t.Fatalf("only %d of %d blocked calls returned within %v", len(errs), n, within)
		}
	}
	return errs
}

func testPeerClosesMidVector(t *testing.T, cs []*comm.Comm) {
	// Rank 0 swaps rows with rank 1, which never takes part and closes its
	// epoch instead: rank 0's SendrecvVec must return a PeerError (its
	// message, lent or queued, is dropped with rank 1's mailbox), not hang.
	if len(cs) < 2 {
		return
	}
	mem := make([]byte, 64<<10)
	send := [][]byte{mem[:20000], mem[30000:40000]}
	recv := [][]byte{mem[40000:50000], mem[50000:]}
	errc := make(chan error, 1)
	go func() {
		_, err := cs[0].SendrecvVec(context.Background(), send, 1, 7, recv, 1, 7)
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cs[1].Close()
	for _, err := range waitAll(t, errc, 1, 5*time.Second) {
		var pe *comm.PeerError
		if !errors.As(err, &pe) || pe.Rank != 1 {
			t.Errorf("SendrecvVec with a peer that closed: %v, want a PeerError for rank 1", err)
		}
	}
}

func testCloseMidBarrier(t *testing.T, cs []*comm.Comm) {
	// All ranks but the last block in Barrier; closing every endpoint must
	// release them at once with ErrClosed or a PeerError.
	blocked := cs[:len(cs)-1]
	errc := make(chan error, len(blocked))
	for _, c := range blocked {
		go func() { errc <- c.Barrier(context.Background()) }()
	}
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	for _, c := range cs {
		c.Close()
	}
	for _, err := range waitAll(t, errc, len(blocked), time.Second) {
		var pe *comm.PeerError
		if !errors.Is(err, comm.ErrClosed) && !errors.As(err, &pe) {
			t.Errorf("barrier after close returned %v", err)
		}
	}
	t.Logf("released in %v", time.Since(start))
	for _, c := range cs {
		if err := c.Send(context.Background(), 0, 0, nil); !errors.Is(err, comm.ErrClosed) {
			t.Errorf("send after close: %v, want ErrClosed", err)
		}
	}
}

func testCancelMidBarrier(t *testing.T, cs []*comm.Comm) {
	if len(cs) == 1 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	blocked := cs[:len(cs)-1]
	errc := make(chan error, len(blocked))
	for _, c := range blocked {
		go func() { errc <- c.Barrier(ctx) }()
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	for _, err := range waitAll(t, errc, len(blocked), time.Second) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("barrier after cancel returned %v", err)
		}
	}
}
