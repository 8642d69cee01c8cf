//go:build !race

// The race detector makes sync.Pool drop items at random, so allocation
// counts are only meaningful without it.

package match

import (
	"context"
	"testing"
)

// A message that arrives before its receive is posted is queued in a pooled
// buffer; in steady state neither queuing nor receiving allocates.
func TestSteadyStateAllocs(t *testing.T) {
	ctx := context.Background()
	b := NewBox(0, 2)
	msg := make([]byte, 4096)
	buf := make([]byte, 4096)
	exchange := func() {
		if err := b.DeliverCopy(1, 3, msg); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.Recv(ctx, 1, 3, buf); err != nil {
			t.Fatal(err)
		}
	}
	exchange()
	if n := testing.AllocsPerRun(100, exchange); n != 0 {
		t.Fatalf("%v allocations per queued message", n)
	}
}
