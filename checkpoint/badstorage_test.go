package checkpoint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fakeFS is a quota-like fake filesystem behind Store, for machines where a
// tmpfs cannot be mounted: writes past the quota fail with ENOSPC, and a
// read-only switch makes them fail with EROFS.
type fakeFS struct {
	mu       sync.Mutex
	used     int64
	quota    int64
	readOnly bool
}

type fakeStore struct {
	fs  *fakeFS
	mem *MemStore
}

func (s *fakeStore) Put(ctx context.Context, name string, b []byte) error {
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	if s.fs.readOnly {
		return &fs.PathError{Op: "open", Path: name, Err: syscall.EROFS}
	}
	old, _ := s.mem.Get(ctx, name)
	if s.fs.used-int64(len(old))+int64(len(b)) > s.fs.quota {
		return &fs.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}
	}
	s.fs.used += int64(len(b)) - int64(len(old))
	return s.mem.Put(ctx, name, b)
}

func (s *fakeStore) Get(ctx context.Context, name string) ([]byte, error) {
	return s.mem.Get(ctx, name)
}

func (s *fakeStore) Delete(ctx context.Context, name string) error {
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	if s.fs.readOnly {
		return &fs.PathError{Op: "remove", Path: name, Err: syscall.EROFS}
	}
	old, _ := s.mem.Get(ctx, name)
	s.fs.used -= int64(len(old))
	return s.mem.Delete(ctx, name)
}

func (s *fakeStore) List(ctx context.Context, prefix string) ([]string, error) {
	return s.mem.List(ctx, prefix)
}

// badStorage runs the scenario: a committed checkpoint, then a write into
// a full store, then into a read-only one. Every failure must be a clear
// error and a metric, and the committed checkpoint must stay restorable.
func badStorage(t *testing.T, ds []Domain, fill, readOnly func()) {
	const k, m = 2, 1
	reg := prometheus.NewRegistry()
	met, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(0, Config{K: k, M: m, Capacity: 1 << 20, Metrics: met, Logger: quiet,
		Levels: []LevelConfig{{Level: LevelDir, Every: 1, Domains: ds, Keep: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	take := func(id uint64, n int) (*Manifest, error) {
		if _, err := c.Take(ctx, Meta{ID: id, Step: int64(id)}, testData(n, id)); err != nil {
			t.Fatal(err)
		}
		ws, err := c.Flush(ctx)
		if err != nil {
			return nil, err
		}
		return manifestOf(ws[0], k, m), nil
	}
	mustRestore := func(man *Manifest, id uint64, n int) {
		t.Helper()
		if _, got, _, err := c.Restore(ctx, man); err != nil || !bytes.Equal(got, testData(n, id)) {
			t.Fatalf("committed checkpoint %d not restorable: %v", id, err)
		}
	}
	noLeftovers := func(id uint64) {
		t.Helper()
		for _, d := range ds {
			l, _ := d.Store.List(ctx, fmt.Sprintf("ckpt-%016x", id))
			if len(l) != 0 {
				t.Fatalf("failed checkpoint %d left %v", id, l)
			}
			if s, ok := d.Store.(*DirStore); ok {
				ents, _ := os.ReadDir(s.Dir())
				for _, e := range ents {
					if strings.HasPrefix(e.Name(), tmpPrefix) {
						t.Fatalf("temporary file %s left", e.Name())
					}
				}
			}
		}
	}

	man1, err := take(1, 4000)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(ctx, LevelDir, 1); err != nil {
		t.Fatal(err)
	}

	fill()
	_, err = take(2, 1<<20)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("full store: want ENOSPC, got %v", err)
	}
	t.Logf("full: %v", err)
	if metricValue(t, reg, "apollo_checkpoint_store_errors_total", "kind", "no_space") == 0 ||
		metricValue(t, reg, "apollo_checkpoint_writes_total", "result", "error") != 1 {
		t.Fatal("full store not counted")
	}
	noLeftovers(2)
	mustRestore(man1, 1, 4000)

	// The space of the failed write was returned: a small one fits.
	man3, err := take(3, 4000)
	if err != nil {
		t.Fatalf("write after failed one: %v", err)
	}
	if err := c.Commit(ctx, LevelDir, 3); err != nil {
		t.Fatal(err)
	}

	readOnly()
	_, err = take(4, 4000)
	if !errors.Is(err, syscall.EROFS) {
		t.Fatalf("read-only store: want EROFS, got %v", err)
	}
	t.Logf("read-only: %v", err)
	if metricValue(t, reg, "apollo_checkpoint_store_errors_total", "op", "put", "kind", "read_only") == 0 {
		t.Fatal("read-only store not counted")
	}
	mustRestore(man3, 3, 4000)
}

func TestBadStorageFake(t *testing.T) {
	f := &fakeFS{quota: 1 << 30}
	ds := make([]Domain, 3)
	for i := range ds {
		ds[i] = Domain{Name: fmt.Sprint(i), Store: &fakeStore{f, NewMemStore()}}
	}
	badStorage(t, ds,
		func() { f.mu.Lock(); f.quota = 64 << 10; f.mu.Unlock() },
		func() { f.mu.Lock(); f.readOnly = true; f.mu.Unlock() })
}

// TestPermissionDenied: as non-root, a directory without write permission.
func TestPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores permissions; read-only is covered by TestBadStorageTmpfs")
	}
	dir := t.TempDir()
	s, err := NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), "a", []byte("x")); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	err = s.Put(context.Background(), "b", []byte("y"))
	if !errors.Is(err, fs.ErrPermission) || errorKind(err) != "permission" {
		t.Fatalf("want permission error, got %v", err)
	}
	if b, err := s.Get(context.Background(), "a"); err != nil || string(b) != "x" {
		t.Fatal("existing object lost")
	}
}

