// Package tcp is comm's TCP transport. A Host is one process's presence in
// the cluster: it listens, keeps one authenticated connection per peer
// process across epochs, and hands out comm.Endpoints for the ranks it runs.
package tcp

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/auth"
	"github.com/apollo-hpc/apollo/comm/internal/match"
	"github.com/apollo-hpc/apollo/internal/crc32c"
)

// Config configures a Host. Zero durations and sizes take the defaults.
type Config struct {
	Listen    string // address to listen on, e.g. "127.0.0.1:0" or ":7070"
	Advertise string // address peers dial (the rank map's entry); default the listener's
	Key       []byte // cluster key, at least auth.MinKeyLen bytes
	Logger    *slog.Logger

	MaxFrame         uint64        // largest message in bytes; default 1 GiB
	Heartbeat        time.Duration // interval of liveness frames; default 100 ms
	PeerTimeout      time.Duration // silence after which a peer is dead (plus a grace of one heartbeat); default 450 ms
	ConnectTimeout   time.Duration // how long a peer may take to appear; default 10 s
	HandshakeTimeout time.Duration // default 2 s
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxFrame == 0 {
		c.MaxFrame = 1 << 30
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = 100 * time.Millisecond
	}
	if c.PeerTimeout == 0 {
		c.PeerTimeout = 450 * time.Millisecond
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = 10 * time.Second
	}
	if c.HandshakeTimeout == 0 {
		c.HandshakeTimeout = 2 * time.Second
	}
}

// Host is one process's transport: it lives across epochs.
type Host struct {
	cfg  Config
	log  *slog.Logger
	ln   net.Listener
	addr string
	done chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	epoch   uint64                  // newest epoch an endpoint was made for
	peers   map[string]*peer        // by advertised address
	eps     map[epRank]*endpoint    // endpoints of the current epoch
	pending map[epRank][]pendingMsg // messages for endpoints not made yet
	gone    map[epRank]struct{}     // ranks that closed, by (epoch, rank)
	conns   map[net.Conn]struct{}   // connections in handshake
}

type epRank struct {
	epoch uint64
	rank  int
}

type pendingMsg struct {
	from     *peer // nil for a co-located sender
	src, tag int
	data     []byte
}

// NewHost starts listening and serving peers.
func NewHost(cfg Config) (*Host, error) {
	cfg.defaults()
	if len(cfg.Key) < auth.MinKeyLen {
		return nil, fmt.Errorf("tcp: cluster key has %d bytes, need at least %d", len(cfg.Key), auth.MinKeyLen)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("tcp: listen: %w", err)
	}
	addr := cfg.Advertise
	if addr == "" {
		addr = ln.Addr().String()
		if ta, ok := ln.Addr().(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
			cfg.Logger.Warn("comm host listens on a wildcard address and advertises it; set Advertise to an address peers can dial", "addr", addr)
		}
	}
	h := &Host{
		cfg: cfg, log: cfg.Logger.With("host", addr), ln: ln, addr: addr, done: make(chan struct{}),
		peers: map[string]*peer{}, eps: map[epRank]*endpoint{}, pending: map[epRank][]pendingMsg{},
		gone: map[epRank]struct{}{}, conns: map[net.Conn]struct{}{},
	}
	h.wg.Add(1)
	go h.acceptLoop()
	return h, nil
}

// Addr is the address peers dial to reach this host.
func (h *Host) Addr() string { return h.addr }

// Close shuts the host down: every endpoint's calls return ErrClosed, every
// connection is closed, and all goroutines have ended when it returns.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	close(h.done)
	err := h.ln.Close()
	eps := make([]*endpoint, 0, len(h.eps))
	for _, e := range h.eps {
		eps = append(eps, e)
	}
	peers := make([]*peer, 0, len(h.peers))
	for _, p := range h.peers {
		peers = append(peers, p)
	}
	for c := range h.conns {
		c.Close()
	}
	h.pending = map[epRank][]pendingMsg{}
	h.mu.Unlock()
	for _, e := range eps {
		e.closeBox(fmt.Errorf("tcp: host %s closed: %w", h.addr, comm.ErrClosed))
	}
	for _, p := range peers {
		p.bye()
		p.kill(fmt.Errorf("host closed: %w", comm.ErrClosed))
	}
	h.wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("tcp: close listener: %w", err)
	}
	return nil
}

