//go:build !amd64 || purego || goexperiment.simd

package mhd

// plmRow is plm; only the default amd64 build has an assembly version.
func plmRow(q []float64, p0, st, L int, ql, qr []float64) { plm(q, p0, st, L, ql, qr) }

// plmRows is plmGo.
func plmRows(qm2, qm1, q0, qp1 []float64, L int, ql, qr []float64) {
	plmGo(qm2, qm1, q0, qp1, L, ql, qr)
}

// updateRow is updateCells; only the default amd64 build has an assembly
// version.
func updateRow(q, flo, fhi []float64, dtdx float64) { updateCells(q, flo, fhi, dtdx) }
