package coord

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchDir returns a directory on tmpfs when there is one: the deployment
// target for the bbolt files of diskless nodes.
func benchDir(b *testing.B) string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "coord-bench-")
		if err == nil {
			b.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return b.TempDir()
}

// BenchmarkFailover measures, per op, the time from closing the leader of a
// 3-replica loopback cluster to the first decision committed by the new
// leader (seen by a client that knows the survivors). "tuned" is this
// package's default raft timing; "raft-defaults" is hashicorp/raft's
// (1 s heartbeat and election timeouts, 500 ms leader lease), the reference.
func BenchmarkFailover(b *testing.B) {
	for _, tc := range []struct {
		name string
		tune func(*Config)
	}{
		{"tuned", nil},
		{"raft-defaults", func(c *Config) {
			c.HeartbeatTimeout, c.ElectionTimeout, c.LeaderLease = time.Second, time.Second, 500*time.Millisecond
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dirs := []string{benchDir(b), benchDir(b), benchDir(b)}
			ss := startCluster(b, 3, func(i int) string { return dirs[i] }, tc.tune)
			defer func() {
				for _, s := range ss {
					s.Close()
				}
			}()
			jc := NewClient(addrsOf(ss), testKey)
			if _, err := jc.SetJob(ctxT(b, 10*time.Second), Job{Ranks: 1, K: 1, M: 0, MinNodes: 1, Retention: 1}); err != nil {
				b.Fatal(err)
			}
			jc.CloseIdleConnections()
			var times []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				var old *Server
				waitFor(b, 10*time.Second, "leader", func() bool { old = leaderOf(ss); return old != nil })
				idx := slices.Index(ss, old)
				var survivors []string
				for _, s := range ss {
					if s != old {
						survivors = append(survivors, s.HTTPAddr())
					}
				}
				c := NewClient(survivors, testKey)
				c.Retry = 2 * time.Millisecond
				b.StartTimer()
				start := time.Now()
				old.Close()
				if _, err := c.CheckpointNow(ctxT(b, 30*time.Second)); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
				b.StopTimer()
				c.CloseIdleConnections()
				cfg := Config{ID: old.ID(), DataDir: dirs[idx], RaftAddr: old.RaftAddr()}
				if tc.tune != nil {
					tc.tune(&cfg)
				}
				ss[idx] = startServer(b, cfg)
				want := ss[(idx+1)%3].State().CheckpointSeq
				waitFor(b, 10*time.Second, "catch up", func() bool { return ss[idx].State().CheckpointSeq >= want })
				b.StartTimer()
			}
			b.StopTimer()
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
		})
	}
}

// BenchmarkCheckpointCommit measures, per op, the time for the ranks of a
// job to report one checkpoint concurrently through the API until it is
// committed (one replica, bbolt on tmpfs). The "decision" sub-benchmark is
// the reference: one command through the same API and raft log.
func BenchmarkCheckpointCommit(b *testing.B) {
	for _, ranks := range []int{8, 64} {
		b.Run("ranks="+strconv.Itoa(ranks), func(b *testing.B) {
			s := startCluster(b, 1, func(int) string { return benchDir(b) }, func(c *Config) { c.Lease = time.Hour })[0]
			defer s.Close()
			c := NewClient([]string{s.HTTPAddr()}, testKey)
			defer c.CloseIdleConnections()
			ctx := ctxT(b, 10*time.Minute)
			if _, err := c.SetJob(ctx, Job{Ranks: ranks, K: 4, M: 2, MinNodes: 4, Retention: 2}); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < 4; i++ {
				if _, err := c.Register(ctx, fmt.Sprintf("h%d:1", i), 1); err != nil {
					b.Fatal(err)
				}
			}
			st := s.State()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var wg sync.WaitGroup
				var committed sync.Map
				for rank, n := range st.RankMap {
					wg.Add(1)
					go func() {
						defer wg.Done()
						r, err := c.Report(ctx, ReportCmd{Epoch: st.Epoch, Node: n, Rank: rank, Checkpoint: uint64(i + 1),
							Step: int64(i), Level: LevelMemory, ManifestHash: "abcdef", Holders: []string{"n1", "n2", "n3", "n4"}})
						if err != nil {
							b.Error(err)
						}
						if r.Committed != nil {
							committed.Store(r.Committed.ID, true)
						}
					}()
				}
				wg.Wait()
				if _, ok := committed.Load(uint64(i + 1)); !ok {
					b.Fatalf("checkpoint %d not committed", i+1)
				}
			}
		})
	}
	b.Run("decision", func(b *testing.B) {
		s := startCluster(b, 1, func(int) string { return benchDir(b) }, nil)[0]
		defer s.Close()
		c := NewClient([]string{s.HTTPAddr()}, testKey)
		defer c.CloseIdleConnections()
		ctx := ctxT(b, 10*time.Minute)
		if _, err := c.SetJob(ctx, Job{Ranks: 1, K: 1, M: 0, MinNodes: 1, Retention: 1}); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.CheckpointNow(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// beatCluster starts a one-server cluster with an hour-long lease, sets a job
// and registers 64 nodes, for the heartbeat benchmarks. The caller closes s
// and c's idle connections.
func beatCluster(b *testing.B) (*Server, *Client, []string) {
	s := startCluster(b, 1, nil, func(c *Config) { c.Lease = time.Hour })[0]
	c := NewClient([]string{s.HTTPAddr()}, testKey)
	ctx := ctxT(b, 10*time.Minute)
	if _, err := c.SetJob(ctx, Job{Ranks: 1, K: 1, M: 0, MinNodes: 1, Retention: 1}); err != nil {
		s.Close()
		b.Fatal(err)
	}
	var nodes []string
	for i := 0; i < 64; i++ {
		r, err := c.Register(ctx, "h:1", 1)
		if err != nil {
			s.Close()
			b.Fatal(err)
		}
		nodes = append(nodes, r.Node)
	}
	return s, c, nodes
}

// BenchmarkHeartbeat measures the leader's heartbeat throughput: parallel
// authenticated heartbeats of registered nodes over loopback HTTP (client
// and server share the machine). ns/op is the inverse of the rate.
func BenchmarkHeartbeat(b *testing.B) {
	s, c, nodes := beatCluster(b)
	defer s.Close()
	defer c.CloseIdleConnections()
	var next sync.Mutex
	k := 0
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		next.Lock()
		n := nodes[k%len(nodes)]
		k++
		next.Unlock()
		for pb.Next() {
			if _, err := c.Heartbeat(context.Background(), n, 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkLeaseChannel is BenchmarkHeartbeat over the UDP lease channel:
// the same nodes, the same parallelism, one Beater (socket) per goroutine.
func BenchmarkLeaseChannel(b *testing.B) {
	s, c, nodes := beatCluster(b)
	defer s.Close()
	defer c.CloseIdleConnections()
	var next sync.Mutex
	k := 0
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		next.Lock()
		n := nodes[k%len(nodes)]
		k++
		next.Unlock()
		bt, err := NewBeater([]string{s.HTTPAddr()}, testKey, n)
		if err != nil {
			b.Error(err)
			return
		}
		defer bt.Close()
		for pb.Next() {
			if _, err := bt.Beat(context.Background(), 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