// Endpoint returns rank's endpoint of epoch. addrs maps every rank of the
// epoch to its host's advertised address; addrs[rank] must be this host.
// Several ranks may share a host; messages between them never touch a
// socket. Making an endpoint of a newer epoch closes this host's endpoints
// of older epochs (their blocked calls return ErrClosed) and from then on
// drops messages of older epochs.
//
// Of each pair of hosts the one with the lower address dials, when it makes
// its first endpoint naming the other; a Send towards a host that has not
// joined yet waits for it (up to ConnectTimeout, then *comm.PeerError), and
// messages that arrive before their endpoint exists are kept for it.
func (h *Host) Endpoint(epoch uint64, rank int, addrs []string) (comm.Endpoint, error) {
	if rank < 0 || rank >= len(addrs) {
		return nil, fmt.Errorf("tcp: rank %d out of range [0,%d)", rank, len(addrs))
	}
	if addrs[rank] != h.addr {
		return nil, fmt.Errorf("tcp: rank %d is mapped to %s, not to this host %s", rank, addrs[rank], h.addr)
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, fmt.Errorf("tcp: host %s: %w", h.addr, comm.ErrClosed)
	}
	if epoch < h.epoch {
		h.mu.Unlock()
		return nil, fmt.Errorf("tcp: epoch %d is older than the current epoch %d: %w", epoch, h.epoch, comm.ErrClosed)
	}
	key := epRank{epoch, rank}
	if _, dup := h.eps[key]; dup {
		h.mu.Unlock()
		return nil, fmt.Errorf("tcp: rank %d of epoch %d already has an endpoint here", rank, epoch)
	}
	var stale []*endpoint
	if epoch > h.epoch {
		stale = h.advanceLocked(epoch)
	}
	e := &endpoint{h: h, epoch: epoch, rank: rank, size: len(addrs), addrs: append([]string(nil), addrs...),
		peers: make([]*peer, len(addrs)), box: match.NewBox(rank, len(addrs))}
	byAddr := map[string]*peer{}
	for r, a := range addrs {
		if a == h.addr {
			continue
		}
		p, ok := byAddr[a]
		if !ok {
			p = h.peerLocked(a)
			byAddr[a] = p
		}
		e.peers[r] = p
	}
	h.eps[key] = e
	// Early messages go in before any later one can (readers deliver under
	// this lock's protection only after seeing e), keeping per-sender order.
	for _, m := range h.pending[key] {
		if m.src < 0 || m.src >= e.size || e.peers[m.src] != m.from {
			h.log.Warn("dropping message from a rank not at its sender's address", "epoch", epoch, "src", m.src, "dst", rank)
			match.PutBuf(m.data)
			continue
		}
		e.box.DeliverOwned(m.src, m.tag, m.data) // nobody waits yet: only queues
	}
	delete(h.pending, key)
	for k := range h.gone {
		if k.epoch == epoch && k.rank < e.size {
			e.box.PeerLost(k.rank, rankClosedErr(k.rank))
		}
	}
	h.mu.Unlock()

	for _, s := range stale {
		s.closeBox(fmt.Errorf("tcp: rank %d epoch %d superseded by epoch %d: %w", s.rank, s.epoch, epoch, comm.ErrClosed))
	}
	// A peer may have died between its lookup and the registration above.
	for r, p := range e.peers {
		if p != nil {
			if err := p.deadErr(); err != nil {
				e.box.PeerLost(r, &comm.PeerError{Rank: r, Err: err})
			}
		}
	}
	return e, nil
}

func rankClosedErr(r int) error {
	return &comm.PeerError{Rank: r, Err: fmt.Errorf("tcp: rank %d closed its endpoint: %w", r, comm.ErrClosed)}
}

