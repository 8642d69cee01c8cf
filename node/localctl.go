package node

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/apollo-hpc/apollo/coord"
)

// LocalController runs the controller's state machine (coord.State.Apply)
// in this process without replication: the same decisions as a coord
// server, for one process that owns the whole job.
type LocalController struct {
	mu      sync.Mutex
	st      *coord.State
	changed chan struct{} // closed and replaced on every change
	leases  map[string]time.Time
	lease   time.Duration
	done    chan struct{}
	wg      sync.WaitGroup
}

// NewLocalController sets the job and starts the failure detector.
func NewLocalController(job coord.Job, lease time.Duration) (*LocalController, error) {
	c := &LocalController{st: coord.NewState(), changed: make(chan struct{}), leases: map[string]time.Time{},
		lease: lease, done: make(chan struct{})}
	if _, err := c.apply(&coord.Command{Op: coord.OpSetJob, Job: &job}); err != nil {
		return nil, err
	}
	c.wg.Add(1)
	go c.detector()
	return c, nil
}

// Close stops the failure detector.
func (c *LocalController) Close() {
	close(c.done)
	c.wg.Wait()
}

func (c *LocalController) apply(cmd *coord.Command) (coord.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cmd.At = time.Now().UnixNano()
	v := c.st.Version
	r := c.st.Apply(cmd)
	if c.st.Version != v {
		close(c.changed)
		c.changed = make(chan struct{})
	}
	if r.Err != nil {
		return r, fmt.Errorf("controller: %s: %w", cmd.Op, r.Err)
	}
	return r, nil
}

func (c *LocalController) detector() {
	defer c.wg.Done()
	t := time.NewTicker(c.lease / 4)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case now := <-t.C:
			var dead []string
			c.mu.Lock()
			for id, at := range c.leases {
				if now.Sub(at) > c.lease {
					dead = append(dead, id)
					delete(c.leases, id)
				}
			}
			c.mu.Unlock()
			if len(dead) > 0 {
				c.apply(&coord.Command{Op: coord.OpFail, Fail: &coord.FailCmd{Nodes: dead}})
			}
		}
	}
}

// Register implements Controller.
func (c *LocalController) Register(ctx context.Context, addr string, capacity int) (string, error) {
	r, err := c.apply(&coord.Command{Op: coord.OpRegister, Register: &coord.RegisterCmd{Addr: addr, Capacity: capacity}})
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.leases[r.MemberID] = time.Now()
	c.mu.Unlock()
	return r.MemberID, nil
}

// Heartbeat implements Controller.
func (c *LocalController) Heartbeat(ctx context.Context, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.st.Members[id]
	switch {
	case !ok:
		return fmt.Errorf("controller: heartbeat %s: %w", id, coord.ErrUnknownNode)
	case !m.State.Live():
		return fmt.Errorf("controller: heartbeat %s: %w", id, coord.ErrFenced)
	}
	c.leases[id] = time.Now()
	return nil
}

// WaitState implements Controller.
func (c *LocalController) WaitState(ctx context.Context, after uint64) (*coord.State, error) {
	for {
		c.mu.Lock()
		if c.st.Version > after {
			s := c.st.Clone()
			c.mu.Unlock()
			return s, nil
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("controller: wait: %w", ctx.Err())
		}
	}
}

// Report implements Controller.
func (c *LocalController) Report(ctx context.Context, r coord.ReportCmd) error {
	_, err := c.apply(&coord.Command{Op: coord.OpReport, Report: &r})
	return err
}

// Pull declares a node pulled by an operator: its ranks move at once.
func (c *LocalController) Pull(id string) error {
	_, err := c.apply(&coord.Command{Op: coord.OpFail, Fail: &coord.FailCmd{Nodes: []string{id}, Pulled: true}})
	return err
}

// State returns a copy of the current state.
func (c *LocalController) State() *coord.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.Clone()
}
