//go:build !amd64 || purego

package heat

// useAVX2 is never set here; it exists so tests build everywhere.
var useAVX2 = false

// row is rowGo; only amd64 has a vector kernel.
func row(v, u, w, e, s, n, b, t []float64, c *coefs) { rowGo(v, u, w, e, s, n, b, t, c) }

// rows is rowsGo; only amd64 has a vector kernel.
func rows(v, u, b, t []float64, vo, uo, bo, to, n, nr, sx int, c *coefs) {
	rowsGo(v, u, b, t, vo, uo, bo, to, n, nr, sx, c)
}