// advanceLocked moves the host to a newer epoch and returns the endpoints
// it supersedes (to be closed outside the lock).
func (h *Host) advanceLocked(epoch uint64) []*endpoint {
	h.epoch = epoch
	var stale []*endpoint
	for k, e := range h.eps {
		if k.epoch < epoch {
			stale = append(stale, e)
			delete(h.eps, k)
		}
	}
	for k, msgs := range h.pending {
		if k.epoch < epoch {
			for _, m := range msgs {
				match.PutBuf(m.data)
			}
			delete(h.pending, k)
		}
	}
	for k := range h.gone {
		if k.epoch < epoch {
			delete(h.gone, k)
		}
	}
	return stale
}

// peerLocked returns the live connection record for addr, starting a new
// connection attempt if there is none or the last one died.
func (h *Host) peerLocked(addr string) *peer {
	if p := h.peers[addr]; p != nil && p.deadErr() == nil {
		return p
	}
	p := newPeer(h, addr)
	h.peers[addr] = p
	h.wg.Add(1)
	if h.addr < addr {
		go h.dial(p) // the lower address dials, so a pair has one connection
	} else {
		go h.awaitDial(p)
	}
	return p
}

// lookup routes a message for (epoch, dst): to an endpoint, or, when the
// endpoint does not exist yet, to the pending queue (queue set; the caller
// reads the payload and calls addPending), or nowhere (old epoch: dropped).
func (h *Host) lookup(epoch uint64, dst int) (e *endpoint, queue bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || epoch < h.epoch {
		return nil, false
	}
	if e = h.eps[epRank{epoch, dst}]; e != nil {
		return e, false
	}
	return nil, true
}

func (h *Host) addPending(epoch uint64, dst int, m pendingMsg) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || epoch < h.epoch {
		match.PutBuf(m.data)
		return
	}
	k := epRank{epoch, dst}
	if e := h.eps[k]; e != nil { // made meanwhile; Endpoint flushed pending already
		if m.src >= 0 && m.src < e.size && e.peers[m.src] == m.from {
			e.box.DeliverOwned(m.src, m.tag, m.data) // takes only the box's lock
		} else {
			match.PutBuf(m.data)
		}
		return
	}
	h.pending[k] = append(h.pending[k], m)
}

// rankClosed records that rank src of epoch closed and tells this host's
// endpoints of that epoch.
func (h *Host) rankClosed(epoch uint64, src int) {
	h.mu.Lock()
	if h.closed || epoch < h.epoch {
		h.mu.Unlock()
		return
	}
	h.gone[epRank{epoch, src}] = struct{}{}
	var eps []*endpoint
	for k, e := range h.eps {
		if k.epoch == epoch {
			eps = append(eps, e)
		}
	}
	h.mu.Unlock()
	for _, e := range eps {
		if src < e.size {
			e.box.PeerLost(src, rankClosedErr(src))
		}
	}
}

// peerDead fails every call that needs a rank reached through p.
func (h *Host) peerDead(p *peer, err error) {
	h.mu.Lock()
	var eps []*endpoint
	for _, e := range h.eps {
		eps = append(eps, e)
	}
	h.mu.Unlock()
	for _, e := range eps {
		for r, q := range e.peers {
			if q == p {
				e.box.PeerLost(r, &comm.PeerError{Rank: r, Err: err})
			}
		}
	}
}

