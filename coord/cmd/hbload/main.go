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
	"net/http"
	_ "net/http/pprof"
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
	udp := flag.Bool("udp", false, "heartbeat over the lease channel (UDP datagrams) instead of POST /v1/heartbeat")
	cpuprof := flag.String("cpuprofile", "", "write a CPU profile of the measured run here")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this address while running")
	flag.Parse()
	if *pprofAddr != "" {
		go http.ListenAndServe(*pprofAddr, nil)
	}
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

	period := time.Duration(float64(time.Second) / *rate)
	// Real nodes each keep their own connection; sharing one pool among
	// thousands of goroutines would churn connections instead.
	clients := make([]*coord.Client, (*nodes+*perClient-1) / *perClient)
	for i := range clients {
		clients[i] = coord.NewClient(addrs, key)
		defer clients[i].CloseIdleConnections()
	}
	samples := make([][]sample, *nodes)
	stop := make(chan struct{})
	var hbWG sync.WaitGroup
	// node runs one simulated node: heartbeat at once after registering (as
	// a real node does), then at the rate with a random phase, until stop.
	node := func(i int, id string) {
		defer hbWG.Done()
		c := clients[i / *perClient]
		beat := func(ctx context.Context) error {
			_, err := c.Heartbeat(ctx, id, 1)
			return err
		}
		if *udp {
			b, err := coord.NewBeater(addrs, key, id)
			if err != nil {
				fmt.Fprintln(os.Stderr, "hbload: beater:", err)
				return
			}
			defer b.Close()
			beat = func(ctx context.Context) error {
				_, err := b.Beat(ctx, 1)
				return err
			}
		}
		var buf []sample
		one := func() {
			now := time.Now()
			hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := beat(hctx)
			cancel()
			buf = append(buf, sample{at: now, d: time.Since(now), failed: err != nil,
				fenced: err != nil && strings.Contains(err.Error(), "fenced")})
		}
		one()
		select {
		case <-stop:
		case <-time.After(time.Duration(mrand.Int64N(int64(period)))):
			t := time.NewTicker(period)
			defer t.Stop()
			for running := true; running; {
				one()
				select {
				case <-stop:
					running = false
				case <-t.C:
				}
			}
		}
		samples[i] = buf
	}

	// Register concurrently (each registration is one raft commit).
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
				if i >= *nodes {
					return
				}
				r, err := c.Register(ctx, fmt.Sprintf("sim-%d:7000", i), 1)
				if err != nil {
					regErr.Store(err)
					return
				}
				hbWG.Add(1)
				go node(i, r.Node)
			}
		}()
	}
	wg.Wait()
	if err, _ := regErr.Load().(error); err != nil {
		close(stop)
		hbWG.Wait()
		return fmt.Errorf("register: %w", err)
	}
	fmt.Printf("registered %d nodes in %v\n", *nodes, time.Since(start).Round(time.Millisecond))

	time.Sleep(*warmup)
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
	measureFrom := time.Now()
	time.Sleep(*duration)
	end := time.Now()
	close(stop)
	hbWG.Wait()

	var all []time.Duration
	var sent, failed, fenced int
	for _, buf := range samples {
		for _, x := range buf {
			if x.at.Before(measureFrom) || !x.at.Before(end) {
				continue
			}
			sent++
			switch {
			case x.fenced:
				fenced++
				failed++
			case x.failed:
				failed++
			default:
				all = append(all, x.d)
			}
		}
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
	mode := "http"
	if *udp {
		mode = "udp"
	}
	fmt.Printf("mode=%s nodes=%d rate=%.2f/s duration=%v sent=%d ok=%d failed=%d fenced=%d achieved=%.0f/s p50=%v p90=%v p99=%v p999=%v max=%v dead=%d\n",
		mode, *nodes, *rate, *duration, sent, len(all), failed, fenced, float64(sent)/duration.Seconds(),
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

type sample struct {
	at             time.Time
	d              time.Duration
	failed, fenced bool
}
