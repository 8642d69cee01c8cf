package output

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Format limits, shared by writer and reader so that everything written can be read back and
// a hostile file cannot make the reader allocate without bound.
const (
	// MaxFields bounds the arrays of one piece.
	MaxFields = 256
	// MaxNameLen bounds a field name.
	MaxNameLen = 128
	// MaxCells bounds the cells of one piece and of the whole grid (2^31, 16 GiB per Float64 array).
	MaxCells int64 = 1 << 31
	// MaxPieces bounds the pieces listed in a .pvti (the overlap check is quadratic in it).
	MaxPieces = 1 << 14
)

// vtiComment marks apollo's files: format version and the CRC32C (Castagnoli) of the appended
// data. VTK ignores comments; the Go reader checks both. The CRC field has a fixed width so the
// writer can fill it in after streaming the data.
const (
	vtiVersion     = 1
	vtiCommentHead = "<!-- apollo-vti version=1 crc32c="
	vtiCommentTail = " -->\n"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// NamedField is one cell-centred variable of a block.
type NamedField struct {
	Name string
	// Data is the block's array with ghosts (see the package comment). For Components == 3 it
	// holds the x, y and z component arrays back to back, each of the full ghosted length.
	Data []float64
	// Components is 1 (scalar; 0 is taken as 1) or 3 (vector, written as one 3-component array).
	Components int
}

func (f *NamedField) comps() int {
	if f.Components == 0 {
		return 1
	}
	return f.Components
}

// Piece is one rank's block of one or more cell-centred fields.
type Piece struct {
	Whole   [3]int // global cells
	Start   [3]int // global index of this block's first interior cell
	N       [3]int // interior cells of this block
	Ng      int    // ghost width of the arrays
	Origin  [3]float64
	Spacing [3]float64
	Fields  []NamedField
}

// Extent is a box of cells: global indices Start .. Start+N-1 in each direction.
type Extent struct {
	Start [3]int
	N     [3]int
}

// Extent returns the piece's box of interior cells.
func (p *Piece) Extent() Extent { return Extent{Start: p.Start, N: p.N} }

func (e Extent) cells() int { return e.N[0] * e.N[1] * e.N[2] }

// pointExtent is VTK's extent attribute: point indices, so a box of N cells spans N+1 points.
func (e Extent) pointExtent() string {
	return fmt.Sprintf("%d %d %d %d %d %d", e.Start[0], e.Start[0]+e.N[0],
		e.Start[1], e.Start[1]+e.N[1], e.Start[2], e.Start[2]+e.N[2])
}

// checkExtent verifies a box lies inside whole and is not empty.
func checkExtent(e Extent, whole [3]int) error {
	for d := 0; d < 3; d++ {
		if e.N[d] <= 0 || e.Start[d] < 0 || e.Start[d] > whole[d]-e.N[d] {
			return fmt.Errorf("output: extent start %v cells %v outside the grid %v", e.Start, e.N, whole)
		}
	}
	return nil
}

func checkWhole(whole [3]int) error {
	n := int64(1) // int64: a 32-bit int would overflow before the check
	for d := 0; d < 3; d++ {
		if whole[d] <= 0 || int64(whole[d]) > MaxCells {
			return fmt.Errorf("output: invalid global cell counts %v", whole)
		}
		n *= int64(whole[d])
		if n > MaxCells {
			return fmt.Errorf("output: global grid %v exceeds %d cells", whole, MaxCells)
		}
	}
	return nil
}

func checkGeometry(origin, spacing [3]float64) error {
	for d := 0; d < 3; d++ {
		if math.IsNaN(origin[d]) || math.IsInf(origin[d], 0) {
			return fmt.Errorf("output: invalid origin %v", origin)
		}
		if !(spacing[d] > 0) || math.IsInf(spacing[d], 0) {
			return fmt.Errorf("output: invalid spacing %v", spacing)
		}
	}
	return nil
}

// checkTiling verifies that the boxes lie in whole, do not overlap and cover it.
func checkTiling(exts []Extent, whole [3]int) error {
	if len(exts) == 0 || len(exts) > MaxPieces {
		return fmt.Errorf("output: %d pieces, want 1..%d", len(exts), MaxPieces)
	}
	total := 0
	for r, e := range exts {
		if err := checkExtent(e, whole); err != nil {
			return fmt.Errorf("piece %d: %w", r, err)
		}
		total += e.cells()
	}
	if total != whole[0]*whole[1]*whole[2] {
		return fmt.Errorf("output: pieces hold %d cells, the grid %v has %d", total, whole, whole[0]*whole[1]*whole[2])
	}
	// Equal volume and no overlap imply full coverage.
	for a := range exts {
		for b := a + 1; b < len(exts); b++ {
			if overlap(exts[a], exts[b]) {
				return fmt.Errorf("output: pieces %d and %d overlap", a, b)
			}
		}
	}
	return nil
}

func overlap(a, b Extent) bool {
	for d := 0; d < 3; d++ {
		if a.Start[d]+a.N[d] <= b.Start[d] || b.Start[d]+b.N[d] <= a.Start[d] {
			return false
		}
	}
	return true
}

func checkFieldName(name string) error {
	if name == "" || len(name) > MaxNameLen {
		return fmt.Errorf("output: field name %q: length must be 1..%d", name, MaxNameLen)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`"<>&'`, r) {
			return fmt.Errorf("output: field name %q: invalid character %q", name, r)
		}
	}
	return nil
}

