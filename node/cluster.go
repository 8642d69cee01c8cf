package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/apollo-hpc/apollo/checkpoint"
	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/tcp"
	"github.com/apollo-hpc/apollo/coord"
)

// clientController adapts coord.Client to Controller.
type clientController struct {
	c     *coord.Client
	mu    sync.Mutex
	epoch uint64
}

// NewClientController returns a Controller talking to the controller
// replicas at addrs with the cluster key.
func NewClientController(c *coord.Client) Controller { return &clientController{c: c} }

func (a *clientController) Register(ctx context.Context, addr string, capacity int) (string, error) {
	r, err := a.c.Register(ctx, addr, capacity)
	return r.Node, err
}

func (a *clientController) Heartbeat(ctx context.Context, id string) error {
	a.mu.Lock()
	ep := a.epoch
	a.mu.Unlock()
	r, err := a.c.Heartbeat(ctx, id, ep)
	if err != nil {
		return err
	}
	if r.State != "" && !r.State.Live() {
		return fmt.Errorf("heartbeat %s: state %s: %w", id, r.State, coord.ErrFenced)
	}
	return nil
}

func (a *clientController) WaitState(ctx context.Context, after uint64) (*coord.State, error) {
	for {
		st, err := a.c.Watch(ctx, after, 5*time.Second)
		if err != nil {
			return nil, err
		}
		if st.State != nil && st.State.Version > after {
			a.mu.Lock()
			a.epoch = st.State.Epoch
			a.mu.Unlock()
			return st.State, nil
		}
	}
}

func (a *clientController) Leave(ctx context.Context, id string) error {
	_, err := a.c.Pull(ctx, id)
	return err
}

func (a *clientController) Report(ctx context.Context, r coord.ReportCmd) error {
	_, err := a.c.Report(ctx, r)
	return err
}

// tcpTransport adapts a comm/tcp Host to Transport.
type tcpTransport struct{ h *tcp.Host }

func (t tcpTransport) Endpoints(ctx context.Context, epoch uint64, rankAddrs []string, ranks []int) ([]comm.Endpoint, error) {
	addrs := make([]string, len(rankAddrs))
	for i, a := range rankAddrs {
		addrs[i], _ = splitAddr(a)
	}
	out := make([]comm.Endpoint, 0, len(ranks))
	for _, r := range ranks {
		ep, err := t.h.Endpoint(epoch, r, addrs)
		if err != nil {
			for _, e := range out {
				e.Close()
			}
			return nil, fmt.Errorf("tcp endpoint rank %d epoch %d: %w", r, epoch, err)
		}
		out = append(out, ep)
	}
	return out, nil
}

// A node registers one address with the controller: "comm,shards", the
// comm/tcp host and the shard server. In-process nodes use one name for both.
func joinAddr(commAddr, shardAddr string) string { return commAddr + "," + shardAddr }

func splitAddr(a string) (commAddr, shardAddr string) {
	c, s, ok := strings.Cut(a, ",")
	if !ok {
		return a, a
	}
	return c, s
}

// NodeOptions are the process-level settings of a node process.
type NodeOptions struct {
	Log      *slog.Logger
	Identity Identity
	// Drain, when it delivers, asks the controller to move this node's ranks
	// away at the next checkpoint (SIGTERM); the node exits once they left.
	Drain <-chan struct{}
}

