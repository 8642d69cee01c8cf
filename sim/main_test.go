package sim

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/apollo-hpc/apollo/comm"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runRanks runs fn on every rank of an in-process world.
func runRanks(t testing.TB, size int, fn func(c *comm.Comm) error) {
	t.Helper()
	if err := RunLocal(size, fn); err != nil {
		t.Fatal(err)
	}
}

var bg = context.Background()

// A failing rank does not leave its peers hanging.
func TestRunLocalFailure(t *testing.T) {
	err := RunLocal(3, func(c *comm.Comm) error {
		if c.Rank() == 1 {
			return errors.New("boom")
		}
		_, _, err := c.Recv(bg, 1, 0, nil)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "rank 1: boom") {
		t.Fatalf("err = %v", err)
	}
	if err := RunLocal(0, nil); err == nil {
		t.Fatal("0 ranks accepted")
	}
}
