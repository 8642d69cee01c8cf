package fmacheck

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// The helpers run go commands and test binaries; nothing they start may
// outlive a test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDetectorSeesFusion is the control for every NoFusion check: at
// GOAMD64=v3 the compiler fuses a plain a*b + c, the listing shows it, and
// the explicit conversion prevents it. If the compiler stopped fusing (or
// changed the listing format) those checks would pass vacuously.
func TestDetectorSeesFusion(t *testing.T) {
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
	fused, funcs := FusedOps(Listing(t, dir, ".", "", ""))
	if !funcs["fmaprobe.Fused"] || !funcs["fmaprobe.Rounded"] {
		t.Fatalf("listing has functions %v, want fmaprobe.Fused and fmaprobe.Rounded", funcs)
	}
	if len(fused) != 1 || !strings.HasPrefix(fused[0], "fmaprobe.Fused ") {
		t.Fatalf("fused multiply-adds %q, want one, in fmaprobe.Fused", fused)
	}
}

// TestFusesIsBuildLevel: Fuses agrees with the GOAMD64 level recorded in
// the binary's build information, where the toolchain records one.
func TestFusesIsBuildLevel(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("no build information in this binary")
	}
	for _, s := range bi.Settings {
		if s.Key != "GOAMD64" {
			continue
		}
		level, err := strconv.Atoi(strings.TrimPrefix(s.Value, "v"))
		if err != nil {
			t.Fatalf("GOAMD64=%q: %v", s.Value, err)
		}
		if got, want := Fuses(), level >= 3; got != want {
			t.Fatalf("GOAMD64=%s: Fuses() = %v, want %v", s.Value, got, want)
		}
		return
	}
	t.Skip("build information records no GOAMD64 (not an amd64 build)")
}

// fusesOut names the file TestWriteFuses writes to; unset, that test does
// nothing (it is TestOtherLevelFlipsFusion's subprocess).
const fusesOut = "FMACHECK_FUSES_OUT"

func TestWriteFuses(t *testing.T) {
	out := os.Getenv(fusesOut)
	if out == "" {
		t.Skip(fusesOut + " not set: this runs as TestOtherLevelFlipsFusion's subprocess")
	}
	if err := os.WriteFile(out, []byte(strconv.FormatBool(Fuses())), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestOtherLevelFlipsFusion: the binary OtherLevel builds is at the other
// level, so it fuses exactly when this one does not.
func TestOtherLevelFlipsFusion(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds a second test binary")
	}
	level, out := OtherLevel(t, "^TestWriteFuses$", fusesOut)
	other, err := strconv.ParseBool(string(out))
	if err != nil {
		t.Fatalf("GOAMD64=%s binary wrote %q: %v", level, out, err)
	}
	if other == Fuses() {
		t.Fatalf("GOAMD64=%s binary: Fuses() = %v, the same as this binary's", level, other)
	}
}
