//go:build amd64 && !purego

package checkpoint

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/apollo-hpc/apollo/internal/crc32c"
	"github.com/klauspost/reedsolomon"
)

// TestFusedKernelMatchesReference runs each generated kernel directly on
// data shards at several alignments (parity 64-byte aligned, as the kernel
// requires), with random incoming CRC states, for every length the kernel
// takes up to 1280 bytes and some large ones, and checks the parity against
// klauspost's Encode of the same data, each CRC against crc32c.Update over
// the shard, and that no byte around the parity range changed.
func TestFusedKernelMatchesReference(t *testing.T) {
	for _, km := range [][2]int{{4, 1}, {4, 2}, {8, 2}} {
		k, m := km[0], km[1]
		t.Run(fmt.Sprintf("%d+%d", k, m), func(t *testing.T) {
			rs, err := reedsolomon.New(k, m, reedsolomon.WithMaxGoroutines(1))
			if err != nil {
				t.Fatal(err)
			}
			f, err := newFusedKernel(rs, k, m)
			if err != nil {
				t.Fatal(err)
			}
			if f == nil {
				t.Skip("no fused kernel on this CPU")
			}
			r := rand.New(rand.NewPCG(uint64(k), uint64(m)))
			s := newFusedScratch(k + m)
			lengths := []int{}
			for n := 64; n <= 1280; n += 64 {
				lengths = append(lengths, n)
			}
			lengths = append(lengths, 64<<10, 1<<20+64*r.IntN(1000))
			const guard = 0xC3
			for _, n := range lengths {
				for _, align := range []int{0, 1, 8, 31, 32, 63} {
					const pad = 128
					shards := make([][]byte, k+m)
					whole := make([][]byte, k+m)
					// Data shards at different offsets, so the kernel
					// cannot rely on them agreeing; parity on a line.
					offset := func(i int) int {
						switch {
						case i >= k:
							return 64 + int(-uintptr(unsafe.Pointer(&whole[i][64]))&63)
						case i%2 == 1:
							return 64 - (align*7)%64
						}
						return 64 - align
					}
					for i := range shards {
						whole[i] = make([]byte, n+2*pad)
						if i < k {
							for q := range whole[i] {
								whole[i][q] = byte(r.Uint32())
							}
						} else {
							for q := range whole[i] {
								whole[i][q] = guard
							}
						}
						o := offset(i)
						shards[i] = whole[i][o : o+n]
					}
					cc := make([]uint32, k+m)
					for i := range cc {
						cc[i] = r.Uint32()
					}
					in := append([]uint32(nil), cc...)
					f.code(&s, shards, 0, n, cc)

					want := make([][]byte, k+m)
					for i := range want {
						want[i] = make([]byte, n)
						if i < k {
							copy(want[i], shards[i])
						}
					}
					if err := rs.Encode(want); err != nil {
						t.Fatal(err)
					}
					for i := range shards {
						if !bytes.Equal(shards[i], want[i]) {
							t.Fatalf("n=%d align=%d: shard %d differs from klauspost's", n, align, i)
						}
						if got, w := cc[i], crc32c.Update(in[i], want[i]); got != w {
							t.Fatalf("n=%d align=%d: shard %d CRC %#x, want %#x", n, align, i, got, w)
						}
					}
					for j := k; j < k+m; j++ {
						o := offset(j)
						for q, c := range whole[j] {
							if (q < o || q >= o+n) && c != guard {
								t.Fatalf("n=%d align=%d: parity %d byte %d outside the range changed", n, align, j, q-o)
							}
						}
					}
				}
			}
		})
	}
}

// TestEncodeFusedMatchesStriped encodes the same snapshots with and
// without the fused kernels (every per-shard length 0..300, then a few
// multi-chunk ones) and requires identical shards and digests.
func TestEncodeFusedMatchesStriped(t *testing.T) {
	for _, km := range [][2]int{{4, 1}, {4, 2}, {8, 2}} {
		k, m := km[0], km[1]
		if fusedFunc(k, m) == nil {
			t.Skip("no fused kernel on this CPU")
		}
		sizes := []int{}
		for per := 0; per <= 300; per++ {
			sizes = append(sizes, k*per, k*per-1)
		}
		sizes = append(sizes, k*(3*encChunk+64*5+17), k*encChunk*2)
		for _, n := range sizes {
			if n < 0 {
				continue
			}
			data := testData(n, uint64(n))
			got, gd, err := EncodeShards(testMeta(7), data, k, m)
			if err != nil {
				t.Fatal(err)
			}
			useFused = false
			want, wd, err := EncodeShards(testMeta(7), data, k, m)
			useFused = true
			if err != nil {
				t.Fatal(err)
			}
			if gd != wd {
				t.Fatalf("%d+%d n=%d: digest differs", k, m, n)
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("%d+%d n=%d: shard %d differs", k, m, n, i)
				}
			}
		}
	}
}

// TestFusedSplitMisaligned runs a worker over shards whose parity is not
// 64-byte aligned: at the same offset in every parity shard (the kernel
// takes the aligned middle, the striped path the ends) and at different
// offsets (the striped path takes all), and checks parity and CRCs against
// klauspost's Encode and crc32c.
func TestFusedSplitMisaligned(t *testing.T) {
	for _, km := range [][2]int{{4, 2}, {8, 2}} {
		k, m := km[0], km[1]
		if fusedFunc(k, m) == nil {
			t.Skip("no fused kernel on this CPU")
		}
		rs, err := reedsolomon.New(k, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, per := range []int{100, 4096 + 17, 60000} {
			for _, offs := range [][2]int{{3, 3}, {3, 5}, {0, 32}, {63, 63}} {
				e, err := NewEncoder(k, m, int64(k*per), 0)
				if err != nil {
					t.Fatal(err)
				}
				data := testData(k*per, uint64(per))
				for i := range e.payloads {
					buf := make([]byte, per+256)
					o := 64 + int(-uintptr(unsafe.Pointer(&buf[64]))&63)
					if i >= k {
						o += offs[(i-k)%2]
					}
					e.payloads[i] = buf[o : o+per]
					if i < k {
						copy(e.payloads[i], data[i*per:])
					}
				}
				crcs := make([]uint32, k+m)
				var next atomic.Int64
				e.encodeChunks(&e.workers[0], &next, 1, per, crcs)
				want := make([][]byte, k+m)
				for i := range want {
					want[i] = make([]byte, per)
					if i < k {
						copy(want[i], data[i*per:])
					}
				}
				if err := rs.Encode(want); err != nil {
					t.Fatal(err)
				}
				for i := range want {
					if !bytes.Equal(e.payloads[i], want[i]) {
						t.Fatalf("%d+%d per=%d offsets %v: shard %d differs", k, m, per, offs, i)
					}
					if crcs[i] != crc32c.Checksum(want[i]) {
						t.Fatalf("%d+%d per=%d offsets %v: shard %d CRC differs", k, m, per, offs, i)
					}
				}
			}
		}
	}
}
