//go:build !purego

package heat

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly tile kernel; tests turn it off to compare.
var useAVX2 = cpu.X86.HasAVX2

// rowsAVX2 is rowsGo on raw pointers (v, u, b, t at vo, uo, bo, to), any n.
//
//go:noescape
func rowsAVX2(v, u, b, t *float64, n, rows, sx int, c *coefs)

// rows is rowsGo, vectorised where the CPU allows. It checks the whole
// tile's index ranges once, where rowsGo checks eight slices per row.
func rows(v, u, b, t []float64, vo, uo, bo, to, n, nr, sx int, c *coefs) {
	if n <= 0 || nr <= 0 {
		return
	}
	last := (nr - 1) * sx
	if !useAVX2 || sx < 1 || vo < 0 || vo+last+n > len(v) || uo-sx < 0 || uo+last+sx+n > len(u) ||
		bo < 0 || bo+last+n > len(b) || to < 0 || to+last+n > len(t) {
		rowsGo(v, u, b, t, vo, uo, bo, to, n, nr, sx, c) // out of range: it panics as slicing does
		return
	}
	rowsAVX2(&v[vo], &u[uo], &b[bo], &t[to], n, nr, sx, c)
}
