package output

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Limits of the diagnostics CSV, so a damaged file cannot make the reader allocate without bound.
const (
	MaxColumns   = 1024
	maxLineBytes = 1 << 20
)

// Series appends rows of diagnostics to a CSV file: a header row "step,time,<columns>", then
// one row per step, numbers in Go's shortest round-trip form. Each row goes to the file in one
// write, so a crash leaves at most one torn last line, which the next OpenSeries drops.
// The file is plain CSV for pandas, gnuplot or a spreadsheet, so it carries no version or
// checksum row; the reader checks the header and every field instead.
type Series struct {
	path string
	f    *os.File
	cols int
	last int64 // last step written, -1 when none
	row  []byte
}

func seriesHeader(columns []string) ([]string, error) {
	if len(columns) == 0 || len(columns) > MaxColumns {
		return nil, fmt.Errorf("output: %d diagnostics columns, want 1..%d", len(columns), MaxColumns)
	}
	h := append([]string{"step", "time"}, columns...)
	for i, c := range h {
		if c == "" || len(c) > MaxNameLen || strings.ContainsAny(c, ",\"\r\n") || strings.TrimSpace(c) != c {
			return nil, fmt.Errorf("output: invalid column name %q", c)
		}
		for _, d := range h[:i] {
			if d == c {
				return nil, fmt.Errorf("output: column %q given twice (step and time are implicit)", c)
			}
		}
	}
	return h, nil
}

// OpenSeries opens the CSV file at path for appending rows of the given columns (after the
// implicit step and time). With restartStep < 0 it starts a new file. Otherwise an existing
// file is kept up to and including the row of restartStep, the step a run restarts from: later
// rows, which the restarted run recomputes, and a torn last line are cut off. The header of an
// existing file must match the columns.
func OpenSeries(path string, columns []string, restartStep int64) (*Series, error) {
	header, err := seriesHeader(columns)
	if err != nil {
		return nil, err
	}
	s := &Series{path: path, cols: len(columns), last: -1}
	headerLine := strings.Join(header, ",") + "\n"
	if restartStep < 0 {
		if err := writeAtomic(path, func(f *os.File) error {
			_, err := f.WriteString(headerLine)
			return err
		}); err != nil {
			return nil, err
		}
	} else if err := s.cutAfter(headerLine, header, restartStep); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("output: open %s: %w", path, err)
	}
	s.f = f
	return s, nil
}

// cutAfter keeps the rows of an existing file up to restartStep, or creates the file.
func (s *Series) cutAfter(headerLine string, header []string, restartStep int64) error {
	f, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return writeAtomic(s.path, func(f *os.File) error {
			_, err := f.WriteString(headerLine)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("output: open %s: %w", s.path, err)
	}
	defer f.Close()
	keep, last, err := scanSeries(bufio.NewReader(f), header, restartStep)
	if err != nil {
		return fmt.Errorf("output: %s: %w", s.path, err)
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("output: stat %s: %w", s.path, err)
	}
	if keep < st.Size() {
		if err := f.Truncate(keep); err != nil {
			return fmt.Errorf("output: cut %s after step %d: %w", s.path, restartStep, err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("output: sync %s: %w", s.path, err)
		}
	}
	s.last = last
	return nil
}

// scanSeries checks the header and returns the byte length of the header plus the rows whose
// step is at most upTo, and the last kept step. A torn last line (no newline) is cut; a
// malformed complete line is an error, so damage is reported rather than silently cut.
func scanSeries(r *bufio.Reader, header []string, upTo int64) (keep, last int64, err error) {
	line, err := readLine(r)
	if err != nil {
		return 0, 0, fmt.Errorf("read header: %w", err)
	}
	if got := strings.TrimSuffix(string(line), "\n"); got != strings.Join(header, ",") {
		return 0, 0, fmt.Errorf("header %q does not match columns %q", got, strings.Join(header, ","))
	}
	keep, last = int64(len(line)), -1
	vals := make([]float64, len(header))
	for n := 2; ; n++ {
		line, err := readLine(r)
		if errors.Is(err, io.EOF) {
			return keep, last, nil
		}
		if err != nil {
			return 0, 0, fmt.Errorf("line %d: %w", n, err)
		}
		if line[len(line)-1] != '\n' {
			return keep, last, nil // torn by a crash during the write: cut it
		}
		step, err := parseRow(line, vals)
		if err != nil {
			return 0, 0, fmt.Errorf("line %d: %w", n, err)
		}
		if step <= last {
			return 0, 0, fmt.Errorf("line %d: step %d after step %d", n, step, last)
		}
		if step > upTo {
			return keep, last, nil
		}
		keep += int64(len(line))
		last = step
	}
}

// readLine returns one line including its newline (missing on a torn last line), bounded.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		part, err := r.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > maxLineBytes {
			return nil, fmt.Errorf("line longer than %d bytes", maxLineBytes)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(line) > 0 {
				return line, nil
			}
			return nil, err
		}
		return line, nil
	}
}

