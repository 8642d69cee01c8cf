package crc32c

import (
	"math/bits"
	"testing"
)

// TestFoldConstantFormula checks the constant generator against the IEEE
// folding constants published in Linux's crc32-pclmul_asm.S (also used by
// hash/crc32's ieeeCLMUL), so the Castagnoli constants come from a formula
// known to be right rather than from copied numbers.
func TestFoldConstantFormula(t *testing.T) {
	const ieeePoly = 0x04C11DB7
	for _, c := range []struct {
		k    int
		want uint64
	}{{4*128 + 32, 0x154442bd4}, {4*128 - 32, 0x1c6e41596}, {128 + 32, 0x1751997d0}, {128 - 32, 0x0ccaa009e}} {
		if got := foldConstant(c.k, ieeePoly); got != c.want {
			t.Errorf("foldConstant(%d, IEEE) = %#x, want %#x", c.k, got, c.want)
		}
	}
}

// TestXPowMod checks the shift-and-reduce power against repeated
// reflected multiplication, the two ways this package builds powers of x.
func TestXPowMod(t *testing.T) {
	acc := uint32(1) << 31 // x^0, reflected
	x := uint32(1) << 30   // x^1, reflected
	for k := range 2000 {
		if got := bits.Reverse32(xPowMod(k, castagnoliPoly)); got != acc {
			t.Fatalf("x^%d mod P = %#x by shifting, %#x by multiplying", k, got, acc)
		}
		acc = mulModP(acc, x)
	}
}
