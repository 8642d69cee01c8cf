package heat

// The initial condition's sines and exponentials are internal/fpmath's
// (see initial); this file checks that the field they give has the same
// bits at every GOAMD64 level.

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/internal/fpmath/fmacheck"
	"github.com/apollo-hpc/apollo/sim"
)

// initialSums returns the checksums of a few initial fields (n = 100 is a
// grid whose Sine field math.Sin gives other bits at v3 than at v1).
func initialSums(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, c := range []struct {
		n   int
		cfg Config
	}{
		{100, Config{Init: Sine}},
		{50, Config{Init: Sine, Modes: [3]int{1, 2, 3}}},
		{64, Config{Init: Gauss}},
		{37, Config{Init: Gauss, Sigma: 0.05}},
	} {
		err := sim.RunLocal(1, func(cm *comm.Comm) error {
			ctx := context.Background()
			env, err := sim.NewEnv(cm, DefaultGrid(c.n), [3]int{}, Ghosts)
			if err != nil {
				return err
			}
			m := New(c.cfg)
			if err := m.Init(ctx, env); err != nil {
				return err
			}
			s, err := sim.FieldsChecksum(ctx, env, m.Fields())
			fmt.Fprintf(&b, "%d³ %+v %016x\n", c.n, c.cfg, s)
			return err
		})
		if err != nil {
			t.Fatalf("%d³ %+v: %v", c.n, c.cfg, err)
		}
	}
	return b.String()
}

// initialOut names the file TestWriteInitialSums writes to; unset, that
// test does nothing (it is TestInitialSameBitsOtherGOAMD64's subprocess).
const initialOut = "HEAT_INITIAL_OUT"

func TestWriteInitialSums(t *testing.T) {
	out := os.Getenv(initialOut)
	if out == "" {
		t.Skip(initialOut + " not set: this runs as TestInitialSameBitsOtherGOAMD64's subprocess")
	}
	if err := os.WriteFile(out, []byte(initialSums(t)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestInitialSameBitsOtherGOAMD64: the Sine and Gauss initial fields have
// the same bits in a binary built at the other GOAMD64 level (v3 if this
// one does not fuse, v1 if it does), so v1 and v3 nodes start alike.
func TestInitialSameBitsOtherGOAMD64(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds a second test binary")
	}
	level, out := fmacheck.OtherLevel(t, "^TestWriteInitialSums$", initialOut)
	if here := initialSums(t); here != string(out) {
		t.Errorf("initial fields differ:\nthis build:\n%sGOAMD64=%s:\n%s", here, level, out)
	}
}
