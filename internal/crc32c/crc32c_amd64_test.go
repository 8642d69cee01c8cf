//go:build amd64 && !purego

package crc32c

import (
	"math/bits"
	"math/rand/v2"
	"testing"
	"time"
)

// TestShiftK recomputes a few of the hybrid kernel's shift multipliers
// directly instead of incrementally.
func TestShiftK(t *testing.T) {
	if !archAvailable {
		t.Skip("no VPCLMULQDQ: table unused")
	}
	for _, blk := range []int{1, 2, 3, 100, hybridMaxBlk} {
		for j, streams := range []int{4, 3, 2, 1} {
			n := streams * blk * hybridLane
			want := uint64(bits.Reverse32(xPowMod(8*n-33, castagnoliPoly)))
			if got := shiftK[blk][j]; got != want {
				t.Errorf("shiftK[%d][%d] = %#x, want %#x", blk, j, got, want)
			}
		}
	}
}

func TestHybridBlocks(t *testing.T) {
	for n := 2 * hybridBlock; n < 4*hybridMaxBlk*hybridBlock; n += 7 {
		blk := hybridBlocks(n)
		if blk < 2 || blk > hybridMaxBlk || blk*hybridBlock > n {
			t.Fatalf("hybridBlocks(%d) = %d: out of range", n, blk)
		}
		if blk < hybridMaxBlk && n-blk*hybridBlock >= hybridBlock {
			t.Fatalf("hybridBlocks(%d) = %d: another round fits", n, blk)
		}
	}
}

// BenchmarkStreamSpacing measures whether hybridBlocks needs to keep the
// streams' spacing off multiples of 4 KiB: it alternates passes over a buffer in
// chunks whose crc32 streams are exactly 4 KiB apart with passes in chunks
// whose streams are 3200 bytes apart, and reports the median GB/s of each
// and slowdown = aligned time per byte / other time per byte. The buffer is
// one chunk (L1/L2-resident after the first pass, like data just written),
// L2-resident or beyond L2.
func BenchmarkStreamSpacing(b *testing.B) {
	if !archAvailable {
		b.Skip("no VPCLMULQDQ")
	}
	const blkA, blkB = 4096 / hybridLane, 3200 / hybridLane
	for _, size := range []struct {
		name string
		n    int
	}{{"1chunk", blkA * hybridBlock}, {"256KiB", 256 << 10}, {"4MiB", 4 << 20}} {
		buf := randBytes(rand.New(rand.NewPCG(15, 16)), size.n) // written: no page faults while timing
		pass := func(crc uint32, blk int) (uint32, int) {
			n := blk * hybridBlock
			off := 0
			for ; off+n <= len(buf); off += n {
				crc = hybridChunk(crc, buf[off:], blk, &shiftK[blk])
			}
			return crc, off
		}
		b.Run(size.name, func(b *testing.B) {
			var ta, tb []time.Duration
			var crc uint32
			var n int
			var na, nb float64
			for b.Loop() {
				t0 := time.Now()
				crc, n = pass(crc, blkA)
				t1 := time.Now()
				na = float64(n)
				crc, n = pass(crc, blkB)
				t2 := time.Now()
				nb = float64(n)
				ta = append(ta, t1.Sub(t0))
				tb = append(tb, t2.Sub(t1))
			}
			sink = crc
			ma, mb := quantile(ta, 0.5), quantile(tb, 0.5)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(na/ma, "4KiB-GB/s")
			b.ReportMetric(nb/mb, "3200B-GB/s")
			b.ReportMetric((ma/na)/(mb/nb), "slowdown")
		})
	}
}
