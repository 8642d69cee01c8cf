package checkpoint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metricValue reads a counter or gauge from a registry, by name and labels.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, mt := range f.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, l := range mt.GetLabel() {
					if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			if mt.GetCounter() != nil {
				return mt.GetCounter().GetValue()
			}
			return mt.GetGauge().GetValue()
		}
	}
	return 0
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func memDomains(n int) []Domain {
	ds := make([]Domain, n)
	for i := range ds {
		ds[i] = Domain{Name: fmt.Sprintf("node%d", i), Store: NewMemStore()}
	}
	return ds
}

func dirDomains(t *testing.T, n int) []Domain {
	ds := make([]Domain, n)
	root := t.TempDir()
	for i := range ds {
		s, err := NewDirStore(filepath.Join(root, fmt.Sprintf("nfs%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		ds[i] = Domain{Name: fmt.Sprintf("nfs%d", i), Store: s}
	}
	return ds
}

// manifestOf builds the one-rank manifest the controller would commit.
func manifestOf(w Written, k, m int) *Manifest {
	return &Manifest{ID: w.ID, Step: w.Step, Epoch: w.Epoch, Level: w.Level, K: k, M: m, Ranks: []RankEntry{w.Entry}}
}

// lost wraps domains, making some unavailable (a dead node).
func lostResolver(c *Checkpointer, dead map[string]bool) Resolver {
	return func(lv Level, d string) Store {
		if dead[d] {
			return nil
		}
		return c.level(lv).store(d)
	}
}

func TestCheckpointerLevelsRestoreAndPlacement(t *testing.T) {
	const k, m, rank = 4, 2, 1
	mem, dir := memDomains(k+m), dirDomains(t, k+m)
	reg := prometheus.NewRegistry()
	met, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(rank, Config{K: k, M: m, Capacity: 1 << 20, MaxLayout: 64, Metrics: met, Logger: quiet,
		Levels: []LevelConfig{{Level: LevelMemory, Every: 2, Domains: mem, Keep: 2}, {Level: LevelDir, Every: 6, Domains: dir, Keep: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	state := testData(300001, 1)
	var written map[Level]Written
	var want []byte
	for step := int64(1); step <= 6; step++ {
		copy(state, testData(64, uint64(step))) // the solver changes its state each step
		taken, err := c.Take(ctx, Meta{ID: uint64(step), Step: step, Epoch: 1, Layout: []byte("L")}, state)
		if err != nil {
			t.Fatal(err)
		}
		if taken != (step%2 == 0) {
			t.Fatalf("step %d: taken=%v", step, taken)
		}
		if !taken {
			continue
		}
		want = append([]byte(nil), state...)
		clear(state[:1000]) // modifying state after Take must not affect the checkpoint
		copy(state, want[:1000])
		ws, err := c.Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		written = map[Level]Written{}
		for _, w := range ws {
			written[w.Level] = w
		}
	}
	if len(written) != 2 {
		t.Fatalf("step 6 should write both levels, got %v", written)
	}
	// Placement: each shard on a distinct domain, rotated by rank.
	for _, w := range written {
		seen := map[string]bool{}
		for _, s := range w.Entry.Shards {
			if seen[s.Domain] {
				t.Fatalf("level %v: two shards on %s", w.Level, s.Domain)
			}
			seen[s.Domain] = true
		}
		if w.Entry.Shards[0].Domain[len(w.Entry.Shards[0].Domain)-1] != '1' {
			t.Fatalf("shard 0 of rank 1 not rotated: %v", w.Entry.Shards[0])
		}
	}
	mm, md := manifestOf(written[LevelMemory], k, m), manifestOf(written[LevelDir], k, m)
	meta, got, lv, err := c.Restore(ctx, md, mm)
	if err != nil || lv != LevelMemory || !bytes.Equal(got, want) || meta.Step != 6 || meta.Rank != rank {
		t.Fatalf("restore: level %v err %v meta %+v", lv, err, meta)
	}
	// Any m dead memory nodes: memory level still restores.
	dead := map[string]bool{"node0": true, "node3": true}
	if _, got, lv, err = Restore(ctx, rank, lostResolver(c, dead), mm, md); err != nil || lv != LevelMemory || !bytes.Equal(got, want) {
		t.Fatalf("restore with 2 dead nodes: %v %v", lv, err)
	}
	// m+1 dead: memory fails, the directory level is used.
	dead["node5"] = true
	if _, got, lv, err = Restore(ctx, rank, lostResolver(c, dead), mm, md); err != nil || lv != LevelDir || !bytes.Equal(got, want) {
		t.Fatalf("restore falling back to dir: %v %v", lv, err)
	}
	// Both levels unavailable: an error naming the shards.
	for i := 0; i < k+m; i++ {
		dead[fmt.Sprintf("nfs%d", i)] = i < 3
	}
	_, _, _, err = Restore(ctx, rank, lostResolver(c, dead), mm, md)
	if !errors.Is(err, ErrNotEnoughShards) {
		t.Fatalf("want ErrNotEnoughShards, got %v", err)
	}
	t.Log(err)
	if n := metricValue(t, reg, "apollo_checkpoint_writes_total", "level", "memory", "result", "ok"); n != 3 {
		t.Fatalf("memory writes metric = %v, want 3", n)
	}
}

func TestTolerance(t *testing.T) {
	for _, c := range []struct{ k, m, d, want int }{{4, 2, 6, 2}, {4, 2, 10, 2}, {4, 2, 3, 1}, {4, 2, 4, 1}, {4, 2, 2, 0}, {8, 2, 5, 1}, {4, 1, 3, 0}} {
		if got := Tolerance(c.k, c.m, c.d); got != c.want {
			t.Errorf("Tolerance(%d,%d,%d)=%d want %d", c.k, c.m, c.d, got, c.want)
		}
	}
	// Check the claim: 4+2 on 3 domains survives any one lost domain, not two.
	const k, m = 4, 2
	c, err := New(0, Config{K: k, M: m, Capacity: 5000, Logger: quiet,
		Levels: []LevelConfig{{Level: LevelMemory, Every: 1, Domains: memDomains(3), Keep: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	data := testData(5000, 3)
	c.Take(ctx, Meta{ID: 1, Step: 1}, data)
	ws, err := c.Flush(ctx)
	if err != nil {
		t.Fatal(err)
	}
	man := manifestOf(ws[0], k, m)
	for d := 0; d < 3; d++ {
		dead := map[string]bool{fmt.Sprintf("node%d", d): true}
		if _, got, _, err := Restore(ctx, 0, lostResolver(c, dead), man); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("lost domain %d: %v", d, err)
		}
		dead[fmt.Sprintf("node%d", (d+1)%3)] = true
		if _, _, _, err := Restore(ctx, 0, lostResolver(c, dead), man); err == nil {
			t.Fatal("two of three domains lost, yet restored")
		}
	}
}

// gateStore blocks Puts until released, to hold a checkpoint in flight.
type gateStore struct {
	*MemStore
	gate chan struct{}
}

func (g *gateStore) Put(ctx context.Context, name string, b []byte) error {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.MemStore.Put(ctx, name, b)
}

func TestBusyPolicies(t *testing.T) {
	const k, m = 2, 1
	for _, pol := range []BusyPolicy{BusySkip, BusyWait} {
		gate := make(chan struct{})
		ds := make([]Domain, k+m)
		for i := range ds {
			ds[i] = Domain{Name: fmt.Sprint(i), Store: &gateStore{NewMemStore(), gate}}
		}
		reg := prometheus.NewRegistry()
		met, _ := NewMetrics(reg)
		c, err := New(0, Config{K: k, M: m, Capacity: 1000, Busy: pol, Metrics: met, Logger: quiet,
			Levels: []LevelConfig{{Level: LevelMemory, Every: 1, Domains: ds, Keep: 3}}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		first := testData(1000, 1)
		if ok, err := c.Take(ctx, Meta{ID: 1, Step: 1}, first); !ok || err != nil {
			t.Fatal(ok, err)
		}
		second := testData(1000, 2)
		if pol == BusySkip {
			ok, err := c.Take(ctx, Meta{ID: 2, Step: 2}, second)
			if ok || !errors.Is(err, ErrBusy) {
				t.Fatalf("skip: %v %v", ok, err)
			}
			if metricValue(t, reg, "apollo_checkpoint_busy_total", "action", "skipped") != 1 {
				t.Fatal("skip not counted")
			}
			close(gate)
		} else {
			done := make(chan error)
			go func() {
				_, err := c.Take(ctx, Meta{ID: 2, Step: 2}, second)
				done <- err
			}()
			select {
			case <-done:
				t.Fatal("wait policy did not wait")
			case <-time.After(50 * time.Millisecond):
			}
			close(gate)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		ws, err := c.Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want, id := first, uint64(1)
		if pol == BusyWait {
			want, id = second, 2
		}
		if ws[0].ID != id {
			t.Fatalf("policy %v: last written id %d want %d", pol, ws[0].ID, id)
		}
		if _, got, _, err := c.Restore(ctx, manifestOf(ws[0], k, m)); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("policy %v: restore: %v", pol, err)
		}
		c.Close()
	}
}

func TestRetention(t *testing.T) {
	const k, m = 2, 1
	ds := memDomains(k + m)
	c, err := New(0, Config{K: k, M: m, Capacity: 100, Logger: quiet,
		Levels: []LevelConfig{{Level: LevelMemory, Every: 1, Domains: ds, Keep: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	take := func(id uint64) {
		if _, err := c.Take(ctx, Meta{ID: id, Step: int64(id)}, testData(100, id)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	objects := func() int {
		n := 0
		for _, d := range ds {
			l, _ := d.Store.List(ctx, "ckpt-")
			n += len(l)
		}
		return n
	}
	for id := uint64(1); id <= 3; id++ {
		take(id)
	}
	// Nothing committed yet: nothing deleted.
	if got := c.Kept(LevelMemory); len(got) != 3 || objects() != 9 {
		t.Fatalf("before commit: %v, %d objects", got, objects())
	}
	if err := c.Commit(ctx, LevelMemory, 2); err != nil {
		t.Fatal(err)
	}
	// 1 is older than the newest committed and uncommitted: dropped; 3 is newer: kept.
	if got := c.Kept(LevelMemory); fmt.Sprint(got) != "[2 3]" {
		t.Fatalf("after commit 2: %v", got)
	}
	take(4)
	take(5)
	c.Commit(ctx, LevelMemory, 4)
	if got := c.Kept(LevelMemory); fmt.Sprint(got) != "[2 4 5]" {
		t.Fatalf("after commit 4: %v", got)
	}
	c.Commit(ctx, LevelMemory, 5)
	if got := c.Kept(LevelMemory); fmt.Sprint(got) != "[4 5]" || objects() != 6 {
		t.Fatalf("after commit 5: %v %d objects", got, objects())
	}
	if err := c.Commit(ctx, LevelMemory, 1); err == nil {
		t.Fatal("commit of a deleted checkpoint accepted")
	}
	// Reusing the id of a held (here: the newest committed) checkpoint would
	// overwrite its shards: refused, and it still restores.
	if ok, err := c.Take(ctx, Meta{ID: 5, Step: 5}, testData(100, 99)); ok || err == nil {
		t.Fatal("id reuse accepted")
	}
}

func TestSweepAfterRestart(t *testing.T) {
	const k, m = 2, 1
	ds := memDomains(k + m)
	cfg := Config{K: k, M: m, Capacity: 100, Logger: quiet,
		Levels: []LevelConfig{{Level: LevelMemory, Every: 1, Domains: ds, Keep: 1}}}
	ctx := context.Background()
	c, _ := New(0, cfg)
	other, _ := New(1, cfg) // another rank sharing the domains
	for id := uint64(1); id <= 3; id++ {
		for _, x := range []*Checkpointer{c, other} {
			x.Take(ctx, Meta{ID: id, Step: int64(id)}, testData(100, id))
			if _, err := x.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.Close()
	other.Close()
	// Restart: 2 was committed, 1 and 3 were not.
	c2, _ := New(0, cfg)
	defer c2.Close()
	n, err := c2.Sweep(ctx, LevelMemory, func(id uint64) bool { return id == 2 })
	if err != nil || n != 2*(k+m) {
		t.Fatalf("sweep deleted %d, %v", n, err)
	}
	if got := c2.Kept(LevelMemory); fmt.Sprint(got) != "[2]" {
		t.Fatalf("adopted %v", got)
	}
	// Rank 1's shards are untouched.
	l, _ := ds[0].Store.List(ctx, "ckpt-")
	if len(l) != 1+3 {
		t.Fatalf("objects left in domain 0: %v", l)
	}
	// Retention after a newer commit deletes the adopted one.
	c2.Take(ctx, Meta{ID: 4, Step: 4}, testData(100, 4))
	c2.Flush(ctx)
	if err := c2.Commit(ctx, LevelMemory, 4); err != nil {
		t.Fatal(err)
	}
	if got := c2.Kept(LevelMemory); fmt.Sprint(got) != "[4]" {
		t.Fatalf("after commit 4: %v", got)
	}
	for i := 0; i < k+m; i++ {
		if _, err := ds[(i)%(k+m)].Store.Get(ctx, ShardName(2, 0, i)); !errors.Is(err, ErrNotFound) {
			t.Fatalf("adopted shard %d not deleted: %v", i, err)
		}
	}
}

func TestRestoreSkipsDamagedFiles(t *testing.T) {
	const k, m = 4, 2
	ds := dirDomains(t, k+m)
	c, err := New(0, Config{K: k, M: m, Capacity: 1 << 20, Logger: quiet,
		Levels: []LevelConfig{{Level: LevelDir, Every: 1, Domains: ds, Keep: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	data := testData(1<<20, 8)
	c.Take(ctx, Meta{ID: 1, Step: 1}, data)
	ws, err := c.Flush(ctx)
	if err != nil {
		t.Fatal(err)
	}
	man := manifestOf(ws[0], k, m)
	path := func(i int) string {
		s := man.Ranks[0].Shards[i]
		return filepath.Join(c.level(LevelDir).store(s.Domain).(*DirStore).Dir(), s.Name)
	}
	// Flip a bit in data shard 1, truncate data shard 2: both skipped.
	b, _ := os.ReadFile(path(1))
	b[len(b)/2] ^= 4
	os.WriteFile(path(1), b, 0o644)
	os.Truncate(path(2), 1000)
	if _, got, _, err := c.Restore(ctx, man); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("restore with two damaged shards: %v", err)
	}
	// A third (parity 4) deleted: refused, naming each shard's fate.
	os.Remove(path(4))
	_, _, _, err = c.Restore(ctx, man)
	if !errors.Is(err, ErrNotEnoughShards) || !strings.Contains(err.Error(), "missing [4]") ||
		!strings.Contains(err.Error(), "[1: payload checksum mismatch") || !strings.Contains(err.Error(), "[2: shard payload is") {
		t.Fatalf("want an error naming shards 1, 2 and 4, got %v", err)
	}
	t.Log(err)
}

// recordingCheckpointer is a Checkpointer with a memory level every
// `every` steps over k+m memory stores (BusyWait); written returns what
// OnWritten has reported so far.
func recordingCheckpointer(t *testing.T, k, m int, every int64) (c *Checkpointer, written func() []Written) {
	t.Helper()
	var mu sync.Mutex
	var ws []Written
	c, err := New(0, Config{K: k, M: m, Capacity: 1 << 20, Logger: quiet, Busy: BusyWait,
		Levels: []LevelConfig{{Level: LevelMemory, Every: every, Domains: memDomains(k + m), Keep: 10}},
		OnWritten: func(w Written) {
			mu.Lock()
			ws = append(ws, w)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	return c, func() []Written {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(ws)
	}
}

// TestTakeOwnedDoubleBuffer: TakeOwned reads the caller's buffer in the
// background; a caller alternating two buffers fills one while the other
// is being written (the race detector sees any read of the buffer being
// filled), and every checkpoint restores exactly the bytes handed over.
func TestTakeOwnedDoubleBuffer(t *testing.T) {
	const k, m = 2, 1
	c, written := recordingCheckpointer(t, k, m, 1)
	defer c.Close()
	ctx := context.Background()
	var bufs [2][]byte
	want := map[uint64][]byte{}
	for step := int64(1); step <= 6; step++ {
		b := testData(200_000+int(step)*1001, uint64(step)) // sizes vary: shards shrink and grow
		bufs[step%2] = append(bufs[step%2][:0], b...)
		want[uint64(step)] = b
		taken, err := c.TakeOwned(ctx, Meta{ID: uint64(step), Step: step}, bufs[step%2])
		if err != nil || !taken {
			t.Fatalf("step %d: %v %v", step, taken, err)
		}
	}
	if _, err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TakeOwned(ctx, Meta{ID: 7, Step: 7}, make([]byte, 2<<20)); err == nil {
		t.Fatal("state over capacity accepted")
	}
	ws := written()
	if len(ws) != 6 {
		t.Fatalf("%d checkpoints written, want 6", len(ws))
	}
	for _, w := range ws {
		if w.Err != nil {
			t.Fatal(w.Err)
		}
		_, got, _, err := c.Restore(ctx, manifestOf(w, k, m))
		if err != nil || !bytes.Equal(got, want[w.ID]) {
			t.Fatalf("checkpoint %d: restored %d bytes, want %d: %v", w.ID, len(got), len(want[w.ID]), err)
		}
	}
}

// frozenState stands for a solver's frozen memory: fill reads it from the
// background writer, and the "solver" writes it again only once released.
// The release is a channel close, so the race detector checks that no
// write overlaps a read.
type frozenState struct {
	data     []byte
	released chan struct{}
	fills    int
	releases int
	mu       sync.Mutex
}

func newFrozen(data []byte) *frozenState {
	return &frozenState{data: data, released: make(chan struct{})}
}

func (f *frozenState) fill(dst []byte) ([]byte, error) {
	f.mu.Lock()
	f.fills++
	f.mu.Unlock()
	return append(dst, f.data...), nil
}

func (f *frozenState) release() {
	f.mu.Lock()
	f.releases++
	f.mu.Unlock()
	close(f.released) // a second release panics: exactly once
}

func (f *frozenState) counts() (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fills, f.releases
}

func TestTakeFuncRoundTripAndRelease(t *testing.T) {
	const k, m = 2, 1
	c, written := recordingCheckpointer(t, k, m, 2)
	defer c.Close()
	ctx := context.Background()
	want := map[uint64][]byte{}
	for step := int64(1); step <= 8; step++ {
		b := testData(100_000+int(step)*1001, uint64(step)) // sizes vary
		f := newFrozen(b)
		taken, err := c.TakeFunc(ctx, Meta{ID: uint64(step), Step: step}, f.fill, f.release)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if taken != (step%2 == 0) {
			t.Fatalf("step %d: taken %v", step, taken)
		}
		if !taken {
			// Not due: released at once, never read.
			select {
			case <-f.released:
			default:
				t.Fatalf("step %d: not due but not released", step)
			}
			if fills, _ := f.counts(); fills != 0 {
				t.Fatalf("step %d: not due but filled", step)
			}
			continue
		}
		want[uint64(step)] = append([]byte(nil), b...)
		// The solver writes its memory again only after the release.
		<-f.released
		for i := range b {
			b[i] ^= 0xff
		}
		if fills, rel := f.counts(); fills != 1 || rel != 1 {
			t.Fatalf("step %d: %d fills, %d releases", step, fills, rel)
		}
	}
	if _, err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	ws := written()
	if len(ws) != 4 {
		t.Fatalf("%d checkpoints written, want 4", len(ws))
	}
	for _, w := range ws {
		if w.Err != nil {
			t.Fatal(w.Err)
		}
		if w.Entry.Size != int64(len(want[w.ID])) {
			t.Fatalf("checkpoint %d: entry size %d, want %d", w.ID, w.Entry.Size, len(want[w.ID]))
		}
		_, got, _, err := c.Restore(ctx, manifestOf(w, k, m))
		if err != nil || !bytes.Equal(got, want[w.ID]) {
			t.Fatalf("checkpoint %d: restored %d bytes, want %d: %v", w.ID, len(got), len(want[w.ID]), err)
		}
	}
}

func TestTakeFuncReleasedOnEveryPath(t *testing.T) {
	const k, m = 2, 1
	ctx := context.Background()
	newCk := func(pol BusyPolicy, gate chan struct{}) *Checkpointer {
		ds := make([]Domain, k+m)
		for i := range ds {
			ds[i] = Domain{Name: fmt.Sprint(i), Store: &gateStore{NewMemStore(), gate}}
		}
		c, err := New(0, Config{K: k, M: m, Capacity: 1000, Busy: pol, Logger: quiet,
			Levels: []LevelConfig{{Level: LevelMemory, Every: 1, Domains: ds, Keep: 3}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	mustReleased := func(what string, f *frozenState) {
		t.Helper()
		select {
		case <-f.released:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: not released", what)
		}
	}

	// Skipped while the previous one is in flight: released before TakeFunc returns.
	gate := make(chan struct{})
	c := newCk(BusySkip, gate)
	first := newFrozen(testData(1000, 1))
	if ok, err := c.TakeFunc(ctx, Meta{ID: 1, Step: 1}, first.fill, first.release); !ok || err != nil {
		t.Fatal(ok, err)
	}
	second := newFrozen(testData(1000, 2))
	if ok, err := c.TakeFunc(ctx, Meta{ID: 2, Step: 2}, second.fill, second.release); ok || !errors.Is(err, ErrBusy) {
		t.Fatalf("skip: %v %v", ok, err)
	}
	select {
	case <-second.released:
	default:
		t.Fatal("skipped checkpoint not released at once")
	}
	if fills, _ := second.counts(); fills != 0 {
		t.Fatal("skipped checkpoint was filled")
	}
	// The first is released once serialized, before its shards are stored.
	mustReleased("in flight", first)
	close(gate)
	if _, err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// A fill that fails: released, the error reaches Flush, nothing is stored.
	bad := &frozenState{released: make(chan struct{})}
	failing := func([]byte) ([]byte, error) { return nil, errors.New("frozen state unreadable") }
	if ok, err := c.TakeFunc(ctx, Meta{ID: 3, Step: 3}, failing, bad.release); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, err := c.Flush(ctx); err == nil || !strings.Contains(err.Error(), "unreadable") {
		t.Fatalf("fill error not reported: %v", err)
	}
	mustReleased("failed fill", bad)
	// Over capacity: released, an error.
	big := newFrozen(testData(5000, 4))
	if ok, err := c.TakeFunc(ctx, Meta{ID: 4, Step: 4}, big.fill, big.release); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, err := c.Flush(ctx); err == nil {
		t.Fatal("state over capacity accepted")
	}
	mustReleased("over capacity", big)
	// A reused id is refused before anything is read.
	dup := newFrozen(testData(1000, 5))
	if ok, err := c.TakeFunc(ctx, Meta{ID: 1, Step: 5}, dup.fill, dup.release); ok || err == nil {
		t.Fatal("reused id accepted")
	}
	mustReleased("reused id", dup)
	c.Close()

	// Waiting for the previous one when the context ends (a cancelled run).
	gate = make(chan struct{})
	c = newCk(BusyWait, gate)
	first = newFrozen(testData(1000, 6))
	if ok, err := c.TakeFunc(ctx, Meta{ID: 1, Step: 1}, first.fill, first.release); !ok || err != nil {
		t.Fatal(ok, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	waiting := newFrozen(testData(1000, 7))
	done := make(chan error)
	go func() {
		_, err := c.TakeFunc(cctx, Meta{ID: 2, Step: 2}, waiting.fill, waiting.release)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("BusyWait did not wait: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	mustReleased("cancelled wait", waiting)
	close(gate)
	if _, err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// No fill function: an error, and the release still happens.
	nofill := newFrozen(nil)
	if _, err := c.TakeFunc(ctx, Meta{ID: 9, Step: 9}, nil, nofill.release); err == nil {
		t.Fatal("nil fill accepted")
	}
	mustReleased("nil fill", nofill)
	c.Close()
}
