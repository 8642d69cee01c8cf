package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// Domain is one failure domain of a level: a node's memory or one
// directory/NFS server. The shards of a snapshot go to distinct domains.
type Domain struct {
	Name  string
	Store Store
}

// LevelConfig configures one checkpoint level.
type LevelConfig struct {
	Level Level
	// Every: the level is written at steps that are multiples of Every, e.g.
	// memory every N and directory every M·N steps.
	Every int64
	// Domains receive the shards. Shard i of rank r goes to domain
	// (i+r) mod len(Domains): with len(Domains) >= k+m every shard of a
	// snapshot is on a distinct domain and any m lost domains lose nothing;
	// with fewer, a domain holds up to ceil((k+m)/len) shards of a snapshot
	// and the level survives only Tolerance() lost domains (possibly 0).
	Domains []Domain
	// Keep is how many committed checkpoints to keep (>= 1).
	Keep int
}

// BusyPolicy says what Take does when the previous checkpoint is still
// being encoded or written.
type BusyPolicy int

const (
	// BusySkip: Take returns ErrBusy at once and the solver goes on; the
	// checkpoint in flight is unaffected, the due one is not taken.
	BusySkip BusyPolicy = iota
	// BusyWait: Take blocks until the previous checkpoint is written, then
	// takes this one (the wait counts as stall).
	BusyWait
)

// ErrBusy is returned by Take under BusySkip while a checkpoint is in flight.
var ErrBusy = errors.New("checkpoint: previous checkpoint still being written; skipped")

// Config configures a Checkpointer.
type Config struct {
	K, M      int
	Capacity  int64 // largest state, in bytes
	MaxLayout int   // largest Meta.Layout, in bytes
	// Levels, fastest first (memory before directory).
	Levels []LevelConfig
	Busy   BusyPolicy
	// Metrics registers its collectors here if non-nil.
	Metrics *Metrics
	Logger  *slog.Logger
	// SlowWrite: a level write taking longer is logged and counted as slow.
	SlowWrite time.Duration
	// WriteTimeout, if > 0, bounds each level's write: stores see a context
	// that expires, and the level fails with context.DeadlineExceeded
	// (kind "timeout") instead of hanging on a stuck directory.
	WriteTimeout time.Duration
	// OnWritten, if set, is called from the background writer once per
	// level written (or failed), e.g. to report the entry to the controller.
	OnWritten func(Written)
}

// Written reports one level of one checkpoint of one rank.
type Written struct {
	ID    uint64
	Step  int64
	Epoch uint64
	Level Level
	Entry RankEntry // valid if Err == nil
	Err   error
	Stall time.Duration // time Take blocked the caller
	Write time.Duration // encode + store time in the background
}

type levelState struct {
	cfg       LevelConfig
	written   map[uint64]RankEntry // ids written OK and not deleted
	committed map[uint64]bool
}

// Checkpointer takes asynchronous, erasure-coded checkpoints of one rank.
// Take copies the state and returns; encoding and writing run in the
// background while the solver goes on. Methods are safe for concurrent use.
type Checkpointer struct {
	cfg    Config
	rank   int
	enc    *Encoder
	log    *slog.Logger
	met    *Metrics
	sem    chan struct{} // one checkpoint in flight
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// fillBuf is TakeFunc's serialization buffer, reused; only the
	// background writer (one at a time, under sem) touches it.
	fillBuf []byte

	mu     sync.Mutex
	levels []*levelState
	last   []Written
}

