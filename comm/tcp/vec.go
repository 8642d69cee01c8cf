package tcp

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/internal/match"
	"github.com/apollo-hpc/apollo/internal/crc32c"
)

// Vector messages (comm.VecEndpoint) travel as ordinary data frames: the
// wire bytes of SendVec(segs) are those of Send(concatenation of segs), so
// vector and plain calls match each other and the frame format is
// unchanged. What differs is where the bytes come from and go to: the
// sender writes the segments from the caller's memory (short ones
// coalesced, so that thousands of 32-byte rows do not become thousands of
// system calls), and whichever goroutine reads the frame of a posted
// vector receive reads it straight into the receive's segments: no
// packing buffer either side.

var _ comm.VecEndpoint = (*endpoint)(nil)

const (
	// directWrite is the segment length from which a segment is written
	// from the caller's memory (one iovec of a writev); shorter ones are
	// copied into the write buffer, where consecutive ones form one iovec.
	directWrite = 1 << 10
	// vecStage is the part of the write buffer that holds the header and
	// coalesced short segments of a large vector frame: a whole write's
	// worth, so that short segments cost no more system calls than a
	// packed message.
	vecStage = headerLen + writeChunk
	// directRead is the segment length from which a segment is read
	// straight from the socket; runs of shorter ones are read into the
	// frame reader's scratch buffer, vecBatch bytes at most at a time (so
	// that they stay in the cache), and scattered from there: one read per
	// batch instead of a read and a checksum call per row.
	directRead = 1 << 10
	vecBatch   = chunk
)

// SendVec sends the concatenation of segs, as Send would send it.
func (e *endpoint) SendVec(ctx context.Context, dst, tag int, segs [][]byte) error {
	n := match.Len(segs)
	p, err := e.route(ctx, dst, tag, n)
	if err != nil {
		return err
	}
	return e.sendVecTo(p, dst, tag, segs, n)
}

// sendVecTo is SendVec once route has returned p.
func (e *endpoint) sendVecTo(p *peer, dst, tag int, segs [][]byte, n int) error {
	if p == nil {
		return e.h.sendLocalVec(e, dst, tag, segs, n)
	}
	hd := header{kind: kindData, epoch: e.epoch, src: uint32(e.rank), dst: uint32(dst), tag: int32(tag)}
	p.wmu.Lock()
	err := p.writeVecLocked(hd, segs, n)
	p.wmu.Unlock()
	if err != nil {
		p.kill(fmt.Errorf("write: %w", err))
		return &comm.PeerError{Rank: dst, Err: fmt.Errorf("tcp: send to %s: %w", p.addr, err)}
	}
	return nil
}

// RecvVec receives a message from src with tag into the segments vec: from
// a rank behind a socket, whichever goroutine reads the frame reads it
// straight into vec (readVec); from a rank of this host the receive copies
// from the sender's segments; a message queued before the receive was
// posted is scattered from its buffer.
func (e *endpoint) RecvVec(ctx context.Context, src, tag int, vec [][]byte) (comm.Status, error) {
	st, w, taken, err := e.box.PostVec(ctx, src, tag, vec)
	if err == nil {
		st, err = e.finishVec(ctx, src, tag, vec, st, w, taken)
	}
	if err != nil {
		return comm.Status{}, fmt.Errorf("tcp: rank %d epoch %d: %w", e.rank, e.epoch, err)
	}
	return st, nil
}

// finishVec ends a vector receive PostVec started: it copies a co-located
// sender's queued segments (taken), or waits for the posted receive w,
// reading the socket itself when nobody else does (await).
func (e *endpoint) finishVec(ctx context.Context, src, tag int, vec [][]byte, st comm.Status, w *match.Waiter, taken *match.Loan) (comm.Status, error) {
	switch {
	case taken != nil:
		return st, taken.CopyTo(vec, st.Source, tag)
	case w != nil:
		_, st, err := e.await(ctx, src, w)
		return st, err
	}
	return st, nil
}

