package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apollo-hpc/apollo/internal/crc32c"
	"github.com/klauspost/reedsolomon"
)

func testData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	i := 0
	for ; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	for ; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

func testMeta(id uint64) Meta {
	return Meta{ID: id, Rank: 3, Step: int64(id) * 10, Epoch: 2, Time: 0.125 * float64(id), Layout: []byte("160x160x160/8")}
}

func cloneShards(s [][]byte) [][]byte {
	out := make([][]byte, len(s))
	for i, b := range s {
		out[i] = append([]byte(nil), b...)
	}
	return out
}

// subsets calls f with every subset of {0..n-1} of size <= max, as a mask.
func subsets(n, max int, f func(missing []int)) {
	for mask := 0; mask < 1<<n; mask++ {
		var miss []int
		for i := 0; i < n; i++ {
			if mask&(1<<i) != 0 {
				miss = append(miss, i)
			}
		}
		if len(miss) <= max {
			f(miss)
		}
	}
}

func TestReconstructEveryMissingPattern(t *testing.T) {
	for _, km := range [][2]int{{4, 1}, {4, 2}, {8, 2}} {
		k, m := km[0], km[1]
		// Lengths: not a multiple of k (padding), tiny, and empty.
		for _, n := range []int{1000003, 5, 0} {
			data := testData(n, uint64(n))
			meta := testMeta(9)
			shards, dig, err := EncodeShards(meta, data, k, m)
			if err != nil {
				t.Fatal(err)
			}
			shards = cloneShards(shards)
			subsets(k+m, m+1, func(miss []int) {
				in := make([][]byte, k+m)
				copy(in, shards)
				for _, i := range miss {
					in[i] = nil
				}
				gm, got, err := ReconstructDigest(in, k, m, dig)
				if len(miss) > m {
					var se *ShardsError
					if !errors.As(err, &se) || !errors.Is(err, ErrNotEnoughShards) {
						t.Fatalf("k=%d m=%d n=%d missing %v: want ShardsError, got %v", k, m, n, miss, err)
					}
					if len(se.Missing) != len(miss) || se.Have != k+m-len(miss) || !strings.Contains(err.Error(), "missing") {
						t.Fatalf("k=%d m=%d missing %v: error does not name them: %v", k, m, miss, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("k=%d m=%d n=%d missing %v: %v", k, m, n, miss, err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("k=%d m=%d n=%d missing %v: data differs", k, m, n, miss)
				}
				if gm.ID != meta.ID || gm.Rank != meta.Rank || gm.Step != meta.Step || gm.Epoch != meta.Epoch ||
					gm.Time != meta.Time || !bytes.Equal(gm.Layout, meta.Layout) {
					t.Fatalf("meta differs: %+v vs %+v", gm, meta)
				}
			})
		}
	}
}

func TestCorruptShardsDetectedAndSkipped(t *testing.T) {
	const k, m = 4, 2
	data := testData(1<<16+3, 1)
	shards, dig, err := EncodeShards(testMeta(5), data, k, m)
	if err != nil {
		t.Fatal(err)
	}
	shards = cloneShards(shards)
	r := rand.New(rand.NewPCG(1, 2))
	for idx := 0; idx < k+m; idx++ {
		hl := len(shards[idx]) - (len(data)+k-1)/k
		cases := map[string][]byte{}
		for trial := 0; trial < 20; trial++ {
			b := append([]byte(nil), shards[idx]...)
			pos := r.IntN(len(b))
			if trial < 5 {
				pos = r.IntN(hl) // header bit flips too
			}
			b[pos] ^= 1 << r.IntN(8)
			cases["flip"+string(rune('a'+trial))] = b
		}
		cases["truncated"] = shards[idx][:len(shards[idx])-1]
		cases["header-only"] = shards[idx][:hl]
		cases["short"] = shards[idx][:10]
		cases["extended"] = append(append([]byte(nil), shards[idx]...), 0)
		cases["empty"] = []byte{}
		for name, bad := range cases {
			in := make([][]byte, k+m)
			copy(in, shards)
			in[idx] = bad
			// With the corrupt shard and one more missing, restore still works
			// (the bad shard is skipped, m=2 covers both).
			other := (idx + 1) % (k + m)
			in[other] = nil
			_, got, err := ReconstructDigest(in, k, m, dig)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("shard %d %s: restore with bad shard skipped failed: %v", idx, name, err)
			}
			// With two more missing, the bad shard would be needed: refused.
			in[(idx+2)%(k+m)] = nil
			_, _, err = ReconstructDigest(in, k, m, dig)
			var se *ShardsError
			if !errors.As(err, &se) {
				t.Fatalf("shard %d %s: corrupt shard was used: %v", idx, name, err)
			}
			if _, ok := se.Bad[idx]; !ok {
				t.Fatalf("shard %d %s: error does not name the bad shard: %v", idx, name, err)
			}
		}
	}
}

func TestShardsOfAnotherSnapshotRejected(t *testing.T) {
	const k, m = 4, 2
	a, da, _ := EncodeShards(testMeta(1), testData(4000, 1), k, m)
	a = cloneShards(a)
	b, _, _ := EncodeShards(testMeta(2), testData(4000, 2), k, m)
	b = cloneShards(b)
	in := cloneShards(a)
	in[0], in[1] = b[0], b[1]
	if _, got, err := ReconstructDigest(in, k, m, da); err != nil || !bytes.Equal(got, testData(4000, 1)) {
		t.Fatalf("mixed shards: %v", err)
	}
	in[2] = b[2]
	if _, _, err := ReconstructDigest(in, k, m, da); !errors.Is(err, ErrNotEnoughShards) {
		t.Fatalf("want refusal, got %v", err)
	}
	// Shards in the wrong slot are rejected.
	in = cloneShards(a)
	in[0], in[1], in[2] = a[1], a[0], nil
	if _, _, err := Reconstruct(in, k, m); !errors.Is(err, ErrNotEnoughShards) || !strings.Contains(err.Error(), "holds shard index") {
		t.Fatalf("swapped shards: %v", err)
	}
}

func TestEncoderReuse(t *testing.T) {
	const k, m = 8, 2
	e, err := NewEncoder(k, m, 4<<20, 64)
	if err != nil {
		t.Fatal(err)
	}
	// Sizes on both sides of the parallel split, and odd splits.
	for i, n := range []int{1 << 20, 1000, 4<<20 - 13, 777777, 0, 2*stripe*8*len(e.workers) + 1} {
		data := testData(n, uint64(i))
		if err := e.Load(data); err != nil {
			t.Fatal(err)
		}
		shards, dig, err := e.Encode(testMeta(uint64(i)))
		if err != nil {
			t.Fatal(err)
		}
		in := cloneShards(shards)
		in[0], in[9] = nil, nil
		if _, got, err := ReconstructDigest(in, k, m, dig); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	if err := e.Load(make([]byte, 4<<20+1)); err == nil {
		t.Fatal("Load beyond capacity accepted")
	}
	if _, _, err := e.Encode(Meta{Layout: make([]byte, 65)}); err == nil {
		t.Fatal("oversized layout accepted")
	}
}

func FuzzShardHeader(f *testing.F) {
	shards, _, _ := EncodeShards(testMeta(1), testData(100, 1), 4, 2)
	for _, s := range shards {
		f.Add(append([]byte(nil), s...))
	}
	f.Add([]byte("APSH"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := verifyShard(b)
		if err != nil {
			return
		}
		// Anything accepted must be self-consistent and re-encode identically.
		if len(b) != h.hdrLen+int(h.shardSize) || h.index >= h.k+h.m {
			t.Fatalf("accepted inconsistent shard: %+v", h)
		}
		out := make([]byte, h.hdrLen)
		putHeader(out, h)
		if !bytes.Equal(out, b[:h.hdrLen]) {
			t.Fatal("header does not round-trip")
		}
	})
}

// FuzzReconstructCorruption damages shards as the input says (each 6-byte
// group: shard index, offset, xor mask; a zero mask truncates there) and
// requires Reconstruct to return the exact snapshot or an error, never
// anything else.
func FuzzReconstructCorruption(f *testing.F) {
	const k, m = 4, 2
	data := testData(3000, 4)
	shards, _, err := EncodeShards(testMeta(4), data, k, m)
	if err != nil {
		f.Fatal(err)
	}
	shards = cloneShards(shards)
	f.Add([]byte{0, 0, 0, 0, 100, 1})
	f.Add([]byte{1, 0, 0, 0, 5, 0, 2, 0, 0, 1, 0, 0x80})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		in := cloneShards(shards)
		for len(ops) >= 6 {
			idx := int(ops[0]) % (k + m)
			off := int(binary.LittleEndian.Uint32(ops[1:5])) % (len(in[idx]) + 1)
			if ops[5] == 0 {
				in[idx] = in[idx][:off]
			} else if off < len(in[idx]) {
				in[idx][off] ^= ops[5]
			}
			ops = ops[6:]
		}
		_, got, err := Reconstruct(in, k, m)
		if err == nil && !bytes.Equal(got, data) {
			t.Fatal("damaged shards rebuilt to wrong bytes without an error")
		}
	})
}

// TestEncodeMatchesReference checks Encode against a plain computation:
// parity from klauspost's Encode on copies of the data shards and each
// payload's CRC32C in one pass, for sizes that give one chunk, several,
// a partial last chunk and a partial last stripe, with the Encoder reused
// from larger to smaller snapshots.
func TestEncodeMatchesReference(t *testing.T) {
	for _, km := range [][2]int{{4, 2}, {8, 2}, {3, 3}} {
		k, m := km[0], km[1]
		e, err := NewEncoder(k, m, int64(k)*(5*encChunk+stripe+17), 64)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := reedsolomon.New(k, m)
		if err != nil {
			t.Fatal(err)
		}
		for i, per := range []int{5*encChunk + stripe + 17, 3 * encChunk, encChunk + 1, encChunk, encChunk - 1, 2*stripe + 5, 1000, 1} {
			data := testData(k*per, uint64(100+i))
			if err := e.Load(data); err != nil {
				t.Fatal(err)
			}
			shards, _, err := e.Encode(testMeta(uint64(i)))
			if err != nil {
				t.Fatal(err)
			}
			want := make([][]byte, k+m)
			for j := range want {
				want[j] = make([]byte, per)
				if j < k {
					copy(want[j], data[j*per:])
				}
			}
			if err := ref.Encode(want); err != nil {
				t.Fatal(err)
			}
			for j, s := range shards {
				h, err := verifyShard(s)
				if err != nil {
					t.Fatalf("%d+%d size %d shard %d: %v", k, m, per, j, err)
				}
				if got := s[h.hdrLen:]; !bytes.Equal(got, want[j]) {
					t.Fatalf("%d+%d size %d shard %d: payload differs from reference", k, m, per, j)
				}
				if h.crcs[j] != crc32c.Checksum(want[j]) {
					t.Fatalf("%d+%d size %d shard %d: recorded CRC differs from the payload's", k, m, per, j)
				}
			}
		}
	}
}