// RunNode is `apollo node`: it serves its memory-level shards, registers
// with the controller and runs its ranks of every epoch until the job ends.
func RunNode(ctx context.Context, cfg Config, opts NodeOptions) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("name", opts.Identity.Name)
	key, err := LoadKey(cfg.KeyFile())
	if err != nil {
		return Result{}, err
	}
	host, _, err := net.SplitHostPort(cfg.Node.Listen)
	if err != nil {
		return Result{}, fmt.Errorf("config: key node.listen: %w", err)
	}
	th, err := tcp.NewHost(tcp.Config{Listen: cfg.Node.Listen, Key: key, Logger: log})
	if err != nil {
		return Result{}, fmt.Errorf("node: comm host: %w", err)
	}
	defer th.Close()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return Result{}, fmt.Errorf("node: shard server: %w", err)
	}
	mem := checkpoint.NewMemStore()
	srv := &http.Server{Handler: NewShardServer(mem, key, log), ReadHeaderTimeout: 5 * time.Second}
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		srv.Serve(ln)
	}()
	defer srv.Close()

	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16,
		DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext, ResponseHeaderTimeout: 3 * time.Second}}
	defer hc.CloseIdleConnections()
	var pmu sync.Mutex
	peers := map[string]*shardClient{}
	peer := func(addr string) checkpoint.Store {
		_, s := splitAddr(addr)
		pmu.Lock()
		defer pmu.Unlock()
		if c, ok := peers[s]; ok {
			return c
		}
		c := newShardClient(s, key, hc)
		peers[s] = c
		return c
	}
	client := coord.NewClient(cfg.Controller.Addrs, key)
	defer client.CloseIdleConnections()
	w := NewWorker(WorkerConfig{
		Addr: joinAddr(th.Addr(), ln.Addr().String()), Capacity: cfg.Node.Slots, Ctl: newController(&cfg, client, cfg.Controller.Addrs, key),
		Transport: tcpTransport{th}, Mem: mem, Peer: peer, Heartbeat: cfg.Controller.Heartbeat, Log: log,
		StallTimeout: cfg.Node.StallTimeout, FailGrace: failGrace(&cfg),
	})
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	drained := make(chan struct{})
	if opts.Drain != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-opts.Drain:
			case <-wctx.Done():
				return
			}
			close(drained)
			id := w.ID()
			log.Info("draining: ranks move away at the next committed checkpoint", "node", id)
			if _, err := client.Drain(wctx, id); err != nil && wctx.Err() == nil {
				log.Error("drain refused; stopping now", "err", err)
				cancel()
			}
		}()
	}
	res, err := w.Run(wctx)
	if errors.Is(err, ErrFenced) {
		select {
		case <-drained:
			log.Info("drained")
			return Result{}, nil
		default:
		}
	}
	if err != nil {
		return Result{}, err
	}
	if res.Steps > 0 {
		if werr := writeResult(cfg.CheckpointDir(), cfg.Job.Name, res); werr != nil {
			log.Warn("result file", "err", werr)
		}
	}
	return res, nil
}

// failGrace is how long a node whose ranks failed waits for the controller
// to start a new epoch before it leaves the run: long enough for the
// controller to declare a dead peer (its lease) with margin.
func failGrace(cfg *Config) time.Duration { return 2*cfg.Controller.Lease + 2*time.Second }

// writeResult records the final result beside the checkpoints, for
// operators and `apollo status`: "step time checksum epoch".
func writeResult(dir, job string, r Result) error {
	tmp, err := os.CreateTemp(dir, ".tmp-result-*")
	if err != nil {
		return err
	}
	fmt.Fprintf(tmp, "step %d time %.17g checksum %016x epoch %d\n", r.Steps, r.Time, r.Checksum, r.Epoch)
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, job+".result"))
}

// ControllerOptions are the process-level settings of a controller replica.
type ControllerOptions struct {
	Log *slog.Logger
	// Ready, if set, is called once the replica serves its API.
	Ready func(httpAddr string)
	// Resume, if set, is the job to set (a job resumed from the shared
	// directory) instead of the configuration's.
	Resume *JobSpec
}

// RunController is `apollo controller`: one replica, serving until ctx ends.
// A replica with no controller.join bootstraps a new cluster and sets the
// job from the configuration; others join the replicas listed.
func RunController(ctx context.Context, cfg Config, opts ControllerOptions) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	key, err := LoadKey(cfg.KeyFile())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.CheckpointDir(), 0o755); err != nil {
		return fmt.Errorf("controller: %w", err)
	}
	srv, err := coord.NewServer(coord.Config{
		ID: cfg.Controller.ID, DataDir: cfg.RaftDir(), RaftAddr: cfg.Controller.RaftListen, HTTPAddr: cfg.Controller.Listen,
		Key: key, Bootstrap: len(cfg.Controller.Join) == 0, Join: cfg.Controller.Join,
		SharedDir: cfg.CheckpointDir(), Lease: cfg.Controller.Lease, Logger: log,
	})
	if err != nil {
		return fmt.Errorf("controller: %w", err)
	}
	defer srv.Close()
	log.Info("controller replica up", "id", cfg.Controller.ID, "api", srv.HTTPAddr(), "raft", srv.RaftAddr())
	if len(cfg.Controller.Join) == 0 {
		spec := SpecOf(&cfg)
		if opts.Resume != nil {
			spec = *opts.Resume
		}
		job, err := jobOf(&spec, cfg.Run.Nodes)
		if err != nil {
			return err
		}
		client := coord.NewClient([]string{srv.HTTPAddr()}, key)
		defer client.CloseIdleConnections()
		if _, err := client.SetJob(ctx, job); err != nil {
			return fmt.Errorf("controller: set job: %w", err)
		}
	}
	if opts.Ready != nil {
		opts.Ready(srv.HTTPAddr())
	}
	<-ctx.Done()
	return nil
}

// jobOf is the controller's job for a spec: epoch 1 starts once minNodes
// nodes registered.
func jobOf(spec *JobSpec, minNodes int) (coord.Job, error) {
	b, err := spec.Encode()
	if err != nil {
		return coord.Job{}, err
	}
	return coord.Job{Spec: b, Ranks: spec.Ranks, K: spec.K, M: spec.M, MinNodes: minNodes, Retention: 2 * spec.Keep}, nil
}
