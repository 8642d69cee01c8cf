package crc32c

// reflectedPoly is the Castagnoli polynomial, bit-reflected, without x^32.
const reflectedPoly = 0x82F63B78

// mulModP returns a·b mod P for a, b in the reflected representation used by
// hash/crc32 (bit 31 is x^0).
func mulModP(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ reflectedPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nTable[k] is x^(2^k) mod P; 64 entries cover every bit of an int64
// length counted in bits (k up to 62+3).
var x2nTable = func() (t [66]uint32) {
	t[0] = 1 << 30 // x^1
	for k := 1; k < len(t); k++ {
		t[k] = mulModP(t[k-1], t[k-1])
	}
	return t
}()

// Combine returns the CRC-32C of the concatenation A||B given crc1 = CRC-32C
// of A, crc2 = CRC-32C of B and len2 = len(B), as zlib's crc32_combine does.
// It costs O(log len2) 32-bit polynomial multiplications: workers can
// checksum disjoint ranges in parallel and join the results cheaply.
// A negative len2 is treated as 0.
func Combine(crc1, crc2 uint32, len2 int64) uint32 {
	// crc1 is shifted over len2 zero bytes: multiplied by x^(8·len2) mod P.
	// The pre/post inversions of the two CRCs cancel in the xor.
	return ShiftFor(len2).Combine(crc1, crc2)
}

// Shift is Combine for one fixed len2, precomputed: joining many
// equal-length pieces costs one polynomial multiplication per piece
// instead of O(log len2).
type Shift uint32

// ShiftFor returns the Shift for pieces of len2 bytes (negative = 0).
func ShiftFor(len2 int64) Shift {
	shift := uint32(1) << 31 // x^0
	for k := 3; len2 > 0; k, len2 = k+1, len2>>1 {
		if len2&1 != 0 {
			shift = mulModP(x2nTable[k], shift)
		}
	}
	return Shift(shift)
}

// Combine returns Combine(crc1, crc2, len2) for the len2 s was made for.
func (s Shift) Combine(crc1, crc2 uint32) uint32 {
	return mulModP(uint32(s), crc1) ^ crc2
}
