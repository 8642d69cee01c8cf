package crc32c

import (
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

var stdTable = crc32.MakeTable(crc32.Castagnoli)

// paths runs f once per implementation available on this machine: the
// generic one always, the architecture kernel where the CPU supports it.
func paths(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	saved := useArch
	t.Cleanup(func() { useArch = saved })
	for _, arch := range []bool{false, true} {
		if arch && !archAvailable {
			t.Log("no architecture kernel on this CPU; generic path only")
			continue
		}
		useArch = arch
		t.Run(fmt.Sprintf("arch=%v", arch), f)
	}
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestEveryLengthAndAlignment compares with hash/crc32 for every length
// 0..1024 at every offset 0..63 into a buffer, with a random initial crc.
func TestEveryLengthAndAlignment(t *testing.T) {
	paths(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		buf := randBytes(r, 1024+64)
		for n := 0; n <= 1024; n++ {
			for off := range 64 {
				p := buf[off : off+n]
				crc := r.Uint32()
				if got, want := Update(crc, p), crc32.Update(crc, stdTable, p); got != want {
					t.Fatalf("Update(%#x, len %d off %d) = %#x, want %#x", crc, n, off, got, want)
				}
			}
			if got, want := Checksum(buf[:n]), crc32.Checksum(buf[:n], stdTable); got != want {
				t.Fatalf("Checksum(len %d) = %#x, want %#x", n, got, want)
			}
		}
	})
}

// TestRandomLengths covers large inputs up to 8 MiB at random offsets, with
// lengths near the kernel's block sizes made likely.
func TestRandomLengths(t *testing.T) {
	paths(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		const maxLen = 8 << 20
		buf := randBytes(r, maxLen+64)
		lengths := []int{maxLen, maxLen - 1, 4 << 20, 64 << 10, 4096, 4095, 4097}
		for range 60 {
			lengths = append(lengths, r.IntN(maxLen+1))
		}
		for range 200 {
			// Multiples of the 256-byte main block, plus or minus a little.
			lengths = append(lengths, r.IntN(300)*256+r.IntN(80)-40)
		}
		for _, n := range lengths {
			n = max(n, 0)
			off := r.IntN(64)
			p := buf[off : off+n]
			crc := r.Uint32()
			if got, want := Update(crc, p), crc32.Update(crc, stdTable, p); got != want {
				t.Fatalf("Update(%#x, len %d off %d) = %#x, want %#x", crc, n, off, got, want)
			}
		}
	})
}

// TestChainedUpdates splits inputs at random points: Update over the pieces
// must equal one Update over the whole.
func TestChainedUpdates(t *testing.T) {
	paths(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		buf := randBytes(r, 1<<20)
		for range 300 {
			n := r.IntN(len(buf) + 1)
			p := buf[:n]
			want := crc32.Checksum(p, stdTable)
			var crc uint32
			for len(p) > 0 {
				k := r.IntN(min(len(p), 1<<r.IntN(17)) + 1)
				crc = Update(crc, p[:k])
				p = p[k:]
			}
			if crc != want {
				t.Fatalf("chained Update over %d bytes = %#x, want %#x", n, crc, want)
			}
		}
	})
}

// TestKnownValue pins the standard CRC-32C check value, independent of
// hash/crc32.
func TestKnownValue(t *testing.T) {
	paths(t, func(t *testing.T) {
		if got := Checksum([]byte("123456789")); got != 0xE3069283 {
			t.Fatalf("Checksum(\"123456789\") = %#x, want 0xe3069283", got)
		}
		// 32 bytes of zeros: RFC 3720 B.4.
		if got := Checksum(make([]byte, 32)); got != 0x8A9136AA {
			t.Fatalf("Checksum(32 zero bytes) = %#x, want 0x8a9136aa", got)
		}
	})
}

func TestCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	buf := randBytes(r, 1<<20)
	for range 500 {
		n := r.IntN(len(buf) + 1)
		if r.IntN(4) == 0 {
			n = r.IntN(64)
		}
		k := r.IntN(n + 1)
		a, b := buf[:k], buf[k:n]
		got := Combine(crc32.Checksum(a, stdTable), crc32.Checksum(b, stdTable), int64(len(b)))
		if want := crc32.Checksum(buf[:n], stdTable); got != want {
			t.Fatalf("Combine over split %d+%d = %#x, want %#x", len(a), len(b), got, want)
		}
	}
	// A long run of zeros exercises high bits of len2.
	zeros := make([]byte, 5<<20+3)
	a := []byte("apollo")
	got := Combine(crc32.Checksum(a, stdTable), crc32.Checksum(zeros, stdTable), int64(len(zeros)))
	if want := crc32.Update(crc32.Checksum(a, stdTable), stdTable, zeros); got != want {
		t.Fatalf("Combine with %d zero bytes = %#x, want %#x", len(zeros), got, want)
	}
	if got := Combine(0x12345678, 0, 0); got != 0x12345678 {
		t.Fatalf("Combine(x, 0, 0) = %#x, want x", got)
	}
}

func FuzzUpdate(f *testing.F) {
	f.Add(uint32(0), []byte(""), uint16(0))
	f.Add(uint32(0xffffffff), []byte("123456789"), uint16(4))
	f.Add(uint32(0xdeadbeef), make([]byte, 300), uint16(37))
	f.Add(uint32(1), randBytes(rand.New(rand.NewPCG(9, 10)), 4099), uint16(2049))
	f.Fuzz(func(t *testing.T, crc uint32, p []byte, split uint16) {
		want := crc32.Update(crc, stdTable, p)
		if got := Update(crc, p); got != want {
			t.Fatalf("Update(%#x, len %d) = %#x, want %#x", crc, len(p), got, want)
		}
		k := int(split) % (len(p) + 1)
		if got := Update(Update(crc, p[:k]), p[k:]); got != want {
			t.Fatalf("Update split at %d of %d = %#x, want %#x", k, len(p), got, want)
		}
		if got := Combine(Update(crc, p[:k]), Checksum(p[k:]), int64(len(p)-k)); got != want {
			t.Fatalf("Combine split at %d of %d = %#x, want %#x", k, len(p), got, want)
		}
	})
}

// BenchmarkUpdate compares hash/crc32 with this package on the same buffer,
// the two sub-benchmarks adjacent so that -count runs alternate them.
func BenchmarkUpdate(b *testing.B) {
	sizes := []struct {
		name string
		n    int
	}{{"64B", 64}, {"4KiB", 4 << 10}, {"64KiB", 64 << 10}, {"4MiB", 4 << 20}, {"64MiB", 64 << 20}}
	for _, s := range sizes {
		buf := randBytes(rand.New(rand.NewPCG(11, 12)), s.n)
		b.Run(s.name, func(b *testing.B) {
			b.Run("stdlib", func(b *testing.B) {
				b.SetBytes(int64(s.n))
				var crc uint32
				for b.Loop() {
					crc = crc32.Update(crc, stdTable, buf)
				}
				sink = crc
			})
			b.Run("crc32c", func(b *testing.B) {
				b.SetBytes(int64(s.n))
				var crc uint32
				for b.Loop() {
					crc = Update(crc, buf)
				}
				sink = crc
			})
		})
	}
}

var sink uint32
