package sim

import (
	"fmt"
	"testing"
)

// BenchmarkHaloPack times packing and unpacking all six faces of one 160³
// cell field with two ghost layers, by row copies (little-endian machines)
// and by explicit per-value encoding (the big-endian path), in one run.
func BenchmarkHaloPack(b *testing.B) {
	defer func(v bool) { nativeLE = v }(nativeLE)
	for _, le := range []bool{true, false} {
		b.Run(fmt.Sprintf("native=%v", le), func(b *testing.B) {
			nativeLE = le
			g := testGrid([3]int{160, 160, 320}, Periodic)
			blk, err := NewBlock(g, [3]int{1, 1, 2}, 0, 2)
			if err != nil {
				b.Fatal(err)
			}
			// Pretend every face has a remote neighbour so buffers exist.
			for a := 0; a < 3; a++ {
				blk.Nbr[a] = [2]int{1, 1}
			}
			h, err := newHalo(nil, blk, blk.NewField("u", Cell))
			if err != nil {
				b.Fatal(err)
			}
			bytes := 0
			for a := 0; a < 3; a++ {
				for s := 0; s < 2; s++ {
					bytes += len(h.sendBuf[a][s]) + len(h.recvBuf[a][s])
				}
			}
			b.SetBytes(int64(bytes))
			b.ResetTimer()
			for it := 0; it < b.N; it++ {
				for a := 0; a < 3; a++ {
					for s := 0; s < 2; s++ {
						h.pack(a, s)
						h.unpack(a, s, h.recvBuf[a][s])
					}
				}
			}
		})
	}
}
