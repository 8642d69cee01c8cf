package coord

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
)

// Command encoding: [version byte][CRC32C of payload, big endian][JSON payload].
// The checksum guards the log entry on disk (bbolt) and on the wire (raft).
const (
	commandVersion = 1
	// MaxCommandSize bounds an encoded command (and so a raft log entry).
	MaxCommandSize = 1 << 20
	headerLen      = 5

	maxSpec    = 256 << 10
	maxRanks   = 1 << 16
	maxIDLen   = 64
	maxAddrLen = 256
	maxHashLen = 128
	maxHolders = 1024
	maxShards  = 256
	maxPending = 4
	maxRecent  = 4096 // request ids remembered for deduplication
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Op names a command.
type Op string

// Commands. Only decisions go through the log; heartbeats never do.
const (
	OpSetJob        Op = "set_job"
	OpRegister      Op = "register"
	OpFail          Op = "fail"
	OpDrain         Op = "drain"
	OpReport        Op = "report"
	OpCheckpointNow Op = "checkpoint_now"
	OpPause         Op = "pause"
	OpResume        Op = "resume"
	OpReplica       Op = "replica"
)

// Command is one replicated decision. Exactly the field matching Op is set.
type Command struct {
	Op       Op           `json:"op"`
	At       int64        `json:"at,omitempty"`  // leader clock, unix ns; recorded, never decided on
	ReqID    string       `json:"req,omitempty"` // client request id: a retried request is applied once
	Job      *Job         `json:"job,omitempty"`
	Register *RegisterCmd `json:"register,omitempty"`
	Fail     *FailCmd     `json:"fail,omitempty"`
	Drain    *NodeCmd     `json:"drain,omitempty"`
	Report   *ReportCmd   `json:"report,omitempty"`
	Replica  *ReplicaCmd  `json:"replica,omitempty"`
}

// RegisterCmd adds a member.
type RegisterCmd struct {
	Addr     string `json:"addr"`
	Capacity int    `json:"capacity"`
}

// FailCmd declares nodes dead (lease expiry) or pulled (operator).
type FailCmd struct {
	Nodes  []string `json:"nodes"`
	Pulled bool     `json:"pulled"`
}

// NodeCmd names one node.
type NodeCmd struct {
	Node string `json:"node"`
}

// ReportCmd is one rank's report that its shards of checkpoint ID are stored.
type ReportCmd struct {
	Epoch        uint64   `json:"epoch"`
	Node         string   `json:"node"`
	Rank         int      `json:"rank"`
	Checkpoint   uint64   `json:"checkpoint"`
	Step         int64    `json:"step"`
	Level        Level    `json:"level"`
	ManifestHash string   `json:"manifest_hash"`
	Holders      []string `json:"holders"`
}

// ReplicaCmd records (or, with an empty HTTP address, forgets) where a
// controller replica serves its API, so followers can redirect to the leader.
type ReplicaCmd struct {
	ID   string `json:"id"`
	HTTP string `json:"http"`
}

// EncodeCommand validates and encodes c.
func EncodeCommand(c *Command) ([]byte, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	return seal(c)
}

func seal(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Write(make([]byte, headerLen))
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return nil, fmt.Errorf("coord: encode: %w", err)
	}
	b := buf.Bytes()
	b[0] = commandVersion
	binary.BigEndian.PutUint32(b[1:headerLen], crc32.Checksum(b[headerLen:], castagnoli))
	return b, nil
}

// open checks the frame (version, checksum, length bound) and strictly decodes
// its JSON payload into v.
func open(b []byte, max int, v any) error {
	if len(b) < headerLen {
		return fmt.Errorf("%w: short frame (%d bytes)", ErrBadCommand, len(b))
	}
	if len(b) > max {
		return fmt.Errorf("%w: frame of %d bytes exceeds %d", ErrBadCommand, len(b), max)
	}
	if b[0] != commandVersion {
		return fmt.Errorf("%w: unknown version %d", ErrBadCommand, b[0])
	}
	if got, want := crc32.Checksum(b[headerLen:], castagnoli), binary.BigEndian.Uint32(b[1:headerLen]); got != want {
		return fmt.Errorf("%w: checksum mismatch", ErrBadCommand)
	}
	return decodeStrict(b[headerLen:], v)
}

