package output

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// nearestViridis returns the table index closest to the colour and its squared distance.
func nearestViridis(r, g, b uint8) (int, int) {
	best, bestD := 0, math.MaxInt
	for k, c := range viridisRGB {
		dr, dg, db := int(c[0])-int(r), int(c[1])-int(g), int(c[2])-int(b)
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = k, d
		}
	}
	return best, bestD
}

func rampSlice(nx, ny int) *Slice {
	s := &Slice{NX: nx, NY: ny, X0: -1, X1: 1, Y0: 0, Y1: 3, Title: "density, z = 0.5", XLabel: "x", YLabel: "y"}
	s.Data = make([]float64, nx*ny)
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			// Distinct values in every cell, not monotone in either direction.
			s.Data[i+nx*j] = 2.5 + math.Sin(float64(3*i+7*j))*10
		}
	}
	return s
}

// TestSlicePNGColoursMapBack decodes the PNG and checks that the pixel at the centre of every
// cell has the viridis colour of that cell's value, and that the colour bar runs from the
// minimum colour at the bottom to the maximum at the top.
func TestSlicePNGColoursMapBack(t *testing.T) {
	s := rampSlice(16, 11)
	s.Width, s.Height = 900, 700
	path := filepath.Join(t.TempDir(), "slice.png")
	if err := s.WritePNG(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 900 || b.Dy() != 700 {
		t.Fatalf("picture %v, want 900x700", b)
	}
	_, lay, err := s.render()
	if err != nil {
		t.Fatal(err)
	}
	if lay.data.Dx() < 400 || lay.data.Dy() < 400 || !lay.data.In(img.Bounds()) {
		t.Fatalf("heat map area %v", lay.data)
	}
	lo, hi := lay.lo, lay.hi
	if lo != minOf(s.Data) || hi != maxOf(s.Data) {
		t.Fatalf("colour range %v..%v, want data range", lo, hi)
	}
	for j := 0; j < s.NY; j++ {
		for i := 0; i < s.NX; i++ {
			px := lay.data.Min.X + int((float64(i)+0.5)*float64(lay.data.Dx())/float64(s.NX))
			py := lay.data.Max.Y - 1 - int((float64(j)+0.5)*float64(lay.data.Dy())/float64(s.NY))
			r, g, b, _ := img.At(px, py).RGBA()
			k, d := nearestViridis(uint8(r>>8), uint8(g>>8), uint8(b>>8))
			if d > 3 {
				t.Fatalf("cell (%d,%d) pixel (%d,%d) colour %d,%d,%d is not a viridis colour", i, j, px, py, r>>8, g>>8, b>>8)
			}
			v := s.Data[i+s.NX*j]
			got := lo + float64(k)/255*(hi-lo)
			if math.Abs(got-v) > (hi-lo)/255 {
				t.Fatalf("cell (%d,%d): colour maps to %v, value is %v", i, j, got, v)
			}
		}
	}
	// Colour bar: bottom is the minimum colour, top the maximum, monotone in between.
	cx := (lay.bar.Min.X + lay.bar.Max.X) / 2
	prev := -1
	for y := lay.bar.Max.Y - 2; y > lay.bar.Min.Y+1; y-- {
		r, g, b, _ := img.At(cx, y).RGBA()
		k, d := nearestViridis(uint8(r>>8), uint8(g>>8), uint8(b>>8))
		if d > 12 {
			t.Fatalf("colour bar pixel (%d,%d) is not a viridis colour", cx, y)
		}
		if k+1 < prev {
			t.Fatalf("colour bar not monotone at y=%d: %d after %d", y, k, prev)
		}
		prev = max(prev, k)
		if y == lay.bar.Max.Y-2 && k > 3 {
			t.Fatalf("colour bar bottom index %d, want ~0", k)
		}
	}
	if prev < 252 {
		t.Fatalf("colour bar top index %d, want ~255", prev)
	}
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

func TestSlicePNGFixedRangeFlatAndNaN(t *testing.T) {
	s := rampSlice(8, 8)
	s.Min, s.Max = 0, 5
	s.Data[0] = math.NaN()
	var buf bytes.Buffer
	if err := s.EncodePNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, 800, 640) {
		t.Fatalf("default size %v", img.Bounds())
	}
	_, lay, err := s.render()
	if err != nil || lay.lo != 0 || lay.hi != 5 {
		t.Fatalf("fixed range %v..%v, %v", lay.lo, lay.hi, err)
	}
	// NaN cell (0,0), bottom left, is grey.
	r, g, b, _ := img.At(lay.data.Min.X+3, lay.data.Max.Y-4).RGBA()
	if r>>8 != 160 || g>>8 != 160 || b>>8 != 160 {
		t.Fatalf("NaN cell colour %d,%d,%d, want grey", r>>8, g>>8, b>>8)
	}
	flat := &Slice{NX: 3, NY: 2, Data: []float64{7, 7, 7, 7, 7, 7}}
	if err := flat.EncodePNG(&bytes.Buffer{}); err != nil {
		t.Fatalf("flat field: %v", err)
	}
}

func TestSlicePNGRejectsBadInput(t *testing.T) {
	for name, s := range map[string]*Slice{
		"short data":   {NX: 3, NY: 3, Data: make([]float64, 8)},
		"zero size":    {NX: 0, NY: 3},
		"huge picture": {NX: 1, NY: 1, Data: []float64{1}, Width: 100000, Height: 10},
		"NaN range":    {NX: 1, NY: 1, Data: []float64{1}, Max: math.NaN()},
		"huge grid":    {NX: 1 << 20, NY: 1 << 20},
	} {
		if err := s.EncodePNG(&bytes.Buffer{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
