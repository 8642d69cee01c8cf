package sim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"strings"
	"testing"
)

func sampleSnapshot() *Snapshot {
	g := testGrid([3]int{8, 6, 4}, Periodic)
	g.BC[1] = [2]Boundary{Outflow, Reflecting}
	return &Snapshot{Model: "heat", Grid: g, Procs: [3]int{2, 1, 2}, Rank: 3, Ng: 2,
		Step: 42, Time: 0.125, Dt: 1.0 / 3, Data: []byte("state bytes")}
}

func TestSnapshotRoundTrip(t *testing.T) {
	s := sampleSnapshot()
	b, err := s.AppendBinary([]byte("prefix"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSnapshot(b[len("prefix"):])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip: %+v, want %+v", got, s)
	}
}

func TestSnapshotRefuses(t *testing.T) {
	good, _ := sampleSnapshot().AppendBinary(nil)
	recrc := func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
		return b
	}
	mut := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"empty":     {nil, "shorter"},
		"magic":     {mut(func(b []byte) []byte { b[0] = 'X'; return b }), "magic"},
		"version":   {mut(func(b []byte) []byte { b[8] = 2; return recrc(b) }), "version 2"},
		"bitflip":   {mut(func(b []byte) []byte { b[len(b)-8] ^= 1; return b }), "checksum"},
		"truncated": {good[:len(good)-3], "checksum"},
		"datalen": {mut(func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[len(b)-4-11-8:], 1<<50)
			return recrc(b)
		}), "state length"},
		"badgrid": {mut(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[16:], 0) // N[0] = 0 (after magic, version, name)
			return recrc(b)
		}), "cells"},
		"badrank": {mut(func(b []byte) []byte {
			off := 16 + 12 + 48 + 6 + 12
			binary.LittleEndian.PutUint32(b[off:], 4)
			return recrc(b)
		}), "rank 4"},
	}
	for name, c := range cases {
		_, err := DecodeSnapshot(c.b)
		if err == nil || !errors.Is(err, ErrSnapshot) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want one mentioning %q", name, err, c.want)
		}
	}
}

func TestSnapshotCheckLayout(t *testing.T) {
	s := sampleSnapshot()
	b, err := NewBlock(s.Grid, s.Procs, s.Rank, s.Ng)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckLayout("heat", b); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckLayout("mhd", b); err == nil || !errors.Is(err, ErrSnapshot) {
		t.Errorf("other model: %v", err)
	}
	b2, _ := NewBlock(s.Grid, [3]int{1, 1, 4}, 3, 1)
	if err := s.CheckLayout("heat", b2); err == nil || !strings.Contains(err.Error(), "process grid") {
		t.Errorf("other procs: %v", err)
	}
	b3, _ := NewBlock(s.Grid, s.Procs, s.Rank, 1)
	if err := s.CheckLayout("heat", b3); err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("other ghost width: %v", err)
	}
}

func FuzzDecodeSnapshot(f *testing.F) {
	good, _ := sampleSnapshot().AppendBinary(nil)
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte(snapMagic))
	empty, _ := (&Snapshot{Model: "", Grid: testGrid([3]int{1, 1, 1}, Outflow), Procs: [3]int{1, 1, 1}, Ng: 1}).AppendBinary(nil)
	f.Add(empty)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeSnapshot(b)
		if err != nil {
			if !errors.Is(err, ErrSnapshot) {
				t.Fatalf("error not wrapping ErrSnapshot: %v", err)
			}
			return
		}
		// What decodes re-encodes to the same bytes.
		again, err := s.AppendBinary(nil)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs: %v", err)
		}
	})
}
