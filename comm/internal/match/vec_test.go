package match

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func segsOf(b []byte, cuts ...int) [][]byte {
	var v [][]byte
	o := 0
	for _, c := range cuts {
		v = append(v, b[o:c:c])
		o = c
	}
	return append(v, b[o:])
}

// settleLater settles l in a goroutine and checks that Settle is still
// waiting 20 ms later; the returned channel closes when it returns.
func settleLater(t *testing.T, b *Box, l *Loan) chan struct{} {
	t.Helper()
	settled := make(chan struct{})
	go func() { b.Settle(l); close(settled) }()
	select {
	case <-settled:
		t.Fatal("Settle returned before the receiver copied the loan")
	case <-time.After(20 * time.Millisecond):
	}
	return settled
}

// A queued loan that a receiver takes is copied straight out of the
// sender's segments; Settle waits for that copy.
func TestLoanTakenByReceiver(t *testing.T) {
	ctx := context.Background()
	b := NewBox(0, 2)
	msg := []byte("0123456789abcdef")
	l, err := b.DeliverVec(1, 5, segsOf(msg, 3, 3, 10))
	if err != nil || l == nil {
		t.Fatalf("no receive posted: want a loan, got %v %v", l, err)
	}
	got := make([]byte, 20)
	vec := segsOf(got, 7, 7, 12)
	st, w, taken, err := b.PostVec(ctx, 1, 5, vec)
	if err != nil || w != nil || taken != l || st.Len != len(msg) || st.Source != 1 {
		t.Fatalf("PostVec: %+v %v %v %v", st, w, taken, err)
	}
	settled := settleLater(t, b, l)
	if err := taken.CopyTo(vec, st.Source, 5); err != nil {
		t.Fatal(err)
	}
	<-settled
	if !bytes.Equal(got[:16], msg) {
		t.Fatalf("got %q", got)
	}
}

// A loan delivered to a posted vector receive is copied by the receive's
// owner as it finishes waiting, and Settle waits for that copy.
func TestLoanHandedToPostedReceive(t *testing.T) {
	ctx := context.Background()
	b := NewBox(0, 2)
	got := make([]byte, 16)
	_, w, _, err := b.PostVec(ctx, 1, 5, segsOf(got, 5))
	if err != nil || w == nil {
		t.Fatal(w, err)
	}
	msg := []byte("handed over")
	l, err := b.DeliverVec(1, 5, segsOf(msg, 2, 9))
	if err != nil || l == nil {
		t.Fatalf("DeliverVec to a posted vector receive: %v %v", l, err)
	}
	settled := settleLater(t, b, l)
	_, st, _, err := b.Wait(ctx, w, nil)
	<-settled
	if err != nil || st.Len != len(msg) || string(got[:st.Len]) != string(msg) {
		t.Fatalf("%q %+v %v", got, st, err)
	}
	// Too long for the posted vector: the receive fails, the sender is
	// released all the same.
	_, w, _, _ = b.PostVec(ctx, 1, 6, segsOf(make([]byte, 4), 1))
	l, _ = b.DeliverVec(1, 6, [][]byte{msg})
	if _, _, _, err := b.Wait(ctx, w, nil); err == nil {
		t.Fatal("an 11-byte loan fit a 4-byte vector")
	}
	b.Settle(l)
}

// A loan nobody took by Settle becomes a queued copy in its place: later
// changes to the segments do not reach the receiver, and per-tag order with
// plain messages around it holds.
func TestLoanSettledKeepsOrder(t *testing.T) {
	ctx := context.Background()
	b := NewBox(0, 2)
	msg := []byte("lent bytes")
	b.DeliverCopy(1, 5, []byte("first"))
	l, err := b.DeliverVec(1, 5, segsOf(msg, 4))
	if err != nil || l == nil {
		t.Fatal(err)
	}
	b.DeliverCopy(1, 5, []byte("third"))
	b.Settle(l)
	copy(msg, "XXXXXXXXXX")
	for _, want := range []string{"first", "lent bytes", "third"} {
		got, _, err := b.Recv(ctx, 1, 5, nil)
		if err != nil || string(got) != want {
			t.Fatalf("got %q %v, want %q", got, err, want)
		}
	}
}