// check validates a piece before anything is written.
func (p *Piece) check() error {
	if err := checkWhole(p.Whole); err != nil {
		return err
	}
	if err := checkExtent(p.Extent(), p.Whole); err != nil {
		return err
	}
	if err := checkGeometry(p.Origin, p.Spacing); err != nil {
		return err
	}
	if p.Ng < 0 || p.Ng > 64 {
		return fmt.Errorf("output: invalid ghost width %d", p.Ng)
	}
	if len(p.Fields) == 0 || len(p.Fields) > MaxFields {
		return fmt.Errorf("output: %d fields, want 1..%d", len(p.Fields), MaxFields)
	}
	size := (p.N[0] + 2*p.Ng) * (p.N[1] + 2*p.Ng) * (p.N[2] + 2*p.Ng)
	seen := make(map[string]bool, len(p.Fields))
	for i := range p.Fields {
		f := &p.Fields[i]
		if err := checkFieldName(f.Name); err != nil {
			return err
		}
		if seen[f.Name] {
			return fmt.Errorf("output: field %q given twice", f.Name)
		}
		seen[f.Name] = true
		c := f.comps()
		if c != 1 && c != 3 {
			return fmt.Errorf("output: field %q: %d components, want 1 or 3", f.Name, f.Components)
		}
		if len(f.Data) != c*size {
			return fmt.Errorf("output: field %q: %d values, want %d (%d components of %v cells with %d ghosts)",
				f.Name, len(f.Data), c*size, c, p.N, p.Ng)
		}
	}
	return nil
}

func formatVec(v [3]float64) string {
	return strconv.FormatFloat(v[0], 'g', -1, 64) + " " + strconv.FormatFloat(v[1], 'g', -1, 64) + " " +
		strconv.FormatFloat(v[2], 'g', -1, 64)
}

// dataAttributes names the first scalar and first vector so that ParaView colours by them.
func dataAttributes(fields []NamedField) string {
	var s string
	for i := range fields {
		if fields[i].comps() == 1 {
			s += ` Scalars="` + fields[i].Name + `"`
			break
		}
	}
	for i := range fields {
		if fields[i].comps() == 3 {
			s += ` Vectors="` + fields[i].Name + `"`
			break
		}
	}
	return s
}

// VTKWriter writes VTK XML image data for one series name into one directory. Each rank uses
// its own VTKWriter (it reuses a conversion buffer and is not safe for concurrent use).
type VTKWriter struct {
	dir, name string
	row       []byte
	bw        *bufio.Writer
}

