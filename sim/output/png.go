package output

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Picture size limits, so a bad request cannot allocate without bound.
const (
	maxPixels      = 8192
	maxSliceCells  = 4096 * 4096
	colourBarWidth = 120 // pixels
)

// Slice is a 2D cut through a field, to be drawn as a PNG heat map with a viridis colour bar.
// The caller assembles the full slice (on one rank) in Data.
type Slice struct {
	Data   []float64 // NX*NY values, first axis fastest: the value of cell (i,j) is Data[i+NX*j]
	NX, NY int
	// Physical extent of the slice (cell edges). When X1 <= X0 (or Y1 <= Y0) cell indices are used.
	X0, X1, Y0, Y1 float64
	Title          string
	XLabel, YLabel string
	// Colour range. When Min >= Max (e.g. both zero) the range of the finite data is used.
	// Values outside are drawn in the end colours, NaN in grey.
	Min, Max float64
	// Picture size in pixels; zero means 800 by 640.
	Width, Height int
}

// viridisColour returns the table colour for v in [lo, hi]; index 0 at lo, 255 at hi.
func viridisColour(v, lo, hi float64) color.RGBA {
	k := int((v-lo)/(hi-lo)*255 + 0.5)
	k = max(0, min(k, 255))
	c := viridisRGB[k]
	return color.RGBA{R: c[0], G: c[1], B: c[2], A: 255}
}

// viridisMap is the viridis table as a gonum palette.ColorMap (for the colour bar) and
// palette.Palette (for the heat map).
type viridisMap struct{ lo, hi, alpha float64 }

func (m *viridisMap) At(v float64) (color.Color, error) {
	if v < m.lo {
		return nil, palette.ErrUnderflow
	}
	if v > m.hi || math.IsNaN(v) {
		return nil, palette.ErrOverflow
	}
	return viridisColour(v, m.lo, m.hi), nil
}
func (m *viridisMap) Max() float64                { return m.hi }
func (m *viridisMap) SetMax(v float64)            { m.hi = v }
func (m *viridisMap) Min() float64                { return m.lo }
func (m *viridisMap) SetMin(v float64)            { m.lo = v }
func (m *viridisMap) Alpha() float64              { return m.alpha }
func (m *viridisMap) SetAlpha(a float64)          { m.alpha = a }
func (m *viridisMap) Palette(int) palette.Palette { return m }
func (m *viridisMap) Colors() []color.Color {
	cs := make([]color.Color, len(viridisRGB))
	for i, c := range viridisRGB {
		cs[i] = color.RGBA{R: c[0], G: c[1], B: c[2], A: 255}
	}
	return cs
}

func (s *Slice) size() (int, int) {
	w, h := s.Width, s.Height
	if w == 0 && h == 0 {
		w, h = 800, 640
	}
	return w, h
}

func (s *Slice) check() error {
	if s.NX <= 0 || s.NY <= 0 || s.NX > maxSliceCells/s.NY {
		return fmt.Errorf("output: slice of %d by %d cells, want 1..%d cells", s.NX, s.NY, maxSliceCells)
	}
	if len(s.Data) != s.NX*s.NY {
		return fmt.Errorf("output: slice has %d values, want %d by %d", len(s.Data), s.NX, s.NY)
	}
	w, h := s.size()
	if w < 200 || h < 150 || w > maxPixels || h > maxPixels {
		return fmt.Errorf("output: picture of %d by %d pixels, want 200..%d by 150..%d", w, h, maxPixels, maxPixels)
	}
	for _, v := range []float64{s.X0, s.X1, s.Y0, s.Y1, s.Min, s.Max} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("output: slice extent and colour range must be finite")
		}
	}
	return nil
}

