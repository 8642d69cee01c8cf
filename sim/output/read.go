package output

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// maxIndexBytes bounds a .pvti file (MaxPieces lines of about 100 bytes fit easily).
const maxIndexBytes = 64 << 20

// Image is cell data read back from apollo's VTK files: interior cells only (no ghosts), x
// fastest, vector fields component-major as in NamedField.
type Image struct {
	Extent  Extent // the cells held, in global cell indices
	Origin  [3]float64
	Spacing [3]float64
	Fields  []NamedField
}

// Field returns the named field, or nil.
func (im *Image) Field(name string) *NamedField {
	for i := range im.Fields {
		if im.Fields[i].Name == name {
			return &im.Fields[i]
		}
	}
	return nil
}

func attrs(se xml.StartElement) map[string]string {
	m := make(map[string]string, len(se.Attr))
	for _, a := range se.Attr {
		m[a.Name.Local] = a.Value
	}
	return m
}

func parseInts(s string, n int) ([]int, error) {
	fs := strings.Fields(s)
	if len(fs) != n {
		return nil, fmt.Errorf("want %d integers in %q", n, s)
	}
	out := make([]int, n)
	for i, f := range fs {
		v, err := strconv.ParseInt(f, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("integer %q: %w", f, err)
		}
		out[i] = int(v)
	}
	return out, nil
}

func parseVec(s string) ([3]float64, error) {
	var v [3]float64
	fs := strings.Fields(s)
	if len(fs) != 3 {
		return v, fmt.Errorf("want 3 numbers in %q", s)
	}
	for i, f := range fs {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return v, fmt.Errorf("number %q: %w", f, err)
		}
		v[i] = x
	}
	return v, nil
}

// parseExtent reads a VTK point extent "x0 x1 y0 y1 z0 z1" as a box of cells.
func parseExtent(s string) (Extent, error) {
	v, err := parseInts(s, 6)
	if err != nil {
		return Extent{}, fmt.Errorf("extent: %w", err)
	}
	var e Extent
	cells := int64(1)
	for d := 0; d < 3; d++ {
		lo, hi := v[2*d], v[2*d+1]
		if lo < 0 || hi <= lo || int64(hi)-int64(lo) > MaxCells {
			return Extent{}, fmt.Errorf("extent %q: invalid range in direction %d", s, d)
		}
		e.Start[d], e.N[d] = lo, hi-lo
		cells *= int64(e.N[d])
		if cells > MaxCells {
			return Extent{}, fmt.Errorf("extent %q: more than %d cells", s, MaxCells)
		}
	}
	return e, nil
}

func checkHeader(a map[string]string, typ string) error {
	if a["type"] != typ {
		return fmt.Errorf("VTKFile type %q, want %q", a["type"], typ)
	}
	if a["version"] != "1.0" {
		return fmt.Errorf("VTKFile version %q, want 1.0", a["version"])
	}
	if a["byte_order"] != "LittleEndian" {
		return fmt.Errorf("byte order %q, want LittleEndian", a["byte_order"])
	}
	if a["header_type"] != "UInt64" {
		return fmt.Errorf("header type %q, want UInt64", a["header_type"])
	}
	if c, ok := a["compressor"]; ok && c != "" {
		return fmt.Errorf("compressed data (%s) not supported", c)
	}
	return nil
}

func checkDirection(a map[string]string) error {
	if d, ok := a["Direction"]; ok && strings.Join(strings.Fields(d), " ") != "1 0 0 0 1 0 0 0 1" {
		return fmt.Errorf("direction %q: only the identity is supported", d)
	}
	return nil
}

// imageGeometry reads WholeExtent, Origin, Spacing and Direction of (P)ImageData.
func imageGeometry(a map[string]string) (Extent, [3]float64, [3]float64, error) {
	whole, err := parseExtent(a["WholeExtent"])
	if err != nil {
		return Extent{}, [3]float64{}, [3]float64{}, fmt.Errorf("WholeExtent: %w", err)
	}
	origin, err := parseVec(a["Origin"])
	if err != nil {
		return Extent{}, [3]float64{}, [3]float64{}, fmt.Errorf("Origin: %w", err)
	}
	spacing, err := parseVec(a["Spacing"])
	if err != nil {
		return Extent{}, [3]float64{}, [3]float64{}, fmt.Errorf("Spacing: %w", err)
	}
	if err := checkGeometry(origin, spacing); err != nil {
		return Extent{}, [3]float64{}, [3]float64{}, err
	}
	if err := checkDirection(a); err != nil {
		return Extent{}, [3]float64{}, [3]float64{}, err
	}
	return whole, origin, spacing, nil
}