func (h *Host) acceptLoop() {
	defer h.wg.Done()
	for {
		conn, err := h.ln.Accept()
		if err != nil {
			select {
			case <-h.done:
				return
			default:
			}
			h.log.Error("accept failed", "err", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		h.mu.Lock()
		if h.closed {
			h.mu.Unlock()
			conn.Close()
			return
		}
		h.conns[conn] = struct{}{}
		h.wg.Add(1)
		h.mu.Unlock()
		go h.handshake(conn)
	}
}

// handshake authenticates an incoming connection and reads its hello.
func (h *Host) handshake(conn net.Conn) {
	defer h.wg.Done()
	addr, err := h.serverHandshake(conn)
	h.mu.Lock()
	delete(h.conns, conn)
	closed := h.closed
	h.mu.Unlock()
	if err != nil || closed {
		if !closed {
			h.log.Warn("refused connection", "remote", conn.RemoteAddr().String(), "err", err)
		}
		conn.Close()
		return
	}
	h.mu.Lock()
	p := h.peers[addr]
	var old *peer
	if p == nil || p.deadErr() != nil || p.isConnected() {
		old = p
		p = newPeer(h, addr)
		h.peers[addr] = p
	}
	h.mu.Unlock()
	if old != nil && old.isConnected() {
		old.kill(errors.New("replaced by a new connection from the same host"))
	}
	h.log.Debug("peer connected", "peer", addr)
	h.attach(p, conn, bufio.NewReaderSize(conn, 64<<10))
}

func (h *Host) serverHandshake(conn net.Conn) (string, error) {
	deadline := time.Now().Add(h.cfg.HandshakeTimeout)
	if err := auth.Server(conn, h.cfg.Key, deadline); err != nil {
		return "", err
	}
	conn.SetReadDeadline(deadline)
	fr := &frameReader{r: conn, max: maxHelloLen}
	hd, err := fr.header()
	if err != nil {
		return "", fmt.Errorf("read hello: %w", err)
	}
	if hd.kind != kindHello || hd.length == 0 {
		return "", fmt.Errorf("%w: first frame has kind %d, want hello", errFrame, hd.kind)
	}
	buf := make([]byte, hd.length)
	if err := fr.body(buf); err != nil {
		return "", fmt.Errorf("read hello: %w", err)
	}
	conn.SetReadDeadline(time.Time{})
	return string(buf), nil
}

// dial connects to p, retrying until ConnectTimeout while the peer is not
// listening yet.
func (h *Host) dial(p *peer) {
	defer h.wg.Done()
	deadline := time.Now().Add(h.cfg.ConnectTimeout)
	for {
		conn, err := net.DialTimeout("tcp", p.addr, time.Until(deadline))
		if err == nil {
			h.mu.Lock()
			if h.closed {
				h.mu.Unlock()
				conn.Close()
				p.kill(fmt.Errorf("host closed: %w", comm.ErrClosed))
				return
			}
			h.conns[conn] = struct{}{}
			h.mu.Unlock()
			err = h.clientHandshake(conn)
			h.mu.Lock()
			delete(h.conns, conn)
			closed := h.closed
			h.mu.Unlock()
			if err == nil && !closed {
				h.log.Debug("peer connected", "peer", p.addr)
				h.attach(p, conn, bufio.NewReaderSize(conn, 64<<10))
				return
			}
			conn.Close()
			if errors.Is(err, auth.ErrRefused) {
				h.log.Warn("peer refused authentication", "peer", p.addr, "err", err)
				p.kill(fmt.Errorf("connect to %s: %w", p.addr, err))
				return
			}
		}
		if time.Now().After(deadline) {
			p.kill(fmt.Errorf("connect to %s: %w", p.addr, err))
			return
		}
		select {
		case <-h.done:
			p.kill(fmt.Errorf("host closed: %w", comm.ErrClosed))
			return
		case <-p.dead:
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (h *Host) clientHandshake(conn net.Conn) error {
	deadline := time.Now().Add(h.cfg.HandshakeTimeout)
	if err := auth.Client(conn, h.cfg.Key, deadline); err != nil {
		return err
	}
	b := make([]byte, headerLen+len(h.addr)+trailerLen)
	hd := header{kind: kindHello, length: uint64(len(h.addr))}
	hd.encode(b)
	copy(b[headerLen:], h.addr)
	binary.LittleEndian.PutUint32(b[headerLen+len(h.addr):], crc32c.Checksum([]byte(h.addr)))
	conn.SetWriteDeadline(deadline)
	if _, err := conn.Write(b); err != nil {
		return fmt.Errorf("send hello: %w", err)
	}
	conn.SetWriteDeadline(time.Time{})
	return nil
}

// awaitDial gives up on a peer that does not connect within ConnectTimeout.
func (h *Host) awaitDial(p *peer) {
	defer h.wg.Done()
	t := time.NewTimer(h.cfg.ConnectTimeout)
	defer t.Stop()
	select {
	case <-p.ready:
	case <-p.dead:
	case <-h.done:
		p.kill(fmt.Errorf("host closed: %w", comm.ErrClosed))
	case <-t.C:
		p.kill(fmt.Errorf("peer %s did not connect within %v", p.addr, h.cfg.ConnectTimeout))
	}
}

func (h *Host) attach(p *peer, conn net.Conn, br *bufio.Reader) {
	if !p.setConn(conn) {
		conn.Close()
		return
	}
	p.initReader(conn, br)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		p.kill(fmt.Errorf("host closed: %w", comm.ErrClosed))
		return
	}
	h.wg.Add(2)
	h.mu.Unlock()
	go h.readLoop(p)
	go h.heartbeatLoop(p)
}

// heartbeatLoop keeps p's connection visibly alive; one goroutine per
// connection, so that a stuck peer delays nobody else's heartbeats.
func (h *Host) heartbeatLoop(p *peer) {
	defer h.wg.Done()
	t := time.NewTicker(h.cfg.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-h.done:
			return
		case <-p.dead:
			return
		case <-t.C:
			p.heartbeat()
		}
	}
}

// The reading role. One goroutine at a time reads p's connection: either
// a rank blocked in Recv on a rank behind p (endpoint.await), which so is
// woken by the network poller itself when its message arrives, with no
// goroutine hand-off on the way, or, when no receiver has read for
// readIdle, readLoop, which keeps heartbeats, unexpected messages and
// large sends towards ranks that are not receiving yet flowing.
var readIdle = time.Millisecond // a variable for tests only

// initReader makes p's frame reader; it is used only by the role holder.
func (p *peer) initReader(conn net.Conn, br *bufio.Reader) {
	h := p.h
	fr := &frameReader{r: br, max: h.cfg.MaxFrame}
	// When the deadline fires, the silence may be ours: a process stalled
	// by the scheduler or the collector finds the peer's heartbeats waiting
	// in the socket. One short retry tells the two apart; only a peer that
	// stays silent through it is dead.
	graced := false
	var last time.Time // when the deadline was last pushed back
	fr.refresh = func() {
		graced = false
		// Moving a deadline costs a timer update; once per half heartbeat
		// is precise enough and keeps it off the per-frame path.
		now := time.Now()
		if now.Sub(last) < h.cfg.Heartbeat/2 {
			return
		}
		last = now
		conn.SetReadDeadline(now.Add(h.cfg.PeerTimeout))
	}
	fr.onTimeout = func() bool {
		if graced {
			return false
		}
		graced = true
		conn.SetReadDeadline(time.Now().Add(h.cfg.Heartbeat))
		return true
	}
	fr.yield = func() bool {
		p.rmu.Lock()
		defer p.rmu.Unlock()
		return p.ryield
	}
	fr.interrupted = func() bool {
		p.rmu.Lock()
		kicked := p.rkick
		p.rkick = false
		p.rmu.Unlock()
		if kicked {
			// Back to the deadline the interruption replaced, so that it
			// does not postpone the detection of a silent peer.
			conn.SetReadDeadline(last.Add(h.cfg.PeerTimeout))
		}
		return kicked
	}
	p.rmu.Lock()
	p.fr = fr
	p.rmu.Unlock()
}

// take gives the reading role to a receiver (recv) or to readLoop, if it
// is free and, for readLoop, has been for readIdle or receivers that cannot
// read themselves wait. If readLoop may not take it, wait is how long the
// role has still to stay free, or 0 if it is held (its release re-arms
// p.idle).
func (p *peer) take(recv bool) (ok bool, wait time.Duration) {
	p.rmu.Lock()
	defer p.rmu.Unlock()
	if p.rheld || p.fr == nil {
		return false, 0
	}
	if !recv && p.rplain == 0 {
		if idle := time.Since(p.rfree); idle < readIdle {
			return false, readIdle - idle
		}
	}
	p.rheld, p.rrecv, p.ryield, p.rkick = true, recv, false, false
	return true, 0
}

// release gives the reading role up, passes a token to a receiver waiting
// for it, and arms readLoop's idle timer. Re-arming a pending timer costs
// no wake-up, so while receivers keep reading, readLoop sleeps; readLoop is
// woken at once only for receivers that cannot read themselves.
func (p *peer) release() {
	p.rmu.Lock()
	p.rheld, p.rrecv, p.ryield = false, false, false
	p.rfree = time.Now()
	p.idle.Reset(readIdle)
	kick := p.rplain > 0
	p.rmu.Unlock()
	select {
	case p.freeCh <- struct{}{}:
	default:
	}
	if kick {
		p.kickLoop()
	}
}

func stoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// sending keeps readLoop off a free role while a rank of this host is
// writing a large message to p and making progress: the rank usually
// receives from p next and then reads for itself, which saves a hand-off
// per message. A send that stops progressing (the peer is not reading
// because its own host is sending too) no longer defers readLoop, so the
// two sides cannot block each other for more than readIdle.
func (p *peer) sending() {
	p.rmu.Lock()
	if !p.rheld {
		p.rfree = time.Now()
		p.idle.Reset(readIdle)
	}
	p.rmu.Unlock()
}

func (p *peer) kickLoop() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// plainWait counts a receiver that waits for a frame from p without
// reading (d = +1 before, -1 after): readLoop then reads without delay.
func (p *peer) plainWait(d int) {
	p.rmu.Lock()
	p.rplain += d
	free := !p.rheld
	p.rmu.Unlock()
	if d > 0 && free {
		p.kickLoop()
	}
}

// interrupt makes a receiver holding the role stop at the next frame
// boundary (its context ended or its endpoint closed; the holder may also
// be another rank's receive, which then simply takes the role again).
func (p *peer) interrupt() {
	p.rmu.Lock()
	defer p.rmu.Unlock()
	if p.rheld && p.rrecv && !p.ryield {
		p.ryield, p.rkick = true, true
		p.conn.SetReadDeadline(time.Unix(1, 0))
	}
}

// readLoop reads p's connection whenever no receiver does, until the
// connection fails.
func (h *Host) readLoop(p *peer) {
	defer h.wg.Done()
	defer p.idle.Stop()
	for {
		ok, wait := p.take(false)
		if ok {
			if err := h.readRole(p); err != nil {
				h.readFailed(p, err)
				return
			}
			continue
		}
		if wait > 0 {
			p.rmu.Lock()
			p.idle.Reset(wait)
			p.rmu.Unlock()
		}
		select {
		case <-p.idle.C:
		case <-p.kick:
		case <-p.dead:
			return
		case <-h.done:
			return
		}
	}
}

// readRole reads frames as readLoop until one completes a posted receive:
// its receiver, and the next receives, then read for themselves.
func (h *Host) readRole(p *peer) error {
	for {
		posted, err := h.readFrame(p)
		if err != nil {
			return err
		}
		if posted {
			p.release()
			return nil
		}
	}
}

// readFailed ends p after a read error of the role holder.
func (h *Host) readFailed(p *peer, err error) {
	select {
	case <-h.done:
		err = fmt.Errorf("host closed: %w", comm.ErrClosed)
	default:
		switch {
		case p.deadErr() != nil:
		case errors.Is(err, errPeerShutdown):
			h.log.Info("peer host shut down", "peer", p.addr)
		default:
			h.log.Warn("connection to peer lost", "peer", p.addr, "err", err)
		}
	}
	p.kill(err)
}

// readFrame reads and dispatches one frame; the caller holds the reading
// role. posted reports that the frame completed a posted receive.
func (h *Host) readFrame(p *peer) (posted bool, err error) {
	fr := p.fr
	hd, err := fr.header()
	if err != nil {
		return false, err
	}
	switch hd.kind {
	case kindHeartbeat:
		return false, fr.body(nil) // the empty payload's trailer
	case kindHello:
		return false, fmt.Errorf("%w: second hello", errFrame)
	case kindBye:
		if err := fr.body(nil); err != nil {
			return false, err
		}
		return false, errPeerShutdown
	case kindRankClosed:
		if err := fr.body(nil); err != nil {
			return false, err
		}
		h.rankClosed(hd.epoch, int(hd.src))
		return false, nil
	}
	src, dst, tag := int(hd.src), int(hd.dst), int(hd.tag)
	e, queue := h.lookup(hd.epoch, dst)
	switch {
	case e != nil && src < e.size && e.peers[src] == p:
		w, cerr := e.box.Claim(src, tag)
		if cerr != nil { // endpoint closed: drop
			return false, fr.discard(hd.length)
		}
		if w != nil && w.Vec() != nil { // a vector receive: into its segments
			return true, readVec(fr, hd, w, p.addr)
		}
		if w != nil { // a receive is posted: read straight into its buffer
			buf := w.Buffer(int(hd.length))
			if err := fr.body(buf); err != nil {
				w.Fail(&comm.PeerError{Rank: src, Err: fmt.Errorf("tcp: read from %s: %w", p.addr, err)})
				return false, err
			}
			w.Complete(src, tag, buf)
			return true, nil
		}
		buf, err := fr.bodyAlloc(hd.length, match.GetBuf)
		if err != nil {
			return false, err
		}
		e.box.DeliverOwned(src, tag, buf)
	case queue:
		buf, err := fr.bodyAlloc(hd.length, match.GetBuf)
		if err != nil {
			return false, err
		}
		h.addPending(hd.epoch, dst, pendingMsg{from: p, src: src, tag: tag, data: buf})
	default:
		if e != nil {
			h.log.Warn("dropping message from a rank not at its sender's address", "peer", p.addr, "epoch", hd.epoch, "src", src, "dst", dst)
		} else {
			h.log.Debug("dropping message of an old epoch", "peer", p.addr, "epoch", hd.epoch, "src", src, "dst", dst, "tag", tag)
		}
		return false, fr.discard(hd.length)
	}
	return false, nil
}

// peer is one connection (attempt) to another host.
type peer struct {
	h     *Host
	addr  string
	ready chan struct{} // closed once conn is set
	dead  chan struct{} // closed once the connection is gone

	mu   sync.Mutex
	conn net.Conn
	err  error

	wmu  sync.Mutex // serialises frame writes; guards the fields below
	wbuf []byte
	wiov [][]byte    // writeVecLocked's pieces of one write (backing kept)
	wsum [][]byte    // and the payload ones among them, summed after it
	wv   net.Buffers // the pieces being written (a field: no allocation)
	wdl  time.Time   // write deadline currently set

	// The reading role (see readIdle); rmu guards the fields below.
	rmu    sync.Mutex
	fr     *frameReader  // nil until connected; used only by the holder
	rheld  bool          // somebody holds the role
	rrecv  bool          // the holder is a receiver (interruptible), not readLoop
	ryield bool          // the receiving holder must stop at the next frame boundary
	rkick  bool          // the read deadline was moved into the past for ryield
	rplain int           // receivers waiting for p that do not read themselves
	rfree  time.Time     // when the role was last released
	idle   *time.Timer   // readLoop's: fires readIdle after the last release
	freeCh chan struct{} // capacity 1: a token per release, for waiting receivers
	kick   chan struct{} // capacity 1: wakes readLoop to read at once
}

// extendWrite pushes the write deadline back when less than half of
// timeout is left; wmu held.
func (p *peer) extendWrite(timeout time.Duration) {
	now := time.Now()
	if p.wdl.Sub(now) > timeout/2 {
		return
	}
	p.wdl = now.Add(timeout)
	p.conn.SetWriteDeadline(p.wdl)
}

func newPeer(h *Host, addr string) *peer {
	return &peer{h: h, addr: addr, ready: make(chan struct{}), dead: make(chan struct{}),
		freeCh: make(chan struct{}, 1), kick: make(chan struct{}, 1), idle: stoppedTimer()}
}

func (p *peer) setConn(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return false
	}
	p.conn = c
	close(p.ready)
	return true
}

func (p *peer) isConnected() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conn != nil && p.err == nil
}

func (p *peer) deadErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// kill marks the connection dead (once) and fails the calls that need it.
func (p *peer) kill(err error) {
	if err == nil {
		err = errors.New("connection closed")
	}
	p.mu.Lock()
	if p.err != nil {
		p.mu.Unlock()
		return
	}
	p.err = err
	close(p.dead)
	if p.conn != nil {
		p.conn.Close()
	}
	p.mu.Unlock()
	p.h.peerDead(p, fmt.Errorf("tcp: connection to %s: %w", p.addr, err))
}

// wait blocks until the connection is up.
func (p *peer) wait(ctx context.Context, closed <-chan struct{}) error {
	select {
	case <-p.ready:
	case <-p.dead:
	case <-ctx.Done():
		return ctx.Err()
	case <-closed:
		return comm.ErrClosed
	}
	if err := p.deadErr(); err != nil {
		return err
	}
	return nil
}

// smallFrame is the payload size up to which a frame is assembled in one
// buffer and written with a single system call.
const smallFrame = 64 << 10

// write sends one frame. The caller has waited for the connection.
func (p *peer) write(hd header, data []byte) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	return p.writeLocked(hd, data)
}

