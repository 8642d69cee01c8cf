package output

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// benchPiece is one rank's block of a 160³ run on 8 ranks: 80³ cells, 2 ghosts, the 8 MHD
// variables as scalars.
func benchPiece() *Piece {
	n, ng := 80, 2
	size := (n + 2*ng) * (n + 2*ng) * (n + 2*ng)
	p := &Piece{Whole: [3]int{160, 160, 160}, Start: [3]int{80, 0, 80}, N: [3]int{n, n, n}, Ng: ng,
		Spacing: [3]float64{1, 1, 1}}
	for _, name := range []string{"rho", "mx", "my", "mz", "E", "Bx", "By", "Bz"} {
		d := make([]float64, size)
		for i := range d {
			d[i] = float64(i) * 1e-3
		}
		p.Fields = append(p.Fields, NamedField{Name: name, Data: d, Components: 1})
	}
	return p
}

// BenchmarkWritePiece writes one 80³ piece of 8 Float64 fields (33 MB), fsync and rename included.
func BenchmarkWritePiece(b *testing.B) {
	dir := b.TempDir()
	p := benchPiece()
	w, err := NewVTKWriter(dir, "bench")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(p.Fields) * 8 * p.Extent().cells()))
	for b.Loop() {
		if _, err := w.WritePiece(1, 0, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawWrite is the reference for BenchmarkWritePiece: the same number of bytes, already
// in one buffer, written to the same directory with the same temp+fsync+rename.
func BenchmarkRawWrite(b *testing.B) {
	dir := b.TempDir()
	p := benchPiece()
	buf := make([]byte, len(p.Fields)*8*p.Extent().cells())
	path := filepath.Join(dir, "raw.bin")
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if err := writeAtomic(path, func(f *os.File) error {
			_, err := f.Write(buf)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSlicePNG draws a 160×160 slice to PNG in memory.
func BenchmarkSlicePNG(b *testing.B) {
	s := rampSlice(160, 160)
	for b.Loop() {
		if _, _, err := s.render(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeriesAppend appends one row of 8 diagnostics.
func BenchmarkSeriesAppend(b *testing.B) {
	s, err := OpenSeries(filepath.Join(b.TempDir(), "d.csv"), []string{"a", "b", "c", "d", "e", "f", "g", "h"}, -1)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	step := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Append(step, float64(step)*1e-3, 1, 2.5, 3e-7, 4, 5, 6, 7, 8); err != nil {
			b.Fatal(err)
		}
		step++
	}
}

// BenchmarkEncodePiece is the CPU side of WritePiece alone: converting the interior of the 8
// fields to little-endian bytes with the checksum, into a discarding writer.
func BenchmarkEncodePiece(b *testing.B) {
	p := benchPiece()
	w, err := NewVTKWriter(b.TempDir(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(p.Fields) * 8 * p.Extent().cells()))
	w.bw.Reset(io.Discard)
	for b.Loop() {
		if _, _, err := w.writeVTI(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCopyReference is the reference for BenchmarkEncodePiece: copying the same interior
// rows of the same arrays into one reused row buffer (memory traffic without conversion).
func BenchmarkCopyReference(b *testing.B) {
	p := benchPiece()
	n, ng := p.N, p.Ng
	sx, sy := n[0]+2*ng, n[1]+2*ng
	row := make([]float64, n[0])
	b.SetBytes(int64(len(p.Fields) * 8 * p.Extent().cells()))
	for b.Loop() {
		for f := range p.Fields {
			d := p.Fields[f].Data
			for k := 0; k < n[2]; k++ {
				for j := 0; j < n[1]; j++ {
					base := ng + sx*((j+ng)+sy*(k+ng))
					copy(row, d[base:base+n[0]])
				}
			}
		}
	}
	sink = row[0]
}

var sink float64
