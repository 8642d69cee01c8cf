package coord

import (
	"testing"
)

// FuzzAPIBodies runs every API request decoder over arbitrary bytes: strict
// decoding must never panic, and whatever decodes must either be refused by
// validation or encode as a valid command.
func FuzzAPIBodies(f *testing.F) {
	for _, s := range []string{
		`{"addr":"a:1","capacity":2}`, `{"node":"n1","epoch":3}`, `{"node":"n1"}`, `{}`,
		`{"epoch":1,"node":"n1","rank":0,"checkpoint":1,"step":10,"level":"memory","manifest_hash":"ab","holders":["n2"]}`,
		`{"spec":"AAE=","ranks":4,"k":2,"m":1,"min_nodes":2,"retention":2}`, `{"id":"c2","raft_addr":"h:1","http_addr":"h:2"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var reg RegisterRequest
		if decodeStrict(b, &reg) == nil {
			EncodeCommand(&Command{Op: OpRegister, Register: &RegisterCmd{Addr: reg.Addr, Capacity: reg.Capacity}})
		}
		var hb HeartbeatRequest
		_ = decodeStrict(b, &hb)
		var rep ReportCmd
		if decodeStrict(b, &rep) == nil {
			if enc, err := EncodeCommand(&Command{Op: OpReport, Report: &rep}); err == nil {
				if _, err := DecodeCommand(enc); err != nil {
					t.Fatalf("valid report does not round-trip: %v", err)
				}
			}
		}
		var j Job
		if decodeStrict(b, &j) == nil {
			if enc, err := EncodeCommand(&Command{Op: OpSetJob, Job: &j}); err == nil {
				if _, err := DecodeCommand(enc); err != nil {
					t.Fatalf("valid job does not round-trip: %v", err)
				}
			}
		}
		var nr NodeRequest
		_ = decodeStrict(b, &nr)
		var rr ReplicaRequest
		_ = decodeStrict(b, &rr)
		_ = decodeStrict(b, &EmptyRequest{})
	})
}

func FuzzDecodeCommitRecord(f *testing.F) {
	b, _ := seal(CommitRecord{Version: 1, Epoch: 2, Job: &Job{Ranks: 2, K: 1, M: 1, MinNodes: 1, Retention: 1},
		Checkpoint: Checkpoint{ID: 3, Step: 30, Level: LevelShared, ManifestHash: "ab", RankManifests: []string{"a", "b"}}})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := DecodeCommitRecord(b)
		if err == nil && (rec.Job == nil || rec.Checkpoint.ID == 0) {
			t.Fatal("incomplete record accepted")
		}
	})
}