func (p *peer) writeLocked(hd header, data []byte) error {
	select {
	case <-p.dead:
		return p.deadErr()
	default:
	}
	hd.length = uint64(len(data))
	// A frozen or dead peer is detected by the reader (its heartbeats stop),
	// which closes the connection and so unblocks this write; the write
	// deadline is only a backstop, long enough not to fire while a busy but
	// live peer drains a large message.
	timeout := max(10*p.h.cfg.PeerTimeout, 5*time.Second)
	conn := p.conn
	if len(data) <= smallFrame {
		n := headerLen + len(data) + trailerLen
		if cap(p.wbuf) < n {
			p.wbuf = make([]byte, n, max(n, 512))
		}
		b := p.wbuf[:n]
		hd.encode(b)
		copy(b[headerLen:], data)
		binary.LittleEndian.PutUint32(b[headerLen+len(data):], crc32c.Checksum(data))
		p.extendWrite(timeout)
		_, err := conn.Write(b)
		return err
	}
	if cap(p.wbuf) < headerLen+trailerLen {
		p.wbuf = make([]byte, 512)
	}
	b := p.wbuf[:headerLen]
	hd.encode(b)
	p.extendWrite(timeout)
	if _, err := conn.Write(b); err != nil {
		return err
	}
	// The checksum goes in the trailer, so each chunk is summed after it
	// was handed to the kernel, while the peer is already reading it.
	var crc uint32
	for i := 0; i < len(data); i += writeChunk {
		j := min(i+writeChunk, len(data))
		p.extendWrite(timeout)
		if _, err := conn.Write(data[i:j]); err != nil {
			return err
		}
		p.sending()
		crc = crc32c.Update(crc, data[i:j])
	}
	tb := p.wbuf[headerLen : headerLen+trailerLen] // reused: no allocation per frame
	binary.LittleEndian.PutUint32(tb, crc)
	_, err := conn.Write(tb)
	return err
}

// errPeerShutdown is how a connection ends when the peer host closes.
var errPeerShutdown = errors.New("peer host shut down")

// bye tells the peer, best effort and briefly, that this host is closing,
// so that it reports a shutdown rather than a lost connection.
func (p *peer) bye() {
	select {
	case <-p.ready:
	default:
		return
	}
	if p.deadErr() != nil || !p.wmu.TryLock() {
		return // dead, or a write is in progress: the peer will see EOF
	}
	defer p.wmu.Unlock()
	var b [headerLen + trailerLen]byte // empty payload: its checksum is 0
	(&header{kind: kindBye}).encode(b[:])
	p.conn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	p.conn.Write(b[:])
}

// heartbeat sends a liveness frame unless a write is in progress (which
// proves liveness by itself).
func (p *peer) heartbeat() {
	select {
	case <-p.ready:
	default:
		return
	}
	if !p.wmu.TryLock() {
		return
	}
	err := p.writeLocked(header{kind: kindHeartbeat}, nil)
	p.wmu.Unlock()
	if err != nil {
		p.kill(fmt.Errorf("heartbeat: %w", err))
	}
}
