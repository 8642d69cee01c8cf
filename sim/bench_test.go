package sim

import (
	"fmt"
	"testing"
)

// BenchmarkHaloPack times what an exchange does to the data of all six
// faces of one 160³ cell field with two ghost layers, besides the transport:
// packing and unpacking by row copies (little-endian machines, direct=false),
// by explicit per-value encoding (the big-endian path), and with the z faces
// sent from and received into the field in place (direct=true: x and y
// faces still packed), in one run. SetBytes counts all six faces in every
// variant, so MB/s compares the variants' cost per exchange.
func BenchmarkHaloPack(b *testing.B) {
	defer func(v, d bool) { nativeLE, directRuns = v, d }(nativeLE, directRuns)
	for _, c := range []struct{ le, direct bool }{{true, true}, {true, false}, {false, false}} {
		b.Run(fmt.Sprintf("native=%v/direct=%v", c.le, c.direct), func(b *testing.B) {
			nativeLE, directRuns = c.le, c.direct
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
					bytes += 8 * (h.sendBox[a][s][0].points() + h.recvBox[a][s][0].points())
				}
			}
			b.SetBytes(int64(bytes))
			b.ResetTimer()
			for it := 0; it < b.N; it++ {
				for a := 0; a < 3; a++ {
					for s := 0; s < 2; s++ {
						h.sendData(a, s)
						buf := h.recvData(a, s)
						h.finishRecv(a, s, buf, buf)
					}
				}
			}
		})
	}
}
