//go:build !(goexperiment.simd && amd64)

package mhd

// hlld is the HLLD flux of L faces (see hlldGo). On amd64 with AVX2 an
// assembly kernel with the same bits (hlld_amd64.s) does pencils of four or
// more faces; builds with GOEXPERIMENT=simd on amd64 use the archsimd
// version in riemann_simd.go instead.
func hlld(L int, gamma float64, pl, pr *[7][]float64, bn []float64, f *[7][]float64, scratch *[6][]float64) {
	if !hlldVec(L, gamma, pl, pr, bn, f) {
		hlldGo(L, gamma, pl, pr, bn, f, scratch)
	}
}
