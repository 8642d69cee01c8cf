// Package fmacheck is test support for code that must give the same bits
// in every build: it finds fused multiply-adds in the compiler's GOAMD64=v3
// listing of a package, tells whether the running binary fuses, and reruns
// a package's tests in a binary built at the other GOAMD64 level. Import it
// from _test.go files only.
//
// go tool objdump cannot decode VEX instructions (it prints FMAs as
// garbage), so the listing is the compiler's own (-gcflags=-S), which names
// every instruction.
package fmacheck

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/cpu"
)

// timeout bounds each go command and test binary the helpers run.
const timeout = 5 * time.Minute

// fmaOp matches the scalar and packed fused multiply-add family.
var fmaOp = regexp.MustCompile(`\tVFN?M(ADD|SUB)[0-9A-Z]*\t`)

// header matches the first line of a function in a listing.
var header = regexp.MustCompile(`^(\S+) STEXT`)

// goTool returns the go command, or skips t where there is none.
func goTool(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not on PATH (%v): cannot compile at another GOAMD64 level", err)
	}
	return p
}

// Listing compiles pkg (an import path, or "." in dir) for amd64 at
// GOAMD64=v3 with the given build tags and GOEXPERIMENT and returns the
// compiler's assembly listing of that package only.
func Listing(t testing.TB, dir, pkg, tags, experiment string) []byte {
	t.Helper()
	gt := goTool(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	gcflags := "-gcflags=" + pkg + "=-S"
	if pkg == "." {
		gcflags = "-gcflags=-S"
	}
	args := []string{"build", gcflags, "-o", os.DevNull}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.CommandContext(ctx, gt, append(args, pkg)...)
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

// FusedOps returns the fused multiply-adds in a listing, as
// "function file:line instruction", and the names of the listed functions.
func FusedOps(listing []byte) (fused []string, funcs map[string]bool) {
	funcs = map[string]bool{}
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

// NoFusion compiles pkg at GOAMD64=v3 (as Listing) and fails t for every
// fused multiply-add in it, after checking that each of want (function
// names relative to pkg, such as "Sin" or "(*solver).maxDt") is in the
// listing: without them the check would prove nothing.
func NoFusion(t testing.TB, pkg, tags, experiment string, want ...string) {
	t.Helper()
	fused, funcs := FusedOps(Listing(t, ".", pkg, tags, experiment))
	for _, f := range want {
		if !funcs[pkg+"."+f] {
			t.Fatalf("listing (%d functions) has no %s.%s", len(funcs), pkg, f)
		}
	}
	for _, f := range fused {
		t.Errorf("fused multiply-add: %s", f)
	}
	if len(fused) > 0 {
		t.Errorf("%d fused multiply-adds at GOAMD64=v3: wrap the product in float64(...)", len(fused))
	}
}

// probe is a*b + c as plain Go, which the compiler fuses when it may.
//
//go:noinline
func probe(a, b, c float64) float64 { return a*b + c }

// Fuses reports whether this binary's Go code fuses multiply-adds
// (GOAMD64 >= v3): a² − (1+2⁻²⁹) with a = 1+2⁻³⁰ is 2⁻⁶⁰ exactly, which
// the rounded product loses.
func Fuses() bool {
	a := 1 + 0x1p-30
	return probe(a, a, -(1+0x1p-29)) != 0
}

// OtherLevel builds the test binary of the package in the current
// directory at the other GOAMD64 level (v3 if this binary does not fuse, v1
// if it does), runs its tests matching run with outEnv naming a file, and
// returns that level and what the tests wrote to the file. It skips t where
// the CPU cannot run a v3 binary or there is no go command.
func OtherLevel(t testing.TB, run, outEnv string) (level string, out []byte) {
	t.Helper()
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA || !cpu.X86.HasBMI2 {
		t.Skip("CPU cannot run a GOAMD64=v3 binary")
	}
	gt := goTool(t)
	level = "v3"
	if Fuses() {
		level = "v1"
	}
	dir := t.TempDir()
	bin, file := filepath.Join(dir, "pkg.test"), filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	build := exec.CommandContext(ctx, gt, "test", "-c", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOAMD64="+level)
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("GOAMD64=%s go test -c: %v\n%s", level, err, b)
	}
	cmd := exec.CommandContext(ctx, bin, "-test.run", run, "-test.count", "1")
	cmd.Env = append(os.Environ(), outEnv+"="+file)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOAMD64=%s test binary: %v\n%s", level, err, b)
	}
	out, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("GOAMD64=%s test binary wrote no output: %v", level, err)
	}
	return level, out
}
