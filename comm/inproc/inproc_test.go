package inproc

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/apollo-hpc/apollo/comm"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestMatchingAndOrder(t *testing.T) {
	ctx := context.Background()
	eps := NewWorld(3, 7)
	defer func() {
		for _, e := range eps {
			e.Close()
		}
	}()
	if eps[1].Epoch() != 7 || eps[1].Size() != 3 || eps[1].Rank() != 1 {
		t.Fatal("bad identity")
	}
	// Unexpected messages: tags 1 and 2 from rank 0, tag 1 from rank 2.
	for i := byte(0); i < 3; i++ {
		if err := eps[0].Send(ctx, 1, 1, []byte{0, i}); err != nil {
			t.Fatal(err)
		}
	}
	eps[0].Send(ctx, 1, 2, []byte{0, 9})
	eps[2].Send(ctx, 1, 1, []byte{2, 0})
	// Tag 2 first, although it was sent after tag 1.
	got, st, err := eps[1].Recv(ctx, 0, 2, nil)
	if err != nil || !bytes.Equal(got, []byte{0, 9}) || st.Source != 0 || st.Tag != 2 || st.Len != 2 {
		t.Fatalf("tag 2: %v %+v %v", got, st, err)
	}
	got, _, _ = eps[1].Recv(ctx, 2, 1, make([]byte, 0, 8))
	if !bytes.Equal(got, []byte{2, 0}) {
		t.Fatalf("from 2: %v", got)
	}
	for i := byte(0); i < 3; i++ {
		got, st, err := eps[1].Recv(ctx, comm.AnySource, 1, nil)
		if err != nil || !bytes.Equal(got, []byte{0, i}) || st.Source != 0 {
			t.Fatalf("in-order %d: %v %+v %v", i, got, st, err)
		}
	}
	// Posted receive: the sender copies straight into buf.
	buf := make([]byte, 4)
	done := make(chan []byte)
	go func() {
		b, _, err := eps[2].Recv(ctx, comm.AnySource, 5, buf)
		if err != nil {
			t.Error(err)
		}
		done <- b
	}()
	time.Sleep(5 * time.Millisecond)
	eps[1].Send(ctx, 2, 5, []byte("abc"))
	b := <-done
	if string(b) != "abc" || &b[0] != &buf[0] {
		t.Fatalf("posted recv: %q, same buffer %v", b, &b[0] == &buf[0])
	}
}

func TestCloseAndCancel(t *testing.T) {
	eps := NewWorld(2, 1)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, _, err := eps[0].Recv(ctx, 1, 0, nil)
		errc <- err
	}()
	time.Sleep(5 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
	go func() {
		_, _, err := eps[0].Recv(context.Background(), 1, 0, nil)
		errc <- err
	}()
	time.Sleep(5 * time.Millisecond)
	eps[1].Close()
	err := <-errc
	var pe *comm.PeerError
	if !errors.As(err, &pe) || pe.Rank != 1 || !errors.Is(err, comm.ErrClosed) {
		t.Fatalf("peer closed: %v", err)
	}
	if err := eps[0].Send(context.Background(), 1, 0, nil); !errors.As(err, &pe) {
		t.Fatalf("send to closed peer: %v", err)
	}
	eps[0].Close()
	if _, _, err := eps[0].Recv(context.Background(), 0, 0, nil); !errors.Is(err, comm.ErrClosed) {
		t.Fatalf("recv after close: %v", err)
	}
	if err := eps[0].Send(context.Background(), 0, 0, nil); !errors.Is(err, comm.ErrClosed) {
		t.Fatalf("send after close: %v", err)
	}
}
