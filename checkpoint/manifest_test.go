package checkpoint

import (
	"reflect"
	"testing"
)

func testManifest() *Manifest {
	m := &Manifest{ID: 42, Step: 4200, Epoch: 3, Level: LevelDir, K: 4, M: 2}
	for r := 0; r < 3; r++ {
		e := RankEntry{Rank: r, Size: 1000 + int64(r)}
		e.Digest[0], e.Digest[31] = byte(r), 0xAA
		for i := 0; i < 6; i++ {
			e.Shards = append(e.Shards, ShardLoc{Index: i, Domain: "node" + string(rune('a'+i)), Name: ShardName(42, r, i)})
		}
		m.Ranks = append(m.Ranks, e)
	}
	return m
}

func TestManifestRoundTripAndDamage(t *testing.T) {
	m := testManifest()
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnmarshalManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip:\n%+v\n%+v", got, m)
	}
	for i := range b {
		c := append([]byte(nil), b...)
		c[i] ^= 0x10
		if _, err := UnmarshalManifest(c); err == nil {
			t.Fatalf("bit flip at %d accepted", i)
		}
	}
	for n := 0; n < len(b); n++ {
		if _, err := UnmarshalManifest(b[:n]); err == nil {
			t.Fatalf("truncation to %d accepted", n)
		}
	}
	bad := testManifest()
	bad.Ranks[0].Shards[0].Index = 6
	if _, err := bad.Marshal(); err == nil {
		t.Fatal("shard index out of range marshalled")
	}
}

func FuzzManifest(f *testing.F) {
	b, _ := testManifest().Marshal()
	f.Add(b)
	e, _ := (&Manifest{ID: 1, Level: LevelMemory, K: 1, M: 1}).Marshal()
	f.Add(e)
	f.Add([]byte("APMF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalManifest(b)
		if err != nil {
			return
		}
		// Accepted input re-encodes to the same bytes.
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("accepted manifest does not marshal: %v", err)
		}
		if string(out) != string(b) {
			t.Fatal("manifest does not round-trip")
		}
	})
}
