//go:build !amd64 || purego

package heat

// useAVX2 is never set here; it exists so tests build everywhere.
var useAVX2 = false

// rows is rowsGo; only amd64 has a vector kernel.
func rows(v, u, b, t []float64, vo, uo, bo, to, n, nr, sx int, c *coefs) {
	rowsGo(v, u, b, t, vo, uo, bo, to, n, nr, sx, c)
}

// rowsStream is rows: only amd64's kernel has non-temporal stores.
func rowsStream(v, u, b, t []float64, vo, uo, bo, to, n, nr, sx int, c *coefs) {
	rowsGo(v, u, b, t, vo, uo, bo, to, n, nr, sx, c)
}

func streamable(v []float64, vo, sx int) bool { return false }

func lastLevelCache() int { return 0 }
