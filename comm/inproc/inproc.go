// Package inproc is comm's in-process transport: the ranks of a world are
// goroutines of one process and a message is copied once, straight into the
// receiver's buffer when its Recv is already posted.
package inproc

import (
	"context"
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/apollo-hpc/apollo/comm"
)

// NewWorld returns the endpoints of a world of size ranks in epoch epoch;
// endpoint i is rank i. Closing an endpoint ends the epoch for that rank;
// its peers then get a *comm.PeerError when they wait for it.
func NewWorld(size int, epoch uint64) []comm.Endpoint {
	if size < 1 {
		size = 1
	}
	w := &world{size: size, epoch: epoch, eps: make([]*endpoint, size)}
	out := make([]comm.Endpoint, size)
	for r := range w.eps {
		e := &endpoint{w: w, rank: r, closedCh: make(chan struct{}), lost: make([]bool, size)}
		w.eps[r] = e
		out[r] = e
	}
	return out
}

type world struct {
	size  int
	epoch uint64
	eps   []*endpoint
}

// message is a queued (unexpected) message; data is owned by the queue.
type message struct {
	src, tag int
	data     []byte
}

// waiter is a posted Recv. A sender that matches it removes it from the
// list under the receiver's lock, fills it outside the lock and signals done.
type waiter struct {
	src, tag int
	buf      []byte
	data     []byte
	st       comm.Status
	err      error
	done     chan struct{} // capacity 1
}

type endpoint struct {
	w        *world
	rank     int
	closed   atomic.Bool
	closedCh chan struct{}
	once     sync.Once

	mu      sync.Mutex
	queue   []message // arrival order
	waiters []*waiter // post order
	free    []*waiter // recycled waiters
	lost    []bool    // peers whose endpoint closed
	nlost   int
}

func (e *endpoint) Rank() int     { return e.rank }
func (e *endpoint) Size() int     { return e.w.size }
func (e *endpoint) Epoch() uint64 { return e.w.epoch }

