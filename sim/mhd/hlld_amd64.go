//go:build amd64 && !purego && !goexperiment.simd

package mhd

//go:generate sh -c "python3 asmgen/hlld.py > hlld_amd64.s"

import (
	"math"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useHLLDAsm selects the AVX2 HLLD kernel (its tests skip without it).
var useHLLDAsm = cpu.X86.HasAVX2

// hlldArgs is what hlldAVX2 reads: the first element of each pencil (the
// kernel indexes them all with one offset) and the scalars it broadcasts.
// The assembly addresses the fields by byte offset (see the checks below).
type hlldArgs struct {
	pl, pr, f [7]*float64
	bn        *float64
	k         [9]float64 // γ, 1/(γ−1), 1, 0.5, 4, smallNumber, −1, 0, |x| mask
}

// The offsets hlld_amd64.s uses; a layout change fails to compile here.
var (
	_ = [1]struct{}{}[unsafe.Offsetof(hlldArgs{}.pr)-56]
	_ = [1]struct{}{}[unsafe.Offsetof(hlldArgs{}.f)-112]
	_ = [1]struct{}{}[unsafe.Offsetof(hlldArgs{}.bn)-168]
	_ = [1]struct{}{}[unsafe.Offsetof(hlldArgs{}.k)-176]
)

// hlldAVX2 is hlldGo on faces [0, n), n >= 4, four faces per instruction,
// with hlldGo's bits (hlld_amd64.s). A last group of fewer than four is
// done as the pencil's last four faces, recomputing some with the same bits.
//
//go:noescape
func hlldAVX2(a *hlldArgs, n int)

// hlldVec runs the AVX2 kernel on the whole pencil and reports whether it
// did: not if the CPU lacks AVX2 or L < 4 (the caller then runs hlldGo). f
// must not overlap the inputs, as some faces may be computed twice.
func hlldVec(L int, gamma float64, pl, pr *[7][]float64, bn []float64, f *[7][]float64) bool {
	if !useHLLDAsm || L < 4 {
		return false
	}
	a := hlldArgs{k: [9]float64{gamma, 1 / (gamma - 1), 1, 0.5, 4, smallNumber, -1, 0,
		math.Float64frombits(1<<63 - 1)}}
	n := L - 1
	for m := 0; m < 7; m++ {
		// Bounds checks here keep the kernel inside the slices.
		_, _, _ = pl[m][n], pr[m][n], f[m][n]
		a.pl[m], a.pr[m], a.f[m] = &pl[m][0], &pr[m][0], &f[m][0]
	}
	_ = bn[n]
	a.bn = &bn[0]
	hlldAVX2(&a, L)
	return true
}
