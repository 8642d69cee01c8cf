package mhd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/cpu"
)

// The scalar Go must give the assembly kernels' bits in every build (see
// "Same bits in every build" in doc.go). go tool objdump cannot decode VEX
// instructions (it prints FMAs as garbage), so the tests read the
// compiler's own listing (-gcflags=-S), which names every instruction.

const mhdImportPath = "github.com/apollo-hpc/apollo/sim/mhd"

// fmaOp matches the scalar and packed fused multiply-add family.
var fmaOp = regexp.MustCompile(`\tVFN?M(ADD|SUB)[0-9A-Z]*\t`)

// amd64Listing compiles pkg (an import path, or "." in dir) for amd64 at
// GOAMD64=v3 with the given tags and GOEXPERIMENT and returns the
// compiler's assembly listing of that package only.
func amd64Listing(t *testing.T, dir, pkg, tags, experiment string) []byte {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not on PATH (%v): cannot compile a GOAMD64=v3 listing", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	gcflags := "-gcflags=" + pkg + "=-S"
	if pkg == "." {
		gcflags = "-gcflags=-S"
	}
	args := []string{"build", gcflags, "-o", os.DevNull}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.CommandContext(ctx, goTool, append(args, pkg)...)
	cmd.Dir = dir
	// GOFLAGS is cleared so that the caller's flags (say -tags purego)
	// cannot change which configuration is checked.
	cmd.Env = append(os.Environ(), "GOARCH=amd64", "GOAMD64=v3", "CGO_ENABLED=0",
		"GOFLAGS=", "GOEXPERIMENT="+experiment)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s: %v\n%s%s", strings.Join(cmd.Args[1:], " "), err, stdout.Bytes(), stderr.Bytes())
	}
	// The compiler writes the listing to stderr; go build replays it from
	// the build cache when the package is cached.
	return append(stdout.Bytes(), stderr.Bytes()...)
}

// fusedOps returns the fused multiply-adds in a listing, as
// "function file:line instruction", and the names of the listed functions.
func fusedOps(listing []byte) (fused []string, funcs map[string]bool) {
	funcs = map[string]bool{}
	header := regexp.MustCompile(`^(\S+) STEXT`)
	fn := ""
	sc := bufio.NewScanner(bytes.NewReader(listing))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := header.FindStringSubmatch(line); m != nil {
			fn = m[1]
			funcs[fn] = true
			continue
		}
		if fmaOp.MatchString(line) {
			fused = append(fused, fmt.Sprintf("%s %s", fn, strings.Join(strings.Fields(line)[2:], " ")))
		}
	}
	return fused, funcs
}

// TestFMADetectorSeesFusion is the control for TestNoFusedMultiplyAdd: at
// GOAMD64=v3 the compiler fuses a plain a*b + c, the listing shows it, and
// the explicit conversion prevents it. If the compiler stopped fusing (or
// changed the listing format) the check below would pass vacuously.
func TestFMADetectorSeesFusion(t *testing.T) {
	dir := t.TempDir()
	src := `package fmaprobe

func Fused(a, b, c float64) float64 { return a*b + c }

func Rounded(a, b, c float64) float64 { return float64(a*b) + c }
`
	for name, body := range map[string]string{"go.mod": "module fmaprobe\n\ngo 1.26\n", "p.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fused, funcs := fusedOps(amd64Listing(t, dir, ".", "", ""))
	if !funcs["fmaprobe.Fused"] || !funcs["fmaprobe.Rounded"] {
		t.Fatalf("listing has functions %v, want fmaprobe.Fused and fmaprobe.Rounded", funcs)
	}
	if len(fused) != 1 || !strings.HasPrefix(fused[0], "fmaprobe.Fused ") {
		t.Fatalf("fused multiply-adds %q, want one, in fmaprobe.Fused", fused)
	}
}

// TestNoFusedMultiplyAdd compiles the package at GOAMD64=v3, where the
// compiler fuses whatever the spec lets it, in every configuration whose
// scalar Go can run, and fails on any fused multiply-add in its code.
func TestNoFusedMultiplyAdd(t *testing.T) {
	for _, c := range []struct{ name, tags, experiment string }{
		{"default", "", ""},
		{"purego", "purego", ""},
		{"simd", "", "simd"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if testing.Short() && c.name != "default" {
				t.Skip("-short: only the default build is compiled")
			}
			fused, funcs := fusedOps(amd64Listing(t, ".", mhdImportPath, c.tags, c.experiment))
			// Without a listing of the scalar kernels the check proves nothing.
			for _, f := range []string{"hlldGo", "hlle", "primRowGo", "cornerRowGo", "(*solver).maxDt"} {
				if !funcs[mhdImportPath+"."+f] {
					t.Fatalf("listing (%d functions) has no %s", len(funcs), f)
				}
			}
			for _, f := range fused {
				t.Errorf("fused multiply-add: %s", f)
			}
			if len(fused) > 0 {
				t.Errorf("%d fused multiply-adds at GOAMD64=v3: wrap the product in float64(...) (see doc.go)", len(fused))
			}
		})
	}
}

// fmaProbe is a*b + c as plain Go, which the compiler fuses when it may.
//
//go:noinline
func fmaProbe(a, b, c float64) float64 { return a*b + c }