// decodeStrict decodes exactly one JSON value, refusing unknown fields and
// trailing data.
func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrBadCommand, err)
	}
	if d.More() {
		return fmt.Errorf("%w: trailing data", ErrBadCommand)
	}
	return nil
}

// DecodeCommand decodes and validates an encoded command.
func DecodeCommand(b []byte) (*Command, error) {
	var c Command
	if err := open(b, MaxCommandSize, &c); err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func bad(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadCommand}, a...)...)
}

func validID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func validHash(s string) bool {
	if s == "" || len(s) > maxHashLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (j *Job) validate() error {
	switch {
	case len(j.Spec) > maxSpec:
		return bad("job spec of %d bytes exceeds %d", len(j.Spec), maxSpec)
	case j.Ranks < 1 || j.Ranks > maxRanks:
		return bad("ranks %d out of [1, %d]", j.Ranks, maxRanks)
	case j.K < 1 || j.M < 0 || j.K+j.M > maxShards:
		return bad("k=%d m=%d: need k ≥ 1, m ≥ 0, k+m ≤ %d", j.K, j.M, maxShards)
	case j.MinNodes < 1 || j.MinNodes > maxRanks:
		return bad("min_nodes %d out of [1, %d]", j.MinNodes, maxRanks)
	case j.Retention < 1 || j.Retention > 64:
		return bad("retention %d out of [1, 64]", j.Retention)
	}
	return nil
}

func (c *Command) validate() error {
	if c.ReqID != "" && !validID(c.ReqID) {
		return bad("bad request id")
	}
	set := 0
	for _, p := range []bool{c.Job != nil, c.Register != nil, c.Fail != nil, c.Drain != nil, c.Report != nil, c.Replica != nil} {
		if p {
			set++
		}
	}
	want := 1
	switch c.Op {
	case OpCheckpointNow, OpPause, OpResume:
		want = 0
	}
	if set != want {
		return bad("op %q with %d bodies", c.Op, set)
	}
	switch c.Op {
	case OpSetJob:
		if c.Job == nil {
			return bad("set_job without job")
		}
		return c.Job.validate()
	case OpRegister:
		r := c.Register
		if r == nil || r.Addr == "" || len(r.Addr) > maxAddrLen || r.Capacity < 1 || r.Capacity > 1<<16 {
			return bad("register needs addr (≤ %d bytes) and capacity in [1, 65536]", maxAddrLen)
		}
	case OpFail:
		f := c.Fail
		if f == nil || len(f.Nodes) == 0 || len(f.Nodes) > maxHolders {
			return bad("fail needs 1..%d nodes", maxHolders)
		}
		for _, n := range f.Nodes {
			if !validID(n) {
				return bad("bad node id %q", n)
			}
		}
	case OpDrain:
		if c.Drain == nil || !validID(c.Drain.Node) {
			return bad("drain needs a node id")
		}
	case OpReport:
		r := c.Report
		if r == nil {
			return bad("report without body")
		}
		if !validID(r.Node) || r.Rank < 0 || r.Rank >= maxRanks || r.Checkpoint == 0 || r.Step < 0 ||
			!r.Level.valid() || !validHash(r.ManifestHash) || len(r.Holders) > maxHolders || r.Epoch == 0 {
			return bad("report needs epoch ≥ 1, node, rank, checkpoint ≥ 1, step ≥ 0, level memory|shared, lowercase hex manifest_hash")
		}
		for _, h := range r.Holders {
			if !validID(h) {
				return bad("bad holder id %q", h)
			}
		}
	case OpReplica:
		if c.Replica == nil || !validID(c.Replica.ID) || len(c.Replica.HTTP) > maxAddrLen {
			return bad("replica needs an id")
		}
	case OpCheckpointNow, OpPause, OpResume:
	default:
		return bad("unknown op %q", c.Op)
	}
	return nil
}
