package output

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// vtkPython is Debian's interpreter with python3-vtk9 (installed by .ci/run).
const vtkPython = "/usr/bin/python3"

// vtkScript reads a .pvti with VTK's own parallel reader and prints the grid and every cell
// array, values as exact hexadecimal floats.
const vtkScript = `
import json, sys
import vtk
r = vtk.vtkXMLPImageDataReader()
r.SetFileName(sys.argv[1])
r.Update()
img = r.GetOutput()
cd = img.GetCellData()
arrays = {}
for a in range(cd.GetNumberOfArrays()):
    arr = cd.GetArray(a)
    nc = arr.GetNumberOfComponents()
    vals = [arr.GetComponent(t, c).hex() for t in range(arr.GetNumberOfTuples()) for c in range(nc)]
    arrays[arr.GetName()] = {"comps": nc, "type": arr.GetDataTypeAsString(), "values": vals}
# One piece file on its own, as a user opening a single .vti sees it.
pr = vtk.vtkXMLImageDataReader()
pr.SetFileName(sys.argv[2])
pr.Update()
piece = pr.GetOutput()
pa = piece.GetCellData().GetArray("rho")
print(json.dumps({"extent": list(img.GetExtent()), "origin": list(img.GetOrigin()),
    "spacing": list(img.GetSpacing()), "cells": img.GetNumberOfCells(),
    "scalars": cd.GetScalars().GetName() if cd.GetScalars() else "", "arrays": arrays,
    "piece_extent": list(piece.GetExtent()),
    "piece_rho": [pa.GetValue(t).hex() for t in range(pa.GetNumberOfTuples())]}))
`

func requireVTK(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(vtkPython); err != nil {
		t.Skipf("VTK check skipped: %s not found (install Debian's python3-vtk9)", vtkPython)
	}
	if out, err := exec.Command(vtkPython, "-c", "import vtk").CombinedOutput(); err != nil {
		t.Skipf("VTK check skipped: %s cannot import vtk (install Debian's python3-vtk9): %v %s", vtkPython, err, out)
	}
}

// TestVTKReadsFiles checks that VTK's XML reader opens the .pvti and its pieces and sees every
// value bit for bit, in the right cell, with the right geometry.
func TestVTKReadsFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Python interpreter")
	}
	requireVTK(t)
	whole := [3]int{7, 5, 3}
	dir := t.TempDir()
	pieces, exts := testPieces(whole, [3]int{2, 2, 1}, 2)
	path := writeSeries(t, dir, "vtk", 40, pieces, exts)

	var stderr bytes.Buffer
	last := len(pieces) - 1
	cmd := exec.Command(vtkPython, "-c", vtkScript, path, filepath.Join(dir, PieceFile("vtk", 40, last)))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("VTK reader failed: %v\n%s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		// VTK reports reader problems as warnings on stderr and carries on.
		t.Fatalf("VTK reader complained:\n%s", stderr.String())
	}
	var got struct {
		Extent  []int
		Origin  []float64
		Spacing []float64
		Cells   int
		Scalars string
		// The last rank's piece read on its own.
		PieceExtent []int    `json:"piece_extent"`
		PieceRho    []string `json:"piece_rho"`
		Arrays      map[string]struct {
			Comps  int
			Type   string
			Values []string
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("decode VTK output: %v\n%s", err, out)
	}
	if want := []int{0, 7, 0, 5, 0, 3}; !slices.Equal(got.Extent, want) {
		t.Fatalf("VTK extent %v, want %v", got.Extent, want)
	}
	p := pieces[0]
	for d := 0; d < 3; d++ {
		if got.Origin[d] != p.Origin[d] || got.Spacing[d] != p.Spacing[d] {
			t.Fatalf("VTK origin %v spacing %v, want %v %v", got.Origin, got.Spacing, p.Origin, p.Spacing)
		}
	}
	n := whole[0] * whole[1] * whole[2]
	if got.Cells != n || got.Scalars != "rho" {
		t.Fatalf("VTK sees %d cells, active scalars %q; want %d, rho", got.Cells, got.Scalars, n)
	}
	for name, comps := range map[string]int{"rho": 1, "B": 3} {
		a, ok := got.Arrays[name]
		if !ok || a.Comps != comps || a.Type != "double" || len(a.Values) != comps*n {
			t.Fatalf("VTK array %q: %d components of type %q, %d values", name, a.Comps, a.Type, len(a.Values))
		}
		field := 0
		if name == "B" {
			field = 1
		}
		for k := 0; k < whole[2]; k++ {
			for j := 0; j < whole[1]; j++ {
				for i := 0; i < whole[0]; i++ {
					cell := i + whole[0]*(j+whole[1]*k)
					for c := 0; c < comps; c++ {
						v, err := strconv.ParseFloat(a.Values[cell*comps+c], 64)
						if err != nil {
							t.Fatal(err)
						}
						if want := testValue(field, c, i, j, k); math.Float64bits(v) != math.Float64bits(want) {
							t.Fatalf("VTK %s[%d] at (%d,%d,%d) = %v, want %v", name, c, i, j, k, v, want)
						}
					}
				}
			}
		}
	}
	e := exts[last]
	if want := []int{e.Start[0], e.Start[0] + e.N[0], e.Start[1], e.Start[1] + e.N[1], e.Start[2], e.Start[2] + e.N[2]}; !slices.Equal(got.PieceExtent, want) {
		t.Fatalf("VTK piece extent %v, want %v", got.PieceExtent, want)
	}
	if len(got.PieceRho) != e.cells() {
		t.Fatalf("VTK piece has %d rho values, want %d", len(got.PieceRho), e.cells())
	}
	for m, h := range got.PieceRho {
		i, j, k := m%e.N[0], (m/e.N[0])%e.N[1], m/(e.N[0]*e.N[1])
		v, err := strconv.ParseFloat(h, 64)
		if err != nil {
			t.Fatal(err)
		}
		if want := testValue(0, 0, e.Start[0]+i, e.Start[1]+j, e.Start[2]+k); math.Float64bits(v) != math.Float64bits(want) {
			t.Fatalf("VTK piece rho at local (%d,%d,%d) = %v, want %v", i, j, k, v, want)
		}
	}
}
