package sim

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
)

// plainEndpoint hides a transport's vector calls, so that comm packs and
// unpacks around Send and Recv as it does on transports without them.
type plainEndpoint struct{ comm.Endpoint }

// BenchmarkHaloExchange160 times one Exchange of a 160³ cell field with 4
// ghost layers split in y between 2 in-process ranks (heat's 2-rank case):
// each rank swaps 4 rows × 168 points × 160 planes with the other, both
// ways, and wraps z onto itself (x is left to the sweep, DeferWrapX). Variants, in one run: rows sent and
// received as segments over inproc's vector calls (vec: one copy per
// message, what the halo does); the same calls packed and unpacked by comm
// around plain Send/Recv (packed: what a transport without vector calls
// costs); and the explicit little-endian packing of big-endian machines
// (portable). MB/s counts the bytes both ranks receive.
func BenchmarkHaloExchange160(b *testing.B) {
	defer func(v bool) { nativeLE = v }(nativeLE)
	for _, c := range []struct {
		name     string
		le, hide bool
	}{{"vec", true, false}, {"packed", true, true}, {"portable", false, true}} {
		b.Run(c.name, func(b *testing.B) {
			nativeLE = c.le
			eps := inproc.NewWorld(2, 1)
			halos := make([]*Halo, 2)
			cs := make([]*comm.Comm, 2)
			for r := range halos {
				ep := eps[r]
				if c.hide {
					ep = plainEndpoint{ep}
				}
				cs[r] = comm.New(ep)
				defer cs[r].Close()
				blk, err := NewBlock(testGrid([3]int{160, 160, 160}, Periodic), [3]int{1, 2, 1}, r, 4)
				if err != nil {
					b.Fatal(err)
				}
				if halos[r], err = NewHalo(cs[r], blk, blk.NewField("u", Cell)); err != nil {
					b.Fatal(err)
				}
				halos[r].DeferWrapX() // as heat does: its sweep wraps x
			}
			b.SetBytes(int64(2 * 8 * (halos[0].recvPoints(1, 0) + halos[0].recvPoints(1, 1))))
			b.ResetTimer()
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for r := range halos {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for it := 0; it < b.N && errs[r] == nil; it++ {
						errs[r] = halos[r].Exchange(context.Background())
					}
					if errs[r] != nil {
						cs[r].Close()
					}
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				b.Fatal(err)
			}
		})
	}
}
