package comm_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
)

// Four ranks, goroutines of one process, each contribute their rank; every
// rank gets the same sum, bit for bit.
func ExampleComm_AllreduceFloat64() {
	eps := inproc.NewWorld(4, 1)
	sums := make([]float64, len(eps))
	var wg sync.WaitGroup
	for _, ep := range eps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := comm.New(ep)
			defer c.Close()
			v := []float64{float64(c.Rank())}
			if err := c.AllreduceFloat64(context.Background(), comm.Sum, v, v); err != nil {
				fmt.Println(err)
				return
			}
			sums[c.Rank()] = v[0]
		}()
	}
	wg.Wait()
	fmt.Println(sums)
	// Output: [6 6 6 6]
}
