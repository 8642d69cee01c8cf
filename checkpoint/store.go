package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// Store holds named objects (shards, manifests). Put is atomic: after a
// crash at any instant an object is absent or complete, never torn.
// Implementations are safe for concurrent use.
type Store interface {
	Put(ctx context.Context, name string, b []byte) error
	// Get returns ErrNotFound (wrapped) for a missing object.
	Get(ctx context.Context, name string) ([]byte, error)
	// Delete of a missing object is not an error.
	Delete(ctx context.Context, name string) error
	// List returns the names starting with prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
}

// ErrNotFound is wrapped by Get for a missing object.
var ErrNotFound = errors.New("checkpoint: object not found")

// MaxObject bounds one stored object: a shard of a MaxSnapshot snapshot
// (k may be 1) plus its header.
const MaxObject = MaxSnapshot + 1<<20

// checkName keeps names to one flat, portable path component.
func checkName(name string) error {
	if name == "" || len(name) > 255 || name[0] == '.' || strings.ContainsAny(name, "/\\\x00") {
		return fmt.Errorf("checkpoint: invalid object name %q", name)
	}
	return nil
}

// MemStore keeps objects in this process's memory: the diskless level. The
// node process serves it to peers.
//
// It recycles the buffers of the objects it deletes (retention deleting an
// old checkpoint) for the next ones it receives (Put, Alloc): fresh memory
// costs a page fault and a kernel zeroing per page, which on a node also
// evicts the solver's working set from the cache, at every checkpoint. A
// buffer handed out by Get is never recycled, since its reader may still
// hold it.
type MemStore struct {
	mu        sync.RWMutex
	objs      map[string]*memObj
	free      [][]byte // buffers of deleted objects, never lent, for reuse
	freeBytes int64
	size      atomic.Int64
}

type memObj struct {
	b    []byte
	lent atomic.Bool // returned by Get: never recycled
}

// maxFreeBufs bounds the recycling pool by count; its bytes are bounded by
// what the store held before, since only deleted objects enter it.
const maxFreeBufs = 256

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{objs: map[string]*memObj{}} }

// Alloc returns a buffer of n bytes with unspecified contents, recycled
// from a deleted object when one fits (capacity n to 2n), else fresh. The
// caller fills it and hands it over with Adopt.
func (s *MemStore) Alloc(n int) []byte {
	s.mu.Lock()
	best := -1
	for i, b := range s.free {
		if c := cap(b); c >= n && c <= 2*n+4096 && (best < 0 || c < cap(s.free[best])) {
			best = i
		}
	}
	if best >= 0 {
		b := s.free[best]
		last := len(s.free) - 1
		s.free[best] = s.free[last]
		s.free[last] = nil
		s.free = s.free[:last]
		s.freeBytes -= int64(cap(b))
		s.mu.Unlock()
		return b[:n]
	}
	s.mu.Unlock()
	return make([]byte, n)
}

// recycle puts the buffer of a removed object into the pool unless it was
// lent out. Called with s.mu held.
func (s *MemStore) recycle(o *memObj) {
	if o == nil || o.lent.Load() || cap(o.b) == 0 {
		return
	}
	if len(s.free) >= maxFreeBufs {
		s.freeBytes -= int64(cap(s.free[0]))
		s.free = append(s.free[:0], s.free[1:]...)
	}
	s.free = append(s.free, o.b)
	s.freeBytes += int64(cap(o.b))
}

// Put stores a copy of b (callers reuse their buffers).
func (s *MemStore) Put(ctx context.Context, name string, b []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c := s.Alloc(len(b))
	copy(c, b)
	s.store(name, c)
	return nil
}

// Adopt stores b itself, without the copy Put makes: the caller hands b
// over and must not use it afterwards. The shard server uses it for request
// bodies it has just read into a buffer from Alloc, saving a copy of every
// shard.
func (s *MemStore) Adopt(ctx context.Context, name string, b []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.store(name, b)
	return nil
}

func (s *MemStore) store(name string, b []byte) {
	s.mu.Lock()
	old := s.objs[name]
	if old != nil {
		s.size.Add(-int64(len(old.b)))
		s.recycle(old)
	}
	s.size.Add(int64(len(b)))
	s.objs[name] = &memObj{b: b}
	s.mu.Unlock()
}

// Get returns the stored object; the caller must not modify it. The
// object's buffer is then never recycled.
func (s *MemStore) Get(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	o, ok := s.objs[name]
	if ok {
		o.lent.Store(true)
	}
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("memstore get %q: %w", name, ErrNotFound)
	}
	return o.b, nil
}

// Delete removes an object; its buffer is kept for reuse unless lent.
func (s *MemStore) Delete(ctx context.Context, name string) error {
	s.mu.Lock()
	if o, ok := s.objs[name]; ok {
		s.size.Add(-int64(len(o.b)))
		delete(s.objs, name)
		s.recycle(o)
	}
	s.mu.Unlock()
	return nil
}

