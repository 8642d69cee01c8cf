//go:build linux

package checkpoint

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestBadStorageTmpfs runs the scenario on a real 256 KiB tmpfs (ENOSPC from
// the kernel, then remounted read-only for EROFS). It needs root and
// mount(2); elsewhere it is skipped and TestBadStorageFake covers the logic.
func TestBadStorageTmpfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: cannot mount a tmpfs (TestBadStorageFake runs instead)")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=256k"); err != nil {
		t.Skipf("mount tmpfs: %v (TestBadStorageFake runs instead)", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	ds := make([]Domain, 3)
	for i := range ds {
		s, err := NewDirStore(filepath.Join(dir, fmt.Sprint("d", i)))
		if err != nil {
			t.Fatal(err)
		}
		ds[i] = Domain{Name: fmt.Sprint(i), Store: s}
	}
	badStorage(t, ds, func() {},
		func() {
			if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
				t.Fatalf("remount read-only: %v", err)
			}
		})
}
