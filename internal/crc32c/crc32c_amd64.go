//go:build amd64 && !purego

package crc32c

import "github.com/klauspost/cpuid/v2"

// The kernel needs 256-bit carry-less multiplication (VPCLMULQDQ with VEX
// encoding, which x/sys/cpu only reports together with AVX-512) and AVX2,
// which cpuid only reports when the OS saves YMM state.
var archAvailable = cpuid.CPU.Supports(cpuid.SSE42, cpuid.CLMUL, cpuid.AVX2, cpuid.VPCLMULQDQ)

// archMinLen is the shortest input given to the kernel: it loads 256 bytes
// before its first fold, and below a few hundred bytes its fixed reduction
// cost outweighs the gain over hash/crc32.
const archMinLen = 256

// foldK holds the multipliers the kernel reads, one 16-byte pair per fold
// distance, in the order the assembly expects.
var foldK = [5][2]uint64{foldPair(256), foldPair(128), foldPair(64), foldPair(32), foldPair(16)}

// updateVPCLMUL returns the (non-inverted) CRC state after p given the state
// crc. It requires len(p) >= 256 and the CPU features in archAvailable.
//
//go:noescape
func updateVPCLMUL(crc uint32, p []byte) uint32

func archUpdate(crc uint32, p []byte) uint32 { return updateVPCLMUL(crc, p) }
