package comm_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func world(t *testing.T, size int) []*comm.Comm {
	t.Helper()
	eps := inproc.NewWorld(size, 1)
	cs := make([]*comm.Comm, size)
	for i, ep := range eps {
		cs[i] = comm.New(ep)
	}
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	return cs
}

// parallel runs f on every rank and fails the test on any error.
func parallel(t *testing.T, cs []*comm.Comm, f func(c *comm.Comm) error) {
	t.Helper()
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(c)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", i, err)
		}
	}
}

func TestCollectives(t *testing.T) {
	ctx := context.Background()
	for _, size := range []int{1, 2, 3, 5, 8} {
		cs := world(t, size)
		// Serial references; integer-valued inputs make the float sums exact,
		// so the serial order need not match the tree.
		wantSum := make([]float64, 4)
		wantMin := []float64{math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(1)}
		wantMax := []float64{math.Inf(-1), math.Inf(-1), math.Inf(-1), math.Inf(-1)}
		in := func(r int) []float64 {
			return []float64{float64(r), float64(-3 * r), float64(r * r), 7}
		}
		for r := 0; r < size; r++ {
			for i, v := range in(r) {
				wantSum[i] += v
				wantMin[i] = min(wantMin[i], v)
				wantMax[i] = max(wantMax[i], v)
			}
		}
		parallel(t, cs, func(c *comm.Comm) error {
			if err := c.Barrier(ctx); err != nil {
				return err
			}
			got, err := c.Bcast(ctx, size-1, []byte{byte(c.Rank()), 42})
			if err != nil {
				return err
			}
			if len(got) != 2 || got[0] != byte(size-1) || got[1] != 42 {
				t.Errorf("rank %d: bcast got %v", c.Rank(), got)
			}
			for _, tc := range []struct {
				op   comm.Op
				want []float64
			}{{comm.Sum, wantSum}, {comm.Min, wantMin}, {comm.Max, wantMax}} {
				v := in(c.Rank())
				if err := c.AllreduceFloat64(ctx, tc.op, v, v); err != nil {
					return err
				}
				for i := range v {
					if v[i] != tc.want[i] {
						t.Errorf("size %d rank %d %v: got %v want %v", size, c.Rank(), tc.op, v, tc.want)
						break
					}
				}
			}
			iv := []int64{math.MaxInt64, int64(c.Rank())}
			out := make([]int64, 2)
			if err := c.AllreduceInt64(ctx, comm.Sum, iv, out); err != nil {
				return err
			}
			wantWrap := int64(math.MaxInt64) * int64(size) // wraps
			if out[0] != wantWrap || out[1] != int64(size*(size-1)/2) {
				t.Errorf("rank %d: int sum %v", c.Rank(), out)
			}
			return nil
		})
	}
}

func TestSendrecvRing(t *testing.T) {
	ctx := context.Background()
	cs := world(t, 4)
	parallel(t, cs, func(c *comm.Comm) error {
		n := c.Size()
		for iter := 0; iter < 50; iter++ {
			out, st, err := c.Sendrecv(ctx, []byte{byte(c.Rank()), byte(iter)}, (c.Rank()+1)%n, 3, nil, (c.Rank()-1+n)%n, 3)
			if err != nil {
				return err
			}
			if st.Source != (c.Rank()-1+n)%n || out[0] != byte(st.Source) || out[1] != byte(iter) {
				t.Errorf("rank %d iter %d: got %v %+v", c.Rank(), iter, out, st)
			}
		}
		return nil
	})
}

func TestBadArguments(t *testing.T) {
	ctx := context.Background()
	cs := world(t, 2)
	if err := cs[0].Send(ctx, 2, 0, nil); err == nil {
		t.Error("send to rank 2 of 2 succeeded")
	}
	if err := cs[0].Send(ctx, 1, -1, nil); err == nil {
		t.Error("send with reserved tag succeeded")
	}
	if _, _, err := cs[0].Recv(ctx, 5, 0, nil); err == nil {
		t.Error("recv from rank 5 succeeded")
	}
	if err := cs[0].AllreduceFloat64(ctx, comm.Sum, make([]float64, 2), make([]float64, 3)); err == nil {
		t.Error("allreduce with mismatched lengths succeeded")
	}
}

func TestCloseUnblocksBarrier(t *testing.T) {
	cs := world(t, 3)
	errs := make(chan error, 2)
	for _, c := range cs[:2] { // rank 2 never enters
		go func() { errs <- c.Barrier(context.Background()) }()
	}
	time.Sleep(20 * time.Millisecond)
	for _, c := range cs {
		c.Close()
	}
	for range 2 {
		select {
		case err := <-errs:
			if !errors.Is(err, comm.ErrClosed) {
				t.Errorf("barrier after close: %v, want ErrClosed", err)
			}
		case <-time.After(time.Second):
			t.Fatal("barrier did not return after Close")
		}
	}
}

func TestCancelUnblocksAllreduce(t *testing.T) {
	cs := world(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		v := []float64{1}
		errc <- cs[0].AllreduceFloat64(ctx, comm.Sum, v, v)
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(time.Second):
		t.Fatal("allreduce did not return after cancel")
	}
}
