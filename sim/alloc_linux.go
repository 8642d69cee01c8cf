package sim

import (
	"syscall"
	"unsafe"
)

// hugePage is the transparent huge page size of x86-64 and arm64 Linux.
const hugePage = 2 << 20

// adviseHuge asks the kernel to back the whole 2 MiB pages inside f with
// transparent huge pages (madvise MADV_HUGEPAGE), before anything touches
// them. A field sweep streams through tens of megabytes; with 4 KiB pages
// the hardware prefetchers stop at every page boundary and the TLB misses
// on every plane, and on the machine of BENCHMARKS.md heat's step runs
// 5–7 % faster with huge pages. Go's heap does not ask for them, and most
// distributions enable them only where asked ("madvise"). Fields smaller
// than a few huge pages are left alone. It returns the madvise error, which
// callers ignore: the advice is only an optimisation (kernels without THP
// answer EINVAL).
func adviseHuge(f []float64) error {
	if len(f)*8 < 4*hugePage {
		return nil
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), len(f)*8)
	start := uintptr(unsafe.Pointer(&b[0]))
	lo := int((start+hugePage-1)&^(hugePage-1) - start)
	hi := int((start+uintptr(len(b)))&^(hugePage-1) - start)
	if hi <= lo {
		return nil
	}
	return syscall.Madvise(b[lo:hi], syscall.MADV_HUGEPAGE)
}
