//go:build amd64 && !purego && !goexperiment.simd

package mhd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The assembly kernels must give the scalar Go's bits for every input. The
// tests fill rows of every length 0–70 at several offsets into their
// arrays with random values mixed with edge cases, run the AVX2 path
// (primRow, cornerRow, plmRow with kernAVX2 set) and the scalar Go on copies,
// and compare the bits of every output (two NaNs count as equal: the Go
// compiler may swap the operands of a commutative operation, which changes
// only which NaN payload propagates).

func needAVX2(t *testing.T) {
	t.Helper()
	if !kernAVX2 {
		t.Skip("CPU has no AVX2: the assembly kernels are never called")
	}
}

func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b)
}

// edgeVal returns a random value, often an edge case.
func edgeVal(rng *rand.Rand) float64 {
	switch rng.IntN(16) {
	case 0:
		return 0
	case 1:
		return math.Copysign(0, -1)
	case 2:
		return 1e300 * (rng.Float64() - 0.5)
	case 3:
		return 1e-300 * (rng.Float64() - 0.5)
	case 4:
		return 5e-324 * float64(rng.IntN(5)-2) // subnormal
	case 5:
		return math.Inf(1 - 2*rng.IntN(2))
	case 6:
		return math.NaN()
	default:
		return 4 * (rng.Float64() - 0.5)
	}
}

// fillRow sets each value to a random number in [lo, hi), or with
// probability pe to an edge case.
func fillRow(rng *rand.Rand, s []float64, lo, hi, pe float64) {
	for i := range s {
		if rng.Float64() < pe {
			s[i] = edgeVal(rng)
		} else {
			s[i] = lo + (hi-lo)*rng.Float64()
		}
	}
}

// checkRows compares two sets of rows bit by bit.
func checkRows(t *testing.T, what string, n, off int, names []string, got, want [][]float64) {
	t.Helper()
	for f := range got {
		for i := range got[f] {
			if !sameBits(got[f][i], want[f][i]) {
				t.Fatalf("%s n=%d off=%d: %s[%d] = %v (%#x), scalar %v (%#x)", what, n, off, names[f], i,
					got[f][i], math.Float64bits(got[f][i]), want[f][i], math.Float64bits(want[f][i]))
			}
		}
	}
}

// primRowSet builds the rows of a primRowArgs over fresh arrays (each row
// starts off values into its array, which is 3 longer than the row).
func primRowSet(rng *rand.Rand, n, off int, mode int) (*primRowArgs, [][]float64) {
	arr := make([][]float64, 22)
	for i := range arr {
		arr[i] = make([]float64, n+off+3)
	}
	pe := 0.0
	if mode == 2 {
		pe = 0.08
	}
	for i := 0; i < 6; i++ { // face B
		fillRow(rng, arr[i], -2, 2, pe)
	}
	fillRow(rng, arr[6], 1, 3, pe) // ρ
	for i := 7; i < 10; i++ {      // momentum
		fillRow(rng, arr[i], -2, 2, pe)
	}
	fillRow(rng, arr[10], 20, 40, pe) // energy > ke + me: no floor unless set below
	if mode >= 1 {
		// Floor hits: scattered cells with a density below the floor or an
		// energy below the kinetic plus magnetic one.
		for i := range arr[6] {
			switch rng.IntN(12) {
			case 0:
				arr[6][i] = 1e-10 * rng.Float64()
			case 1:
				arr[6][i] = -rng.Float64()
			case 2:
				arr[10][i] = rng.Float64()
			case 3:
				arr[10][i] = 0
			}
		}
	}
	for i := 11; i < 22; i++ { // outputs: garbage, so unwritten cells show
		fillRow(rng, arr[i], -9, 9, 0)
	}
	row := func(i int) []float64 { return arr[i][off:][:n] }
	r := &primRowArgs{
		bxl: row(0), bxr: row(1), byl: row(2), byr: row(3), bzl: row(4), bzr: row(5),
		rd: row(6), rm1: row(7), rm2: row(8), rm3: row(9), ren: row(10),
		od: row(11), ov1: row(12), ov2: row(13), ov3: row(14), op: row(15),
		ob1: row(16), ob2: row(17), ob3: row(18), oe1: row(19), oe2: row(20), oe3: row(21),
		gm1: 2.0 / 3, dfloor: 1e-10, pfloor: 1e-12,
	}
	if n > 0 {
		r.inLo = rng.IntN(n)
		r.inHi = r.inLo + rng.IntN(n-r.inLo+1)
	}
	return r, arr
}

