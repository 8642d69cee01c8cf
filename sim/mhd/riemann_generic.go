//go:build !(goexperiment.simd && amd64)

package mhd

// hlld is the HLLD flux of L faces (see hlldGo); builds with
// GOEXPERIMENT=simd on amd64 use a 4-wide AVX2 version with the same bits.
func hlld(L int, gamma float64, pl, pr *[7][]float64, bn []float64, f *[7][]float64, scratch *[6][]float64) {
	hlldGo(L, gamma, pl, pr, bn, f, scratch)
}
