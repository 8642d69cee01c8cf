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
type MemStore struct {
	mu   sync.RWMutex
	objs map[string][]byte
	size atomic.Int64
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{objs: map[string][]byte{}} }

// Put stores a copy of b (callers reuse their buffers).
func (s *MemStore) Put(ctx context.Context, name string, b []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c := append([]byte(nil), b...)
	s.mu.Lock()
	s.size.Add(int64(len(c) - len(s.objs[name])))
	s.objs[name] = c
	s.mu.Unlock()
	return nil
}

// Adopt stores b itself, without the copy Put makes: the caller hands b
// over and must not use it afterwards. The shard server uses it for request
// bodies it has just read into a fresh buffer, saving a copy of every shard.
func (s *MemStore) Adopt(ctx context.Context, name string, b []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.size.Add(int64(len(b) - len(s.objs[name])))
	s.objs[name] = b
	s.mu.Unlock()
	return nil
}

// Get returns the stored object; the caller must not modify it.
func (s *MemStore) Get(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	b, ok := s.objs[name]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("memstore get %q: %w", name, ErrNotFound)
	}
	return b, nil
}

// Delete removes an object.
func (s *MemStore) Delete(ctx context.Context, name string) error {
	s.mu.Lock()
	s.size.Add(-int64(len(s.objs[name])))
	delete(s.objs, name)
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