// SendrecvVec is SendVec then RecvVec; a send over TCP is written out
// before it returns, so it never waits for dst's receive. A receive from a
// remote rank is posted before the send is written (once the send has
// been checked), so that its message, which often arrives while this rank
// is still sending, is read straight into recv by whoever reads it rather
// than queued in a buffer and scattered. Should the write itself fail (the
// connection to dst broke, or this endpoint was closed meanwhile), the
// receive is withdrawn and a message it had already taken is dropped, as
// match.Box.Cancel does.
func (e *endpoint) SendrecvVec(ctx context.Context, send [][]byte, dst, sendTag int, recv [][]byte, src, recvTag int) (comm.Status, error) {
	if src < 0 || src >= e.size || e.peers[src] == nil {
		if err := e.SendVec(ctx, dst, sendTag, send); err != nil {
			return comm.Status{}, err
		}
		return e.RecvVec(ctx, src, recvTag, recv)
	}
	n := match.Len(send)
	p, err := e.route(ctx, dst, sendTag, n)
	if err != nil {
		return comm.Status{}, err
	}
	st, w, taken, err := e.box.PostVec(ctx, src, recvTag, recv)
	if err != nil {
		return comm.Status{}, fmt.Errorf("tcp: rank %d epoch %d: %w", e.rank, e.epoch, err)
	}
	if err := e.sendVecTo(p, dst, sendTag, send, n); err != nil {
		switch {
		case taken != nil:
			taken.CopyTo(recv, st.Source, recvTag) //nolint:errcheck // releases its sender
		case w != nil:
			e.box.Cancel(w) // waits for a reader filling recv, if any
		}
		return comm.Status{}, err
	}
	st, err = e.finishVec(ctx, src, recvTag, recv, st, w, taken)
	if err != nil {
		return comm.Status{}, fmt.Errorf("tcp: rank %d epoch %d: %w", e.rank, e.epoch, err)
	}
	return st, nil
}

// sendLocalVec is sendLocal of the n-byte concatenation of segs: the
// destination's receive copies straight from segs (or the box copies them
// into a buffer of its own if no receive is posted yet), after which
// segs are free again.
func (h *Host) sendLocalVec(from *endpoint, dst, tag int, segs [][]byte, n int) error {
	e, queue := h.lookup(from.epoch, dst)
	switch {
	case e != nil:
		l, err := e.box.DeliverVec(from.rank, tag, segs)
		if err != nil {
			return &comm.PeerError{Rank: dst, Err: fmt.Errorf("tcp: local send: %w", err)}
		}
		if l != nil {
			e.box.Settle(l)
		}
	case queue:
		buf := match.GetBuf(n)
		o := 0
		for _, s := range segs {
			o += copy(buf[o:], s)
		}
		h.addPending(from.epoch, dst, pendingMsg{src: from.rank, tag: tag, data: buf})
	default:
		return fmt.Errorf("tcp: send to %d: epoch %d is over: %w", dst, from.epoch, comm.ErrClosed)
	}
	return nil
}

// readVec reads the payload of the data frame hd into the segments of w, a
// claimed vector receive, and completes w. A message longer than the
// segments is read and checked, then refused to the receiver; the
// connection stays usable. An error is the connection's.
func readVec(fr *frameReader, hd header, w *match.Waiter, addr string) error {
	src, tag, vec := int(hd.src), int(hd.tag), w.Vec()
	if room := match.Len(vec); hd.length > uint64(room) {
		if err := fr.discard(hd.length); err != nil {
			w.Fail(&comm.PeerError{Rank: src, Err: fmt.Errorf("tcp: read from %s: %w", addr, err)})
			return err
		}
		w.Fail(&comm.TooLongError{Source: src, Tag: tag, Len: int(hd.length), Room: room})
		return nil
	}
	n := int(hd.length)
	if err := fr.bodyVec(vec, n); err != nil {
		w.Fail(&comm.PeerError{Rank: src, Err: fmt.Errorf("tcp: read from %s: %w", addr, err)})
		return err
	}
	w.CompleteVec(src, tag, n) // the bytes are in place
	return nil
}

