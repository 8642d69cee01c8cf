package coord

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"net"
	"net/netip"
	"time"
)

// The lease channel: heartbeats as single UDP datagrams on the API's port
// number, for clusters where one HTTP request per node per second costs the
// leader too much. Same key, same answers as POST /v1/heartbeat.
//
// Request (version 1, type 1):
//
//	version u8 | type u8 | idlen u8 | id [idlen] | epoch u64 | seq u64 | unix-ms i64 | crc32c u32 | mac [16]
//
// Reply (version 1, type 2):
//
//	version u8 | type u8 | status u8 | member-state u8 | flags u8 | seq u64 | epoch u64 | state-version u64 |
//	checkpoint-seq u64 | crc32c u32 | mac [16]
//
// crc32c covers the bytes before it; mac is HMAC-SHA256(key, bytes before
// it) truncated to 128 bits. A request is accepted only with a valid MAC, a
// date within MaxSkew and a sequence number above the last one seen for the
// node (no replays); integers are big endian.
const (
	beatVersion  = 1
	beatRequest  = 1
	beatReply    = 2
	beatMACLen   = 16
	beatMaxLen   = 3 + maxIDLen + 24 + 4 + beatMACLen
	beatReplyLen = 5 + 32 + 4 + beatMACLen
)

// Beat statuses.
const (
	beatOK byte = iota
	beatFenced
	beatUnknown
	beatNotLeader
)

var beatStates = []MemberState{"", Joining, Alive, Draining, Dead, Pulled}

func stateByte(s MemberState) byte {
	for i, x := range beatStates {
		if x == s {
			return byte(i)
		}
	}
	return 0
}

type beatReq struct {
	node  string
	epoch uint64
	seq   uint64
	ms    int64
}

type beatMAC struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

func newBeatMAC(key []byte) *beatMAC { return &beatMAC{h: hmac.New(sha256.New, key)} }

func (m *beatMAC) tag(b []byte) []byte {
	m.h.Reset()
	m.h.Write(b)
	return m.h.Sum(m.sum[:0])[:beatMACLen]
}

// seal appends crc32c and mac to b (which holds the body).
func (m *beatMAC) seal(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	return append(b, m.tag(b)...)
}

// open checks length, crc and mac of a datagram and returns its body.
func (m *beatMAC) open(b []byte) ([]byte, error) {
	if len(b) < 2+4+beatMACLen || len(b) > beatMaxLen {
		return nil, fmt.Errorf("%w: datagram of %d bytes", ErrBadCommand, len(b))
	}
	body := b[:len(b)-4-beatMACLen]
	if binary.BigEndian.Uint32(b[len(body):]) != crc32.Checksum(body, castagnoli) {
		return nil, fmt.Errorf("%w: datagram checksum", ErrBadCommand)
	}
	if !hmac.Equal(m.tag(b[:len(b)-beatMACLen]), b[len(b)-beatMACLen:]) {
		return nil, fmt.Errorf("%w: datagram mac", ErrAuth)
	}
	if body[0] != beatVersion {
		return nil, fmt.Errorf("%w: datagram version %d", ErrBadCommand, body[0])
	}
	return body, nil
}

func appendBeatRequest(b []byte, m *beatMAC, r beatReq) []byte {
	b = append(b, beatVersion, beatRequest, byte(len(r.node)))
	b = append(b, r.node...)
	b = binary.BigEndian.AppendUint64(b, r.epoch)
	b = binary.BigEndian.AppendUint64(b, r.seq)
	b = binary.BigEndian.AppendUint64(b, uint64(r.ms))
	return m.seal(b)
}

func parseBeatRequest(m *beatMAC, b []byte) (beatReq, error) {
	body, err := m.open(b)
	if err != nil {
		return beatReq{}, err
	}
	if len(body) < 3 || body[1] != beatRequest {
		return beatReq{}, fmt.Errorf("%w: not a heartbeat", ErrBadCommand)
	}
	n := int(body[2])
	if len(body) != 3+n+24 {
		return beatReq{}, fmt.Errorf("%w: heartbeat length", ErrBadCommand)
	}
	r := beatReq{node: string(body[3 : 3+n])}
	p := body[3+n:]
	r.epoch = binary.BigEndian.Uint64(p)
	r.seq = binary.BigEndian.Uint64(p[8:])
	r.ms = int64(binary.BigEndian.Uint64(p[16:]))
	if !validID(r.node) {
		return beatReq{}, fmt.Errorf("%w: bad node id", ErrBadCommand)
	}
	return r, nil
}

