package node

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"time"

	"github.com/apollo-hpc/apollo/coord"
)

// JobSpec is the part of the configuration every node of a job must agree
// on. The controller stores it (opaque to coord) so that `apollo node` needs
// no copy of the job file.
type JobSpec struct {
	Name        string        `json:"name"`
	Problem     string        `json:"problem"`
	Grid        [3]int        `json:"grid"`
	Ranks       int           `json:"ranks"`
	StopStep    int64         `json:"stop_step"`
	StopTime    float64       `json:"stop_time"`
	CkptEvery   int64         `json:"checkpoint_every_steps"`
	CkptWall    time.Duration `json:"checkpoint_every_wall"`
	K           int           `json:"k"`
	M           int           `json:"m"`
	Keep        int           `json:"keep"`
	Memory      bool          `json:"memory"`
	SharedDir   string        `json:"shared_dir"` // checkpoint directory, as nodes see it
	OutputEvery int64         `json:"output_every"`
	OutputDir   string        `json:"output_dir"`
	// Resume, set by `apollo resume`, is the shared-level checkpoint a
	// resumed job starts from instead of t=0.
	Resume *coord.Checkpoint `json:"resume,omitempty"`
}

// SpecOf extracts the job spec from a validated configuration.
func SpecOf(c *Config) JobSpec {
	return JobSpec{
		Name: c.Job.Name, Problem: c.Job.Problem, Grid: [3]int{c.Job.Grid[0], c.Job.Grid[1], c.Job.Grid[2]},
		Ranks: c.Job.Ranks, StopStep: c.Job.StopStep, StopTime: c.Job.StopTime,
		CkptEvery: c.Checkpoint.EverySteps, CkptWall: c.Checkpoint.EveryWall,
		K: c.Checkpoint.DataShards, M: c.Checkpoint.ParityShards, Keep: c.Checkpoint.Keep,
		Memory: c.Checkpoint.Memory, SharedDir: c.CheckpointDir(),
		OutputEvery: c.Output.EverySteps, OutputDir: c.OutputDir(),
	}
}

// Job spec encoding, version 1: magic "APJS", u16 version, u32 CRC32C of the
// payload (little-endian), JSON payload; at most maxSpec bytes in all.
const (
	specMagic   = "APJS"
	specVersion = 1
	specHeader  = 10
	maxSpec     = 256 << 10 // the controller's bound on a job spec
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Encode returns the versioned, checksummed encoding of s.
func (s *JobSpec) Encode() ([]byte, error) {
	js, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("job spec: %w", err)
	}
	if len(js)+specHeader > maxSpec {
		return nil, fmt.Errorf("job spec: %d bytes, limit %d", len(js)+specHeader, maxSpec)
	}
	b := make([]byte, specHeader, specHeader+len(js))
	copy(b, specMagic)
	binary.LittleEndian.PutUint16(b[4:], specVersion)
	binary.LittleEndian.PutUint32(b[6:], crc32.Checksum(js, castagnoli))
	return append(b, js...), nil
}

// DecodeJobSpec decodes and checks an encoded job spec.
func DecodeJobSpec(b []byte) (*JobSpec, error) {
	if len(b) < specHeader || string(b[:4]) != specMagic {
		return nil, errors.New("job spec: not an apollo job spec")
	}
	if len(b) > maxSpec {
		return nil, fmt.Errorf("job spec: %d bytes, limit %d", len(b), maxSpec)
	}
	if v := binary.LittleEndian.Uint16(b[4:]); v != specVersion {
		return nil, fmt.Errorf("job spec: version %d, this apollo reads %d", v, specVersion)
	}
	if crc32.Checksum(b[specHeader:], castagnoli) != binary.LittleEndian.Uint32(b[6:]) {
		return nil, errors.New("job spec: checksum mismatch")
	}
	var s JobSpec
	if err := json.Unmarshal(b[specHeader:], &s); err != nil {
		return nil, fmt.Errorf("job spec: %w", err)
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *JobSpec) validate() error {
	if _, ok := problems[s.Problem]; !ok {
		return fmt.Errorf("job spec: unknown problem %q", s.Problem)
	}
	for _, n := range s.Grid {
		if n < 1 || n > 1<<16 {
			return fmt.Errorf("job spec: grid %v out of range", s.Grid)
		}
	}
	switch {
	case s.Ranks < 1 || s.Ranks > 4096:
		return fmt.Errorf("job spec: ranks %d out of range", s.Ranks)
	case s.StopStep < 0 || s.StopTime < 0 || (s.StopStep == 0 && s.StopTime == 0):
		return fmt.Errorf("job spec: no stop condition")
	case s.K < 1 || s.M < 0 || s.K+s.M > 256:
		return fmt.Errorf("job spec: k=%d m=%d out of range", s.K, s.M)
	case s.Keep < 1:
		return fmt.Errorf("job spec: keep %d < 1", s.Keep)
	case s.CkptEvery < 0 || s.CkptWall < 0 || s.OutputEvery < 0:
		return fmt.Errorf("job spec: negative interval")
	case s.Resume != nil && (s.Resume.Level != coord.LevelShared || len(s.Resume.RankManifests) != s.Ranks):
		return fmt.Errorf("job spec: resume point must be a shared-level checkpoint of all %d ranks", s.Ranks)
	}
	return nil
}
