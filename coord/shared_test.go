package coord

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
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

func TestCommitRecordsPruned(t *testing.T) {
	dir := t.TempDir()
	j := &Job{Spec: []byte("s"), Ranks: 1, K: 1, M: 0, MinNodes: 1, Retention: 2}
	for id := uint64(1); id <= 20; id++ {
		rec := CommitRecord{Version: 1, Epoch: 1, Job: j, Checkpoint: Checkpoint{ID: id, Step: int64(id), Level: LevelShared,
			ManifestHash: "ab", RankManifests: []string{"ab"}}}
		if err := writeCommitRecord(dir, rec); err != nil {
			t.Fatal(err)
		}
	}
	rdir := filepath.Join(dir, recordDir)
	fresh := filepath.Join(rdir, ".tmp-commit-fresh")
	stale := filepath.Join(rdir, ".tmp-commit-stale")
	for _, p := range []string{fresh, stale} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if err := pruneCommitRecords(dir, 5, time.Now()); err != nil {
		t.Fatal(err)
	}
	ids, err := recordIDs(rdir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{20, 19, 18, 17, 16}; !slices.Equal(ids, want) {
		t.Fatalf("kept %v, want %v", ids, want)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Fatalf("fresh temporary removed: %v", err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale temporary kept: %v", err)
	}
	rec, _, err := LatestCommitRecord(dir)
	if err != nil || rec.Checkpoint.ID != 20 {
		t.Fatalf("latest after prune: %+v %v", rec, err)
	}
	// Pruning again (another replica) is harmless.
	if err := pruneCommitRecords(dir, 5, time.Now()); err != nil {
		t.Fatal(err)
	}
}
