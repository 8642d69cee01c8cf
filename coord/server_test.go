package coord

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(replicaEnv) != "" {
		os.Exit(replicaMain())
	}
	goleak.VerifyTestMain(m)
}

var testKey = []byte("0123456789abcdef-test-cluster-key")

func quietLogger() *slog.Logger {
	if testing.Verbose() && os.Getenv("COORD_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Key == nil {
		cfg.Key = testKey
	}
	if cfg.RaftAddr == "" {
		cfg.RaftAddr = "127.0.0.1:0"
	}
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	s, err := NewServer(cfg)
	if err != nil {
		t.Fatalf("start %s: %v", cfg.ID, err)
	}
	return s
}

// waitFor polls cond every 5 ms until it holds or d passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// startCluster starts n replicas on loopback TCP: the first bootstraps, the
// others are added by it.
func startCluster(t testing.TB, n int, dataDir func(i int) string, tune func(*Config)) []*Server {
	t.Helper()
	var out []*Server
	for i := 0; i < n; i++ {
		cfg := Config{ID: "c" + strconv.Itoa(i+1), Bootstrap: i == 0}
		if dataDir != nil {
			cfg.DataDir = dataDir(i)
		}
		if tune != nil {
			tune(&cfg)
		}
		s := startServer(t, cfg)
		out = append(out, s)
		if i == 0 {
			waitFor(t, 5*time.Second, "bootstrap leader", s.ready)
			continue
		}
		if err := out[0].AddReplica(ctxT(t, 5*time.Second), cfg.ID, s.RaftAddr(), s.HTTPAddr()); err != nil {
			t.Fatalf("add %s: %v", cfg.ID, err)
		}
	}
	return out
}

func addrsOf(ss []*Server) []string {
	var a []string
	for _, s := range ss {
		a = append(a, s.HTTPAddr())
	}
	return a
}

func leaderOf(ss []*Server) *Server {
	for _, s := range ss {
		if s != nil && s.ready() {
			return s
		}
	}
	return nil
}

// heartbeater keeps nodes alive until stopped.
type heartbeater struct {
	stop chan struct{}
	done chan struct{}
}