// slowStore delays every Put (a stuck NFS server).
type slowStore struct {
	*MemStore
	delay time.Duration
}

func (s *slowStore) Put(ctx context.Context, name string, b []byte) error {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return fmt.Errorf("slow put %s: %w", name, ctx.Err())
	}
	return s.MemStore.Put(ctx, name, b)
}

func TestSlowStoreTimesOut(t *testing.T) {
	const k, m = 2, 1
	reg := prometheus.NewRegistry()
	met, _ := NewMetrics(reg)
	fast := memDomains(k + m)
	slow := make([]Domain, k+m)
	for i := range slow {
		slow[i] = Domain{Name: fmt.Sprint("nfs", i), Store: &slowStore{NewMemStore(), 0}}
	}
	c, err := New(0, Config{K: k, M: m, Capacity: 1000, Metrics: met, Logger: quiet, WriteTimeout: 100 * time.Millisecond,
		SlowWrite: 20 * time.Millisecond, Levels: []LevelConfig{
			{Level: LevelMemory, Every: 1, Domains: fast, Keep: 1}, {Level: LevelDir, Every: 1, Domains: slow, Keep: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	c.Take(ctx, Meta{ID: 1, Step: 1}, testData(1000, 1))
	if _, err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, d := range slow {
		d.Store.(*slowStore).delay = 50 * time.Millisecond // slow, within the timeout
	}
	c.Take(ctx, Meta{ID: 2, Step: 2}, testData(1000, 2))
	if _, err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if metricValue(t, reg, "apollo_checkpoint_slow_writes_total", "level", "dir") != 1 {
		t.Fatal("slow write not counted")
	}
	c.Commit(ctx, LevelDir, 2)
	for _, d := range slow {
		d.Store.(*slowStore).delay = time.Hour // stuck
	}
	t0 := time.Now()
	c.Take(ctx, Meta{ID: 3, Step: 3}, testData(1000, 3))
	ws, err := c.Flush(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(t0) > 5*time.Second {
		t.Fatalf("stuck store: want a timeout error, got %v after %v", err, time.Since(t0))
	}
	if ws[0].Err != nil || ws[1].Err == nil {
		t.Fatalf("memory level should succeed and dir fail: %v / %v", ws[0].Err, ws[1].Err)
	}
	if metricValue(t, reg, "apollo_checkpoint_store_errors_total", "level", "dir", "kind", "timeout") == 0 {
		t.Fatal("timeout not counted")
	}
}
