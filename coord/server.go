package coord

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"go.etcd.io/bbolt"
)

// Config configures a controller replica.
type Config struct {
	ID        string // raft server id of this replica (e.g. "c1"); must be unique in the cluster
	DataDir   string // bbolt log store and snapshots; local disk or tmpfs, never NFS. "" = in memory
	RaftAddr  string // TCP listen address for raft, e.g. "127.0.0.1:0"
	HTTPAddr  string // listen address of the API, e.g. "127.0.0.1:0"
	Key       []byte // cluster key: raft handshake and API authentication
	Bootstrap bool   // form a new single-replica cluster if DataDir holds none
	// Join lists API addresses of existing replicas; a replica with no raft
	// state asks them (until it succeeds or closes) to add it as a voter.
	Join []string
	// RaftAdvertise and HTTPAdvertise are the addresses peers and clients use
	// when the listen addresses are wildcards (default: the listen addresses).
	RaftAdvertise string
	HTTPAdvertise string
	SharedDir     string // if set, every committed checkpoint record is also written here

	Lease time.Duration // a node silent this long is declared dead (default 1 s)

	// Raft timing. Defaults: 100 ms heartbeat and election timeouts, 100 ms
	// leader lease, 10 ms commit timeout (loopback/LAN; failover ≈ 0.2–0.4 s).
	HeartbeatTimeout time.Duration
	ElectionTimeout  time.Duration
	LeaderLease      time.Duration

	Logger *slog.Logger // default slog.Default()

	// Transport, if set, replaces the TCP stream layer (tests use raft's
	// in-memory transport); RaftAddr is then ignored.
	Transport raft.Transport
}

func (c *Config) defaults() error {
	if !validID(c.ID) {
		return fmt.Errorf("coord: config: bad replica id %q", c.ID)
	}
	if len(c.Key) < 16 {
		return errors.New("coord: config: cluster key shorter than 16 bytes")
	}
	if c.Lease <= 0 {
		c.Lease = time.Second
	}
	if c.HeartbeatTimeout <= 0 {
		c.HeartbeatTimeout = 100 * time.Millisecond
	}
	if c.ElectionTimeout <= 0 {
		c.ElectionTimeout = 100 * time.Millisecond
	}
	if c.LeaderLease <= 0 {
		c.LeaderLease = min(100*time.Millisecond, c.HeartbeatTimeout)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// Server is one controller replica: raft, the FSM, the leader's leases and
// failure detector, and the HTTP API.
type Server struct {
	cfg     Config
	log     *slog.Logger
	fsm     *FSM
	raft    *raft.Raft
	trans   raft.Transport
	stream  *streamLayer
	store   *raftboltdb.BoltStore
	httpLn  net.Listener
	httpSrv *http.Server
	met     *metrics

	readyFlag atomic.Bool // leader, and its FSM has caught up (Barrier done)

	leaseMu sync.Mutex
	leases  map[string]time.Time
	beatSeq map[string]uint64 // last lease-channel sequence number per node (replay guard)
	udp     *net.UDPConn

	records chan CommitRecord
	notify  chan struct{} // wakes the detector on raft leadership changes
	done    chan struct{}
	wg      sync.WaitGroup
	closeMu sync.Once
}

// NewServer starts a replica: it opens (or creates) the raft store, starts
// raft, the failure detector and the HTTP API. With Bootstrap and an empty
// store it forms a one-replica cluster; otherwise it waits to be added by
// the leader (see Client.AddReplica) or recovers its state from DataDir.
func NewServer(cfg Config) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With("replica", cfg.ID), fsm: NewFSM(), leases: map[string]time.Time{}, beatSeq: map[string]uint64{},
		records: make(chan CommitRecord, 64), done: make(chan struct{}), notify: make(chan struct{}, 1)}
	if err := s.start(); err != nil {
		s.teardown()
		return nil, err
	}
	return s, nil
}

