//go:build !purego

package heat

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly row kernel; tests turn it off to compare.
var useAVX2 = cpu.X86.HasAVX2

// rowAVX2 is rowGo over the first n elements, n a multiple of 4, four cells
// per instruction. Its arguments are the first elements of the rows.
//
//go:noescape
func rowAVX2(v, u, w, e, s, nn, b, t *float64, n int, c *coefs)

// row is rowGo, vectorised where the CPU allows.
func row(v, u, w, e, s, n, b, t []float64, c *coefs) {
	if m := len(v) &^ 3; useAVX2 && m > 0 {
		_, _, _, _, _, _, _ = u[m-1], w[m-1], e[m-1], s[m-1], n[m-1], b[m-1], t[m-1]
		rowAVX2(&v[0], &u[0], &w[0], &e[0], &s[0], &n[0], &b[0], &t[0], m, c)
		v, u, w, e, s, n, b, t = v[m:], u[m:], w[m:], e[m:], s[m:], n[m:], b[m:], t[m:]
	}
	rowGo(v, u, w, e, s, n, b, t, c)
}

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
