package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/coord"
	"github.com/apollo-hpc/apollo/node"
)

// The cluster job: long enough (a few seconds) to kill things mid-run.
const (
	clusterGrid  = "32,32,32"
	clusterSteps = 500
)

var (
	refOnce sync.Once
	refSum  string
)

// reference is the checksum of the same job run undisturbed by `apollo run`.
func reference(t *testing.T) string {
	t.Helper()
	refOnce.Do(func() {
		out := apollo(t, 2*time.Minute, t.TempDir(), "run", "--job.problem", "heat", "--job.stop_time", "0", "--grid", clusterGrid, "--steps", strconv.Itoa(clusterSteps),
			"--ranks", "4", "--run.progress=false")
		refSum = checksumOf(t, out)
	})
	if refSum == "" {
		t.Fatal("no reference checksum")
	}
	return refSum
}

// syncBuf is a bytes.Buffer safe for a process writing while a test reads.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type proc struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuf // stdout
	errb *syncBuf // stderr
	done chan struct{}
	err  error // valid after done
}

// cluster is a controller (1 or 3 replicas) and node processes of one job.
type cluster struct {
	t     testing.TB
	dir   string
	ctl   []string // API addresses
	procs []*proc
	mu    sync.Mutex
}

// freePort returns a port free for both TCP and UDP (the controller's
// lease channel listens on the UDP port of its API port).
func freePort(t testing.TB) int { return freePorts(t, 1) }

// freePorts returns a port p such that p..p+n-1 are free for TCP and p is
// free for UDP: `apollo up` puts Raft on its API port + 1. Another process
// may still take them before the child binds; callers that can retry do.
func freePorts(t testing.TB, n int) int {
	t.Helper()
	for try := 0; try < 50; try++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		held := []io.Closer{ln}
		ok := true
		for i := 1; i < n && ok; i++ {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+i))
			if ok = err == nil; ok {
				held = append(held, l)
			}
		}
		if ok {
			u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
			if ok = err == nil; ok {
				held = append(held, u)
			}
		}
		for _, c := range held {
			c.Close()
		}
		if ok {
			return port
		}
	}
	t.Fatalf("no %d consecutive ports free for TCP (the first also for UDP)", n)
	return 0
}