// parseRow parses "step,time,v1,..." into vals (len(vals) fields) and returns the step.
func parseRow(line []byte, vals []float64) (int64, error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	var step int64
	for i := range vals {
		field := line
		if c := bytes.IndexByte(line, ','); c >= 0 {
			field, line = line[:c], line[c+1:]
		} else {
			line = nil
		}
		if i == len(vals)-1 && line != nil {
			return 0, errors.New("too many fields")
		}
		if i < len(vals)-1 && line == nil {
			return 0, errors.New("too few fields")
		}
		if i == 0 {
			s, err := strconv.ParseInt(string(field), 10, 64)
			if err != nil || s < 0 {
				return 0, fmt.Errorf("step %q", field)
			}
			step = s
			vals[0] = float64(s)
			continue
		}
		v, err := strconv.ParseFloat(string(field), 64)
		if err != nil {
			return 0, fmt.Errorf("value %q", field)
		}
		vals[i] = v
	}
	return step, nil
}

// LastStep is the step of the last row in the file, or -1.
func (s *Series) LastStep() int64 { return s.last }

// Append writes the row of one step: its time and one value per column. Steps must increase.
func (s *Series) Append(step int64, t float64, values ...float64) error {
	if s.f == nil {
		return fmt.Errorf("output: append to closed series %s", s.path)
	}
	if len(values) != s.cols {
		return fmt.Errorf("output: %d values for %d columns", len(values), s.cols)
	}
	if step <= s.last {
		return fmt.Errorf("output: step %d after step %d in %s", step, s.last, s.path)
	}
	b := strconv.AppendInt(s.row[:0], step, 10)
	b = append(b, ',')
	b = strconv.AppendFloat(b, t, 'g', -1, 64)
	for _, v := range values {
		b = append(b, ',')
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	b = append(b, '\n')
	s.row = b
	if _, err := s.f.Write(b); err != nil {
		return fmt.Errorf("output: append to %s: %w", s.path, err)
	}
	s.last = step
	return nil
}

// Sync forces the rows written so far to stable storage.
func (s *Series) Sync() error {
	if s.f == nil {
		return nil
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("output: sync %s: %w", s.path, err)
	}
	return nil
}

// Close syncs and closes the file.
func (s *Series) Close() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Sync()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	if err != nil {
		return fmt.Errorf("output: close %s: %w", s.path, err)
	}
	return nil
}

// Table is a diagnostics CSV read back: Columns starts with "step" and "time"; Rows[r][c].
type Table struct {
	Columns []string
	Rows    [][]float64
}

// Column returns the values of the named column, or nil.
func (t *Table) Column(name string) []float64 {
	for c, n := range t.Columns {
		if n == name {
			out := make([]float64, len(t.Rows))
			for r := range t.Rows {
				out[r] = t.Rows[r][c]
			}
			return out
		}
	}
	return nil
}

