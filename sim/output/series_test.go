package output

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func appendSteps(t *testing.T, s *Series, from, to int64) {
	t.Helper()
	for step := from; step <= to; step++ {
		tm := float64(step) * 0.1
		if err := s.Append(step, tm, math.Exp(-tm), float64(step*step)+1.0/3); err != nil {
			t.Fatal(err)
		}
	}
}

func checkRows(t *testing.T, path string, from, to int64) {
	t.Helper()
	tb, err := ReadSeries(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tb.Columns, ",") != "step,time,energy,mass" {
		t.Fatalf("columns %q", tb.Columns)
	}
	if int64(len(tb.Rows)) != to-from+1 {
		t.Fatalf("%d rows, want steps %d..%d", len(tb.Rows), from, to)
	}
	for r, row := range tb.Rows {
		step := from + int64(r)
		tm := float64(step) * 0.1
		want := []float64{float64(step), tm, math.Exp(-tm), float64(step*step) + 1.0/3}
		for c := range want {
			if math.Float64bits(row[c]) != math.Float64bits(want[c]) {
				t.Fatalf("row %d column %d = %v, want %v", r, c, row[c], want[c])
			}
		}
	}
}

func TestSeriesRestartCutsLaterRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "diag.csv")
	cols := []string{"energy", "mass"}
	s, err := OpenSeries(path, cols, -1)
	if err != nil {
		t.Fatal(err)
	}
	appendSteps(t, s, 0, 20)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkRows(t, path, 0, 20)

	// A crash left a torn row; the run restarts from the checkpoint at step 12.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("21,2.1,0.12"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s, err = OpenSeries(path, cols, 12)
	if err != nil {
		t.Fatal(err)
	}
	if s.LastStep() != 12 {
		t.Fatalf("last step %d after restart at 12", s.LastStep())
	}
	if err := s.Append(12, 0, 0, 0); err == nil {
		t.Fatal("repeated step accepted")
	}
	appendSteps(t, s, 13, 30)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkRows(t, path, 0, 30)

	// Restarting beyond the last row keeps everything; a torn tail alone is cut.
	f, _ = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("31,3.1")
	f.Close()
	s, err = OpenSeries(path, cols, 1000)
	if err != nil {
		t.Fatal(err)
	}
	appendSteps(t, s, 31, 32)
	s.Close()
	checkRows(t, path, 0, 32)

	// Restart from step 0 keeps only the first row; a fresh start keeps none.
	s, err = OpenSeries(path, cols, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	checkRows(t, path, 0, 0)
	s, err = OpenSeries(path, cols, -1)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if tb, err := ReadSeries(path); err != nil || len(tb.Rows) != 0 {
		t.Fatalf("fresh series: %v rows, %v", len(tb.Rows), err)
	}
}

func TestSeriesRefusesMismatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.csv")
	s, err := OpenSeries(path, []string{"a", "b"}, -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(1, 0.5, 1); err == nil {
		t.Fatal("wrong value count accepted")
	}
	s.Close()
	if err := s.Append(2, 0, 1, 2); err == nil {
		t.Fatal("append after close accepted")
	}
	if _, err := OpenSeries(path, []string{"a", "c"}, 5); err == nil || !strings.Contains(err.Error(), "header") {
		t.Fatalf("other columns on restart: %v", err)
	}
	for _, cols := range [][]string{nil, {"a,b"}, {"time"}, {"x", "x"}, {""}, {"a\nb"}} {
		if _, err := OpenSeries(filepath.Join(dir, "e.csv"), cols, -1); err == nil {
			t.Errorf("columns %q accepted", cols)
		}
	}
	// A restart on a missing file starts one.
	s, err = OpenSeries(filepath.Join(dir, "new.csv"), []string{"a"}, 7)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(8, 1, 2); err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestParseSeriesRejectsMalformed(t *testing.T) {
	for name, text := range map[string]string{
		"bad header":    "t,step,a\n",
		"few fields":    "step,time,a\n1,2\n",
		"many fields":   "step,time,a\n1,2,3,4\n",
		"not a number":  "step,time,a\n1,2,x\n",
		"step order":    "step,time,a\n2,0,1\n1,0,1\n",
		"negative step": "step,time,a\n-1,0,1\n",
		"empty":         "",
	} {
		if _, err := ParseSeries(strings.NewReader(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	tb, err := ParseSeries(strings.NewReader("step,time,a\n1,0.5,NaN\n2,1,+Inf"))
	if err != nil || len(tb.Rows) != 2 || !math.IsNaN(tb.Rows[0][2]) || !math.IsInf(tb.Rows[1][2], 1) {
		t.Fatalf("NaN/Inf rows: %v %v", tb, err)
	}
}

// TestSeriesPNG draws two columns and checks the picture's size and that each line's colour
// appears, the second only where it should be (log axis leaves non-positive values out).
func TestSeriesPNG(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.csv")
	s, err := OpenSeries(path, []string{"energy", "mass"}, -1)
	if err != nil {
		t.Fatal(err)
	}
	appendSteps(t, s, 0, 50)
	s.Close()
	tb, err := ReadSeries(path)
	if err != nil {
		t.Fatal(err)
	}
	countColour := func(file string, c int) int {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 400 {
			t.Fatalf("picture %v, want 640x400", b)
		}
		want := seriesColours[c]
		n := 0
		for y := 0; y < 400; y++ {
			for x := 0; x < 640; x++ {
				r, g, b, _ := img.At(x, y).RGBA()
				if uint8(r>>8) == want.R && uint8(g>>8) == want.G && uint8(b>>8) == want.B {
					n++
				}
			}
		}
		return n
	}
	out := filepath.Join(dir, "d.png")
	opt := SeriesPlot{Title: "diagnostics", Columns: []string{"energy", "mass"}, Width: 640, Height: 400}
	if err := tb.WritePNG(out, opt); err != nil {
		t.Fatal(err)
	}
	if n0, n1 := countColour(out, 0), countColour(out, 1); n0 < 100 || n1 < 100 {
		t.Fatalf("line pixels: energy %d, mass %d", n0, n1)
	}
	opt.Columns, opt.LogY, opt.X = []string{"energy"}, true, "step"
	if err := tb.WritePNG(out, opt); err != nil {
		t.Fatal(err)
	}
	if n0, n1 := countColour(out, 0), countColour(out, 1); n0 < 100 || n1 != 0 {
		t.Fatalf("log plot line pixels: energy %d, mass %d", n0, n1)
	}
	for name, o := range map[string]SeriesPlot{
		"unknown column": {Columns: []string{"nope"}},
		"unknown x":      {X: "nope", Columns: []string{"mass"}},
		"no columns":     {},
		"tiny":           {Columns: []string{"mass"}, Width: 10, Height: 10},
	} {
		if err := tb.WritePNG(out, o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParseSeries(f *testing.F) {
	f.Add([]byte("step,time,a,b\n0,0,1,2\n1,0.1,1.5,NaN\n"))
	f.Add([]byte("step,time,a\n3,1e300,-0\n4,2,+Inf"))
	f.Add([]byte("step,time\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := ParseSeries(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i, r := range tb.Rows {
			if len(r) != len(tb.Columns) {
				t.Fatalf("row %d has %d fields for %d columns", i, len(r), len(tb.Columns))
			}
			if i > 0 && r[0] <= tb.Rows[i-1][0] {
				t.Fatalf("steps not increasing at row %d", i)
			}
		}
	})
}

func TestSeriesReportsDamagedRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.csv")
	if err := os.WriteFile(path, []byte("step,time,a\n0,0,1\n1,0.1,x\n2,0.2,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSeries(path, []string{"a"}, 5); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("damaged row: err = %v, want an error naming line 3", err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Size() != int64(len("step,time,a\n0,0,1\n1,0.1,x\n2,0.2,3\n")) {
		t.Fatalf("damaged file was changed: %v %v", st.Size(), err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v", st.Mode())
	}
	s, err := OpenSeries(filepath.Join(t.TempDir(), "n.csv"), []string{"a"}, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st, err := os.Stat(s.path); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("new series mode: %v %v", st.Mode(), err)
	}
}
