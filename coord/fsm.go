package coord

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/hashicorp/raft"
)

// maxSnapshot bounds a decoded FSM snapshot.
const maxSnapshot = 64 << 20

// FSM is the raft.FSM holding the controller State. Apply runs on raft's FSM
// goroutine; readers take copies under the lock and may wait for changes.
type FSM struct {
	mu      sync.RWMutex
	st      *State
	index   uint64        // raft index of the last applied entry
	changed chan struct{} // closed and replaced whenever State.Version moves
	onApply func(*Command, Result)
}

// NewFSM returns an FSM holding the empty state.
func NewFSM() *FSM {
	return &FSM{st: NewState(), changed: make(chan struct{})}
}

// Apply implements raft.FSM. It returns a Result; an entry that does not
// decode yields a Result with Err set (it cannot be produced by this package's
// Server, which validates before proposing).
func (f *FSM) Apply(l *raft.Log) any {
	if l.Type != raft.LogCommand {
		return Result{}
	}
	c, err := DecodeCommand(l.Data)
	if err != nil {
		return Result{Err: fmt.Errorf("apply index %d: %w", l.Index, err)}
	}
	f.mu.Lock()
	before := f.st.Version
	r := f.st.Apply(c)
	f.index = l.Index
	if f.st.Version != before {
		close(f.changed)
		f.changed = make(chan struct{})
	}
	hook := f.onApply
	f.mu.Unlock()
	if hook != nil {
		hook(c, r)
	}
	return r
}

// State returns a copy of the current state and the raft index it reflects.
func (f *FSM) State() (*State, uint64) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.st.Clone(), f.index
}

// View calls fn with the current state under the read lock; fn must not
// keep or modify it. It avoids a copy on hot paths (heartbeats).
func (f *FSM) View(fn func(*State)) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	fn(f.st)
}

// Wait blocks until State.Version exceeds after or ctx ends, and returns the
// state then current.
func (f *FSM) Wait(ctx context.Context, after uint64) *State {
	for {
		f.mu.RLock()
		if f.st.Version > after {
			s := f.st.Clone()
			f.mu.RUnlock()
			return s
		}
		ch := f.changed
		f.mu.RUnlock()
		select {
		case <-ch:
		case <-ctx.Done():
			s, _ := f.State()
			return s
		}
	}
}

// Snapshot implements raft.FSM.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.RLock()
	b, err := seal(f.st)
	f.mu.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("coord: snapshot: %w", err)
	}
	return fsmSnapshot(b), nil
}

// Restore implements raft.FSM.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxSnapshot+1))
	if err != nil {
		return fmt.Errorf("coord: restore: %w", err)
	}
	st, err := DecodeSnapshot(b)
	if err != nil {
		return fmt.Errorf("coord: restore: %w", err)
	}
	f.mu.Lock()
	f.st = st
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
	return nil
}

// DecodeSnapshot decodes and checks an encoded State.
func DecodeSnapshot(b []byte) (*State, error) {
	st := NewState()
	if err := open(b, maxSnapshot, st); err != nil {
		return nil, err
	}
	if st.Members == nil {
		st.Members = map[string]*Member{}
	}
	if st.Replicas == nil {
		st.Replicas = map[string]string{}
	}
	if st.Recent == nil {
		st.Recent = map[string]string{}
	}
	if err := st.check(); err != nil {
		return nil, err
	}
	return st, nil
}

// check verifies the invariants Apply relies on, so a snapshot cannot make
// it index out of range or dereference nil.
func (s *State) check() error {
	if s.Job != nil {
		if err := s.Job.validate(); err != nil {
			return err
		}
		if len(s.RankMap) != s.Job.Ranks {
			return bad("rank map of %d entries for %d ranks", len(s.RankMap), s.Job.Ranks)
		}
	} else if len(s.RankMap) != 0 {
		return bad("rank map without a job")
	}
	for id, m := range s.Members {
		if m == nil || m.ID != id {
			return bad("member %q malformed", id)
		}
	}
	for _, c := range s.Checkpoints {
		if len(c.RankManifests) != len(s.RankMap) {
			return bad("checkpoint %d has %d rank manifests", c.ID, len(c.RankManifests))
		}
	}
	if len(s.Recent) != len(s.RecentOrder) || len(s.RecentOrder) > maxRecent {
		return bad("request id set malformed")
	}
	for _, id := range s.RecentOrder {
		if _, ok := s.Recent[id]; !ok {
			return bad("request id set malformed")
		}
	}
	for _, p := range s.Pending {
		if p == nil || len(p.Hashes) != len(s.RankMap) {
			return bad("pending checkpoint malformed")
		}
	}
	return nil
}

type fsmSnapshot []byte

func (s fsmSnapshot) Persist(sink raft.SnapshotSink) error {
	if _, err := sink.Write(s); err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("coord: persist snapshot: %w", err)
	}
	return sink.Close()
}

func (fsmSnapshot) Release() {}
