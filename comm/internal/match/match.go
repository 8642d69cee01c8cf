// Package match is the message-matching engine shared by comm's transports:
// one rank's mailbox of unexpected messages and posted receives, matched by
// (source, tag) in arrival order.
package match

import (
	"context"
	"fmt"
	"math/bits"
	"sync"

	"github.com/apollo-hpc/apollo/comm"
)

// Box is the mailbox of one rank of one epoch.
type Box struct {
	rank, size int
	closedCh   chan struct{}

	mu       sync.Mutex
	closeErr error     // non-nil once closed
	queue    []message // unexpected messages, arrival order
	waiters  []*Waiter // posted receives, post order
	free     []*Waiter
	loans    []*Loan // free loans (vec.go)
	lost     []error // per source: why it can no longer send
	nlost    int
}

type message struct {
	src, tag int
	data     []byte // owned by the box, unless loan is set
	loan     *Loan  // a message still in its sender's memory (vec.go)
}

// Waiter is a posted receive. Whoever removes it from the box (Claim, a
// delivery, PeerLost) fills it outside the lock and signals it; the receiver
// cannot return before that, so writing its buffer is safe.
type Waiter struct {
	src, tag int
	buf      []byte
	vec      [][]byte // a vector receive (PostVec) scatters the message over vec
	loan     *Loan    // handed to a vector receive: its owner copies it out (vec.go)
	data     []byte
	st       comm.Status
	err      error
	done     chan struct{} // capacity 1
}

// Buffer returns the receive buffer for an n-byte message: the posted buffer
// if its capacity suffices, else a new slice (a pooled one for a vector
// receive, which Complete scatters and returns to the pool).
func (w *Waiter) Buffer(n int) []byte {
	if w.vec != nil {
		return GetBuf(n)
	}
	if cap(w.buf) >= n {
		return w.buf[:n]
	}
	return make([]byte, n)
}

// Complete hands the message in data (from Buffer) to the receiver.
func (w *Waiter) Complete(src, tag int, data []byte) {
	if w.vec != nil {
		w.completeSegs(src, tag, [][]byte{data}, len(data))
		PutBuf(data)
		return
	}
	w.data = data
	w.st = comm.Status{Source: src, Tag: tag, Len: len(data)}
	w.done <- struct{}{}
}

// Fail ends the receive with err.
func (w *Waiter) Fail(err error) {
	w.err = err
	w.done <- struct{}{}
}

// NewBox returns the mailbox of rank in a world of size ranks.
func NewBox(rank, size int) *Box {
	return &Box{rank: rank, size: size, closedCh: make(chan struct{}), lost: make([]error, size)}
}

// Claim removes and returns the first posted receive matching (src, tag), or
// nil if there is none (the caller then delivers with DeliverOwned). It fails
// with the close error if the box is closed.
func (b *Box) Claim(src, tag int) (*Waiter, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closeErr != nil {
		return nil, b.closeErr
	}
	return b.claimLocked(src, tag), nil
}

func (b *Box) claimLocked(src, tag int) *Waiter {
	for i, w := range b.waiters {
		if w.tag == tag && (w.src == comm.AnySource || w.src == src) {
			copy(b.waiters[i:], b.waiters[i+1:])
			b.waiters[len(b.waiters)-1] = nil
			b.waiters = b.waiters[:len(b.waiters)-1]
			return w
		}
	}
	return nil
}

// DeliverCopy delivers a copy of data; data may be reused on return. The
// copy goes straight into a posted receive buffer when one matches.
func (b *Box) DeliverCopy(src, tag int, data []byte) error {
	b.mu.Lock()
	if b.closeErr != nil {
		b.mu.Unlock()
		return b.closeErr
	}
	if w := b.claimLocked(src, tag); w != nil {
		b.mu.Unlock()
		if w.vec != nil {
			w.completeSegs(src, tag, [][]byte{data}, len(data))
			return nil
		}
		buf := w.Buffer(len(data))
		copy(buf, data)
		w.Complete(src, tag, buf)
		return nil
	}
	buf := GetBuf(len(data))
	copy(buf, data)
	b.queue = append(b.queue, message{src: src, tag: tag, data: buf})
	b.mu.Unlock()
	return nil
}

// DeliverOwned delivers data, whose ownership passes to the box. It is
// dropped if the box is closed.
func (b *Box) DeliverOwned(src, tag int, data []byte) {
	b.mu.Lock()
	if b.closeErr != nil {
		b.mu.Unlock()
		PutBuf(data)
		return
	}
	if w := b.claimLocked(src, tag); w != nil {
		b.mu.Unlock()
		if w.vec != nil {
			w.completeSegs(src, tag, [][]byte{data}, len(data))
			PutBuf(data)
			return
		}
		if cap(w.buf) >= len(data) {
			buf := w.Buffer(len(data))
			copy(buf, data)
			PutBuf(data)
			data = buf
		}
		w.Complete(src, tag, data)
		return
	}
	b.queue = append(b.queue, message{src: src, tag: tag, data: data})
	b.mu.Unlock()
}

