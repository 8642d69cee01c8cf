//go:build !(goexperiment.simd && amd64)

package mhd

// hlld is the HLLD flux of L faces (see hlldGo). On amd64 with AVX2 the
// assembly kernel (hlld_amd64.s) does the faces in groups of four with the
// same bits, and hlldGo the remaining L mod 4; builds with GOEXPERIMENT=simd
// on amd64 use the archsimd version in riemann_simd.go instead.
func hlld(L int, gamma float64, pl, pr *[7][]float64, bn []float64, f *[7][]float64, scratch *[6][]float64) {
	n4 := hlldVec(L, gamma, pl, pr, bn, f)
	if n4 == 0 {
		hlldGo(L, gamma, pl, pr, bn, f, scratch)
		return
	}
	if n4 == L {
		return
	}
	var tl, tr, tf [7][]float64
	var ts [6][]float64
	for m := 0; m < 7; m++ {
		tl[m], tr[m], tf[m] = pl[m][n4:L], pr[m][n4:L], f[m][n4:L]
	}
	for m := 0; m < 6; m++ {
		ts[m] = scratch[m][n4:L]
	}
	hlldGo(L-n4, gamma, &tl, &tr, bn[n4:L], &tf, &ts)
}
