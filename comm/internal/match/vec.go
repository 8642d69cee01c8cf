package match

import (
	"context"
	"fmt"

	"github.com/apollo-hpc/apollo/comm"
)

// Vector messages. A message may be made of several segments (rows of a
// field, say) that the sender does not want to pack and the receiver does
// not want to unpack. Between ranks of one process the bytes then move
// once, from the sender's segments straight into the receiver's, and the
// receiver does the copying: the sender lends its segments (DeliverVec),
// either handing the loan to a vector receive already posted (whose owner
// copies it as it finishes waiting) or queueing it for the receive to come,
// and keeps them unchanged until it settles the loan (Settle), which it
// does once its own receive of the same exchange has completed. In a
// pairwise exchange the two ranks thus copy their incoming messages at the
// same time. A queued loan nobody took by then is copied by Settle into a
// buffer of the box, exactly the eager send it stands for, so no sender
// waits for a receive it would not have waited for anyway; a handed one is
// being copied by a receiver that is already waiting.

// Loan is a message whose bytes are still the sender's segments: queued in
// the box, or handed to a posted vector receive.
type Loan struct {
	segs [][]byte
	n    int
	// done receives one token when the box stops reading segs: a receiver
	// copied them out, or the box was closed and dropped the message.
	done chan struct{}
}

func (l *Loan) release() { l.done <- struct{}{} }

// CopyTo copies the loan, taken from the queue by PostVec, into vec and
// returns it to its sender; a message longer than vec is not copied and is
// an error.
func (l *Loan) CopyTo(vec [][]byte, src, tag int) error {
	defer l.release()
	if room := Len(vec); l.n > room {
		return &comm.TooLongError{Source: src, Tag: tag, Len: l.n, Room: room}
	}
	copySegs(vec, l.segs)
	return nil
}

// newLoanLocked returns a loan of segs, n bytes in all.
func (b *Box) newLoanLocked(segs [][]byte, n int) *Loan {
	l := popFree(&b.loans, func() *Loan { return &Loan{done: make(chan struct{}, 1)} })
	l.segs, l.n = segs, n
	return l
}

// Len returns the total length of segs.
func Len(segs [][]byte) int {
	n := 0
	for _, s := range segs {
		n += len(s)
	}
	return n
}

// gather copies the concatenation of segs into dst, which is Len(segs)
// long.
func gather(dst []byte, segs [][]byte) {
	o := 0
	for _, s := range segs {
		o += copy(dst[o:], s)
	}
}

// copySegs copies the concatenation of src into the segments of dst, whose
// total length is at least the total length of src, and returns the number
// of bytes copied. Segments of either side may be of any length: the two
// are walked together, one memmove per overlap.
func copySegs(dst, src [][]byte) int {
	n, di, do := 0, 0, 0
	for _, s := range src {
		for len(s) > 0 {
			for do == len(dst[di]) {
				di, do = di+1, 0
			}
			c := copy(dst[di][do:], s)
			s, do, n = s[c:], do+c, n+c
		}
	}
	return n
}

// Vec returns the segments of a vector receive (posted by PostVec), or nil
// for a plain one. Only whoever claimed w (Claim) may write them, and only
// until it completes w with CompleteVec or Fail: a transport reading a
// message from a socket reads it straight into them.
func (w *Waiter) Vec() [][]byte { return w.vec }

// CompleteVec completes a vector receive whose n-byte message its claimer
// has already written into Vec() (n at most their total length), or, inside
// this package, whose loan its owner copies as it finishes waiting.
func (w *Waiter) CompleteVec(src, tag, n int) {
	w.data = nil
	w.st = comm.Status{Source: src, Tag: tag, Len: n}
	w.done <- struct{}{}
}

// completeSegs completes the vector receive w with the n-byte concatenation
// of segs, or fails it if the message is longer than w's segments.
func (w *Waiter) completeSegs(src, tag int, segs [][]byte, n int) {
	if room := Len(w.vec); n > room {
		w.Fail(&comm.TooLongError{Source: src, Tag: tag, Len: n, Room: room})
		return
	}
	copySegs(w.vec, segs)
	w.CompleteVec(src, tag, n)
}

