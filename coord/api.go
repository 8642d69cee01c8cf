package coord

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// API authentication. Every request carries
//
//	X-Apollo-Date: <unix time in milliseconds>
//	Authorization: Apollo <hex HMAC-SHA256(key, METHOD "\n" REQUEST-URI "\n" DATE "\n" hex(SHA-256(body)))>
//
// and is refused (401) if the MAC is wrong or the date is more than MaxSkew
// away from the server's clock. A captured request can be replayed within
// that window: commands carry a request id (applied once) or are idempotent
// or fenced by epoch, but a replayed POST /v1/heartbeat renews a lease, so an
// eavesdropper could keep a dead node alive for up to MaxSkew. The lease
// channel (beat.go) closes that hole with per-node sequence numbers. /metrics also accepts
// "Authorization: Bearer <MetricsToken(key)>" so Prometheus can scrape it.
const (
	MaxSkew      = 30 * time.Second
	MaxBody      = 1 << 20 // request bodies larger than this are refused (413)
	dateHeader   = "X-Apollo-Date"
	epochHeader  = "X-Apollo-Epoch"
	maxWait      = 60 * time.Second
	defaultWait  = 30 * time.Second
	authScheme   = "Apollo "
	bearerScheme = "Bearer "
)

// ErrAuth is returned when a request or peer does not prove knowledge of the cluster key.
var ErrAuth = errors.New("coord: cluster-key authentication failed")

// Sign returns the Authorization header value for a request.
func Sign(key []byte, method, requestURI, date string, body []byte) string {
	bh := sha256.Sum256(body)
	h := hmac.New(sha256.New, key)
	io.WriteString(h, method)
	io.WriteString(h, "\n")
	io.WriteString(h, requestURI)
	io.WriteString(h, "\n")
	io.WriteString(h, date)
	io.WriteString(h, "\n")
	io.WriteString(h, hex.EncodeToString(bh[:]))
	return authScheme + hex.EncodeToString(h.Sum(nil))
}

// MetricsToken is the bearer token /metrics accepts for key.
func MetricsToken(key []byte) string {
	h := hmac.New(sha256.New, key)
	io.WriteString(h, "apollo-coord-metrics-v1")
	return hex.EncodeToString(h.Sum(nil))
}

func verify(key []byte, r *http.Request, body []byte, now time.Time) error {
	date := r.Header.Get(dateHeader)
	ms, err := strconv.ParseInt(date, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: missing or bad %s", ErrAuth, dateHeader)
	}
	if d := now.Sub(time.UnixMilli(ms)); d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("%w: request date off by %v (max %v)", ErrAuth, d.Round(time.Millisecond), MaxSkew)
	}
	want := Sign(key, r.Method, r.URL.RequestURI(), date, body)
	if !hmac.Equal([]byte(r.Header.Get("Authorization")), []byte(want)) {
		return fmt.Errorf("%w: bad signature", ErrAuth)
	}
	return nil
}

// Wire types of the API.
type (
	// RegisterRequest registers a node.
	RegisterRequest struct {
		Addr     string `json:"addr"`
		Capacity int    `json:"capacity"`
	}
	// RegisterReply gives the new member id.
	RegisterReply struct {
		Node    string `json:"node"`
		Epoch   uint64 `json:"epoch"`
		Version uint64 `json:"version"`
	}
	// HeartbeatRequest renews a node's lease.
	HeartbeatRequest struct {
		Node  string `json:"node"`
		Epoch uint64 `json:"epoch"`
	}
	// HeartbeatReply carries what a node must react to at once.
	HeartbeatReply struct {
		Epoch         uint64      `json:"epoch"`
		Version       uint64      `json:"version"`
		State         MemberState `json:"state"`
		Paused        bool        `json:"paused"`
		CheckpointSeq uint64      `json:"checkpoint_seq"`
	}
	// ReportReply answers a checkpoint report.
	ReportReply struct {
		Epoch     uint64      `json:"epoch"`
		Committed *Checkpoint `json:"committed,omitempty"`
		Duplicate bool        `json:"duplicate,omitempty"`
	}
	// NodeRequest names a node (pull, drain).
	NodeRequest struct {
		Node string `json:"node"`
	}
	// ReplicaRequest adds or removes a controller replica.
	ReplicaRequest struct {
		ID       string `json:"id"`
		RaftAddr string `json:"raft_addr,omitempty"`
		HTTPAddr string `json:"http_addr,omitempty"`
	}
	// EmptyRequest is the body of commands without arguments.
	EmptyRequest struct{}
	// OKReply acknowledges a command.
	OKReply struct {
		Epoch     uint64 `json:"epoch"`
		Duplicate bool   `json:"duplicate,omitempty"`
	}
	// Status is the replicated state as one replica sees it.
	Status struct {
		Replica    string `json:"replica"`
		Leader     string `json:"leader"`
		LeaderHTTP string `json:"leader_http"`
		Term       uint64 `json:"term"`
		Index      uint64 `json:"index"`
		State      *State `json:"state"`
	}
	errorReply struct {
		Error string `json:"error"`
		Code  string `json:"code"`
		Epoch uint64 `json:"epoch"`
	}
)

