package node

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestKeyCreateThenLoad(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "cluster.key")
	k1, err := LoadOrCreateKey(p)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateKey(p)
	if err != nil || !bytes.Equal(k1, k2) || len(k1) != 32 {
		t.Fatalf("%x %x %v", k1, k2, err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	for _, bad := range []string{"zz", "abcd", string(bytes.Repeat([]byte("a"), 5000))} {
		os.WriteFile(p, []byte(bad), 0o600)
		if _, err := LoadKey(p); err == nil {
			t.Errorf("bad key %.10q accepted", bad)
		}
	}
}
