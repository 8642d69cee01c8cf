package checkpoint

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func testStore(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.Get(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get missing: %v", err)
	}
	for _, n := range []string{"b-1", "a-2", "a-1"} {
		if err := s.Put(ctx, n, []byte(n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(ctx, "a-1", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, err := s.Get(ctx, "a-1"); err != nil || string(b) != "new" {
		t.Fatalf("get: %q %v", b, err)
	}
	if l, err := s.List(ctx, "a-"); err != nil || !reflect.DeepEqual(l, []string{"a-1", "a-2"}) {
		t.Fatalf("list: %v %v", l, err)
	}
	if err := s.Delete(ctx, "a-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "a-1"); err != nil {
		t.Fatalf("delete missing: %v", err)
	}
	if l, _ := s.List(ctx, ""); !reflect.DeepEqual(l, []string{"a-2", "b-1"}) {
		t.Fatalf("list after delete: %v", l)
	}
	for _, n := range []string{"", "../x", "a/b", ".hidden"} {
		if err := s.Put(ctx, n, nil); err == nil {
			t.Fatalf("name %q accepted", n)
		}
	}
}

func TestMemStore(t *testing.T) {
	s := NewMemStore()
	testStore(t, s)
	buf := []byte("xyz")
	s.Put(context.Background(), "c", buf)
	buf[0] = 'Q' // callers reuse buffers: the store must have copied
	if b, _ := s.Get(context.Background(), "c"); string(b) != "xyz" {
		t.Fatal("MemStore did not copy")
	}
}

func TestMemStoreAdopt(t *testing.T) {
	s := NewMemStore()
	ctx := context.Background()
	buf := []byte("abcd")
	if err := s.Adopt(ctx, "a", buf); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.Get(ctx, "a"); &b[0] != &buf[0] {
		t.Fatal("Adopt copied the buffer")
	}
	if s.Bytes() != 4 {
		t.Fatalf("size %d after Adopt, want 4", s.Bytes())
	}
	if err := s.Adopt(ctx, "a", []byte("xy")); err != nil || s.Bytes() != 2 {
		t.Fatalf("replace: %v, size %d, want 2", err, s.Bytes())
	}
	if err := s.Adopt(ctx, "../x", nil); err == nil {
		t.Fatal("invalid name accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Adopt(cctx, "b", nil); err == nil {
		t.Fatal("cancelled context accepted")
	}
}

// TestMemStoreRecycle: the buffers of deleted or replaced objects are
// reused by Alloc and Put, never one that Get handed out, and recycling
// never changes a stored object.
func TestMemStoreRecycle(t *testing.T) {
	s := NewMemStore()
	ctx := context.Background()
	fill := func(b []byte, v byte) []byte {
		for i := range b {
			b[i] = v
		}
		return b
	}
	a := fill(s.Alloc(1000), 'a')
	if err := s.Adopt(ctx, "a", a); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "b", fill(make([]byte, 1000), 'b')); err != nil {
		t.Fatal(err)
	}
	s.Delete(ctx, "a")
	if s.FreeBytes() != 1000 {
		t.Fatalf("free %d after delete, want 1000", s.FreeBytes())
	}
	if got := s.Alloc(10_000); &got[0] == &a[0] {
		t.Fatal("a buffer of 1000 bytes recycled for 10000")
	}
	c := s.Alloc(900)
	if &c[0] != &a[0] || len(c) != 900 || s.FreeBytes() != 0 {
		t.Fatalf("deleted buffer not recycled (len %d, free %d)", len(c), s.FreeBytes())
	}
	s.Adopt(ctx, "c", fill(c, 'c'))
	// Put replacing "b" recycles b's old buffer for the next Put.
	bOld, _ := s.Get(ctx, "b") // lent: must never be reused
	s.Put(ctx, "b", fill(make([]byte, 1000), 'B'))
	if s.FreeBytes() != 0 {
		t.Fatal("a buffer handed out by Get was recycled")
	}
	s.Put(ctx, "d", fill(make([]byte, 1000), 'd'))
	s.Delete(ctx, "d")
	e := s.Alloc(1000)
	fill(e, 'e')
	for name, v := range map[string]byte{"b": 'B', "c": 'c'} {
		got, err := s.Get(ctx, name)
		if err != nil || !bytes.Equal(got, bytes.Repeat([]byte{v}, len(got))) {
			t.Fatalf("object %s changed by recycling: %v", name, err)
		}
	}
	if !bytes.Equal(bOld, bytes.Repeat([]byte{'b'}, 1000)) {
		t.Fatal("lent buffer overwritten")
	}
	if s.Bytes() != 1900 {
		t.Fatalf("size %d, want 1900", s.Bytes())
	}
}

func TestDirStore(t *testing.T) {
	dir := t.TempDir()
	s, err := NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, s)
	// A leftover temporary file (writer killed mid-Put) is invisible.
	os.WriteFile(filepath.Join(dir, tmpPrefix+"a-9.1.1"), []byte("torn"), 0o644)
	if l, _ := s.List(context.Background(), "a-"); !reflect.DeepEqual(l, []string{"a-2"}) {
		t.Fatalf("temp file listed: %v", l)
	}
	if err := s.CleanTemp(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Fatalf("CleanTemp left %d entries", len(ents))
	}
}
