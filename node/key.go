package node

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Cluster key file format: the key as hex on one line (32 random bytes when
// apollo creates it). Readable only by its owner.
const (
	minKeyLen  = 16
	maxKeyFile = 4096
)

// LoadKey reads the cluster key from path.
func LoadKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cluster key: %w", err)
	}
	defer f.Close()
	buf := make([]byte, maxKeyFile+1)
	n, _ := f.Read(buf)
	if n > maxKeyFile {
		return nil, fmt.Errorf("cluster key %s: longer than %d bytes", path, maxKeyFile)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(buf[:n])))
	if err != nil {
		return nil, fmt.Errorf("cluster key %s: not hex: %w", path, err)
	}
	if len(key) < minKeyLen {
		return nil, fmt.Errorf("cluster key %s: %d bytes, need at least %d", path, len(key), minKeyLen)
	}
	return key, nil
}

// LoadOrCreateKey reads the key at path, creating a new random one (mode
// 0600) if the file does not exist.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := LoadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("cluster key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cluster key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadKey(path) // another process created it first
	}
	if err != nil {
		return nil, fmt.Errorf("cluster key: %w", err)
	}
	if _, err := fmt.Fprintln(f, hex.EncodeToString(key)); err != nil {
		f.Close()
		return nil, fmt.Errorf("cluster key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("cluster key %s: %w", path, err)
	}
	return key, nil
}
