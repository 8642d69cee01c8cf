package sim

import (
	"context"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runRanks runs fn on every rank of an in-process world and returns the
// first error.
func runRanks(t testing.TB, size int, fn func(c *comm.Comm) error) {
	t.Helper()
	eps := inproc.NewWorld(size, 1)
	errs := make([]error, size)
	var wg sync.WaitGroup
	for r := 0; r < size; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			c := comm.New(eps[r])
			errs[r] = fn(c)
			if errs[r] != nil {
				c.Close() // release peers waiting on this rank
			}
		}(r)
	}
	wg.Wait()
	for _, ep := range eps {
		ep.Close()
	}
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
}

var bg = context.Background()
