package crc32c

import (
	"bytes"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// checkUpdateCopy runs UpdateCopy from src into dst (a window of a larger
// buffer) and checks the CRC against hash/crc32, the copied bytes, and that
// no byte outside the window changed.
func checkUpdateCopy(t *testing.T, crc uint32, whole []byte, off int, src []byte) {
	t.Helper()
	const guard = 0xA5
	for i := range whole {
		whole[i] = guard
	}
	dst := whole[off : off+len(src)]
	if got, want := UpdateCopy(crc, dst, src), crc32.Update(crc, stdTable, src); got != want {
		t.Fatalf("UpdateCopy(%#x, len %d, dst off %d) = %#x, want %#x", crc, len(src), off, got, want)
	}
	if !bytes.Equal(dst, src) {
		t.Fatalf("UpdateCopy len %d dst off %d: copy differs", len(src), off)
	}
	for i, c := range whole {
		if (i < off || i >= off+len(src)) && c != guard {
			t.Fatalf("UpdateCopy len %d dst off %d: byte %d outside dst changed", len(src), off, i)
		}
	}
}

// TestUpdateCopyEveryLength covers every length 0..1100 at every
// destination offset 0..63 and a few source offsets: the aligned body,
// the partial lines at either end, and inputs too short for any body.
func TestUpdateCopyEveryLength(t *testing.T) {
	paths(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(31, 32))
		buf := randBytes(r, 1100+64)
		whole := make([]byte, 1100+128)
		for n := 0; n <= 1100; n++ {
			for off := range 64 {
				so := (off * 7) % 64
				checkUpdateCopy(t, r.Uint32(), whole, off, buf[so:so+n])
			}
		}
	})
}

// TestUpdateCopyRandomLengths covers inputs of several pieces (16 KiB) up
// to 1 MiB at random offsets.
func TestUpdateCopyRandomLengths(t *testing.T) {
	paths(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(33, 34))
		const maxLen = 1 << 20
		buf := randBytes(r, maxLen+64)
		whole := make([]byte, maxLen+128)
		lengths := []int{maxLen, 32 << 10, 16 << 10, 16<<10 + 1, 16<<10 - 1, 48<<10 + 63}
		for range 60 {
			lengths = append(lengths, r.IntN(maxLen+1))
		}
		for _, n := range lengths {
			so := r.IntN(64)
			checkUpdateCopy(t, r.Uint32(), whole, r.IntN(64), buf[so:so+n])
		}
	})
}

func TestUpdateCopyShortDst(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("UpdateCopy into a shorter dst did not panic")
		}
	}()
	UpdateCopy(0, make([]byte, 9), make([]byte, 10))
}

// TestShift checks the precomputed shift against Combine for lengths around
// powers of two, including 0.
func TestShift(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	for _, n := range []int64{0, 1, 2, 3, 63, 64, 65, 4096, 32 << 10, 512 << 10, 1<<20 + 7, 1 << 40} {
		s := ShiftFor(n)
		for range 20 {
			a, b := r.Uint32(), r.Uint32()
			if got, want := s.Combine(a, b), Combine(a, b, n); got != want {
				t.Fatalf("ShiftFor(%d).Combine(%#x, %#x) = %#x, Combine = %#x", n, a, b, got, want)
			}
		}
	}
	// And against a direct checksum of a concatenation.
	buf := randBytes(r, 3<<16)
	for _, cut := range []int{0, 1, 1 << 16, 3<<16 - 1, 3 << 16} {
		want := crc32.Checksum(buf, stdTable)
		if got := ShiftFor(int64(len(buf)-cut)).Combine(Checksum(buf[:cut]), Checksum(buf[cut:])); got != want {
			t.Fatalf("Shift join at %d = %#x, want %#x", cut, got, want)
		}
	}
}

func FuzzUpdateCopy(f *testing.F) {
	f.Add(uint32(0), []byte(""), uint8(0))
	f.Add(uint32(0xdeadbeef), make([]byte, 300), uint8(37))
	f.Add(uint32(1), randBytes(rand.New(rand.NewPCG(37, 38)), 20000), uint8(5))
	f.Fuzz(func(t *testing.T, crc uint32, src []byte, off uint8) {
		o := int(off % 64)
		checkUpdateCopy(t, crc, make([]byte, o+len(src)+64), o, src)
	})
}
