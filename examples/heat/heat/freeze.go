package heat

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apollo-hpc/apollo/sim"
)

var _ sim.Freezer = (*Model)(nil)

// holds tracks which fields frozen states hold. A step writes only its
// target v, so a held field is never written while it is held: heat's
// copy-on-write is free, because every step already writes a whole new
// field (a checkpoint costs the solver no pass over its state). Only when v
// is held is a third field, the spare, swapped in.
type holds struct {
	mu       sync.Mutex
	n        map[*sim.Field]int
	released chan struct{} // closed and replaced at every release: a broadcast
	spare    *sim.Field    // allocated at the first Freeze
	hs       *sim.Halo     // the spare's halo, swapped with it
	waits    int64
	wait     time.Duration
}

// Freeze captures the current state without copying it (sim.Freezer).
func (m *Model) Freeze() (sim.Frozen, error) {
	if m.u == nil {
		return nil, errors.New("heat: Freeze before Init")
	}
	h := &m.holds
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.spare == nil {
		f := m.b.NewField("u", sim.Cell)
		hs, err := sim.NewHalo(m.comm, m.b, f)
		if err != nil {
			return nil, fmt.Errorf("heat: spare field: %w", err)
		}
		hs.DeferWrapX()
		if m.fused {
			hs.DeferWrapZ()
		}
		h.spare, h.hs = f, hs
		h.n = map[*sim.Field]int{}
		h.released = make(chan struct{})
	}
	h.n[m.u]++
	return &frozen{m: m, f: m.u}, nil
}

// FreezeWait reports how often, and how long in total, steps waited for a
// frozen field to be released (sim.Freezer).
func (m *Model) FreezeWait() (int64, time.Duration) {
	m.holds.mu.Lock()
	defer m.holds.mu.Unlock()
	return m.holds.waits, m.holds.wait
}

// claimTarget makes sure the field the next (sub-)step writes, v, is not
// held: it swaps in the spare if v is held, and waits for a release if the
// spare is held too (two checkpoints still being serialized).
func (m *Model) claimTarget(ctx context.Context) error {
	h := &m.holds
	if h.spare == nil { // never frozen: set only by Freeze, on this goroutine
		return nil
	}
	h.mu.Lock()
	var t0 time.Time
	for {
		if h.n[m.v] == 0 {
			break
		}
		if h.n[h.spare] == 0 {
			m.v, h.spare = h.spare, m.v
			m.hv, h.hs = h.hs, m.hv
			break
		}
		if t0.IsZero() {
			t0 = time.Now()
			h.waits++
		}
		ch := h.released
		h.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			h.mu.Lock()
			h.wait += time.Since(t0)
			h.mu.Unlock()
			return fmt.Errorf("heat: waiting for a frozen state: %w", ctx.Err())
		}
		h.mu.Lock()
	}
	if !t0.IsZero() {
		h.wait += time.Since(t0)
	}
	h.mu.Unlock()
	return nil
}

func (h *holds) release(f *sim.Field) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n[f]--
	close(h.released)
	h.released = make(chan struct{})
}

// frozen is a state captured by Freeze: the field held, and the block.
type frozen struct {
	m    *Model
	f    *sim.Field
	done atomic.Bool
}

func (z *frozen) Size() int {
	n := z.m.b.N
	return stateHeader + 8*n[0]*n[1]*n[2]
}

func (z *frozen) AppendTo(buf []byte) ([]byte, error) {
	if z.done.Load() {
		return buf, errors.New("heat: frozen state used after Release")
	}
	return appendState(buf, z.f, z.m.b.N), nil
}

func (z *frozen) Release() {
	if z.done.CompareAndSwap(false, true) {
		z.m.holds.release(z.f)
	}
}
