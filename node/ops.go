package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apollo-hpc/apollo/checkpoint"
	"github.com/apollo-hpc/apollo/coord"
)

// Client returns a controller client for the configuration's addresses and
// cluster key (operator commands).
func Client(cfg *Config) (*coord.Client, error) {
	key, err := LoadKey(cfg.KeyFile())
	if err != nil {
		return nil, err
	}
	return coord.NewClient(cfg.Controller.Addrs, key), nil
}

// WriteStatus prints a controller status for people: leader, epoch,
// members with their ranks, and the committed checkpoints.
func WriteStatus(w io.Writer, s coord.Status) {
	st := s.State
	if st == nil {
		fmt.Fprintln(w, "no state")
		return
	}
	fmt.Fprintf(w, "leader %s (%s), term %d, answered by %s\n", s.Leader, s.LeaderHTTP, s.Term, s.Replica)
	if st.Job == nil {
		fmt.Fprintln(w, "no job set")
		return
	}
	name := "?"
	var stop int64
	if spec, err := DecodeJobSpec(st.Job.Spec); err == nil {
		name, stop = spec.Name, spec.StopStep
	}
	last := int64(0)
	if n := len(st.Checkpoints); n > 0 {
		last = st.Checkpoints[n-1].Step
	}
	state := "running"
	switch {
	case finalCommitted(st):
		state = "finished"
	case st.Epoch == 0:
		state = fmt.Sprintf("waiting for %d nodes", st.Job.MinNodes)
	case st.Paused:
		state = "paused"
	}
	fmt.Fprintf(w, "job %s: %s, epoch %d, %d ranks, restore point step %d, last checkpoint step %d of %d, recoveries %d\n",
		name, state, st.Epoch, st.Job.Ranks, st.RestoreStep, last, stop, st.Recoveries)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tSTATE\tADDR\tRANKS")
	ids := make([]string, 0, len(st.Members))
	for id := range st.Members {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return cmpID(ids[i], ids[j]) < 0 })
	for _, id := range ids {
		m := st.Members[id]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", id, m.State, m.Addr, rankList(st.RanksOf(id)))
	}
	tw.Flush()
	WriteCheckpoints(w, st.Checkpoints)
}

func rankList(r []int) string {
	if len(r) == 0 {
		return "-"
	}
	parts := make([]string, len(r))
	for i, x := range r {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ",")
}

// WriteCheckpoints lists committed checkpoints.
func WriteCheckpoints(w io.Writer, cps []coord.Checkpoint) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECKPOINT\tSTEP\tLEVEL\tEPOCH\tFINAL\tCOMMITTED\tHOLDERS")
	for _, c := range cps {
		at := "-"
		if c.CommittedAt > 0 {
			at = time.Unix(0, c.CommittedAt).UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%v\t%s\t%s\n", c.ID, c.Step, c.Level, c.Epoch, isFinal(c.ID), at, strings.Join(c.Holders, ","))
	}
	tw.Flush()
}

// VerifyCheckpoints rebuilds every rank of every given checkpoint from its
// shards (memory level from the nodes' shard servers, shared level from the
// directory) and checks it against the committed digest. It returns one
// error per checkpoint that does not verify.
func VerifyCheckpoints(ctx context.Context, cfg *Config, st *coord.State, cps []coord.Checkpoint, out io.Writer) error {
	key, err := LoadKey(cfg.KeyFile())
	if err != nil {
		return err
	}
	if st == nil || st.Job == nil {
		return errors.New("verify: no job")
	}
	spec, err := DecodeJobSpec(st.Job.Spec)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	defer hc.CloseIdleConnections()
	resolve := func(lv checkpoint.Level, domain string) checkpoint.Store {
		if lv == checkpoint.LevelDir {
			ds, err := checkpoint.NewDirStore(cfg.CheckpointDir())
			if err != nil {
				return nil
			}
			return ds
		}
		m, ok := st.Members[domain]
		if !ok {
			return nil
		}
		_, s := splitAddr(m.Addr)
		return newShardClient(s, key, hc)
	}
	var errs []error
	for _, c := range cps {
		mf, err := manifestOf(c, spec.K, spec.M)
		if err == nil {
			for r := range mf.Ranks {
				if _, _, err = checkpoint.RestoreRank(ctx, mf, r, func(d string) checkpoint.Store { return resolve(mf.Level, d) }); err != nil {
					break
				}
			}
		}
		if err != nil {
			fmt.Fprintf(out, "checkpoint %d (step %d, %s): BAD: %v\n", c.ID, c.Step, c.Level, err)
			errs = append(errs, fmt.Errorf("checkpoint %d: %w", c.ID, err))
			continue
		}
		fmt.Fprintf(out, "checkpoint %d (step %d, %s): ok, %d ranks verified\n", c.ID, c.Step, c.Level, len(mf.Ranks))
	}
	return errors.Join(errs...)
}

