package checkpoint

import (
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
