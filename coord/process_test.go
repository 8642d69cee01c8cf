package coord

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The process test re-executes the test binary as a controller replica
// (TestMain dispatches on replicaEnv) so the leader can be SIGKILLed for real.
const replicaEnv = "APOLLO_COORD_REPLICA"

// hardFailover bounds every single failover in the tests. The targets (well
// under 3 s; median < 0.5 s) are measured by BenchmarkFailover and
// COORD_FAILOVER_TRIALS=20; on the shared 2-core CI machine a loaded trial
// has taken 3.2 s, so single trials get headroom while the median of the
// SIGKILL test must stay under 1 s.
const hardFailover = 5 * time.Second

func replicaMain() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := NewServer(Config{
		ID: os.Getenv(replicaEnv), DataDir: os.Getenv("COORD_DATA"), RaftAddr: os.Getenv("COORD_RAFT"),
		HTTPAddr: os.Getenv("COORD_HTTP"), Key: testKey, Bootstrap: os.Getenv("COORD_BOOT") == "1", Logger: log,
		Join: strings.Fields(os.Getenv("COORD_JOIN")),
	})
	if err != nil {
		log.Error("replica start", "err", err)
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	s.Close()
	return 0
}

// freePort returns an address whose port is free for TCP and for UDP (a
// replica's lease channel takes the UDP port of its API port's number).
func freePort(t testing.TB) string {
	t.Helper()
	for try := 0; try < 20; try++ {
		ln, udp, err := listenAPI("127.0.0.1:0")
		if err != nil {
			continue
		}
		addr := ln.Addr().String()
		ln.Close()
		udp.Close()
		return addr
	}
	t.Fatal("no port free for both TCP and UDP")
	return ""
}

type replicaProc struct {
	id, data, raft, http string
	join                 []string
	cmd                  *exec.Cmd
}

func (p *replicaProc) start(t testing.TB, boot bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), replicaEnv+"="+p.id, "COORD_DATA="+p.data, "COORD_RAFT="+p.raft, "COORD_HTTP="+p.http)
	if boot {
		cmd.Env = append(cmd.Env, "COORD_BOOT=1")
	}
	if len(p.join) > 0 {
		cmd.Env = append(cmd.Env, "COORD_JOIN="+strings.Join(p.join, " "))
	}
	if os.Getenv("COORD_LOG") != "" {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start replica %s: %v", p.id, err)
	}
	p.cmd = cmd
	c := NewClient([]string{p.http}, testKey)
	defer c.CloseIdleConnections()
	waitFor(t, 10*time.Second, "replica "+p.id+" API", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := c.Status(ctx)
		return err == nil
	})
}

func (p *replicaProc) kill() {
	if p.cmd != nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
		p.cmd = nil
	}
}

// localStatus asks one replica for its own view.
func localStatus(addr string) (Status, error) {
	c := NewClient([]string{addr}, testKey)
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	return c.Status(ctx)
}