func newCluster(t testing.TB, replicas int) *cluster {
	c := &cluster{t: t, dir: t.TempDir()}
	if _, err := node.LoadOrCreateKey(filepath.Join(c.dir, "cluster.key")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < replicas; i++ {
		c.ctl = append(c.ctl, "127.0.0.1:"+strconv.Itoa(freePort(t)))
	}
	t.Cleanup(c.killAll)
	return c
}

func (c *cluster) jobArgs() []string {
	return []string{"--data", c.dir, "--job.problem", "heat", "--job.stop_time", "0", "--job.grid", clusterGrid, "--job.stop_step", strconv.Itoa(clusterSteps),
		"--job.ranks", "4", "--checkpoint.every_steps", "20", "--controller.lease", "2s", "--controller.heartbeat", "100ms",
		"--controller.addrs", strings.Join(c.ctl, ",")}
}

func (c *cluster) start(name string, args ...string) *proc {
	c.t.Helper()
	p := &proc{name: name, out: &syncBuf{}, errb: &syncBuf{}, done: make(chan struct{})}
	p.cmd = exec.Command(apolloBin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.errb
	if err := p.cmd.Start(); err != nil {
		c.t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
	return p
}

// startControllers starts the replicas: the first bootstraps, the others join.
func (c *cluster) startControllers(sub string) []*proc {
	return c.startControllersSub(sub, c.jobArgs())
}

func (c *cluster) startControllersArgs(job []string) []*proc {
	return c.startControllersSub("controller", job)
}

func (c *cluster) startControllersSub(sub string, job []string) []*proc {
	var ps []*proc
	for i, addr := range c.ctl {
		host, _, _ := net.SplitHostPort(addr)
		args := append([]string{sub}, job...)
		args = append(args, "--run.nodes", "4", "--controller.id", "c"+strconv.Itoa(i+1),
			"--controller.listen", addr, "--controller.raft_listen", net.JoinHostPort(host, strconv.Itoa(freePort(c.t))),
			"--controller.raft_dir", filepath.Join(c.dir, "raft-c"+strconv.Itoa(i+1)))
		if i > 0 {
			args = append(args, "--controller.join", c.ctl[0])
		}
		ps = append(ps, c.start(fmt.Sprintf("controller-c%d", i+1), args...))
	}
	return ps
}

func (c *cluster) startNodes(n int) []*proc { return c.startNodesJob(n, c.jobArgs()) }

func (c *cluster) startNodesArgs(job []string) []*proc { return c.startNodesJob(4, job) }

func (c *cluster) startNodesJob(n int, job []string) []*proc {
	var ps []*proc
	for i := 0; i < n; i++ {
		args := append([]string{"node"}, job...)
		args = append(args, "--node.id", "node-"+strconv.Itoa(i+1), "--node.listen", "127.0.0."+strconv.Itoa(i+2)+":0")
		ps = append(ps, c.start("node-"+strconv.Itoa(i+1), args...))
	}
	return ps
}

func (c *cluster) killAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.procs {
		p.cmd.Process.Signal(syscall.SIGCONT)
		p.cmd.Process.Kill()
		<-p.done
	}
	c.procs = nil
}

func (c *cluster) dump() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, p := range c.procs {
		fmt.Fprintf(&b, "==== %s (pid %d)\n%s\n%s\n", p.name, p.cmd.Process.Pid, tail(p.errb.String(), 25), p.out.String())
	}
	return b.String()
}

// status asks the controller for its state with `apollo status --json`.
func (c *cluster) status() (*coord.Status, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, apolloBin, "status", "--json", "--data", c.dir, "--controller.addrs", strings.Join(c.ctl, ","))
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("apollo status: %w", err)
	}
	var s coord.Status
	if err := json.Unmarshal(out, &s); err != nil {
		return nil, err
	}
	if s.State == nil {
		return nil, fmt.Errorf("status without state")
	}
	return &s, nil
}

// waitFor polls the controller until cond holds.
func (c *cluster) waitFor(what string, timeout time.Duration, cond func(*coord.State) bool) *coord.State {
	c.t.Helper()
	return c.waitEvery(what, timeout, 50*time.Millisecond, cond)
}

// waitEvery is waitFor polling every interval: a state that lasts only
// milliseconds (a checkpoint reported by some ranks, not yet committed)
// needs a short one.
func (c *cluster) waitEvery(what string, timeout, interval time.Duration, cond func(*coord.State) bool) *coord.State {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if s, err := c.status(); err == nil && cond(s.State) {
			return s.State
		}
		time.Sleep(interval)
	}
	c.t.Fatalf("timed out waiting for %s\n%s", what, c.dump())
	return nil
}

func lastStep(st *coord.State) int64 {
	if n := len(st.Checkpoints); n > 0 {
		return st.Checkpoints[n-1].Step
	}
	return 0
}

// finish waits for the node processes and returns the final checksum
// printed by the one that held rank 0.
func (c *cluster) finish(nodes []*proc, timeout time.Duration) string {
	c.t.Helper()
	deadline := time.After(timeout)
	sum := ""
	for _, p := range nodes {
		select {
		case <-p.done:
		case <-deadline:
			c.t.Fatalf("nodes did not finish within %v\n%s", timeout, c.dump())
		}
		if m := checksumRE.FindStringSubmatch(p.out.String()); m != nil {
			if sum != "" && sum != m[1] {
				c.t.Fatalf("two nodes report different checksums %s and %s", sum, m[1])
			}
			sum = m[1]
		}
	}
	if sum == "" {
		c.t.Fatalf("no node printed a final checksum\n%s", c.dump())
	}
	return sum
}

// TestClusterMatchesRun: controller + 4 node processes over TCP end with
// the checksum of the one-process `apollo run`.
func TestClusterMatchesRun(t *testing.T) {
	needBinary(t)
	want := reference(t)
	c := newCluster(t, 1)
	c.startControllers("controller")
	nodes := c.startNodes(4)
	if got := c.finish(nodes, 2*time.Minute); got != want {
		t.Fatalf("cluster checksum %s, apollo run %s", got, want)
	}
	st := c.waitFor("final state", 10*time.Second, func(*coord.State) bool { return true })
	if st.Recoveries != 0 {
		t.Fatalf("undisturbed run had %d recoveries", st.Recoveries)
	}
}