func (s *Server) start() error {
	cfg := s.cfg
	logw := slog.NewLogLogger(s.log.Handler(), slog.LevelWarn).Writer()
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.ID)
	rc.HeartbeatTimeout = cfg.HeartbeatTimeout
	rc.ElectionTimeout = cfg.ElectionTimeout
	rc.LeaderLeaseTimeout = cfg.LeaderLease
	rc.CommitTimeout = 10 * time.Millisecond
	rc.LogOutput = logw
	rc.LogLevel = "WARN"
	// raft blocks on NotifyCh; a relay turns its sends into a non-blocking wake-up.
	raw := make(chan bool, 16)
	rc.NotifyCh = raw
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case <-s.done:
				return
			case <-raw:
				select {
				case s.notify <- struct{}{}:
				default:
				}
			}
		}
	}()
	rc.SnapshotThreshold = 1024
	rc.TrailingLogs = 1024

	var (
		logs   raft.LogStore
		stable raft.StableStore
		snaps  raft.SnapshotStore
	)
	if cfg.DataDir == "" {
		m := raft.NewInmemStore()
		logs, stable, snaps = m, m, raft.NewInmemSnapshotStore()
	} else {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return fmt.Errorf("coord: data dir: %w", err)
		}
		st, err := raftboltdb.New(raftboltdb.Options{Path: filepath.Join(cfg.DataDir, "raft.db"),
			BoltOptions: &bbolt.Options{Timeout: time.Second}})
		if err != nil {
			return fmt.Errorf("coord: open raft store: %w", err)
		}
		s.store = st
		logs, stable = st, st
		fs, err := raft.NewFileSnapshotStore(cfg.DataDir, 2, logw)
		if err != nil {
			return fmt.Errorf("coord: snapshot store: %w", err)
		}
		snaps = fs
	}

	if cfg.Transport != nil {
		s.trans = cfg.Transport
	} else {
		sl, err := newStreamLayer(cfg.RaftAddr, cfg.RaftAdvertise, cfg.Key, s.log)
		if err != nil {
			return err
		}
		s.stream = sl
		s.trans = raft.NewNetworkTransport(sl, 3, 2*time.Second, logw)
	}

	s.met = newMetrics(s)
	s.fsm.onApply = s.applied
	r, err := raft.NewRaft(rc, s.fsm, logs, stable, snaps, s.trans)
	if err != nil {
		return fmt.Errorf("coord: start raft: %w", err)
	}
	s.raft = r
	has, err := raft.HasExistingState(logs, stable, snaps)
	if err != nil {
		return fmt.Errorf("coord: inspect raft state: %w", err)
	}
	if cfg.Bootstrap {
		if !has {
			f := r.BootstrapCluster(raft.Configuration{Servers: []raft.Server{{ID: rc.LocalID, Address: s.trans.LocalAddr()}}})
			if err := f.Error(); err != nil && !errors.Is(err, raft.ErrCantBootstrap) {
				return fmt.Errorf("coord: bootstrap: %w", err)
			}
		}
	}

	ln, udp, err := listenAPI(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	s.httpLn, s.udp = ln, udp
	// Bursts of datagrams (every node after a failover) must not overflow
	// the socket; the kernel caps this at net.core.rmem_max.
	udp.SetReadBuffer(8 << 20)
	s.wg.Add(2)
	go s.serveBeats(udp)
	go s.serveBeats(udp)
	s.httpSrv = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		IdleTimeout: 60 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	s.wg.Add(3)
	go func() {
		defer s.wg.Done()
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("api server", "err", err)
		}
	}()
	go s.detector()
	go s.recordWriter()
	if !has && !cfg.Bootstrap && len(cfg.Join) > 0 {
		s.wg.Add(1)
		go s.join()
	}
	return nil
}

// join asks the existing replicas to add this one, until it succeeds or the
// server closes.
func (s *Server) join() {
	defer s.wg.Done()
	c := NewClient(s.cfg.Join, s.cfg.Key)
	defer c.CloseIdleConnections()
	ctx, cancel := contextWithTimeout(context.Background(), 24*time.Hour, s.done)
	defer cancel()
	for {
		err := c.AddReplica(ctx, s.cfg.ID, s.RaftAddr(), s.HTTPAddr())
		if err == nil {
			s.log.Info("joined controller cluster")
			return
		}
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("join controller cluster", "err", err)
		select {
		case <-s.done:
			return
		case <-time.After(time.Second):
		}
	}
}

