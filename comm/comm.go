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

// TooLongError reports a message longer than the receive vector given for
// it (RecvVec, SendrecvVec). The message is dropped; the stream of later
// messages is not disturbed.
type TooLongError struct {
	Source, Tag int
	Len, Room   int // the message's bytes, the vector's
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("comm: recv from %d tag %d: message of %d bytes exceeds the %d-byte receive vector", e.Source, e.Tag, e.Len, e.Room)
}

// VecEndpoint is implemented by transports that move a message made of
// several segments (the rows of a field's face, say) without packing it
// into one buffer first. Comm's SendVec, RecvVec and SendrecvVec use it when
// the endpoint has it and pack and unpack around Send and Recv otherwise,
// with the same results. The message is the concatenation of the
// segments; it is received into the receive segments in order and may be
// shorter than they are (Status.Len tells), never longer. Vector and plain
// calls match each other.
type VecEndpoint interface {
	// SendVec is Send of the concatenation of segs.
	SendVec(ctx context.Context, dst, tag int, segs [][]byte) error
	// RecvVec is Recv into the segments vec.
	RecvVec(ctx context.Context, src, tag int, vec [][]byte) (Status, error)
	// SendrecvVec sends send to dst and receives into recv from src. It
	// returns once the receive is complete, as Send then Recv would: it
	// never waits for the destination to receive. Until it returns, send's
	// bytes must not change (the transport may copy them out later in the
	// call).
	SendrecvVec(ctx context.Context, send [][]byte, dst, sendTag int, recv [][]byte, src, recvTag int) (Status, error)
}
