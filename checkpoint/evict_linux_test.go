//go:build linux

package checkpoint

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// evict drops the page cache of the (already fsynced, hence clean) files in
// dir with posix_fadvise(DONTNEED), so the next read comes from the device.
// It touches only these files, not the machine's whole cache.
func evict(b *testing.B, dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range ents {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		const fadvDontneed = 4
		if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontneed, 0, 0); errno != 0 {
			b.Fatalf("fadvise: %v", errno)
		}
		f.Close()
	}
}
