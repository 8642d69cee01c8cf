//go:build !amd64 || (purego && !goexperiment.simd)

// The default amd64 build has assembly kernels (kern_amd64.go), the
// GOEXPERIMENT=simd build archsimd ones (prim_simd.go).

package mhd

// primRow converts the n cells of a row to primitives (see primRowGo).
func primRow(r *primRowArgs, n int) int64 { return primRowGo(r, 0, n) }

// cornerRow computes a row of edge EMFs (see cornerRowGo).
func cornerRow(r *cornerRowArgs) { cornerRowGo(r, 0, len(r.o)) }
