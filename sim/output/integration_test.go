package output_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/sim"
	"github.com/apollo-hpc/apollo/sim/output"
)

func cellValue(i, j, k int) float64 {
	return math.Cos(float64(i)*0.7) + float64(j)*1e-3 + float64(k)*math.Sqrt2
}

// TestWithSimBlocks runs the output path as a driver's hook would, on 4 in-process ranks of the
// real sim package: every rank writes its piece concurrently (no gather), rank 0 the index with
// extents computed from the decomposition, and a z-slice is assembled by a Sum reduction.
// Reading back must give every interior value, with none of the ghosts.
func TestWithSimBlocks(t *testing.T) {
	g := sim.Grid{N: [3]int{12, 10, 8}, Lo: [3]float64{-1, 0, 0}, Hi: [3]float64{1.4, 1, 0.8}}
	dir := t.TempDir()
	const ranks, ng, step, zcut = 4, 2, 7, 5
	err := sim.RunLocal(ranks, func(c *comm.Comm) error {
		ctx := context.Background()
		env, err := sim.NewEnv(c, g, [3]int{}, ng)
		if err != nil {
			return err
		}
		b := env.Block
		f := b.NewField("T", sim.Cell)
		for m := range f.Data {
			f.Data[m] = math.NaN() // ghosts must not reach any file
		}
		for k := 0; k < b.N[2]; k++ {
			for j := 0; j < b.N[1]; j++ {
				for i := 0; i < b.N[0]; i++ {
					f.Set(i, j, k, cellValue(b.Start[0]+i, b.Start[1]+j, b.Start[2]+k))
				}
			}
		}
		p := &output.Piece{Whole: g.N, Start: b.Start, N: b.N, Ng: b.Ng, Origin: g.Lo, Spacing: g.Dx(),
			Fields: []output.NamedField{{Name: "T", Data: f.Data, Components: 1}}}
		w, err := output.NewVTKWriter(dir, "int")
		if err != nil {
			return err
		}
		if _, err := w.WritePiece(step, c.Rank(), p); err != nil {
			return err
		}
		s, err := p.NewSlice(2, zcut)
		if err != nil {
			return err
		}
		if _, err := p.CutPlane("T", 0, 2, zcut, s); err != nil {
			return err
		}
		if err := c.AllreduceFloat64(ctx, comm.Sum, s.Data, s.Data); err != nil {
			return err
		}
		if c.Rank() != 0 {
			return nil
		}
		extents := make([]output.Extent, c.Size())
		for r := range extents {
			rb, err := sim.NewBlock(g, b.Procs, r, ng)
			if err != nil {
				return err
			}
			extents[r] = output.Extent{Start: rb.Start, N: rb.N}
		}
		if _, err := w.WriteIndex(step, p, extents); err != nil {
			return err
		}
		for m, v := range s.Data {
			i, j := m%s.NX, m/s.NX
			if want := cellValue(i, j, zcut); v != want {
				return fmt.Errorf("assembled slice (%d,%d) = %v, want %v", i, j, v, want)
			}
		}
		s.Title = "T, z index 5"
		return s.WritePNG(filepath.Join(dir, "T_z5.png"))
	})
	if err != nil {
		t.Fatal(err)
	}
	im, err := output.ReadPVTI(filepath.Join(dir, output.IndexFile("int", step)))
	if err != nil {
		t.Fatal(err)
	}
	T := im.Field("T")
	n := g.N
	for k := 0; k < n[2]; k++ {
		for j := 0; j < n[1]; j++ {
			for i := 0; i < n[0]; i++ {
				if got, want := T.Data[i+n[0]*(j+n[1]*k)], cellValue(i, j, k); got != want {
					t.Fatalf("T(%d,%d,%d) = %v, want %v", i, j, k, got, want)
				}
			}
		}
	}
	if im.Spacing != g.Dx() || im.Origin != g.Lo {
		t.Fatalf("geometry %v %v, want %v %v", im.Origin, im.Spacing, g.Lo, g.Dx())
	}
}