type beatRep struct {
	status byte
	state  MemberState
	paused bool
	seq    uint64
	HeartbeatReply
}

func appendBeatReply(b []byte, m *beatMAC, r beatRep) []byte {
	var flags byte
	if r.paused {
		flags = 1
	}
	b = append(b, beatVersion, beatReply, r.status, stateByte(r.state), flags)
	b = binary.BigEndian.AppendUint64(b, r.seq)
	b = binary.BigEndian.AppendUint64(b, r.Epoch)
	b = binary.BigEndian.AppendUint64(b, r.Version)
	b = binary.BigEndian.AppendUint64(b, r.CheckpointSeq)
	return m.seal(b)
}

func parseBeatReply(m *beatMAC, b []byte) (beatRep, error) {
	body, err := m.open(b)
	if err != nil {
		return beatRep{}, err
	}
	if len(body) != 5+32 || body[1] != beatReply || int(body[3]) >= len(beatStates) {
		return beatRep{}, fmt.Errorf("%w: not a heartbeat reply", ErrBadCommand)
	}
	r := beatRep{status: body[2], state: beatStates[body[3]], paused: body[4]&1 != 0}
	p := body[5:]
	r.seq = binary.BigEndian.Uint64(p)
	r.Epoch = binary.BigEndian.Uint64(p[8:])
	r.Version = binary.BigEndian.Uint64(p[16:])
	r.CheckpointSeq = binary.BigEndian.Uint64(p[24:])
	r.HeartbeatReply.State = r.state
	r.HeartbeatReply.Paused = r.paused
	return r, nil
}

// serveBeats answers heartbeat datagrams until the socket closes.
func (s *Server) serveBeats(pc *net.UDPConn) {
	defer s.wg.Done()
	m := newBeatMAC(s.cfg.Key)
	in := make([]byte, 512)
	out := make([]byte, 0, beatReplyLen)
	for {
		n, from, err := pc.ReadFromUDPAddrPort(in)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		s.met.beats.Inc()
		req, err := parseBeatRequest(m, in[:n])
		if err != nil {
			s.met.beatErrors.Inc()
			continue // no answer to what does not authenticate
		}
		if d := time.Since(time.UnixMilli(req.ms)); d > MaxSkew || d < -MaxSkew {
			s.met.beatErrors.Inc()
			continue
		}
		rep := s.beat(req)
		if rep.status != beatOK {
			s.met.beatErrors.Inc()
		}
		out = appendBeatReply(out[:0], m, rep)
		pc.WriteToUDPAddrPort(out, from)
	}
}

// beat renews the lease of req.node if the request is fresh.
func (s *Server) beat(req beatReq) beatRep {
	rep := beatRep{seq: req.seq}
	if !s.ready() {
		rep.status = beatNotLeader
		return rep
	}
	s.fsm.View(func(st *State) {
		rep.Epoch, rep.Version, rep.CheckpointSeq, rep.paused = st.Epoch, st.Version, st.CheckpointSeq, st.Paused
		m, ok := st.Members[req.node]
		switch {
		case !ok:
			rep.status = beatUnknown
		case !m.State.Live():
			rep.status, rep.state = beatFenced, m.State
		default:
			rep.state = m.State
		}
	})
	if rep.status != beatOK {
		return rep
	}
	s.leaseMu.Lock()
	if last := s.beatSeq[req.node]; req.seq <= last {
		s.leaseMu.Unlock()
		rep.status = beatUnknown // a replay: renew nothing
		return rep
	}
	s.beatSeq[req.node] = req.seq
	s.leases[req.node] = time.Now()
	s.leaseMu.Unlock()
	return rep
}

// Beater sends one node's heartbeats over the lease channel (UDP). It is not
// safe for concurrent use; a node owns one.
type Beater struct {
	node  string
	addrs []string
	cur   int
	conn  *net.UDPConn
	mac   *beatMAC
	seq   uint64
	buf   []byte
	in    []byte
	// Timeout is how long one attempt waits for the reply before trying the
	// next replica (default 1 s: a resend adds load exactly when the leader is
	// slow, so the first wait is long; later waits double up to 2 s).
	Timeout time.Duration
}