// New returns a Checkpointer for rank. Its shard buffers (Capacity·(k+m)/k
// bytes) are allocated here, once.
func New(rank int, cfg Config) (*Checkpointer, error) {
	if err := checkKM(cfg.K, cfg.M); err != nil {
		return nil, err
	}
	if len(cfg.Levels) == 0 {
		return nil, errors.New("checkpoint: no levels configured")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("rank", rank)
	c := &Checkpointer{cfg: cfg, rank: rank, log: log, met: cfg.Metrics, sem: make(chan struct{}, 1)}
	if c.met == nil {
		c.met, _ = NewMetrics(nil) // unregistered: cannot fail
	}
	for _, l := range cfg.Levels {
		if l.Every < 1 || l.Keep < 1 || len(l.Domains) == 0 {
			return nil, fmt.Errorf("checkpoint: level %v: need Every>=1, Keep>=1 and at least one domain", l.Level)
		}
		if len(l.Domains) < cfg.K+cfg.M {
			log.Warn("checkpoint: fewer failure domains than shards; level tolerates fewer losses",
				"level", l.Level, "domains", len(l.Domains), "shards", cfg.K+cfg.M,
				"tolerated_domain_losses", Tolerance(cfg.K, cfg.M, len(l.Domains)))
		}
		c.levels = append(c.levels, &levelState{cfg: l, written: map[uint64]RankEntry{}, committed: map[uint64]bool{}})
	}
	enc, err := NewEncoder(cfg.K, cfg.M, cfg.Capacity, cfg.MaxLayout)
	if err != nil {
		return nil, err
	}
	c.enc = enc
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// Tolerance returns how many failure domains a level with the given number
// of domains may lose without losing a snapshot: m when every shard has its
// own domain, else m divided by the most shards one domain holds.
func Tolerance(k, m, domains int) int {
	if domains <= 0 {
		return 0
	}
	per := (k + m + domains - 1) / domains
	return m / per
}

// ShardName is the object name of a shard.
func ShardName(id uint64, rank, index int) string {
	return fmt.Sprintf("ckpt-%016x-r%06d-s%03d", id, rank, index)
}

// Due returns the levels due at step.
func (c *Checkpointer) Due(step int64) []Level {
	var out []Level
	for _, l := range c.levels {
		if step%l.cfg.Every == 0 {
			out = append(out, l.cfg.Level)
		}
	}
	return out
}

// Take checkpoints state at meta.Step if any level is due (else it returns
// false, nil). It blocks only to copy state (and, under BusyWait, for the
// previous checkpoint); state may be modified once it returns. Results come
// through OnWritten and Flush.
func (c *Checkpointer) Take(ctx context.Context, meta Meta, state []byte) (bool, error) {
	return c.take(ctx, meta, source{state: state})
}

// TakeOwned is Take without the copy in the caller's time: the checkpointer
// reads state in the background, so the caller must not modify it until a
// later Take or TakeOwned has returned true, or Flush has returned. A
// caller that serializes its state into a buffer anyway (the node process)
// alternates two such buffers (double buffering): the copy into the shard
// buffers then overlaps the next time steps instead of stalling them.
func (c *Checkpointer) TakeOwned(ctx context.Context, meta Meta, state []byte) (bool, error) {
	return c.take(ctx, meta, source{state: state, owned: true})
}

// TakeFunc is Take for a caller whose state is serialized later, from the
// background goroutine: fill appends the state to dst (length 0, a buffer
// the Checkpointer keeps and reuses) and returns it; the result is then
// loaded, encoded and stored as TakeOwned does. The caller is blocked only
// for the bookkeeping (and, under BusyWait, for the previous checkpoint),
// so a solver that can freeze its state (copy-on-write) hands it over
// without a pass over its memory.
//
// release, if non-nil, is called exactly once, when the state is no longer
// read: after fill returns, or before TakeFunc returns if the checkpoint
// is not taken (no level due, skipped as busy, an error, ctx done while
// waiting). It may run on another goroutine than TakeFunc's caller.
func (c *Checkpointer) TakeFunc(ctx context.Context, meta Meta, fill func(dst []byte) ([]byte, error), release func()) (bool, error) {
	if fill == nil {
		if release != nil {
			release()
		}
		return false, errors.New("checkpoint: TakeFunc without a fill function")
	}
	return c.take(ctx, meta, source{fill: fill, release: release})
}

// source is how take gets the state: copied at once (Take), read in the
// background (TakeOwned), or serialized in the background (TakeFunc).
type source struct {
	state   []byte
	owned   bool
	fill    func(dst []byte) ([]byte, error)
	release func()
}

func (s *source) done() {
	if s.release != nil {
		s.release()
		s.release = nil
	}
}

func (c *Checkpointer) take(ctx context.Context, meta Meta, src source) (bool, error) {
	// Every return before the background goroutine owns src releases it.
	handed := false
	defer func() {
		if !handed {
			src.done()
		}
	}()
	due := c.Due(meta.Step)
	if len(due) == 0 {
		return false, nil
	}
	t0 := time.Now()
	switch c.cfg.Busy {
	case BusyWait:
		select {
		case c.sem <- struct{}{}:
		default:
			c.met.busy.WithLabelValues("waited").Inc()
			select {
			case c.sem <- struct{}{}:
			case <-ctx.Done():
				return false, fmt.Errorf("checkpoint %d: waiting for previous: %w", meta.ID, ctx.Err())
			}
		}
	default:
		select {
		case c.sem <- struct{}{}:
		default:
			c.met.busy.WithLabelValues("skipped").Inc()
			return false, fmt.Errorf("checkpoint %d at step %d: %w", meta.ID, meta.Step, ErrBusy)
		}
	}
	// Rewriting an id already held would overwrite its shards in place,
	// possibly those of a committed checkpoint: refuse.
	c.mu.Lock()
	for _, l := range c.levels {
		if _, ok := l.written[meta.ID]; ok {
			c.mu.Unlock()
			<-c.sem
			return false, fmt.Errorf("checkpoint: id %d already written at level %v; ids must be new", meta.ID, l.cfg.Level)
		}
	}
	c.mu.Unlock()
	switch {
	case src.fill != nil: // size known only once filled
	case src.owned:
		if err := c.enc.fits(len(src.state)); err != nil {
			<-c.sem
			return false, err
		}
	default:
		if err := c.enc.Load(src.state); err != nil {
			<-c.sem
			return false, err
		}
	}
	meta.Rank = c.rank
	meta.Layout = append([]byte(nil), meta.Layout...)
	stall := time.Since(t0)
	c.met.stall.Set(stall.Seconds())
	handed = true
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer func() { <-c.sem }()
		c.write(meta, due, stall, src)
	}()
	return true, nil
}

// write loads the snapshot if the caller left that to the background
// (TakeOwned, TakeFunc), encodes it and stores it at every due level.
func (c *Checkpointer) write(meta Meta, due []Level, stall time.Duration, src source) {
	t0 := time.Now()
	var shards [][]byte
	var dig Digest
	var err error
	size := int64(len(src.state))
	switch {
	case src.fill != nil:
		var buf []byte
		buf, err = src.fill(c.fillBuf[:0])
		// The caller's memory is free once serialized: release before the
		// encode, so a frozen solver state is held for one pass only.
		src.done()
		if err != nil {
			err = fmt.Errorf("checkpoint %d: serializing the state: %w", meta.ID, err)
		} else {
			if int64(cap(buf)) <= c.cfg.Capacity+1<<20 { // keep a buffer of sane size
				c.fillBuf = buf[:0]
			}
			size = int64(len(buf))
			err = c.enc.Load(buf)
		}
	case src.owned:
		err = c.enc.Load(src.state)
	}
	if err == nil {
		shards, dig, err = c.enc.Encode(meta)
	}
	var results []Written
	for _, lv := range due {
		ls := c.level(lv)
		w := Written{ID: meta.ID, Step: meta.Step, Epoch: meta.Epoch, Level: lv, Stall: stall}
		if err != nil {
			w.Err = err
		} else {
			w.Entry, w.Err = c.putLevel(ls, meta.ID, shards, dig, size)
		}
		w.Write = time.Since(t0)
		c.met.write.WithLabelValues(lv.String()).Set(w.Write.Seconds())
		if w.Err != nil {
			c.met.checkpoints.WithLabelValues(lv.String(), "error").Inc()
			c.log.Error("checkpoint: write failed; previous checkpoints untouched", "id", meta.ID, "level", lv, "err", w.Err)
		} else {
			c.met.checkpoints.WithLabelValues(lv.String(), "ok").Inc()
			if c.cfg.SlowWrite > 0 && w.Write > c.cfg.SlowWrite {
				c.met.slow.WithLabelValues(lv.String()).Inc()
				c.log.Warn("checkpoint: slow write", "id", meta.ID, "level", lv, "took", w.Write)
			}
			c.mu.Lock()
			ls.written[meta.ID] = w.Entry
			c.mu.Unlock()
		}
		results = append(results, w)
		if c.cfg.OnWritten != nil {
			c.cfg.OnWritten(w)
		}
	}
	c.mu.Lock()
	c.last = results
	c.mu.Unlock()
}

func (c *Checkpointer) level(lv Level) *levelState {
	for _, l := range c.levels {
		if l.cfg.Level == lv {
			return l
		}
	}
	return nil
}

// putLevel writes the shards to the level's domains in parallel. On any
// failure it removes what it wrote (never committed, so safe to delete).
func (c *Checkpointer) putLevel(ls *levelState, id uint64, shards [][]byte, dig Digest, size int64) (RankEntry, error) {
	e := RankEntry{Rank: c.rank, Digest: dig, Size: size, Shards: make([]ShardLoc, len(shards))}
	errs := make([]error, len(shards))
	ctx := c.ctx
	if c.cfg.WriteTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.WriteTimeout)
		defer cancel()
	}
	var wg sync.WaitGroup
	for i := range shards {
		d := ls.cfg.Domains[(i+c.rank)%len(ls.cfg.Domains)]
		e.Shards[i] = ShardLoc{Index: i, Domain: d.Name, Name: ShardName(id, c.rank, i)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Store.Put(ctx, e.Shards[i].Name, shards[i]); err != nil {
				c.met.storeErrors.WithLabelValues(ls.cfg.Level.String(), "put", errorKind(err)).Inc()
				errs[i] = fmt.Errorf("shard %d to %s: %w", i, d.Name, err)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		c.deleteEntry(ls, e)
		return RankEntry{}, fmt.Errorf("checkpoint %d rank %d level %v: %w", id, c.rank, ls.cfg.Level, err)
	}
	return e, nil
}

func (c *Checkpointer) deleteEntry(ls *levelState, e RankEntry) error {
	var errs []error
	for _, s := range e.Shards {
		st := ls.store(s.Domain)
		if st == nil {
			continue
		}
		if err := st.Delete(c.ctx, s.Name); err != nil {
			c.met.storeErrors.WithLabelValues(ls.cfg.Level.String(), "delete", errorKind(err)).Inc()
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (ls *levelState) store(domain string) Store {
	for _, d := range ls.cfg.Domains {
		if d.Name == domain {
			return d.Store
		}
	}
	return nil
}

// Flush waits until no checkpoint is in flight and returns the results of
// the last one taken, with the first level error if any.
func (c *Checkpointer) Flush(ctx context.Context) ([]Written, error) {
	select {
	case c.sem <- struct{}{}:
		<-c.sem
	case <-ctx.Done():
		return nil, fmt.Errorf("checkpoint: flush: %w", ctx.Err())
	}
	c.mu.Lock()
	last := append([]Written(nil), c.last...)
	c.mu.Unlock()
	for _, w := range last {
		if w.Err != nil {
			return last, w.Err
		}
	}
	return last, nil
}

// Commit is the controller's hook: checkpoint id is committed at level
// (its manifest is durable). Retention then deletes, at that level, the
// committed checkpoints beyond the newest Keep and the uncommitted ones
// older than the newest committed. The newest committed checkpoint is never
// deleted, and nothing newer than it is.
func (c *Checkpointer) Commit(ctx context.Context, lv Level, id uint64) error {
	ls := c.level(lv)
	if ls == nil {
		return fmt.Errorf("checkpoint: commit %d: no level %v", id, lv)
	}
	c.mu.Lock()
	if _, ok := ls.written[id]; !ok {
		c.mu.Unlock()
		return fmt.Errorf("checkpoint: commit %d at level %v: not written by rank %d", id, lv, c.rank)
	}
	ls.committed[id] = true
	var com []uint64
	for i := range ls.committed {
		com = append(com, i)
	}
	sort.Slice(com, func(a, b int) bool { return com[a] > com[b] })
	newest := com[0]
	keep := map[uint64]bool{}
	for i := 0; i < len(com) && i < ls.cfg.Keep; i++ {
		keep[com[i]] = true
	}
	var drop []RankEntry
	for i, e := range ls.written {
		if (ls.committed[i] && !keep[i]) || (!ls.committed[i] && i < newest) {
			drop = append(drop, e)
			delete(ls.written, i)
			delete(ls.committed, i)
		}
	}
	c.mu.Unlock()
	var errs []error
	for _, e := range drop {
		if err := c.deleteEntry(ls, e); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("checkpoint: retention at level %v: %w", lv, err)
	}
	return nil
}

// Kept returns the checkpoint ids this rank still holds at a level, sorted.
func (c *Checkpointer) Kept(lv Level) []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	ls := c.level(lv)
	if ls == nil {
		return nil
	}
	var out []uint64
	for i := range ls.written {
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

// Restore rebuilds this rank's state from the given committed manifests
// (one per level, same checkpoint), preferring the fastest level that
// verifies.
func (c *Checkpointer) Restore(ctx context.Context, ms ...*Manifest) (Meta, []byte, Level, error) {
	resolve := func(lv Level, domain string) Store {
		if ls := c.level(lv); ls != nil {
			return ls.store(domain)
		}
		return nil
	}
	meta, data, lv, err := Restore(ctx, c.rank, resolve, ms...)
	if err != nil {
		c.met.restores.WithLabelValues("none", "error").Inc()
	} else {
		c.met.restores.WithLabelValues(lv.String(), "ok").Inc()
	}
	return meta, data, lv, err
}

// Close waits for the checkpoint in flight and releases the Checkpointer.
func (c *Checkpointer) Close() {
	c.wg.Wait()
	c.cancel()
}

// parseShardName inverts ShardName.
func parseShardName(name string) (id uint64, rank, index int, ok bool) {
	n, err := fmt.Sscanf(name, "ckpt-%x-r%d-s%d", &id, &rank, &index)
	return id, rank, index, err == nil && n == 3 && ShardName(id, rank, index) == name
}

// Sweep is for a restarted process, before its first Take: at level lv it
// deletes this rank's shards of every checkpoint for which committed(id) is
// false (left by a previous incarnation, never to be committed), and adopts
// the committed ones so later retention deletes them in turn. It returns
// how many objects it deleted.
func (c *Checkpointer) Sweep(ctx context.Context, lv Level, committed func(id uint64) bool) (int, error) {
	ls := c.level(lv)
	if ls == nil {
		return 0, fmt.Errorf("checkpoint: sweep: no level %v", lv)
	}
	deleted := 0
	var errs []error
	for _, d := range ls.cfg.Domains {
		names, err := d.Store.List(ctx, "ckpt-")
		if err != nil {
			c.met.storeErrors.WithLabelValues(lv.String(), "list", errorKind(err)).Inc()
			errs = append(errs, fmt.Errorf("list %s: %w", d.Name, err))
			continue
		}
		for _, n := range names {
			id, rank, idx, ok := parseShardName(n)
			if !ok || rank != c.rank {
				continue
			}
			if committed(id) {
				c.mu.Lock()
				e := ls.written[id]
				e.Rank = c.rank
				e.Shards = append(e.Shards, ShardLoc{Index: idx, Domain: d.Name, Name: n})
				ls.written[id] = e
				ls.committed[id] = true
				c.mu.Unlock()
				continue
			}
			if err := d.Store.Delete(ctx, n); err != nil {
				c.met.storeErrors.WithLabelValues(lv.String(), "delete", errorKind(err)).Inc()
				errs = append(errs, fmt.Errorf("delete %s/%s: %w", d.Name, n, err))
				continue
			}
			deleted++
		}
	}
	if err := errors.Join(errs...); err != nil {
		return deleted, fmt.Errorf("checkpoint: sweep level %v: %w", lv, err)
	}
	return deleted, nil
}
