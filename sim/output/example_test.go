package output_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/apollo-hpc/apollo/sim/output"
)

// Two ranks, each owning half of a 4x2x2 grid with one ghost layer, write their pieces; rank 0
// also writes the .pvti that ParaView opens. The extents come from the decomposition.
func ExampleVTKWriter() {
	dir, _ := os.MkdirTemp("", "vtk-example")
	defer os.RemoveAll(dir)
	whole, ng := [3]int{4, 2, 2}, 1
	extents := []output.Extent{
		{Start: [3]int{0, 0, 0}, N: [3]int{2, 2, 2}},
		{Start: [3]int{2, 0, 0}, N: [3]int{2, 2, 2}},
	}
	for rank, e := range extents {
		// A field with ghosts, x fastest: (2+2)*(2+2)*(2+2) values.
		temp := make([]float64, (e.N[0]+2*ng)*(e.N[1]+2*ng)*(e.N[2]+2*ng))
		for i := range temp {
			temp[i] = float64(rank)
		}
		p := &output.Piece{Whole: whole, Start: e.Start, N: e.N, Ng: ng,
			Origin: [3]float64{0, 0, 0}, Spacing: [3]float64{0.25, 0.5, 0.5},
			Fields: []output.NamedField{{Name: "T", Data: temp, Components: 1}}}
		w, err := output.NewVTKWriter(dir, "heat")
		if err != nil {
			fmt.Println(err)
			return
		}
		path, err := w.WritePiece(100, rank, p)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(filepath.Base(path))
		if rank == 0 {
			path, err := w.WriteIndex(100, p, extents)
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Println(filepath.Base(path))
		}
	}
	im, err := output.ReadPVTI(filepath.Join(dir, output.IndexFile("heat", 100)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(im.Field("T").Data[:4])
	// Output:
	// heat_000100_0000.vti
	// heat_000100.pvti
	// heat_000100_0001.vti
	// [0 0 1 1]
}

// A diagnostics series: a restarted run reopens the file at its restart step, which cuts the
// rows the first run wrote after it.
func ExampleOpenSeries() {
	dir, _ := os.MkdirTemp("", "series-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "diag.csv")
	s, _ := output.OpenSeries(path, []string{"energy"}, -1)
	for step := int64(0); step < 5; step++ {
		_ = s.Append(step, 0.5*float64(step), math.Pow(2, -float64(step)))
	}
	_ = s.Close()

	s, _ = output.OpenSeries(path, []string{"energy"}, 2) // restart from the checkpoint at step 2
	_ = s.Append(3, 1.5, 0.1)
	_ = s.Close()
	data, _ := os.ReadFile(path)
	fmt.Print(string(data))
	// Output:
	// step,time,energy
	// 0,0,1
	// 1,0.5,0.5
	// 2,1,0.25
	// 3,1.5,0.1
}

// A z-slice assembled by the caller, drawn with a colour bar.
func ExampleSlice() {
	dir, _ := os.MkdirTemp("", "slice-example")
	defer os.RemoveAll(dir)
	nx, ny := 32, 16
	s := &output.Slice{NX: nx, NY: ny, X0: 0, X1: 2, Y0: 0, Y1: 1,
		Title: "T at z = 0.5", XLabel: "x", YLabel: "y", Data: make([]float64, nx*ny)}
	for j := 0; j < ny; j++ {
		for i := 0; i < nx; i++ {
			s.Data[i+nx*j] = math.Sin(math.Pi*float64(i)/float64(nx)) * math.Cos(math.Pi*float64(j)/float64(ny))
		}
	}
	if err := s.WritePNG(filepath.Join(dir, "T.png")); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("written")
	// Output: written
}
