package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/checkpoint"
)

// mapStore is a minimal checkpoint.Store for tests of the shard server.
type mapStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *mapStore) Put(_ context.Context, n string, b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[n] = bytes.Clone(b)
	return nil
}
func (s *mapStore) Get(_ context.Context, n string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[n]
	if !ok {
		return nil, fmt.Errorf("object %s: %w", n, checkpoint.ErrNotFound)
	}
	return b, nil
}
func (s *mapStore) Delete(_ context.Context, n string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, n)
	return nil
}
func (s *mapStore) List(_ context.Context, p string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.m {
		if strings.HasPrefix(n, p) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestShardServerRoundTrip(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	st := &mapStore{m: map[string][]byte{}}
	srv := httptest.NewServer(NewShardServer(st, key, quietLog()))
	defer srv.Close()
	c := newShardClient(strings.TrimPrefix(srv.URL, "http://"), key, srv.Client())
	ctx := context.Background()
	if err := c.Put(ctx, "c1-r0-s2", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(ctx, "c1-r1-s0", nil); err != nil {
		t.Fatal(err)
	}
	b, err := c.Get(ctx, "c1-r0-s2")
	if err != nil || string(b) != "hello" {
		t.Fatalf("%q %v", b, err)
	}
	names, err := c.List(ctx, "c1-")
	if err != nil || len(names) != 2 {
		t.Fatalf("%v %v", names, err)
	}
	if _, err := c.Get(ctx, "nope"); !errors.Is(err, checkpoint.ErrNotFound) {
		t.Fatalf("missing object: %v", err)
	}
	if err := c.Delete(ctx, "c1-r0-s2"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "c1-r0-s2"); !errors.Is(err, checkpoint.ErrNotFound) {
		t.Fatalf("deleted object: %v", err)
	}

	// Wrong key and no signature are refused; nothing is stored.
	bad := newShardClient(strings.TrimPrefix(srv.URL, "http://"), []byte("another key, 32 bytes long......"), srv.Client())
	if err := bad.Put(ctx, "evil", []byte("x")); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong key: %v", err)
	}
	resp, err := http.Get(srv.URL + shardAPIPrefix + "/c1-r1-s0")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned GET: %s", resp.Status)
	}
	if _, err := st.Get(ctx, "evil"); err == nil {
		t.Fatal("unauthenticated PUT stored an object")
	}
}

// A MemStore behind the server adopts request bodies (no copy); the stored
// shards must still be exactly what was sent, each in its own buffer.
func TestShardServerMemStore(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	st := checkpoint.NewMemStore()
	srv := httptest.NewServer(NewShardServer(st, key, quietLog()))
	defer srv.Close()
	c := newShardClient(strings.TrimPrefix(srv.URL, "http://"), key, srv.Client())
	ctx := context.Background()
	buf := []byte("first shard")
	if err := c.Put(ctx, "c1-r0-s0", buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, "other shard") // the client's buffer is reused
	if err := c.Put(ctx, "c1-r0-s1", buf); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"c1-r0-s0": "first shard", "c1-r0-s1": "other shard"} {
		if b, err := c.Get(ctx, name); err != nil || string(b) != want {
			t.Fatalf("%s: %q %v, want %q", name, b, err, want)
		}
	}
	if st.Bytes() != 22 {
		t.Fatalf("store holds %d bytes, want 22", st.Bytes())
	}
}

func TestVerifyRequestWindow(t *testing.T) {
	key := []byte("k")
	now := time.Now()
	ts := now.Add(-3 * time.Minute).UnixNano()
	sig := signRequest(key, "GET", "/v1/shards/a", "", ts, 0)
	if err := verifyRequest(key, "GET", "/v1/shards/a", "", fmt.Sprint(ts), sig, 0, now); err == nil {
		t.Fatal("stale request accepted")
	}
	ts = now.UnixNano()
	sig = signRequest(key, "GET", "/v1/shards/a", "", ts, 0)
	if err := verifyRequest(key, "GET", "/v1/shards/b", "", fmt.Sprint(ts), sig, 0, now); err == nil {
		t.Fatal("signature for another path accepted")
	}
	if err := verifyRequest(key, "GET", "/v1/shards/a", "", fmt.Sprint(ts), sig, 0, now); err != nil {
		t.Fatal(err)
	}
}

func FuzzVerifyRequest(f *testing.F) {
	key := []byte("fuzz key")
	now := time.Unix(1700000000, 0)
	ts := fmt.Sprint(now.UnixNano())
	f.Add("GET", "/v1/shards/x", "", ts, signRequest(key, "GET", "/v1/shards/x", "", now.UnixNano(), 0), int64(0))
	f.Add("PUT", "/v1/shards/y", "a=b", "junk", "zz", int64(-1))
	f.Fuzz(func(t *testing.T, method, path, query, ts, sig string, length int64) {
		err := verifyRequest(key, method, path, query, ts, sig, length, now)
		if err == nil && sig != signRequest(key, method, path, query, mustInt(ts), length) {
			t.Fatal("accepted a wrong signature")
		}
		if err == nil && strconv.FormatInt(mustInt(ts), 10) != ts {
			t.Fatalf("accepted the timestamp %q, not in canonical decimal form", ts)
		}
	})
}

// mustInt is the decimal value of s (0 if it has none); verifyRequest
// accepts only canonical decimal timestamps.
func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
