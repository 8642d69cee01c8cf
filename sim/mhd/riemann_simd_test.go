//go:build goexperiment.simd && amd64

package mhd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomFaceState fills state t of a pencil with a random primitive state;
// some draws are degenerate (B_n = 0, no tangential field, tiny B_n) or
// supersonic, so that every branch of hlldGo is taken.
func randomFaceState(rng *rand.Rand, q *[7][]float64, t int, vscale float64) {
	q[0][t] = 0.05 + 2*rng.Float64()
	for m := 1; m <= 3; m++ {
		q[m][t] = vscale * (2*rng.Float64() - 1)
	}
	q[4][t] = 0.01 + 2*rng.Float64()
	q[5][t], q[6][t] = 2*rng.Float64()-1, 2*rng.Float64()-1
	if rng.IntN(8) == 0 {
		q[5][t], q[6][t] = 0, 0
	}
}

// TestHLLDSIMDMatchesGo: the AVX2 HLLD gives the scalar code's bits on
// random states, for every pencil length 1–23 and start offset 0–3.
func TestHLLDSIMDMatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU without AVX2: hlld is hlldGo")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	regions := map[string]int{}
	for L := 1; L <= 23; L++ {
		for off := 0; off < 4; off++ {
			for rep := 0; rep < 40; rep++ {
				n := off + L
				var pl, pr, fa, fb [7][]float64
				var sc [6][]float64
				for m := 0; m < 7; m++ {
					pl[m], pr[m] = make([]float64, n), make([]float64, n)
					fa[m], fb[m] = make([]float64, n), make([]float64, n)
				}
				for m := 0; m < 6; m++ {
					sc[m] = make([]float64, n)
				}
				bn := make([]float64, n)
				vscale := []float64{0.1, 1, 4}[rng.IntN(3)]
				for i := 0; i < n; i++ {
					randomFaceState(rng, &pl, i, vscale)
					randomFaceState(rng, &pr, i, vscale)
					switch rng.IntN(8) {
					case 0:
						bn[i] = 0
					case 1:
						bn[i] = 1e-9 * (2*rng.Float64() - 1)
					case 2: // identical states
						for m := 0; m < 7; m++ {
							pr[m][i] = pl[m][i]
						}
						bn[i] = 2*rng.Float64() - 1
					default:
						bn[i] = 2*rng.Float64() - 1
					}
				}
				var sl, sr, sa, sb [7][]float64
				var ss [6][]float64
				for m := 0; m < 7; m++ {
					sl[m], sr[m], sa[m], sb[m] = pl[m][off:], pr[m][off:], fa[m][off:], fb[m][off:]
				}
				for m := 0; m < 6; m++ {
					ss[m] = sc[m][off:]
				}
				hlld(L, 5.0/3, &sl, &sr, bn[off:], &sa, &ss)
				hlldGo(L, 5.0/3, &sl, &sr, bn[off:], &sb, &ss)
				for i := 0; i < L; i++ {
					regions[hlldRegion(5.0/3, &sl, &sr, bn[off:], i)]++
					for m := 0; m < 7; m++ {
						if math.Float64bits(sa[m][i]) != math.Float64bits(sb[m][i]) {
							t.Fatalf("L=%d off=%d face %d flux %d: AVX2 %v, Go %v", L, off, i, m, sa[m][i], sb[m][i])
						}
					}
				}
			}
		}
	}
	t.Logf("faces per HLLD region: %v", regions)
	for _, r := range []string{"FL", "FR", "F*L", "F**L", "F**R", "F*R"} {
		if regions[r] == 0 {
			t.Errorf("no random face fell in region %s", r)
		}
	}
}

// hlldRegion names the HLLD region hlldGo picks for face i (for coverage).
func hlldRegion(gamma float64, pl, pr *[7][]float64, bn []float64, i int) string {
	var l, r, f [7][]float64
	var sc [6][]float64
	for m := 0; m < 7; m++ {
		l[m], r[m], f[m] = pl[m][i:i+1], pr[m][i:i+1], make([]float64, 1)
	}
	for m := 0; m < 6; m++ {
		sc[m] = make([]float64, 1)
	}
	hlldGo(1, gamma, &l, &r, bn[i:i+1], &f, &sc)
	s0, s4 := sc[4][0], sc[5][0]
	if s0 >= 0 {
		return "FL"
	}
	if s4 <= 0 {
		return "FR"
	}
	d1, u1, d2, u2 := l[0][0], l[1][0], r[0][0], r[1][0]
	pt1, pt2 := sc[1][0], sc[3][0]
	sdl1, sdr2 := (s0-u1)*d1, (s4-u2)*d2
	s2 := ((sdr2*u2 - sdl1*u1) + (pt1 - pt2)) / (sdr2 - sdl1)
	abx := math.Abs(bn[i])
	s1 := s2 - abx/math.Sqrt(sdl1/(s0-s2))
	s3 := s2 + abx/math.Sqrt(sdr2/(s4-s2))
	switch {
	case s1 >= 0:
		return "F*L"
	case s2 >= 0:
		return "F**L"
	case s3 > 0:
		return "F**R"
	}
	return "F*R"
}
