package sim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"time"

	"github.com/apollo-hpc/apollo/internal/crc32c"
)

// Snapshot is one rank's complete model state at a step boundary plus the
// layout it belongs to. Its binary form (AppendBinary, DecodeSnapshot) is:
//
//	magic "APSNAP\r\n" | version u16 | model name (u16 length, bytes) |
//	grid N 3×u32, Lo 3×f64, Hi 3×f64, BC 6×u8 | procs 3×u32 | rank u32 |
//	ng u32 | step i64 | time f64 | dt f64 | state (u64 length, bytes) |
//	CRC32C (Castagnoli) of everything before it, u32
//
// all little-endian.
type Snapshot struct {
	Model string
	Grid  Grid
	Procs [3]int
	Rank  int
	Ng    int
	Step  int64
	Time  float64
	Dt    float64 // the last step's dt (informational)
	Data  []byte  // the model's AppendState output; nil if Frozen is set
	// Frozen, if not nil, holds the state instead of Data (a deferred
	// snapshot, see Freezer): its bytes are produced later by
	// Frozen.AppendTo, and whoever owns the snapshot releases it. Not
	// part of the binary form (AppendBinary writes the state either way).
	Frozen Frozen
	// Capture is how long the driver spent capturing the state (the
	// AppendState pass or the Freeze), the solver's share of the stall.
	// Informational; not part of the binary form.
	Capture time.Duration
}

// StateLen is the length of the model state: len(Data), or Frozen.Size().
func (s *Snapshot) StateLen() int {
	if s.Data == nil && s.Frozen != nil {
		return s.Frozen.Size()
	}
	return len(s.Data)
}

// BinaryLen is the length of the binary form AppendBinary appends.
func (s *Snapshot) BinaryLen() int {
	const fixed = len(snapMagic) + 2 + 2 + 12 + 48 + 6 + 12 + 4 + 4 + 8 + 8 + 8 + 8 + 4
	return fixed + len(s.Model) + s.StateLen()
}

// SnapshotVersion is the binary version this build writes and reads.
const SnapshotVersion = 1

// Bounds the decoder enforces.
const (
	MaxModelName    = 255
	MaxSnapshotData = 1 << 40
)

const snapMagic = "APSNAP\r\n"

// castagnoli is the CRC-32C table (tests forge checksums with it);
// internal/crc32c computes the same CRC about twice as fast.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrSnapshot is wrapped by every DecodeSnapshot and layout error.
var ErrSnapshot = errors.New("sim: bad snapshot")

// AppendBinary appends the binary form of s to buf.
func (s *Snapshot) AppendBinary(buf []byte) ([]byte, error) {
	if len(s.Model) > MaxModelName {
		return buf, fmt.Errorf("sim: snapshot model name of %d bytes exceeds %d", len(s.Model), MaxModelName)
	}
	n := s.StateLen()
	if uint64(n) > MaxSnapshotData {
		return buf, fmt.Errorf("sim: snapshot state of %d bytes exceeds %d", n, uint64(MaxSnapshotData))
	}
	start := len(buf)
	buf = slices.Grow(buf, s.BinaryLen())
	le := binary.LittleEndian
	buf = append(buf, snapMagic...)
	buf = le.AppendUint16(buf, SnapshotVersion)
	buf = le.AppendUint16(buf, uint16(len(s.Model)))
	buf = append(buf, s.Model...)
	for a := 0; a < 3; a++ {
		buf = le.AppendUint32(buf, uint32(s.Grid.N[a]))
	}
	for a := 0; a < 3; a++ {
		buf = le.AppendUint64(buf, math.Float64bits(s.Grid.Lo[a]))
	}
	for a := 0; a < 3; a++ {
		buf = le.AppendUint64(buf, math.Float64bits(s.Grid.Hi[a]))
	}
	for a := 0; a < 3; a++ {
		buf = append(buf, byte(s.Grid.BC[a][0]), byte(s.Grid.BC[a][1]))
	}
	for a := 0; a < 3; a++ {
		buf = le.AppendUint32(buf, uint32(s.Procs[a]))
	}
	buf = le.AppendUint32(buf, uint32(s.Rank))
	buf = le.AppendUint32(buf, uint32(s.Ng))
	buf = le.AppendUint64(buf, uint64(s.Step))
	buf = le.AppendUint64(buf, math.Float64bits(s.Time))
	buf = le.AppendUint64(buf, math.Float64bits(s.Dt))
	buf = le.AppendUint64(buf, uint64(n))
	if s.Data == nil && s.Frozen != nil {
		at := len(buf)
		var err error
		if buf, err = s.Frozen.AppendTo(buf); err != nil {
			return buf[:start], fmt.Errorf("sim: frozen state at step %d: %w", s.Step, err)
		}
		if got := len(buf) - at; got != n {
			return buf[:start], fmt.Errorf("sim: frozen state at step %d: %d bytes, Size said %d", s.Step, got, n)
		}
	} else {
		buf = append(buf, s.Data...)
	}
	buf = le.AppendUint32(buf, crc32c.Checksum(buf[start:]))
	return buf, nil
}

