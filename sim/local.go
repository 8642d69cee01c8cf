package sim

import (
	"errors"
	"fmt"
	"sync"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
)

// RunLocal runs fn on every rank of a fresh in-process world of the given
// size (one goroutine per rank) and returns their errors joined. A rank
// whose fn fails closes its communicator, so peers waiting on it fail
// instead of hanging. It is the laptop path of examples and tests.
func RunLocal(ranks int, fn func(c *comm.Comm) error) error {
	if ranks < 1 {
		return fmt.Errorf("sim: RunLocal: %d ranks", ranks)
	}
	eps := inproc.NewWorld(ranks, 1)
	errs := make([]error, ranks)
	var wg sync.WaitGroup
	for r := range eps {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			c := comm.New(eps[r])
			if err := fn(c); err != nil {
				errs[r] = fmt.Errorf("rank %d: %w", r, err)
				c.Close()
			}
		}(r)
	}
	wg.Wait()
	for _, ep := range eps {
		ep.Close()
	}
	return errors.Join(errs...)
}
