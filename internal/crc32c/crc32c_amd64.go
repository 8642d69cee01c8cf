//go:build amd64 && !purego

package crc32c

import (
	"math/bits"
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

// The kernel needs 256-bit carry-less multiplication (VPCLMULQDQ with VEX
// encoding, which x/sys/cpu only reports together with AVX-512) and AVX2,
// which cpuid only reports when the OS saves YMM state.
var archAvailable = cpuid.CPU.Supports(cpuid.SSE42, cpuid.CLMUL, cpuid.AVX2, cpuid.VPCLMULQDQ)

// foldK holds the multipliers the kernel reads, one 16-byte pair per fold
// distance, in the order the assembly expects.
var foldK = [5][2]uint64{foldPair(256), foldPair(128), foldPair(64), foldPair(32), foldPair(16)}

// updateVPCLMUL returns the (non-inverted) CRC state after p given the state
// crc. It requires len(p) >= 256 and the CPU features in archAvailable.
//
//go:noescape
func updateVPCLMUL(crc uint32, p []byte) uint32

// hybridChunk returns the (non-inverted) CRC state after the first
// blk·hybridBlock bytes of p given the state crc. It requires 2 <= blk <=
// hybridMaxBlk, len(p) >= blk·hybridBlock, k = &shiftK[blk] and the CPU
// features in archAvailable.
//
//go:noescape
func hybridChunk(crc uint32, p []byte, blk int, k *[hybridStreams]uint64) uint32

const (
	// hybridBlock is the bytes one round of hybridChunk consumes: 256 for
	// the vector unit (16 VPCLMULQDQ, 32 cycles on Zen 3), 4×64 for four
	// crc32 streams (32 cycles). Of the shapes measured (docs/bench/crc32c.md)
	// this one overlaps the two units best.
	hybridBlock   = 256 + hybridStreams*hybridLane
	hybridStreams = 4
	hybridLane    = 64
	hybridMaxBlk  = 256
	// hybridMinLen is the shortest input for hybridChunk. Below it the
	// chunk's fixed cost (reducing eight accumulators, four shifts) makes
	// updateVPCLMUL as fast. Measured updateVPCLMUL vs hybrid (10th
	// percentiles): 61 vs 63 ns at 1 KiB, 75 vs 64 ns at 1.5 KiB, 105 vs
	// 86 ns at 2 KiB.
	hybridMinLen = 3 * hybridBlock
)

// shiftK[blk] holds, for a chunk of blk rounds, the multipliers that move a
// 32-bit state forward by 4, 3, 2 and 1 stream lengths (blk·hybridLane
// bytes): x^(8n-33) mod P, bit-reflected; the 33 accounts for the crc32
// instruction's x^32 and the one-bit offset of a reflected product.
var shiftK = func() (t [hybridMaxBlk + 1][hybridStreams]uint64) {
	if !archAvailable {
		return t
	}
	step := bits.Reverse32(xPowMod(8*hybridLane, castagnoliPoly))
	var pow [hybridStreams*hybridMaxBlk + 1]uint32 // pow[m] = x^(8·m·hybridLane - 33)
	pow[1] = bits.Reverse32(xPowMod(8*hybridLane-33, castagnoliPoly))
	for m := 2; m < len(pow); m++ {
		pow[m] = mulModP(pow[m-1], step)
	}
	for blk := 1; blk <= hybridMaxBlk; blk++ {
		for j := range hybridStreams {
			t[blk][j] = uint64(pow[(hybridStreams-j)*blk])
		}
	}
	return t
}()

func archUpdate(crc uint32, p []byte) uint32 {
	for len(p) >= hybridMinLen {
		blk := hybridBlocks(len(p))
		crc = hybridChunk(crc, p, blk, &shiftK[blk])
		p = p[blk*hybridBlock:]
	}
	if len(p) >= archMinLen {
		return updateVPCLMUL(crc, p)
	}
	return updateSSE42(crc, p)
}

// archMinLen is the shortest input for the vector kernels: updateVPCLMUL
// loads 256 bytes before its first fold. Shorter inputs take one crc32
// stream (archUpdateShort).
const archMinLen = 256

// archUpdateShort is archUpdate for len(p) < archMinLen.
func archUpdateShort(crc uint32, p []byte) uint32 { return updateSSE42(crc, p) }

// updateSSE42 returns the (non-inverted) CRC state after p given the state
// crc, one 8-byte crc32 instruction at a time. It requires SSE4.2.
//
//go:noescape
func updateSSE42(crc uint32, p []byte) uint32

// hybridBlocks returns the rounds of the next hybridChunk for n >=
// 2·hybridBlock bytes: as many as fit, up to hybridMaxBlk. Streams an exact
// multiple of 4 KiB apart cost under 1 % (BenchmarkStreamSpacing), so there
// is no spacing rule.
func hybridBlocks(n int) int {
	return min(n/hybridBlock, hybridMaxBlk)
}

// copyNT copies n bytes from src to dst with non-temporal stores. It
// requires n > 0, n a multiple of 64, dst 64-byte aligned and AVX2.
//
//go:noescape
func copyNT(dst, src *byte, n int)

// copyPiece is the bytes UpdateCopy checksums before copying them: small
// enough that they are still in L1 when the copy reads them again.
const copyPiece = 16 << 10

func archUpdateCopy(crc uint32, dst, src []byte) uint32 {
	for len(src) > 0 {
		p := src[:min(len(src), copyPiece)]
		crc = archUpdate(crc, p)
		d := dst[:len(p)]
		// Whole aligned lines go through copyNT; the partial lines at
		// either end through copy.
		head := int(-uintptr(unsafe.Pointer(unsafe.SliceData(d))) & 63)
		head = min(head, len(p))
		body := (len(p) - head) &^ 63
		copy(d[:head], p[:head])
		if body > 0 {
			copyNT(&d[head], &p[head], body)
		}
		copy(d[head+body:], p[head+body:])
		src, dst = src[len(p):], dst[len(p):]
	}
	return crc
}
