package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/coord"
)

var beatKey = []byte("0123456789abcdef0123456789abcdef")

// startCoord starts a one-replica controller with a job waiting for one node.
func startCoord(t testing.TB, lease time.Duration) (*coord.Server, *coord.Client) {
	t.Helper()
	srv, err := coord.NewServer(coord.Config{ID: "c1", DataDir: t.TempDir(), RaftAddr: "127.0.0.1:0",
		HTTPAddr: "127.0.0.1:0", Key: beatKey, Bootstrap: true, SharedDir: t.TempDir(), Lease: lease,
		Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := coord.NewClient([]string{srv.HTTPAddr()}, beatKey)
	t.Cleanup(c.CloseIdleConnections)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.SetJob(ctx, coord.Job{Ranks: 2, K: 1, M: 1, MinNodes: 1, Retention: 1}); err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func memberState(t testing.TB, srv *coord.Server, id string) coord.MemberState {
	t.Helper()
	m, ok := srv.State().Members[id]
	if !ok {
		t.Fatalf("no member %s", id)
	}
	return m.State
}

// noHTTP is a coord client whose replicas do not exist: a beatController
// built on it can only renew leases over the lease channel.
func noHTTP() *coord.Client { return coord.NewClient([]string{"127.0.0.1:1"}, beatKey) }

// registerUDP registers a node with c and returns its id and a
// beatController that can renew its lease over the lease channel only.
func registerUDP(ctx context.Context, t *testing.T, srv *coord.Server, c *coord.Client) (string, *beatController) {
	t.Helper()
	r, err := c.Register(ctx, "a:1", 1)
	if err != nil {
		t.Fatal(err)
	}
	return r.Node, NewBeatController(noHTTP(), []string{srv.HTTPAddr()}, beatKey).(*beatController)
}

// TestBeatKeepsNodeAlive runs the worker's heartbeat loop over UDP alone for
// several leases, stops it, and sees the node declared dead and the next beat
// refused with ErrFenced.
func TestBeatKeepsNodeAlive(t *testing.T) {
	lease := time.Second // generous: -race on a shared, busy machine
	srv, c := startCoord(t, lease)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	node, ctl := registerUDP(ctx, t, srv, c)
	w := NewWorker(WorkerConfig{Ctl: ctl, Heartbeat: lease / 10, Log: quietLog()})
	w.id = node

	hctx, stop := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.heartbeat(hctx, stop)
	}()
	time.Sleep(3 * lease)
	if s := memberState(t, srv, node); s != coord.Alive {
		t.Fatalf("after 3 leases of UDP beats: state %s, want alive", s)
	}
	stop(nil)
	<-done
	ctl.bmu.Lock()
	open := ctl.b != nil
	ctl.bmu.Unlock()
	if open {
		t.Fatal("heartbeat loop ended with the Beater still open")
	}

	// Silent: declared dead within a few leases.
	for end := time.Now().Add(10 * lease); memberState(t, srv, node) != coord.Dead; time.Sleep(lease / 10) {
		if time.Now().After(end) {
			t.Fatalf("still %s 10 leases after the beats stopped", memberState(t, srv, node))
		}
	}
	bctx, bcancel := context.WithTimeout(ctx, 5*time.Second)
	defer bcancel()
	if err := ctl.Heartbeat(bctx, node); !errors.Is(err, coord.ErrFenced) {
		t.Fatalf("beat of a dead node: %v, want ErrFenced", err)
	}
	if err := ctl.CloseHeartbeat(); err != nil {
		t.Fatal(err)
	}
}

// TestBeatFencedStopsWorker: a pulled node learns it over UDP and its
// heartbeat loop cancels the worker with ErrFenced.
func TestBeatFencedStopsWorker(t *testing.T) {
	srv, c := startCoord(t, time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	node, ctl := registerUDP(ctx, t, srv, c)
	if err := ctl.Heartbeat(ctx, node); err != nil {
		t.Fatalf("first beat: %v", err)
	}
	if _, err := c.Pull(ctx, node); err != nil {
		t.Fatal(err)
	}
	w := NewWorker(WorkerConfig{Ctl: ctl, Heartbeat: 50 * time.Millisecond, Log: quietLog()})
	w.id = node
	hctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	w.heartbeat(hctx, stop) // returns once fenced
	if cause := context.Cause(hctx); !errors.Is(cause, ErrFenced) {
		t.Fatalf("worker stopped with %v, want ErrFenced", cause)
	}
	bctx, bcancel := context.WithTimeout(ctx, 5*time.Second)
	defer bcancel()
	err := ctl.Heartbeat(bctx, node)
	if !errors.Is(err, coord.ErrFenced) {
		t.Fatalf("beat of a pulled node: %v, want ErrFenced", err)
	}
	ctl.CloseHeartbeat()
}

// TestBeatUnknownAskedOverHTTP: the lease channel's "unknown node" (also its
// answer to a reordered resend) is not taken as fenced until HTTP agrees.
func TestBeatUnknownAskedOverHTTP(t *testing.T) {
	srv, c := startCoord(t, time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	ctl := NewBeatController(c, []string{srv.HTTPAddr()}, beatKey).(*beatController)
	defer ctl.CloseHeartbeat()
	if err := ctl.Heartbeat(ctx, "n99"); !errors.Is(err, coord.ErrUnknownNode) {
		t.Fatalf("beat of an unknown node: %v, want ErrUnknownNode", err)
	}

	blind := NewBeatController(noHTTP(), []string{srv.HTTPAddr()}, beatKey).(*beatController)
	defer blind.CloseHeartbeat()
	bctx, bcancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer bcancel()
	err := blind.Heartbeat(bctx, "n99")
	if err == nil || errors.Is(err, coord.ErrUnknownNode) || errors.Is(err, coord.ErrFenced) {
		t.Fatalf("unknown over UDP with HTTP unreachable: %v, want a transient error", err)
	}
}

// TestBeatNoReplica: no controller at all is a transient failure bounded by
// the beat's context, never a fence.
func TestBeatNoReplica(t *testing.T) {
	ctl := NewBeatController(noHTTP(), []string{"127.0.0.1:1"}, beatKey).(*beatController)
	defer ctl.CloseHeartbeat()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	err := ctl.Heartbeat(ctx, "n1")
	if err == nil || errors.Is(err, coord.ErrFenced) || errors.Is(err, coord.ErrUnknownNode) {
		t.Fatalf("beat with no replica: %v, want a transient error", err)
	}
	if d := time.Since(t0); d > 2*time.Second {
		t.Fatalf("beat with no replica took %v, past its context", d)
	}
}

func TestNewControllerChannel(t *testing.T) {
	cfg := DefaultConfig()
	if _, ok := newController(&cfg, noHTTP(), cfg.Controller.Addrs, beatKey).(*beatController); !ok {
		t.Fatal("default heartbeat channel is not the lease channel")
	}
	cfg.Controller.HeartbeatChannel = ChannelHTTP
	if _, ok := newController(&cfg, noHTTP(), cfg.Controller.Addrs, beatKey).(*clientController); !ok {
		t.Fatal("heartbeat_channel http does not give the HTTP controller")
	}
}

// BenchmarkNodeHeartbeat is one node's beat through its Controller, as the
// worker sends it, against a one-replica controller in this process: the
// round trip plus both ends' CPU, over each heartbeat channel.
func BenchmarkNodeHeartbeat(b *testing.B) {
	for _, ch := range []string{ChannelUDP, ChannelHTTP} {
		b.Run(ch, func(b *testing.B) {
			srv, c := startCoord(b, 10*time.Second)
			ctx := context.Background()
			r, err := c.Register(ctx, "a:1", 1)
			if err != nil {
				b.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.Controller.HeartbeatChannel = ch
			ctl := newController(&cfg, c, []string{srv.HTTPAddr()}, beatKey)
			if cl, ok := ctl.(heartbeatCloser); ok {
				defer cl.CloseHeartbeat()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := ctl.Heartbeat(ctx, r.Node); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
