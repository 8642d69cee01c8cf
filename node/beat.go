package node

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/apollo-hpc/apollo/coord"
)

// Heartbeat channels (controller.heartbeat_channel).
const (
	ChannelUDP  = "udp"  // coord's lease channel: one authenticated datagram per beat
	ChannelHTTP = "http" // one POST /v1/heartbeat per beat
)

// beatController is a Controller whose heartbeats go over coord's lease
// channel (coord.Beater) and everything else over HTTP. A beat costs 5-13x
// less as a datagram than as a request (docs/bench/coord.md), which is what
// lets one controller carry thousands of nodes.
type beatController struct {
	*clientController
	addrs []string
	key   []byte

	// Heartbeat runs on the worker's heartbeat goroutine and CloseHeartbeat
	// when it ends, but a Beater is not safe for concurrent use: bmu makes
	// the adapter safe whoever calls it.
	bmu  sync.Mutex
	b    *coord.Beater
	node string // the id b was made for
}

// NewBeatController returns a Controller that renews the node's lease over
// the UDP lease channel of the replicas at addrs (their HTTP API addresses:
// the channel listens on the same port numbers) and uses c for the rest.
func NewBeatController(c *coord.Client, addrs []string, key []byte) Controller {
	return &beatController{clientController: &clientController{c: c}, addrs: append([]string(nil), addrs...),
		key: append([]byte(nil), key...)}
}

func (a *beatController) Heartbeat(ctx context.Context, id string) error {
	a.mu.Lock()
	ep := a.epoch
	a.mu.Unlock()

	a.bmu.Lock()
	defer a.bmu.Unlock()
	if a.b == nil || a.node != id {
		if a.b != nil {
			a.b.Close()
		}
		b, err := coord.NewBeater(a.addrs, a.key, id)
		if err != nil {
			a.b = nil
			return fmt.Errorf("heartbeat %s: %w", id, err)
		}
		// b.Timeout stays at coord's 1 s: a resend after one interval doubles
		// the load on a leader that is slow, which is when resends happen
		// (docs/bench/coord.md). A lost datagram just fails this beat (its
		// context is a few intervals) and the next tick sends a new one.
		a.b, a.node = b, id
	}
	rep, err := a.b.Beat(ctx, ep)
	if errors.Is(err, coord.ErrUnknownNode) {
		// The lease channel answers a datagram it has already seen a later
		// sequence number from (a reordered resend) as "unknown node", which
		// the worker takes as fenced; HTTP has no such ambiguity, so it
		// decides. Both cases are rare: a node is unknown once, at its end.
		return a.clientController.Heartbeat(ctx, id)
	}
	if err != nil {
		return fmt.Errorf("heartbeat %s over udp: %w", id, err)
	}
	if rep.State != "" && !rep.State.Live() {
		return fmt.Errorf("heartbeat %s: state %s: %w", id, rep.State, coord.ErrFenced)
	}
	return nil
}

// CloseHeartbeat releases the Beater's socket; the worker calls it when its
// heartbeat loop ends. A later Heartbeat opens a new one.
func (a *beatController) CloseHeartbeat() error {
	a.bmu.Lock()
	defer a.bmu.Unlock()
	if a.b == nil {
		return nil
	}
	err := a.b.Close()
	a.b, a.node = nil, ""
	if err != nil {
		return fmt.Errorf("heartbeat channel close: %w", err)
	}
	return nil
}

// newController returns the Controller for cfg's heartbeat channel.
func newController(cfg *Config, c *coord.Client, addrs []string, key []byte) Controller {
	if cfg.Controller.HeartbeatChannel == ChannelHTTP {
		return NewClientController(c)
	}
	return NewBeatController(c, addrs, key)
}
