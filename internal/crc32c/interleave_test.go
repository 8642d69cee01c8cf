package crc32c

import (
	"hash/crc32"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// BenchmarkVsStdlib alternates blocks of hash/crc32 and of this package on
// the same buffer inside one benchmark, so that both see the same load on a
// shared machine, and reports the median time per call of each (std-ns/op,
// new-ns/op), their GB/s and speedup = median std time / median new time.
// speedup-p10 is the same ratio of the 10th percentiles: on a shared machine
// the fastest blocks are the ones least disturbed by other processes.
func BenchmarkVsStdlib(b *testing.B) {
	sizes := []struct {
		name string
		n    int
	}{{"64B", 64}, {"256B", 256}, {"384B", 384}, {"1KiB", 1 << 10}, {"4KiB", 4 << 10}, {"32KiB", 32 << 10}, {"64KiB", 64 << 10}, {"4MiB", 4 << 20}, {"64MiB", 64 << 20}}
	for _, s := range sizes {
		buf := randBytes(rand.New(rand.NewPCG(13, 14)), s.n)
		// Blocks of about 64 KiB of work keep timer overhead small.
		reps := max(1, (64<<10)/s.n)
		b.Run(s.name, func(b *testing.B) {
			var std, fast []time.Duration
			var crc uint32
			for b.Loop() {
				t0 := time.Now()
				for range reps {
					crc = crc32.Update(crc, stdTable, buf)
				}
				t1 := time.Now()
				for range reps {
					crc = Update(crc, buf)
				}
				t2 := time.Now()
				std = append(std, t1.Sub(t0))
				fast = append(fast, t2.Sub(t1))
			}
			sink = crc
			ms, mf := quantile(std, 0.5)/float64(reps), quantile(fast, 0.5)/float64(reps)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(ms, "std-ns/op")
			b.ReportMetric(mf, "new-ns/op")
			b.ReportMetric(float64(s.n)/ms, "std-GB/s")
			b.ReportMetric(float64(s.n)/mf, "new-GB/s")
			b.ReportMetric(ms/mf, "speedup")
			b.ReportMetric(quantile(std, 0.1)/quantile(fast, 0.1), "speedup-p10")
		})
	}
}

// quantile returns the q-quantile (0 <= q < 1) of d by rank.
func quantile(d []time.Duration, q float64) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[int(q*float64(len(s)))])
}