// colourRange is the explicit range, or the finite data range widened when flat.
func (s *Slice) colourRange() (float64, float64) {
	lo, hi := s.Min, s.Max
	if lo < hi {
		return lo, hi
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range s.Data {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	if lo > hi { // no finite value
		return 0, 1
	}
	if lo == hi {
		d := math.Abs(lo) * 0.01
		if d == 0 {
			d = 1
		}
		lo, hi = lo-d, hi+d
	}
	return lo, hi
}

func formatTick(v float64) string { return strconv.FormatFloat(v, 'g', 5, 64) }

// sliceLayout is where the picture's parts landed, in image pixels (y down).
type sliceLayout struct {
	data, bar image.Rectangle
	lo, hi    float64
}

// render draws the slice; it returns the image and where the heat map and colour bar are.
func (s *Slice) render() (*image.RGBA, sliceLayout, error) {
	if err := s.check(); err != nil {
		return nil, sliceLayout{}, err
	}
	w, h := s.size()
	lo, hi := s.colourRange()
	x0, x1, y0, y1 := 0.0, float64(s.NX), 0.0, float64(s.NY)
	if s.X1 > s.X0 {
		x0, x1 = s.X0, s.X1
	}
	if s.Y1 > s.Y0 {
		y0, y1 = s.Y0, s.Y1
	}
	vm := &viridisMap{lo: lo, hi: hi, alpha: 1}

	// gonum plot draws title, axes and colour bar; the cells are painted into the data area
	// afterwards, one exact colour per pixel (no seams between cells, any grid size).
	p := plot.New()
	p.Title.Text = s.Title
	p.Title.TextStyle.Font.Size = 14
	p.X.Label.Text = s.XLabel
	p.Y.Label.Text = s.YLabel
	p.X.Min, p.X.Max = x0, x1
	p.Y.Min, p.Y.Max = y0, y1

	// One point per pixel, so canvas coordinates are pixels (y up).
	cv := vgimg.NewWith(vgimg.UseWH(vg.Length(w), vg.Length(h)), vgimg.UseDPI(72))
	dc := draw.New(cv)
	main := draw.Crop(dc, 0, -colourBarWidth, 0, 0)
	p.Draw(main)
	da := p.DataCanvas(main)

	// The colour bar spans the heat map's height, labelled with the range ends.
	bp := plot.New()
	bp.HideX()
	bp.Y.Min, bp.Y.Max = lo, hi
	bp.Y.Tick.Marker = plot.ConstantTicks{{Value: lo, Label: formatTick(lo)}, {Value: hi, Label: formatTick(hi)}}
	bp.Add(&plotter.ColorBar{ColorMap: vm, Vertical: true, Colors: 256})
	barArea := draw.Crop(dc, vg.Length(w-colourBarWidth)+10, -30, da.Min.Y, da.Max.Y-vg.Length(h))
	// Stretch the area by the bar plot's own padding so the bar lines up with the heat map.
	if b0 := bp.DataCanvas(barArea); b0.Max.Y > b0.Min.Y {
		barArea.Min.Y -= b0.Min.Y - da.Min.Y
		barArea.Max.Y += da.Max.Y - b0.Max.Y
	}
	bp.Draw(barArea)
	ba := bp.DataCanvas(barArea)

	img, ok := cv.Image().(*image.RGBA)
	if !ok {
		return nil, sliceLayout{}, errors.New("output: unexpected image type from vgimg")
	}
	toPixels := func(c draw.Canvas) image.Rectangle {
		return image.Rect(int(math.Round(float64(c.Min.X))), h-int(math.Round(float64(c.Max.Y))),
			int(math.Round(float64(c.Max.X))), h-int(math.Round(float64(c.Min.Y))))
	}
	lay := sliceLayout{data: toPixels(da), bar: toPixels(ba), lo: lo, hi: hi}
	s.paint(img, lay.data.Intersect(img.Bounds()), lo, hi)
	return img, lay, nil
}

// nanColour marks cells without a value.
var nanColour = color.RGBA{R: 160, G: 160, B: 160, A: 255}

// paint fills r with the cells, nearest cell per pixel centre, row j = 0 at the bottom.
func (s *Slice) paint(img *image.RGBA, r image.Rectangle, lo, hi float64) {
	dw, dh := r.Dx(), r.Dy()
	if dw <= 0 || dh <= 0 {
		return
	}
	cols := make([]color.RGBA, len(s.Data))
	for m, v := range s.Data {
		if math.IsNaN(v) {
			cols[m] = nanColour
		} else {
			cols[m] = viridisColour(min(max(v, lo), hi), lo, hi)
		}
	}
	ix := make([]int, dw)
	for px := range ix {
		ix[px] = (2*px + 1) * s.NX / (2 * dw)
	}
	for py := 0; py < dh; py++ {
		j := s.NY - 1 - (2*py+1)*s.NY/(2*dh)
		row := cols[s.NX*j : s.NX*(j+1)]
		pix := img.Pix[img.PixOffset(r.Min.X, r.Min.Y+py):]
		pix = pix[:4*dw]
		for px, i := range ix {
			c := row[i]
			q := pix[4*px : 4*px+4]
			q[0], q[1], q[2], q[3] = c.R, c.G, c.B, 255
		}
	}
}

// EncodePNG draws the slice as a PNG to wr.
func (s *Slice) EncodePNG(wr io.Writer) error {
	img, _, err := s.render()
	if err != nil {
		return err
	}
	if err := png.Encode(wr, img); err != nil {
		return fmt.Errorf("output: encode png: %w", err)
	}
	return nil
}

// WritePNG draws the slice into the PNG file path, atomically.
func (s *Slice) WritePNG(path string) error {
	img, _, err := s.render()
	if err != nil {
		return err
	}
	return writeAtomic(path, func(f *os.File) error {
		bw := bufio.NewWriter(f)
		if err := png.Encode(bw, img); err != nil {
			return fmt.Errorf("encode png: %w", err)
		}
		return bw.Flush()
	})
}
