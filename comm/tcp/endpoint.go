package tcp

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/internal/match"
)

// endpoint is one rank of one epoch on a Host.
type endpoint struct {
	h     *Host
	epoch uint64
	rank  int
	size  int
	addrs []string
	peers []*peer // per rank; nil for ranks on this host
	box   *match.Box

	// The cancellable context whose end interrupts this endpoint's
	// receivers reading a socket (see watch); receives under other
	// cancellable contexts meanwhile do not read.
	wmu   sync.Mutex
	wdone <-chan struct{}
	wuse  int // receives under wdone's context in progress
	wstop func() bool
}

func (e *endpoint) Rank() int     { return e.rank }
func (e *endpoint) Size() int     { return e.size }
func (e *endpoint) Epoch() uint64 { return e.epoch }

func (e *endpoint) Send(ctx context.Context, dst, tag int, data []byte) error {
	p, err := e.route(ctx, dst, tag, len(data))
	if err != nil {
		return err
	}
	if p == nil {
		return e.h.sendLocal(e, dst, tag, data)
	}
	hd := header{kind: kindData, epoch: e.epoch, src: uint32(e.rank), dst: uint32(dst), tag: int32(tag)}
	if err := p.write(hd, data); err != nil {
		p.kill(fmt.Errorf("write: %w", err))
		return &comm.PeerError{Rank: dst, Err: fmt.Errorf("tcp: send to %s: %w", p.addr, err)}
	}
	return nil
}