var errorCodes = []struct {
	err    error
	status int
	code   string
}{
	{ErrAuth, http.StatusUnauthorized, "unauthorized"},
	{ErrBadCommand, http.StatusBadRequest, "bad_request"},
	{ErrFenced, http.StatusGone, "fenced"},
	{ErrStaleEpoch, http.StatusConflict, "stale_epoch"},
	{ErrConflict, http.StatusConflict, "conflict"},
	{ErrNotOwner, http.StatusConflict, "not_owner"},
	{ErrNoJob, http.StatusConflict, "no_job"},
	{ErrUnknownNode, http.StatusNotFound, "unknown_node"},
	{ErrNotLeader, http.StatusServiceUnavailable, "not_leader"},
	{errTooLarge, http.StatusRequestEntityTooLarge, "too_large"},
}

var errTooLarge = errors.New("coord: request body too large")

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	post := func(path string, leader bool, h func(*http.Request, []byte) (any, error)) {
		mux.Handle("POST "+path, s.endpoint(path, leader, h))
	}
	post("/v1/job", true, func(r *http.Request, b []byte) (any, error) {
		var j Job
		if err := decodeStrict(b, &j); err != nil {
			return nil, err
		}
		return s.command(r, &Command{Op: OpSetJob, Job: &j})
	})
	post("/v1/register", true, s.handleRegister)
	post("/v1/heartbeat", true, s.handleHeartbeat)
	post("/v1/report", true, s.handleReport)
	post("/v1/pull", true, func(r *http.Request, b []byte) (any, error) {
		var q NodeRequest
		if err := decodeStrict(b, &q); err != nil {
			return nil, err
		}
		return s.command(r, &Command{Op: OpFail, Fail: &FailCmd{Nodes: []string{q.Node}, Pulled: true}})
	})
	post("/v1/drain", true, func(r *http.Request, b []byte) (any, error) {
		var q NodeRequest
		if err := decodeStrict(b, &q); err != nil {
			return nil, err
		}
		return s.command(r, &Command{Op: OpDrain, Drain: &NodeCmd{Node: q.Node}})
	})
	for path, op := range map[string]Op{"/v1/checkpoint": OpCheckpointNow, "/v1/pause": OpPause, "/v1/resume": OpResume} {
		post(path, true, func(r *http.Request, b []byte) (any, error) {
			if err := decodeStrict(b, &EmptyRequest{}); err != nil {
				return nil, err
			}
			return s.command(r, &Command{Op: op})
		})
	}
	post("/v1/replicas/add", true, func(r *http.Request, b []byte) (any, error) {
		var q ReplicaRequest
		if err := decodeStrict(b, &q); err != nil {
			return nil, err
		}
		if err := s.AddReplica(r.Context(), q.ID, q.RaftAddr, q.HTTPAddr); err != nil {
			return nil, err
		}
		return OKReply{Epoch: s.epoch()}, nil
	})
	post("/v1/replicas/remove", true, func(r *http.Request, b []byte) (any, error) {
		var q ReplicaRequest
		if err := decodeStrict(b, &q); err != nil {
			return nil, err
		}
		if !validID(q.ID) {
			return nil, bad("bad replica id %q", q.ID)
		}
		if err := s.RemoveReplica(r.Context(), q.ID); err != nil {
			return nil, err
		}
		return OKReply{Epoch: s.epoch()}, nil
	})
	mux.Handle("GET /v1/status", s.endpoint("/v1/status", false, func(r *http.Request, _ []byte) (any, error) {
		return s.status(), nil
	}))
	mux.Handle("GET /v1/watch", s.endpoint("/v1/watch", false, s.handleWatch))
	prom := promhttp.HandlerFor(s.met.reg, promhttp.HandlerOpts{})
	token := bearerScheme + MetricsToken(s.cfg.Key)
	mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hmac.Equal([]byte(r.Header.Get("Authorization")), []byte(token)) {
			if err := verify(s.cfg.Key, r, nil, time.Now()); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		prom.ServeHTTP(w, r)
	}))
	return mux
}

func (s *Server) epoch() uint64 {
	var e uint64
	s.fsm.View(func(st *State) { e = st.Epoch })
	return e
}