// cloneArrays copies arrays and re-points a primRowArgs at the copies.
func clonePrim(r *primRowArgs, arr [][]float64, n, off int) (*primRowArgs, [][]float64) {
	c := make([][]float64, len(arr))
	for i := range arr {
		c[i] = append([]float64(nil), arr[i]...)
	}
	row := func(i int) []float64 { return c[i][off:][:n] }
	q := *r
	q.bxl, q.bxr, q.byl, q.byr, q.bzl, q.bzr = row(0), row(1), row(2), row(3), row(4), row(5)
	q.rd, q.rm1, q.rm2, q.rm3, q.ren = row(6), row(7), row(8), row(9), row(10)
	q.od, q.ov1, q.ov2, q.ov3, q.op = row(11), row(12), row(13), row(14), row(15)
	q.ob1, q.ob2, q.ob3, q.oe1, q.oe2, q.oe3 = row(16), row(17), row(18), row(19), row(20), row(21)
	return &q, c
}

var primNames = []string{"bxl", "bxr", "byl", "byr", "bzl", "bzr", "rd", "rm1", "rm2", "rm3", "ren",
	"od", "ov1", "ov2", "ov3", "op", "ob1", "ob2", "ob3", "oe1", "oe2", "oe3"}

func TestPrimRowAsmMatchesGo(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(7, 1))
	var totalHits, asmGroups int64
	for mode := 0; mode < 3; mode++ { // 0 plain, 1 floor hits, 2 also edge values
		for n := 0; n <= 70; n++ {
			for off := 0; off < 4; off++ {
				ra, arr := primRowSet(rng, n, off, mode)
				rg, arrG := clonePrim(ra, arr, n, off)
				want := primRowGo(rg, 0, n)
				got := primRow(ra, n)
				if got != want {
					t.Fatalf("mode %d n=%d off=%d: %d floor hits, scalar %d", mode, n, off, got, want)
				}
				checkRows(t, "primRow", n, off, primNames, arr, arrG)
				totalHits += got
				if mode == 0 && n >= 4 {
					// No floors: the assembly must convert every group itself.
					rb, _ := clonePrim(ra, arr, n, off)
					if m := n &^ 3; primRow4(rb, 0, m) != m {
						t.Fatalf("n=%d: primRow4 stopped without a floor", n)
					}
					asmGroups++
				}
			}
		}
	}
	if totalHits == 0 || asmGroups == 0 {
		t.Fatalf("floor hits %d, assembly-only rows %d: a case was not exercised", totalHits, asmGroups)
	}
}

// A floored cell anywhere in a group sends just that group to the scalar
// code: primRow4 stops at its start.
func TestPrimRow4StopsAtFloor(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(8, 2))
	for i := 0; i < 16; i++ {
		r, arr := primRowSet(rng, 16, 0, 0)
		if i%2 == 0 {
			r.rd[i] = 1e-12
		} else {
			r.ren[i] = 0
		}
		before := append([]float64(nil), arr[11]...)
		if got, want := primRow4(r, 0, 16), i&^3; got != want {
			t.Fatalf("floored cell %d: stopped at %d, want %d", i, got, want)
		}
		for c := i &^ 3; c < 16; c++ {
			if math.Float64bits(r.od[c]) != math.Float64bits(before[c]) {
				t.Fatalf("floored cell %d: cell %d written", i, c)
			}
		}
	}
}

var cornerNames = []string{"o", "ec0", "ecB", "eb0", "ebC", "cc0", "ccB", "ccC", "ccBC", "wb0", "wbC", "wc0", "wcB"}

func TestCornerRowAsmMatchesGo(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(9, 3))
	for mode := 0; mode < 2; mode++ {
		pe := 0.0
		if mode == 1 {
			pe = 0.1
		}
		for n := 0; n <= 70; n++ {
			for off := 0; off < 4; off++ {
				arr := make([][]float64, 13)
				for i := range arr {
					arr[i] = make([]float64, n+off+3)
					if i < 9 {
						fillRow(rng, arr[i], -3, 3, pe)
					} else {
						fillRow(rng, arr[i], -0.5, 0.5, pe/2) // upwind weights
					}
				}
				cp := make([][]float64, 13)
				for i := range arr {
					cp[i] = append([]float64(nil), arr[i]...)
				}
				args := func(a [][]float64) *cornerRowArgs {
					row := func(i int) []float64 { return a[i][off:][:n] }
					return &cornerRowArgs{o: row(0), ec0: row(1), ecB: row(2), eb0: row(3), ebC: row(4),
						cc0: row(5), ccB: row(6), ccC: row(7), ccBC: row(8),
						wb0: row(9), wbC: row(10), wc0: row(11), wcB: row(12)}
				}
				cornerRow(args(arr))
				cornerRowGo(args(cp), 0, n)
				checkRows(t, "cornerRow", n, off, cornerNames, arr, cp)
			}
		}
	}
}