// listenAPI listens on addr for the API (TCP) and on the UDP port of the
// same number for the lease channel. When addr asks for any port (":0"),
// the kernel's choice may be free for TCP but held by another process for
// UDP; then it asks for another, a few times.
func listenAPI(addr string) (net.Listener, *net.UDPConn, error) {
	_, port, _ := net.SplitHostPort(addr)
	for try := 0; ; try++ {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("coord: api listen %s: %w", addr, err)
		}
		udp, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(ln.Addr().(*net.TCPAddr).AddrPort()))
		if err == nil {
			return ln, udp, nil
		}
		ln.Close()
		if port != "0" || try == 9 || !errors.Is(err, syscall.EADDRINUSE) {
			return nil, nil, fmt.Errorf("coord: lease channel listen: %w", err)
		}
	}
}

// HTTPAddr is the address the API listens on.
func (s *Server) HTTPAddr() string {
	if s.cfg.HTTPAdvertise != "" {
		return s.cfg.HTTPAdvertise
	}
	return s.httpLn.Addr().String()
}

// RaftAddr is the address raft peers use to reach this replica.
func (s *Server) RaftAddr() string { return string(s.trans.LocalAddr()) }

// ID is this replica's raft server id.
func (s *Server) ID() string { return s.cfg.ID }

// IsLeader reports whether this replica is the raft leader.
func (s *Server) IsLeader() bool { return s.raft.State() == raft.Leader }

// Leader returns the leader's replica id and API address as far as this
// replica knows ("" if unknown).
func (s *Server) Leader() (id, httpAddr string) {
	_, lid := s.raft.LeaderWithID()
	if lid == "" {
		return "", ""
	}
	s.fsm.View(func(st *State) { httpAddr = st.Replicas[string(lid)] })
	return string(lid), httpAddr
}

// State returns a copy of the replicated state as applied on this replica.
func (s *Server) State() *State {
	st, _ := s.fsm.State()
	return st
}

// Term returns the current raft term.
func (s *Server) Term() uint64 { return s.raft.CurrentTerm() }

// Propose commits c through raft (leader only) and returns its result. A
// command the state machine refuses comes back as Result.Err, not as error.
func (s *Server) Propose(ctx context.Context, c *Command) (Result, error) {
	c.At = time.Now().UnixNano()
	b, err := EncodeCommand(c)
	if err != nil {
		return Result{}, err
	}
	timeout := 5 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(d), time.Millisecond)
	}
	f := s.raft.Apply(b, timeout)
	if err := f.Error(); err != nil {
		if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) || errors.Is(err, raft.ErrLeadershipTransferInProgress) {
			return Result{}, fmt.Errorf("%w: %v", ErrNotLeader, err)
		}
		return Result{}, fmt.Errorf("coord: propose %s: %w", c.Op, err)
	}
	r, ok := f.Response().(Result)
	if !ok {
		return Result{}, fmt.Errorf("coord: propose %s: unexpected response %T", c.Op, f.Response())
	}
	if r.Committed != nil {
		s.met.commitLatency.Observe(float64(time.Now().UnixNano()-c.At) / 1e9)
	}
	return r, nil
}

// AddReplica adds a voter (leader only) and records its API address.
func (s *Server) AddReplica(ctx context.Context, id, raftAddr, httpAddr string) error {
	if !validID(id) || raftAddr == "" || len(raftAddr) > maxAddrLen {
		return bad("add replica: bad id or address")
	}
	if err := s.raft.AddVoter(raft.ServerID(id), raft.ServerAddress(raftAddr), 0, 5*time.Second).Error(); err != nil {
		if errors.Is(err, raft.ErrNotLeader) {
			return ErrNotLeader
		}
		return fmt.Errorf("coord: add voter %s: %w", id, err)
	}
	r, err := s.Propose(ctx, &Command{Op: OpReplica, Replica: &ReplicaCmd{ID: id, HTTP: httpAddr}})
	if err == nil {
		err = r.Err
	}
	return err
}

