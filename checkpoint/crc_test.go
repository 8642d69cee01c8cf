package checkpoint

import (
	"hash/crc32"
	"testing"
)

func TestCRCCombine(t *testing.T) {
	b := testData(100003, 9)
	want := crc32.Checksum(b, castagnoli)
	for _, cut := range []int{0, 1, 7, 64, 4096, 50000, 100002, 100003} {
		a, c := crc32.Checksum(b[:cut], castagnoli), crc32.Checksum(b[cut:], castagnoli)
		if got := crcCombine(a, c, int64(len(b)-cut)); got != want {
			t.Fatalf("cut %d: %08x want %08x", cut, got, want)
		}
	}
}