// bodyVec reads an n-byte payload into the segments vec (n <= their total
// length), in order, and checks it.
func (fr *frameReader) bodyVec(vec [][]byte, n int) error {
	var crc uint32
	for i := 0; n > 0; {
		if s := vec[i]; len(s) >= directRead {
			s = s[:min(len(s), n)]
			if err := fr.readInto(s, &crc); err != nil {
				return err
			}
			n -= len(s)
			i++
			continue
		}
		// A run of short segments: one read for all that fit a batch.
		j, k := i, 0
		for j < len(vec) && k < n && len(vec[j]) < directRead && k+len(vec[j]) <= vecBatch {
			k += len(vec[j])
			j++
		}
		k = min(k, n)
		if len(fr.scratch) < vecBatch {
			fr.scratch = make([]byte, max(chunk, vecBatch))
		}
		b := fr.scratch[:k]
		if err := fr.readInto(b, &crc); err != nil {
			return err
		}
		for ; i < j; i++ {
			b = b[copy(vec[i], b):]
		}
		n -= k
	}
	return fr.trailer(crc)
}

// readInto reads len(b) payload bytes into b, folding them into *crc, and
// moves the deadline before each read as body does.
func (fr *frameReader) readInto(b []byte, crc *uint32) error {
	for n := 0; n < len(b); {
		if fr.refresh != nil {
			fr.refresh()
		}
		k, err := fr.readSomeCRC(b[n:], crc)
		n += k
		if err != nil {
			return err
		}
	}
	return nil
}

// writeVecLocked sends one data frame whose payload is the n-byte
// concatenation of segs; wmu held. A small frame is assembled in the write
// buffer and written with one system call, as writeLocked does. A large
// one is written with writev: the header and runs of short segments from
// the write buffer, long segments from the caller's memory, about
// writeChunk bytes per call (the deadline is moved and the pieces summed
// between calls, while the peer reads them), then the trailer.
func (p *peer) writeVecLocked(hd header, segs [][]byte, n int) error {
	select {
	case <-p.dead:
		return p.deadErr()
	default:
	}
	hd.length = uint64(n)
	timeout := max(10*p.h.cfg.PeerTimeout, 5*time.Second)
	conn := p.conn
	if n <= smallFrame {
		size := headerLen + n + trailerLen
		if cap(p.wbuf) < size {
			p.wbuf = make([]byte, size, max(size, 512))
		}
		b := p.wbuf[:size]
		hd.encode(b)
		o := headerLen
		for _, s := range segs {
			o += copy(b[o:], s)
		}
		binary.LittleEndian.PutUint32(b[o:], crc32c.Checksum(b[headerLen:o]))
		p.extendWrite(timeout)
		_, err := conn.Write(b)
		return err
	}
	if cap(p.wbuf) < vecStage+trailerLen {
		p.wbuf = make([]byte, vecStage+trailerLen)
	}
	stage := p.wbuf[:vecStage]
	hd.encode(stage)
	// iov is what the next writev writes; the payload pieces among them
	// are summed after it (the header is iov[0] of the first write only),
	// a whole run of staged segments at a time.
	iov := append(p.wiov[:0], stage[:headerLen])
	skip := 1         // leading pieces of iov that are not payload
	used := headerLen // bytes of stage in iov
	pend := 0         // payload bytes in iov
	var crc uint32
	flush := func() error {
		sum := append(p.wsum[:0], iov[skip:]...) // WriteTo consumes iov
		p.wsum = sum[:0]
		p.wv = iov
		p.extendWrite(timeout)
		_, err := p.wv.WriteTo(conn)
		p.wv = nil
		if err != nil {
			return err
		}
		p.sending()
		for _, s := range sum {
			crc = crc32c.Update(crc, s)
		}
		clear(sum)
		iov, skip, used, pend = iov[:0], 0, 0, 0
		return nil
	}
	for i := 0; i < len(segs); {
		if s := segs[i]; len(s) >= directWrite {
			iov = append(iov, s)
			pend += len(s)
			i++
		} else {
			// A run of short segments, copied into one piece of stage.
			start := used
			for ; i < len(segs); i++ {
				s := segs[i]
				if len(s) >= directWrite || used+len(s) > vecStage {
					break
				}
				used += copy(stage[used:], s)
			}
			if used > start {
				iov = append(iov, stage[start:used])
				pend += used - start
			}
			if i < len(segs) && len(segs[i]) < directWrite { // stage full
				if err := flush(); err != nil {
					return err
				}
				continue
			}
		}
		if pend >= writeChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(iov) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	clear(iov[:cap(iov)]) // keep no caller memory alive
	p.wiov = iov[:0]
	tb := p.wbuf[vecStage : vecStage+trailerLen]
	binary.LittleEndian.PutUint32(tb, crc)
	_, err := conn.Write(tb)
	return err
}
