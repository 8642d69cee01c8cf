package mhd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// hlldRandState fills face t of a pencil with a random primitive state; some
// draws have no tangential field, so that the degenerate branches are taken.
func hlldRandState(rng *rand.Rand, q *[7][]float64, t int, vscale float64) {
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

// hlldRegionOf names the region hlldGo picks for face i: FL, FR, F*L, F**L,
// F**R or F*R (the same expressions as hlldGo, for test coverage).
func hlldRegionOf(gamma float64, pl, pr *[7][]float64, bn []float64, i int) string {
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

// TestHLLDAsmMatchesGo: hlld (the AVX2 assembly kernel on groups of four
// faces, hlldGo on the rest) gives hlldGo's bits on random states, with
// B_n = 0, tiny B_n, identical states, no tangential field and supersonic
// flows mixed in, for every pencil length 0–70 and slice offsets 0–4, and
// writes nothing past the pencil's end.
func TestHLLDAsmMatchesGo(t *testing.T) {
	if !useHLLDAsm {
		t.Skip("no assembly HLLD in this build (needs amd64 with AVX2, no purego tag, no GOEXPERIMENT=simd): hlld is hlldGo")
	}
	const gamma = 5.0 / 3
	rng := rand.New(rand.NewPCG(3, 29))
	regions := map[string]int{}
	sentinel := math.Float64frombits(0x7ff8dead0000beef)
	for L := 0; L <= 70; L++ {
		for off := 0; off < 5; off++ {
			reps := 12
			if L < 12 {
				reps = 40
			}
			for rep := 0; rep < reps; rep++ {
				n := off + L + 3
				var pl, pr, fa, fb [7][]float64
				var sc [6][]float64
				for m := 0; m < 7; m++ {
					pl[m], pr[m] = make([]float64, n), make([]float64, n)
					fa[m], fb[m] = make([]float64, n), make([]float64, n)
					for i := range fa[m] {
						fa[m][i], fb[m][i] = sentinel, sentinel
					}
				}
				for m := 0; m < 6; m++ {
					sc[m] = make([]float64, n)
				}
				bn := make([]float64, n)
				vscale := []float64{0.1, 1, 4}[rng.IntN(3)]
				for i := 0; i < n; i++ {
					hlldRandState(rng, &pl, i, vscale)
					hlldRandState(rng, &pr, i, vscale)
					switch rng.IntN(10) {
					case 0:
						bn[i] = 0
					case 1:
						bn[i] = 1e-9 * (2*rng.Float64() - 1)
					case 2: // near the rotation guard 0.5 bx² ≈ smallNumber·p*
						bn[i] = math.Sqrt(2*smallNumber*pl[4][i]) * (0.5 + rng.Float64())
					case 3: // identical states
						for m := 0; m < 7; m++ {
							pr[m][i] = pl[m][i]
						}
						bn[i] = 2*rng.Float64() - 1
					case 4: // identical states, B_n = 0 and no tangential field
						for m := 0; m < 7; m++ {
							pr[m][i] = pl[m][i]
						}
						pl[5][i], pl[6][i], pr[5][i], pr[6][i] = 0, 0, 0, 0
						bn[i] = 0
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
				hlld(L, gamma, &sl, &sr, bn[off:], &sa, &ss)
				hlldGo(L, gamma, &sl, &sr, bn[off:], &sb, &ss)
				for i := 0; i < L; i++ {
					regions[hlldRegionOf(gamma, &sl, &sr, bn[off:], i)]++
				}
				for m := 0; m < 7; m++ {
					for i := 0; i < n; i++ {
						if math.Float64bits(fa[m][i]) != math.Float64bits(fb[m][i]) {
							t.Fatalf("L=%d off=%d face %d flux %d: asm %v (%#x), Go %v (%#x)", L, off, i-off, m,
								fa[m][i], math.Float64bits(fa[m][i]), fb[m][i], math.Float64bits(fb[m][i]))
						}
					}
				}
			}
		}
	}
	t.Logf("faces per HLLD region: %v", regions)
	for _, r := range []string{"FL", "FR", "F*L", "F**L", "F**R", "F*R"} {
		if regions[r] < 100 {
			t.Errorf("only %d random faces fell in region %s", regions[r], r)
		}
	}
}

// TestHLLDAsmUniformLanes: groups of four faces of one kind (B_n = 0 or
// tiny, so no U** on any face; supersonic either way; identical states;
// random) give hlldGo's bits. Such groups take the kernel's fast suffixes,
// which leave out the blends no face of the group needs.
func TestHLLDAsmUniformLanes(t *testing.T) {
	if !useHLLDAsm {
		t.Skip("no assembly HLLD in this build (needs amd64 with AVX2, no purego tag, no GOEXPERIMENT=simd)")
	}
	const gamma, L = 1.4, 64
	rng := rand.New(rand.NewPCG(17, 5))
	for rep := 0; rep < 400; rep++ {
		var pl, pr, fa, fb [7][]float64
		var sc [6][]float64
		for m := 0; m < 7; m++ {
			pl[m], pr[m], fa[m], fb[m] = make([]float64, L), make([]float64, L), make([]float64, L), make([]float64, L)
		}
		for m := 0; m < 6; m++ {
			sc[m] = make([]float64, L)
		}
		bn := make([]float64, L)
		// One kind of face per group of four, chosen per group.
		for g := 0; g < L; g += 4 {
			kind := rng.IntN(6)
			vscale := []float64{0.1, 1, 4}[rng.IntN(3)]
			for i := g; i < g+4; i++ {
				hlldRandState(rng, &pl, i, vscale)
				hlldRandState(rng, &pr, i, vscale)
				switch kind {
				case 0:
					bn[i] = 0
				case 1:
					bn[i] = 1e-9 * (2*rng.Float64() - 1)
				case 2: // supersonic to the right: FL
					pl[1][i], pr[1][i] = 20+rng.Float64(), 20+rng.Float64()
					bn[i] = 2*rng.Float64() - 1
				case 3: // supersonic to the left: FR
					pl[1][i], pr[1][i] = -20-rng.Float64(), -20-rng.Float64()
					bn[i] = 2*rng.Float64() - 1
				case 4:
					for m := 0; m < 7; m++ {
						pr[m][i] = pl[m][i]
					}
					bn[i] = 2*rng.Float64() - 1
				default:
					bn[i] = 2*rng.Float64() - 1
				}
			}
		}
		hlld(L, gamma, &pl, &pr, bn, &fa, &sc)
		hlldGo(L, gamma, &pl, &pr, bn, &fb, &sc)
		for m := 0; m < 7; m++ {
			for i := 0; i < L; i++ {
				if math.Float64bits(fa[m][i]) != math.Float64bits(fb[m][i]) {
					t.Fatalf("rep %d face %d flux %d: asm %v, Go %v", rep, i, m, fa[m][i], fb[m][i])
				}
			}
		}
	}
}

// BenchmarkHLLD times hlld and hlldGo on pencils of 65 faces (a 64³ sweep's
// length) of random states, in ns per face.
func BenchmarkHLLD(b *testing.B) {
	const L, pencils = 65, 64
	rng := rand.New(rand.NewPCG(1, 2))
	type pencil struct {
		pl, pr, f [7][]float64
		sc        [6][]float64
		bn        []float64
	}
	ps := make([]pencil, pencils)
	for k := range ps {
		p := &ps[k]
		for m := 0; m < 7; m++ {
			p.pl[m], p.pr[m], p.f[m] = make([]float64, L), make([]float64, L), make([]float64, L)
		}
		for m := 0; m < 6; m++ {
			p.sc[m] = make([]float64, L)
		}
		p.bn = make([]float64, L)
		for i := 0; i < L; i++ {
			hlldRandState(rng, &p.pl, i, 1)
			hlldRandState(rng, &p.pr, i, 1)
			p.bn[i] = 2*rng.Float64() - 1
		}
	}
	run := func(b *testing.B, fn func(int, float64, *[7][]float64, *[7][]float64, []float64, *[7][]float64, *[6][]float64)) {
		for i := 0; i < b.N; i++ {
			p := &ps[i%pencils]
			fn(L, 5.0/3, &p.pl, &p.pr, p.bn, &p.f, &p.sc)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*L), "ns/face")
	}
	b.Run("hlld", func(b *testing.B) { run(b, hlld) })
	b.Run("hlldGo", func(b *testing.B) { run(b, hlldGo) })
}
