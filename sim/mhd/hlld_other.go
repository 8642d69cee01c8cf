//go:build !amd64 || purego || goexperiment.simd

package mhd

// useHLLDAsm is never set here; it exists so the tests build everywhere.
var useHLLDAsm = false

// hlldVec does nothing: only amd64 without purego has the assembly kernel
// (GOEXPERIMENT=simd builds use hlld4 in riemann_simd.go instead).
func hlldVec(L int, gamma float64, pl, pr *[7][]float64, bn []float64, f *[7][]float64) int {
	return 0
}