// DeliverVec delivers the concatenation of segs from src with tag. A
// matching plain receive gets a copy at once (and DeliverVec returns nil);
// a matching vector receive is handed a loan of segs, which its owner
// copies as it finishes waiting; otherwise segs are queued as a loan. A
// loan is returned: the caller must leave the segments' bytes unchanged
// until it has passed the loan to Settle.
func (b *Box) DeliverVec(src, tag int, segs [][]byte) (*Loan, error) {
	n := Len(segs)
	b.mu.Lock()
	if b.closeErr != nil {
		b.mu.Unlock()
		return nil, b.closeErr
	}
	if w := b.claimLocked(src, tag); w != nil {
		if w.vec != nil {
			l := b.newLoanLocked(segs, n)
			b.mu.Unlock()
			w.loan = l // copied out by the owner's finish
			w.CompleteVec(src, tag, n)
			return l, nil
		}
		b.mu.Unlock()
		buf := w.Buffer(n)
		gather(buf, segs)
		w.Complete(src, tag, buf)
		return nil, nil
	}
	l := b.newLoanLocked(segs, n)
	b.queue = append(b.queue, message{src: src, tag: tag, loan: l})
	b.mu.Unlock()
	return l, nil
}

// Settle ends a loan from DeliverVec on this box: a receiver that took it
// has finished copying, or, if none has taken it yet, the box copies the
// bytes into a buffer of its own, in the loan's place in the queue. After
// Settle the sender may change its segments.
func (b *Box) Settle(l *Loan) {
	b.mu.Lock()
	for i := range b.queue {
		if b.queue[i].loan == l {
			buf := GetBuf(l.n)
			gather(buf, l.segs)
			b.queue[i].data, b.queue[i].loan = buf, nil
			l.segs = nil
			b.loans = append(b.loans, l)
			b.mu.Unlock()
			return
		}
	}
	b.mu.Unlock()
	<-l.done // taken by a receiver (or dropped by Close): wait for its copy
	b.mu.Lock()
	l.segs = nil
	b.loans = append(b.loans, l)
	b.mu.Unlock()
}

// PostVec is Post for a receive whose message is scattered over the
// segments vec, in order; the message may be shorter than vec's total
// length (Status.Len tells), not longer. It completes at once from the
// queue (w == nil), or returns a queued loan for the caller to copy with
// CopyTo (taken != nil: the caller may do other work first, such as
// sending, but its sender waits meanwhile), or posts a receive the caller
// must pass to Wait (or Cancel), which then returns a nil slice and the
// status.
func (b *Box) PostVec(ctx context.Context, src, tag int, vec [][]byte) (st comm.Status, w *Waiter, taken *Loan, err error) {
	if err := ctx.Err(); err != nil {
		return comm.Status{}, nil, nil, fmt.Errorf("recv from %d tag %d: %w", src, tag, err)
	}
	if src != comm.AnySource && (src < 0 || src >= b.size) {
		return comm.Status{}, nil, nil, fmt.Errorf("recv: source %d out of range [0,%d)", src, b.size)
	}
	room := Len(vec)
	b.mu.Lock()
	if b.closeErr != nil {
		b.mu.Unlock()
		return comm.Status{}, nil, nil, b.closeErr
	}
	if m, ok := b.takeLocked(src, tag); ok {
		b.mu.Unlock()
		if m.loan != nil {
			return comm.Status{Source: m.src, Tag: tag, Len: m.loan.n}, nil, m.loan, nil
		}
		n := len(m.data)
		if n <= room {
			copySegs(vec, [][]byte{m.data})
		}
		PutBuf(m.data)
		if n > room {
			return comm.Status{}, nil, nil, &comm.TooLongError{Source: m.src, Tag: tag, Len: n, Room: room}
		}
		return comm.Status{Source: m.src, Tag: tag, Len: n}, nil, nil, nil
	}
	if err := b.lostErrLocked(src); err != nil {
		b.mu.Unlock()
		return comm.Status{}, nil, nil, err
	}
	w = b.postLocked(src, tag)
	w.vec = vec
	b.mu.Unlock()
	return comm.Status{}, w, nil, nil
}

// Cancel withdraws the receive w posted by Post or PostVec that the caller
// will not Wait for (its send failed, say). A message that completed it
// meanwhile is discarded.
func (b *Box) Cancel(w *Waiter) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b.Wait(ctx, w, nil) //nolint:errcheck // the receive is abandoned
}
