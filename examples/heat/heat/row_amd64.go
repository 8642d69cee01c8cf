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
