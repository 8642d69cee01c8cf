package node

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/apollo-hpc/apollo/checkpoint"
)

// Shard API, version 1: GET/PUT/DELETE /v1/shards/<name>, GET /v1/shards?prefix=p
// (JSON list). Every request carries X-Apollo-Time (unix ns) and
// X-Apollo-Sig = hex HMAC-SHA256(key, "v1\n" method "\n" path "\n" query "\n" time "\n" length).
// Requests older or newer than sigWindow are refused. The shards themselves
// carry CRC32C and the manifest's digest, so the signature guards access,
// not integrity.
const (
	shardAPIPrefix = "/v1/shards"
	sigWindow      = 2 * time.Minute
	maxShardObject = 4 << 30 // a shard larger than this is refused on PUT and GET
	maxListBytes   = 16 << 20
)

func signRequest(key []byte, method, path, query string, t int64, length int64) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "v1\n%s\n%s\n%s\n%d\n%d", method, path, query, t, length)
	return hex.EncodeToString(m.Sum(nil))
}

// verifyRequest checks a request's signature and freshness.
func verifyRequest(key []byte, method, path, query, ts, sig string, length int64, now time.Time) error {
	// Only the canonical decimal form: one timestamp, one spelling (the
	// signature covers the number, so "017…" or "+17…" would be replays
	// under another name).
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || strconv.FormatInt(t, 10) != ts {
		return fmt.Errorf("bad X-Apollo-Time %q", ts)
	}
	if d := now.Sub(time.Unix(0, t)); d > sigWindow || d < -sigWindow {
		return fmt.Errorf("request time off by %v", d.Round(time.Second))
	}
	want := signRequest(key, method, path, query, t, length)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errors.New("bad signature")
	}
	return nil
}

// adopter is a store that can keep a buffer handed over to it without
// copying it, and lends recycled buffers to fill (checkpoint.MemStore).
type adopter interface {
	Alloc(n int) []byte
	Adopt(ctx context.Context, name string, b []byte) error
}

// ShardServer serves a store of shards to authenticated peers.
type ShardServer struct {
	store checkpoint.Store
	key   []byte
	log   *slog.Logger
}

// NewShardServer returns an http.Handler serving store.
func NewShardServer(store checkpoint.Store, key []byte, log *slog.Logger) *ShardServer {
	return &ShardServer{store: store, key: key, log: log}
}

func (s *ShardServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	length := r.ContentLength
	if length < 0 {
		length = 0
	}
	if err := verifyRequest(s.key, r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Apollo-Time"),
		r.Header.Get("X-Apollo-Sig"), length, time.Now()); err != nil {
		s.log.Warn("shard request refused", "remote", r.RemoteAddr, "path", r.URL.Path, "err", err)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if r.URL.Path == shardAPIPrefix && r.Method == http.MethodGet {
		names, err := s.store.List(r.Context(), r.URL.Query().Get("prefix"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(names)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, shardAPIPrefix+"/")
	if !ok || name == "" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodGet:
		b, err := s.store.Get(r.Context(), name)
		if err != nil {
			code := http.StatusInternalServerError
			if errors.Is(err, checkpoint.ErrNotFound) {
				code = http.StatusNotFound
			}
			http.Error(w, err.Error(), code)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	case http.MethodPut:
		if r.ContentLength < 0 || r.ContentLength > maxShardObject {
			http.Error(w, "bad or missing length", http.StatusRequestEntityTooLarge)
			return
		}
		// Into a buffer the memory store recycled from a deleted shard
		// when it has one: no fresh pages to fault in per checkpoint.
		a, adopt := s.store.(adopter)
		var b []byte
		if adopt {
			b = a.Alloc(int(r.ContentLength))
		} else {
			b = make([]byte, r.ContentLength)
		}
		if _, err := io.ReadFull(r.Body, b); err != nil {
			http.Error(w, "short body", http.StatusBadRequest)
			return
		}
		put := s.store.Put
		if adopt {
			put = a.Adopt // b is ours alone: store it without a copy
		}
		if err := put(r.Context(), name, b); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		if err := s.store.Delete(r.Context(), name); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// shardClient is a peer's shard store reached over HTTP; it is a
// checkpoint.Store, so checkpoint code uses a peer's memory like a local store.
type shardClient struct {
	base string // http://host:port
	key  []byte
	hc   *http.Client
}

var _ checkpoint.Store = (*shardClient)(nil)

func newShardClient(addr string, key []byte, hc *http.Client) *shardClient {
	return &shardClient{base: "http://" + addr, key: key, hc: hc}
}

func (c *shardClient) do(ctx context.Context, method, path string, query url.Values, body []byte) (*http.Response, error) {
	u := c.base + path
	q := query.Encode()
	if q != "" {
		u += "?" + q
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(body))
	if body == nil {
		req.Body = http.NoBody
	}
	t := time.Now().UnixNano()
	req.Header.Set("X-Apollo-Time", strconv.FormatInt(t, 10))
	req.Header.Set("X-Apollo-Sig", signRequest(c.key, method, path, q, t, int64(len(body))))
	return c.hc.Do(req)
}

func statusErr(resp *http.Response) error {
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(msg)))
}

func (c *shardClient) Put(ctx context.Context, name string, b []byte) error {
	resp, err := c.do(ctx, http.MethodPut, shardAPIPrefix+"/"+url.PathEscape(name), nil, b)
	if err != nil {
		return fmt.Errorf("put shard %s on %s: %w", name, c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("put shard %s on %s: %w", name, c.base, statusErr(resp))
	}
	return nil
}

func (c *shardClient) Get(ctx context.Context, name string) ([]byte, error) {
	resp, err := c.do(ctx, http.MethodGet, shardAPIPrefix+"/"+url.PathEscape(name), nil, nil)
	if err != nil {
		return nil, fmt.Errorf("get shard %s from %s: %w", name, c.base, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("get shard %s from %s: %w", name, c.base, checkpoint.ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("get shard %s from %s: %w", name, c.base, statusErr(resp))
	case resp.ContentLength < 0 || resp.ContentLength > maxShardObject:
		return nil, fmt.Errorf("get shard %s from %s: bad length %d", name, c.base, resp.ContentLength)
	}
	b := make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, b); err != nil {
		return nil, fmt.Errorf("get shard %s from %s: %w", name, c.base, err)
	}
	return b, nil
}

func (c *shardClient) Delete(ctx context.Context, name string) error {
	resp, err := c.do(ctx, http.MethodDelete, shardAPIPrefix+"/"+url.PathEscape(name), nil, nil)
	if err != nil {
		return fmt.Errorf("delete shard %s on %s: %w", name, c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("delete shard %s on %s: %w", name, c.base, statusErr(resp))
	}
	return nil
}

func (c *shardClient) List(ctx context.Context, prefix string) ([]string, error) {
	resp, err := c.do(ctx, http.MethodGet, shardAPIPrefix, url.Values{"prefix": {prefix}}, nil)
	if err != nil {
		return nil, fmt.Errorf("list shards on %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("list shards on %s: %w", c.base, statusErr(resp))
	}
	var names []string
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxListBytes)).Decode(&names); err != nil {
		return nil, fmt.Errorf("list shards on %s: %w", c.base, err)
	}
	return names, nil
}
