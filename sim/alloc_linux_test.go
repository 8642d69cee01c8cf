package sim

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// The huge-page advice is accepted wherever the kernel has transparent huge
// pages, and a field's values are untouched by it.
func TestAdviseHuge(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skipf("kernel without transparent huge pages (%v)", err)
	}
	g := Grid{N: [3]int{160, 160, 160}, Hi: [3]float64{1, 1, 1}}
	b, err := NewBlock(g, [3]int{1, 1, 1}, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	f := b.NewField("u", Cell)
	if err := adviseHuge(f.Data); err != nil {
		t.Fatalf("madvise(MADV_HUGEPAGE) of a %d MiB field: %v", len(f.Data)*8>>20, err)
	}
	for i, v := range f.Data {
		if v != 0 {
			t.Fatalf("Data[%d] = %v, want a zeroed field", i, v)
		}
		f.Data[i] = float64(i)
	}
	if kb, err := anonHugeKB(uintptr(unsafe.Pointer(&f.Data[0]))); err == nil {
		t.Logf("%d kB of the field's mapping in huge pages", kb)
	}
	if err := adviseHuge(make([]float64, 10)); err != nil {
		t.Fatalf("small slice: %v", err)
	}
}

// anonHugeKB returns AnonHugePages of the mapping holding addr, from
// /proc/self/smaps.
func anonHugeKB(addr uintptr) (int, error) {
	fh, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	in := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x", &lo, &hi); n == 2 && strings.Contains(line, " ") {
			in = addr >= lo && addr < hi
			continue
		}
		var kb int
		if in {
			if n, _ := fmt.Sscanf(line, "AnonHugePages: %d kB", &kb); n == 1 {
				return kb, nil
			}
		}
	}
	return 0, fmt.Errorf("no mapping holds %#x", addr)
}
