package mhd

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/apollo-hpc/apollo/internal/fpmath/fmacheck"
)

// The scalar Go must give the assembly kernels' bits in every build (see
// "Same bits in every build" in doc.go). The sines, cosines and arctangents
// of the problems' setups are internal/fpmath's, which has its own checks;
// fmacheck's tests are the control that the listing check sees fusion.

const mhdImportPath = "github.com/apollo-hpc/apollo/sim/mhd"

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
			// Without a listing of the scalar kernels the check proves nothing.
			fmacheck.NoFusion(t, mhdImportPath, c.tags, c.experiment,
				"hlldGo", "hlle", "primRowGo", "cornerRowGo", "(*solver).maxDt")
		})
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
	level, raw := fmacheck.OtherLevel(t, "^TestCrossBuildSums$", crossBuildOut)
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
