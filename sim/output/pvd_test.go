package output

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func readCollection(t *testing.T, dir, name string) []CollectionEntry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, CollectionFile(name)))
	if err != nil {
		t.Fatal(err)
	}
	es, err := ParseCollection(data)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestCollectionRollsBackWithRestart(t *testing.T) {
	dir := t.TempDir()
	for _, s := range []int64{0, 10, 20, 30} {
		if err := UpdateCollection(dir, "heat", s, float64(s)*0.01); err != nil {
			t.Fatal(err)
		}
	}
	// The run rolled back to step 10 and writes step 20 again, at a slightly different time.
	if err := UpdateCollection(dir, "heat", 20, 0.2001); err != nil {
		t.Fatal(err)
	}
	es := readCollection(t, dir, "heat")
	want := []CollectionEntry{{0, 0, "heat_000000.pvti"}, {10, 0.1, "heat_000010.pvti"}, {20, 0.2001, "heat_000020.pvti"}}
	if len(es) != len(want) {
		t.Fatalf("entries %v, want %v", es, want)
	}
	for i := range want {
		if es[i] != want[i] {
			t.Fatalf("entry %d = %v, want %v", i, es[i], want[i])
		}
	}
}

func TestCollectionRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	if err := UpdateCollection(dir, "a/b", 1, 0); err == nil {
		t.Error("name with slash accepted")
	}
	if err := UpdateCollection(dir, "x", -1, 0); err == nil {
		t.Error("negative step accepted")
	}
	if err := UpdateCollection(dir, "x", 1, 0); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(filepath.Join(dir, CollectionFile("x")))
	for name, data := range map[string][]byte{
		"escaping file": bytes.Replace(good, []byte(`file="x_000001.pvti"`), []byte(`file="../x_000001.pvti"`), 1),
		"no step":       bytes.Replace(good, []byte(`file="x_000001.pvti"`), []byte(`file="x.pvti"`), 1),
		"NaN time":      bytes.Replace(good, []byte(`timestep="0"`), []byte(`timestep="NaN"`), 1),
		"version 9":     bytes.Replace(good, []byte(`apollo-pvd version=1`), []byte(`apollo-pvd version=9`), 1),
		"other type":    bytes.Replace(good, []byte(`"Collection"`), []byte(`"ImageData"`), 1),
	} {
		if _, err := ParseCollection(data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A damaged collection is reported, not silently replaced.
	os.WriteFile(filepath.Join(dir, CollectionFile("x")), good[:len(good)/2], 0o644)
	if err := UpdateCollection(dir, "x", 2, 1); err == nil {
		t.Error("damaged collection overwritten")
	}
}

func FuzzParseCollection(f *testing.F) {
	var b bytes.Buffer
	writeCollection(&b, []CollectionEntry{{1, 0.5, "r_000001.pvti"}, {3, 1.5, "r_000003.pvti"}})
	f.Add(b.Bytes())
	f.Add([]byte(`<!-- apollo-pvd version=1 --><VTKFile type="Collection"><Collection><DataSet timestep="1" file="a_1.pvti"/></Collection></VTKFile>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := ParseCollection(data)
		if err != nil {
			return
		}
		for i := range es {
			if filepath.Base(es[i].File) != es[i].File || (i > 0 && es[i].Step <= es[i-1].Step) {
				t.Fatalf("bad entry %d: %v", i, es[i])
			}
		}
	})
}