func TestPLMAsmMatchesGo(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(10, 4))
	for _, st := range []int{1, 5, 77} {
		for mode := 0; mode < 3; mode++ {
			for L := 0; L <= 70; L++ {
				for off := 0; off < 4; off++ {
					p0 := 2*st + off
					q := make([]float64, p0+L+st+3)
					switch mode {
					case 0: // smooth with extrema: both limiter branches
						for i := range q {
							q[i] = math.Sin(0.3*float64(i)) + 0.01*rng.Float64()
						}
					case 1: // plateaus: zero differences
						for i := range q {
							q[i] = float64(rng.IntN(3))
						}
					default:
						fillRow(rng, q, -2, 2, 0.15)
					}
					ql, qr := make([]float64, L+off+2), make([]float64, L+off+2)
					fillRow(rng, ql, -9, 9, 0)
					fillRow(rng, qr, -9, 9, 0)
					gl, gr := append([]float64(nil), ql...), append([]float64(nil), qr...)
					plmRow(q, p0, st, L, ql[off:], qr[off:])
					plm(q, p0, st, L, gl[off:], gr[off:])
					checkRows(t, "plm", L, off, []string{"ql", "qr"}, [][]float64{ql, qr}, [][]float64{gl, gr})
				}
			}
		}
	}
}

// BenchmarkPLMRow times one 66-face PLM row (cache-resident) through the
// dispatch (AVX2 where present) and the scalar plm.
func BenchmarkPLMRow(b *testing.B) {
	const L, st = 66, 70
	q := make([]float64, 4*st+L)
	for i := range q {
		q[i] = math.Sin(0.37 * float64(i))
	}
	ql, qr := make([]float64, L), make([]float64, L)
	b.Run("dispatch", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			plmRow(q, 2*st, st, L, ql, qr)
		}
	})
	b.Run("scalar", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			plm(q, 2*st, st, L, ql, qr)
		}
	})
}

func TestUpdateCellsAsmMatchesGo(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(11, 5))
	for mode := 0; mode < 2; mode++ {
		pe := 0.1 * float64(mode)
		for n := 0; n <= 70; n++ {
			for off := 0; off < 4; off++ {
				arr := make([][]float64, 3)
				for i := range arr {
					arr[i] = make([]float64, n+off+3)
					fillRow(rng, arr[i], -3, 3, pe)
				}
				cp := [][]float64{append([]float64(nil), arr[0]...), arr[1], arr[2]}
				dtdx := 0.01 + rng.Float64()
				if mode == 1 && rng.IntN(4) == 0 {
					dtdx = edgeVal(rng)
				}
				updateRow(arr[0][off:][:n], arr[1][off:][:n], arr[2][off+1:][:n], dtdx)
				updateCells(cp[0][off:][:n], arr[1][off:][:n], arr[2][off+1:][:n], dtdx)
				checkRows(t, "updateCells", n, off, []string{"q"}, arr[:1], cp[:1])
			}
		}
	}
}

// TestPLMRowsAsmMatchesGo: the kernel with its four cell rows in separate
// arrays (as the z sweep's planes in the ring of intermediates) gives
// plmGo's bits for every row length 0–70 and offsets 0–3.
func TestPLMRowsAsmMatchesGo(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(12, 6))
	for L := 0; L <= 70; L++ {
		for off := 0; off < 4; off++ {
			var rows [4][]float64
			for r := range rows {
				rows[r] = make([]float64, L+off+1)
				fillRow(rng, rows[r], -2, 2, 0.15)
			}
			ql, qr := make([]float64, L+off+2), make([]float64, L+off+2)
			fillRow(rng, ql, -9, 9, 0)
			fillRow(rng, qr, -9, 9, 0)
			gl, gr := append([]float64(nil), ql...), append([]float64(nil), qr...)
			o := (off + 1) % 4
			plmRows(rows[0][off:], rows[1][o:], rows[2][off:], rows[3][o:], L, ql[off:], qr[off:])
			plmGo(rows[0][off:], rows[1][o:], rows[2][off:], rows[3][o:], L, gl[off:], gr[off:])
			checkRows(t, "plmRows", L, off, []string{"ql", "qr"}, [][]float64{ql, qr}, [][]float64{gl, gr})
		}
	}
}
