// Package comm is apollo's message layer: a small MPI-like communicator of
// ranks with point-to-point messages, deterministic collectives and epochs,
// over interchangeable transports (in-process and TCP).
package comm

import (
	"context"
	"errors"
	"fmt"
)

// AnySource makes Recv accept a message from any rank.
const AnySource = -1

// MaxTag is the largest user tag. Negative tags are reserved for the
// collectives implemented in this package.
const MaxTag = 1<<30 - 1

// MinTag is the smallest tag a transport must carry; tags in [MinTag, 0) are
// used by the collectives of Comm.
const MinTag = -(1 << 30)

// Status describes a received message.
type Status struct {
	Source int // rank that sent it
	Tag    int
	Len    int // bytes
}

// Endpoint is what a transport provides: point-to-point messaging for one
// rank of one epoch. Messages between a pair of ranks with the same tag are
// delivered in the order they were sent. Implementations must be safe for one
// goroutine calling Send while another calls Recv.
//
// Send is eager: it must not wait for the matching Recv to be posted (the
// transport buffers unexpected messages), so that Sendrecv and the
// collectives, which send before they receive, cannot deadlock.
type Endpoint interface {
	Rank() int
	Size() int
	Epoch() uint64
	// Send delivers data to rank dst. data may be reused by the caller as
	// soon as Send returns.
	Send(ctx context.Context, dst, tag int, data []byte) error
	// Recv waits for a message from src (or AnySource) with tag. It stores
	// the message in buf if it fits (cap), else in a new slice, and returns
	// the slice holding the message.
	Recv(ctx context.Context, src, tag int, buf []byte) ([]byte, Status, error)
	// Close ends this endpoint's epoch: blocked calls return ErrClosed.
	Close() error
}

// ErrClosed is returned by every call on a communicator whose epoch has
// ended (Close, or the transport shut down).
var ErrClosed = errors.New("comm: epoch closed")

// PeerError reports that a call needed a rank whose process died or whose
// connection broke (or whose endpoint of this epoch was closed).
type PeerError struct {
	Rank int
	Err  error
}

func (e *PeerError) Error() string { return fmt.Sprintf("comm: peer rank %d lost: %v", e.Rank, e.Err) }
func (e *PeerError) Unwrap() error { return e.Err }
