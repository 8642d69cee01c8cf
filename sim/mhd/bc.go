package mhd

import (
	"context"

	"github.com/apollo-hpc/apollo/sim"
)

// Serial ghost fill for a single block that owns the whole domain: periodic,
// outflow (zero gradient) or reflecting (a mirror plane) per face. Inactive axes (one cell)
// are always periodic. Axes are filled in order x, y, z over the full
// extent of the others, so edges and corners come out right.

// fillSerial fills every ghost of the conserved cell fields and face B.
func (s *solver) fillSerial(_ context.Context, u *[nCons][]float64, b *[3][]float64) error {
	for m := 0; m < nCons; m++ {
		var flip [3]bool
		if m >= iM1 && m <= iM3 {
			flip[m-iM1] = true // normal momentum
		}
		s.fillArray(u[m], -1, flip)
	}
	for d := 0; d < 3; d++ {
		// B is an axial vector: a mirror plane normal to axis a keeps B_a
		// and flips the tangential components.
		flip := [3]bool{true, true, true}
		flip[d] = false
		s.fillArray(b[d], d, flip)
	}
	return nil
}

// fillArray fills the ghosts of one array. face is the face direction of a
// face field (−1 for a cell field); flip[a] says whether the quantity
// changes sign when mirrored across a reflecting wall normal to axis a.
func (s *solver) fillArray(q []float64, face int, flip [3]bool) {
	var tot, st [3]int
	for e := 0; e < 3; e++ {
		tot[e] = s.s[e]
		if e == face {
			tot[e]++
		}
	}
	st[0], st[1], st[2] = 1, tot[0], tot[0]*tot[1]
	g := s.ng
	for e := 0; e < 3; e++ {
		e1, e2 := (e+1)%3, (e+2)%3
		n := s.n[e]
		isFace := e == face
		lowBC, highBC := s.bcs[e][0], s.bcs[e][1]
		if !s.active[e] {
			lowBC, highBC = sim.Periodic, sim.Periodic
		}
		sign := 1.0
		if flip[e] {
			sign = -1
		}
		for o2 := 0; o2 < tot[e2]; o2++ {
			for o1 := 0; o1 < tot[e1]; o1++ {
				base := o1*st[e1] + o2*st[e2]
				for gg := 1; gg <= g; gg++ {
					// Low side: local index −gg.
					var src int
					sg := 1.0
					switch lowBC {
					case sim.Periodic:
						src = n - gg
					case sim.Outflow:
						src = 0
					default:
						sg = sign
						if isFace {
							src = gg
						} else {
							src = gg - 1
						}
					}
					q[base+(g-gg)*st[e]] = float64(sg * q[base+(src+g)*st[e]])
					// High side: local index n−1+gg (cells) or n+gg (faces).
					dst := n - 1 + gg
					sg = 1.0
					switch highBC {
					case sim.Periodic:
						src = gg - 1
					case sim.Outflow:
						src = n - 1
					default:
						sg = sign
						src = n - gg
					}
					if isFace {
						dst = n + gg
						switch highBC {
						case sim.Periodic:
							src = gg
						case sim.Outflow:
							src = n
						default:
							src = n - gg
						}
					}
					q[base+(dst+g)*st[e]] = float64(sg * q[base+(src+g)*st[e]])
				}
			}
		}
	}
}