// A posted vector receive takes a plain message scattered, a loan gathered
// into a plain receive works too, and a message longer than the vector is
// refused without disturbing the next one.
func TestVectorReceive(t *testing.T) {
	ctx := context.Background()
	b := NewBox(0, 2)
	got := make([]byte, 12)
	done := make(chan error, 1)
	go func() {
		st, w, _, err := b.PostVec(ctx, 1, 2, segsOf(got, 2, 5))
		if w != nil {
			_, st, _, err = b.Wait(ctx, w, nil)
		}
		if err == nil && st.Len != 9 {
			err = errors.New("wrong length")
		}
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	b.DeliverOwned(1, 2, append(GetBuf(9)[:0], "123456789"...))
	if err := <-done; err != nil || string(got[:9]) != "123456789" {
		t.Fatalf("scatter of an owned message: %q %v", got, err)
	}
	l, _ := b.DeliverVec(1, 3, segsOf([]byte("abcdefgh"), 1, 6))
	out, st, err := b.Recv(ctx, 1, 3, make([]byte, 0, 4)) // too small: a new slice
	b.Settle(l)
	if err != nil || string(out) != "abcdefgh" || st.Len != 8 {
		t.Fatalf("plain receive of a loan: %q %+v %v", out, st, err)
	}
	b.DeliverCopy(1, 4, []byte("too long for it"))
	b.DeliverCopy(1, 4, []byte("ok"))
	if _, _, _, err := b.PostVec(ctx, 1, 4, segsOf(make([]byte, 4), 2)); err == nil {
		t.Fatal("a 15-byte message fit a 4-byte vector")
	}
	if st, _, _, err := b.PostVec(ctx, 1, 4, segsOf(got, 1)); err != nil || st.Len != 2 || string(got[:2]) != "ok" {
		t.Fatalf("next message: %+v %v", st, err)
	}
}

// Closing the box drops queued loans, so their senders' Settle returns.
func TestCloseDropsLoans(t *testing.T) {
	b := NewBox(0, 2)
	l, err := b.DeliverVec(1, 1, [][]byte{make([]byte, 100)})
	if err != nil {
		t.Fatal(err)
	}
	b.Close(errors.New("closed"))
	settled := make(chan struct{})
	go func() { b.Settle(l); close(settled) }()
	select {
	case <-settled:
	case <-time.After(5 * time.Second):
		t.Fatal("Settle of a loan dropped by Close did not return")
	}
	if _, err := b.DeliverVec(1, 1, nil); err == nil {
		t.Fatal("DeliverVec on a closed box succeeded")
	}
}

// Cancel withdraws a posted vector receive; a message sent later queues.
func TestCancel(t *testing.T) {
	ctx := context.Background()
	b := NewBox(0, 2)
	_, w, _, err := b.PostVec(ctx, 1, 1, [][]byte{make([]byte, 4)})
	if err != nil || w == nil {
		t.Fatal(w, err)
	}
	b.Cancel(w)
	b.DeliverCopy(1, 1, []byte("late"))
	got, _, err := b.Recv(ctx, 1, 1, nil)
	if err != nil || string(got) != "late" {
		t.Fatalf("%q %v", got, err)
	}
}

func TestCopySegs(t *testing.T) {
	src := []byte("the quick brown fox jumps")
	for cut := 0; cut < len(src); cut++ {
		dst := make([]byte, len(src)+3)
		n := copySegs(segsOf(dst, 0, 0, 5, 5, 11), segsOf(src, cut, cut, min(cut+4, len(src))))
		if n != len(src) || !bytes.Equal(dst[:n], src) {
			t.Fatalf("cut %d: %q", cut, dst)
		}
	}
}

// A transport that claims a posted vector receive may write the message
// into its segments itself and complete it with CompleteVec.
func TestClaimAndCompleteVec(t *testing.T) {
	ctx := context.Background()
	b := NewBox(0, 2)
	got := make([]byte, 8)
	_, w, _, err := b.PostVec(ctx, 1, 4, segsOf(got, 3))
	if err != nil || w == nil {
		t.Fatal(w, err)
	}
	c, err := b.Claim(1, 4)
	if c != w || err != nil || len(c.Vec()) != 2 {
		t.Fatalf("Claim: %p %v, %d segments", c, err, len(c.Vec()))
	}
	copySegs(c.Vec(), [][]byte{[]byte("abcde")})
	c.CompleteVec(1, 4, 5)
	_, st, _, err := b.Wait(ctx, w, nil)
	if err != nil || st.Len != 5 || st.Source != 1 || string(got[:5]) != "abcde" {
		t.Fatalf("%+v %v %q", st, err, got)
	}
	_, w, _, _ = b.PostVec(ctx, 1, 5, nil)
	_, _, p, _ := b.Post(ctx, 1, 6, nil)
	if c, _ := b.Claim(1, 6); c != p || c.Vec() != nil {
		t.Fatal("a plain receive has segments")
	}
	p.Fail(errors.New("done"))
	b.Wait(ctx, p, nil) //nolint:errcheck
	b.Cancel(w)
}