// victimProc maps a member id to the node process that registered it, by
// the address it listens on (127.0.0.(i+2)).
func victimProc(st *coord.State, id string, nodes []*proc) *proc {
	m := st.Members[id]
	if m == nil {
		return nil
	}
	for i, p := range nodes {
		if strings.HasPrefix(m.Addr, "127.0.0."+strconv.Itoa(i+2)+":") {
			return p
		}
	}
	return nil
}

// TestNodeKilled: a node SIGKILLed at a random checkpointed step (and one
// while a checkpoint is being written) — the run finishes with the
// undisturbed checksum and the controller shows one recovery.
func TestNodeKilled(t *testing.T) {
	needBinary(t)
	want := reference(t)
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			duringWrite := seed == 3
			at := int64(40 + rng.IntN(8)*20)
			c := newCluster(t, 1)
			c.startControllers("controller")
			nodes := c.startNodes(4)
			var st *coord.State
			if duringWrite {
				// Kill as soon as some ranks reported a checkpoint that is
				// not committed yet: its shards are still being written.
				// With frozen checkpoints that lasts a few milliseconds.
				st = c.waitEvery("a pending checkpoint", time.Minute, time.Millisecond, func(s *coord.State) bool {
					return len(s.Pending) > 0 && s.Pending[0].Reported < 4 && s.Pending[0].Step >= 40
				})
			} else {
				st = c.waitFor(fmt.Sprintf("checkpoint at step %d", at), time.Minute, func(s *coord.State) bool { return lastStep(s) >= at })
			}
			victim := st.RankMap[rng.IntN(len(st.RankMap))]
			p := victimProc(st, victim, nodes)
			if p == nil {
				t.Fatalf("no process for %s", victim)
			}
			p.cmd.Process.Kill()
			t.Logf("killed %s (%s) at checkpoint step %d", p.name, victim, lastStep(st))
			var survivors []*proc
			for _, q := range nodes {
				if q != p {
					survivors = append(survivors, q)
				}
			}
			if got := c.finish(survivors, 2*time.Minute); got != want {
				t.Fatalf("checksum %s after kill, undisturbed %s\n%s", got, want, c.dump())
			}
			final := c.waitFor("final state", 10*time.Second, func(*coord.State) bool { return true })
			if final.Recoveries != 1 {
				t.Fatalf("recoveries %d, want 1", final.Recoveries)
			}
		})
	}
}

// TestNodePulled: `apollo pull` of a node mid-run.
func TestNodePulled(t *testing.T) {
	needBinary(t)
	want := reference(t)
	c := newCluster(t, 1)
	c.startControllers("controller")
	nodes := c.startNodes(4)
	st := c.waitFor("checkpoint at step 100", time.Minute, func(s *coord.State) bool { return lastStep(s) >= 100 })
	victim := st.RankMap[1]
	apollo(t, 20*time.Second, c.dir, "pull", victim, "--data", c.dir, "--controller.addrs", strings.Join(c.ctl, ","))
	if got := c.finish(nodes, 2*time.Minute); got != want {
		t.Fatalf("checksum %s after pull, undisturbed %s", got, want)
	}
	final := c.waitFor("final state", 10*time.Second, func(*coord.State) bool { return true })
	if final.Recoveries != 1 || final.Members[victim].State != coord.Pulled {
		t.Fatalf("recoveries %d, %s state %s", final.Recoveries, victim, final.Members[victim].State)
	}
}