// SharedRecords reads the commit records the controller wrote to the shared
// directory, oldest first, skipping (and returning as errors) damaged ones.
func SharedRecords(dir string) ([]*coord.CommitRecord, []error, error) {
	rdir := filepath.Join(dir, "coord")
	ents, err := os.ReadDir(rdir)
	if err != nil {
		return nil, nil, fmt.Errorf("commit records: %w", err)
	}
	var recs []*coord.CommitRecord
	var bad []error
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "commit-") || !strings.HasSuffix(e.Name(), ".rec") {
			continue
		}
		p := filepath.Join(rdir, e.Name())
		b, err := readLimited(p, 16<<20)
		if err == nil {
			var rec *coord.CommitRecord
			if rec, err = coord.DecodeCommitRecord(b); err == nil {
				recs = append(recs, rec)
				continue
			}
		}
		bad = append(bad, fmt.Errorf("%s: %w", p, err))
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Checkpoint.ID < recs[j].Checkpoint.ID })
	return recs, bad, nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}

// ResumeSpec finds the newest shared-level checkpoint recorded in the
// shared directory that verifies, and returns the job spec that resumes from
// it. Every rank is rebuilt and checked before it is chosen.
func ResumeSpec(ctx context.Context, cfg *Config, out io.Writer) (*JobSpec, error) {
	recs, bad, err := SharedRecords(cfg.CheckpointDir())
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	for _, b := range bad {
		fmt.Fprintf(out, "skipping damaged record: %v\n", b)
	}
	for i := len(recs) - 1; i >= 0; i-- {
		rec := recs[i]
		if rec.Checkpoint.Level != coord.LevelShared {
			continue
		}
		spec, err := DecodeJobSpec(rec.Job.Spec)
		if err != nil {
			fmt.Fprintf(out, "checkpoint %d: %v\n", rec.Checkpoint.ID, err)
			continue
		}
		if isFinal(rec.Checkpoint.ID) {
			return nil, fmt.Errorf("resume: job %s already finished (checkpoint %d at step %d)", spec.Name, rec.Checkpoint.ID, rec.Checkpoint.Step)
		}
		st := &coord.State{Job: rec.Job}
		if err := VerifyCheckpoints(ctx, cfg, st, []coord.Checkpoint{rec.Checkpoint}, out); err != nil {
			continue
		}
		cp := rec.Checkpoint
		cp.Holders = []string{sharedDomain}
		spec.Resume = &cp
		return spec, nil
	}
	return nil, errors.New("resume: no verifiable shared-level checkpoint in " + cfg.CheckpointDir())
}

// RunResume is `apollo resume`: a fresh controller (its old Raft state is
// discarded) whose job resumes from the newest good shared checkpoint.
func RunResume(ctx context.Context, cfg Config, opts ControllerOptions, out io.Writer) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	spec, err := ResumeSpec(ctx, &cfg, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "resuming job %s from checkpoint %d at step %d\n", spec.Name, spec.Resume.ID, spec.Resume.Step)
	if err := os.RemoveAll(cfg.RaftDir()); err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	cfg.Controller.Join = nil
	opts.Resume = spec
	return RunController(ctx, cfg, opts)
}

// memberByName resolves an operator's NODE argument: a member id, or a
// registered address.
func memberByName(st *coord.State, name string) (string, error) {
	if _, ok := st.Members[name]; ok {
		return name, nil
	}
	for id, m := range st.Members {
		c, s := splitAddr(m.Addr)
		if slices.Contains([]string{m.Addr, c, s}, name) {
			return id, nil
		}
	}
	return "", fmt.Errorf("no member %q", name)
}

// ResolveMember returns the member id for an operator's NODE argument.
func ResolveMember(ctx context.Context, c *coord.Client, name string) (string, error) {
	s, err := c.Status(ctx)
	if err != nil {
		return "", err
	}
	if s.State == nil {
		return "", errors.New("controller returned no state")
	}
	return memberByName(s.State, name)
}