// NewVTKWriter returns a writer of <dir>/<name>_<step>_<rank>.vti and <dir>/<name>_<step>.pvti.
// The directory must exist.
func NewVTKWriter(dir, name string) (*VTKWriter, error) {
	if err := checkBaseName(name); err != nil {
		return nil, err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("output: output directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("output: %s is not a directory", dir)
	}
	return &VTKWriter{dir: dir, name: name, bw: bufio.NewWriterSize(nil, 1<<20)}, nil
}

// PieceFile is the file name of a rank's piece (without directory).
func PieceFile(name string, step int64, rank int) string {
	return fmt.Sprintf("%s_%06d_%04d.vti", name, step, rank)
}

// IndexFile is the file name of a step's .pvti (without directory).
func IndexFile(name string, step int64) string {
	return fmt.Sprintf("%s_%06d.pvti", name, step)
}

// WritePiece writes this rank's block as <name>_<step>_<rank>.vti: interior cells only, each
// field a Float64 cell-data array in raw appended binary with UInt64 length headers. It returns
// the path written.
func (w *VTKWriter) WritePiece(step int64, rank int, p *Piece) (string, error) {
	if step < 0 || rank < 0 {
		return "", fmt.Errorf("output: invalid step %d or rank %d", step, rank)
	}
	if err := p.check(); err != nil {
		return "", err
	}
	path := filepath.Join(w.dir, PieceFile(w.name, step, rank))
	err := writeAtomic(path, func(f *os.File) error {
		w.bw.Reset(f)
		crcAt, crc, err := w.writeVTI(p)
		if err != nil {
			return err
		}
		if err := w.bw.Flush(); err != nil {
			return err
		}
		// Fill in the checksum now that the data has streamed past.
		_, err = f.WriteAt([]byte(fmt.Sprintf("%08x", crc)), crcAt)
		return err
	})
	w.bw.Reset(nil)
	if err != nil {
		return "", err
	}
	return path, nil
}

// writeVTI streams the file to w.bw and returns the offset of the CRC placeholder and the CRC.
func (w *VTKWriter) writeVTI(p *Piece) (int64, uint32, error) {
	ext := p.Extent().pointExtent()
	var h strings.Builder
	h.WriteString("<?xml version=\"1.0\"?>\n")
	h.WriteString(vtiCommentHead)
	crcAt := int64(h.Len())
	h.WriteString("00000000" + vtiCommentTail)
	h.WriteString(`<VTKFile type="ImageData" version="1.0" byte_order="LittleEndian" header_type="UInt64">` + "\n")
	// A piece file's WholeExtent is its own extent, as VTK's parallel writer does; the .pvti
	// holds the global one.
	fmt.Fprintf(&h, "  <ImageData WholeExtent=\"%s\" Origin=\"%s\" Spacing=\"%s\" Direction=\"1 0 0 0 1 0 0 0 1\">\n",
		ext, formatVec(p.Origin), formatVec(p.Spacing))
	fmt.Fprintf(&h, "    <Piece Extent=\"%s\">\n      <PointData>\n      </PointData>\n", ext)
	fmt.Fprintf(&h, "      <CellData%s>\n", dataAttributes(p.Fields))
	cells := p.Extent().cells()
	offset := 0
	for i := range p.Fields {
		f := &p.Fields[i]
		fmt.Fprintf(&h, "        <DataArray type=\"Float64\" Name=\"%s\" NumberOfComponents=\"%d\" format=\"appended\" offset=\"%d\"/>\n",
			f.Name, f.comps(), offset)
		offset += 8 + 8*f.comps()*cells
	}
	h.WriteString("      </CellData>\n    </Piece>\n  </ImageData>\n  <AppendedData encoding=\"raw\">\n   _")
	if _, err := w.bw.WriteString(h.String()); err != nil {
		return 0, 0, err
	}
	var crc uint32
	var hdr [8]byte
	for i := range p.Fields {
		f := &p.Fields[i]
		binary.LittleEndian.PutUint64(hdr[:], uint64(8*f.comps()*cells))
		crc = crc32.Update(crc, castagnoli, hdr[:])
		if _, err := w.bw.Write(hdr[:]); err != nil {
			return 0, 0, err
		}
		var err error
		if crc, err = w.writeInterior(f, p, crc); err != nil {
			return 0, 0, err
		}
	}
	if _, err := w.bw.WriteString("\n  </AppendedData>\n</VTKFile>\n"); err != nil {
		return 0, 0, err
	}
	return crcAt, crc, nil
}

// writeInterior converts one field's interior to little-endian bytes row by row (components
// interleaved per cell, as VTK stores tuples) into a reused chunk buffer of many rows, which is
// checksummed and written whole: long buffers keep CRC32C on its fast path.
func (w *VTKWriter) writeInterior(f *NamedField, p *Piece, crc uint32) (uint32, error) {
	nx, ny, nz, ng := p.N[0], p.N[1], p.N[2], p.Ng
	sx, sy := nx+2*ng, ny+2*ng
	size := sx * sy * (nz + 2*ng)
	nc := f.comps()
	rowBytes := 8 * nc * nx
	if chunk := max(rowBytes, 32<<10); cap(w.row) < chunk {
		w.row = make([]byte, chunk)
	}
	buf := w.row[:cap(w.row)]
	fill := 0
	d := f.Data
	for k := 0; k < nz; k++ {
		for j := 0; j < ny; j++ {
			if fill+rowBytes > len(buf) {
				crc = crc32.Update(crc, castagnoli, buf[:fill])
				if _, err := w.bw.Write(buf[:fill]); err != nil {
					return 0, err
				}
				fill = 0
			}
			row := buf[fill : fill+rowBytes]
			base := ng + sx*((j+ng)+sy*(k+ng))
			if nc == 1 {
				src := d[base : base+nx]
				for i, v := range src {
					binary.LittleEndian.PutUint64(row[8*i:8*i+8], math.Float64bits(v))
				}
			} else {
				xs, ys, zs := d[base:base+nx], d[size+base:size+base+nx], d[2*size+base:2*size+base+nx]
				for i := range xs {
					c := row[24*i : 24*i+24]
					binary.LittleEndian.PutUint64(c[0:8], math.Float64bits(xs[i]))
					binary.LittleEndian.PutUint64(c[8:16], math.Float64bits(ys[i]))
					binary.LittleEndian.PutUint64(c[16:24], math.Float64bits(zs[i]))
				}
			}
			fill += rowBytes
		}
	}
	crc = crc32.Update(crc, castagnoli, buf[:fill])
	if _, err := w.bw.Write(buf[:fill]); err != nil {
		return 0, err
	}
	return crc, nil
}

// WriteIndex writes <name>_<step>.pvti, the file researchers open: the global grid, the arrays
// and, for every rank r, extents[r] and the piece file of rank r. p supplies the grid geometry
// and the field names and components (any rank's piece; normally rank 0's). The extents follow
// from the decomposition, so no communication is needed; they must tile the grid.
func (w *VTKWriter) WriteIndex(step int64, p *Piece, extents []Extent) (string, error) {
	if step < 0 {
		return "", fmt.Errorf("output: invalid step %d", step)
	}
	if err := p.check(); err != nil {
		return "", err
	}
	if err := checkTiling(extents, p.Whole); err != nil {
		return "", err
	}
	path := filepath.Join(w.dir, IndexFile(w.name, step))
	err := writeAtomic(path, func(f *os.File) error {
		w.bw.Reset(f)
		writePVTI(w.bw, w.name, step, p, extents)
		return w.bw.Flush()
	})
	w.bw.Reset(nil)
	if err != nil {
		return "", err
	}
	return path, nil
}

func writePVTI(bw io.Writer, name string, step int64, p *Piece, extents []Extent) {
	whole := Extent{N: p.Whole}
	fmt.Fprintf(bw, "<?xml version=\"1.0\"?>\n<!-- apollo-pvti version=%d -->\n", vtiVersion)
	fmt.Fprintf(bw, "<VTKFile type=\"PImageData\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\">\n")
	fmt.Fprintf(bw, "  <PImageData WholeExtent=\"%s\" GhostLevel=\"0\" Origin=\"%s\" Spacing=\"%s\" Direction=\"1 0 0 0 1 0 0 0 1\">\n",
		whole.pointExtent(), formatVec(p.Origin), formatVec(p.Spacing))
	fmt.Fprintf(bw, "    <PPointData>\n    </PPointData>\n    <PCellData%s>\n", dataAttributes(p.Fields))
	for i := range p.Fields {
		fmt.Fprintf(bw, "      <PDataArray type=\"Float64\" Name=\"%s\" NumberOfComponents=\"%d\"/>\n",
			p.Fields[i].Name, p.Fields[i].comps())
	}
	fmt.Fprintf(bw, "    </PCellData>\n")
	for r, e := range extents {
		fmt.Fprintf(bw, "    <Piece Extent=\"%s\" Source=\"%s\"/>\n", e.pointExtent(), PieceFile(name, step, r))
	}
	fmt.Fprintf(bw, "  </PImageData>\n</VTKFile>\n")
}
