package coord

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
)

// Result is what applying a command returns.
type Result struct {
	Err       error       // the command was refused; the state is unchanged
	MemberID  string      // register: the new member's id
	Epoch     uint64      // the epoch after the command
	NewEpoch  bool        // the command started a new epoch
	Committed *Checkpoint // report: the checkpoint this report committed
	Duplicate bool        // the command repeated one already applied; nothing changed
}

// Apply applies c to s deterministically: the same state and command give
// the same new state on every replica. A refused command leaves s unchanged.
func (s *State) Apply(c *Command) Result {
	if c.ReqID != "" {
		if id, seen := s.Recent[c.ReqID]; seen {
			return Result{Duplicate: true, MemberID: id, Epoch: s.Epoch}
		}
	}
	r := s.apply(c)
	if c.ReqID != "" && r.Err == nil {
		s.Recent[c.ReqID] = r.MemberID
		s.RecentOrder = append(s.RecentOrder, c.ReqID)
		if len(s.RecentOrder) > maxRecent {
			delete(s.Recent, s.RecentOrder[0])
			s.RecentOrder = slices.Delete(s.RecentOrder, 0, 1)
		}
	}
	return r
}

func (s *State) apply(c *Command) Result {
	var r Result
	switch c.Op {
	case OpSetJob:
		r = s.setJob(c.Job)
	case OpRegister:
		r = s.register(c.Register)
	case OpFail:
		r = s.fail(c.Fail)
	case OpDrain:
		r = s.drain(c.Drain.Node)
	case OpReport:
		r = s.report(c.Report, c.At)
	case OpCheckpointNow:
		if s.Job == nil {
			r.Err = ErrNoJob
		} else {
			s.CheckpointSeq++
			s.Version++
		}
	case OpPause, OpResume:
		p := c.Op == OpPause
		if s.Job == nil {
			r.Err = ErrNoJob
		} else if s.Paused == p {
			r.Duplicate = true
		} else {
			s.Paused = p
			s.Version++
		}
	case OpReplica:
		if c.Replica.HTTP == "" {
			delete(s.Replicas, c.Replica.ID)
		} else {
			s.Replicas[c.Replica.ID] = c.Replica.HTTP
		}
	default:
		r.Err = bad("unknown op %q", c.Op)
	}
	r.Epoch = s.Epoch
	return r
}

func (s *State) setJob(j *Job) Result {
	if s.Job != nil {
		if s.Job.Ranks == j.Ranks && s.Job.K == j.K && s.Job.M == j.M && string(s.Job.Spec) == string(j.Spec) {
			return Result{Duplicate: true}
		}
		return Result{Err: fmt.Errorf("%w: a different job is already set", ErrConflict)}
	}
	jj := *j
	jj.Spec = slices.Clone(j.Spec)
	s.Job = &jj
	s.RankMap = make([]string, j.Ranks)
	s.Version++
	r := Result{}
	s.maybeStart(&r)
	return r
}

func (s *State) register(rc *RegisterCmd) Result {
	s.NextMember++
	id := "n" + strconv.FormatUint(s.NextMember, 10)
	s.Members[id] = &Member{ID: id, Addr: rc.Addr, Capacity: rc.Capacity, State: Joining, Joined: s.Epoch}
	s.Version++
	r := Result{MemberID: id}
	s.maybeStart(&r)
	return r
}

// maybeStart starts epoch 1 once the job is set and enough nodes joined, and
// later starts a new epoch when ranks are unassigned (every holder died) and
// a node has joined to take them.
func (s *State) maybeStart(r *Result) {
	if s.Job == nil {
		return
	}
	if s.Epoch == 0 {
		joining := 0
		for _, m := range s.Members {
			if m.State == Joining {
				joining++
			}
		}
		if joining < s.Job.MinNodes {
			return
		}
	} else if !slices.Contains(s.RankMap, "") {
		return
	}
	ids := sortedIDs(s.Members)
	if s.Epoch == 0 {
		var nodes []string
		var caps []int
		for _, id := range ids {
			if m := s.Members[id]; m.State == Joining {
				nodes = append(nodes, id)
				caps = append(caps, m.Capacity)
			}
		}
		if len(nodes) < s.Job.MinNodes {
			return
		}
		s.RankMap = Assign(s.Job.Ranks, nodes, caps)
		s.newEpoch(r)
		return
	}
	order := make([]*Member, 0, len(ids))
	for _, id := range ids {
		order = append(order, s.Members[id])
	}
	nm := Reassign(s.RankMap, order, nil)
	if slices.Equal(nm, s.RankMap) {
		return
	}
	s.RankMap = nm
	s.Recoveries++
	s.newEpoch(r)
}

