package crc32c

import "math/bits"

// castagnoliPoly is the Castagnoli polynomial in normal (not reflected)
// form, without the x^32 term.
const castagnoliPoly = 0x1EDC6F41

// xPowMod returns x^k mod P for the normal-form polynomial poly (x^32
// implicit), by k shift-and-reduce steps; it runs only when building
// constants.
func xPowMod(k int, poly uint32) uint32 {
	v := uint64(1)
	for range k {
		v <<= 1
		if v&(1<<32) != 0 {
			v ^= 1<<32 | uint64(poly)
		}
	}
	return uint32(v)
}

// foldConstant returns the multiplier that moves 64 bits of reflected CRC
// state forward by k bits with one carry-less multiplication:
// (x^k mod P) bit-reflected, shifted left by one because the product of two
// reflected operands comes out one bit short. Folding a 128-bit lane forward
// by d bits uses k = d+32 for its low (earlier) quadword and k = d-32 for its
// high one, as in Intel's "Fast CRC Computation for Generic Polynomials Using
// PCLMULQDQ".
func foldConstant(k int, poly uint32) uint64 {
	return uint64(bits.Reverse32(xPowMod(k, poly))) << 1
}

// foldPair returns the two quadword multipliers for folding a 128-bit lane
// forward by d bytes.
func foldPair(d int) [2]uint64 {
	return [2]uint64{foldConstant(8*d+32, castagnoliPoly), foldConstant(8*d-32, castagnoliPoly)}
}

// FoldMultipliers returns the two quadword multipliers that move CRC-32C
// state held in a 128-bit lane forward by d bytes (d >= 16): with a lane
// (lo, hi) and the multipliers (k0, k1), clmul(lo, k0) ^ clmul(hi, k1)
// is congruent to the lane shifted d bytes later. Kernels outside this
// package that checksum bytes while doing other work with them (the
// checkpoint encoder) fold with it; see TestFoldMultipliers for the scheme.
func FoldMultipliers(d int) [2]uint64 { return foldPair(d) }