// endpoint wraps a handler with body capping, authentication, leader
// routing and error mapping. A refused request changes nothing.
func (s *Server) endpoint(name string, leaderOnly bool, h func(*http.Request, []byte) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.met.requests.WithLabelValues(name).Inc()
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				err = fmt.Errorf("%w: limit %d bytes", errTooLarge, MaxBody)
			} else {
				err = fmt.Errorf("%w: reading body: %v", ErrBadCommand, err)
			}
			s.fail(w, r, err)
			return
		}
		if err := verify(s.cfg.Key, r, body, time.Now()); err != nil {
			s.fail(w, r, err)
			return
		}
		if leaderOnly && !s.ready() {
			if _, addr := s.Leader(); addr != "" && !s.IsLeader() {
				w.Header().Set("Location", "http://"+addr+r.URL.RequestURI())
				w.Header().Set(epochHeader, strconv.FormatUint(s.epoch(), 10))
				w.WriteHeader(http.StatusTemporaryRedirect)
				return
			}
			s.fail(w, r, fmt.Errorf("%w: no leader known to %s yet", ErrNotLeader, s.cfg.ID))
			return
		}
		v, err := h(r, body)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(epochHeader, strconv.FormatUint(s.epoch(), 10))
		if err := json.NewEncoder(w).Encode(v); err != nil {
			s.log.Debug("write reply", "err", err)
		}
	})
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, code := http.StatusInternalServerError, "internal"
	for _, e := range errorCodes {
		if errors.Is(err, e.err) {
			status, code = e.status, e.code
			break
		}
	}
	s.met.reqErrors.WithLabelValues(strconv.Itoa(status)).Inc()
	if status >= 500 && code == "internal" {
		s.log.Error("api request", "path", r.URL.Path, "err", err)
	}
	ep := s.epoch()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(epochHeader, strconv.FormatUint(ep, 10))
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(errorReply{Error: err.Error(), Code: code, Epoch: ep})
}

// reqID is the client's request id (query parameter "req", covered by the
// signature like the rest of the URI).
func reqID(r *http.Request) string { return r.URL.Query().Get("req") }

// command proposes c and turns a refusal into an error.
func (s *Server) command(r *http.Request, c *Command) (any, error) {
	c.ReqID = reqID(r)
	res, err := s.Propose(r.Context(), c)
	if err != nil {
		return nil, err
	}
	if res.Err != nil {
		return nil, res.Err
	}
	return OKReply{Epoch: res.Epoch, Duplicate: res.Duplicate}, nil
}

func (s *Server) handleRegister(r *http.Request, b []byte) (any, error) {
	var q RegisterRequest
	if err := decodeStrict(b, &q); err != nil {
		return nil, err
	}
	res, err := s.Propose(r.Context(), &Command{Op: OpRegister, ReqID: reqID(r), Register: &RegisterCmd{Addr: q.Addr, Capacity: q.Capacity}})
	if err != nil {
		return nil, err
	}
	if res.Err != nil {
		return nil, res.Err
	}
	s.touch(res.MemberID)
	var v uint64
	s.fsm.View(func(st *State) { v = st.Version })
	return RegisterReply{Node: res.MemberID, Epoch: res.Epoch, Version: v}, nil
}

func (s *Server) handleHeartbeat(r *http.Request, b []byte) (any, error) {
	var q HeartbeatRequest
	if err := decodeStrict(b, &q); err != nil {
		return nil, err
	}
	if !validID(q.Node) {
		return nil, bad("bad node id")
	}
	var rep HeartbeatReply
	var err error
	s.fsm.View(func(st *State) {
		m, ok := st.Members[q.Node]
		switch {
		case !ok:
			err = fmt.Errorf("%w: %s", ErrUnknownNode, q.Node)
		case !m.State.Live():
			err = fmt.Errorf("%w: %s is %s", ErrFenced, q.Node, m.State)
		default:
			rep = HeartbeatReply{Epoch: st.Epoch, Version: st.Version, State: m.State, Paused: st.Paused, CheckpointSeq: st.CheckpointSeq}
		}
	})
	if err != nil {
		return nil, err
	}
	s.touch(q.Node)
	return rep, nil
}

func (s *Server) handleReport(r *http.Request, b []byte) (any, error) {
	var q ReportCmd
	if err := decodeStrict(b, &q); err != nil {
		return nil, err
	}
	res, err := s.Propose(r.Context(), &Command{Op: OpReport, ReqID: reqID(r), Report: &q})
	if err != nil {
		return nil, err
	}
	if res.Err != nil {
		return nil, res.Err
	}
	return ReportReply{Epoch: res.Epoch, Committed: res.Committed, Duplicate: res.Duplicate}, nil
}

func (s *Server) status() Status {
	st, idx := s.fsm.State()
	id, addr := s.Leader()
	return Status{Replica: s.cfg.ID, Leader: id, LeaderHTTP: addr, Term: s.raft.CurrentTerm(), Index: idx, State: st}
}

// handleWatch long-polls: it answers once the state version exceeds after,
// or when the timeout passes (then with the unchanged state).
func (s *Server) handleWatch(r *http.Request, _ []byte) (any, error) {
	q := r.URL.Query()
	after, err := strconv.ParseUint(q.Get("after"), 10, 64)
	if err != nil && q.Get("after") != "" {
		return nil, bad("after: %v", err)
	}
	wait := defaultWait
	if t := q.Get("timeout_ms"); t != "" {
		ms, err := strconv.ParseInt(t, 10, 64)
		if err != nil || ms < 0 {
			return nil, bad("timeout_ms: want a non-negative integer")
		}
		wait = min(time.Duration(ms)*time.Millisecond, maxWait)
	}
	for k := range q {
		if k != "after" && k != "timeout_ms" {
			return nil, bad("unknown parameter %q", strings.ToValidUTF8(k, "?"))
		}
	}
	ctx, cancel := contextWithTimeout(r.Context(), wait, s.done)
	defer cancel()
	s.fsm.Wait(ctx, after)
	return s.status(), nil
}
