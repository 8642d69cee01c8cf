package checkpoint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/internal/crc32c"
	"github.com/klauspost/reedsolomon"
)

// benchSize is the 300 MB of field data (a 160³ MHD state with its
// auxiliary fields is 262–300 MB).
const benchSize = 300_000_000

var benchKM = [][2]int{{4, 2}, {8, 2}}

// paired runs ref and ours alternately in each iteration (alternating the
// order too), so both see the same machine load, and reports each one's
// throughput and their ratio ours/ref (throughput; >1 means ours faster).
func paired(b *testing.B, bytes int64, ref, ours func()) {
	var tr, to time.Duration
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			t0 := time.Now()
			ref()
			t1 := time.Now()
			ours()
			tr, to = tr+t1.Sub(t0), to+time.Since(t1)
		} else {
			t0 := time.Now()
			ours()
			t1 := time.Now()
			ref()
			to, tr = to+t1.Sub(t0), tr+time.Since(t1)
		}
		i++
	}
	b.ReportMetric(float64(bytes)*float64(i)/tr.Seconds()/1e9, "ref-GB/s")
	b.ReportMetric(float64(bytes)*float64(i)/to.Seconds()/1e9, "ckpt-GB/s")
	b.ReportMetric(tr.Seconds()/to.Seconds(), "ckpt/ref")
	b.ReportMetric(0, "ns/op") // the per-iteration time mixes both; see the metrics above
}

