package node

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apollo-hpc/apollo/checkpoint"
	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/coord"
	"github.com/apollo-hpc/apollo/sim"
)

// Controller is what a worker needs of the controller. coord.Client
// provides it (see controllerClient); tests use an in-process fake.
type Controller interface {
	// Register adds this node as a new member and returns its member id.
	Register(ctx context.Context, addr string, capacity int) (string, error)
	// Heartbeat renews the node's lease; an error wrapping coord.ErrFenced
	// means the node was declared dead or pulled.
	Heartbeat(ctx context.Context, id string) error
	// WaitState returns the controller state once its Version exceeds after.
	WaitState(ctx context.Context, after uint64) (*coord.State, error)
	// Report tells the controller that a rank's checkpoint is stored.
	Report(ctx context.Context, r coord.ReportCmd) error
	// Leave asks the controller to pull this node (as an operator's pull
	// would): its ranks move to the other nodes in a new epoch.
	Leave(ctx context.Context, id string) error
}

// ErrFenced is returned by Worker.Run when the controller declared this node
// dead or pulled it: its ranks run elsewhere and it must not touch the job.
var ErrFenced = errors.New("node: fenced by the controller")

// Checkpoint ids. One checkpoint.Meta.ID per snapshot, shared by its levels:
// 4·step, plus 2 for the final snapshot of the job. The controller sees one
// id per level: Meta.ID for memory, Meta.ID+1 for the shared directory.
// Ids grow with the step, as the controller requires.
func metaID(step int64, final bool) uint64 {
	id := 4 * uint64(step)
	if final {
		id += 2
	}
	return id
}

func reportID(meta uint64, lv checkpoint.Level) uint64 {
	if lv == checkpoint.LevelDir {
		return meta + 1
	}
	return meta
}

func metaOfReport(id uint64) (meta uint64, lv checkpoint.Level) {
	if id%2 == 1 {
		return id - 1, checkpoint.LevelDir
	}
	return id, checkpoint.LevelMemory
}

func isFinal(id uint64) bool { return id&2 != 0 }

// sharedDomain names the shared directory as a failure domain.
const sharedDomain = "shared"

// rankManifest is what a rank reports per checkpoint as its "manifest
// hash" (lowercase hex, as the controller requires): the snapshot digest
// then its length as 16 hex digits, enough with the holders to rebuild the
// manifest (placement is deterministic).
func rankManifest(e checkpoint.RankEntry) string {
	return fmt.Sprintf("%x%016x", e.Digest[:], uint64(e.Size))
}

func parseRankManifest(s string) (checkpoint.Digest, int64, error) {
	var d checkpoint.Digest
	if len(s) != 2*len(d)+16 {
		return d, 0, fmt.Errorf("bad rank manifest %q", s)
	}
	b, err := hex.DecodeString(s[:2*len(d)])
	if err != nil {
		return d, 0, fmt.Errorf("bad rank manifest %q", s)
	}
	copy(d[:], b)
	n, err := strconv.ParseUint(s[2*len(d):], 16, 64)
	if err != nil || n > checkpoint.MaxSnapshot {
		return d, 0, fmt.Errorf("bad rank manifest size %q", s)
	}
	return d, int64(n), nil
}

// manifestOf rebuilds the checkpoint manifest of a committed checkpoint from
// the controller's record: holders are the level's domains in placement
// order, shard i of rank r lives on holders[(i+r) mod len(holders)].
func manifestOf(c coord.Checkpoint, k, m int) (*checkpoint.Manifest, error) {
	meta, lv := metaOfReport(c.ID)
	if len(c.Holders) == 0 {
		return nil, fmt.Errorf("checkpoint %d: no holders", c.ID)
	}
	holders := c.Holders
	if lv == checkpoint.LevelDir {
		holders = []string{sharedDomain}
	}
	mf := &checkpoint.Manifest{ID: meta, Step: c.Step, Epoch: c.Epoch, Level: lv, K: k, M: m}
	for r, h := range c.RankManifests {
		d, size, err := parseRankManifest(h)
		if err != nil {
			return nil, fmt.Errorf("checkpoint %d rank %d: %w", c.ID, r, err)
		}
		e := checkpoint.RankEntry{Rank: r, Digest: d, Size: size}
		for i := 0; i < k+m; i++ {
			e.Shards = append(e.Shards, checkpoint.ShardLoc{Index: i, Domain: holders[(i+r)%len(holders)],
				Name: checkpoint.ShardName(meta, r, i)})
		}
		mf.Ranks = append(mf.Ranks, e)
	}
	return mf, nil
}

