//go:build amd64 && !purego && !goexperiment.simd

package mhd

import (
	"math"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useHLLDAsm selects the AVX2 HLLD kernel; tests turn it off to compare.
var useHLLDAsm = cpu.X86.HasAVX2

// hlldArgs is what hlldAVX2 reads: the first element of each pencil (the
// kernel indexes them all with one offset) and the scalars it broadcasts.
// The assembly addresses the fields by byte offset (see the checks below).
type hlldArgs struct {
	pl, pr, f [7]*float64
	sc        [6]*float64 // unused by the one-pass kernel; keeps the layout
	bn        *float64
	k         [9]float64 // γ, 1/(γ−1), 1, 0.5, 4, smallNumber, −1, 0, |x| mask
}

// The offsets hlld_amd64.s uses; a layout change fails to compile here.
var (
	_ = [1]struct{}{}[unsafe.Offsetof(hlldArgs{}.pr)-56]
	_ = [1]struct{}{}[unsafe.Offsetof(hlldArgs{}.f)-112]
	_ = [1]struct{}{}[unsafe.Offsetof(hlldArgs{}.bn)-216]
	_ = [1]struct{}{}[unsafe.Offsetof(hlldArgs{}.k)-224]
)

// hlldAVX2 is hlldGo on faces [0, n), n a positive multiple of 4, four
// faces per instruction, with hlldGo's bits (hlld_amd64.s).
//
//go:noescape
func hlldAVX2(a *hlldArgs, n int)

// hlldVec runs the AVX2 kernel on the largest multiple of 4 faces of the
// pencil and returns that count; the caller does the rest with hlldGo.
func hlldVec(L int, gamma float64, pl, pr *[7][]float64, bn []float64, f *[7][]float64) int {
	n := L &^ 3
	if !useHLLDAsm || n <= 0 {
		return 0
	}
	a := hlldArgs{k: [9]float64{gamma, 1 / (gamma - 1), 1, 0.5, 4, smallNumber, -1, 0,
		math.Float64frombits(1<<63 - 1)}}
	for m := 0; m < 7; m++ {
		// Bounds checks here keep the kernel inside the slices.
		_, _, _ = pl[m][n-1], pr[m][n-1], f[m][n-1]
		a.pl[m], a.pr[m], a.f[m] = &pl[m][0], &pr[m][0], &f[m][0]
	}
	_ = bn[n-1]
	a.bn = &bn[0]
	hlldAVX2(&a, n)
	return n
}
