package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		perm os.FileMode
		data string
	}{
		{"key", 0o600, "secret"},
		{"cert", 0o644, "public"},
		{"replace", 0o600, "second"},
	}
	path := filepath.Join(dir, "f")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name != "replace" {
				path = filepath.Join(dir, c.name)
			}
			if err := Write(path, []byte(c.data), c.perm); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			fi, _ := os.Stat(path)
			if err != nil || string(b) != c.data || fi.Mode().Perm() != c.perm {
				t.Fatalf("got %q mode %v (%v), want %q mode %v", b, fi.Mode().Perm(), err, c.data, c.perm)
			}
		})
	}
	if err := Write(filepath.Join(dir, "missing", "f"), []byte("x"), 0o600); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if filepath.Ext(e.Name()) != "" || e.Name()[0] == '.' {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
