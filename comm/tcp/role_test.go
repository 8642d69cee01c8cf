package tcp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/comm"
)

// receiverHolds waits until a receive on e holds the reading role of the
// connection to host addr, and fails if none does within a second.
func receiverHolds(t *testing.T, h *Host, addr string) *peer {
	t.Helper()
	h.mu.Lock()
	p := h.peers[addr]
	h.mu.Unlock()
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		p.rmu.Lock()
		ok := p.rheld && p.rrecv
		p.rmu.Unlock()
		if ok {
			return p
		}
	}
	t.Fatal("no receiver reads the connection itself")
	return nil
}

// handOver makes the host of rank 1 give the reading role up: its reader
// holds it until it completes a posted receive.
func handOver(t *testing.T, cs []*comm.Comm) {
	t.Helper()
	posted := make(chan error, 1)
	go func() {
		_, _, err := cs[1].Recv(context.Background(), 0, 6, nil)
		posted <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := cs[0].Send(context.Background(), 1, 6, nil); err != nil {
		t.Fatal(err)
	}
	if err := <-posted; err != nil {
		t.Fatal(err)
	}
}

// A receive that reads the socket itself returns at once when its context
// ends or its endpoint closes, the connection stays in step (the next
// epoch's frames still parse), and a receive under a second cancellable
// context, which does not read, still gets its message.
func TestReceiverReadingInterrupted(t *testing.T) {
	// The host's reader only takes the role back when told to (below, by
	// the receive that does not read), so the role stays with receivers.
	defer func(d time.Duration) { readIdle = d }(readIdle)
	readIdle = time.Hour
	hosts := []*Host{newHost(t, nil), newHost(t, nil)}
	defer hosts[0].Close() // before readIdle is restored
	defer hosts[1].Close()
	cs := endpoints(t, 1, hosts, 2)
	pingAll(t, cs)
	handOver(t, cs)

	ctx1, cancel1 := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, _, err := cs[1].Recv(ctx1, 0, 7, nil)
		errc <- err
	}()
	receiverHolds(t, hosts[1], hosts[0].Addr())
	// A receive under a second cancellable context, while ctx1 is in use,
	// does not read: the host's reader must take over when the holder
	// leaves (with readIdle an hour, nothing but that hand-over would).
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	got := make(chan string, 1)
	go func() {
		b, _, err := cs[1].Recv(ctx2, 0, 8, nil)
		if err != nil {
			t.Error(err)
		}
		got <- string(b)
	}()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	cancel1()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled receive: %v", err)
		}
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Errorf("cancelled receive took %v to return", d)
		}
	case <-time.After(time.Second):
		t.Fatal("cancelled receive still blocked after a second")
	}
	if err := cs[0].Send(ctx2, 1, 8, []byte("second context")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "second context" {
		t.Fatalf("got %q", s)
	}

	handOver(t, cs)
	go func() {
		_, _, err := cs[1].Recv(context.Background(), 0, 9, nil)
		errc <- err
	}()
	receiverHolds(t, hosts[1], hosts[0].Addr())
	start = time.Now()
	cs[1].Close()
	select {
	case err := <-errc:
		if !errors.Is(err, comm.ErrClosed) {
			t.Fatalf("receive on a closed endpoint: %v", err)
		}
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Errorf("receive on a closed endpoint took %v to return", d)
		}
	case <-time.After(time.Second):
		t.Fatal("receive still blocked a second after its endpoint closed")
	}

	next := endpoints(t, 2, hosts, 2)
	pingAll(t, next)
	if err := next[0].Send(context.Background(), 1, 1, []byte("in step")); err != nil {
		t.Fatal(err)
	}
	if b, _, err := next[1].Recv(context.Background(), 0, 1, nil); err != nil || string(b) != "in step" {
		t.Fatalf("after the interruptions: %q, %v", b, err)
	}
}

// A large message towards a rank that is not receiving yet does not wait
// for it: the host's reader takes it off the socket once no receiver has
// read for readIdle, so that a sender blocked in Send is released.
func TestUnexpectedLargeMessageDrained(t *testing.T) {
	hosts := []*Host{newHost(t, nil), newHost(t, nil)}
	cs := endpoints(t, 1, hosts, 2)
	pingAll(t, cs)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg := bigPayload(32 << 20) // more than the sockets buffer
	if err := cs[0].Send(ctx, 1, 3, msg); err != nil {
		t.Fatal(err)
	}
	got, _, err := cs[1].Recv(ctx, 0, 3, nil)
	if err != nil || len(got) != len(msg) || string(got) != string(msg) {
		t.Fatalf("large message: %d bytes, %v", len(got), err)
	}
}

func bigPayload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>11)
	}
	return b
}