func (s *State) lost(id string) bool {
	m, ok := s.Members[id]
	return !ok || !m.State.Live()
}

// newEpoch starts the next epoch with the current rank map: joining members
// enter it, pending reports are dropped, and the restore point becomes the
// newest checkpoint still recoverable (newer, unrecoverable ones are dropped).
func (s *State) newEpoch(r *Result) {
	for _, m := range s.Members {
		if m.State == Joining {
			m.State = Alive
		}
	}
	s.Epoch++
	s.Version++
	s.Pending = nil
	m := 0
	if s.Job != nil {
		m = s.Job.M
	}
	i := RestorePoint(s.Checkpoints, s.lost, m)
	s.Checkpoints = s.Checkpoints[:i+1]
	if i < 0 {
		s.RestorePoint, s.RestoreStep = 0, 0
	} else {
		s.RestorePoint, s.RestoreStep = s.Checkpoints[i].ID, s.Checkpoints[i].Step
	}
	r.NewEpoch = true
}

func (s *State) fail(f *FailCmd) Result {
	st := Dead
	if f.Pulled {
		st = Pulled
	}
	gone := map[string]bool{}
	for _, id := range f.Nodes {
		m, ok := s.Members[id]
		if !ok {
			return Result{Err: fmt.Errorf("%w: %s", ErrUnknownNode, id)}
		}
		if m.State.Live() {
			gone[id] = true
		}
	}
	if len(gone) == 0 {
		return Result{Duplicate: true}
	}
	held := false
	for _, n := range s.RankMap {
		if gone[n] {
			held = true
			break
		}
	}
	ids := sortedIDs(s.Members)
	order := make([]*Member, 0, len(ids))
	for _, id := range ids {
		order = append(order, s.Members[id])
	}
	var nm []string
	if held {
		nm = Reassign(s.RankMap, order, gone)
	}
	for id := range gone {
		s.Members[id].State = st
	}
	s.Version++
	var r Result
	if held {
		s.RankMap = nm
		s.Recoveries++
		s.newEpoch(&r)
	}
	return r
}

func (s *State) drain(id string) Result {
	m, ok := s.Members[id]
	if !ok {
		return Result{Err: fmt.Errorf("%w: %s", ErrUnknownNode, id)}
	}
	switch {
	case !m.State.Live():
		return Result{Err: fmt.Errorf("%w: %s", ErrFenced, id)}
	case m.State == Draining:
		return Result{Duplicate: true}
	}
	s.Version++
	if !slices.Contains(s.RankMap, id) {
		// Nothing to move: a spare (or a node not yet in an epoch) leaves at once.
		m.State = Pulled
		return Result{}
	}
	m.State = Draining
	return Result{}
}

