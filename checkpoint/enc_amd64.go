//go:build amd64 && !purego

package checkpoint

import (
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

//go:generate go run ./encgen -o enc_amd64.s

// The fused kernels need AVX2 (VPSHUFB products, 256-bit loads) and
// 256-bit carry-less multiplication (VPCLMULQDQ with VEX encoding).
var fusedCPU = cpuid.CPU.Supports(cpuid.AVX2, cpuid.CLMUL, cpuid.VPCLMULQDQ)

// The kernels below are generated (encgen); each codes n bytes of every
// shard of one (k, m) shape. ptrs holds k data then m parity pointers; st
// holds each shard's non-inverted CRC-32C state, updated in place.

//go:noescape
func fused4x1(tab *byte, ptrs *unsafe.Pointer, n int, st *uint32)

//go:noescape
func fused4x2(tab *byte, ptrs *unsafe.Pointer, n int, st *uint32)

//go:noescape
func fused8x2(tab *byte, ptrs *unsafe.Pointer, n int, st *uint32)

// fusedFunc returns the kernel for k data and m parity shards, or nil.
func fusedFunc(k, m int) func(tab *byte, ptrs *unsafe.Pointer, n int, st *uint32) {
	if !fusedCPU {
		return nil
	}
	switch [2]int{k, m} {
	case [2]int{4, 1}:
		return fused4x1
	case [2]int{4, 2}:
		return fused4x2
	case [2]int{8, 2}:
		return fused8x2
	}
	return nil
}