// TestRoundedMathMatchesMath: roundedSin, roundedCos and roundedAtan give
// the bits of the standard library's unfused (GOAMD64 < v3) math.Sin,
// math.Cos and math.Atan, on special values, random arguments of every
// magnitude (Payne-Hanek reduction above 2²⁹ included) and the problems'
// typical arguments. In a build that fuses the standard library does not
// give those bits, so only the special values are checked; the absence of
// fusion in the rounded functions is TestNoFusedMultiplyAdd's.
func TestRoundedMathMatchesMath(t *testing.T) {
	fns := []struct {
		name     string
		got, ref func(float64) float64
	}{
		{"sin", roundedSin, math.Sin},
		{"cos", roundedCos, math.Cos},
		{"atan", roundedAtan, math.Atan},
	}
	check := func(x float64) {
		t.Helper()
		for _, f := range fns {
			if g, r := f.got(x), f.ref(x); math.Float64bits(g) != math.Float64bits(r) && (g == g || r == r) {
				t.Fatalf("%s(%v = %#x): %v (%#x), math gives %v (%#x)", f.name, x, math.Float64bits(x), g, math.Float64bits(g), r, math.Float64bits(r))
			}
		}
	}
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 1 << 29, -(1 << 29),
		math.Pi / 4, math.Pi / 2, math.Pi, 0.66, 2.41421356237309504880}
	for _, x := range special {
		check(x)
	}
	if a := 1 + 0x1p-30; fmaProbe(a, a, -(1+0x1p-29)) != 0 {
		t.Skip("this build fuses multiply-adds (GOAMD64 >= v3): the standard library's math is not the unfused reference")
	}
	rng := rand.New(rand.NewPCG(11, 13))
	for i := 0; i < 200000; i++ {
		var x float64
		switch i % 4 {
		case 0: // any magnitude
			x = math.Float64frombits(rng.Uint64())
		case 1: // the problems' range: a few periods
			x = 8 * math.Pi * (2*rng.Float64() - 1)
		case 2: // around the reduction threshold
			x = math.Ldexp(rng.Float64()+0.5, 25+rng.IntN(10))
		default: // small
			x = math.Ldexp(2*rng.Float64()-1, -rng.IntN(60))
		}
		check(x)
	}
}

// crossBuildCases run a few steps of every problem whose setup or step has
// had products to fuse, on 1 and 3 ranks (3 puts block boundaries, and so
// the scalar remainders, elsewhere than 1 does).
var crossBuildCases = []struct {
	cfg   Config
	steps int64
}{
	{Config{Problem: "orszag-tang-3d", NX: 16}, 6},
	{Config{Problem: "orszag-tang", NX: 30}, 10},
	{Config{Problem: "brio-wu", Axis: "y", NY: 66, Riemann: "hlle"}, 20},
	{Config{Problem: "blast", NX: 18}, 4},
	{Config{Problem: "linwave", Wave: "alfven", NX: 20}, 4},
	{Config{Problem: "field-loop", NX: 20}, 4},
}

// crossBuildOut names the file TestCrossBuildSums writes its checksums to;
// unset, that test does nothing (it is the subprocess of
// TestSameBitsOtherGOAMD64).
const crossBuildOut = "MHD_CROSS_BUILD_OUT"

func crossBuildSums(t *testing.T) []string {
	var sums []string
	for _, tc := range crossBuildCases {
		for _, ranks := range []int{1, 3} {
			cs := runRanks(t, tc.cfg, ranks, tc.steps, 0, nil, nil)
			sums = append(sums, fmt.Sprintf("%s/ranks=%d %016x", tc.cfg.Problem, ranks, cs))
		}
	}
	return sums
}

func TestCrossBuildSums(t *testing.T) {
	out := os.Getenv(crossBuildOut)
	if out == "" {
		t.Skip(crossBuildOut + " not set: this runs as TestSameBitsOtherGOAMD64's subprocess")
	}
	if err := os.WriteFile(out, []byte(strings.Join(crossBuildSums(t), "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSameBitsOtherGOAMD64 runs the cross-build cases in this test binary
// and in one built at the other GOAMD64 level (v3 if this one does not
// fuse, v1 if it does) and wants the same checksums from both.
func TestSameBitsOtherGOAMD64(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds a second test binary")
	}
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA || !cpu.X86.HasBMI2 {
		t.Skip("CPU cannot run a GOAMD64=v3 binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not on PATH (%v): cannot build the other test binary", err)
	}
	level := "v3"
	if a := 1 + 0x1p-30; fmaProbe(a, a, -(1+0x1p-29)) != 0 {
		level = "v1"
	}
	dir := t.TempDir()
	bin, out := filepath.Join(dir, "mhd.test"), filepath.Join(dir, "sums")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, goTool, "test", "-c", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOAMD64="+level)
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("GOAMD64=%s go test -c: %v\n%s", level, err, b)
	}
	run := exec.CommandContext(ctx, bin, "-test.run", "^TestCrossBuildSums$", "-test.count", "1")
	run.Env = append(os.Environ(), crossBuildOut+"="+out)
	if b, err := run.CombinedOutput(); err != nil {
		t.Fatalf("GOAMD64=%s test binary: %v\n%s", level, err, b)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Split(string(raw), "\n")
	here := crossBuildSums(t)
	if len(other) != len(here) {
		t.Fatalf("GOAMD64=%s binary gave %d checksums, this one %d", level, len(other), len(here))
	}
	for i := range here {
		if here[i] != other[i] {
			t.Errorf("this build %s, GOAMD64=%s %s", here[i], level, other[i])
		}
	}
	if !t.Failed() {
		t.Logf("%d checksums equal to a GOAMD64=%s build's", len(here), level)
	}
}
