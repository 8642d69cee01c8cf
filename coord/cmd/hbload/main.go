// Command hbload measures how many nodes one controller leader can hold at a
// given heartbeat rate: it registers N simulated nodes and has each send
// authenticated heartbeats at the rate over loopback, then reports the
// latency distribution and how many nodes the leader wrongly declared dead.
//
//	go run ./coord/cmd/hbload -nodes 10000 -rate 1 -duration 20s
//
// Without -addr it starts a one-replica controller in-process (bbolt on
// /dev/shm when present), so generator and controller share the machine.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apollo-hpc/apollo/coord"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "hbload:", err)
		os.Exit(1)
	}
}

func run() error {
	nodes := flag.Int("nodes", 10000, "simulated nodes")
	rate := flag.Float64("rate", 1, "heartbeats per second per node")
	duration := flag.Duration("duration", 20*time.Second, "measured run time")
	warmup := flag.Duration("warmup", 3*time.Second, "unmeasured time before the run")
	addr := flag.String("addr", "", "API addresses of an existing controller (comma-separated); default: start one in-process")
	keyHex := flag.String("key", "", "cluster key (with -addr)")
	perClient := flag.Int("per-client", 16, "simulated nodes sharing one client (one connection pool)")
	lease := flag.Duration("lease", 3*time.Second, "lease of the in-process controller (must exceed the heartbeat period)")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile of the measured run here")
	flag.Parse()
	if *nodes < 1 || *rate <= 0 || *duration <= 0 {
		return fmt.Errorf("need -nodes ≥ 1, -rate > 0, -duration > 0")
	}

	key := []byte(*keyHex)
	var srv *coord.Server
	addrs := strings.Split(*addr, ",")
	if *addr == "" {
		key = make([]byte, 32)
		rand.Read(key)
		dir, err := os.MkdirTemp(shmOrTmp(), "hbload-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		srv, err = coord.NewServer(coord.Config{ID: "c1", DataDir: dir, RaftAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0",
			Key: key, Bootstrap: true, Lease: *lease, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			return err
		}
		defer srv.Close()
		addrs = []string{srv.HTTPAddr()}
		for !srv.IsLeader() {
			time.Sleep(10 * time.Millisecond)
		}
	}
	c := coord.NewClient(addrs, key)
	defer c.CloseIdleConnections()
	ctx := context.Background()
	if _, err := c.SetJob(ctx, coord.Job{Ranks: 1, K: 1, M: 0, MinNodes: 1, Retention: 1}); err != nil {
		return fmt.Errorf("set job: %w", err)
	}

	// Register concurrently (each registration is one raft commit).
	ids := make([]string, *nodes)
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	var regErr atomic.Value
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ids) {
					return
				}
				r, err := c.Register(ctx, fmt.Sprintf("sim-%d:7000", i), 1)
				if err != nil {
					regErr.Store(err)
					return
				}
				ids[i] = r.Node
			}
		}()
	}
	wg.Wait()
	if err, _ := regErr.Load().(error); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	fmt.Printf("registered %d nodes in %v\n", *nodes, time.Since(start).Round(time.Millisecond))

	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	period := time.Duration(float64(time.Second) / *rate)
	measureFrom := time.Now().Add(*warmup)
	end := measureFrom.Add(*duration)
	perNode := int(float64(*duration)/float64(period)) + 2
	lats := make([][]time.Duration, *nodes)
	var sent, failed, fenced atomic.Int64
	// Real nodes each keep their own connection; sharing one pool among
	// thousands of goroutines would churn connections instead.
	clients := make([]*coord.Client, (*nodes+*perClient-1) / *perClient)
	for i := range clients {
		clients[i] = coord.NewClient(addrs, key)
		defer clients[i].CloseIdleConnections()
	}
	for i, id := range ids {
		c := clients[i / *perClient]
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]time.Duration, 0, perNode)
			// A node heartbeats as soon as it has registered (this burst falls
			// in the warm-up), then settles into a random phase.
			hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			c.Heartbeat(hctx, id, 1)
			cancel()
			time.Sleep(time.Duration(mrand.Int64N(int64(period))))
			t := time.NewTicker(period)
			defer t.Stop()
			for {
				now := time.Now()
				if now.After(end) {
					break
				}
				hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				_, err := c.Heartbeat(hctx, id, 1)
				cancel()
				d := time.Since(now)
				if now.After(measureFrom) {
					sent.Add(1)
					if err != nil {
						failed.Add(1)
						if strings.Contains(err.Error(), "fenced") {
							fenced.Add(1)
						}
					} else {
						buf = append(buf, d)
					}
				}
				<-t.C
			}
			lats[i] = buf
		}()
	}
	wg.Wait()

	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	slices.Sort(all)
	q := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(math.Ceil(p*float64(len(all))))-1)]
	}
	dead := -1
	if srv != nil {
		dead = srv.State().CountByState()[coord.Dead]
	}
	fmt.Printf("nodes=%d rate=%.2f/s duration=%v sent=%d ok=%d failed=%d fenced=%d achieved=%.0f/s p50=%v p90=%v p99=%v p999=%v max=%v dead=%d\n",
		*nodes, *rate, *duration, sent.Load(), len(all), failed.Load(), fenced.Load(), float64(sent.Load())/duration.Seconds(),
		q(0.5).Round(time.Microsecond), q(0.9).Round(time.Microsecond), q(0.99).Round(time.Microsecond),
		q(0.999).Round(time.Microsecond), q(1).Round(time.Microsecond), dead)
	return nil
}

func shmOrTmp() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return os.TempDir()
}