// WorkerConfig wires a worker to its controller, transport and stores.
type WorkerConfig struct {
	Addr      string // address peers reach this node at (registered with the controller)
	Capacity  int
	Ctl       Controller
	Transport Transport
	Mem       checkpoint.Store // this node's memory level (served to peers)
	// Peer returns the memory store of another node given its registered
	// address (an authenticated HTTP client, or the store itself in-process).
	Peer      func(addr string) checkpoint.Store
	Heartbeat time.Duration // default 250 ms
	Log       *slog.Logger
	// Progress, if set, receives rank 0's steps and committed checkpoints.
	Progress *Progress
	// EpochStarted, if set, is called when this node's ranks of an epoch
	// have restored and are about to step (for recovery timing).
	EpochStarted func(epoch uint64, restoreStep int64)
	// StallTimeout is the progress watchdog (node.stall_timeout): when this
	// node's ranks complete no time step for this long, the node logs a
	// summary of its goroutines, asks the controller to pull it and Run
	// returns ErrLeft. Zero: off.
	StallTimeout time.Duration
	// FailGrace is how long a node whose ranks stopped with an error waits
	// for the controller to start a new epoch before it leaves the run
	// (ErrLeft); the controller notices a dead peer within its lease, but
	// not a failure of an epoch in which every node is alive (a comm
	// connection declared lost while both ends heartbeat). It also spaces
	// out the nodes of an epoch: the n-th in id order waits n·FailGrace
	// longer, so that one node leaves, not all. Default 5 s; use a few
	// leases.
	FailGrace time.Duration
}

// Worker is one node: it registers, heartbeats, follows epochs and runs its
// ranks of each epoch until the job's final checkpoint is committed.
type Worker struct {
	cfg WorkerConfig
	log *slog.Logger
	id  string

	// reqSeq is the controller's latest "checkpoint now" sequence number.
	reqSeq atomic.Uint64

	// progress is when one of this node's ranks last completed a step (or
	// its epoch started), unix ns; the watchdog reads it.
	progress atomic.Int64

	mu     sync.Mutex
	result *Result     // final result, if this node computed it (rank 0)
	watch  *epochWatch // this node's current epoch, nil while it runs no ranks
}

// NewWorker returns a worker; Run starts it.
func NewWorker(cfg WorkerConfig) *Worker {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 250 * time.Millisecond
	}
	if cfg.Capacity < 1 {
		cfg.Capacity = 1
	}
	if cfg.FailGrace <= 0 {
		cfg.FailGrace = 5 * time.Second
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	return &Worker{cfg: cfg, log: log}
}

// ID returns the member id, once registered.
func (w *Worker) ID() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.id
}

// Run registers and follows the job until its final checkpoint is committed
// (returning the final result if this node held rank 0, else a zero Result),
// ctx ends, the node is fenced (ErrFenced), or it left the run because its
// ranks made no progress (ErrLeft; see WorkerConfig.StallTimeout and
// FailGrace). In the last case Run returns without waiting for ranks that
// may be wedged.
func (w *Worker) Run(ctx context.Context) (Result, error) {
	id, err := w.cfg.Ctl.Register(ctx, w.cfg.Addr, w.cfg.Capacity)
	if err != nil {
		return Result{}, fmt.Errorf("node: register: %w", err)
	}
	w.mu.Lock()
	w.id = id
	w.mu.Unlock()
	w.log = w.log.With("node", id)
	w.log.Info("registered", "addr", w.cfg.Addr)

	ctx, cancel := context.WithCancelCause(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel(nil)
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.heartbeat(ctx, cancel)
	}()
	left := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.watchdog(ctx, cancel, left)
	}()
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := w.follow(ctx, id)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-left:
		// The watchdog pulled this node and cancelled ctx. Ranks stuck in
		// a call that ignores ctx would keep follow from returning: give
		// it a moment to clean up, then leave regardless.
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			w.log.Error("progress watchdog: ranks did not stop; leaving them behind")
		}
		return Result{}, context.Cause(ctx)
	}
}

