package mhd

import (
	"math"

	"github.com/apollo-hpc/apollo/sim"
)

// maxDivB is the largest |∇·B| over interior cells (face-centred
// divergence, the quantity CT keeps at round-off).
func (s *solver) maxDivB() float64 {
	mx := 0.0
	for k := 0; k < s.n[2]; k++ {
		for j := 0; j < s.n[1]; j++ {
			for i := 0; i < s.n[0]; i++ {
				dv := (s.b[0][s.fidx(0, i+1, j, k)]-s.b[0][s.fidx(0, i, j, k)])/s.dx[0] +
					(s.b[1][s.fidx(1, i, j+1, k)]-s.b[1][s.fidx(1, i, j, k)])/s.dx[1] +
					(s.b[2][s.fidx(2, i, j, k+1)]-s.b[2][s.fidx(2, i, j, k)])/s.dx[2]
				mx = math.Max(mx, math.Abs(dv))
			}
		}
	}
	return mx
}

// totals returns the interior sums of the conserved cell variables times the
// cell volume (mass, momentum, total energy). The sums are exact (then
// rounded once), so conservation is measured without summation error.
func (s *solver) totals() [nCons]float64 {
	var tot [nCons]float64
	vol := float64(s.dx[0] * s.dx[1] * s.dx[2])
	var acc sim.ExactSum
	for m := 0; m < nCons; m++ {
		acc.Reset()
		q := s.u[m]
		for k := 0; k < s.n[2]; k++ {
			for j := 0; j < s.n[1]; j++ {
				c0 := s.cidx(0, j, k)
				for i := 0; i < s.n[0]; i++ {
					acc.Add(q[c0+i])
				}
			}
		}
		tot[m] = float64(acc.Float64() * vol)
	}
	return tot
}
