//go:build !amd64 || purego || goexperiment.simd

package mhd

// useHLLDAsm is never set here; it exists so the tests build everywhere.
var useHLLDAsm = false

// hlldVec reports that it did nothing: only amd64 without the purego tag
// has the assembly kernel (GOEXPERIMENT=simd builds use riemann_simd.go).
func hlldVec(L int, gamma float64, pl, pr *[7][]float64, bn []float64, f *[7][]float64) bool {
	return false
}