func heartbeat(c *Client, every time.Duration, nodes ...string) *heartbeater {
	h := &heartbeater{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			for _, n := range nodes {
				ctx, cancel := context.WithTimeout(context.Background(), every)
				c.Heartbeat(ctx, n, 0)
				cancel()
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heartbeater) Stop() { close(h.stop); <-h.done }

// TestScriptedInteraction runs one replica on the real bbolt store and TCP
// stream layer through join, lease expiry, commit, stale report, fencing,
// rejoin, pull and the shared-directory record.
func TestScriptedInteraction(t *testing.T) {
	shared := t.TempDir()
	lease := 500 * time.Millisecond
	s := startCluster(t, 1, func(int) string { return t.TempDir() }, func(c *Config) {
		c.Lease = lease
		c.SharedDir = shared
	})[0]
	defer s.Close()
	c := NewClient([]string{s.HTTPAddr()}, testKey)
	defer c.CloseIdleConnections()
	ctx := ctxT(t, 20*time.Second)

	if _, err := c.SetJob(ctx, Job{Spec: []byte(`{"grid":160}`), Ranks: 4, K: 2, M: 1, MinNodes: 2, Retention: 2}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range []string{"a:1", "b:1", "c:1"} {
		r, err := c.Register(ctx, a, 1)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.Node)
	}
	st := s.State()
	if st.Epoch != 1 || !slices.Equal(st.RankMap, []string{"n1", "n1", "n2", "n2"}) {
		t.Fatalf("epoch %d map %v", st.Epoch, st.RankMap)
	}
	// n2 and n3 heartbeat; n1 falls silent and must be declared dead within
	// lease + one detector tick (+ commit time).
	hb := heartbeat(c, lease/5, "n2", "n3")
	silentSince := time.Now()
	w, err := c.Watch(ctx, st.Version, 5*time.Second)
	for err == nil && w.State.Epoch < 2 {
		w, err = c.Watch(ctx, w.State.Version, 5*time.Second)
	}
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(silentSince)
	// lease + one detector tick (50 ms) + one commit, with slack for a loaded machine.
	if limit := lease + lease/4 + 300*time.Millisecond; took > limit {
		t.Errorf("silent node declared dead after %v, limit %v", took, limit)
	}
	st = w.State
	if st.Members["n1"].State != Dead || !slices.Equal(st.RankMap, []string{"n3", "n3", "n2", "n2"}) {
		t.Fatalf("after expiry: %+v map %v", st.Members["n1"], st.RankMap)
	}
	// The dead node comes back: fenced, then rejoins as a new member.
	if _, err := c.Heartbeat(ctx, "n1", 1); !errors.Is(err, ErrFenced) {
		t.Fatalf("fenced heartbeat: %v", err)
	}
	rr := ReportCmd{Epoch: 1, Node: "n1", Rank: 0, Checkpoint: 1, Step: 10, Level: LevelMemory, ManifestHash: "aa"}
	if _, err := c.Report(ctx, rr); !errors.Is(err, ErrStaleEpoch) {
		t.Fatalf("stale report: %v", err)
	}
	r, err := c.Register(ctx, "a:1", 1)
	if err != nil || r.Node != "n4" {
		t.Fatalf("rejoin: %+v %v", r, err)
	}
	hb.Stop()
	hb = heartbeat(c, lease/5, "n2", "n3", "n4")
	defer hb.Stop()
	// Commit checkpoint 1 in epoch 2.
	var committed *Checkpoint
	for rank, n := range st.RankMap {
		rep, err := c.Report(ctx, ReportCmd{Epoch: 2, Node: n, Rank: rank, Checkpoint: 1, Step: 10, Level: LevelMemory,
			ManifestHash: "ab" + strconv.Itoa(rank), Holders: []string{"n2", "n3"}})
		if err != nil {
			t.Fatalf("report rank %d: %v", rank, err)
		}
		if rep.Committed != nil {
			committed = rep.Committed
		}
	}
	if committed == nil || committed.ID != 1 {
		t.Fatalf("not committed: %+v", committed)
	}
	waitFor(t, 2*time.Second, "commit record", func() bool {
		rec, _, err := LatestCommitRecord(shared)
		return err == nil && rec.Checkpoint.ManifestHash == committed.ManifestHash && string(rec.Job.Spec) == `{"grid":160}`
	})
	// Operator pull: a new epoch at once, restoring checkpoint 1.
	if _, err := c.Pull(ctx, "n2"); err != nil {
		t.Fatal(err)
	}
	st = s.State()
	if st.Epoch != 3 || st.RestorePoint != 1 || st.Members["n2"].State != Pulled || !slices.Equal(st.RankMap, []string{"n3", "n3", "n4", "n4"}) {
		t.Fatalf("after pull: epoch %d restore %d map %v", st.Epoch, st.RestorePoint, st.RankMap)
	}
	for _, f := range []func(context.Context) (OKReply, error){c.CheckpointNow, c.Pause, c.Resume} {
		if _, err := f(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Drain(ctx, "n4"); err != nil {
		t.Fatal(err)
	}
	st = s.State()
	if st.CheckpointSeq != 1 || st.Paused || st.Members["n4"].State != Draining {
		t.Fatalf("operator commands: %+v", st)
	}
	// Metrics with the bearer token.
	req, _ := http.NewRequest("GET", "http://"+s.HTTPAddr()+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+MetricsToken(testKey))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"apollo_coord_epoch 3", "apollo_coord_leader 1", `apollo_coord_members{state="dead"} 1`,
		"apollo_coord_recoveries 2", "apollo_coord_last_checkpoint_step 10", "apollo_coord_checkpoint_commits_total 1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

// rawCall sends a request with explicit headers and returns status and body.
func rawCall(t *testing.T, addr, method, path string, body []byte, hdr func(*http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	date := strconv.FormatInt(time.Now().UnixMilli(), 10)
	req.Header.Set(dateHeader, date)
	req.Header.Set("Authorization", Sign(testKey, method, path, date, body))
	if hdr != nil {
		hdr(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAPIRefusesBadRequests(t *testing.T) {
	s := startCluster(t, 1, nil, nil)[0]
	defer s.Close()
	defer http.DefaultClient.CloseIdleConnections()
	c := NewClient([]string{s.HTTPAddr()}, testKey)
	defer c.CloseIdleConnections()
	ctx := ctxT(t, 10*time.Second)
	if _, err := c.SetJob(ctx, Job{Ranks: 2, K: 1, M: 1, MinNodes: 1, Retention: 1}); err != nil {
		t.Fatal(err)
	}
	before := s.State()
	reg := []byte(`{"addr":"x:1","capacity":1}`)
	cases := []struct {
		name   string
		path   string
		body   []byte
		hdr    func(*http.Request)
		status int
	}{
		{"no auth", "/v1/register", reg, func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"wrong key", "/v1/register", reg, func(r *http.Request) {
			r.Header.Set("Authorization", Sign([]byte("another-key-of-16-bytes"), "POST", "/v1/register", r.Header.Get(dateHeader), reg))
		}, 401},
		{"body swapped", "/v1/register", reg, func(r *http.Request) {
			r.Header.Set("Authorization", Sign(testKey, "POST", "/v1/register", r.Header.Get(dateHeader), []byte(`{}`)))
		}, 401},
		{"old date", "/v1/register", reg, func(r *http.Request) {
			d := strconv.FormatInt(time.Now().Add(-time.Minute).UnixMilli(), 10)
			r.Header.Set(dateHeader, d)
			r.Header.Set("Authorization", Sign(testKey, "POST", "/v1/register", d, reg))
		}, 401},
		{"metrics without token", "/metrics", nil, func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"unknown field", "/v1/register", []byte(`{"addr":"x:1","capacity":1,"root":true}`), nil, 400},
		{"bad type", "/v1/register", []byte(`{"addr":"x:1","capacity":"many"}`), nil, 400},
		{"trailing data", "/v1/register", []byte(`{"addr":"x:1","capacity":1}{}`), nil, 400},
		{"invalid value", "/v1/register", []byte(`{"addr":"","capacity":1}`), nil, 400},
		{"not json", "/v1/pull", []byte(`node=n1`), nil, 400},
		{"too large", "/v1/register", bytes.Repeat([]byte(" "), MaxBody+1), nil, 413},
		{"bad watch param", "/v1/watch?after=x", nil, nil, 400},
		{"empty body for empty command", "/v1/pause", []byte(``), nil, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if strings.HasPrefix(tc.path, "/v1/watch") || tc.path == "/metrics" {
				method = "GET"
			}
			status, body := rawCall(t, s.HTTPAddr(), method, tc.path, tc.body, tc.hdr)
			if status != tc.status {
				t.Fatalf("status %d, want %d (%s)", status, tc.status, body)
			}
			if status != 413 && !strings.Contains(body, `"error"`) && tc.path != "/metrics" {
				t.Fatalf("no error message: %s", body)
			}
		})
	}
	after := s.State()
	if after.Version != before.Version || len(after.Members) != 0 {
		t.Fatalf("refused requests changed the state: version %d → %d", before.Version, after.Version)
	}
}

func TestClientFollowsLeaderAcrossFailover(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	ss := startCluster(t, 3, func(i int) string { return dirs[i] }, nil)
	defer func() {
		for _, s := range ss {
			if s != nil {
				s.Close()
			}
		}
	}()
	// Start the client at a follower: it must be redirected to the leader.
	addrs := addrsOf(ss)
	slices.Reverse(addrs)
	c := NewClient(addrs, testKey)
	defer c.CloseIdleConnections()
	ctx := ctxT(t, 30*time.Second)
	if _, err := c.SetJob(ctx, Job{Ranks: 2, K: 1, M: 1, MinNodes: 1, Retention: 2}); err != nil {
		t.Fatal(err)
	}
	r, err := c.Register(ctx, "a:1", 1)
	if err != nil {
		t.Fatal(err)
	}
	hb := heartbeat(c, 100*time.Millisecond, r.Node)
	defer hb.Stop()
	for rank := 0; rank < 2; rank++ {
		if _, err := c.Report(ctx, ReportCmd{Epoch: 1, Node: r.Node, Rank: rank, Checkpoint: 5, Step: 50, Level: LevelShared, ManifestHash: "cafe"}); err != nil {
			t.Fatal(err)
		}
	}
	old := leaderOf(ss)
	want := old.State()
	oldIdx := slices.Index(ss, old)
	killed := time.Now()
	old.Close()
	ss[oldIdx] = nil
	if _, err := c.CheckpointNow(ctx); err != nil {
		t.Fatalf("no new leader: %v", err)
	}
	failover := time.Since(killed)
	t.Logf("failover (close leader → first commit by new leader): %v", failover)
	if failover > hardFailover {
		t.Errorf("failover took %v", failover)
	}
	nl := leaderOf(ss)
	if nl == nil {
		t.Fatal("no ready leader")
	}
	// The lease channel finds the new leader too.
	bt, err := NewBeater(addrsOf(ss[:0]), testKey, r.Node)
	if err == nil {
		t.Fatal("beater without addresses")
	}
	var live []string
	for _, s := range ss {
		if s != nil {
			live = append(live, s.HTTPAddr())
		}
	}
	bt, err = NewBeater(append([]string{old.HTTPAddr()}, live...), testKey, r.Node)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := bt.Beat(ctx, want.Epoch); err != nil || rep.Epoch != want.Epoch {
		t.Fatalf("beat after failover: %+v %v", rep, err)
	}
	bt.Close()
	got := nl.State()
	if got.Epoch != want.Epoch || len(got.Checkpoints) != 1 || got.Checkpoints[0].ManifestHash != want.Checkpoints[0].ManifestHash ||
		got.Members[r.Node].State != Alive || got.Recoveries != 0 || got.CheckpointSeq != want.CheckpointSeq+1 {
		t.Fatalf("state after failover differs: %+v vs %+v", got, want)
	}
	// Restart the old leader from its bbolt files on its old raft address: it catches up.
	restarted := startServer(t, Config{ID: old.ID(), DataDir: dirs[oldIdx], RaftAddr: old.RaftAddr()})
	ss[oldIdx] = restarted
	if _, err := c.CheckpointNow(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "restarted replica catches up", func() bool {
		return restarted.State().CheckpointSeq == want.CheckpointSeq+2
	})
	// Drain the controller leader: leadership moves by LeadershipTransfer.
	// (The restarted replica may still stir an election; retry until a stable leader hands off.)
	var cur *Server
	var start time.Time
	waitFor(t, 5*time.Second, "a leader that hands off", func() bool {
		cur = leaderOf(ss)
		start = time.Now()
		return cur != nil && cur.Handoff() == nil
	})
	waitFor(t, 3*time.Second, "new leader after handoff", func() bool {
		l := leaderOf(ss)
		return l != nil && l != cur
	})
	t.Logf("leadership transfer: %v", time.Since(start))

	// Remove the leader replica through the API: it hands leadership over,
	// the client follows, and the new leader removes it.
	var gone *Server
	waitFor(t, 5*time.Second, "a ready leader", func() bool { gone = leaderOf(ss); return gone != nil })
	if err := c.RemoveReplica(ctx, gone.ID()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "replica removed", func() bool {
		l := leaderOf(ss)
		if l == nil || l == gone {
			return false
		}
		f := l.raft.GetConfiguration()
		return f.Error() == nil && len(f.Configuration().Servers) == 2 && l.State().Replicas[gone.ID()] == ""
	})
	if _, err := c.CheckpointNow(ctx); err != nil {
		t.Fatalf("two remaining replicas cannot commit: %v", err)
	}
}

// TestWatchLongPoll: a watch returns at once when the state is newer than
// "after", waits out its timeout otherwise, wakes on a change, and is served
// by followers from their own applied state.
func TestWatchLongPoll(t *testing.T) {
	ss := startCluster(t, 2, nil, nil)
	defer func() {
		for _, s := range ss {
			s.Close()
		}
	}()
	c := NewClient(addrsOf(ss), testKey)
	defer c.CloseIdleConnections()
	ctx := ctxT(t, 10*time.Second)
	if _, err := c.SetJob(ctx, Job{Ranks: 1, K: 1, M: 0, MinNodes: 1, Retention: 1}); err != nil {
		t.Fatal(err)
	}
	follower := NewClient([]string{ss[1].HTTPAddr()}, testKey)
	defer follower.CloseIdleConnections()
	waitFor(t, 2*time.Second, "follower applies the job", func() bool { return ss[1].State().Job != nil })
	st, err := follower.Watch(ctx, 0, time.Second)
	if err != nil || st.Replica != "c2" || st.State.Job == nil {
		t.Fatalf("watch at a follower: %+v %v", st, err)
	}
	v := st.State.Version
	start := time.Now()
	if st, err = follower.Watch(ctx, v, 150*time.Millisecond); err != nil || st.State.Version != v {
		t.Fatalf("idle watch: %+v %v", st, err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("idle watch returned after %v", d)
	}
	done := make(chan Status, 1)
	go func() {
		st, _ := follower.Watch(ctx, v, 5*time.Second)
		done <- st
	}()
	time.Sleep(50 * time.Millisecond)
	if _, err := c.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case st := <-done:
		if !st.State.Paused || st.State.Version <= v {
			t.Fatalf("woken watch: %+v", st.State)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("watch not woken by a change")
	}
}