// route checks a send of n bytes to dst and returns the connection to dst,
// once it is up, or nil if dst is a rank of this host.
func (e *endpoint) route(ctx context.Context, dst, tag, n int) (*peer, error) {
	if err := e.box.Err(); err != nil {
		return nil, fmt.Errorf("tcp: send to %d: %w", dst, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("tcp: send to %d: %w", dst, err)
	}
	if dst < 0 || dst >= e.size {
		return nil, fmt.Errorf("tcp: send: destination %d out of range [0,%d)", dst, e.size)
	}
	if tag < math.MinInt32 || tag > math.MaxInt32 {
		return nil, fmt.Errorf("tcp: send: tag %d does not fit the wire format", tag)
	}
	if uint64(n) > e.h.cfg.MaxFrame {
		return nil, fmt.Errorf("tcp: send to %d: message of %d bytes exceeds the limit of %d", dst, n, e.h.cfg.MaxFrame)
	}
	if err := e.box.Lost(dst); err != nil {
		return nil, fmt.Errorf("tcp: send: %w", err)
	}
	p := e.peers[dst]
	if p == nil {
		return nil, nil
	}
	if err := p.wait(ctx, e.box.Done()); err != nil {
		if ctx.Err() != nil || e.box.Err() != nil {
			return nil, fmt.Errorf("tcp: send to %d: %w", dst, err)
		}
		return nil, &comm.PeerError{Rank: dst, Err: fmt.Errorf("tcp: connection to %s: %w", p.addr, err)}
	}
	return p, nil
}

func (e *endpoint) Recv(ctx context.Context, src, tag int, buf []byte) ([]byte, comm.Status, error) {
	out, st, w, err := e.box.Post(ctx, src, tag, buf)
	if w != nil {
		out, st, err = e.await(ctx, src, w)
	}
	if err != nil {
		return nil, st, fmt.Errorf("tcp: rank %d epoch %d: %w", e.rank, e.epoch, err)
	}
	return out, st, nil
}

// await waits for the posted receive w. For a rank on another host the
// receiver reads that connection itself when nobody else does (the
// network poller then wakes this goroutine, not a reader that would have
// to wake it: one cross-thread wake-up less per message).
func (e *endpoint) await(ctx context.Context, src int, w *match.Waiter) ([]byte, comm.Status, error) {
	var p *peer
	if src >= 0 && src < e.size {
		p = e.peers[src]
	}
	if p == nil {
		out, st, _, err := e.box.Wait(ctx, w, nil)
		return out, st, err
	}
	if !e.watch(ctx) {
		p.plainWait(1)
		out, st, _, err := e.box.Wait(ctx, w, nil)
		p.plainWait(-1)
		return out, st, err
	}
	defer e.unwatch(ctx)
	for {
		if ok, _ := p.take(true); ok {
			e.readFor(ctx, p, w)
			p.release()
			if w.Done() || ctx.Err() != nil || e.box.Err() != nil {
				out, st, _, err := e.box.Wait(ctx, w, nil)
				return out, st, err
			}
		}
		out, st, again, err := e.box.Wait(ctx, w, p.freeCh)
		if !again {
			return out, st, err
		}
	}
}

// readFor reads p's frames, holding the reading role, until w is done, ctx
// ends, the endpoint closes or the holder is asked to yield.
func (e *endpoint) readFor(ctx context.Context, p *peer, w *match.Waiter) {
	for !w.Done() {
		if ctx.Err() != nil || e.box.Closed() {
			return
		}
		if _, err := e.h.readFrame(p); err != nil {
			if err != errYield {
				e.h.readFailed(p, err)
			}
			return
		}
	}
}

// watch reports whether a receive under ctx may read a socket: ctx cannot
// end, or its end interrupts the reading. One context at a time is
// registered per endpoint (so that a run of receives under the same context
// allocates nothing); it is replaced when no receive uses it. A true result
// must be paired with unwatch.
func (e *endpoint) watch(ctx context.Context) bool {
	done := ctx.Done()
	if done == nil {
		return true
	}
	e.wmu.Lock()
	defer e.wmu.Unlock()
	if e.wdone == done {
		e.wuse++
		return true
	}
	if e.wuse > 0 || e.box.Err() != nil {
		return false
	}
	if e.wstop != nil {
		e.wstop()
	}
	e.wdone, e.wuse = done, 1
	e.wstop = context.AfterFunc(ctx, e.interrupt)
	return true
}

func (e *endpoint) unwatch(ctx context.Context) {
	if ctx.Done() == nil {
		return
	}
	e.wmu.Lock()
	e.wuse--
	e.wmu.Unlock()
}

// interrupt stops the receivers reading this endpoint's connections.
func (e *endpoint) interrupt() {
	for _, p := range e.peers {
		if p != nil {
			p.interrupt()
		}
	}
}

// closeBox closes the mailbox, stops receivers reading for it and drops the
// context registration; it reports whether this call closed the box.
func (e *endpoint) closeBox(err error) bool {
	if !e.box.Close(err) {
		return false
	}
	e.interrupt()
	e.wmu.Lock()
	if e.wstop != nil {
		e.wstop()
		e.wstop = nil
	}
	e.wmu.Unlock()
	return true
}

// Close ends this rank's epoch: its blocked calls return ErrClosed, and the
// other ranks of the epoch are told, so that their receives from this rank
// fail instead of waiting.
func (e *endpoint) Close() error {
	if !e.closeBox(fmt.Errorf("tcp: rank %d epoch %d: %w", e.rank, e.epoch, comm.ErrClosed)) {
		return nil
	}
	e.h.rankClosed(e.epoch, e.rank)
	seen := map[*peer]bool{}
	for _, p := range e.peers {
		if p == nil || seen[p] {
			continue
		}
		seen[p] = true
		select {
		case <-p.ready:
		default:
			continue // never connected: nothing to tell
		}
		// Best effort: a dead peer needs no notice.
		_ = p.write(header{kind: kindRankClosed, epoch: e.epoch, src: uint32(e.rank)}, nil)
	}
	return nil
}

// sendLocal delivers to a rank on this host without touching a socket.
func (h *Host) sendLocal(from *endpoint, dst, tag int, data []byte) error {
	e, queue := h.lookup(from.epoch, dst)
	switch {
	case e != nil:
		if err := e.box.DeliverCopy(from.rank, tag, data); err != nil {
			return &comm.PeerError{Rank: dst, Err: fmt.Errorf("tcp: local send: %w", err)}
		}
	case queue:
		buf := match.GetBuf(len(data))
		copy(buf, data)
		h.addPending(from.epoch, dst, pendingMsg{src: from.rank, tag: tag, data: buf})
	default:
		return fmt.Errorf("tcp: send to %d: epoch %d is over: %w", dst, from.epoch, comm.ErrClosed)
	}
	return nil
}
