//go:build !linux

package sim

// adviseHuge is a no-op where there is no madvise(MADV_HUGEPAGE).
func adviseHuge(f []float64) error { return nil }
