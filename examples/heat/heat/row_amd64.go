//go:build !purego

package heat

import (
	"unsafe"

	"github.com/klauspost/cpuid/v2"
	"golang.org/x/sys/cpu"
)

// useAVX2 selects the assembly tile kernel; tests turn it off to compare.
var useAVX2 = cpu.X86.HasAVX2

// rowsAVX2 is rowsGo on raw pointers (v, u, b, t at vo, uo, bo, to), any n;
// with stream its vector stores bypass the caches (v's rows 32-byte aligned).
//
//go:noescape
func rowsAVX2(v, u, b, t *float64, n, rows, sx int, c *coefs, stream bool)

// rows is rowsGo, vectorised where the CPU allows. It checks the whole
// tile's index ranges once, where rowsGo checks eight slices per row.
func rows(v, u, b, t []float64, vo, uo, bo, to, n, nr, sx int, c *coefs) {
	rowsTo(v, u, b, t, vo, uo, bo, to, n, nr, sx, c, false)
}

// rowsStream is rows with non-temporal stores where v's rows allow them
// (streamable), ordinary ones elsewhere; the bits are the same.
func rowsStream(v, u, b, t []float64, vo, uo, bo, to, n, nr, sx int, c *coefs) {
	rowsTo(v, u, b, t, vo, uo, bo, to, n, nr, sx, c, streamable(v, vo, sx))
}

func rowsTo(v, u, b, t []float64, vo, uo, bo, to, n, nr, sx int, c *coefs, stream bool) {
	if n <= 0 || nr <= 0 {
		return
	}
	last := (nr - 1) * sx
	if !useAVX2 || sx < 1 || vo < 0 || vo+last+n > len(v) || uo-sx < 0 || uo+last+sx+n > len(u) ||
		bo < 0 || bo+last+n > len(b) || to < 0 || to+last+n > len(t) {
		rowsGo(v, u, b, t, vo, uo, bo, to, n, nr, sx, c) // out of range: it panics as slicing does
		return
	}
	rowsAVX2(&v[vo], &u[uo], &b[bo], &t[to], n, nr, sx, c, stream)
}

// streamable reports whether every row of v from vo on, sx apart, starts
// on a 32-byte boundary, as the non-temporal vector store requires.
func streamable(v []float64, vo, sx int) bool {
	return useAVX2 && vo >= 0 && vo < len(v) && sx%4 == 0 && uintptr(unsafe.Pointer(&v[vo]))%32 == 0
}

// lastLevelCache is the size in bytes of this CPU's last-level cache, or
// 0 where cpuid does not say.
func lastLevelCache() int {
	return max(cpuid.CPU.Cache.L3, cpuid.CPU.Cache.L2, 0)
}
