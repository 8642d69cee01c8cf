package coord

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"
	"testing"

	"github.com/hashicorp/raft"
)

func job(ranks, k, m, minNodes int) *Command {
	return &Command{Op: OpSetJob, Job: &Job{Spec: []byte("spec"), Ranks: ranks, K: k, M: m, MinNodes: minNodes, Retention: 2}}
}

func reg(addr string, capacity int) *Command {
	return &Command{Op: OpRegister, Register: &RegisterCmd{Addr: addr, Capacity: capacity}}
}

func fail(pulled bool, ids ...string) *Command {
	return &Command{Op: OpFail, Fail: &FailCmd{Nodes: ids, Pulled: pulled}}
}

func rep(epoch uint64, node string, rank int, ckpt uint64, hash string, holders ...string) *Command {
	return &Command{Op: OpReport, At: 7, Report: &ReportCmd{Epoch: epoch, Node: node, Rank: rank, Checkpoint: ckpt,
		Step: int64(ckpt * 10), Level: LevelMemory, ManifestHash: hash, Holders: holders}}
}

// mustApply applies c through the codec, as raft would.
func mustApply(t *testing.T, s *State, c *Command) Result {
	t.Helper()
	b, err := EncodeCommand(c)
	if err != nil {
		t.Fatalf("encode %s: %v", c.Op, err)
	}
	d, err := DecodeCommand(b)
	if err != nil {
		t.Fatalf("decode %s: %v", c.Op, err)
	}
	return s.Apply(d)
}

// cluster4 is a job of 4 ranks on nodes n1, n2 (2 ranks each), epoch 1, plus spare n3.
func cluster4(t *testing.T) *State {
	s := NewState()
	mustApply(t, s, job(4, 2, 1, 2))
	mustApply(t, s, reg("a:1", 1))
	if s.Epoch != 0 {
		t.Fatalf("epoch started with 1 of 2 nodes")
	}
	r := mustApply(t, s, reg("b:1", 1))
	if !r.NewEpoch || s.Epoch != 1 {
		t.Fatalf("epoch 1 not started: %+v", r)
	}
	if r := mustApply(t, s, reg("c:1", 1)); r.NewEpoch || r.MemberID != "n3" {
		t.Fatalf("spare registration: %+v", r)
	}
	return s
}

func commit(t *testing.T, s *State, ckpt uint64, holders ...string) {
	t.Helper()
	for rank, n := range s.RankMap {
		r := mustApply(t, s, rep(s.Epoch, n, rank, ckpt, "ab", holders...))
		if r.Err != nil {
			t.Fatalf("report rank %d: %v", rank, r.Err)
		}
		if (rank == len(s.RankMap)-1) != (r.Committed != nil) {
			t.Fatalf("rank %d: committed=%v", rank, r.Committed != nil)
		}
	}
}

func TestFSMJoinAssignsCapacityBlocks(t *testing.T) {
	s := NewState()
	mustApply(t, s, job(6, 2, 1, 2))
	mustApply(t, s, reg("a:1", 1))
	mustApply(t, s, reg("b:1", 2))
	if want := []string{"n1", "n1", "n2", "n2", "n2", "n2"}; !slices.Equal(s.RankMap, want) {
		t.Fatalf("rank map %v, want %v", s.RankMap, want)
	}
	if s.Members["n1"].State != Alive || s.Members["n2"].State != Alive {
		t.Fatalf("members not alive: %+v %+v", s.Members["n1"], s.Members["n2"])
	}
}

