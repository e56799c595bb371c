package auth

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	tok, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	other, otherHash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"has prefix", strings.HasPrefix(tok, TokenPrefix)},
		{"47 characters", len(tok) == 47},
		{"well formed", wellFormed(tok)},
		{"hash is Hash(token)", hash == Hash(tok)},
		{"hash is 64 hex digits", len(hash) == 64 && isHex(hash)},
		{"tokens differ", tok != other && hash != otherHash},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: token %q, hash %q", c.name, tok, hash)
		}
	}
}

func TestHash(t *testing.T) {
	const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" // SHA-256("abc")
	if got := Hash("abc"); got != abc {
		t.Errorf("Hash(abc) = %s, want %s", got, abc)
	}
}

func TestTokenFile(t *testing.T) {
	tests := []struct {
		name     string
		existing os.FileMode // mode of a file already at the path; 0 for none
	}{
		{"new file in new dirs", 0},
		{"replaces a world-readable file", 0o644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "home", ".stockmesh")
			path := filepath.Join(dir, "token")
			if tt.existing != 0 {
				if err := os.MkdirAll(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte("old\n"), tt.existing); err != nil {
					t.Fatal(err)
				}
			}
			tok, _, _ := NewToken()
			if err := WriteTokenFile(path, tok); err != nil {
				t.Fatalf("WriteTokenFile: %v", err)
			}
			checkMode(t, path, 0o600)
			checkMode(t, dir, 0o700|os.ModeDir)
			got, err := ReadTokenFile(path)
			if err != nil || got != tok {
				t.Errorf("ReadTokenFile = %q, %v; want %q", got, err, tok)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("dir holds %d entries, want only the token file", len(entries))
			}
		})
	}
}

func TestReadTokenFileErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte(" \n\t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want error
	}{
		{"missing", filepath.Join(dir, "missing"), os.ErrNotExist},
		{"blank", empty, ErrEmptyTokenFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ReadTokenFile(tt.path); !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != want {
		t.Errorf("%s: mode %v, want %v", path, fi.Mode(), want)
	}
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}
