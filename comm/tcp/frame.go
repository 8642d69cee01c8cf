package tcp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/apollo-hpc/apollo/internal/crc32c"
)

// Wire format of one frame (little endian):
//
//	off len field
//	0   4   magic "APLF"
//	4   1   version (1)
//	5   1   kind
//	6   2   reserved, zero
//	8   8   epoch
//	16  4   source rank
//	20  4   destination rank
//	24  4   tag (int32)
//	28  8   payload length, at most the configured maximum
//	36  4   CRC32C of bytes 0..36
//	40  len payload
//	    4   CRC32C of the payload
//
// The header has its own checksum so that a corrupt length is refused before
// anything is allocated for it.
const (
	frameMagic   = "APLF"
	frameVersion = 1
	headerLen    = 40
	trailerLen   = 4
)

// Frame kinds.
const (
	kindData       = 1 // a message of an epoch
	kindHeartbeat  = 2 // liveness only
	kindHello      = 3 // first frame on a connection: the dialer's address
	kindRankClosed = 4 // rank src closed its endpoint of the epoch
	kindBye        = 5 // the sending host is shutting down
)

// maxHelloLen bounds the hello payload (a host address).
const maxHelloLen = 512

// errFrame marks a frame that does not parse; the connection is dropped.
var errFrame = errors.New("tcp: malformed frame")

// errYield stops a frame reader at a frame boundary because its goroutine
// was asked to give up reading; the connection is fine.
var errYield = errors.New("tcp: reader asked to yield")

type header struct {
	kind   uint8
	epoch  uint64
	src    uint32
	dst    uint32
	tag    int32
	length uint64
}

func (h *header) encode(b []byte) {
	copy(b[0:4], frameMagic)
	b[4] = frameVersion
	b[5] = h.kind
	b[6], b[7] = 0, 0
	le := binary.LittleEndian
	le.PutUint64(b[8:], h.epoch)
	le.PutUint32(b[16:], h.src)
	le.PutUint32(b[20:], h.dst)
	le.PutUint32(b[24:], uint32(h.tag))
	le.PutUint64(b[28:], h.length)
	le.PutUint32(b[36:], crc32c.Checksum(b[:36]))
}

// decodeHeader parses and checks a header; max bounds the payload length.
func decodeHeader(b []byte, max uint64) (header, error) {
	if len(b) < headerLen {
		return header{}, fmt.Errorf("%w: short header (%d bytes)", errFrame, len(b))
	}
	if string(b[0:4]) != frameMagic {
		return header{}, fmt.Errorf("%w: bad magic %q", errFrame, b[0:4])
	}
	if b[4] != frameVersion {
		return header{}, fmt.Errorf("%w: version %d, want %d", errFrame, b[4], frameVersion)
	}
	le := binary.LittleEndian
	if got, want := le.Uint32(b[36:]), crc32c.Checksum(b[:36]); got != want {
		return header{}, fmt.Errorf("%w: header checksum %08x, want %08x", errFrame, got, want)
	}
	h := header{
		kind:   b[5],
		epoch:  le.Uint64(b[8:]),
		src:    le.Uint32(b[16:]),
		dst:    le.Uint32(b[20:]),
		tag:    int32(le.Uint32(b[24:])),
		length: le.Uint64(b[28:]),
	}
	if b[6] != 0 || b[7] != 0 {
		return header{}, fmt.Errorf("%w: reserved bytes set", errFrame)
	}
	switch h.kind {
	case kindData:
	case kindHeartbeat, kindRankClosed, kindBye:
		if h.length != 0 {
			return header{}, fmt.Errorf("%w: kind %d with %d payload bytes", errFrame, h.kind, h.length)
		}
	case kindHello:
		if h.length > maxHelloLen {
			return header{}, fmt.Errorf("%w: hello of %d bytes", errFrame, h.length)
		}
	default:
		return header{}, fmt.Errorf("%w: unknown kind %d", errFrame, h.kind)
	}
	if h.length > max {
		return header{}, fmt.Errorf("%w: payload of %d bytes exceeds the limit of %d", errFrame, h.length, max)
	}
	return h, nil
}

// chunk is the unit in which payloads larger than bigAlloc grow and
// discarded payloads are read.
const chunk = 256 << 10

// writeChunk is the unit in which large payloads are written: each is summed
// right after its write, while the peer is reading it, and the write
// deadline is moved per piece so that a long message on a slow link is not
// mistaken for a dead peer. Pieces of 1 MiB rather than 256 KiB cut the
// system calls and the context switches (the reader is woken, and the
// writer preempted, about once per write) by a third.
const writeChunk = 1 << 20

// frameReader reads frames from a connection.
type frameReader struct {
	r       io.Reader
	max     uint64
	refresh func() // extends the read deadline; may be nil
	// onTimeout, if set, is called when a read times out; if it returns
	// true the read is retried (see Host's grace period).
	onTimeout func() bool
	// yield, if set, is asked before each header: true stops the reader
	// with errYield at this frame boundary. interrupted, if set, is asked
	// first on a timeout: true means the deadline was moved into the past
	// to stop the reader and has been re-armed; the read then ends with
	// errYield if no byte of a frame was read yet, and is retried if not.
	yield       func() bool
	interrupted func() bool
	boundary    bool // reading a header, nothing of it read yet
	hb          [headerLen]byte
	tb          [trailerLen]byte
	scratch     []byte
}

