// Package output writes what researchers open after a run: VTK XML image data (one .vti per
// rank plus a .pvti index for ParaView/VisIt, and a .pvd time collection), PNG slices of a field
// with a viridis colour bar, and a CSV time series of diagnostics with a PNG line plot.
//
// The package takes plain descriptions of the data (Piece, Slice, column names) rather than sim
// types, so it depends on nothing else in apollo. Layout of a block's arrays follows the sim
// convention: x fastest, ghost width Ng, the interior cell (i,j,k) at
// (i+Ng) + sx*((j+Ng) + sy*(k+Ng)) with sx = N[0]+2Ng, sy = N[1]+2Ng.
//
// Every file is written atomically (temporary file, fsync, rename, fsync of the directory), so a
// reader or a crash never sees half a file under the final name.
//
// Typical use from a driver's output hook, on every rank:
//
//	w, _ := output.NewVTKWriter(dir, "heat")
//	p := &output.Piece{Whole: g.N, Start: b.Start, N: b.N, Ng: b.Ng, Origin: g.Lo, Spacing: g.Dx(),
//		Fields: []output.NamedField{{Name: "T", Data: temp.Data, Components: 1}}}
//	_, err := w.WritePiece(step, rank, p)       // every rank, its own file, no gather
//	if rank == 0 {
//		_, err = w.WriteIndex(step, p, extents) // extents of all ranks, from the decomposition
//		err = output.UpdateCollection(dir, "heat", step, t)
//	}
//
// The extents need no communication: extents[r] is the Start and N of sim.NewBlock(g, procs, r, ng).
// A PNG slice on a decomposed grid: every rank cuts its part of the plane into a zeroed Slice
// (Piece.NewSlice, Piece.CutPlane); a Sum reduction or a gather to rank 0 assembles it, and rank
// 0 calls Slice.WritePNG. Diagnostics go through OpenSeries/Append on rank 0; after a restart
// from step s, OpenSeries(path, columns, s) drops the rows the rolled-back run wrote after s.
//
// Readers (ReadVTI, ReadPVTI, ParseCollection, ReadSeries) check apollo's own files, for tests
// and post-processing in Go.
package output