// List returns the sorted names with the prefix.
func (s *MemStore) List(ctx context.Context, prefix string) ([]string, error) {
	s.mu.RLock()
	var out []string
	for n := range s.objs {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	s.mu.RUnlock()
	sort.Strings(out)
	return out, nil
}

// FreeBytes returns the bytes held for reuse (buffers of deleted objects).
func (s *MemStore) FreeBytes() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.freeBytes
}

// Bytes returns the total size of the stored objects.
func (s *MemStore) Bytes() int64 { return s.size.Load() }

// DirStore keeps objects as files in one directory (local disk or an NFS
// mount). Put writes a temporary file, fsyncs it, renames it into place
// and fsyncs the directory, so a crash leaves either the old state or the
// complete new file; leftover temporary files are ignored and removed by
// CleanTemp.
type DirStore struct {
	dir string
	seq atomic.Uint64
}

const tmpPrefix = ".tmp-"

// NewDirStore opens (creating if needed) a directory store.
func NewDirStore(dir string) (*DirStore, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("checkpoint: dirstore %s: %w", dir, err)
	}
	return &DirStore{dir: dir}, nil
}

// Dir returns the directory.
func (s *DirStore) Dir() string { return s.dir }

// Put writes name atomically and durably.
func (s *DirStore) Put(ctx context.Context, name string, b []byte) (err error) {
	if err := checkName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tmp := filepath.Join(s.dir, tmpPrefix+name+"."+strconv.Itoa(os.Getpid())+"."+strconv.FormatUint(s.seq.Add(1), 10))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("checkpoint: dirstore put %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp) // the failed write must not fill the disk
		}
	}()
	if _, err = f.Write(b); err != nil {
		return fmt.Errorf("checkpoint: dirstore put %s: write: %w", name, err)
	}
	if err = ctx.Err(); err != nil { // a slow directory: give up before fsync
		return fmt.Errorf("checkpoint: dirstore put %s: %w", name, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("checkpoint: dirstore put %s: fsync: %w", name, err)
	}
	if err = ctx.Err(); err != nil { // ... and before the shard becomes visible
		return fmt.Errorf("checkpoint: dirstore put %s: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("checkpoint: dirstore put %s: close: %w", name, err)
	}
	if err = os.Rename(tmp, filepath.Join(s.dir, name)); err != nil {
		return fmt.Errorf("checkpoint: dirstore put %s: rename: %w", name, err)
	}
	if err = s.syncDir(); err != nil {
		return fmt.Errorf("checkpoint: dirstore put %s: %w", name, err)
	}
	return nil
}

func (s *DirStore) syncDir() error {
	d, err := os.Open(s.dir)
	if err != nil {
		return fmt.Errorf("open dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync dir: %w", err)
	}
	return nil
}

// Get reads an object, refusing one larger than MaxObject.
func (s *DirStore) Get(ctx context.Context, name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(s.dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("checkpoint: dirstore get %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: dirstore get %s: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: dirstore get %s: %w", name, err)
	}
	if st.Size() > MaxObject {
		return nil, fmt.Errorf("checkpoint: dirstore get %s: %d bytes exceeds %d", name, st.Size(), int64(MaxObject))
	}
	b := make([]byte, st.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("checkpoint: dirstore get %s: %w", name, err)
	}
	return b, nil
}

// Delete removes an object and makes the removal durable.
func (s *DirStore) Delete(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	err := os.Remove(filepath.Join(s.dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checkpoint: dirstore delete %s: %w", name, err)
	}
	if err := s.syncDir(); err != nil {
		return fmt.Errorf("checkpoint: dirstore delete %s: %w", name, err)
	}
	return nil
}

// List returns the sorted names with the prefix, skipping temporary files.
func (s *DirStore) List(ctx context.Context, prefix string) ([]string, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: dirstore list: %w", err)
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, ".") && strings.HasPrefix(n, prefix) && e.Type().IsRegular() {
			out = append(out, n)
		}
	}
	return out, nil // ReadDir sorts by name
}

// CleanTemp removes temporary files left by writers that died mid-Put.
// Call it only when no other process writes to the directory.
func (s *DirStore) CleanTemp() error {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("checkpoint: dirstore clean: %w", err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			if err := os.Remove(filepath.Join(s.dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("checkpoint: dirstore clean: %w", err)
			}
		}
	}
	return nil
}

// errorKind classifies a storage error for metrics and messages.
func errorKind(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "no_space"
	case errors.Is(err, syscall.EROFS):
		return "read_only"
	case errors.Is(err, fs.ErrPermission):
		return "permission"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timeout"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	}
	return "other"
}
