package coord

import (
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/apollo-hpc/apollo/comm/auth"
	"github.com/hashicorp/raft"
)

// handshakeTimeout bounds the cluster-key exchange on a new raft connection.
const handshakeTimeout = 2 * time.Second

// streamLayer is a raft.StreamLayer over TCP whose connections are admitted
// only after the cluster-key handshake of comm/auth (the same as comm's). Handshakes run off the accept loop so
// a slow or hostile peer cannot stall it.
type streamLayer struct {
	ln     net.Listener
	key    []byte
	log    *slog.Logger
	conns  chan net.Conn
	done   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
	advert net.Addr

	mu   sync.Mutex
	live map[*trackedConn]struct{} // closed on Close, so no reader outlives the layer
}

// trackedConn removes itself from its layer's set when closed.
type trackedConn struct {
	net.Conn
	s    *streamLayer
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.s.mu.Lock()
		delete(c.s.live, c)
		c.s.mu.Unlock()
	})
	return c.Conn.Close()
}

// track registers c, or closes it if the layer is already closed.
func (s *streamLayer) track(c net.Conn) (net.Conn, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.live == nil {
		c.Close()
		return nil, false
	}
	tc := &trackedConn{Conn: c, s: s}
	s.live[tc] = struct{}{}
	return tc, true
}

func newStreamLayer(addr, advertise string, key []byte, log *slog.Logger) (*streamLayer, error) {
	var adv net.Addr
	if advertise != "" {
		a, err := net.ResolveTCPAddr("tcp", advertise)
		if err != nil {
			return nil, fmt.Errorf("coord: raft advertise address %q: %w", advertise, err)
		}
		adv = a
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("coord: raft listen %s: %w", addr, err)
	}
	if adv == nil {
		adv = ln.Addr()
	}
	s := &streamLayer{ln: ln, key: key, log: log, conns: make(chan net.Conn), done: make(chan struct{}), advert: adv,
		live: map[*trackedConn]struct{}{}}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

func (s *streamLayer) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			s.log.Warn("raft accept", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := auth.Server(c, s.key, time.Now().Add(handshakeTimeout)); err != nil {
				s.log.Warn("raft connection refused", "remote", c.RemoteAddr().String(), "err", err)
				c.Close()
				return
			}
			tc, ok := s.track(c)
			if !ok {
				return
			}
			select {
			case s.conns <- tc:
			case <-s.done:
				tc.Close()
			}
		}()
	}
}

// Accept implements net.Listener.
func (s *streamLayer) Accept() (net.Conn, error) {
	select {
	case c := <-s.conns:
		return c, nil
	case <-s.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (s *streamLayer) Close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		err = s.ln.Close()
		s.wg.Wait()
		s.mu.Lock()
		live := s.live
		s.live = nil
		s.mu.Unlock()
		for c := range live {
			c.Conn.Close()
		}
	})
	return err
}

// Addr implements net.Listener.
func (s *streamLayer) Addr() net.Addr { return s.advert }

// Dial implements raft.StreamLayer.
func (s *streamLayer) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", string(address), timeout)
	if err != nil {
		return nil, fmt.Errorf("coord: raft dial %s: %w", address, err)
	}
	hs := handshakeTimeout
	if timeout > 0 {
		hs = min(timeout, hs)
	}
	if err := auth.Client(c, s.key, time.Now().Add(hs)); err != nil {
		c.Close()
		return nil, fmt.Errorf("coord: raft dial %s: %w", address, err)
	}
	tc, ok := s.track(c)
	if !ok {
		return nil, fmt.Errorf("coord: raft dial %s: %w", address, net.ErrClosed)
	}
	return tc, nil
}