// NewBeater returns a Beater for node that talks to the replicas at addrs
// (the same host:port list as the HTTP client: the lease channel listens on
// UDP at the API's port number).
func NewBeater(addrs []string, key []byte, node string) (*Beater, error) {
	if !validID(node) || len(addrs) == 0 {
		return nil, fmt.Errorf("coord: beater: bad node id %q or no addresses", node)
	}
	var seed [8]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return nil, fmt.Errorf("coord: beater: %w", err)
	}
	// Start the sequence at the clock (in µs) so a restarted node stays above
	// the numbers it used before; the random low bits are only tie-breaking.
	seq := uint64(time.Now().UnixMicro())<<8 | uint64(seed[0])
	return &Beater{node: node, addrs: append([]string(nil), addrs...), mac: newBeatMAC(key), seq: seq,
		buf: make([]byte, 0, beatMaxLen), in: make([]byte, 512), Timeout: time.Second}, nil
}

// Close releases the socket.
func (b *Beater) Close() error {
	if b.conn == nil {
		return nil
	}
	err := b.conn.Close()
	b.conn = nil
	return err
}

// Beat renews the node's lease and returns what the leader says; like
// Client.Heartbeat, errors.Is(err, ErrFenced) means the node must stop and
// register again. It retries until ctx ends: on the same replica with a
// doubling wait (a reply to any attempt of this Beat counts, so an
// overloaded leader is not flooded with retries), and on the next replica
// when one says it is not the leader or stays silent.
func (b *Beater) Beat(ctx context.Context, epoch uint64) (HeartbeatReply, error) {
	var last error
	first := b.seq + 1
	wait := b.Timeout
	pause := 10 * time.Millisecond
	for tries := 0; ; tries++ {
		if err := ctx.Err(); err != nil {
			return HeartbeatReply{}, fmt.Errorf("coord: heartbeat: %w (last error: %v)", err, last)
		}
		rep, err := b.once(ctx, epoch, first, wait)
		if err == nil {
			switch rep.status {
			case beatOK:
				return rep.HeartbeatReply, nil
			case beatFenced:
				return rep.HeartbeatReply, &APIError{Status: 410, Code: "fenced", Msg: b.node + " is " + string(rep.state), Epoch: rep.Epoch}
			case beatUnknown:
				return rep.HeartbeatReply, &APIError{Status: 404, Code: "unknown_node", Msg: b.node, Epoch: rep.Epoch}
			}
			err = ErrNotLeader
			// Give an election time to finish before asking around again.
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Millisecond):
			}
		} else {
			wait = min(2*wait, 2*time.Second)
			if ne := net.Error(nil); !errors.As(err, &ne) || !ne.Timeout() {
				// Refused at once (no replica listening: the controller
				// is down): without a pause the retries would take a
				// whole core until ctx ends.
				select {
				case <-ctx.Done():
				case <-time.After(pause):
				}
				pause = min(2*pause, 200*time.Millisecond)
			}
		}
		last = err
		if len(b.addrs) > 1 {
			b.Close()
			b.cur = (b.cur + 1) % len(b.addrs)
			first = b.seq + 1 // replies from the previous replica are not wanted
		}
	}
}

// once sends one attempt and waits up to wait for a reply to it or to an
// earlier attempt numbered from first.
func (b *Beater) once(ctx context.Context, epoch, first uint64, wait time.Duration) (beatRep, error) {
	if b.conn == nil {
		ap, err := netip.ParseAddrPort(b.addrs[b.cur])
		if err != nil {
			ua, rerr := net.ResolveUDPAddr("udp", b.addrs[b.cur])
			if rerr != nil {
				return beatRep{}, fmt.Errorf("coord: heartbeat address %q: %w", b.addrs[b.cur], rerr)
			}
			ap = ua.AddrPort()
		}
		c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(ap))
		if err != nil {
			return beatRep{}, fmt.Errorf("coord: heartbeat dial: %w", err)
		}
		b.conn = c
	}
	b.seq++
	b.buf = appendBeatRequest(b.buf[:0], b.mac, beatReq{node: b.node, epoch: epoch, seq: b.seq, ms: time.Now().UnixMilli()})
	deadline := time.Now().Add(wait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	b.conn.SetDeadline(deadline)
	if _, err := b.conn.Write(b.buf); err != nil {
		return beatRep{}, fmt.Errorf("coord: heartbeat send: %w", err)
	}
	for {
		n, err := b.conn.Read(b.in)
		if err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				b.Close() // e.g. ICMP port unreachable: start afresh next time
			}
			return beatRep{}, fmt.Errorf("coord: heartbeat receive: %w", err)
		}
		rep, err := parseBeatReply(b.mac, b.in[:n])
		if err != nil || rep.seq < first || rep.seq > b.seq {
			continue // a reply to an earlier Beat, or noise
		}
		return rep, nil
	}
}
