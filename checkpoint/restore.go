package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Resolver maps a level and a failure-domain name to the store holding
// that domain's shards (nil if unknown or unreachable).
type Resolver func(lv Level, domain string) Store

// Restore rebuilds one rank's snapshot from committed manifests (one per
// level, normally of the same checkpoint), trying the fastest level first
// and returning the first that verifies. The error names, per level, the
// missing and bad shards.
func Restore(ctx context.Context, rank int, resolve Resolver, ms ...*Manifest) (Meta, []byte, Level, error) {
	ms = append([]*Manifest(nil), ms...)
	sort.SliceStable(ms, func(a, b int) bool { return ms[a].Level < ms[b].Level })
	var errs []error
	for _, m := range ms {
		meta, data, err := RestoreRank(ctx, m, rank, func(d string) Store { return resolve(m.Level, d) })
		if err == nil {
			return meta, data, m.Level, nil
		}
		errs = append(errs, fmt.Errorf("level %v: %w", m.Level, err))
	}
	if len(errs) == 0 {
		return Meta{}, nil, 0, fmt.Errorf("checkpoint: restore rank %d: no manifest given", rank)
	}
	return Meta{}, nil, 0, fmt.Errorf("checkpoint: restore rank %d: %w", rank, errors.Join(errs...))
}

// RestoreRank rebuilds one rank's snapshot from one manifest. It reads the
// data shards first and parity only if some data shard is missing or bad.
func RestoreRank(ctx context.Context, m *Manifest, rank int, store func(domain string) Store) (Meta, []byte, error) {
	e, ok := m.Rank(rank)
	if !ok {
		return Meta{}, nil, fmt.Errorf("checkpoint %d: rank %d not in manifest", m.ID, rank)
	}
	n := m.K + m.M
	shards := make([][]byte, n)
	locs := make([]*ShardLoc, n) // one location per index (a manifest may repeat one)
	for i := range e.Shards {
		if s := &e.Shards[i]; s.Index >= 0 && s.Index < n && locs[s.Index] == nil {
			locs[s.Index] = s
		}
	}
	var mu sync.Mutex
	fetchErr := map[int]string{}
	// fetch reads the listed shard indices concurrently (distinct domains,
	// e.g. several NFS servers or peers).
	fetch := func(idx []int) {
		var wg sync.WaitGroup
		for _, i := range idx {
			s := locs[i]
			if s == nil || shards[i] != nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				why := ""
				if st := store(s.Domain); st == nil {
					why = fmt.Sprintf("domain %q unavailable", s.Domain)
				} else if b, err := st.Get(ctx, s.Name); err == nil {
					shards[i] = b
				} else if !errors.Is(err, ErrNotFound) {
					why = "read: " + err.Error()
				}
				if why != "" {
					mu.Lock()
					fetchErr[i] = why
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	span := func(from, to int) []int {
		var out []int
		for i := from; i < to; i++ {
			out = append(out, i)
		}
		return out
	}
	// Data shards first (no decoding needed if all verify), then only as
	// many parity shards as are missing; all of them if verification fails.
	fetch(span(0, m.K))
	for p := m.K; p < n && present(shards) < m.K; {
		need := m.K - present(shards)
		fetch(span(p, min(p+need, n)))
		p += need
	}
	meta, data, _, err := reconstruct(shards, m.K, m.M, &e.Digest)
	if err != nil && errors.Is(err, ErrNotEnoughShards) && present(shards) < n {
		fetch(span(m.K, n))
		meta, data, _, err = reconstruct(shards, m.K, m.M, &e.Digest)
	}
	if err != nil {
		var se *ShardsError
		if errors.As(err, &se) {
			se.Rank, se.ID = rank, m.ID
			for i, why := range fetchErr {
				se.Bad[i] = why
				se.Missing = removeInt(se.Missing, i)
			}
		}
		return Meta{}, nil, err
	}
	if int64(len(data)) != e.Size {
		return Meta{}, nil, fmt.Errorf("checkpoint %d rank %d: rebuilt %d bytes, manifest says %d", m.ID, rank, len(data), e.Size)
	}
	return meta, data, nil
}

func present(shards [][]byte) int {
	c := 0
	for _, b := range shards {
		if b != nil {
			c++
		}
	}
	return c
}

func removeInt(s []int, v int) []int {
	out := s[:0]
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// ManifestName is the object name of a committed manifest in a store.
func ManifestName(lv Level, id uint64) string {
	return fmt.Sprintf("manifest-%d-%016x", uint8(lv), id)
}

// PutManifest writes a manifest atomically (the controller does this on
// commit, so the shared directory alone can resume a job).
func PutManifest(ctx context.Context, s Store, m *Manifest) error {
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	if err := s.Put(ctx, ManifestName(m.Level, m.ID), b); err != nil {
		return fmt.Errorf("checkpoint: put manifest %d: %w", m.ID, err)
	}
	return nil
}

// LatestManifest returns the newest manifest of a level in a store that
// decodes and verifies; damaged ones are skipped (and reported via skipped).
func LatestManifest(ctx context.Context, s Store, lv Level) (m *Manifest, skipped []string, err error) {
	prefix := fmt.Sprintf("manifest-%d-", uint8(lv))
	names, err := s.List(ctx, prefix)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: list manifests: %w", err)
	}
	for i := len(names) - 1; i >= 0; i-- { // hex ids: lexical order is numeric
		if len(strings.TrimPrefix(names[i], prefix)) != 16 {
			continue
		}
		b, err := s.Get(ctx, names[i])
		if err == nil {
			m, err = UnmarshalManifest(b)
		}
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", names[i], err))
			continue
		}
		return m, skipped, nil
	}
	return nil, skipped, fmt.Errorf("checkpoint: no valid manifest at level %v: %w", lv, ErrNotFound)
}