// Recv waits for a message from src (or comm.AnySource) with tag.
func (b *Box) Recv(ctx context.Context, src, tag int, buf []byte) ([]byte, comm.Status, error) {
	out, st, w, err := b.Post(ctx, src, tag, buf)
	if w == nil {
		return out, st, err
	}
	out, st, _, err = b.Wait(ctx, w, nil)
	return out, st, err
}

// Post is the first half of Recv: it returns a queued message matching
// (src, tag) or an error, or else posts a receive and returns its Waiter
// (out and err unset), which the caller must pass to Wait. In between, the
// caller may itself produce the message (a transport reading its socket
// in the receiver's goroutine) and watch Waiter.Done.
func (b *Box) Post(ctx context.Context, src, tag int, buf []byte) ([]byte, comm.Status, *Waiter, error) {
	if err := ctx.Err(); err != nil {
		return nil, comm.Status{}, nil, fmt.Errorf("recv from %d tag %d: %w", src, tag, err)
	}
	if src != comm.AnySource && (src < 0 || src >= b.size) {
		return nil, comm.Status{}, nil, fmt.Errorf("recv: source %d out of range [0,%d)", src, b.size)
	}
	b.mu.Lock()
	if b.closeErr != nil {
		b.mu.Unlock()
		return nil, comm.Status{}, nil, b.closeErr
	}
	if m, ok := b.takeLocked(src, tag); ok {
		b.mu.Unlock()
		if l := m.loan; l != nil { // copy straight out of the sender's memory
			out := buf
			if cap(out) < l.n {
				out = GetBuf(l.n)
			}
			out = out[:l.n]
			gather(out, l.segs)
			l.release()
			return out, comm.Status{Source: m.src, Tag: tag, Len: l.n}, nil, nil
		}
		st := comm.Status{Source: m.src, Tag: tag, Len: len(m.data)}
		if cap(buf) >= len(m.data) {
			buf = buf[:len(m.data)]
			copy(buf, m.data)
			PutBuf(m.data)
			return buf, st, nil, nil
		}
		return m.data, st, nil, nil // hand the queued buffer over: no second copy
	}
	if err := b.lostErrLocked(src); err != nil {
		b.mu.Unlock()
		return nil, comm.Status{}, nil, err
	}
	w := b.postLocked(src, tag)
	w.buf = buf
	b.mu.Unlock()
	return nil, comm.Status{}, w, nil
}

// takeLocked removes and returns the first queued message matching (src,
// tag).
func (b *Box) takeLocked(src, tag int) (message, bool) {
	for i, m := range b.queue {
		if m.tag == tag && (src == comm.AnySource || m.src == src) {
			copy(b.queue[i:], b.queue[i+1:])
			b.queue[len(b.queue)-1] = message{}
			b.queue = b.queue[:len(b.queue)-1]
			return m, true
		}
	}
	return message{}, false
}

// postLocked appends a receive for (src, tag) to the waiters.
func (b *Box) postLocked(src, tag int) *Waiter {
	w := popFree(&b.free, func() *Waiter { return &Waiter{done: make(chan struct{}, 1)} })
	w.src, w.tag = src, tag
	b.waiters = append(b.waiters, w)
	return w
}

// popFree takes the last item off a free list, or makes a new one.
func popFree[T any](free *[]*T, mk func() *T) *T {
	if n := len(*free); n > 0 {
		x := (*free)[n-1]
		(*free)[n-1] = nil
		*free = (*free)[:n-1]
		return x
	}
	return mk()
}

// Done reports whether the receive has been completed or failed, so that
// Wait would return at once. Only Post's caller may ask.
func (w *Waiter) Done() bool { return len(w.done) > 0 }