// RemoveReplica removes a replica from the cluster (leader only). Removing
// the leader itself first hands leadership over with LeadershipTransfer and
// returns ErrNotLeader, so the caller retries at the new leader.
func (s *Server) RemoveReplica(ctx context.Context, id string) error {
	if id == s.cfg.ID {
		if err := s.Handoff(); err != nil {
			return err
		}
		return ErrNotLeader
	}
	if err := s.raft.RemoveServer(raft.ServerID(id), 0, 5*time.Second).Error(); err != nil {
		if errors.Is(err, raft.ErrNotLeader) {
			return ErrNotLeader
		}
		return fmt.Errorf("coord: remove replica %s: %w", id, err)
	}
	r, err := s.Propose(ctx, &Command{Op: OpReplica, Replica: &ReplicaCmd{ID: id}})
	if err == nil {
		err = r.Err
	}
	return err
}

// Handoff moves leadership to another replica at once (LeadershipTransfer)
// rather than letting it time out; used before draining or stopping the leader.
func (s *Server) Handoff() error {
	if err := s.raft.LeadershipTransfer().Error(); err != nil {
		return fmt.Errorf("coord: leadership transfer: %w", err)
	}
	return nil
}

// Close stops the replica: API, detector, raft, transport and store. It does
// not hand leadership over; call Handoff first for a graceful stop.
func (s *Server) Close() error {
	var err error
	s.closeMu.Do(func() { err = s.teardown() })
	return err
}

func (s *Server) teardown() error {
	var errs []error
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	if s.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := s.httpSrv.Shutdown(ctx); err != nil {
			s.httpSrv.Close()
		}
		cancel()
	} else if s.httpLn != nil {
		s.httpLn.Close()
	}
	if s.udp != nil {
		s.udp.Close()
	}
	if s.raft != nil {
		if err := s.raft.Shutdown().Error(); err != nil {
			errs = append(errs, fmt.Errorf("coord: raft shutdown: %w", err))
		}
	}
	if c, ok := s.trans.(io.Closer); ok && s.cfg.Transport == nil {
		c.Close()
	}
	if s.stream != nil {
		s.stream.Close()
	}
	s.wg.Wait()
	if s.store != nil {
		if err := s.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("coord: close raft store: %w", err))
		}
	}
	return errors.Join(errs...)
}

// detector runs the leader's duties: lease bookkeeping and declaring silent
// nodes dead, plus recording this replica's API address when it becomes leader.
func (s *Server) detector() {
	defer s.wg.Done()
	// The tick bounds how late a lease expiry is noticed (lease/10) and is
	// never slower than 50 ms; leadership changes arrive at once on notify.
	tick := time.NewTicker(min(max(s.cfg.Lease/10, 5*time.Millisecond), 50*time.Millisecond))
	defer tick.Stop()
	leader := false
	lastTick := time.Now()
	for {
		select {
		case <-s.done:
			return
		case <-tick.C:
		case <-s.notify:
		}
		if s.raft.State() != raft.Leader {
			leader = false
			s.readyFlag.Store(false)
			lastTick = time.Now()
			continue
		}
		if !leader {
			// Newly elected: make sure the FSM has every committed entry, then
			// give every node a fresh lease (the old leader's soft state is gone).
			if err := s.raft.Barrier(2 * time.Second).Error(); err != nil {
				lastTick = time.Now()
				continue
			}
			leader = true
			s.leaseMu.Lock()
			clear(s.leases)
			clear(s.beatSeq)
			s.leaseMu.Unlock()
			s.readyFlag.Store(true)
			s.met.leaderChanges.Inc()
			var have string
			s.fsm.View(func(st *State) { have = st.Replicas[s.cfg.ID] })
			if have != s.HTTPAddr() {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				_, err := s.Propose(ctx, &Command{Op: OpReplica, Replica: &ReplicaCmd{ID: s.cfg.ID, HTTP: s.HTTPAddr()}})
				cancel()
				if err != nil {
					s.log.Warn("record replica address", "err", err)
				}
			}
		}
		now := time.Now()
		if gap := now.Sub(lastTick); gap > s.cfg.Lease/2 {
			// The detector itself was stalled (CPU starvation, GC, a paused
			// VM): heartbeats that arrived meanwhile may not have been read
			// yet, so silence proves nothing. Renew every lease instead of
			// declaring the cluster dead.
			s.log.Warn("failure detector stalled; renewing all leases", "gap", gap)
			s.leaseMu.Lock()
			for id := range s.leases {
				s.leases[id] = now
			}
			s.leaseMu.Unlock()
		}
		lastTick = now
		s.expire(now)
	}
}