// ParseSeries decodes a diagnostics CSV written by Series. Malformed lines are errors; a
// missing newline at the very end is accepted.
func ParseSeries(r io.Reader) (*Table, error) {
	br := bufio.NewReader(r)
	line, err := readLine(br)
	if err != nil {
		return nil, fmt.Errorf("output: read series header: %w", err)
	}
	cols := strings.Split(strings.TrimSuffix(string(line), "\n"), ",")
	if len(cols) < 3 || cols[0] != "step" || cols[1] != "time" {
		return nil, fmt.Errorf("output: series header %q, want step,time,...", strings.TrimSpace(string(line)))
	}
	if _, err := seriesHeader(cols[2:]); err != nil {
		return nil, err
	}
	t := &Table{Columns: cols}
	last := int64(-1)
	for n := 2; ; n++ {
		line, err := readLine(br)
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("output: series line %d: %w", n, err)
		}
		vals := make([]float64, len(cols))
		step, err := parseRow(line, vals)
		if err != nil {
			return nil, fmt.Errorf("output: series line %d: %w", n, err)
		}
		if step <= last {
			return nil, fmt.Errorf("output: series line %d: step %d after %d", n, step, last)
		}
		last = step
		t.Rows = append(t.Rows, vals)
	}
}

// ReadSeries reads a diagnostics CSV file.
func ReadSeries(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("output: open %s: %w", path, err)
	}
	defer f.Close()
	t, err := ParseSeries(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// seriesColours is the Okabe–Ito palette, distinguishable by colour-blind readers.
var seriesColours = []color.RGBA{
	{0, 114, 178, 255}, {213, 94, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{230, 159, 0, 255}, {86, 180, 233, 255}, {0, 0, 0, 255}, {240, 228, 66, 255},
}

// SeriesPlot chooses what a PNG line plot of a Table shows.
type SeriesPlot struct {
	Title   string
	X       string   // column on the horizontal axis; "" means "time"
	Columns []string // columns drawn, one line each, with a legend
	LogY    bool     // logarithmic vertical axis (non-positive values are left out)
	// Picture size in pixels; zero means 800 by 500.
	Width, Height int
}

// WritePNG draws the chosen columns against X as a PNG file at path, atomically. Non-finite
// values are left out of the lines.
func (t *Table) WritePNG(path string, opt SeriesPlot) error {
	w, h := opt.Width, opt.Height
	if w == 0 && h == 0 {
		w, h = 800, 500
	}
	if w < 200 || h < 150 || w > maxPixels || h > maxPixels {
		return fmt.Errorf("output: picture of %d by %d pixels, want 200..%d by 150..%d", w, h, maxPixels, maxPixels)
	}
	xname := opt.X
	if xname == "" {
		xname = "time"
	}
	xs := t.Column(xname)
	if xs == nil {
		return fmt.Errorf("output: no column %q in series", xname)
	}
	if len(opt.Columns) == 0 {
		return errors.New("output: no columns chosen to plot")
	}
	p := plot.New()
	p.Title.Text = opt.Title
	p.Title.TextStyle.Font.Size = 14
	p.X.Label.Text = xname
	p.Legend.Top = true
	if opt.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	drawn := 0
	for i, name := range opt.Columns {
		ys := t.Column(name)
		if ys == nil {
			return fmt.Errorf("output: no column %q in series", name)
		}
		pts := make(plotter.XYs, 0, len(ys))
		for r := range ys {
			x, y := xs[r], ys[r]
			if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) || (opt.LogY && y <= 0) {
				continue
			}
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("output: line %q: %w", name, err)
		}
		l.Color = seriesColours[i%len(seriesColours)]
		l.Width = vg.Points(1.5)
		if i >= len(seriesColours) {
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		p.Add(l)
		p.Legend.Add(name, l)
		drawn++
	}
	if drawn == 0 {
		return errors.New("output: nothing to plot: no finite values in the chosen columns")
	}
	if opt.LogY && p.Y.Min == p.Y.Max {
		// A single positive value: give the log axis a decade to span.
		p.Y.Min, p.Y.Max = p.Y.Min/math.Sqrt(10), p.Y.Max*math.Sqrt(10)
	}
	cv := vgimg.NewWith(vgimg.UseWH(vg.Length(w), vg.Length(h)), vgimg.UseDPI(72))
	p.Draw(draw.New(cv))
	return writeAtomic(path, func(f *os.File) error {
		bw := bufio.NewWriter(f)
		if _, err := (vgimg.PngCanvas{Canvas: cv}).WriteTo(bw); err != nil {
			return fmt.Errorf("encode png: %w", err)
		}
		return bw.Flush()
	})
}