// arrayDecl is a DataArray or PDataArray declaration.
type arrayDecl struct {
	name   string
	comps  int
	offset int64
}

func parseArray(a map[string]string, appended bool) (arrayDecl, error) {
	var d arrayDecl
	if a["type"] != "Float64" {
		return d, fmt.Errorf("array type %q, want Float64", a["type"])
	}
	d.name = a["Name"]
	if err := checkFieldName(d.name); err != nil {
		return d, err
	}
	c, err := strconv.Atoi(a["NumberOfComponents"])
	if err != nil || (c != 1 && c != 3) {
		return d, fmt.Errorf("array %q: NumberOfComponents %q, want 1 or 3", d.name, a["NumberOfComponents"])
	}
	d.comps = c
	if appended {
		if a["format"] != "appended" {
			return d, fmt.Errorf("array %q: format %q, want appended", d.name, a["format"])
		}
		off, err := strconv.ParseInt(a["offset"], 10, 64)
		if err != nil || off < 0 {
			return d, fmt.Errorf("array %q: invalid offset %q", d.name, a["offset"])
		}
		d.offset = off
	}
	return d, nil
}

// ParseVTI decodes a .vti written by VTKWriter.WritePiece. It checks the format version, the
// CRC32C of the appended data and every length against the file before allocating.
func ParseVTI(data []byte) (*Image, error) {
	im, err := parseVTI(data)
	if err != nil {
		return nil, fmt.Errorf("output: parse vti: %w", err)
	}
	return im, nil
}

func parseVTI(data []byte) (*Image, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		im                   Image
		arrays               []arrayDecl
		sawFile, sawImage    bool
		sawPiece, inCellData bool
		crc                  uint32
		sawCRC               bool
		appStart             = -1
		wholeExt             Extent
	)
	for appStart < 0 {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errors.New("no AppendedData section")
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.Comment:
			s := strings.TrimSpace(string(t))
			if rest, ok := strings.CutPrefix(s, "apollo-vti version="); ok {
				ver, sum, ok := strings.Cut(rest, " crc32c=")
				if !ok || ver != strconv.Itoa(vtiVersion) {
					return nil, fmt.Errorf("apollo vti version %q, want %d", ver, vtiVersion)
				}
				v, err := strconv.ParseUint(sum, 16, 32)
				if err != nil || len(sum) != 8 {
					return nil, fmt.Errorf("invalid checksum field %q", sum)
				}
				crc, sawCRC = uint32(v), true
			}
		case xml.StartElement:
			a := attrs(t)
			switch t.Name.Local {
			case "VTKFile":
				if err := checkHeader(a, "ImageData"); err != nil {
					return nil, err
				}
				sawFile = true
			case "ImageData":
				if !sawFile || sawImage {
					return nil, errors.New("misplaced ImageData")
				}
				whole, origin, spacing, err := imageGeometry(a)
				if err != nil {
					return nil, err
				}
				wholeExt, im.Origin, im.Spacing, sawImage = whole, origin, spacing, true
			case "Piece":
				if !sawImage || sawPiece {
					return nil, errors.New("want exactly one Piece inside ImageData")
				}
				e, err := parseExtent(a["Extent"])
				if err != nil {
					return nil, fmt.Errorf("Piece: %w", err)
				}
				im.Extent, sawPiece = e, true
			case "CellData":
				inCellData = true
			case "DataArray":
				if !inCellData || !sawPiece {
					return nil, errors.New("DataArray outside CellData")
				}
				if len(arrays) == MaxFields {
					return nil, fmt.Errorf("more than %d arrays", MaxFields)
				}
				d, err := parseArray(a, true)
				if err != nil {
					return nil, err
				}
				arrays = append(arrays, d)
			case "AppendedData":
				if a["encoding"] != "raw" {
					return nil, fmt.Errorf("appended data encoding %q, want raw", a["encoding"])
				}
				appStart = int(dec.InputOffset())
			}
		case xml.EndElement:
			if t.Name.Local == "CellData" {
				inCellData = false
			}
		}
	}
	if !sawPiece || len(arrays) == 0 {
		return nil, errors.New("no piece or no cell data arrays")
	}
	if !sawCRC {
		return nil, errors.New("no apollo-vti version/checksum comment")
	}
	for d := 0; d < 3; d++ {
		if im.Extent.Start[d] < wholeExt.Start[d] || im.Extent.Start[d]+im.Extent.N[d] > wholeExt.Start[d]+wholeExt.N[d] {
			return nil, fmt.Errorf("piece extent %v outside whole extent %v", im.Extent, wholeExt)
		}
	}
	// Raw data follows an underscore after optional whitespace.
	rest := data[appStart:]
	trimmed := bytes.TrimLeft(rest, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '_' {
		return nil, errors.New("appended data does not start with '_'")
	}
	app := trimmed[1:]
	cells := int64(im.Extent.cells())
	var pos int64
	for _, d := range arrays {
		if d.offset != pos {
			return nil, fmt.Errorf("array %q at offset %d, want %d", d.name, d.offset, pos)
		}
		if pos+8 > int64(len(app)) {
			return nil, fmt.Errorf("array %q: header beyond end of file", d.name)
		}
		n := binary.LittleEndian.Uint64(app[pos:])
		want := uint64(8 * int64(d.comps) * cells)
		if n != want {
			return nil, fmt.Errorf("array %q: %d bytes, want %d", d.name, n, want)
		}
		pos += 8
		if int64(want) > int64(len(app))-pos {
			return nil, fmt.Errorf("array %q: data beyond end of file", d.name)
		}
		pos += int64(want)
	}
	if got := crc32.Checksum(app[:pos], castagnoli); got != crc {
		return nil, fmt.Errorf("checksum mismatch: data %08x, header %08x", got, crc)
	}
	if !bytes.HasPrefix(bytes.TrimLeft(app[pos:], " \t\r\n"), []byte("</AppendedData>")) {
		return nil, errors.New("trailing bytes after appended data")
	}
	im.Fields = make([]NamedField, len(arrays))
	for i, d := range arrays {
		for j := 0; j < i; j++ {
			if arrays[j].name == d.name {
				return nil, fmt.Errorf("array %q given twice", d.name)
			}
		}
		src := app[d.offset+8 : d.offset+8+8*int64(d.comps)*cells]
		out := make([]float64, int64(d.comps)*cells)
		// VTK interleaves components per cell; NamedField keeps them component-major.
		nc := int64(d.comps)
		for c := int64(0); c < nc; c++ {
			dst := out[c*cells : (c+1)*cells]
			for m := range dst {
				dst[m] = math.Float64frombits(binary.LittleEndian.Uint64(src[8*(int64(m)*nc+c):]))
			}
		}
		im.Fields[i] = NamedField{Name: d.name, Data: out, Components: d.comps}
	}
	return &im, nil
}