// expire declares dead every live member whose lease ran out.
func (s *Server) expire(now time.Time) {
	var dead []string
	s.leaseMu.Lock()
	s.fsm.View(func(st *State) {
		for id := range s.leases {
			if m, ok := st.Members[id]; !ok || !m.State.Live() {
				delete(s.leases, id)
				delete(s.beatSeq, id)
			}
		}
		for id, m := range st.Members {
			if !m.State.Live() {
				continue
			}
			t, ok := s.leases[id]
			if !ok {
				s.leases[id] = now
				continue
			}
			if now.Sub(t) > s.cfg.Lease {
				dead = append(dead, id)
			}
		}
	})
	s.leaseMu.Unlock()
	if len(dead) == 0 {
		return
	}
	slices.SortFunc(dead, cmpID)
	if len(dead) > maxHolders {
		dead = dead[:maxHolders]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r, err := s.Propose(ctx, &Command{Op: OpFail, Fail: &FailCmd{Nodes: dead}})
	if err != nil {
		s.log.Warn("declare dead", "nodes", dead, "err", err)
		return
	}
	s.log.Info("lease expired, nodes declared dead", "nodes", dead, "epoch", r.Epoch, "new_epoch", r.NewEpoch)
}

// touch renews a node's lease (leader only).
func (s *Server) touch(id string) {
	s.leaseMu.Lock()
	s.leases[id] = time.Now()
	s.leaseMu.Unlock()
}

// applied runs on the FSM goroutine after every command.
func (s *Server) applied(c *Command, r Result) {
	if r.Committed != nil {
		s.met.commits.Inc()
	}
	if s.cfg.SharedDir == "" || r.Committed == nil {
		return
	}
	st, _ := s.fsm.State()
	rec := CommitRecord{Version: 1, Checkpoint: *r.Committed, Epoch: r.Epoch, Job: st.Job}
	// Never block raft's FSM goroutine on the shared directory (an NFS
	// server can hang): if the writer is that far behind, drop the record;
	// the next commit writes a newer one.
	select {
	case s.records <- rec:
	default:
		s.log.Error("shared-directory writer is behind; commit record dropped", "checkpoint", rec.Checkpoint.ID)
	}
}

func (s *Server) recordWriter() {
	defer s.wg.Done()
	for {
		select {
		case <-s.done:
			return
		case rec := <-s.records:
			if err := writeCommitRecord(s.cfg.SharedDir, rec); err != nil {
				s.log.Error("write commit record to shared dir", "checkpoint", rec.Checkpoint.ID, "err", err)
				continue
			}
			if err := pruneCommitRecords(s.cfg.SharedDir, keepRecords, time.Now()); err != nil {
				s.log.Warn("prune old commit records", "err", err)
			}
		}
	}
}

// ready reports whether this replica may serve leader-only requests.
func (s *Server) ready() bool { return s.readyFlag.Load() && s.raft.State() == raft.Leader }

// contextWithTimeout is context.WithTimeout that also ends when done closes
// (server shutdown), so long polls never hold Close up.
func contextWithTimeout(parent context.Context, d time.Duration, done <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, d)
	go func() {
		select {
		case <-done:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
