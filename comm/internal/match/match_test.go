package match

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/apollo-hpc/apollo/comm"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPeerLost(t *testing.T) {
	ctx := context.Background()
	b := NewBox(0, 3)
	b.DeliverCopy(1, 4, []byte("before"))
	errc := make(chan error, 2)
	go func() { _, _, err := b.Recv(ctx, 2, 4, nil); errc <- err }()
	go func() {
		// Gets "before" first, then waits on AnySource until both peers are lost.
		if got, _, err := b.Recv(ctx, comm.AnySource, 4, nil); err != nil || string(got) != "before" {
			errc <- errors.New("any-source did not get the earlier message")
			return
		}
		_, _, err := b.Recv(ctx, comm.AnySource, 4, nil)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	lost2 := &comm.PeerError{Rank: 2, Err: errors.New("gone")}
	b.PeerLost(2, lost2)
	if err := <-errc; err != lost2 {
		t.Fatalf("receive from lost rank 2: %v", err)
	}
	select {
	case err := <-errc:
		t.Fatalf("any-source returned while rank 1 lives: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	b.PeerLost(1, &comm.PeerError{Rank: 1, Err: errors.New("gone")})
	var pe *comm.PeerError
	if err := <-errc; !errors.As(err, &pe) {
		t.Fatalf("any-source with every peer lost: %v", err)
	}
	if b.Lost(2) != lost2 || b.Lost(0) != nil {
		t.Fatal("Lost does not report the recorded errors")
	}
}

func TestCloseAndBuffers(t *testing.T) {
	ctx := context.Background()
	b := NewBox(0, 2)
	// A posted buffer that fits receives the message in place; one that
	// does not gets a new slice.
	small := make([]byte, 0, 2)
	done := make(chan []byte)
	go func() { got, _, _ := b.Recv(ctx, 1, 1, small); done <- got }()
	time.Sleep(10 * time.Millisecond)
	b.DeliverOwned(1, 1, GetBuf(1000))
	if got := <-done; len(got) != 1000 {
		t.Fatalf("got %d bytes", len(got))
	}
	closeErr := errors.New("closed")
	go func() { _, _, err := b.Recv(ctx, 1, 2, nil); done <- []byte(err.Error()) }()
	time.Sleep(10 * time.Millisecond)
	if !b.Close(closeErr) || b.Close(closeErr) {
		t.Fatal("Close should report closing exactly once")
	}
	if got := <-done; string(got) != "closed" {
		t.Fatalf("blocked receive after close: %s", got)
	}
	if err := b.DeliverCopy(1, 1, nil); err != closeErr {
		t.Fatalf("delivery after close: %v", err)
	}
	if w, err := b.Claim(1, 1); w != nil || err != closeErr {
		t.Fatalf("claim after close: %v %v", w, err)
	}
	select {
	case <-b.Done():
	default:
		t.Fatal("Done not closed")
	}
}

// Receivers that keep timing out while messages arrive must still get every
// message exactly once and in order: a receive cancelled after a sender
// claimed it returns the message.
func TestCancelRace(t *testing.T) {
	const n = 3000
	b := NewBox(0, 2)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			b.DeliverCopy(1, 0, []byte{byte(i), byte(i >> 8)})
		}
	}()
	next := 0
	for try := 0; next < n; try++ {
		timeout := time.Duration(try%7) * 3 * time.Microsecond
		if try%8 == 7 {
			timeout = time.Second // guarantees progress
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		got, _, err := b.Recv(ctx, 1, 0, make([]byte, 0, 2))
		cancel()
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatal(err)
			}
			continue
		}
		if v := int(got[0]) | int(got[1])<<8; v != next {
			t.Fatalf("got message %d, want %d", v, next)
		}
		next++
	}
	wg.Wait()
}