// follow is Run's loop: it follows the controller's state and runs this
// node's ranks of each epoch.
func (w *Worker) follow(ctx context.Context, id string) (Result, error) {
	var (
		version uint64
		spec    *JobSpec
		setup   Setup
		cur     *epochRun
		ran     uint64 // last epoch started
	)
	stop := func() {
		if cur != nil {
			w.stopping()
			cur.stop()
			cur = nil
		}
		w.unwatch()
	}
	defer stop()
	for {
		st, err := w.cfg.Ctl.WaitState(ctx, version)
		if err != nil {
			if c := context.Cause(ctx); c != nil && (errors.Is(c, ErrFenced) || errors.Is(c, ErrLeft)) {
				return Result{}, c
			}
			return Result{}, fmt.Errorf("node %s: %w", id, err)
		}
		version = st.Version
		w.reqSeq.Store(st.CheckpointSeq)
		me, ok := st.Members[id]
		if !ok || !me.State.Live() {
			stop()
			w.log.Warn("fenced: no longer a live member", "state", func() string {
				if ok {
					return string(me.State)
				}
				return "unknown"
			}())
			return Result{}, fmt.Errorf("node %s: %w", id, ErrFenced)
		}
		if st.Job == nil {
			continue
		}
		if spec == nil {
			if spec, err = DecodeJobSpec(st.Job.Spec); err != nil {
				return Result{}, fmt.Errorf("node %s: %w", id, err)
			}
			if setup, err = setupProblem(spec); err != nil {
				return Result{}, fmt.Errorf("node %s: %w", id, err)
			}
		}
		if finalCommitted(st) {
			// Every rank has taken the final checkpoint: let the epoch
			// finish its flushes, then stop.
			if cur != nil {
				cur.wg.Wait()
				cur.cancel()
				cur = nil
			}
			w.unwatch()
			w.mu.Lock()
			r := w.result
			w.mu.Unlock()
			if r == nil {
				return Result{}, nil
			}
			return *r, nil
		}
		if cur != nil && cur.epoch != st.Epoch {
			w.log.Info("epoch ended", "epoch", cur.epoch, "new", st.Epoch)
			stop()
		}
		if cur != nil {
			cur.commits(st)
		}
		w.prune(ctx, st)
		if ctx.Err() != nil {
			continue // stopping (WaitState returns at once): start nothing new
		}
		if cur == nil && st.Epoch > ran && st.Epoch > 0 {
			ranks := st.RanksOf(id)
			ran = st.Epoch
			if len(ranks) > 0 {
				cur = w.startEpoch(ctx, st, spec, setup, ranks)
			}
		}
	}
}

// finalCommitted reports whether the job's final checkpoint is committed.
func finalCommitted(st *coord.State) bool {
	for _, c := range st.Checkpoints {
		if isFinal(c.ID) {
			return true
		}
	}
	return false
}

// heartbeatCloser is a Controller that holds a socket for heartbeats
// (beatController): the heartbeat loop releases it when it ends.
type heartbeatCloser interface{ CloseHeartbeat() error }

