//go:build amd64 && !purego && !goexperiment.simd

package mhd

import "golang.org/x/sys/cpu"

// kernAVX2 selects the assembly row kernels of kern_amd64.s; tests turn it
// off to compare with the scalar Go.
var kernAVX2 = cpu.X86.HasAVX2

// primRow4 converts groups of four cells from t up to m (see kern_amd64.s)
// and returns the start of the first group that needs a floor, or m.
//
//go:noescape
func primRow4(r *primRowArgs, t, m int) int

// cornerRow4 computes edges [t, m) of a row, m − t a multiple of 4.
//
//go:noescape
func cornerRow4(r *cornerRowArgs, t, m int)

// plm4 is plm over n faces, n a multiple of 4, from the cell rows qm2, qm1,
// q0, qp1 (two below and two above each face).
//
//go:noescape
func plm4(qm2, qm1, q0, qp1 *float64, n int, ql, qr *float64)

// primRow converts the n cells of a row to primitives (see primRowGo), four
// at a time with AVX2. A group in which a cell needs a floor goes through
// primRowGo, which applies and counts the floors; the assembly has written
// nothing of that group. The last n mod 4 cells are done by the assembly
// as the row's last group of four (recomputing some with the same bits)
// unless that group needs a floor: so without floors every cell gets the
// kernel's bits wherever the block boundaries fall (primRowGo gives the
// same bits too: see "Same bits in every build" in doc.go).
func primRow(r *primRowArgs, n int) int64 {
	var hits int64
	t := 0
	// The assembly reads every slice up to n: it runs only if none is
	// shorter (a short slice then panics in primRowGo, as without it).
	if kernAVX2 && n >= 4 && n <= min(len(r.bxl), len(r.bxr), len(r.byl), len(r.byr), len(r.bzl), len(r.bzr),
		len(r.rd), len(r.rm1), len(r.rm2), len(r.rm3), len(r.ren),
		len(r.od), len(r.ov1), len(r.ov2), len(r.ov3), len(r.op),
		len(r.ob1), len(r.ob2), len(r.ob3), len(r.oe1), len(r.oe2), len(r.oe3)) {
		m := n &^ 3
		goEnd := 0 // end of the last group primRowGo did
		for t < m {
			if t = primRow4(r, t, m); t < m {
				hits += primRowGo(r, t, t+4)
				t += 4
				goEnd = t
			}
		}
		// The overlap must not redo cells primRowGo floored (their
		// conserved values changed), nor need a floor itself: then the
		// scalar code does only the cells not yet done.
		if t < n && goEnd <= n-4 && primRow4(r, n-4, n) == n {
			t = n
		}
	}
	if t < n {
		hits += primRowGo(r, t, n)
	}
	return hits
}

// cornerRow computes a row of edge EMFs (see cornerRowGo), four at a time
// with AVX2; a last group of fewer than four is done as the row's last four
// (the output is not an input, so recomputing gives the same bits), so
// every edge gets the kernel's bits wherever the block boundaries fall.
func cornerRow(r *cornerRowArgs) {
	n := len(r.o)
	if kernAVX2 && n >= 4 && n <= min(len(r.ec0), len(r.ecB), len(r.eb0), len(r.ebC),
		len(r.cc0), len(r.ccB), len(r.ccC), len(r.ccBC),
		len(r.wb0), len(r.wbC), len(r.wc0), len(r.wcB)) {
		m := n &^ 3
		cornerRow4(r, 0, m)
		if m < n {
			cornerRow4(r, n-4, n)
		}
		return
	}
	cornerRowGo(r, 0, n)
}

// plmRow is plm, four faces at a time with AVX2.
func plmRow(q []float64, p0, st, L int, ql, qr []float64) {
	plmRows(q[p0-2*st:], q[p0-st:], q[p0:], q[p0+st:], L, ql, qr)
}

// plmRows is plmGo, four faces at a time with AVX2.
func plmRows(qm2, qm1, q0, qp1 []float64, L int, ql, qr []float64) {
	if m := L &^ 3; kernAVX2 && m > 0 {
		// Slicing checks that all four cell rows and both outputs lie
		// inside their arrays before the assembly reads or writes them.
		qm2, qm1, q0, qp1, ql, qr = qm2[:L], qm1[:L], q0[:L], qp1[:L], ql[:L], qr[:L]
		plm4(&qm2[0], &qm1[0], &q0[0], &qp1[0], m, &ql[0], &qr[0])
		if m == L {
			return
		}
		qm2, qm1, q0, qp1, ql, qr, L = qm2[m:], qm1[m:], q0[m:], qp1[m:], ql[m:], qr[m:], L-m
	}
	plmGo(qm2, qm1, q0, qp1, L, ql, qr)
}

// updateCells4 is updateCells over the first n cells, n a multiple of 4.
//
//go:noescape
func updateCells4(q, flo, fhi *float64, n int, dtdx float64)

// updateRow is updateCells, four cells at a time with AVX2.
func updateRow(q, flo, fhi []float64, dtdx float64) {
	if m := len(q) &^ 3; kernAVX2 && m > 0 {
		flo, fhi = flo[:len(q)], fhi[:len(q)]
		updateCells4(&q[0], &flo[0], &fhi[0], m, dtdx)
		q, flo, fhi = q[m:], flo[m:], fhi[m:]
	}
	updateCells(q, flo, fhi, dtdx)
}
