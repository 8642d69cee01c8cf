package node

import (
	"context"
	"fmt"
	"sync"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
)

// Transport builds the message endpoints of this node's ranks for an epoch.
type Transport interface {
	// Endpoints returns one endpoint per entry of ranks, for a world of
	// len(rankAddrs) ranks where rank r lives at rankAddrs[r].
	Endpoints(ctx context.Context, epoch uint64, rankAddrs []string, ranks []int) ([]comm.Endpoint, error)
}

// InprocFabric is the transport of `apollo run`: all nodes live in one
// process and share one in-process world per epoch.
type InprocFabric struct {
	mu     sync.Mutex
	epoch  uint64
	size   int
	eps    []comm.Endpoint
	handed []bool
}

// Endpoints implements Transport.
func (f *InprocFabric) Endpoints(ctx context.Context, epoch uint64, rankAddrs []string, ranks []int) ([]comm.Endpoint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case epoch < f.epoch:
		return nil, fmt.Errorf("inproc fabric: epoch %d is older than %d: %w", epoch, f.epoch, comm.ErrClosed)
	case epoch > f.epoch || f.eps == nil:
		// Endpoints of an older epoch not yet handed out are closed so no
		// rank of the new epoch waits on them.
		for r, ep := range f.eps {
			if !f.handed[r] {
				ep.Close()
			}
		}
		f.epoch, f.size = epoch, len(rankAddrs)
		f.eps = inproc.NewWorld(len(rankAddrs), epoch)
		f.handed = make([]bool, len(rankAddrs))
	case len(rankAddrs) != f.size:
		return nil, fmt.Errorf("inproc fabric: epoch %d has %d ranks, asked for %d", epoch, f.size, len(rankAddrs))
	}
	out := make([]comm.Endpoint, len(ranks))
	for i, r := range ranks {
		if r < 0 || r >= f.size || f.handed[r] {
			return nil, fmt.Errorf("inproc fabric: rank %d of epoch %d unavailable", r, epoch)
		}
		f.handed[r] = true
		out[i] = f.eps[r]
	}
	return out, nil
}

// Close closes the endpoints nobody took.
func (f *InprocFabric) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for r, ep := range f.eps {
		if !f.handed[r] {
			ep.Close()
		}
	}
	f.eps = nil
}
