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
					regions[hlldRegionOf(5.0/3, &sl, &sr, bn[off:], i)]++
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

// TestPrimRowSIMDMatchesGo: the AVX2 primitives give primRowGo's bits and
// floor hits for every row length 1–23, with cells below the density or
// pressure floor scattered in.
func TestPrimRowSIMDMatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU without AVX2: primRow is primRowGo")
	}
	rng := rand.New(rand.NewPCG(5, 9))
	mk := func(n int) primRowArgs {
		v := func() []float64 { return make([]float64, n) }
		return primRowArgs{bxl: v(), bxr: v(), byl: v(), byr: v(), bzl: v(), bzr: v(),
			rd: v(), rm1: v(), rm2: v(), rm3: v(), ren: v(),
			od: v(), ov1: v(), ov2: v(), ov3: v(), op: v(), ob1: v(), ob2: v(), ob3: v(), oe1: v(), oe2: v(), oe3: v(),
			gm1: 2.0 / 3, dfloor: 1e-10, pfloor: 1e-12}
	}
	for n := 1; n <= 23; n++ {
		for rep := 0; rep < 30; rep++ {
			a, b := mk(n), mk(n)
			in := [][2][]float64{{a.bxl, b.bxl}, {a.bxr, b.bxr}, {a.byl, b.byl}, {a.byr, b.byr}, {a.bzl, b.bzl}, {a.bzr, b.bzr},
				{a.rm1, b.rm1}, {a.rm2, b.rm2}, {a.rm3, b.rm3}}
			for _, p := range in {
				for i := range p[0] {
					p[0][i] = rng.NormFloat64()
					p[1][i] = p[0][i]
				}
			}
			for i := 0; i < n; i++ {
				a.rd[i] = 0.1 + rng.Float64()
				a.ren[i] = 20 * rng.Float64() // some below the kinetic+magnetic energy
				switch rng.IntN(10) {
				case 0:
					a.rd[i] = 1e-12
				case 1:
					a.rd[i] = -0.5
				}
				b.rd[i], b.ren[i] = a.rd[i], a.ren[i]
			}
			a.inLo, a.inHi = 1, n-1
			b.inLo, b.inHi = 1, n-1
			ha, hb := primRow(&a, n), primRowGo(&b, 0, n)
			if ha != hb {
				t.Fatalf("n=%d: floor hits %d vs %d", n, ha, hb)
			}
			out := [][2][]float64{{a.rd, b.rd}, {a.ren, b.ren}, {a.od, b.od}, {a.ov1, b.ov1}, {a.ov2, b.ov2}, {a.ov3, b.ov3}, {a.op, b.op},
				{a.ob1, b.ob1}, {a.ob2, b.ob2}, {a.ob3, b.ob3}, {a.oe1, b.oe1}, {a.oe2, b.oe2}, {a.oe3, b.oe3}}
			for k, p := range out {
				for i := range p[0] {
					if math.Float64bits(p[0][i]) != math.Float64bits(p[1][i]) {
						t.Fatalf("n=%d array %d cell %d: AVX2 %v, Go %v", n, k, i, p[0][i], p[1][i])
					}
				}
			}
		}
	}
}

// TestCornerSIMDMatchesGo: the AVX2 corner EMFs give the scalar bits for
// every row length 1–23.
func TestCornerSIMDMatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("CPU without AVX2")
	}
	rng := rand.New(rand.NewPCG(13, 17))
	rnd := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	for n := 1; n <= 23; n++ {
		for rep := 0; rep < 20; rep++ {
			var a cornerRowArgs
			a.o = make([]float64, n)
			for _, p := range []*[]float64{&a.ec0, &a.ecB, &a.eb0, &a.ebC, &a.cc0, &a.ccB, &a.ccC, &a.ccBC} {
				*p = rnd(n)
			}
			for _, p := range []*[]float64{&a.wb0, &a.wbC, &a.wc0, &a.wcB} {
				*p = rnd(n)
				for i := range *p {
					(*p)[i] = math.Max(-0.5, math.Min(0.5, (*p)[i]))
				}
			}
			b := a
			b.o = make([]float64, n)
			cornerRow(&a)
			cornerRowGo(&b, 0, n)
			for i := 0; i < n; i++ {
				if math.Float64bits(a.o[i]) != math.Float64bits(b.o[i]) {
					t.Fatalf("n=%d edge %d: corner AVX2 %v, Go %v", n, i, a.o[i], b.o[i])
				}
			}
		}
	}
}