// TestLeaderKilled: with 3 replicas the leader is SIGKILLed mid-run; a
// follower takes over and the run continues with no rollback.
func TestLeaderKilled(t *testing.T) {
	needBinary(t)
	want := reference(t)
	c := newCluster(t, 3)
	ctls := c.startControllers("controller")
	nodes := c.startNodes(4)
	var s *coord.Status
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		var err error
		if s, err = c.status(); err == nil && lastStep(s.State) >= 60 && len(s.State.Replicas) == 3 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s == nil || lastStep(s.State) < 60 {
		t.Fatalf("run did not reach step 60 with 3 replicas\n%s", c.dump())
	}
	epoch := s.State.Epoch
	killed := false
	for i, p := range ctls {
		if s.Leader == "c"+strconv.Itoa(i+1) {
			p.cmd.Process.Kill()
			killed = true
			t.Logf("killed leader %s at checkpoint step %d", s.Leader, lastStep(s.State))
		}
	}
	if !killed {
		t.Fatalf("leader %q not found", s.Leader)
	}
	if got := c.finish(nodes, 2*time.Minute); got != want {
		t.Fatalf("checksum %s after leader kill, undisturbed %s", got, want)
	}
	final := c.waitFor("final state from a new leader", 20*time.Second, func(*coord.State) bool { return true })
	if final.Recoveries != 0 || final.Epoch != epoch {
		t.Fatalf("leader failover rolled the run back: epoch %d→%d, recoveries %d", epoch, final.Epoch, final.Recoveries)
	}
}

