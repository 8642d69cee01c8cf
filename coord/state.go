package coord

import (
	"errors"
	"maps"
	"slices"
	"sort"
)

// MemberState is the life-cycle state of a node in the job.
type MemberState string

// Member states. A joining member is registered but not yet part of an epoch;
// alive members hold ranks or stand by as spares; draining members give their
// ranks away at the next committed checkpoint; dead and pulled members are
// fenced forever (a node that comes back registers as a new member).
const (
	Joining  MemberState = "joining"
	Alive    MemberState = "alive"
	Draining MemberState = "draining"
	Dead     MemberState = "dead"
	Pulled   MemberState = "pulled"
)

// Live reports whether a member in state s may hold ranks and report.
func (s MemberState) Live() bool { return s == Joining || s == Alive || s == Draining }

// Level says where a checkpoint's shards live.
type Level string

// Checkpoint levels. Memory-level shards live in node RAM and survive the loss
// of at most m of their holders; shared-level checkpoints are on the shared
// directory and are always recoverable.
const (
	LevelMemory Level = "memory"
	LevelShared Level = "shared"
)

func (l Level) valid() bool { return l == LevelMemory || l == LevelShared }

// Errors returned by Apply (inside Result.Err) and by the API.
var (
	ErrStaleEpoch  = errors.New("coord: stale epoch")
	ErrFenced      = errors.New("coord: node is fenced (declared dead or pulled); register again")
	ErrUnknownNode = errors.New("coord: unknown node")
	ErrNoJob       = errors.New("coord: no job")
	ErrNotOwner    = errors.New("coord: rank is not assigned to this node in this epoch")
	ErrConflict    = errors.New("coord: conflicting report")
	ErrBadCommand  = errors.New("coord: bad command")
	ErrNotLeader   = errors.New("coord: not the leader")
)

// Job is the simulation job the controller runs: an opaque spec plus its
// decomposition and erasure-coding parameters.
type Job struct {
	Spec      []byte `json:"spec"`      // opaque to coord (the node decodes it)
	Ranks     int    `json:"ranks"`     // number of ranks
	K         int    `json:"k"`         // data shards per snapshot
	M         int    `json:"m"`         // parity shards per snapshot
	MinNodes  int    `json:"min_nodes"` // nodes that must register before epoch 1 starts
	Retention int    `json:"retention"` // committed checkpoints kept (≥ 1)
}

// Member is one registered node.
type Member struct {
	ID       string      `json:"id"`
	Addr     string      `json:"addr"`     // where its peers reach it (shards, comm)
	Capacity int         `json:"capacity"` // relative weight for rank placement (e.g. cores)
	State    MemberState `json:"state"`
	Joined   uint64      `json:"joined"` // epoch current when it registered
}

// Checkpoint is a committed checkpoint.
type Checkpoint struct {
	ID            uint64   `json:"id"`
	Epoch         uint64   `json:"epoch"` // epoch whose ranks reported it
	Step          int64    `json:"step"`
	Level         Level    `json:"level"`
	ManifestHash  string   `json:"manifest_hash"`  // hash over RankManifests, in rank order
	RankManifests []string `json:"rank_manifests"` // per-rank manifest hash, index = rank
	Holders       []string `json:"holders"`        // node ids holding shards, sorted
	CommittedAt   int64    `json:"committed_at"`   // leader clock, unix ns (informational)
}

// Pending collects the reports of a checkpoint not yet committed.
type Pending struct {
	ID       uint64   `json:"id"`
	Step     int64    `json:"step"`
	Level    Level    `json:"level"`
	Hashes   []string `json:"hashes"` // "" = rank not reported yet
	Reported int      `json:"reported"`
	Holders  []string `json:"holders"` // sorted set
}

// State is the replicated controller state. All of it is changed only by
// FSM.Apply; readers get copies.
type State struct {
	Job           *Job               `json:"job,omitempty"`
	Members       map[string]*Member `json:"members"`
	NextMember    uint64             `json:"next_member"`
	RankMap       []string           `json:"rank_map"` // rank → node id ("" = unassigned)
	Epoch         uint64             `json:"epoch"`
	RestorePoint  uint64             `json:"restore_point"` // checkpoint id the epoch starts from; 0 = initial state
	RestoreStep   int64              `json:"restore_step"`
	Checkpoints   []Checkpoint       `json:"checkpoints"` // committed, ascending id
	Pending       []*Pending         `json:"pending"`     // ascending id
	Paused        bool               `json:"paused"`
	CheckpointSeq uint64             `json:"checkpoint_seq"` // bumped by "checkpoint now"
	Version       uint64             `json:"version"`        // bumped on every change nodes must see
	Recoveries    uint64             `json:"recoveries"`     // epochs started because of a failure
	LastCommitAt  int64              `json:"last_commit_at"`
	Replicas      map[string]string  `json:"replicas"` // raft server id → HTTP API address
	// Recent maps the ids of recently applied client requests to the member
	// id they created (or ""), oldest first in RecentOrder, so a request
	// retried after a failover is not applied twice.
	Recent      map[string]string `json:"recent"`
	RecentOrder []string          `json:"recent_order"`
}

// NewState returns the empty state.
func NewState() *State {
	return &State{Members: map[string]*Member{}, Replicas: map[string]string{}, Recent: map[string]string{}}
}

// Clone returns a deep copy.
func (s *State) Clone() *State {
	c := *s
	if s.Job != nil {
		j := *s.Job
		j.Spec = slices.Clone(s.Job.Spec)
		c.Job = &j
	}
	c.Members = make(map[string]*Member, len(s.Members))
	for k, m := range s.Members {
		mm := *m
		c.Members[k] = &mm
	}
	c.RankMap = slices.Clone(s.RankMap)
	c.Checkpoints = make([]Checkpoint, len(s.Checkpoints))
	for i, cp := range s.Checkpoints {
		cp.RankManifests = slices.Clone(cp.RankManifests)
		cp.Holders = slices.Clone(cp.Holders)
		c.Checkpoints[i] = cp
	}
	c.Pending = make([]*Pending, len(s.Pending))
	for i, p := range s.Pending {
		pp := *p
		pp.Hashes = slices.Clone(p.Hashes)
		pp.Holders = slices.Clone(p.Holders)
		c.Pending[i] = &pp
	}
	c.Replicas = maps.Clone(s.Replicas)
	c.Recent = maps.Clone(s.Recent)
	c.RecentOrder = slices.Clone(s.RecentOrder)
	return &c
}

// RanksOf returns the ranks assigned to node id in the current epoch.
func (s *State) RanksOf(id string) []int {
	var r []int
	for i, n := range s.RankMap {
		if n == id {
			r = append(r, i)
		}
	}
	return r
}

// Checkpoint returns the committed checkpoint with the given id.
func (s *State) Checkpoint(id uint64) (Checkpoint, bool) {
	for _, c := range s.Checkpoints {
		if c.ID == id {
			return c, true
		}
	}
	return Checkpoint{}, false
}

// CountByState returns how many members are in each state.
func (s *State) CountByState() map[MemberState]int {
	n := map[MemberState]int{}
	for _, m := range s.Members {
		n[m.State]++
	}
	return n
}

// sortedIDs returns the member ids in a fixed order, so Apply never depends
// on map iteration order.
func sortedIDs(ms map[string]*Member) []string {
	ids := make([]string, 0, len(ms))
	for id := range ms {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return lessID(ids[i], ids[j]) })
	return ids
}

// lessID orders ids "n2" < "n10": shorter first, then lexicographic.
func lessID(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
