package fpmath

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/apollo-hpc/apollo/internal/fpmath/fmacheck"
	"go.uber.org/goleak"
)

// The tests run go commands and a second test binary; nothing they start
// may outlive a test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const importPath = "github.com/apollo-hpc/apollo/internal/fpmath"

// special are arguments at the functions' branch points and range ends.
var special = []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64,
	1 << 29, -(1 << 29), math.Nextafter(1<<29, 0), math.Pi / 4, math.Pi / 2, math.Pi, 2 * math.Pi,
	0.66, math.Nextafter(0.66, 1), 2.41421356237309504880, 1, -1, 0x1p-28, -0x1p-28,
	7.09782712893383973096e+02, math.Nextafter(7.09782712893383973096e+02, 800),
	-7.45133219101941108420e+02, math.Nextafter(-7.45133219101941108420e+02, -800), 709, 710, -745.2, -746}

// trigArgs returns n arguments for Sin, Cos and Atan: any magnitude
// (Payne-Hanek reduction above 2²⁹ included), the problems' range of a few
// periods, around the reduction threshold, and small.
func trigArgs(n int) []float64 {
	rng := rand.New(rand.NewPCG(11, 13))
	xs := append([]float64(nil), special...)
	for i := 0; i < n; i++ {
		var x float64
		switch i % 4 {
		case 0:
			x = math.Float64frombits(rng.Uint64())
		case 1:
			x = 8 * math.Pi * (2*rng.Float64() - 1)
		case 2:
			x = math.Ldexp(rng.Float64()+0.5, 25+rng.IntN(10))
		default:
			x = math.Ldexp(2*rng.Float64()-1, -rng.IntN(60))
		}
		xs = append(xs, x)
	}
	return xs
}

// expArgs returns n arguments for Exp: the whole finite range and beyond
// it, heat's Gaussian arguments, and small ones around the 2⁻²⁸ shortcut.
func expArgs(n int) []float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := append([]float64(nil), special...)
	for i := 0; i < n; i++ {
		var x float64
		switch i % 4 {
		case 0:
			x = (rng.Float64() - 0.5) * 1500
		case 1:
			d := (rng.Float64() - 0.5) / 0.1
			x = -0.5 * d * d
		case 2:
			x = math.Ldexp(2*rng.Float64()-1, -rng.IntN(40))
		default:
			x = math.Float64frombits(rng.Uint64())
		}
		xs = append(xs, x)
	}
	return xs
}

var trigFns = []struct {
	name     string
	got, ref func(float64) float64
}{
	{"Sin", Sin, math.Sin},
	{"Cos", Cos, math.Cos},
	{"Atan", Atan, math.Atan},
}

// TestTrigMatchesMath: Sin, Cos and Atan give the bits of the standard
// library's unfused (GOAMD64 < v3) math.Sin, math.Cos and math.Atan. In a
// build that fuses, the standard library does not give those bits, so only
// zeros, infinities and NaN (which no product reaches) are checked there;
// that the bits do not depend on the build is TestSameBitsOtherGOAMD64's.
func TestTrigMatchesMath(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN()}
	if !fmacheck.Fuses() {
		xs = trigArgs(200000)
	}
	for _, x := range xs {
		for _, f := range trigFns {
			if g, r := f.got(x), f.ref(x); math.Float64bits(g) != math.Float64bits(r) && (g == g || r == r) {
				t.Fatalf("%s(%v = %#x) = %v (%#x), math gives %v (%#x)", f.name, x, math.Float64bits(x), g, math.Float64bits(g), r, math.Float64bits(r))
			}
		}
	}
}

// ulps is the distance of a and b in units in the last place (both finite
// and of one sign, or equal).
func ulps(a, b float64) uint64 {
	if a == b {
		return 0
	}
	ia, ib := math.Float64bits(a), math.Float64bits(b)
	if ia > ib {
		return ia - ib
	}
	return ib - ia
}

// TestExpSpecialValues: the special cases and range ends have the exact
// values the algorithm defines (and math.Exp's where both are exact).
func TestExpSpecialValues(t *testing.T) {
	const overflow, underflow = 7.09782712893383973096e+02, -7.45133219101941108420e+02
	for _, c := range []struct{ x, want float64 }{
		{0, 1},
		{math.Copysign(0, -1), 1},
		{math.Inf(1), math.Inf(1)},
		{math.Inf(-1), 0},
		{math.MaxFloat64, math.Inf(1)},
		{-math.MaxFloat64, 0},
		{math.Nextafter(overflow, 800), math.Inf(1)},
		{math.Nextafter(underflow, -800), 0},
		{0x1p-29, 1 + 0x1p-29},           // below 2⁻²⁸: 1 + x
		{-0x1p-29, 1 - 0x1p-29},          // ditto, exact
		{math.SmallestNonzeroFloat64, 1}, // 1 + x rounds to 1
		// e^overflow and e^underflow rounded to nearest (50-digit
		// decimal exp of the constants): the largest finite result, and
		// the smallest subnormal (e^underflow is just above half of it).
		{overflow, 1.7976931348622732e308},
		{underflow, math.SmallestNonzeroFloat64},
	} {
		if got := Exp(c.x); math.Float64bits(got) != math.Float64bits(c.want) {
			t.Errorf("Exp(%v) = %v (%#x), want %v (%#x)", c.x, got, math.Float64bits(got), c.want, math.Float64bits(c.want))
		}
	}
	if got := Exp(math.NaN()); !math.IsNaN(got) {
		t.Errorf("Exp(NaN) = %v, want NaN", got)
	}
}

