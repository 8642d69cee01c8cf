package coord

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CommitRecord describes one committed checkpoint and the job it belongs to.
// The controller writes one to the shared directory for every committed
// checkpoint, so that `apollo resume` can restart a job after every replica
// lost its (tmpfs) state. Framed like commands: version byte, CRC32C, JSON.
type CommitRecord struct {
	Version    int        `json:"version"`
	Epoch      uint64     `json:"epoch"`
	Job        *Job       `json:"job"`
	Checkpoint Checkpoint `json:"checkpoint"`
}

const (
	recordDir    = "coord"
	recordPrefix = "commit-"
	maxRecord    = 16 << 20
	// keepRecords bounds the records kept in the shared directory: resume
	// needs only the newest valid one, the others are fall-backs in case it
	// is damaged. A week of 30 s checkpoints would otherwise leave 20,000 files.
	keepRecords = 16
	// staleTemp is the age after which a temporary record file is taken for
	// the leftover of a crashed write (a live write takes milliseconds).
	staleTemp = 10 * time.Minute
)

func recordName(id uint64) string { return fmt.Sprintf("%s%020d.rec", recordPrefix, id) }

// writeCommitRecord writes rec atomically: temporary file, fsync, rename,
// fsync of the directory. An existing record is left alone (replicas race
// to write the same bytes).
func writeCommitRecord(shared string, rec CommitRecord) error {
	dir := filepath.Join(shared, recordDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("commit record: %w", err)
	}
	final := filepath.Join(dir, recordName(rec.Checkpoint.ID))
	if _, err := os.Stat(final); err == nil {
		return nil
	}
	b, err := seal(rec)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-commit-*")
	if err != nil {
		return fmt.Errorf("commit record: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(b)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, final)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("commit record %d: %w", rec.Checkpoint.ID, werr)
	}
	if d, err := os.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("commit record: sync dir: %w", err)
		}
	}
	return nil
}

// recordIDs lists the ids of the commit records in dir, newest first.
func recordIDs(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, recordPrefix) || !strings.HasSuffix(n, ".rec") {
			continue
		}
		id, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(n, recordPrefix), ".rec"), 10, 64)
		if err == nil {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] > ids[j] })
	return ids, nil
}

// pruneCommitRecords removes all but the newest keep records and temporary
// files older than staleTemp. Replicas may prune concurrently: a file that
// is already gone is not an error.
func pruneCommitRecords(shared string, keep int, now time.Time) error {
	dir := filepath.Join(shared, recordDir)
	ids, err := recordIDs(dir)
	if err != nil {
		return fmt.Errorf("prune commit records: %w", err)
	}
	var errs []error
	for i := keep; i < len(ids); i++ {
		if err := os.Remove(filepath.Join(dir, recordName(ids[i]))); err != nil && !os.IsNotExist(err) {
			errs = append(errs, err)
		}
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, ".tmp-commit-*"))
	for _, p := range tmps {
		if st, err := os.Stat(p); err == nil && now.Sub(st.ModTime()) > staleTemp {
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("prune commit records: %w", errors.Join(errs...))
	}
	return nil
}

// DecodeCommitRecord decodes and verifies a commit record file's bytes.
func DecodeCommitRecord(b []byte) (*CommitRecord, error) {
	var rec CommitRecord
	if err := open(b, maxRecord, &rec); err != nil {
		return nil, fmt.Errorf("commit record: %w", err)
	}
	if rec.Version != 1 || rec.Job == nil || rec.Checkpoint.ID == 0 {
		return nil, fmt.Errorf("commit record: %w: missing version, job or checkpoint", ErrBadCommand)
	}
	if err := rec.Job.validate(); err != nil {
		return nil, fmt.Errorf("commit record: %w", err)
	}
	return &rec, nil
}

// LatestCommitRecord returns the newest verifiable commit record in the
// shared directory, skipping (and reporting) records that do not verify.
func LatestCommitRecord(shared string) (*CommitRecord, []error, error) {
	dir := filepath.Join(shared, recordDir)
	ids, err := recordIDs(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("commit records: %w", err)
	}
	var bad []error
	for _, id := range ids {
		p := filepath.Join(dir, recordName(id))
		b, err := readCapped(p, maxRecord)
		if err == nil {
			var rec *CommitRecord
			if rec, err = DecodeCommitRecord(b); err == nil {
				return rec, bad, nil
			}
		}
		bad = append(bad, fmt.Errorf("%s: %w", p, err))
	}
	return nil, bad, fmt.Errorf("commit records: none valid in %s", dir)
}

func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%d bytes exceeds %d", st.Size(), limit)
	}
	b := make([]byte, st.Size())
	_, err = f.ReadAt(b, 0)
	if err != nil && st.Size() > 0 {
		return nil, err
	}
	return b, nil
}