// ReadVTI reads and checks a .vti written by VTKWriter.WritePiece.
func ReadVTI(path string) (*Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("output: read %s: %w", path, err)
	}
	im, err := ParseVTI(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return im, nil
}

// Index is a parsed .pvti: the global grid, the arrays and the pieces.
type Index struct {
	Whole   [3]int
	Origin  [3]float64
	Spacing [3]float64
	Fields  []NamedField // names and components only (Data is nil)
	Pieces  []IndexPiece
}

// IndexPiece is one piece of an Index: its cells and its file, relative to the .pvti.
type IndexPiece struct {
	Extent Extent
	Source string
}

// ParsePVTI decodes a .pvti written by VTKWriter.WriteIndex. Sources must be plain file names
// in the same directory, and the pieces must tile the grid.
func ParsePVTI(data []byte) (*Index, error) {
	ix, err := parsePVTI(data)
	if err != nil {
		return nil, fmt.Errorf("output: parse pvti: %w", err)
	}
	return ix, nil
}

func parsePVTI(data []byte) (*Index, error) {
	if len(data) > maxIndexBytes {
		return nil, fmt.Errorf("index of %d bytes exceeds %d", len(data), maxIndexBytes)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		ix                  Index
		sawFile, sawImage   bool
		inCellData, sawVers bool
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.Comment:
			s := strings.TrimSpace(string(t))
			if v, ok := strings.CutPrefix(s, "apollo-pvti version="); ok {
				if v != strconv.Itoa(vtiVersion) {
					return nil, fmt.Errorf("apollo pvti version %q, want %d", v, vtiVersion)
				}
				sawVers = true
			}
		case xml.StartElement:
			a := attrs(t)
			switch t.Name.Local {
			case "VTKFile":
				if err := checkHeader(a, "PImageData"); err != nil {
					return nil, err
				}
				sawFile = true
			case "PImageData":
				if !sawFile || sawImage {
					return nil, errors.New("misplaced PImageData")
				}
				whole, origin, spacing, err := imageGeometry(a)
				if err != nil {
					return nil, err
				}
				if whole.Start != [3]int{} {
					return nil, errors.New("WholeExtent must start at 0")
				}
				ix.Whole, ix.Origin, ix.Spacing, sawImage = whole.N, origin, spacing, true
			case "PCellData":
				inCellData = true
			case "PDataArray":
				if !inCellData {
					return nil, errors.New("PDataArray outside PCellData")
				}
				if len(ix.Fields) == MaxFields {
					return nil, fmt.Errorf("more than %d arrays", MaxFields)
				}
				d, err := parseArray(a, false)
				if err != nil {
					return nil, err
				}
				for _, f := range ix.Fields {
					if f.Name == d.name {
						return nil, fmt.Errorf("array %q given twice", d.name)
					}
				}
				ix.Fields = append(ix.Fields, NamedField{Name: d.name, Components: d.comps})
			case "Piece":
				if !sawImage {
					return nil, errors.New("Piece outside PImageData")
				}
				if len(ix.Pieces) == MaxPieces {
					return nil, fmt.Errorf("more than %d pieces", MaxPieces)
				}
				e, err := parseExtent(a["Extent"])
				if err != nil {
					return nil, fmt.Errorf("Piece: %w", err)
				}
				src := a["Source"]
				if filepath.Base(src) != src || checkBaseName(src) != nil {
					return nil, fmt.Errorf("piece source %q is not a plain file name", src)
				}
				ix.Pieces = append(ix.Pieces, IndexPiece{Extent: e, Source: src})
			}
		case xml.EndElement:
			if t.Name.Local == "PCellData" {
				inCellData = false
			}
		}
	}
	if !sawVers {
		return nil, errors.New("no apollo-pvti version comment")
	}
	if !sawImage || len(ix.Fields) == 0 {
		return nil, errors.New("no PImageData or no cell data arrays")
	}
	exts := make([]Extent, len(ix.Pieces))
	for i, p := range ix.Pieces {
		exts[i] = p.Extent
	}
	if err := checkTiling(exts, ix.Whole); err != nil {
		return nil, err
	}
	return &ix, nil
}

