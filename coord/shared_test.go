package coord

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCommitRecordsSkipCorrupt(t *testing.T) {
	dir := t.TempDir()
	j := &Job{Spec: []byte("s"), Ranks: 1, K: 1, M: 0, MinNodes: 1, Retention: 2}
	for id := uint64(1); id <= 2; id++ {
		rec := CommitRecord{Version: 1, Epoch: 1, Job: j, Checkpoint: Checkpoint{ID: id, Step: int64(id), Level: LevelShared,
			ManifestHash: "ab", RankManifests: []string{"ab"}}}
		if err := writeCommitRecord(dir, rec); err != nil {
			t.Fatal(err)
		}
	}
	rec, bad, err := LatestCommitRecord(dir)
	if err != nil || rec.Checkpoint.ID != 2 || len(bad) != 0 {
		t.Fatalf("latest: %+v %v %v", rec, bad, err)
	}
	// Flip a bit in the newest: it is reported and the older one is used.
	p := filepath.Join(dir, recordDir, recordName(2))
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 0x10
	os.WriteFile(p, b, 0o644)
	rec, bad, err = LatestCommitRecord(dir)
	if err != nil || rec.Checkpoint.ID != 1 || len(bad) != 1 {
		t.Fatalf("after corruption: %+v %v %v", rec, bad, err)
	}
	os.Truncate(filepath.Join(dir, recordDir, recordName(1)), 3)
	if _, _, err := LatestCommitRecord(dir); err == nil {
		t.Fatal("no valid record, yet no error")
	}
}
