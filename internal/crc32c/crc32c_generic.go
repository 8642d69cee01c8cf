//go:build !amd64 || purego

package crc32c

import "hash/crc32"

// No faster kernel on this architecture: Update always uses hash/crc32.
const (
	archAvailable = false
	archMinLen    = 0
)

func archUpdateShort(crc uint32, p []byte) uint32 {
	return ^crc32.Update(^crc, castagnoli, p)
}

func archUpdate(crc uint32, p []byte) uint32 {
	return ^crc32.Update(^crc, castagnoli, p)
}

func archUpdateCopy(crc uint32, dst, src []byte) uint32 {
	copy(dst, src)
	return ^crc32.Update(^crc, castagnoli, src)
}
