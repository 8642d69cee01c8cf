package output

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// writeAtomic creates path through a temporary file in the same directory: fill writes the
// content, then the file is synced, closed, renamed over path and the directory synced, so the
// name shows either the old file or the complete new one, also after a crash.
func writeAtomic(path string, fill func(f *os.File) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("output: create temporary file for %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	// CreateTemp makes the file private; output is meant to be read by others.
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("output: chmod %s: %w", path, err)
	}
	if err = fill(f); err != nil {
		return fmt.Errorf("output: write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("output: sync %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("output: close %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("output: rename into %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. File systems that cannot fsync a directory (some
// network mounts) report EINVAL; the rename itself has happened, so that is not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("output: open directory %s: %w", dir, err)
	}
	err = d.Sync()
	cerr := d.Close()
	if err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("output: sync directory %s: %w", dir, err)
	}
	if cerr != nil {
		return fmt.Errorf("output: close directory %s: %w", dir, cerr)
	}
	return nil
}

// checkBaseName refuses names that would leave the output directory or break file names.
func checkBaseName(name string) error {
	if name == "" || name == "." || name == ".." || len(name) > 200 {
		return fmt.Errorf("output: invalid name %q", name)
	}
	for _, r := range name {
		// XML specials too: the name appears in .pvti attributes.
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\\"<>&'`, r) {
			return fmt.Errorf("output: invalid character %q in name %q", r, name)
		}
	}
	return nil
}
