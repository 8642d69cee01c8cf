// Package crc32c computes CRC-32C (Castagnoli) of byte slices, bit-identical
// to hash/crc32 with the Castagnoli table, faster on amd64 with
// PCLMULQDQ/VPCLMULQDQ.
//
// hash/crc32 uses the SSE4.2 crc32 instruction, which is bound by one 8-byte
// step per cycle and core. From 2 KiB up this package also folds with
// 256-bit carry-less multiplication on another execution unit at the same
// time, and so runs about 1.6–1.8 times faster on Zen 3 (docs/bench/crc32c.md).
// That matters where checksums sit on the data path (comm frames,
// checkpoint shards, snapshots).
package crc32c

import "hash/crc32"

// Size is the size of a CRC-32C checksum in bytes.
const Size = 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// useArch selects the architecture-specific kernel; tests clear it to check
// the generic path on the same machine.
var useArch = archAvailable

// Update returns the result of adding the bytes in p to crc: the same value as
// crc32.Update(crc, crc32.MakeTable(crc32.Castagnoli), p).
func Update(crc uint32, p []byte) uint32 {
	switch {
	case !useArch:
		return crc32.Update(crc, castagnoli, p)
	case len(p) < archMinLen:
		// Short inputs skip archUpdate's dispatch: at 64 bytes a call
		// level is a tenth of the time.
		return ^archUpdateShort(^crc, p)
	}
	return ^archUpdate(^crc, p)
}

// UpdateCopy returns Update(crc, src) and copies src into dst, which must be
// at least len(src) bytes long (it panics otherwise). On amd64 the copy
// uses non-temporal stores for whole cache lines: the destination is not
// read into the cache before it is overwritten (no read-for-ownership) and
// does not evict other data. That suits a large destination that will not
// be read again soon, e.g. parity computed into a small cached buffer and
// moved to its place in a shard: it saves one memory read per byte.
func UpdateCopy(crc uint32, dst, src []byte) uint32 {
	if len(dst) < len(src) {
		panic("crc32c: UpdateCopy destination shorter than source")
	}
	switch {
	case !useArch:
		copy(dst, src)
		return crc32.Update(crc, castagnoli, src)
	case len(src) < archMinLen:
		copy(dst, src)
		return ^archUpdateShort(^crc, src)
	}
	return ^archUpdateCopy(^crc, dst, src)
}

// Checksum returns the CRC-32C of p: the same value as
// crc32.Checksum(p, crc32.MakeTable(crc32.Castagnoli)).
func Checksum(p []byte) uint32 { return Update(0, p) }