// TestNodeFrozen: a node SIGSTOPped past its lease is fenced; after SIGCONT
// it must not disturb the run, which ends with the undisturbed checksum.
func TestNodeFrozen(t *testing.T) {
	needBinary(t)
	want := reference(t)
	c := newCluster(t, 1)
	c.startControllers("controller")
	nodes := c.startNodes(4)
	st := c.waitFor("checkpoint at step 60", time.Minute, func(s *coord.State) bool { return lastStep(s) >= 60 })
	victim := st.RankMap[2]
	p := victimProc(st, victim, nodes)
	p.cmd.Process.Signal(syscall.SIGSTOP)
	c.waitFor(victim+" declared dead", 30*time.Second, func(s *coord.State) bool { return s.Members[victim].State == coord.Dead })
	time.Sleep(500 * time.Millisecond)
	p.cmd.Process.Signal(syscall.SIGCONT)
	var survivors []*proc
	for _, q := range nodes {
		if q != p {
			survivors = append(survivors, q)
		}
	}
	if got := c.finish(survivors, 2*time.Minute); got != want {
		t.Fatalf("checksum %s after freeze, undisturbed %s", got, want)
	}
	select {
	case <-p.done:
		if p.err == nil || !strings.Contains(p.errb.String(), "fenced") {
			t.Fatalf("frozen node exited without being fenced: %v\n%s", p.err, tail(p.errb.String(), 20))
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("frozen node still running after SIGCONT\n%s", tail(p.errb.String(), 20))
	}
}

// TestNodeBriefFreeze is the hang of the overhead benchmark: a node stalls
// (SIGSTOP) for longer than comm/tcp's peer timeout (~550 ms) but shorter
// than the controller's lease (2 s). Its peers declare the connection lost
// and every rank's epoch stops with an error, while every node keeps
// heartbeating, so the controller sees nothing to recover from. The nodes
// must not wait forever: one leaves the run, the controller starts a new
// epoch from the last checkpoint, and the run ends with the undisturbed
// checksum.
func TestNodeBriefFreeze(t *testing.T) {
	needBinary(t)
	want := reference(t)
	c := newCluster(t, 1)
	c.startControllers("controller")
	nodes := c.startNodes(4)
	st := c.waitFor("checkpoint at step 60", time.Minute, func(s *coord.State) bool { return lastStep(s) >= 60 })
	victim := st.RankMap[1]
	p := victimProc(st, victim, nodes)
	if p == nil {
		t.Fatalf("no process for %s", victim)
	}
	p.cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(1200 * time.Millisecond)
	p.cmd.Process.Signal(syscall.SIGCONT)
	if got := c.finish(nodes, 2*time.Minute); got != want {
		t.Fatalf("checksum %s after a brief freeze, undisturbed %s\n%s", got, want, c.dump())
	}
	final := c.waitFor("final state", 10*time.Second, func(*coord.State) bool { return true })
	left := 0
	for _, q := range nodes {
		if strings.Contains(q.errb.String(), "progress watchdog: leaving the run") {
			left++
		}
	}
	// The freeze may also have been short enough for the epoch to survive
	// it (no connection declared lost): then nothing had to recover.
	if final.Recoveries > 0 && left == 0 {
		t.Fatalf("%d recoveries but no node left through the watchdog\n%s", final.Recoveries, c.dump())
	}
	t.Logf("recoveries %d, nodes that left %d", final.Recoveries, left)
}

// TestResumeAfterTotalLoss: everything is SIGKILLed after a shared
// checkpoint is committed; `apollo resume` and fresh nodes finish the job
// with the undisturbed checksum.
func TestResumeAfterTotalLoss(t *testing.T) {
	needBinary(t)
	want := reference(t)
	c := newCluster(t, 1)
	c.startControllers("controller")
	c.startNodes(4)
	c.waitFor("a shared checkpoint at step 100", time.Minute, func(s *coord.State) bool {
		for _, cp := range s.Checkpoints {
			if cp.Level == coord.LevelShared && cp.Step >= 100 {
				return true
			}
		}
		return false
	})
	c.killAll()
	c.startControllers("resume")
	nodes := c.startNodes(4)
	if got := c.finish(nodes, 2*time.Minute); got != want {
		t.Fatalf("checksum %s after resume, undisturbed %s\n%s", got, want, c.dump())
	}
}

// TestNodeDrained: SIGTERM drains a node: its ranks move away at the next
// committed checkpoint (no rollback counted as a recovery), the node exits
// cleanly, and the run ends with the undisturbed checksum.
func TestNodeDrained(t *testing.T) {
	needBinary(t)
	want := reference(t)
	c := newCluster(t, 1)
	c.startControllers("controller")
	nodes := c.startNodes(4)
	st := c.waitFor("checkpoint at step 60", time.Minute, func(s *coord.State) bool { return lastStep(s) >= 60 })
	victim := st.RankMap[3]
	p := victimProc(st, victim, nodes)
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.err != nil || !strings.Contains(p.errb.String(), "drained") {
			t.Fatalf("drained node: %v\n%s", p.err, tail(p.errb.String(), 20))
		}
	case <-time.After(time.Minute):
		t.Fatalf("drained node did not exit\n%s", c.dump())
	}
	var rest []*proc
	for _, q := range nodes {
		if q != p {
			rest = append(rest, q)
		}
	}
	if got := c.finish(rest, 2*time.Minute); got != want {
		t.Fatalf("checksum %s after drain, undisturbed %s", got, want)
	}
	final := c.waitFor("final state", 10*time.Second, func(*coord.State) bool { return true })
	if final.Recoveries != 0 || final.Members[victim].State != coord.Pulled {
		t.Fatalf("recoveries %d, %s state %s", final.Recoveries, victim, final.Members[victim].State)
	}
}

// TestCheckpointNow: with no scheduled checkpoints, `apollo checkpoint now`
// makes every rank take one, and the controller commits it.
func TestCheckpointNow(t *testing.T) {
	needBinary(t)
	c := newCluster(t, 1)
	// A job far longer than the test: the request must not race the end.
	args := append(c.jobArgs(), "--checkpoint.every_steps", "0", "--checkpoint.every_wall", "0s", "--job.stop_step", "1000000")
	c.startControllersSub("controller", args)
	c.startNodesJob(4, args)
	c.waitFor("epoch 1", time.Minute, func(s *coord.State) bool { return s.Epoch == 1 })
	apollo(t, 20*time.Second, c.dir, "checkpoint", "now", "--data", c.dir, "--controller.addrs", strings.Join(c.ctl, ","))
	st := c.waitFor("a committed checkpoint before the end", time.Minute, func(s *coord.State) bool {
		for _, cp := range s.Checkpoints {
			if cp.ID&2 == 0 {
				return true
			}
		}
		return false
	})
	if cp := st.Checkpoints[0]; cp.Step <= 0 || isFinalID(cp.ID) {
		t.Fatalf("unexpected checkpoint %+v", cp)
	}
}

func isFinalID(id uint64) bool { return id&2 != 0 }