// snapReader reads little-endian fields, remembering the first shortfall.
type snapReader struct {
	b   []byte
	bad bool
}

func (r *snapReader) take(n int) []byte {
	if r.bad || n > len(r.b) { // callers bound n
		r.bad = true
		return make([]byte, n)
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}
func (r *snapReader) u16() uint16 { return binary.LittleEndian.Uint16(r.take(2)) }
func (r *snapReader) u32() uint32 { return binary.LittleEndian.Uint32(r.take(4)) }
func (r *snapReader) u64() uint64 { return binary.LittleEndian.Uint64(r.take(8)) }
func (r *snapReader) f64() float64 {
	return math.Float64frombits(r.u64())
}

// DecodeSnapshot parses and verifies a snapshot. Its Data aliases b. It
// refuses, with an error wrapping ErrSnapshot, bytes that are truncated,
// corrupted (checksum), of another version, or out of bounds.
func DecodeSnapshot(b []byte) (*Snapshot, error) {
	const minLen = len(snapMagic) + 2 + 2 + 12 + 48 + 6 + 12 + 8 + 24 + 8 + 4
	if len(b) < minLen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than any snapshot", ErrSnapshot, len(b))
	}
	if string(b[:len(snapMagic)]) != snapMagic {
		return nil, fmt.Errorf("%w: not a sim snapshot (bad magic)", ErrSnapshot)
	}
	if v := binary.LittleEndian.Uint16(b[len(snapMagic):]); v != SnapshotVersion {
		return nil, fmt.Errorf("%w: version %d, this build reads version %d", ErrSnapshot, v, SnapshotVersion)
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if got := crc32c.Checksum(body); got != sum {
		return nil, fmt.Errorf("%w: checksum %08x, stored %08x (corrupted or truncated)", ErrSnapshot, got, sum)
	}
	r := &snapReader{b: body[len(snapMagic)+2:]}
	s := &Snapshot{}
	nameLen := int(r.u16())
	if nameLen > MaxModelName {
		return nil, fmt.Errorf("%w: model name of %d bytes exceeds %d", ErrSnapshot, nameLen, MaxModelName)
	}
	s.Model = string(r.take(nameLen))
	for a := 0; a < 3; a++ {
		s.Grid.N[a] = int(r.u32())
	}
	for a := 0; a < 3; a++ {
		s.Grid.Lo[a] = r.f64()
	}
	for a := 0; a < 3; a++ {
		s.Grid.Hi[a] = r.f64()
	}
	for a := 0; a < 3; a++ {
		bc := r.take(2)
		s.Grid.BC[a] = [2]Boundary{Boundary(bc[0]), Boundary(bc[1])}
	}
	for a := 0; a < 3; a++ {
		s.Procs[a] = int(r.u32())
	}
	s.Rank = int(r.u32())
	s.Ng = int(r.u32())
	s.Step = int64(r.u64())
	s.Time = r.f64()
	s.Dt = r.f64()
	n := r.u64()
	if r.bad {
		return nil, fmt.Errorf("%w: truncated header", ErrSnapshot)
	}
	if n > MaxSnapshotData || n != uint64(len(r.b)) {
		return nil, fmt.Errorf("%w: state length %d, %d bytes follow", ErrSnapshot, n, len(r.b))
	}
	s.Data = r.b
	if err := s.Grid.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	if _, err := NewBlock(s.Grid, s.Procs, s.Rank, s.Ng); err != nil {
		return nil, fmt.Errorf("%w: layout: %w", ErrSnapshot, err)
	}
	if s.Step < 0 || math.IsNaN(s.Time) || math.IsInf(s.Time, 0) {
		return nil, fmt.Errorf("%w: step %d time %g", ErrSnapshot, s.Step, s.Time)
	}
	return s, nil
}

// CheckLayout reports whether s can restart model on block b: same model
// name, grid, process grid, rank and ghost width.
func (s *Snapshot) CheckLayout(model string, b *Block) error {
	switch {
	case s.Model != model:
		return fmt.Errorf("%w: snapshot of model %q, running %q", ErrSnapshot, s.Model, model)
	case s.Grid != b.Grid:
		return fmt.Errorf("%w: snapshot grid %+v differs from run grid %+v", ErrSnapshot, s.Grid, b.Grid)
	case s.Procs != b.Procs || s.Rank != b.Rank:
		return fmt.Errorf("%w: snapshot of rank %d on process grid %v, this is rank %d on %v",
			ErrSnapshot, s.Rank, s.Procs, b.Rank, b.Procs)
	case s.Ng != b.Ng:
		return fmt.Errorf("%w: snapshot ghost width %d, run uses %d", ErrSnapshot, s.Ng, b.Ng)
	}
	return nil
}