func (e *endpoint) Send(ctx context.Context, dst, tag int, data []byte) error {
	if e.closed.Load() {
		return fmt.Errorf("inproc: send to %d: %w", dst, comm.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("inproc: send to %d: %w", dst, err)
	}
	if dst < 0 || dst >= e.w.size {
		return fmt.Errorf("inproc: send: destination %d out of range [0,%d)", dst, e.w.size)
	}
	r := e.w.eps[dst]
	r.mu.Lock()
	if r.closed.Load() {
		r.mu.Unlock()
		return &comm.PeerError{Rank: dst, Err: fmt.Errorf("inproc: send: %w", comm.ErrClosed)}
	}
	for i, w := range r.waiters {
		if w.tag == tag && (w.src == comm.AnySource || w.src == e.rank) {
			r.waiters = append(r.waiters[:i], r.waiters[i+1:]...)
			r.mu.Unlock()
			// The receiver cannot return before done, so writing its
			// buffer outside the lock is safe.
			if cap(w.buf) >= len(data) {
				w.data = w.buf[:len(data)]
			} else {
				w.data = make([]byte, len(data))
			}
			copy(w.data, data)
			w.st = comm.Status{Source: e.rank, Tag: tag, Len: len(data)}
			w.done <- struct{}{}
			return nil
		}
	}
	buf := getBuf(len(data))
	copy(buf, data)
	r.queue = append(r.queue, message{src: e.rank, tag: tag, data: buf})
	r.mu.Unlock()
	return nil
}

func (e *endpoint) Recv(ctx context.Context, src, tag int, buf []byte) ([]byte, comm.Status, error) {
	if e.closed.Load() {
		return nil, comm.Status{}, fmt.Errorf("inproc: recv from %d: %w", src, comm.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, comm.Status{}, fmt.Errorf("inproc: recv from %d: %w", src, err)
	}
	if src != comm.AnySource && (src < 0 || src >= e.w.size) {
		return nil, comm.Status{}, fmt.Errorf("inproc: recv: source %d out of range [0,%d)", src, e.w.size)
	}
	e.mu.Lock()
	for i, m := range e.queue {
		if m.tag == tag && (src == comm.AnySource || m.src == src) {
			copy(e.queue[i:], e.queue[i+1:])
			e.queue[len(e.queue)-1] = message{}
			e.queue = e.queue[:len(e.queue)-1]
			e.mu.Unlock()
			st := comm.Status{Source: m.src, Tag: tag, Len: len(m.data)}
			if cap(buf) >= len(m.data) {
				buf = buf[:len(m.data)]
				copy(buf, m.data)
				putBuf(m.data)
				return buf, st, nil
			}
			return m.data, st, nil // hand the queued buffer over: no second copy
		}
	}
	if err := e.lostErr(src); err != nil {
		e.mu.Unlock()
		return nil, comm.Status{}, err
	}
	var w *waiter
	if n := len(e.free); n > 0 {
		w = e.free[n-1]
		e.free = e.free[:n-1]
	} else {
		w = &waiter{done: make(chan struct{}, 1)}
	}
	w.src, w.tag, w.buf = src, tag, buf
	e.waiters = append(e.waiters, w)
	e.mu.Unlock()

	var err error
	select {
	case <-w.done:
		return e.finish(w)
	case <-ctx.Done():
		err = fmt.Errorf("inproc: recv from %d tag %d: %w", src, tag, ctx.Err())
	case <-e.closedCh:
		err = fmt.Errorf("inproc: recv from %d tag %d: %w", src, tag, comm.ErrClosed)
	}
	e.mu.Lock()
	for i, x := range e.waiters {
		if x == w {
			e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
			w.buf = nil
			e.free = append(e.free, w)
			e.mu.Unlock()
			return nil, comm.Status{}, err
		}
	}
	e.mu.Unlock()
	// A sender already claimed the waiter: the message is ours.
	<-w.done
	return e.finish(w)
}

// finish collects a filled waiter's result and recycles it.
func (e *endpoint) finish(w *waiter) ([]byte, comm.Status, error) {
	data, st, err := w.data, w.st, w.err
	w.buf, w.data, w.err = nil, nil, nil
	e.mu.Lock()
	e.free = append(e.free, w)
	e.mu.Unlock()
	return data, st, err
}

// lostErr reports whether a Recv from src can never be satisfied; e.mu held.
func (e *endpoint) lostErr(src int) error {
	if src != comm.AnySource {
		if e.lost[src] {
			return &comm.PeerError{Rank: src, Err: fmt.Errorf("inproc: recv: %w", comm.ErrClosed)}
		}
		return nil
	}
	if e.w.size > 1 && e.nlost == e.w.size-1 {
		for r, l := range e.lost {
			if l {
				return &comm.PeerError{Rank: r, Err: fmt.Errorf("inproc: recv from any source, every peer gone: %w", comm.ErrClosed)}
			}
		}
	}
	return nil
}

// Close ends this rank's epoch: its blocked calls return ErrClosed, and peers
// waiting for a message from it get a *comm.PeerError.
func (e *endpoint) Close() error {
	e.once.Do(func() {
		e.closed.Store(true)
		e.mu.Lock()
		close(e.closedCh)
		for i := range e.queue {
			putBuf(e.queue[i].data)
		}
		e.queue = nil
		e.mu.Unlock()
		for _, p := range e.w.eps {
			if p != e {
				p.peerClosed(e.rank)
			}
		}
	})
	return nil
}

// peerClosed records that rank r's endpoint closed and fails the posted
// receives that can no longer match.
func (e *endpoint) peerClosed(r int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.lost[r] {
		return
	}
	e.lost[r] = true
	e.nlost++
	keep := e.waiters[:0]
	for _, w := range e.waiters {
		if err := e.lostErr(w.src); err != nil {
			w.err = err
			w.done <- struct{}{}
			continue
		}
		keep = append(keep, w)
	}
	for i := len(keep); i < len(e.waiters); i++ {
		e.waiters[i] = nil
	}
	e.waiters = keep
}

// Queued messages use buffers from power-of-two size classes, recycled when
// a receiver copies out of them, so steady traffic does not allocate.
const minPooled = 256

var pools [48]sync.Pool

func getBuf(n int) []byte {
	if n < minPooled {
		return make([]byte, n)
	}
	c := bits.Len(uint(n - 1))
	if p, ok := pools[c].Get().(*[]byte); ok {
		return (*p)[:n]
	}
	return make([]byte, n, 1<<c)
}

func putBuf(b []byte) {
	n := cap(b)
	if n < minPooled || n&(n-1) != 0 {
		return
	}
	c := bits.Len(uint(n - 1))
	if c >= len(pools) {
		return
	}
	b = b[:0]
	pools[c].Put(&b)
}