// BenchmarkEncode300MB: Encoder.Encode (parity + CRC32C of every shard +
// headers) against klauspost's bare Encode (its own goroutine split, sized
// for these shards) on the same, already-touched shard buffers. The
// striped case is the same Encoder with its fused kernel switched off (the
// path of CPUs and shapes without one), so old and new are measured in one
// binary. The crc32c-only case is the checksum work alone (all k+m
// shards, same workers) against bare Encode. 'Encode300MB/[48]\+2$'
// selects the headline rows alone, 'Encode300MB/[48]\+2-striped' the
// striped ones, 'Encode300MB/[48]\+2-bare' the fixed-split references.
func BenchmarkEncode300MB(b *testing.B) {
	data := testData(benchSize, 1)
	for _, km := range benchKM {
		e, err := NewEncoder(km[0], km[1], benchSize, 64)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Load(data); err != nil {
			b.Fatal(err)
		}
		if _, _, err := e.Encode(testMeta(1)); err != nil { // touch every page once
			b.Fatal(err)
		}
		bare, err := reedsolomon.New(km[0], km[1], reedsolomon.WithAutoGoroutines(len(e.payloads[0])))
		if err != nil {
			b.Fatal(err)
		}
		bareEncode := func() {
			if err := bare.Encode(e.payloads); err != nil {
				b.Fatal(err)
			}
		}
		name := fmt.Sprintf("%d+%d", km[0], km[1])
		// Bare Encode's automatic goroutine split is not always its
		// fastest: the same comparison against a fixed split of 2 and
		// of 4 goroutines keeps the reference at its best.
		for _, g := range []int{2, 4} {
			fixed, err := reedsolomon.New(km[0], km[1], reedsolomon.WithMaxGoroutines(g))
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s-bare%d", name, g), func(b *testing.B) {
				paired(b, benchSize, func() {
					if err := fixed.Encode(e.payloads); err != nil {
						b.Fatal(err)
					}
				}, func() {
					if _, _, err := e.Encode(testMeta(1)); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
		b.Run(name, func(b *testing.B) {
			paired(b, benchSize, bareEncode, func() {
				if _, _, err := e.Encode(testMeta(1)); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(name+"-striped", func(b *testing.B) {
			fused := e.fused
			e.fused = nil
			defer func() { e.fused = fused }()
			paired(b, benchSize, bareEncode, func() {
				if _, _, err := e.Encode(testMeta(1)); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(name+"-crc32c-only", func(b *testing.B) {
			size := len(e.payloads[0])
			paired(b, benchSize, bareEncode, func() {
				e.parallel(size, func(w *encWorker, lo, hi int) {
					for _, p := range e.payloads {
						crcSink.Add(crc32c.Update(0, p[lo:hi]))
					}
				})
			})
		})
	}
}

// crcSink keeps benchmarked checksums live.
var crcSink atomic.Uint32

// BenchmarkLoad300MB: the stall's work (Encoder.Load, a parallel copy into
// the shard buffers) against a plain copy into one touched buffer.
func BenchmarkLoad300MB(b *testing.B) {
	data := testData(benchSize, 6)
	dst := make([]byte, benchSize)
	copy(dst, data)
	e, err := NewEncoder(4, 2, benchSize, 64)
	if err != nil {
		b.Fatal(err)
	}
	e.Load(data)
	paired(b, benchSize, func() { copy(dst, data) }, func() {
		if err := e.Load(data); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkEncode64MiB: Encoder.Encode against a plain copy of the same
// snapshot into an already-touched buffer.
func BenchmarkEncode64MiB(b *testing.B) {
	const n = 64 << 20
	data := testData(n, 2)
	dst := make([]byte, n)
	copy(dst, data)
	for _, km := range benchKM {
		e, err := NewEncoder(km[0], km[1], n, 64)
		if err != nil {
			b.Fatal(err)
		}
		e.Load(data)
		e.Encode(testMeta(1))
		b.Run(fmt.Sprintf("%d+%d", km[0], km[1]), func(b *testing.B) {
			paired(b, n, func() { copy(dst, data) }, func() {
				if _, _, err := e.Encode(testMeta(1)); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// benchDir is where directory benchmarks write: $APOLLO_BENCH_DIR (e.g. an
// NFS mount) or a temporary directory on the local disk.
func benchDir(b *testing.B) string {
	if d := os.Getenv("APOLLO_BENCH_DIR"); d != "" {
		dir, err := os.MkdirTemp(d, "ckptbench")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}

// BenchmarkDirWrite300MB: DirStore.Put of the 4+2 shards of a 300 MB
// snapshot (tmp+fsync+rename+fsync dir, one shard after another) beside a
// plain sequential write+fsync of the same bytes to the same directory.
func BenchmarkDirWrite300MB(b *testing.B) {
	shards, _, err := EncodeShards(testMeta(1), testData(benchSize, 3), 4, 2)
	if err != nil {
		b.Fatal(err)
	}
	var total int64
	for _, s := range shards {
		total += int64(len(s))
	}
	dir := benchDir(b)
	st, err := NewDirStore(dir)
	if err != nil {
		b.Fatal(err)
	}
	plain := func() {
		for i, s := range shards {
			f, err := os.Create(filepath.Join(dir, fmt.Sprint("plain", i)))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.Write(s); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	}
	paired(b, total, plain, func() {
		for i, s := range shards {
			if err := st.Put(context.Background(), ShardName(1, 0, i), s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRestore300MB: restore one rank whose data shard 0 was lost (a
// dead node), from the memory level and from the directory level (page
// cache warm, and cold: the shard files evicted before each restore).
func BenchmarkRestore300MB(b *testing.B) {
	const k, m = 4, 2
	data := testData(benchSize, 5)
	for _, mode := range []string{"memory", "dir-warm", "dir-cold"} {
		b.Run(mode, func(b *testing.B) {
			var ds []Domain
			lv := LevelMemory
			if mode == "memory" {
				ds = memDomains(k + m)
			} else {
				lv = LevelDir
				root := benchDir(b)
				for i := 0; i < k+m; i++ {
					s, err := NewDirStore(filepath.Join(root, fmt.Sprint(i)))
					if err != nil {
						b.Fatal(err)
					}
					ds = append(ds, Domain{Name: fmt.Sprint(i), Store: s})
				}
			}
			c, err := New(0, Config{K: k, M: m, Capacity: benchSize, Logger: quiet,
				Levels: []LevelConfig{{Level: lv, Every: 1, Domains: ds, Keep: 1}}})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			ctx := context.Background()
			c.Take(ctx, Meta{ID: 1, Step: 1}, data)
			ws, err := c.Flush(ctx)
			if err != nil {
				b.Fatal(err)
			}
			man := manifestOf(ws[0], k, m)
			dead := map[string]bool{ws[0].Entry.Shards[0].Domain: true}
			resolve := lostResolver(c, dead)
			b.SetBytes(benchSize)
			for b.Loop() {
				if mode == "dir-cold" {
					b.StopTimer()
					for _, d := range ds {
						evict(b, d.Store.(*DirStore).Dir())
					}
					b.StartTimer()
				}
				_, got, _, err := Restore(ctx, 0, resolve, man)
				if err != nil || len(got) != benchSize {
					b.Fatal(err)
				}
			}
		})
	}
}