// TestLeaderSIGKILL runs three replica processes on loopback and SIGKILLs
// the leader at random moments while decisions are being proposed. Each time
// a new leader must commit within 3 s with the same committed state, the
// killed replica restarts from its bbolt files and catches up, no node is
// falsely declared dead, and no acknowledged decision is lost.
// COORD_FAILOVER_TRIALS sets the number of kills (default 3; the benchmark
// figure in docs/bench/coord.md uses 20).
func TestLeaderSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	trials := 3
	if n, err := strconv.Atoi(os.Getenv("COORD_FAILOVER_TRIALS")); err == nil && n > 0 {
		trials = n
	}
	procs := make([]*replicaProc, 3)
	var addrs []string
	for i := range procs {
		procs[i] = &replicaProc{id: "c" + strconv.Itoa(i+1), data: t.TempDir(), raft: freePort(t), http: freePort(t)}
		addrs = append(addrs, procs[i].http)
	}
	defer func() {
		for _, p := range procs {
			p.kill()
		}
	}()
	procs[0].start(t, true)
	c := NewClient(addrs, testKey)
	defer c.CloseIdleConnections()
	ctx := ctxT(t, 120*time.Second)
	// c2 is added by an operator call, c3 joins by itself (Config.Join).
	procs[1].start(t, false)
	if err := c.AddReplica(ctx, procs[1].id, procs[1].raft, procs[1].http); err != nil {
		t.Fatalf("add %s: %v", procs[1].id, err)
	}
	procs[2].join = []string{procs[0].http, procs[1].http}
	procs[2].start(t, false)
	waitFor(t, 10*time.Second, "c3 joins", func() bool {
		st, err := localStatus(procs[0].http)
		return err == nil && len(st.State.Replicas) == 3
	})
	if _, err := c.SetJob(ctx, Job{Ranks: 4, K: 2, M: 1, MinNodes: 2, Retention: 2}); err != nil {
		t.Fatal(err)
	}
	var nodes []string
	for _, a := range []string{"a:1", "b:1"} {
		r, err := c.Register(ctx, a, 1)
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, r.Node)
	}
	hb := heartbeat(c, 150*time.Millisecond, nodes...)
	defer hb.Stop()

	// Background proposer: every acknowledged "checkpoint now" is a committed
	// decision that must survive every kill.
	var acked atomic.Uint64
	var attempted atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pc := NewClient(addrs, testKey)
		defer pc.CloseIdleConnections()
		for {
			select {
			case <-stop:
				return
			default:
			}
			attempted.Add(1)
			cctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			if _, err := pc.CheckpointNow(cctx); err == nil {
				acked.Add(1)
			}
			cancel()
			time.Sleep(20 * time.Millisecond)
		}
	}()

	var times []time.Duration
	for trial := 0; trial < trials; trial++ {
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
		var leader *replicaProc
		var before Status
		waitFor(t, 5*time.Second, "a leader", func() bool {
			for _, p := range procs {
				st, err := localStatus(p.http)
				if err == nil && st.Leader == p.id && st.Replica == p.id {
					leader, before = p, st
					return true
				}
			}
			return false
		})
		ackedBefore := acked.Load()
		leader.kill()
		killed := time.Now()
		var survivors []string
		for _, p := range procs {
			if p != leader {
				survivors = append(survivors, p.http)
			}
		}
		probe := NewClient(survivors, testKey)
		probe.Retry = 5 * time.Millisecond
		if _, err := probe.CheckpointNow(ctx); err != nil {
			t.Fatalf("trial %d: no new leader: %v", trial, err)
		}
		took := time.Since(killed)
		probe.CloseIdleConnections()
		times = append(times, took)
		if took > hardFailover {
			t.Errorf("trial %d: failover %v", trial, took)
		}
		after, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after.Leader == leader.id || after.State.Epoch != before.State.Epoch || after.State.CheckpointSeq < before.State.CheckpointSeq ||
			after.State.CheckpointSeq < ackedBefore || after.State.Recoveries != 0 {
			t.Fatalf("trial %d: state after failover: leader %s epoch %d→%d seq %d→%d (acked %d) recoveries %d", trial,
				after.Leader, before.State.Epoch, after.State.Epoch, before.State.CheckpointSeq, after.State.CheckpointSeq, ackedBefore, after.State.Recoveries)
		}
		// Restart the killed replica from its bbolt files; it must catch up.
		leader.start(t, false)
		waitFor(t, 10*time.Second, "restarted "+leader.id+" catches up", func() bool {
			st, err := localStatus(leader.http)
			return err == nil && st.State.CheckpointSeq >= after.State.CheckpointSeq
		})
	}
	close(stop)
	wg.Wait()
	// Settle, then every replica holds the same state.
	var seqs []uint64
	waitFor(t, 10*time.Second, "replicas converge", func() bool {
		seqs = seqs[:0]
		var first []byte
		for _, p := range procs {
			st, err := localStatus(p.http)
			if err != nil {
				return false
			}
			b, _ := seal(st.State)
			if first == nil {
				first = b
			} else if string(b) != string(first) {
				return false
			}
			seqs = append(seqs, st.State.CheckpointSeq)
		}
		return true
	})
	if seqs[0] < acked.Load() || seqs[0] > attempted.Load()+uint64(trials) {
		t.Fatalf("checkpoint requests committed %d, acknowledged %d, attempted %d+%d", seqs[0], acked.Load(), attempted.Load(), trials)
	}
	slices.Sort(times)
	if med := times[len(times)/2]; med > time.Second {
		t.Errorf("median failover %v over %d trials", med, len(times))
	}
	t.Logf("failover over %d SIGKILL trials: median %v, max %v, all %v", len(times), times[len(times)/2], times[len(times)-1], fmt.Sprint(times))
}
