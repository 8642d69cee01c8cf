package output

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testValue is a distinct, non-round value per global cell and component, so that any index
// mix-up or precision loss shows.
func testValue(field, comp, i, j, k int) float64 {
	return math.Sin(float64(1+field))*1e3 + float64(comp)*0.1 + float64(i)/3 + float64(j)*math.Pi + float64(k)*math.E*7
}

// splitAxis cuts n cells into p nearly equal parts.
func splitAxis(n, p, c int) (start, cnt int) {
	return c * n / p, (c+1)*n/p - c*n/p
}

// testPieces decomposes whole over procs and fills one scalar and one vector field with
// testValue in the interior and NaN in the ghosts (which must never reach a file).
func testPieces(whole, procs [3]int, ng int) ([]*Piece, []Extent) {
	var pieces []*Piece
	var exts []Extent
	for pz := 0; pz < procs[2]; pz++ {
		for py := 0; py < procs[1]; py++ {
			for px := 0; px < procs[0]; px++ {
				p := &Piece{Whole: whole, Ng: ng, Origin: [3]float64{-1, 0.5, 2}, Spacing: [3]float64{0.1, 0.2, 1.0 / 3}}
				for d, c := range [3]int{px, py, pz} {
					p.Start[d], p.N[d] = splitAxis(whole[d], procs[d], c)
				}
				sx, sy, sz := p.N[0]+2*ng, p.N[1]+2*ng, p.N[2]+2*ng
				size := sx * sy * sz
				rho := make([]float64, size)
				b := make([]float64, 3*size)
				for m := range rho {
					rho[m] = math.NaN()
				}
				for m := range b {
					b[m] = math.NaN()
				}
				for k := 0; k < p.N[2]; k++ {
					for j := 0; j < p.N[1]; j++ {
						for i := 0; i < p.N[0]; i++ {
							idx := (i + ng) + sx*((j+ng)+sy*(k+ng))
							gi, gj, gk := p.Start[0]+i, p.Start[1]+j, p.Start[2]+k
							rho[idx] = testValue(0, 0, gi, gj, gk)
							for c := 0; c < 3; c++ {
								b[c*size+idx] = testValue(1, c, gi, gj, gk)
							}
						}
					}
				}
				p.Fields = []NamedField{{Name: "rho", Data: rho, Components: 1}, {Name: "B", Data: b, Components: 3}}
				pieces = append(pieces, p)
				exts = append(exts, p.Extent())
			}
		}
	}
	return pieces, exts
}

func writeSeries(t testing.TB, dir, name string, step int64, pieces []*Piece, exts []Extent) string {
	t.Helper()
	w, err := NewVTKWriter(dir, name)
	if err != nil {
		t.Fatal(err)
	}
	for r, p := range pieces {
		if _, err := w.WritePiece(step, r, p); err != nil {
			t.Fatal(err)
		}
	}
	path, err := w.WriteIndex(step, pieces[0], exts)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// checkGlobal compares an assembled image with testValue bit for bit.
func checkGlobal(t *testing.T, im *Image, whole [3]int) {
	t.Helper()
	if im.Extent != (Extent{N: whole}) {
		t.Fatalf("extent %v, want %v", im.Extent, whole)
	}
	rho, b := im.Field("rho"), im.Field("B")
	if rho == nil || b == nil || rho.Components != 1 || b.Components != 3 {
		t.Fatalf("fields %+v", im.Fields)
	}
	n := whole[0] * whole[1] * whole[2]
	for k := 0; k < whole[2]; k++ {
		for j := 0; j < whole[1]; j++ {
			for i := 0; i < whole[0]; i++ {
				m := i + whole[0]*(j+whole[1]*k)
				if got, want := rho.Data[m], testValue(0, 0, i, j, k); math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("rho(%d,%d,%d) = %v, want %v", i, j, k, got, want)
				}
				for c := 0; c < 3; c++ {
					if got, want := b.Data[c*n+m], testValue(1, c, i, j, k); math.Float64bits(got) != math.Float64bits(want) {
						t.Fatalf("B%d(%d,%d,%d) = %v, want %v", c, i, j, k, got, want)
					}
				}
			}
		}
	}
}

func TestVTIRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		whole, procs [3]int
		ng           int
	}{
		{[3]int{5, 4, 3}, [3]int{1, 1, 1}, 0},
		{[3]int{7, 5, 3}, [3]int{2, 2, 1}, 2},
		{[3]int{6, 6, 6}, [3]int{2, 2, 2}, 1},
		{[3]int{9, 1, 4}, [3]int{3, 1, 2}, 3},
	} {
		dir := t.TempDir()
		pieces, exts := testPieces(tc.whole, tc.procs, tc.ng)
		path := writeSeries(t, dir, "run", 12, pieces, exts)
		if filepath.Base(path) != "run_000012.pvti" {
			t.Fatalf("index path %s", path)
		}
		im, err := ReadPVTI(path)
		if err != nil {
			t.Fatal(err)
		}
		checkGlobal(t, im, tc.whole)
		if im.Origin != pieces[0].Origin || im.Spacing != pieces[0].Spacing {
			t.Fatalf("geometry %v %v", im.Origin, im.Spacing)
		}
		// No temporary files are left behind.
		ents, _ := os.ReadDir(dir)
		if len(ents) != len(pieces)+1 {
			t.Fatalf("%d files in output directory, want %d", len(ents), len(pieces)+1)
		}
	}
}

func TestVTIRejectsCorruption(t *testing.T) {
	dir := t.TempDir()
	pieces, exts := testPieces([3]int{4, 3, 2}, [3]int{1, 1, 1}, 1)
	writeSeries(t, dir, "c", 0, pieces, exts)
	path := filepath.Join(dir, PieceFile("c", 0, 0))
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseVTI(good); err != nil {
		t.Fatalf("good file refused: %v", err)
	}
	us := bytes.IndexByte(good, '_')
	cases := map[string][]byte{
		"flipped data bit": flip(good, len(good)-40),
		"truncated":        good[:len(good)-60],
		"version 2":        bytes.Replace(good, []byte("apollo-vti version=1"), []byte("apollo-vti version=2"), 1),
		"no checksum":      bytes.Replace(good, []byte("<!-- apollo-vti"), []byte("<!-- other-vti"), 1),
		"big endian":       bytes.Replace(good, []byte("LittleEndian"), []byte("BigEndian\x20\x20\x20"), 1),
		"UInt32 header":    bytes.Replace(good, []byte(`header_type="UInt64"`), []byte(`header_type="UInt32"`), 1),
		"Float32":          bytes.Replace(good, []byte(`"Float64"`), []byte(`"Float32"`), 1),
		"huge extent":      bytes.Replace(good, []byte(`Extent="0 4 0 3 0 2"`), []byte(`Extent="0 4000 0 3000 0 2"`), -1),
		"bad offset":       bytes.Replace(good, []byte(`offset="0"`), []byte(`offset="8"`), 1),
		"empty":            nil,
		"header only":      good[:us],
	}
	for name, data := range cases {
		_, err := ParseVTI(data)
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		t.Logf("%s: %v", name, err)
	}
	// The whole read refuses a corrupted piece too.
	if err := os.WriteFile(path, flip(good, len(good)-40), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPVTI(filepath.Join(dir, IndexFile("c", 0))); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("corrupted piece: err = %v, want checksum mismatch", err)
	}
}

func flip(b []byte, at int) []byte {
	c := append([]byte(nil), b...)
	c[at] ^= 0x10
	return c
}

func TestVTIWriterRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	w, err := NewVTKWriter(dir, "x")
	if err != nil {
		t.Fatal(err)
	}
	pieces, exts := testPieces([3]int{4, 4, 2}, [3]int{2, 1, 1}, 1)
	mut := func(f func(p *Piece)) *Piece {
		q := *pieces[0]
		q.Fields = append([]NamedField(nil), q.Fields...)
		f(&q)
		return &q
	}
	bad := map[string]*Piece{
		"short data":     mut(func(p *Piece) { p.Fields[0].Data = p.Fields[0].Data[1:] }),
		"outside grid":   mut(func(p *Piece) { p.Start[0] = 3 }),
		"zero spacing":   mut(func(p *Piece) { p.Spacing[1] = 0 }),
		"NaN origin":     mut(func(p *Piece) { p.Origin[2] = math.NaN() }),
		"2 components":   mut(func(p *Piece) { p.Fields[1].Components = 2 }),
		"quote in name":  mut(func(p *Piece) { p.Fields[0].Name = `a"b` }),
		"duplicate name": mut(func(p *Piece) { p.Fields[1].Name = "rho" }),
		"no fields":      mut(func(p *Piece) { p.Fields = nil }),
		"negative ghost": mut(func(p *Piece) { p.Ng = -1 }),
	}
	for name, p := range bad {
		if _, err := w.WritePiece(0, 0, p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for name, e := range map[string][]Extent{
		"missing piece": exts[:1],
		"overlap":       {exts[0], exts[0]},
		"none":          nil,
	} {
		if _, err := w.WriteIndex(0, pieces[0], e); err == nil {
			t.Errorf("index %s: accepted", name)
		}
	}
	for _, name := range []string{"", "a/b", "..", `x"y`} {
		if _, err := NewVTKWriter(dir, name); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("refused writes left %d files", len(ents))
	}
}

func TestParsePVTIRefusesEscapingSource(t *testing.T) {
	dir := t.TempDir()
	pieces, exts := testPieces([3]int{2, 2, 2}, [3]int{1, 1, 1}, 0)
	path := writeSeries(t, dir, "s", 3, pieces, exts)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePVTI(data); err != nil {
		t.Fatal(err)
	}
	evil := bytes.Replace(data, []byte(`Source="s_000003_0000.vti"`), []byte(`Source="../../etc/passwd"`), 1)
	if _, err := ParsePVTI(evil); err == nil {
		t.Fatal("source outside the directory accepted")
	}
}

func FuzzParseVTI(f *testing.F) {
	dir := f.TempDir()
	pieces, exts := testPieces([3]int{3, 2, 2}, [3]int{1, 1, 1}, 1)
	writeSeries(f, dir, "f", 1, pieces, exts)
	good, err := os.ReadFile(filepath.Join(dir, PieceFile("f", 1, 0)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(`<?xml version="1.0"?><VTKFile type="ImageData"></VTKFile>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := ParseVTI(data)
		if err != nil {
			return
		}
		n := im.Extent.cells()
		for _, fl := range im.Fields {
			if len(fl.Data) != fl.Components*n {
				t.Fatalf("field %q: %d values for %d cells", fl.Name, len(fl.Data), n)
			}
		}
	})
}

func FuzzParsePVTI(f *testing.F) {
	dir := f.TempDir()
	pieces, exts := testPieces([3]int{4, 2, 2}, [3]int{2, 1, 2}, 0)
	path := writeSeries(f, dir, "f", 1, pieces, exts)
	good, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(bytes.Replace(good, []byte(`Extent="0 2`), []byte(`Extent="0 3`), 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := ParsePVTI(data)
		if err != nil {
			return
		}
		total := 0
		for _, p := range ix.Pieces {
			if filepath.Base(p.Source) != p.Source {
				t.Fatalf("source %q escapes", p.Source)
			}
			total += p.Extent.cells()
		}
		if total != ix.Whole[0]*ix.Whole[1]*ix.Whole[2] {
			t.Fatalf("pieces cover %d cells of %v", total, ix.Whole)
		}
	})
}
