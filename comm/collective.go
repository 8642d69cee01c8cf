package comm

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sync"
)

// Reserved tags of the collectives. Each Barrier round has its own tag so
// that per-(pair, tag) FIFO order keeps consecutive barriers apart.
const (
	tagBcast          = -1
	tagReduce         = -2
	tagAllreduceBcast = -3
	tagBarrierBase    = -16 // round k uses tagBarrierBase - k, k < 64
)

// Op is a reduction operator.
type Op int

// Reduction operators of AllreduceFloat64 and AllreduceInt64.
const (
	Sum Op = iota
	Min
	Max
)

func (o Op) String() string {
	switch o {
	case Sum:
		return "sum"
	case Min:
		return "min"
	case Max:
		return "max"
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Comm is a communicator: one rank's view of an epoch, with point-to-point
// calls passed to its Endpoint and collectives built once over them.
//
// Send and Recv may be called from several goroutines; collectives are
// serialised per Comm and must be called by every rank in the same order.
type Comm struct {
	ep   Endpoint
	rank int
	size int

	mu   sync.Mutex // guards the scratch buffers of the collectives
	sbuf []byte
	rbuf []byte
	f64  []float64
	i64  []int64

	vmu   sync.Mutex // guards vbufs
	vbufs [][]byte   // free packing buffers of the vector calls
}

// New wraps a transport endpoint in a communicator.
func New(ep Endpoint) *Comm {
	return &Comm{ep: ep, rank: ep.Rank(), size: ep.Size()}
}

// Rank is this rank's index in [0, Size()).
func (c *Comm) Rank() int { return c.rank }

// Size is the number of ranks.
func (c *Comm) Size() int { return c.size }

// Epoch is the epoch this communicator belongs to.
func (c *Comm) Epoch() uint64 { return c.ep.Epoch() }

// Close ends the epoch for this rank: blocked and later calls return an
// error wrapping ErrClosed.
func (c *Comm) Close() error { return c.ep.Close() }

func (c *Comm) checkRank(r int, what string) error {
	if r < 0 || r >= c.size {
		return fmt.Errorf("comm: %s rank %d out of range [0,%d)", what, r, c.size)
	}
	return nil
}

func checkTag(tag int) error {
	if tag < 0 || tag > MaxTag {
		return fmt.Errorf("comm: tag %d out of range [0,%d]", tag, MaxTag)
	}
	return nil
}

// Send delivers data to rank dst with a user tag in [0, MaxTag]. data may be
// reused as soon as Send returns.
func (c *Comm) Send(ctx context.Context, dst, tag int, data []byte) error {
	if err := c.checkRank(dst, "destination"); err != nil {
		return err
	}
	if err := checkTag(tag); err != nil {
		return err
	}
	return c.ep.Send(ctx, dst, tag, data)
}

// Recv waits for a message from src (or AnySource) with tag. The message is
// stored in buf if its capacity suffices, else in a new slice.
func (c *Comm) Recv(ctx context.Context, src, tag int, buf []byte) ([]byte, Status, error) {
	if src != AnySource {
		if err := c.checkRank(src, "source"); err != nil {
			return nil, Status{}, err
		}
	}
	if err := checkTag(tag); err != nil {
		return nil, Status{}, err
	}
	return c.ep.Recv(ctx, src, tag, buf)
}

// Sendrecv sends to dst and receives from src; it cannot deadlock with a
// matching Sendrecv on the peer because sends are eager.
func (c *Comm) Sendrecv(ctx context.Context, send []byte, dst, sendTag int, recvBuf []byte, src, recvTag int) ([]byte, Status, error) {
	if err := c.Send(ctx, dst, sendTag, send); err != nil {
		return nil, Status{}, fmt.Errorf("comm: sendrecv: %w", err)
	}
	out, st, err := c.Recv(ctx, src, recvTag, recvBuf)
	if err != nil {
		return nil, Status{}, fmt.Errorf("comm: sendrecv: %w", err)
	}
	return out, st, nil
}

// SendVec sends the concatenation of segs to dst with a user tag: Send
// without packing the segments first (see VecEndpoint).
func (c *Comm) SendVec(ctx context.Context, dst, tag int, segs [][]byte) error {
	if err := c.checkRank(dst, "destination"); err != nil {
		return err
	}
	if err := checkTag(tag); err != nil {
		return err
	}
	if v, ok := c.ep.(VecEndpoint); ok {
		return v.SendVec(ctx, dst, tag, segs)
	}
	buf := gatherSegs(c.getVecBuf(), segs)
	defer c.putVecBuf(buf)
	return c.ep.Send(ctx, dst, tag, buf)
}

// RecvVec receives a message from src (or AnySource) with tag into the
// segments vec, in order: Recv without unpacking afterwards. A message
// longer than vec's total length is an error.
func (c *Comm) RecvVec(ctx context.Context, src, tag int, vec [][]byte) (Status, error) {
	if src != AnySource {
		if err := c.checkRank(src, "source"); err != nil {
			return Status{}, err
		}
	}
	if err := checkTag(tag); err != nil {
		return Status{}, err
	}
	if v, ok := c.ep.(VecEndpoint); ok {
		return v.RecvVec(ctx, src, tag, vec)
	}
	return c.recvVecPacked(ctx, src, tag, vec)
}

// SendrecvVec is Sendrecv for segmented messages (see VecEndpoint): it
// sends the concatenation of send to dst and receives a message from src
// into the segments recv. send must not change until it returns.
func (c *Comm) SendrecvVec(ctx context.Context, send [][]byte, dst, sendTag int, recv [][]byte, src, recvTag int) (Status, error) {
	if err := c.checkRank(dst, "destination"); err != nil {
		return Status{}, err
	}
	if src != AnySource {
		if err := c.checkRank(src, "source"); err != nil {
			return Status{}, err
		}
	}
	if err := checkTag(sendTag); err != nil {
		return Status{}, err
	}
	if err := checkTag(recvTag); err != nil {
		return Status{}, err
	}
	if v, ok := c.ep.(VecEndpoint); ok {
		st, err := v.SendrecvVec(ctx, send, dst, sendTag, recv, src, recvTag)
		if err != nil {
			return Status{}, fmt.Errorf("comm: sendrecv: %w", err)
		}
		return st, nil
	}
	buf := gatherSegs(c.getVecBuf(), send)
	err := c.ep.Send(ctx, dst, sendTag, buf)
	c.putVecBuf(buf)
	if err != nil {
		return Status{}, fmt.Errorf("comm: sendrecv: %w", err)
	}
	st, err := c.recvVecPacked(ctx, src, recvTag, recv)
	if err != nil {
		return Status{}, fmt.Errorf("comm: sendrecv: %w", err)
	}
	return st, nil
}

// recvVecPacked receives into a packing buffer and scatters it over vec.
func (c *Comm) recvVecPacked(ctx context.Context, src, tag int, vec [][]byte) (Status, error) {
	room := 0
	for _, s := range vec {
		room += len(s)
	}
	buf := c.getVecBuf()
	if cap(buf) < room {
		buf = make([]byte, room)
	}
	defer c.putVecBuf(buf)
	got, st, err := c.ep.Recv(ctx, src, tag, buf[:room])
	if err != nil {
		return Status{}, err
	}
	if len(got) > room {
		return Status{}, &TooLongError{Source: st.Source, Tag: tag, Len: len(got), Room: room}
	}
	for _, s := range vec {
		got = got[copy(s, got):]
	}
	return st, nil
}

// getVecBuf and putVecBuf keep the packing buffers of the vector calls on
// endpoints without VecEndpoint, so that steady exchanges do not allocate;
// no lock is held while a buffer is in use, since vector calls of several
// goroutines may wait on each other's messages.
func (c *Comm) getVecBuf() []byte {
	c.vmu.Lock()
	defer c.vmu.Unlock()
	n := len(c.vbufs)
	if n == 0 {
		return nil
	}
	b := c.vbufs[n-1]
	c.vbufs = c.vbufs[:n-1]
	return b
}

func (c *Comm) putVecBuf(b []byte) {
	c.vmu.Lock()
	c.vbufs = append(c.vbufs, b[:0])
	c.vmu.Unlock()
}

// gatherSegs returns buf, grown as needed, holding the concatenation of
// segs.
func gatherSegs(buf []byte, segs [][]byte) []byte {
	buf = buf[:0]
	for _, s := range segs {
		buf = append(buf, s...)
	}
	return buf
}

// Barrier returns once every rank has entered it (dissemination barrier,
// ceil(log2 size) rounds).
func (c *Comm) Barrier(ctx context.Context) error {
	for k, dist := 0, 1; dist < c.size; k, dist = k+1, dist<<1 {
		tag := tagBarrierBase - k
		dst := (c.rank + dist) % c.size
		src := (c.rank - dist + c.size) % c.size
		// Empty messages: nil buffers, so a barrier allocates nothing.
		if err := c.ep.Send(ctx, dst, tag, nil); err != nil {
			return fmt.Errorf("comm: barrier round %d: %w", k, err)
		}
		if _, _, err := c.ep.Recv(ctx, src, tag, nil); err != nil {
			return fmt.Errorf("comm: barrier round %d: %w", k, err)
		}
	}
	return nil
}

// Bcast returns root's data on every rank (binomial tree). On other ranks
// data's capacity is used as the receive buffer when it is large enough, as
// in MPI; the returned slice holds the message.
func (c *Comm) Bcast(ctx context.Context, root int, data []byte) ([]byte, error) {
	if err := c.checkRank(root, "root"); err != nil {
		return nil, err
	}
	out, err := c.bcast(ctx, root, tagBcast, data)
	if err != nil {
		return nil, fmt.Errorf("comm: bcast from %d: %w", root, err)
	}
	return out, nil
}

// bcast is a binomial-tree broadcast over relative ranks vr = rank-root.
func (c *Comm) bcast(ctx context.Context, root, tag int, data []byte) ([]byte, error) {
	size := c.size
	vr := (c.rank - root + size) % size
	mask := 1
	for mask < size {
		if vr&mask != 0 {
			src := (vr - mask + root) % size
			var err error
			data, _, err = c.ep.Recv(ctx, src, tag, data[:0])
			if err != nil {
				return nil, err
			}
			break
		}
		mask <<= 1
	}
	for mask >>= 1; mask > 0; mask >>= 1 {
		if vr+mask < size {
			dst := (vr + mask + root) % size
			if err := c.ep.Send(ctx, dst, tag, data); err != nil {
				return nil, err
			}
		}
	}
	return data, nil
}

// reduce combines every rank's c.sbuf into rank 0's c.sbuf over a fixed
// binomial tree: at each node acc = acc op child, children in increasing
// distance. The order of operations depends only on the rank count, never
// on message timing, so the result's bits are reproducible.
func (c *Comm) reduce(ctx context.Context, combine func(acc, in []byte)) error {
	for mask := 1; mask < c.size; mask <<= 1 {
		if c.rank&mask != 0 {
			return c.ep.Send(ctx, c.rank-mask, tagReduce, c.sbuf)
		}
		child := c.rank | mask
		if child >= c.size {
			continue
		}
		in, _, err := c.ep.Recv(ctx, child, tagReduce, c.rbuf[:0])
		if err != nil {
			return err
		}
		if cap(in) > cap(c.rbuf) {
			c.rbuf = in[:0]
		}
		if len(in) != len(c.sbuf) {
			return fmt.Errorf("comm: rank %d contributed %d bytes, want %d (mismatched collective)", child, len(in), len(c.sbuf))
		}
		combine(c.sbuf, in)
	}
	return nil
}

// allreduceBytes reduces c.sbuf to rank 0 and broadcasts the result back,
// leaving it in c.sbuf on every rank.
func (c *Comm) allreduceBytes(ctx context.Context, combine func(acc, in []byte)) error {
	if err := c.reduce(ctx, combine); err != nil {
		return err
	}
	n := len(c.sbuf)
	out, err := c.bcast(ctx, 0, tagAllreduceBcast, c.sbuf)
	if err != nil {
		return err
	}
	if len(out) != n {
		return fmt.Errorf("comm: allreduce result has %d bytes, want %d (mismatched collective)", len(out), n)
	}
	c.sbuf = out
	return nil
}

func (c *Comm) growSend(n int) {
	if cap(c.sbuf) < n {
		c.sbuf = make([]byte, n)
	}
	c.sbuf = c.sbuf[:n]
}

// AllreduceFloat64 combines in over all ranks with op and stores the result
// in out on every rank. in and out may alias. The combination order is fixed
// (binomial tree to rank 0, then broadcast), so every rank gets the same bits
// and repeated runs with the same inputs and rank count agree bit for bit.
// Min and Max propagate NaN.
func (c *Comm) AllreduceFloat64(ctx context.Context, op Op, in, out []float64) error {
	if len(in) != len(out) {
		return fmt.Errorf("comm: allreduce float64: len(in)=%d != len(out)=%d", len(in), len(out))
	}
	var combine func(acc, in []byte)
	switch op {
	case Sum:
		combine = sumF64
	case Min:
		combine = minF64
	case Max:
		combine = maxF64
	default:
		return fmt.Errorf("comm: allreduce float64: unknown op %v", op)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.growSend(8 * len(in))
	b := c.sbuf
	for i := 0; i < len(in); i++ {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(in[i]))
	}
	if err := c.allreduceBytes(ctx, combine); err != nil {
		return fmt.Errorf("comm: allreduce float64 %v: %w", op, err)
	}
	b = c.sbuf
	for i := 0; i < len(out); i++ {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return nil
}

// AllreduceInt64 is AllreduceFloat64 for int64; Sum wraps around (two's
// complement).
func (c *Comm) AllreduceInt64(ctx context.Context, op Op, in, out []int64) error {
	if len(in) != len(out) {
		return fmt.Errorf("comm: allreduce int64: len(in)=%d != len(out)=%d", len(in), len(out))
	}
	var combine func(acc, in []byte)
	switch op {
	case Sum:
		combine = sumI64
	case Min:
		combine = minI64
	case Max:
		combine = maxI64
	default:
		return fmt.Errorf("comm: allreduce int64: unknown op %v", op)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.growSend(8 * len(in))
	b := c.sbuf
	for i := 0; i < len(in); i++ {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(in[i]))
	}
	if err := c.allreduceBytes(ctx, combine); err != nil {
		return fmt.Errorf("comm: allreduce int64 %v: %w", op, err)
	}
	b = c.sbuf
	for i := 0; i < len(out); i++ {
		out[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return nil
}

// The combiners decode little-endian words in place: acc[i] = acc[i] op in[i].

func sumF64(acc, in []byte) {
	le := binary.LittleEndian
	for i := 0; i+8 <= len(acc); i += 8 {
		v := math.Float64frombits(le.Uint64(acc[i:])) + math.Float64frombits(le.Uint64(in[i:]))
		le.PutUint64(acc[i:], math.Float64bits(v))
	}
}

func minF64(acc, in []byte) {
	le := binary.LittleEndian
	for i := 0; i+8 <= len(acc); i += 8 {
		v := min(math.Float64frombits(le.Uint64(acc[i:])), math.Float64frombits(le.Uint64(in[i:])))
		le.PutUint64(acc[i:], math.Float64bits(v))
	}
}

func maxF64(acc, in []byte) {
	le := binary.LittleEndian
	for i := 0; i+8 <= len(acc); i += 8 {
		v := max(math.Float64frombits(le.Uint64(acc[i:])), math.Float64frombits(le.Uint64(in[i:])))
		le.PutUint64(acc[i:], math.Float64bits(v))
	}
}

func sumI64(acc, in []byte) {
	le := binary.LittleEndian
	for i := 0; i+8 <= len(acc); i += 8 {
		le.PutUint64(acc[i:], le.Uint64(acc[i:])+le.Uint64(in[i:]))
	}
}

func minI64(acc, in []byte) {
	le := binary.LittleEndian
	for i := 0; i+8 <= len(acc); i += 8 {
		v := min(int64(le.Uint64(acc[i:])), int64(le.Uint64(in[i:])))
		le.PutUint64(acc[i:], uint64(v))
	}
}

func maxI64(acc, in []byte) {
	le := binary.LittleEndian
	for i := 0; i+8 <= len(acc); i += 8 {
		v := max(int64(le.Uint64(acc[i:])), int64(le.Uint64(in[i:])))
		le.PutUint64(acc[i:], uint64(v))
	}
}
