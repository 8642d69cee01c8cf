// Package inproc is comm's in-process transport: the ranks of a world are
// goroutines of one process and a message is copied once, straight into the
// receiver's buffer when its Recv is already posted.
package inproc

import (
	"context"
	"fmt"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/internal/match"
)

// NewWorld returns the endpoints of a world of size ranks in epoch epoch;
// endpoint i is rank i. Closing an endpoint ends the epoch for that rank;
// its peers then get a *comm.PeerError (wrapping comm.ErrClosed) when they
// wait for it or send to it.
func NewWorld(size int, epoch uint64) []comm.Endpoint {
	if size < 1 {
		size = 1
	}
	w := &world{size: size, epoch: epoch, eps: make([]*endpoint, size)}
	out := make([]comm.Endpoint, size)
	for r := range w.eps {
		e := &endpoint{w: w, rank: r, box: match.NewBox(r, size)}
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

type endpoint struct {
	w    *world
	rank int
	box  *match.Box
}

func (e *endpoint) Rank() int     { return e.rank }
func (e *endpoint) Size() int     { return e.w.size }
func (e *endpoint) Epoch() uint64 { return e.w.epoch }

func (e *endpoint) Send(ctx context.Context, dst, tag int, data []byte) error {
	box, err := e.dstBox(ctx, dst)
	if err != nil {
		return err
	}
	if err := box.DeliverCopy(e.rank, tag, data); err != nil {
		return &comm.PeerError{Rank: dst, Err: fmt.Errorf("inproc: send: %w", err)}
	}
	return nil
}

func (e *endpoint) Recv(ctx context.Context, src, tag int, buf []byte) ([]byte, comm.Status, error) {
	out, st, err := e.box.Recv(ctx, src, tag, buf)
	if err != nil {
		return nil, st, fmt.Errorf("inproc: rank %d: %w", e.rank, err)
	}
	return out, st, nil
}

// Close ends this rank's epoch: its blocked calls return ErrClosed, and peers
// waiting for a message from it get a *comm.PeerError.
func (e *endpoint) Close() error {
	if !e.box.Close(fmt.Errorf("rank %d epoch %d: %w", e.rank, e.w.epoch, comm.ErrClosed)) {
		return nil
	}
	lost := &comm.PeerError{Rank: e.rank, Err: fmt.Errorf("inproc: rank %d closed its epoch: %w", e.rank, comm.ErrClosed)}
	for _, p := range e.w.eps {
		if p != e {
			p.box.PeerLost(e.rank, lost)
		}
	}
	return nil
}

var _ comm.VecEndpoint = (*endpoint)(nil)

// SendVec sends the concatenation of segs: a posted vector receive copies
// it straight from segs (SendVec waits for that copy, which its owner is
// already waiting to make), a posted plain one gets a copy, and otherwise
// it is queued in a buffer of the destination's mailbox.
func (e *endpoint) SendVec(ctx context.Context, dst, tag int, segs [][]byte) error {
	box, err := e.dstBox(ctx, dst)
	if err != nil {
		return err
	}
	l, err := box.DeliverVec(e.rank, tag, segs)
	if err != nil {
		return &comm.PeerError{Rank: dst, Err: fmt.Errorf("inproc: send: %w", err)}
	}
	if l != nil {
		box.Settle(l)
	}
	return nil
}

// RecvVec receives a message from src with tag into the segments vec.
func (e *endpoint) RecvVec(ctx context.Context, src, tag int, vec [][]byte) (comm.Status, error) {
	st, w, taken, err := e.box.PostVec(ctx, src, tag, vec)
	switch {
	case taken != nil:
		err = taken.CopyTo(vec, st.Source, tag)
	case w != nil:
		_, st, _, err = e.box.Wait(ctx, w, nil)
	}
	if err != nil {
		return comm.Status{}, fmt.Errorf("inproc: rank %d: %w", e.rank, err)
	}
	return st, nil
}

// SendrecvVec posts its receive, lends its segments to dst and only then
// copies a message that was already waiting for it, so that in a pairwise
// exchange both ranks copy their incoming message at the same time, each
// straight from the other's segments: every message moves once, with no
// packing either side. The loan is settled after the receive (see
// match.Box.DeliverVec), so the call never waits for dst beyond that.
func (e *endpoint) SendrecvVec(ctx context.Context, send [][]byte, dst, sendTag int, recv [][]byte, src, recvTag int) (comm.Status, error) {
	box, err := e.dstBox(ctx, dst)
	if err != nil {
		return comm.Status{}, err
	}
	st, w, taken, err := e.box.PostVec(ctx, src, recvTag, recv)
	if err != nil {
		return comm.Status{}, fmt.Errorf("inproc: rank %d: %w", e.rank, err)
	}
	l, derr := box.DeliverVec(e.rank, sendTag, send)
	var rerr error
	switch {
	case taken != nil: // copied even if the send failed: its sender waits for it
		rerr = taken.CopyTo(recv, st.Source, recvTag)
	case w != nil && derr != nil:
		e.box.Cancel(w)
	case w != nil:
		_, st, _, rerr = e.box.Wait(ctx, w, nil)
	}
	if l != nil {
		box.Settle(l)
	}
	if derr != nil {
		return comm.Status{}, &comm.PeerError{Rank: dst, Err: fmt.Errorf("inproc: send: %w", derr)}
	}
	if rerr != nil {
		return comm.Status{}, fmt.Errorf("inproc: rank %d: %w", e.rank, rerr)
	}
	return st, nil
}

// dstBox checks a send to dst and returns dst's mailbox.
func (e *endpoint) dstBox(ctx context.Context, dst int) (*match.Box, error) {
	if err := e.box.Err(); err != nil {
		return nil, fmt.Errorf("inproc: send to %d: %w", dst, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("inproc: send to %d: %w", dst, err)
	}
	if dst < 0 || dst >= e.w.size {
		return nil, fmt.Errorf("inproc: send: destination %d out of range [0,%d)", dst, e.w.size)
	}
	return e.w.eps[dst].box, nil
}
