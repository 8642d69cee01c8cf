package crc32c

import (
	"math/bits"
	"math/rand/v2"
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

// clmul returns the 128-bit carry-less product of a and b as (lo, hi).
func clmul(a, b uint64) (lo, hi uint64) {
	for i := range 64 {
		if b&(1<<i) != 0 {
			lo ^= a << i
			if i > 0 {
				hi ^= a >> (64 - i)
			}
		}
	}
	return lo, hi
}

// TestFoldMultipliers runs the scheme an outside kernel uses, in plain Go:
// a 32-byte accumulator (two 128-bit lanes) takes the first 32 bytes with
// the non-inverted state xored into its first four, each later 32 bytes is
// added after folding the accumulator forward by 32 bytes, and the state
// after the whole input is the CRC from a zero state of the accumulator's
// 32 bytes. The result must equal Update for every state and length.
func TestFoldMultipliers(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	k := FoldMultipliers(32)
	le := func(b []byte) uint64 {
		var v uint64
		for i := range 8 {
			v |= uint64(b[i]) << (8 * i)
		}
		return v
	}
	for _, n := range []int{32, 64, 96, 320, 4096 + 32} {
		for range 20 {
			p := randBytes(r, n)
			crc := r.Uint32()
			var acc [4]uint64
			for q := range 4 {
				acc[q] = le(p[8*q:])
			}
			acc[0] ^= uint64(^crc)
			for off := 32; off < n; off += 32 {
				for lane := range 2 {
					l0, h0 := clmul(acc[2*lane], k[0])
					l1, h1 := clmul(acc[2*lane+1], k[1])
					acc[2*lane] = l0 ^ l1 ^ le(p[off+16*lane:])
					acc[2*lane+1] = h0 ^ h1 ^ le(p[off+16*lane+8:])
				}
			}
			var b [32]byte
			for q := range 4 {
				for i := range 8 {
					b[8*q+i] = byte(acc[q] >> (8 * i))
				}
			}
			if got, want := Update(^uint32(0), b[:]), Update(crc, p); got != want {
				t.Fatalf("n=%d: folded CRC %#x, want %#x", n, got, want)
			}
		}
	}
}