func (s *State) report(rc *ReportCmd, at int64) Result {
	switch {
	case s.Job == nil:
		return Result{Err: ErrNoJob}
	case rc.Epoch < s.Epoch:
		return Result{Err: fmt.Errorf("%w: report for epoch %d, current %d", ErrStaleEpoch, rc.Epoch, s.Epoch)}
	case rc.Epoch > s.Epoch:
		return Result{Err: bad("report for future epoch %d, current %d", rc.Epoch, s.Epoch)}
	}
	m, ok := s.Members[rc.Node]
	switch {
	case !ok:
		return Result{Err: fmt.Errorf("%w: %s", ErrUnknownNode, rc.Node)}
	case !m.State.Live():
		return Result{Err: fmt.Errorf("%w: %s", ErrFenced, rc.Node)}
	case rc.Rank >= len(s.RankMap) || s.RankMap[rc.Rank] != rc.Node:
		return Result{Err: fmt.Errorf("%w: rank %d, node %s", ErrNotOwner, rc.Rank, rc.Node)}
	}
	if n := len(s.Checkpoints); n > 0 && rc.Checkpoint <= s.Checkpoints[n-1].ID {
		if c, ok := s.Checkpoint(rc.Checkpoint); ok && c.RankManifests[rc.Rank] == rc.ManifestHash {
			return Result{Duplicate: true}
		}
		return Result{Err: fmt.Errorf("%w: checkpoint %d is not newer than committed %d", ErrConflict, rc.Checkpoint, s.Checkpoints[n-1].ID)}
	}
	if rc.Checkpoint <= s.RestorePoint {
		return Result{Err: fmt.Errorf("%w: checkpoint %d is not newer than the restore point %d", ErrConflict, rc.Checkpoint, s.RestorePoint)}
	}
	pi := slices.IndexFunc(s.Pending, func(p *Pending) bool { return p.ID == rc.Checkpoint })
	var p *Pending
	if pi >= 0 {
		p = s.Pending[pi]
		if p.Step != rc.Step || p.Level != rc.Level {
			return Result{Err: fmt.Errorf("%w: checkpoint %d reported with step %d/%s, earlier %d/%s", ErrConflict, rc.Checkpoint, rc.Step, rc.Level, p.Step, p.Level)}
		}
		if h := p.Hashes[rc.Rank]; h != "" {
			if h == rc.ManifestHash {
				return Result{Duplicate: true}
			}
			return Result{Err: fmt.Errorf("%w: rank %d reported checkpoint %d twice with different manifests", ErrConflict, rc.Rank, rc.Checkpoint)}
		}
	} else {
		p = &Pending{ID: rc.Checkpoint, Step: rc.Step, Level: rc.Level, Hashes: make([]string, len(s.RankMap))}
		at := len(s.Pending)
		for at > 0 && s.Pending[at-1].ID > p.ID {
			at--
		}
		s.Pending = slices.Insert(s.Pending, at, p)
		if len(s.Pending) > maxPending {
			// Bound the soft backlog: the oldest unfinished checkpoint is abandoned.
			s.Pending = slices.Delete(s.Pending, 0, 1)
			if !slices.Contains(s.Pending, p) {
				return Result{Err: fmt.Errorf("%w: checkpoint %d is older than every pending one", ErrConflict, rc.Checkpoint)}
			}
		}
	}
	p.Hashes[rc.Rank] = rc.ManifestHash
	p.Reported++
	for _, h := range rc.Holders {
		if i, found := slices.BinarySearchFunc(p.Holders, h, cmpID); !found {
			p.Holders = slices.Insert(p.Holders, i, h)
		}
	}
	if p.Reported < len(s.RankMap) {
		return Result{}
	}
	return s.commit(p, at)
}

func cmpID(a, b string) int {
	switch {
	case a == b:
		return 0
	case lessID(a, b):
		return -1
	}
	return 1
}

func (s *State) commit(p *Pending, at int64) Result {
	h := sha256.New()
	for _, x := range p.Hashes {
		h.Write([]byte(x))
		h.Write([]byte{'\n'})
	}
	c := Checkpoint{
		ID: p.ID, Epoch: s.Epoch, Step: p.Step, Level: p.Level,
		ManifestHash: hex.EncodeToString(h.Sum(nil)), RankManifests: p.Hashes,
		Holders: p.Holders, CommittedAt: at,
	}
	s.Checkpoints = append(s.Checkpoints, c)
	// Older pending checkpoints are superseded by this one.
	s.Pending = slices.DeleteFunc(s.Pending, func(q *Pending) bool { return q.ID <= p.ID })
	keep := s.Job.Retention
	if len(s.Checkpoints) > keep {
		s.Checkpoints = slices.Delete(s.Checkpoints, 0, len(s.Checkpoints)-keep)
	}
	s.LastCommitAt = at
	s.Version++
	cc := c
	r := Result{Committed: &cc}
	// Draining nodes hand their ranks over now that a checkpoint holds their
	// state: the new epoch restarts from this very checkpoint, nothing is lost.
	ids := sortedIDs(s.Members)
	gone := map[string]bool{}
	order := make([]*Member, 0, len(ids))
	for _, id := range ids {
		m := s.Members[id]
		order = append(order, m)
		if m.State == Draining {
			gone[id] = true
		}
	}
	if len(gone) > 0 {
		nm := Reassign(s.RankMap, order, gone)
		if !slices.Contains(nm, "") {
			for id := range gone {
				s.Members[id].State = Pulled
			}
			s.RankMap = nm
			s.newEpoch(&r)
		}
	}
	return r
}