// Wait blocks until w, posted by Post with the same ctx, is completed, ctx
// ends or the box closes. If wake (which may be nil) fires first, Wait
// returns again = true and w stays posted: the caller must call Wait again.
// wake carries tokens (capacity 1): one taken by a receive that turns out to
// be complete already is put back for the next waiting receiver.
func (b *Box) Wait(ctx context.Context, w *Waiter, wake chan struct{}) (out []byte, st comm.Status, again bool, err error) {
	if w.Done() { // completed already (often by the receiver itself): no select
		<-w.done
		out, st, err = b.finish(w)
		return out, st, false, err
	}
	select {
	case <-w.done:
		out, st, err = b.finish(w)
		return out, st, false, err
	case <-ctx.Done():
		err = fmt.Errorf("recv from %d tag %d: %w", w.src, w.tag, ctx.Err())
	case <-b.closedCh:
	case <-wake:
		if !w.Done() {
			return nil, comm.Status{}, true, nil
		}
		select {
		case wake <- struct{}{}:
		default:
		}
		<-w.done // completed meanwhile: take it
		out, st, err = b.finish(w)
		return out, st, false, err
	}
	b.mu.Lock()
	if err == nil {
		err = b.closeErr
	}
	for i, x := range b.waiters {
		if x == w {
			copy(b.waiters[i:], b.waiters[i+1:])
			b.waiters[len(b.waiters)-1] = nil
			b.waiters = b.waiters[:len(b.waiters)-1]
			w.buf, w.vec = nil, nil
			b.free = append(b.free, w)
			b.mu.Unlock()
			return nil, comm.Status{}, false, err
		}
	}
	b.mu.Unlock()
	// Somebody claimed the waiter already: its outcome is ours.
	<-w.done
	out, st, err = b.finish(w)
	return out, st, false, err
}

func (b *Box) finish(w *Waiter) ([]byte, comm.Status, error) {
	if l := w.loan; l != nil {
		w.err = l.CopyTo(w.vec, w.st.Source, w.st.Tag)
		w.loan = nil
	}
	data, st, err := w.data, w.st, w.err
	w.buf, w.vec, w.data, w.err = nil, nil, nil, nil
	b.mu.Lock()
	b.free = append(b.free, w)
	b.mu.Unlock()
	if err != nil {
		return nil, comm.Status{}, err
	}
	return data, st, nil
}

// lostErrLocked says why a receive from src can never be satisfied, or nil.
func (b *Box) lostErrLocked(src int) error {
	if src != comm.AnySource {
		return b.lost[src]
	}
	if b.size > 1 && b.nlost == b.size-1 {
		for _, err := range b.lost {
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// Lost returns the error recorded by PeerLost for rank r, or nil.
func (b *Box) Lost(r int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lost[r]
}

// PeerLost records that rank src will send nothing more (err, usually a
// *comm.PeerError) and fails the posted receives that can no longer match.
// Messages it sent before stay receivable.
func (b *Box) PeerLost(src int, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if src < 0 || src >= b.size || src == b.rank || b.lost[src] != nil || b.closeErr != nil {
		return
	}
	b.lost[src] = err
	b.nlost++
	keep := b.waiters[:0]
	for _, w := range b.waiters {
		if e := b.lostErrLocked(w.src); e != nil {
			w.Fail(e)
			continue
		}
		keep = append(keep, w)
	}
	clear(b.waiters[len(keep):])
	b.waiters = keep
}

// Close ends the box: blocked and later receives and deliveries fail with
// err (which should wrap comm.ErrClosed). It reports whether this call
// closed it.
func (b *Box) Close(err error) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closeErr != nil {
		return false
	}
	b.closeErr = err
	close(b.closedCh)
	for i := range b.queue {
		if l := b.queue[i].loan; l != nil {
			l.release() // dropped: the sender may reuse its memory
			continue
		}
		PutBuf(b.queue[i].data)
	}
	b.queue = nil
	return true
}

// Done is closed when the box is closed.
func (b *Box) Done() <-chan struct{} { return b.closedCh }

// Closed reports whether the box is closed, without taking its lock.
func (b *Box) Closed() bool {
	select {
	case <-b.closedCh:
		return true
	default:
		return false
	}
}

// Err returns the close error, or nil while the box is open.
func (b *Box) Err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closeErr
}

// Message buffers come from power-of-two size classes and are recycled when
// a receiver copies out of them, so steady traffic does not allocate. The
// pools hold *holder values, themselves recycled through holders, because
// putting a bare slice into a sync.Pool would allocate on every Put.
const minPooled = 256

type holder struct{ b []byte }

var (
	pools   [41]sync.Pool // up to 1 TiB classes; larger buffers are not pooled
	holders sync.Pool
)

// GetBuf returns a buffer of length n, from the pool when possible.
func GetBuf(n int) []byte {
	if n < minPooled {
		return make([]byte, n)
	}
	c := bits.Len(uint(n - 1))
	if c >= len(pools) {
		return make([]byte, n)
	}
	if h, ok := pools[c].Get().(*holder); ok {
		b := h.b[:n]
		h.b = nil
		holders.Put(h)
		return b
	}
	return make([]byte, n, 1<<c)
}

// PutBuf returns a buffer obtained from GetBuf to the pool.
func PutBuf(b []byte) {
	n := cap(b)
	if n < minPooled || n&(n-1) != 0 {
		return
	}
	c := bits.Len(uint(n - 1))
	if c >= len(pools) {
		return
	}
	h, ok := holders.Get().(*holder)
	if !ok {
		h = new(holder)
	}
	h.b = b[:0]
	pools[c].Put(h)
}
