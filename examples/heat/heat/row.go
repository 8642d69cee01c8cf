package heat

// coefs are the stencil weights c0, cx, cy, cz in the order the row kernels
// read them.
type coefs [4]float64

// rowGo writes v[i] = c0·u[i] + cx(w[i]+e[i]) + cy(s[i]+n[i]) + cz(b[i]+t[i])
// for every i of v. The float64 conversions forbid the compiler from fusing
// a multiply and an add (the spec allows it otherwise), so this gives the
// same bits as the vector kernel, which adds and multiplies separately in
// this order, on every architecture and GOAMD64 level.
func rowGo(v, u, w, e, s, n, b, t []float64, c *coefs) {
	c0, cx, cy, cz := c[0], c[1], c[2], c[3]
	u, w, e = u[:len(v)], w[:len(v)], e[:len(v)]
	s, n, b, t = s[:len(v)], n[:len(v)], b[:len(v)], t[:len(v)]
	for i := range v {
		v[i] = float64(float64(float64(c0*u[i])+float64(cx*(w[i]+e[i])))+float64(cy*(s[i]+n[i]))) + float64(cz*(b[i]+t[i]))
	}
}

// rowsGo applies rowGo to rows rows of n cells, row r of v starting at
// vo + r·sx, its centre in u at uo + r·sx with the x neighbours beside it
// and the y neighbours one stride sx away, its z neighbours in b and t at
// bo + r·sx and to + r·sx.
func rowsGo(v, u, b, t []float64, vo, uo, bo, to, n, rows, sx int, c *coefs) {
	for r := 0; r < rows; r++ {
		o, p, q, s := vo+r*sx, uo+r*sx, bo+r*sx, to+r*sx
		rowGo(v[o:o+n], u[p:p+n], u[p-1:p-1+n], u[p+1:p+1+n], u[p-sx:p-sx+n], u[p+sx:p+sx+n], b[q:q+n], t[s:s+n], c)
	}
}
