//go:build amd64 && !purego

package crc32c

import (
	"math/bits"
	"testing"
)

// TestShiftK recomputes a few of the hybrid kernel's shift multipliers
// directly instead of incrementally.
func TestShiftK(t *testing.T) {
	if !archAvailable {
		t.Skip("no VPCLMULQDQ: table unused")
	}
	for _, blk := range []int{1, 2, 3, 100, hybridMaxBlk} {
		for j, streams := range []int{3, 2, 1} {
			n := streams * blk * hybridLane
			want := uint64(bits.Reverse32(xPowMod(8*n-33, castagnoliPoly)))
			if got := shiftK[blk][j]; got != want {
				t.Errorf("shiftK[%d][%d] = %#x, want %#x", blk, j, got, want)
			}
		}
	}
}

func TestHybridBlocks(t *testing.T) {
	for n := 2 * hybridBlock; n < 4*hybridMaxBlk*hybridBlock; n += 7 { // hybridBlocks must hold from 2 rounds up, whatever hybridMinLen
		blk := hybridBlocks(n)
		if blk < 2 || blk > hybridMaxBlk || blk*hybridBlock > n {
			t.Fatalf("hybridBlocks(%d) = %d: out of range", n, blk)
		}
		ls := blk * hybridLane
		if m := ls % 4096; ls >= 4096-512 && (m < 512 || m > 4096-512) {
			t.Fatalf("hybridBlocks(%d) = %d: streams %d bytes apart", n, blk, ls)
		}
		// Shorter only by what the spacing rule removes (at most 1 KiB of
		// stream length).
		if full := min(n/hybridBlock, hybridMaxBlk); (full-blk)*hybridLane > 1024 {
			t.Fatalf("hybridBlocks(%d) = %d, %d fit", n, blk, full)
		}
	}
}

// BenchmarkStreamSpacing measures what hybridBlocks avoids: one chunk whose
// three crc32 streams are exactly 4 KiB apart (blk = 128) against one whose
// streams are 4 KiB + 32 bytes apart (blk = 129). Compare MB/s.
func BenchmarkStreamSpacing(b *testing.B) {
	if !archAvailable {
		b.Skip("no VPCLMULQDQ")
	}
	for _, c := range []struct {
		name string
		blk  int
	}{{"4KiB", 4096 / hybridLane}, {"4KiB+32", 4096/hybridLane + 1}} {
		buf := make([]byte, c.blk*hybridBlock)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			var crc uint32
			for b.Loop() {
				crc = hybridChunk(crc, buf, c.blk, &shiftK[c.blk])
			}
			sink = crc
		})
	}
}
