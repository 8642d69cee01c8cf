//go:build !amd64 || purego

package checkpoint

import "unsafe"

// fusedFunc: no fused kernels on this architecture or under purego; the
// encoder codes with klauspost/reedsolomon and checksums afterwards.
func fusedFunc(k, m int) func(tab *byte, ptrs *unsafe.Pointer, n int, st *uint32) {
	return nil
}
