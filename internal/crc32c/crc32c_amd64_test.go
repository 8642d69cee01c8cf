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