func TestFSMCommands(t *testing.T) {
	tests := []struct {
		name    string
		prep    func(t *testing.T, s *State)
		cmd     *Command
		wantErr error
		dup     bool
		check   func(t *testing.T, s *State, r Result)
	}{
		{name: "failure goes to spare", cmd: fail(false, "n1"), check: func(t *testing.T, s *State, r Result) {
			if !r.NewEpoch || s.Epoch != 2 || !slices.Equal(s.RankMap, []string{"n3", "n3", "n2", "n2"}) || s.Members["n1"].State != Dead {
				t.Fatalf("got epoch %d map %v state %s", s.Epoch, s.RankMap, s.Members["n1"].State)
			}
			if s.Recoveries != 1 || s.RestorePoint != 0 {
				t.Fatalf("recoveries %d restore %d", s.Recoveries, s.RestorePoint)
			}
		}},
		{name: "no spare spreads by capacity", prep: func(t *testing.T, s *State) { mustApply(t, s, fail(true, "n3")) },
			cmd: fail(false, "n1"), check: func(t *testing.T, s *State, r Result) {
				if !slices.Equal(s.RankMap, []string{"n2", "n2", "n2", "n2"}) || s.Epoch != 2 {
					t.Fatalf("map %v epoch %d", s.RankMap, s.Epoch)
				}
			}},
		{name: "spare death keeps epoch", cmd: fail(false, "n3"), check: func(t *testing.T, s *State, r Result) {
			if r.NewEpoch || s.Epoch != 1 || s.Members["n3"].State != Dead {
				t.Fatalf("%+v epoch %d", r, s.Epoch)
			}
		}},
		{name: "pulled is a failure", cmd: fail(true, "n2"), check: func(t *testing.T, s *State, r Result) {
			if !r.NewEpoch || s.Members["n2"].State != Pulled || !slices.Equal(s.RankMap, []string{"n1", "n1", "n3", "n3"}) {
				t.Fatalf("%+v map %v", r, s.RankMap)
			}
		}},
		{name: "fail twice is duplicate", prep: func(t *testing.T, s *State) { mustApply(t, s, fail(false, "n1")) },
			cmd: fail(false, "n1"), dup: true},
		{name: "fail unknown", cmd: fail(false, "n9"), wantErr: ErrUnknownNode},
		{name: "stale epoch report refused", prep: func(t *testing.T, s *State) { mustApply(t, s, fail(false, "n1")) },
			cmd: rep(1, "n2", 2, 1, "ab"), wantErr: ErrStaleEpoch},
		{name: "future epoch report refused", cmd: rep(5, "n2", 2, 1, "ab"), wantErr: ErrBadCommand},
		{name: "fenced node report refused", prep: func(t *testing.T, s *State) { mustApply(t, s, fail(false, "n3")) },
			cmd: rep(1, "n3", 0, 1, "ab"), wantErr: ErrFenced},
		{name: "report for rank of another node", cmd: rep(1, "n2", 0, 1, "ab"), wantErr: ErrNotOwner},
		{name: "duplicate report", prep: func(t *testing.T, s *State) { mustApply(t, s, rep(1, "n1", 0, 1, "ab")) },
			cmd: rep(1, "n1", 0, 1, "ab"), dup: true},
		{name: "conflicting duplicate report", prep: func(t *testing.T, s *State) { mustApply(t, s, rep(1, "n1", 0, 1, "ab")) },
			cmd: rep(1, "n1", 0, 1, "cd"), wantErr: ErrConflict},
		{name: "report after commit is duplicate", prep: func(t *testing.T, s *State) { commit(t, s, 1, "n1", "n2") },
			cmd: rep(1, "n1", 0, 1, "ab"), dup: true},
		{name: "report of older checkpoint refused", prep: func(t *testing.T, s *State) { commit(t, s, 2, "n1", "n2") },
			cmd: rep(1, "n1", 0, 1, "ab"), wantErr: ErrConflict},
		{name: "commit when all ranks reported", prep: func(t *testing.T, s *State) {
			mustApply(t, s, rep(1, "n1", 0, 1, "a1", "n2"))
			mustApply(t, s, rep(1, "n1", 1, 1, "a2", "n3"))
			mustApply(t, s, rep(1, "n2", 2, 1, "a3", "n1"))
		}, cmd: rep(1, "n2", 3, 1, "a4", "n1"), check: func(t *testing.T, s *State, r Result) {
			if r.Committed == nil || r.Committed.ID != 1 || r.Committed.Step != 10 || len(s.Pending) != 0 {
				t.Fatalf("%+v pending %d", r, len(s.Pending))
			}
			c := s.Checkpoints[0]
			if !slices.Equal(c.Holders, []string{"n1", "n2", "n3"}) || !slices.Equal(c.RankManifests, []string{"a1", "a2", "a3", "a4"}) || c.CommittedAt != 7 {
				t.Fatalf("checkpoint %+v", c)
			}
		}},
		{name: "restore point is newest recoverable", prep: func(t *testing.T, s *State) {
			commit(t, s, 1, "n2", "n3")       // survives n1 dying
			commit(t, s, 2, "n1", "n2", "n3") // loses n1 only: m=1, recoverable
		}, cmd: fail(false, "n1"), check: func(t *testing.T, s *State, r Result) {
			if s.RestorePoint != 2 || s.RestoreStep != 20 {
				t.Fatalf("restore %d", s.RestorePoint)
			}
		}},
		{name: "restore point skips unrecoverable", prep: func(t *testing.T, s *State) {
			commit(t, s, 1, "n3")
			commit(t, s, 2, "n1", "n2")
		}, cmd: fail(false, "n1", "n2"), check: func(t *testing.T, s *State, r Result) {
			if s.RestorePoint != 1 || len(s.Checkpoints) != 1 {
				t.Fatalf("restore %d, checkpoints %d", s.RestorePoint, len(s.Checkpoints))
			}
		}},
		{name: "shared level always recoverable", prep: func(t *testing.T, s *State) {
			for rank, n := range s.RankMap {
				c := rep(1, n, rank, 4, "ab", "n1", "n2")
				c.Report.Level = LevelShared
				mustApply(t, s, c)
			}
		}, cmd: fail(false, "n1", "n2"), check: func(t *testing.T, s *State, r Result) {
			if s.RestorePoint != 4 {
				t.Fatalf("restore %d", s.RestorePoint)
			}
		}},
		{name: "retention keeps newest", prep: func(t *testing.T, s *State) {
			commit(t, s, 1, "n1")
			commit(t, s, 2, "n1")
		}, cmd: nil, check: func(t *testing.T, s *State, r Result) {
			commit(t, s, 3, "n1")
			if len(s.Checkpoints) != 2 || s.Checkpoints[0].ID != 2 {
				t.Fatalf("checkpoints %+v", s.Checkpoints)
			}
		}},
		{name: "drain moves ranks at next commit", cmd: &Command{Op: OpDrain, Drain: &NodeCmd{Node: "n1"}}, check: func(t *testing.T, s *State, r Result) {
			if s.Epoch != 1 || s.Members["n1"].State != Draining {
				t.Fatalf("drain acted early: epoch %d", s.Epoch)
			}
			commit(t, s, 1, "n2", "n3")
			if s.Epoch != 2 || s.RestorePoint != 1 || s.Members["n1"].State != Pulled || !slices.Equal(s.RankMap, []string{"n3", "n3", "n2", "n2"}) {
				t.Fatalf("after drain: epoch %d restore %d map %v", s.Epoch, s.RestorePoint, s.RankMap)
			}
			if s.Recoveries != 0 {
				t.Fatalf("drain counted as recovery")
			}
		}},
		{name: "drain spare leaves at once", cmd: &Command{Op: OpDrain, Drain: &NodeCmd{Node: "n3"}}, check: func(t *testing.T, s *State, r Result) {
			if s.Members["n3"].State != Pulled || s.Epoch != 1 {
				t.Fatalf("state %s", s.Members["n3"].State)
			}
		}},
		{name: "drain dead node fenced", prep: func(t *testing.T, s *State) { mustApply(t, s, fail(false, "n1")) },
			cmd: &Command{Op: OpDrain, Drain: &NodeCmd{Node: "n1"}}, wantErr: ErrFenced},
		{name: "checkpoint now bumps seq", cmd: &Command{Op: OpCheckpointNow}, check: func(t *testing.T, s *State, r Result) {
			if s.CheckpointSeq != 1 {
				t.Fatal("seq not bumped")
			}
		}},
		{name: "pause", cmd: &Command{Op: OpPause}, check: func(t *testing.T, s *State, r Result) {
			if !s.Paused {
				t.Fatal("not paused")
			}
		}},
		{name: "resume when running is duplicate", cmd: &Command{Op: OpResume}, dup: true},
		{name: "second different job refused", cmd: job(8, 2, 1, 1), wantErr: ErrConflict},
		{name: "all dead then join takes orphans", prep: func(t *testing.T, s *State) {
			mustApply(t, s, fail(false, "n1", "n2", "n3"))
			if s.Epoch != 2 || !slices.Equal(s.RankMap, []string{"", "", "", ""}) {
				t.Fatalf("map %v", s.RankMap)
			}
		}, cmd: reg("d:1", 1), check: func(t *testing.T, s *State, r Result) {
			if !r.NewEpoch || s.Epoch != 3 || !slices.Equal(s.RankMap, []string{"n4", "n4", "n4", "n4"}) {
				t.Fatalf("%+v map %v", r, s.RankMap)
			}
		}},
		{name: "fenced node rejoins as new member", prep: func(t *testing.T, s *State) { mustApply(t, s, fail(false, "n1")) },
			cmd: reg("a:1", 1), check: func(t *testing.T, s *State, r Result) {
				if r.MemberID != "n4" || s.Members["n1"].State != Dead || r.NewEpoch {
					t.Fatalf("%+v", r)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := cluster4(t)
			if tc.prep != nil {
				tc.prep(t, s)
			}
			var r Result
			if tc.cmd != nil {
				before, _ := seal(s)
				r = mustApply(t, s, tc.cmd)
				if tc.wantErr != nil {
					if !errors.Is(r.Err, tc.wantErr) {
						t.Fatalf("err %v, want %v", r.Err, tc.wantErr)
					}
				} else if r.Err != nil {
					t.Fatalf("unexpected err %v", r.Err)
				}
				if r.Duplicate != tc.dup {
					t.Fatalf("duplicate=%v, want %v", r.Duplicate, tc.dup)
				}
				if after, _ := seal(s); (tc.wantErr != nil || tc.dup) && !bytes.Equal(before, after) {
					t.Fatalf("refused or duplicate command changed the state")
				}
			}
			if tc.check != nil {
				tc.check(t, s, r)
			}
		})
	}
}

func TestReassignSpreadsByCapacity(t *testing.T) {
	order := []*Member{
		{ID: "n1", Capacity: 1, State: Alive},
		{ID: "n2", Capacity: 1, State: Alive},
		{ID: "n3", Capacity: 3, State: Alive},
	}
	got := Reassign([]string{"n1", "n1", "n1", "n1", "n2", "n3"}, order, map[string]bool{"n1": true})
	// loads before: n2=1/1, n3=1/3; each orphan goes to the lowest (load+1)/cap:
	// n3 (2/3 < 2), n3 (1 < 2), n3 (4/3 < 2), n3 (5/3 < 2).
	if want := []string{"n3", "n3", "n3", "n3", "n2", "n3"}; !slices.Equal(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}

func TestAssignLargestRemainder(t *testing.T) {
	if got := Assign(5, []string{"a", "b", "c"}, []int{1, 1, 1}); !slices.Equal(got, []string{"a", "a", "b", "b", "c"}) {
		t.Fatalf("got %v", got)
	}
	if got := Assign(3, nil, nil); !slices.Equal(got, []string{"", "", ""}) {
		t.Fatalf("got %v", got)
	}
}

func TestApplyDeterministic(t *testing.T) {
	// Two replicas applying the same log end byte-identical.
	a, b := cluster4(t), cluster4(t)
	for _, s := range []*State{a, b} {
		commit(t, s, 1, "n1", "n2", "n3")
		mustApply(t, s, reg("d:1", 2))
		mustApply(t, s, fail(false, "n2", "n1"))
	}
	ea, _ := seal(a)
	eb, _ := seal(b)
	if !bytes.Equal(ea, eb) {
		t.Fatal("replicas diverged")
	}
}

func TestFSMSnapshotRestore(t *testing.T) {
	f := NewFSM()
	s := cluster4(t)
	commit(t, s, 1, "n1", "n2")
	f.st = s
	snap, err := f.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	if err := snap.Persist(sink); err != nil {
		t.Fatal(err)
	}
	g := NewFSM()
	if err := g.Restore(io.NopCloser(bytes.NewReader(sink.Bytes()))); err != nil {
		t.Fatal(err)
	}
	got, _ := g.State()
	want, _ := seal(s)
	have, _ := seal(got)
	if !bytes.Equal(want, have) {
		t.Fatal("restored state differs")
	}
	bad := sink.Bytes()
	bad[len(bad)-3] ^= 1
	if err := g.Restore(io.NopCloser(bytes.NewReader(bad))); err == nil {
		t.Fatal("corrupt snapshot restored")
	}
}

func TestFSMApplyLog(t *testing.T) {
	f := NewFSM()
	b, _ := EncodeCommand(job(2, 1, 0, 1))
	if r := f.Apply(&raft.Log{Index: 3, Type: raft.LogCommand, Data: b}).(Result); r.Err != nil {
		t.Fatal(r.Err)
	}
	if r := f.Apply(&raft.Log{Index: 4, Type: raft.LogCommand, Data: []byte{1, 2}}).(Result); !errors.Is(r.Err, ErrBadCommand) {
		t.Fatalf("garbage applied: %v", r.Err)
	}
	if _, idx := f.State(); idx != 3 {
		t.Fatalf("index %d", idx)
	}
}

func TestCommandCodecRejects(t *testing.T) {
	good, _ := EncodeCommand(reg("a:1", 1))
	cases := map[string][]byte{
		"short":    good[:3],
		"version":  append([]byte{9}, good[1:]...),
		"checksum": append(append([]byte{}, good[:len(good)-2]...), 'x', '\n'),
		"unknown field": func() []byte {
			b, _ := seal(map[string]any{"op": "pause", "evil": 1})
			return b
		}(),
		"two bodies": func() []byte {
			b, _ := seal(&Command{Op: OpPause, Drain: &NodeCmd{Node: "n1"}})
			return b
		}(),
		"bad id": func() []byte {
			b, _ := seal(&Command{Op: OpDrain, Drain: &NodeCmd{Node: "n 1/../"}})
			return b
		}(),
		"huge": make([]byte, MaxCommandSize+1),
	}
	for name, b := range cases {
		if _, err := DecodeCommand(b); !errors.Is(err, ErrBadCommand) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

func FuzzDecodeCommand(f *testing.F) {
	for _, c := range []*Command{job(4, 2, 1, 2), reg("a:1", 3), fail(true, "n1", "n2"), rep(1, "n1", 0, 3, "abcd", "n2"),
		{Op: OpPause}, {Op: OpDrain, Drain: &NodeCmd{Node: "n1"}}, {Op: OpReplica, Replica: &ReplicaCmd{ID: "r1", HTTP: "h:1"}}} {
		b, _ := EncodeCommand(c)
		f.Add(b)
	}
	f.Add([]byte{1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCommand(b)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode and apply without panicking.
		if _, err := EncodeCommand(c); err != nil {
			t.Fatalf("decoded command does not re-encode: %v", err)
		}
		s := cluster4(t)
		s.Apply(c)
	})
}

func FuzzDecodeSnapshot(f *testing.F) {
	s := NewState()
	b, _ := seal(s)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := DecodeSnapshot(b)
		if err != nil {
			return
		}
		// A snapshot that passes check must be safe to apply commands to.
		st.Apply(rep(1, "n1", 0, 1, "ab"))
		st.Apply(fail(false, "n1"))
		st.Apply(reg("x:1", 1))
		if _, err := seal(st); err != nil {
			t.Fatalf("state does not re-encode: %v", err)
		}
	})
}

type memSink struct{ bytes.Buffer }

func (*memSink) ID() string    { return "mem" }
func (*memSink) Cancel() error { return nil }
func (*memSink) Close() error  { return nil }

func TestRetriedRequestAppliedOnce(t *testing.T) {
	s := cluster4(t)
	c := reg("d:1", 1)
	c.ReqID = "req1"
	r1 := mustApply(t, s, c)
	r2 := mustApply(t, s, c)
	if r1.MemberID != "n4" || r2.MemberID != "n4" || !r2.Duplicate || len(s.Members) != 4 {
		t.Fatalf("retried register: %+v %+v, %d members", r1, r2, len(s.Members))
	}
	for i := 0; i < maxRecent+1; i++ {
		mustApply(t, s, &Command{Op: OpCheckpointNow, ReqID: "x" + strconv.Itoa(i)})
	}
	if len(s.Recent) != maxRecent || len(s.RecentOrder) != maxRecent {
		t.Fatalf("dedup set unbounded: %d", len(s.Recent))
	}
	if r := mustApply(t, s, c); r.Duplicate {
		t.Fatal("evicted id still remembered")
	}
}