// ReadPVTI reads a .pvti and all its pieces and assembles the global fields. It refuses pieces
// whose extent, geometry or arrays disagree with the index.
func ReadPVTI(path string) (*Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("output: read %s: %w", path, err)
	}
	ix, err := ParsePVTI(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w := ix.Whole
	cells := w[0] * w[1] * w[2]
	im := &Image{Extent: Extent{N: w}, Origin: ix.Origin, Spacing: ix.Spacing,
		Fields: make([]NamedField, len(ix.Fields))}
	for i, f := range ix.Fields {
		im.Fields[i] = NamedField{Name: f.Name, Components: f.Components, Data: make([]float64, f.Components*cells)}
	}
	dir := filepath.Dir(path)
	for _, p := range ix.Pieces {
		pc, err := ReadVTI(filepath.Join(dir, p.Source))
		if err != nil {
			return nil, err
		}
		if pc.Extent != p.Extent || pc.Origin != ix.Origin || pc.Spacing != ix.Spacing {
			return nil, fmt.Errorf("output: %s: extent or geometry differs from %s", p.Source, path)
		}
		if len(pc.Fields) != len(ix.Fields) {
			return nil, fmt.Errorf("output: %s: %d arrays, index lists %d", p.Source, len(pc.Fields), len(ix.Fields))
		}
		e := p.Extent
		n := e.cells()
		for fi := range ix.Fields {
			g, s := &im.Fields[fi], &pc.Fields[fi]
			if g.Name != s.Name || g.Components != s.Components {
				return nil, fmt.Errorf("output: %s: array %q differs from index's %q", p.Source, s.Name, g.Name)
			}
			for c := 0; c < g.Components; c++ {
				for k := 0; k < e.N[2]; k++ {
					for j := 0; j < e.N[1]; j++ {
						src := s.Data[c*n+e.N[0]*(j+e.N[1]*k):]
						dst := g.Data[c*cells+e.Start[0]+w[0]*(e.Start[1]+j+w[1]*(e.Start[2]+k)):]
						copy(dst[:e.N[0]], src[:e.N[0]])
					}
				}
			}
		}
	}
	return im, nil
}
