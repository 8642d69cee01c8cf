package tcp

import (
	"context"
	"fmt"
	"math"

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
}

func (e *endpoint) Rank() int     { return e.rank }
func (e *endpoint) Size() int     { return e.size }
func (e *endpoint) Epoch() uint64 { return e.epoch }

func (e *endpoint) Send(ctx context.Context, dst, tag int, data []byte) error {
	if err := e.box.Err(); err != nil {
		return fmt.Errorf("tcp: send to %d: %w", dst, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("tcp: send to %d: %w", dst, err)
	}
	if dst < 0 || dst >= e.size {
		return fmt.Errorf("tcp: send: destination %d out of range [0,%d)", dst, e.size)
	}
	if tag < math.MinInt32 || tag > math.MaxInt32 {
		return fmt.Errorf("tcp: send: tag %d does not fit the wire format", tag)
	}
	if uint64(len(data)) > e.h.cfg.MaxFrame {
		return fmt.Errorf("tcp: send to %d: message of %d bytes exceeds the limit of %d", dst, len(data), e.h.cfg.MaxFrame)
	}
	if err := e.box.Lost(dst); err != nil {
		return fmt.Errorf("tcp: send: %w", err)
	}
	p := e.peers[dst]
	if p == nil {
		return e.h.sendLocal(e, dst, tag, data)
	}
	if err := p.wait(ctx, e.box.Done()); err != nil {
		if ctx.Err() != nil || e.box.Err() != nil {
			return fmt.Errorf("tcp: send to %d: %w", dst, err)
		}
		return &comm.PeerError{Rank: dst, Err: fmt.Errorf("tcp: connection to %s: %w", p.addr, err)}
	}
	hd := header{kind: kindData, epoch: e.epoch, src: uint32(e.rank), dst: uint32(dst), tag: int32(tag)}
	if err := p.write(hd, data); err != nil {
		p.kill(fmt.Errorf("write: %w", err))
		return &comm.PeerError{Rank: dst, Err: fmt.Errorf("tcp: send to %s: %w", p.addr, err)}
	}
	return nil
}

func (e *endpoint) Recv(ctx context.Context, src, tag int, buf []byte) ([]byte, comm.Status, error) {
	out, st, err := e.box.Recv(ctx, src, tag, buf)
	if err != nil {
		return nil, st, fmt.Errorf("tcp: rank %d epoch %d: %w", e.rank, e.epoch, err)
	}
	return out, st, nil
}

// Close ends this rank's epoch: its blocked calls return ErrClosed, and the
// other ranks of the epoch are told, so that their receives from this rank
// fail instead of waiting.
func (e *endpoint) Close() error {
	if !e.box.Close(fmt.Errorf("tcp: rank %d epoch %d: %w", e.rank, e.epoch, comm.ErrClosed)) {
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
