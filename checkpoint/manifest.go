package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Level is a checkpoint level; lower levels are faster to restore from.
type Level uint8

const (
	// LevelMemory keeps shards in node RAM (the diskless level).
	LevelMemory Level = 1
	// LevelDir keeps shards in a shared directory (local disk or NFS).
	LevelDir Level = 2
)

func (l Level) String() string {
	switch l {
	case LevelMemory:
		return "memory"
	case LevelDir:
		return "dir"
	}
	return fmt.Sprintf("level%d", uint8(l))
}

// ShardLoc says where one shard lives: a failure domain and a name in its
// store.
type ShardLoc struct {
	Index  int    // shard index, 0..k+m-1
	Domain string // failure domain (node or directory) holding it
	Name   string // object name within that domain's store
}

// RankEntry is one rank's snapshot within a checkpoint.
type RankEntry struct {
	Rank   int
	Digest Digest // snapshot digest; restore requires it
	Size   int64  // snapshot length in bytes
	Shards []ShardLoc
}

// Manifest describes one checkpoint at one level: the controller commits it
// once every rank's entry is written; a checkpoint without a committed
// manifest does not exist.
type Manifest struct {
	ID    uint64
	Step  int64
	Epoch uint64
	Level Level
	K, M  int
	Ranks []RankEntry
}

// Manifest format, version 1 (little-endian): magic "APMF", u16 version,
// u64 id, i64 step, u64 epoch, u8 level, u16 k, u16 m, u32 rank count, then
// per rank: i64 rank, [32] digest, i64 size, u16 shard count, then per shard
// u16 index, u16 len+domain, u16 len+name; finally CRC32C of everything
// before it.
const (
	manifestMagic   = "APMF"
	manifestVersion = 1
	// MaxManifest bounds an encoded manifest.
	MaxManifest = 64 << 20
	maxName     = 1024
)

// Marshal encodes the manifest.
func (m *Manifest) Marshal() ([]byte, error) {
	if err := checkKM(m.K, m.M); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	b := make([]byte, 0, 64+len(m.Ranks)*(60+(m.K+m.M)*40))
	b = append(b, manifestMagic...)
	b = le.AppendUint16(b, manifestVersion)
	b = le.AppendUint64(b, m.ID)
	b = le.AppendUint64(b, uint64(m.Step))
	b = le.AppendUint64(b, m.Epoch)
	b = append(b, byte(m.Level))
	b = le.AppendUint16(b, uint16(m.K))
	b = le.AppendUint16(b, uint16(m.M))
	b = le.AppendUint32(b, uint32(len(m.Ranks)))
	for _, r := range m.Ranks {
		if len(r.Shards) > m.K+m.M {
			return nil, fmt.Errorf("checkpoint: manifest rank %d has %d shards, more than k+m", r.Rank, len(r.Shards))
		}
		b = le.AppendUint64(b, uint64(int64(r.Rank)))
		b = append(b, r.Digest[:]...)
		b = le.AppendUint64(b, uint64(r.Size))
		b = le.AppendUint16(b, uint16(len(r.Shards)))
		for _, s := range r.Shards {
			if s.Index < 0 || s.Index >= m.K+m.M || len(s.Domain) > maxName || len(s.Name) > maxName {
				return nil, fmt.Errorf("checkpoint: manifest rank %d: invalid shard location %+v", r.Rank, s)
			}
			b = le.AppendUint16(b, uint16(s.Index))
			b = le.AppendUint16(b, uint16(len(s.Domain)))
			b = append(b, s.Domain...)
			b = le.AppendUint16(b, uint16(len(s.Name)))
			b = append(b, s.Name...)
		}
	}
	b = le.AppendUint32(b, crc32.Checksum(b, castagnoli))
	if len(b) > MaxManifest {
		return nil, fmt.Errorf("checkpoint: manifest of %d bytes exceeds %d", len(b), MaxManifest)
	}
	return b, nil
}

// UnmarshalManifest decodes and verifies an encoded manifest.
func UnmarshalManifest(b []byte) (*Manifest, error) {
	if len(b) > MaxManifest {
		return nil, fmt.Errorf("checkpoint: manifest of %d bytes exceeds %d", len(b), MaxManifest)
	}
	if len(b) < 4+2+8+8+8+1+2+2+4+4 {
		return nil, errors.New("checkpoint: manifest truncated")
	}
	if string(b[:4]) != manifestMagic {
		return nil, errors.New("checkpoint: not a manifest: bad magic")
	}
	le := binary.LittleEndian
	body := b[:len(b)-4]
	if got, want := crc32.Checksum(body, castagnoli), le.Uint32(b[len(b)-4:]); got != want {
		return nil, fmt.Errorf("checkpoint: manifest checksum mismatch (%08x != %08x)", got, want)
	}
	d := decoder{b: body[4:]}
	if v := d.u16(); v != manifestVersion {
		return nil, fmt.Errorf("checkpoint: unsupported manifest version %d", v)
	}
	m := &Manifest{ID: d.u64(), Step: int64(d.u64()), Epoch: d.u64(), Level: Level(d.u8()), K: int(d.u16()), M: int(d.u16())}
	if err := checkKM(m.K, m.M); err != nil {
		return nil, err
	}
	nr := int(d.u32())
	// Each rank takes at least 50 bytes: bound the allocation by the input.
	if nr > len(d.b)/50 {
		return nil, fmt.Errorf("checkpoint: manifest claims %d ranks in %d bytes", nr, len(d.b))
	}
	m.Ranks = make([]RankEntry, nr)
	for i := range m.Ranks {
		r := &m.Ranks[i]
		r.Rank = int(int64(d.u64()))
		copy(r.Digest[:], d.bytes(32))
		r.Size = int64(d.u64())
		ns := int(d.u16())
		if d.err != nil {
			break
		}
		if ns > m.K+m.M || r.Size < 0 || r.Size > MaxSnapshot {
			return nil, fmt.Errorf("checkpoint: manifest rank %d: %d shards, size %d out of bounds", r.Rank, ns, r.Size)
		}
		r.Shards = make([]ShardLoc, ns)
		for j := range r.Shards {
			s := &r.Shards[j]
			s.Index = int(d.u16())
			s.Domain = string(d.bytes(int(d.u16())))
			s.Name = string(d.bytes(int(d.u16())))
			if d.err == nil && (s.Index >= m.K+m.M || len(s.Domain) > maxName || len(s.Name) > maxName) {
				return nil, fmt.Errorf("checkpoint: manifest rank %d: invalid shard location %+v", r.Rank, *s)
			}
		}
	}
	if d.err != nil {
		return nil, fmt.Errorf("checkpoint: manifest: %w", d.err)
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("checkpoint: manifest has %d trailing bytes", len(d.b))
	}
	return m, nil
}

// Rank returns the entry of one rank, if present.
func (m *Manifest) Rank(rank int) (RankEntry, bool) {
	for _, r := range m.Ranks {
		if r.Rank == rank {
			return r, true
		}
	}
	return RankEntry{}, false
}

// decoder reads little-endian fields, recording the first short read.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b) {
		d.err = errors.New("truncated")
		d.b = nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u8() uint8 {
	if b := d.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if b := d.bytes(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if b := d.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if b := d.bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}