func (w *Worker) heartbeat(ctx context.Context, cancel context.CancelCauseFunc) {
	t := time.NewTicker(w.cfg.Heartbeat)
	defer t.Stop()
	if c, ok := w.cfg.Ctl.(heartbeatCloser); ok {
		defer func() {
			if err := c.CloseHeartbeat(); err != nil {
				w.log.Debug("heartbeat channel close", "err", err)
			}
		}()
	}
	for {
		// Each beat has its own deadline, so one stuck request (a replica
		// that died mid-call) does not silence the node past its lease.
		hctx, cancelBeat := context.WithTimeout(ctx, 4*w.cfg.Heartbeat)
		err := w.cfg.Ctl.Heartbeat(hctx, w.id)
		cancelBeat()
		if errors.Is(err, coord.ErrFenced) || errors.Is(err, coord.ErrUnknownNode) {
			w.log.Warn("heartbeat refused: fenced", "err", err)
			cancel(fmt.Errorf("node %s: %w", w.id, ErrFenced))
			return
		}
		if err != nil && ctx.Err() == nil {
			w.log.Debug("heartbeat failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// epochRun is this node's share of one epoch.
type epochRun struct {
	w      *Worker
	epoch  uint64
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	ckpts map[int]*checkpoint.Checkpointer
	seen  map[uint64]bool // committed checkpoint ids already passed to the checkpointers
}

func (e *epochRun) stop() {
	e.cancel()
	e.wg.Wait()
}

// commits passes newly committed checkpoints to the ranks' checkpointers
// (retention), and to the progress bar.
func (e *epochRun) commits(st *coord.State) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range st.Checkpoints {
		if e.seen[c.ID] {
			continue
		}
		e.seen[c.ID] = true
		if p := e.w.cfg.Progress; p != nil {
			p.Checkpoint(c.Step)
		}
		meta, lv := metaOfReport(c.ID)
		for _, ck := range e.ckpts {
			if slices.Contains(ck.Kept(lv), meta) {
				if err := ck.Commit(context.Background(), lv, meta); err != nil {
					e.w.log.Warn("checkpoint retention", "id", c.ID, "err", err)
				}
			}
		}
	}
}

func (w *Worker) startEpoch(ctx context.Context, st *coord.State, spec *JobSpec, setup Setup, ranks []int) *epochRun {
	ctx, cancel := context.WithCancel(ctx)
	e := &epochRun{w: w, epoch: st.Epoch, cancel: cancel, ckpts: map[int]*checkpoint.Checkpointer{}, seen: map[uint64]bool{}}
	for _, c := range st.Checkpoints {
		e.seen[c.ID] = true
	}
	w.log.Info("epoch starting", "epoch", st.Epoch, "ranks", ranks, "restore_point", st.RestorePoint, "restore_step", st.RestoreStep)
	w.watchEpoch(st.Epoch, nodePos(st.RankMap, w.id))
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		err := w.runEpoch(ctx, e, st, spec, setup, ranks)
		if ctx.Err() != nil {
			return // stopped by a newer epoch or by the worker
		}
		if err != nil {
			// A dead peer is noticed by the controller (its lease runs
			// out), which then starts a new epoch. But the ranks can also
			// fail while every node is alive and heartbeating, e.g. a
			// comm connection declared lost during a scheduling stall
			// shorter than the lease: the controller sees nothing wrong
			// and would wait forever. After FailGrace without a new
			// epoch the watchdog makes this node leave the run.
			w.log.Warn("epoch stopped; waiting for the controller to start a new one", "epoch", st.Epoch, "err", err,
				"leave_after", w.cfg.FailGrace*time.Duration(1+nodePos(st.RankMap, w.id)))
		}
		w.epochEnded(st.Epoch, err)
	}()
	return e
}

// runEpoch builds comm for the node's ranks, restores them, runs the
// driver, takes the final checkpoint and, on rank 0, the final checksum.
func (w *Worker) runEpoch(ctx context.Context, e *epochRun, st *coord.State, spec *JobSpec, setup Setup, ranks []int) error {
	addrs := make([]string, len(st.RankMap))
	for r, n := range st.RankMap {
		if m, ok := st.Members[n]; ok {
			addrs[r] = m.Addr
		}
	}
	eps, err := w.cfg.Transport.Endpoints(ctx, st.Epoch, addrs, ranks)
	if err != nil {
		return fmt.Errorf("epoch %d: endpoints: %w", st.Epoch, err)
	}
	comms := make([]*comm.Comm, len(eps))
	for i, ep := range eps {
		comms[i] = comm.New(ep)
	}
	defer func() {
		for _, c := range comms {
			c.Close()
		}
	}()

	// Memory-level failure domains: the nodes holding ranks in this
	// epoch, in the controller's id order.
	var nodes []string
	for _, n := range st.RankMap {
		if !slices.Contains(nodes, n) {
			nodes = append(nodes, n)
		}
	}
	sort.Slice(nodes, func(i, j int) bool { return cmpID(nodes[i], nodes[j]) < 0 })
	resolve := func(lv checkpoint.Level, domain string) checkpoint.Store {
		switch lv {
		case checkpoint.LevelDir:
			if domain != sharedDomain || spec.SharedDir == "" {
				return nil
			}
			ds, err := checkpoint.NewDirStore(spec.SharedDir)
			if err != nil {
				w.log.Warn("shared directory", "err", err)
				return nil
			}
			return ds
		default:
			if domain == w.id {
				return w.cfg.Mem
			}
			m, ok := st.Members[domain]
			if !ok || m.Addr == "" || w.cfg.Peer == nil {
				return nil
			}
			return w.cfg.Peer(m.Addr)
		}
	}
	manifests, err := restoreManifests(st, spec)
	if err != nil {
		return fmt.Errorf("epoch %d: %w", st.Epoch, err)
	}

	errs := make([]error, len(ranks))
	var wg sync.WaitGroup
	var started sync.WaitGroup
	started.Add(len(ranks))
	for i, r := range ranks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.runRank(ctx, e, st, spec, setup, comms[i], r, nodes, resolve, manifests, started.Done)
		}()
	}
	if w.cfg.EpochStarted != nil {
		go func() {
			started.Wait()
			if ctx.Err() == nil {
				w.cfg.EpochStarted(st.Epoch, st.RestoreStep)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// restoreManifests returns the manifests of the epoch's restore point (the
// memory and directory levels of the same snapshot), or nil to start at t=0.
func restoreManifests(st *coord.State, spec *JobSpec) ([]*checkpoint.Manifest, error) {
	if st.RestorePoint == 0 {
		if spec.Resume == nil {
			return nil, nil
		}
		// A resumed job's first restore point is the shared checkpoint
		// it was resumed from.
		mf, err := manifestOf(*spec.Resume, spec.K, spec.M)
		if err != nil {
			return nil, fmt.Errorf("resume point: %w", err)
		}
		return []*checkpoint.Manifest{mf}, nil
	}
	meta, _ := metaOfReport(st.RestorePoint)
	var out []*checkpoint.Manifest
	for _, c := range st.Checkpoints {
		if m, _ := metaOfReport(c.ID); m != meta {
			continue
		}
		mf, err := manifestOf(c, spec.K, spec.M)
		if err != nil {
			return nil, err
		}
		out = append(out, mf)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("restore point %d is not among the committed checkpoints", st.RestorePoint)
	}
	return out, nil
}

func (w *Worker) runRank(ctx context.Context, e *epochRun, st *coord.State, spec *JobSpec, setup Setup, c *comm.Comm,
	rank int, nodes []string, resolve checkpoint.Resolver, manifests []*checkpoint.Manifest, started func()) error {
	startedOnce := sync.OnceFunc(started)
	defer startedOnce()
	log := w.log.With("rank", rank, "epoch", st.Epoch)
	env, err := sim.NewEnv(c, setup.Grid, [3]int{}, setup.Ng)
	if err != nil {
		return fmt.Errorf("rank %d: %w", rank, err)
	}
	env.Log = log
	model := setup.New()

	var start *sim.Snapshot
	if manifests != nil {
		t0 := time.Now()
		_, data, lv, err := checkpoint.Restore(ctx, rank, resolve, manifests...)
		if err != nil {
			return fmt.Errorf("rank %d: restore from checkpoint %d: %w", rank, st.RestorePoint, err)
		}
		if start, err = sim.DecodeSnapshot(data); err != nil {
			return fmt.Errorf("rank %d: restore from checkpoint %d: %w", rank, st.RestorePoint, err)
		}
		log.Info("restored", "step", start.Step, "level", lv, "bytes", len(data), "took", time.Since(t0).Round(time.Microsecond))
	}

	// Checkpointer: memory level over the epoch's nodes, directory level
	// on the shared directory; the driver decides when, so Every is 1.
	var levels []checkpoint.LevelConfig
	if spec.Memory {
		var doms []checkpoint.Domain
		for _, n := range nodes {
			if s := resolve(checkpoint.LevelMemory, n); s != nil {
				doms = append(doms, checkpoint.Domain{Name: n, Store: s})
			}
		}
		if len(doms) == len(nodes) {
			levels = append(levels, checkpoint.LevelConfig{Level: checkpoint.LevelMemory, Every: 1, Domains: doms, Keep: spec.Keep})
		}
	}
	if spec.SharedDir != "" {
		if s := resolve(checkpoint.LevelDir, sharedDomain); s != nil {
			levels = append(levels, checkpoint.LevelConfig{Level: checkpoint.LevelDir, Every: 1,
				Domains: []checkpoint.Domain{{Name: sharedDomain, Store: s}}, Keep: spec.Keep})
		}
	}
	holders := map[checkpoint.Level][]string{checkpoint.LevelMemory: nodes, checkpoint.LevelDir: {sharedDomain}}
	var ck *checkpoint.Checkpointer
	defer func() {
		if ck != nil {
			ck.Close()
		}
	}()
	// The solver's stall per checkpoint is the driver's capture (AppendState,
	// or a Freeze), the serialization into a snapshot buffer (not for a
	// frozen state: the checkpointer serializes it in the background), the
	// time a step waited for a frozen state to be released since the
	// previous checkpoint, plus the checkpointer's hand-over; the log
	// reports the sum, by id.
	var serMu sync.Mutex
	serialize := map[uint64]time.Duration{}
	freezer, _ := model.(sim.Freezer)
	var lastWait time.Duration
	// newCheckpointer is called at the first snapshot, when the state's
	// size is known; the encoder's buffers are sized from it once.
	newCheckpointer := func(size int) error {
		var err error
		ck, err = checkpoint.New(rank, checkpoint.Config{
			K: spec.K, M: spec.M, Capacity: int64(size)*5/4 + 1<<20, Levels: levels, Busy: checkpoint.BusyWait,
			Logger: slog.New(dropMsg{log.Handler(), domainsWarning}),
			OnWritten: func(wr checkpoint.Written) {
				if wr.Err != nil {
					return
				}
				serMu.Lock()
				ser := serialize[wr.ID]
				serMu.Unlock()
				log.Info("checkpoint written", "id", wr.ID, "step", wr.Step, "level", wr.Level,
					"stall", ser+wr.Stall, "write", wr.Write, "frozen", freezer != nil)
				lv := coord.LevelMemory
				if wr.Level == checkpoint.LevelDir {
					lv = coord.LevelShared
				}
				rep := coord.ReportCmd{Epoch: wr.Epoch, Node: w.id, Rank: rank, Checkpoint: reportID(wr.ID, wr.Level),
					Step: wr.Step, Level: lv, ManifestHash: rankManifest(wr.Entry), Holders: holders[wr.Level]}
				if err := w.cfg.Ctl.Report(ctx, rep); err != nil && ctx.Err() == nil {
					log.Warn("checkpoint report refused", "id", rep.Checkpoint, "err", err)
				}
			},
		})
		if err != nil {
			return fmt.Errorf("rank %d: checkpointer: %w", rank, err)
		}
		e.mu.Lock()
		e.ckpts[rank] = ck
		e.mu.Unlock()
		return nil
	}

	// Two snapshot buffers, reused: the checkpointer reads one in the
	// background (TakeOwned) while the next snapshot is serialized into the
	// other, so the solver is not stalled for a second copy of its state.
	// Under BusyWait, the buffer of checkpoint N-1 is free once Take of N
	// has returned. A model that freezes its state (sim.Freezer) needs
	// neither: the checkpointer serializes the frozen state into its own
	// buffer (TakeFunc) and releases it.
	var bufs [2][]byte
	cur := 0
	var lastCkpt int64 = -1
	var lastFinal bool
	take := func(ctx context.Context, snap sim.Snapshot, final bool) error {
		frozen := snap.Frozen != nil && snap.Data == nil
		if len(levels) == 0 {
			if frozen {
				snap.Frozen.Release()
			}
			return nil
		}
		t0 := time.Now()
		pre := snap.Capture
		var buf []byte
		if frozen {
			if _, wait := freezer.FreezeWait(); wait > lastWait {
				pre += wait - lastWait
				lastWait = wait
			}
		} else {
			var err error
			if buf, err = snap.AppendBinary(bufs[cur][:0]); err != nil {
				return err
			}
			bufs[cur] = buf
			pre += time.Since(t0)
		}
		id := metaID(snap.Step, final)
		serMu.Lock()
		serialize[id] = pre
		if len(serialize) > 4 { // the oldest was logged long ago
			oldest := id
			for k := range serialize {
				oldest = min(oldest, k)
			}
			delete(serialize, oldest)
		}
		serMu.Unlock()
		if ck == nil {
			size := len(buf)
			if frozen {
				size = snap.BinaryLen()
			}
			if err := newCheckpointer(size); err != nil {
				if frozen {
					snap.Frozen.Release()
				}
				return err
			}
		}
		meta := checkpoint.Meta{ID: id, Rank: rank, Step: snap.Step, Epoch: st.Epoch, Time: snap.Time}
		if frozen {
			// TakeFunc releases the frozen state on every path.
			if _, err := ck.TakeFunc(ctx, meta, snap.AppendBinary, snap.Frozen.Release); err != nil {
				return err
			}
		} else {
			taken, err := ck.TakeOwned(ctx, meta, buf)
			if err != nil {
				return err
			}
			if taken {
				cur ^= 1
			}
		}
		lastCkpt, lastFinal = snap.Step, final
		return nil
	}
	dcfg := sim.DriverConfig{StopStep: spec.StopStep, StopTime: spec.StopTime, CheckpointEvery: spec.CkptEvery,
		CheckpointWall: spec.CkptWall, MaxDt: setup.MaxDt, ModelName: setup.Model, OutputEvery: spec.OutputEvery}
	hooks := sim.Hooks{
		Checkpoint: func(ctx context.Context, snap sim.Snapshot) error {
			final := (spec.StopStep > 0 && snap.Step >= spec.StopStep) || (spec.StopTime > 0 && snap.Time >= spec.StopTime)
			return take(ctx, snap, final)
		},
		Deferred: freezer != nil,
	}
	if spec.OutputEvery > 0 {
		if hooks.Output, err = outputHook(spec.OutputDir, spec.Name, setup); err != nil {
			return fmt.Errorf("rank %d: %w", rank, err)
		}
	}
	if rank == 0 {
		// An operator's "checkpoint now": rank 0 answers, the driver makes
		// every rank agree. Requests made before this epoch count as served.
		served := st.CheckpointSeq
		hooks.CheckpointNow = func() bool {
			if s := w.reqSeq.Load(); s > served {
				served = s
				return true
			}
			return false
		}
	}
	// The first completed step of an epoch is logged: with "epoch
	// starting" and "restored" it times a recovery's re-entry.
	first := true
	var p *Progress
	if rank == 0 {
		p = w.cfg.Progress
	}
	hooks.Progress = func(step int64, t, dt float64) {
		w.progress.Store(time.Now().UnixNano())
		if first {
			first = false
			log.Info("first step of epoch", "step", step)
		}
		if p != nil {
			p.Step(step, t)
		}
	}
	startedOnce()
	t0 := time.Now()
	res, err := sim.Run(ctx, env, model, dcfg, hooks, start)
	if err != nil {
		return fmt.Errorf("rank %d: %w", rank, err)
	}
	// Rank 0's result is recorded before the final checkpoint is reported,
	// so it exists by the time any node sees that checkpoint committed.
	sum, err := sim.FieldsChecksum(ctx, env, model.Fields())
	if err != nil {
		return fmt.Errorf("rank %d: checksum: %w", rank, err)
	}
	if rank == 0 {
		r := Result{Steps: res.Step, Time: res.Time, Checksum: sum, Wall: time.Since(t0), Epoch: st.Epoch}
		w.mu.Lock()
		w.result = &r
		w.mu.Unlock()
		log.Info("final", "step", res.Step, "time", res.Time, "checksum", fmt.Sprintf("%016x", sum))
	}
	// The final checkpoint marks the job done once committed.
	if lastCkpt != res.Step || !lastFinal {
		b := env.Block
		snap := sim.Snapshot{Model: setup.Model, Grid: b.Grid, Procs: b.Procs, Rank: b.Rank, Ng: b.Ng,
			Step: res.Step, Time: res.Time}
		var err error
		if freezer != nil {
			snap.Frozen, err = freezer.Freeze()
		} else {
			snap.Data, err = model.AppendState(nil)
		}
		if err != nil {
			return fmt.Errorf("rank %d: final state: %w", rank, err)
		}
		if err := take(ctx, snap, true); err != nil {
			return fmt.Errorf("rank %d: final checkpoint: %w", rank, err)
		}
	}
	if ck != nil {
		if _, err := ck.Flush(ctx); err != nil {
			return fmt.Errorf("rank %d: final checkpoint: %w", rank, err)
		}
	}
	return nil
}

// nodePos is the place of node among the distinct nodes of rankMap in id
// order (0 if absent).
func nodePos(rankMap []string, node string) int {
	var nodes []string
	for _, n := range rankMap {
		if !slices.Contains(nodes, n) {
			nodes = append(nodes, n)
		}
	}
	sort.Slice(nodes, func(i, j int) bool { return cmpID(nodes[i], nodes[j]) < 0 })
	return max(slices.Index(nodes, node), 0)
}

// cmpID orders member ids like the controller: shorter first, then lexical.
func cmpID(a, b string) int {
	switch {
	case a == b:
		return 0
	case len(a) != len(b):
		if len(a) < len(b) {
			return -1
		}
		return 1
	case a < b:
		return -1
	}
	return 1
}

// domainsWarning is the checkpointer's warning about fewer failure domains
// than shards: expected for the single shared directory, so not repeated
// for every rank of every epoch.
const domainsWarning = "checkpoint: fewer failure domains than shards; level tolerates fewer losses"

// dropMsg is a slog.Handler that drops records with one message.
type dropMsg struct {
	slog.Handler
	msg string
}

func (d dropMsg) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == d.msg {
		return nil
	}
	return d.Handler.Handle(ctx, r)
}

func (d dropMsg) WithAttrs(a []slog.Attr) slog.Handler { return dropMsg{d.Handler.WithAttrs(a), d.msg} }
func (d dropMsg) WithGroup(g string) slog.Handler      { return dropMsg{d.Handler.WithGroup(g), d.msg} }

// prune deletes from this node's memory store the shards of checkpoints
// older than the oldest committed one: left over from epochs whose
// checkpointers are gone, they can never be restored from again.
func (w *Worker) prune(ctx context.Context, st *coord.State) {
	if len(st.Checkpoints) == 0 || w.cfg.Mem == nil {
		return
	}
	oldest, _ := metaOfReport(st.Checkpoints[0].ID)
	names, err := w.cfg.Mem.List(ctx, "ckpt-")
	if err != nil {
		return
	}
	for _, n := range names {
		// ckpt-<16 hex id>-r<rank>-s<index> (checkpoint.ShardName)
		if len(n) < 21 {
			continue
		}
		id, err := strconv.ParseUint(n[5:21], 16, 64)
		if err == nil && id < oldest {
			w.cfg.Mem.Delete(ctx, n)
		}
	}
}