func (fr *frameReader) header() (header, error) {
	if fr.refresh != nil {
		fr.refresh()
	}
	// After refresh, which may push the deadline out again: a yield
	// requested before it is seen here, one after it by the past deadline.
	if fr.yield != nil && fr.yield() {
		return header{}, errYield
	}
	fr.boundary = true // until the first byte arrives
	_, err := fr.readFull(fr.hb[:])
	fr.boundary = false
	if err != nil {
		return header{}, err
	}
	return decodeHeader(fr.hb[:], fr.max)
}

// readFull reads exactly len(b) bytes; a short read at the end is
// io.ErrUnexpectedEOF.
func (fr *frameReader) readFull(b []byte) (int, error) {
	return fr.readFullCRC(b, nil)
}

// readFullCRC is readFull that also folds every piece into *crc (if not
// nil) as soon as it is read, while it is still in the cache.
func (fr *frameReader) readFullCRC(b []byte, crc *uint32) (int, error) {
	n := 0
	for n < len(b) {
		k, err := fr.readSomeCRC(b[n:], crc)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// readSomeCRC reads at least one byte into b (unless it fails), folding
// what it read into *crc (if not nil). A timeout is retried as onTimeout
// and interrupted decide; the end of the stream is io.ErrUnexpectedEOF
// unless this is a header of which nothing was read yet.
func (fr *frameReader) readSomeCRC(b []byte, crc *uint32) (int, error) {
	n := 0
	for {
		k, err := fr.r.Read(b[n:])
		if crc != nil && k > 0 {
			*crc = crc32c.Update(*crc, b[n:n+k])
		}
		n += k
		if n > 0 {
			fr.boundary = false // a frame has begun: no yield until its end
		}
		if err == nil || n == len(b) {
			if n > 0 || len(b) == 0 {
				return n, nil
			}
			continue
		}
		if n > 0 {
			// Report the bytes now; a lasting error comes back on the
			// next read.
			return n, nil
		}
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			if fr.interrupted != nil && fr.interrupted() {
				if fr.boundary {
					return 0, errYield
				}
				continue // finish the frame first; header sees the yield
			}
			if fr.onTimeout != nil && fr.onTimeout() {
				continue
			}
		}
		if errors.Is(err, io.EOF) && !fr.boundary {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
}

// body reads the payload of h into buf (len(buf) == h.length) and checks it.
// It asks for all that is left in each read, so that a large payload takes
// as few system calls (and wake-ups) as the kernel allows, and moves the
// deadline before each, so that a long message on a slow link is not
// mistaken for a dead peer.
func (fr *frameReader) body(buf []byte) error {
	var crc uint32
	for n := 0; n < len(buf); {
		if fr.refresh != nil {
			fr.refresh()
		}
		k, err := fr.readSomeCRC(buf[n:], &crc)
		n += k
		if err != nil {
			return err
		}
	}
	return fr.trailer(crc)
}

func (fr *frameReader) trailer(crc uint32) error {
	if fr.refresh != nil {
		fr.refresh()
	}
	if _, err := fr.readFull(fr.tb[:]); err != nil {
		return err
	}
	if got := binary.LittleEndian.Uint32(fr.tb[:]); got != crc {
		return fmt.Errorf("%w: payload checksum %08x, want %08x", errFrame, got, crc)
	}
	return nil
}

// bigAlloc is the largest payload buffer allocated up front; larger
// payloads grow as their bytes actually arrive, so a lying length costs at
// most what the peer really sends.
const bigAlloc = 16 << 20

// bodyAlloc reads the payload of an n-byte frame into a buffer from get.
func (fr *frameReader) bodyAlloc(n uint64, get func(int) []byte) ([]byte, error) {
	if n <= bigAlloc {
		buf := get(int(n))
		return buf, fr.body(buf)
	}
	buf := make([]byte, 0, bigAlloc)
	var crc uint32
	for uint64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow geometrically
		}
		j := min(uint64(cap(buf)), n, uint64(len(buf)+chunk))
		part := buf[len(buf):j]
		if fr.refresh != nil {
			fr.refresh()
		}
		if _, err := fr.readFullCRC(part, &crc); err != nil {
			return nil, err
		}
		buf = buf[:j]
	}
	return buf, fr.trailer(crc)
}

// discard reads and checks a payload nobody will receive.
func (fr *frameReader) discard(n uint64) error {
	if fr.scratch == nil {
		fr.scratch = make([]byte, chunk)
	}
	var crc uint32
	for n > 0 {
		k := min(n, chunk)
		if fr.refresh != nil {
			fr.refresh()
		}
		if _, err := fr.readFullCRC(fr.scratch[:k], &crc); err != nil {
			return err
		}
		n -= k
	}
	return fr.trailer(crc)
}