// TestExpNearMathExp: Exp is within two ulps of math.Exp (amd64's
// math.Exp is a different polynomial, in assembly, so the two may round
// apart by that much; both are within an ulp or so of e^x). Above 709 that
// assembly overflows early (+Inf from about 709.44, where e^x is still
// below MaxFloat64), so there Exp(x) is checked against e·Exp(x−1), x−1
// being exact: three roundings of at most half an ulp and Exp's own error.
func TestExpNearMathExp(t *testing.T) {
	const overflow = 7.09782712893383973096e+02
	worst, at := uint64(0), 0.0
	for _, x := range append(expArgs(200000), math.Nextafter(709, 800), 709.5, math.Nextafter(overflow, 0)) {
		var d uint64
		switch {
		case math.IsNaN(x):
			if got := Exp(x); !math.IsNaN(got) {
				t.Fatalf("Exp(NaN) = %v", got)
			}
		case x > 709 && x <= overflow:
			if d = ulps(Exp(x), math.E*Exp(x-1)); d > 3 {
				t.Errorf("Exp(%v) = %v, e·Exp(x−1) = %v: %d ulps apart", x, Exp(x), math.E*Exp(x-1), d)
			}
		default:
			if d = ulps(Exp(x), math.Exp(x)); d > worst {
				worst, at = d, x
			}
		}
	}
	if worst > 2 {
		t.Errorf("Exp differs from math.Exp by %d ulps at %v (%#x)", worst, at, math.Float64bits(at))
	}
}

// The cross-build test: TestWriteDigests writes, per function, a digest of
// the result bits over many arguments; TestSameBitsOtherGOAMD64 compares
// this binary's digests with those of a binary built at the other
// GOAMD64 level.

// digestOut names the file TestWriteDigests writes to; unset, that test
// does nothing (it is TestSameBitsOtherGOAMD64's subprocess).
const digestOut = "FPMATH_DIGEST_OUT"

func digests() string {
	var b strings.Builder
	trig, exp := trigArgs(200000), expArgs(200000)
	for _, f := range []struct {
		name string
		fn   func(float64) float64
		xs   []float64
	}{{"Sin", Sin, trig}, {"Cos", Cos, trig}, {"Atan", Atan, trig}, {"Exp", Exp, exp}} {
		h := fnv.New64a()
		var buf [8]byte
		for _, x := range f.xs {
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(f.fn(x)))
			h.Write(buf[:])
		}
		fmt.Fprintf(&b, "%s %d %016x\n", f.name, len(f.xs), h.Sum64())
	}
	return b.String()
}

func TestWriteDigests(t *testing.T) {
	out := os.Getenv(digestOut)
	if out == "" {
		t.Skip(digestOut + " not set: this runs as TestSameBitsOtherGOAMD64's subprocess")
	}
	if err := os.WriteFile(out, []byte(digests()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSameBitsOtherGOAMD64: Sin, Cos, Atan and Exp give the same bits in
// a binary that fuses multiply-adds (GOAMD64=v3) as in one that does not,
// which with TestTrigMatchesMath and TestExpIsStdlibAlgorithm makes them
// the unfused standard library's bits at every level.
func TestSameBitsOtherGOAMD64(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds a second test binary")
	}
	level, out := fmacheck.OtherLevel(t, "^TestWriteDigests$", digestOut)
	here, there := strings.Split(digests(), "\n"), strings.Split(string(out), "\n")
	if len(here) != len(there) {
		t.Fatalf("GOAMD64=%s binary wrote %d lines, this one %d:\n%s", level, len(there), len(here), out)
	}
	for i := range here {
		if here[i] != there[i] {
			t.Errorf("this build: %s; GOAMD64=%s: %s", here[i], level, there[i])
		}
	}
}

// TestNoFusedMultiplyAdd compiles the package at GOAMD64=v3, where the
// compiler fuses whatever the spec lets it, and fails on any fused
// multiply-add in it.
func TestNoFusedMultiplyAdd(t *testing.T) {
	fmacheck.NoFusion(t, importPath, "", "",
		"Sin", "Cos", "Atan", "Exp", "octant", "sinPoly", "cosPoly", "trigReduce", "xatan", "satan", "expmulti")
}

// sink keeps the benchmarks' results live.
var sink float64

// BenchmarkFuncs times each function against the math package's on the
// arguments the problems and heat use (a few periods; Gaussian exponents).
func BenchmarkFuncs(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 5))
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = 8 * math.Pi * (2*rng.Float64() - 1)
	}
	es := make([]float64, len(xs))
	for i := range es {
		d := (rng.Float64() - 0.5) / 0.1
		es[i] = -0.5 * d * d
	}
	for _, f := range []struct {
		name string
		fn   func(float64) float64
		xs   []float64
	}{
		{"Sin", Sin, xs}, {"math.Sin", math.Sin, xs},
		{"Cos", Cos, xs}, {"math.Cos", math.Cos, xs},
		{"Atan", Atan, xs}, {"math.Atan", math.Atan, xs},
		{"Exp", Exp, es}, {"math.Exp", math.Exp, es},
	} {
		b.Run(f.name, func(b *testing.B) {
			s := 0.0
			for i := 0; b.Loop(); i++ {
				s += f.fn(f.xs[i&(len(f.xs)-1)])
			}
			sink = s
		})
	}
}
