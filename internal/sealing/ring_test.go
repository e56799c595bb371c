package sealing

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRingSealOpenRotateRetire(t *testing.T) {
	dir := filepath.Join(t.TempDir(), Dir)
	r, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", indexFile, "seal-1.key"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o600)
		if name == "" {
			want = os.ModeDir | 0o700
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", fi.Name(), fi.Mode(), want)
		}
	}
	v1 := r.Seal("PO-4711 secret", "MAD-1:1:reference")
	if strings.Contains(v1, "PO-4711") || !IsSealed(v1) {
		t.Fatalf("sealed value %q", v1)
	}
	if id, ok := KeyOf(v1); !ok || id != 1 {
		t.Fatalf("KeyOf = %d %v, want 1", id, ok)
	}
	if r.Seal("", "x") != "" {
		t.Error(`"" was sealed`)
	}
	tests := []struct {
		name, v, ad, want string
		fails             bool
	}{
		{"sealed", v1, "MAD-1:1:reference", "PO-4711 secret", false},
		{"clear value of an older database", "plain", "x", "plain", false},
		{"another place", v1, "MAD-1:2:reference", "", true},
		{"tampered", v1[:len(v1)-2] + "AA", "MAD-1:1:reference", "", true},
		{"malformed", prefix + "!!", "x", "", true},
	}
	for _, tc := range tests {
		got, err := r.Open(tc.v, tc.ad)
		if (err != nil) != tc.fails || got != tc.want {
			t.Errorf("%s: Open = %q, %v", tc.name, got, err)
		}
	}
	id, err := r.Rotate()
	if err != nil || id != 2 || r.Current() != 2 {
		t.Fatalf("Rotate = %d, %v", id, err)
	}
	v2 := r.Seal("x", "a")
	if k, _ := KeyOf(v2); k != 2 {
		t.Errorf("sealed with key %d after rotation", k)
	}
	// A new ring on the same folder holds both keys and the same hash key.
	r2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r2.Open(v1, "MAD-1:1:reference"); err != nil || got != "PO-4711 secret" {
		t.Errorf("reloaded: %q, %v", got, err)
	}
	if !bytes.Equal(r.Hash("reference", "PO-1"), r2.Hash("reference", "PO-1")) || len(r.Hash("reference", "PO-1")) != HashSize {
		t.Error("hash differs across loads")
	}
	if bytes.Equal(r.Hash("reference", "PO-1"), r.Hash("actor", "PO-1")) || r.Hash("actor", "") != nil {
		t.Error("hash does not depend on its field, or hashes \"\"")
	}
	gone, err := r.Retire(2)
	if err != nil || len(gone) != 1 || gone[0] != 1 {
		t.Fatalf("Retire = %v, %v", gone, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "seal-1.key")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("retired key file: %v", err)
	}
	if _, err := r.Open(v1, "MAD-1:1:reference"); err != nil {
		t.Errorf("retired key no longer opens in memory: %v", err)
	}
	r3, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r3.Open(v1, "MAD-1:1:reference"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("after retiring and reloading: %v, want ErrUnknownKey", err)
	}
	if ks := r3.Keys(); len(ks) != 1 || ks[0] != 2 {
		t.Errorf("Keys = %v", ks)
	}
}

func BenchmarkSeal(b *testing.B) {
	r, err := Create(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	s := r.Sealer()
	for b.Loop() {
		s.Seal("PO-2026-000123", "MAD-1:123456:reference")
	}
}

// TestLoadNeverWrites: Load refuses a folder that lacks a key, or holds a
// key of the wrong size, and writes no file; Create makes only what is
// missing.
func TestLoadNeverWrites(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string)
		noKeys  bool // the error wraps ErrNoKeys
	}{
		{"no folder", func(t *testing.T, dir string) { os.RemoveAll(dir) }, true},
		{"no index key", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, indexFile)) }, true},
		{"no sealing key", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "seal-1.key")) }, true},
		{"short index key", func(t *testing.T, dir string) { os.WriteFile(filepath.Join(dir, indexFile), []byte("short"), 0o600) }, false},
		{"empty sealing key", func(t *testing.T, dir string) { os.WriteFile(filepath.Join(dir, "seal-1.key"), nil, 0o600) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), Dir)
			if _, err := Create(dir); err != nil {
				t.Fatal(err)
			}
			tc.prepare(t, dir)
			before := listDir(dir)
			_, err := Load(dir)
			if err == nil || errors.Is(err, ErrNoKeys) != tc.noKeys {
				t.Fatalf("Load = %v, want an error (wrapping ErrNoKeys: %v)", err, tc.noKeys)
			}
			if after := listDir(dir); after != before {
				t.Errorf("Load changed the folder: %s, then %s", before, after)
			}
		})
	}
	dir := filepath.Join(t.TempDir(), Dir)
	r, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	index, _ := os.ReadFile(filepath.Join(dir, indexFile))
	os.Remove(filepath.Join(dir, "seal-1.key"))
	r2, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, indexFile)); !bytes.Equal(again, index) ||
		!bytes.Equal(r.Hash("reference", "x"), r2.Hash("reference", "x")) {
		t.Error("Create replaced an index key it had")
	}
}

// listDir returns the names and sizes of dir's files, "" when it is missing.
func listDir(dir string) string {
	es, _ := os.ReadDir(dir)
	var b strings.Builder
	for _, e := range es {
		fi, _ := e.Info()
		fmt.Fprintf(&b, "%s:%d ", e.Name(), fi.Size())
	}
	return b.String()
}
