package datalock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAcquire: a held lock refuses a second holder with a message naming
// the first's pid and role; releasing it lets the next one in.
func TestAcquire(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(t *testing.T, dir string) // what holds or fills the lock file first
		want    string                         // in the error; "" when Acquire must succeed
	}{
		{"free folder", func(*testing.T, string) {}, ""},
		{"stale content of a dead holder", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "x.lock"), "99999999 dbworker\n-- a longer tail from an earlier holder --\n")
		}, ""},
		{"held", func(t *testing.T, dir string) {
			l, err := Acquire(dir, "x.lock", "node")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Release() })
		}, fmt.Sprintf("data folder %s is in use by stockmeshd node (pid %d); stop it first", "DIR", os.Getpid())},
		{"released", func(t *testing.T, dir string) {
			l, err := Acquire(dir, "x.lock", "node")
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Release(); err != nil {
				t.Fatal(err)
			}
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.prepare(t, dir)
			l, err := Acquire(dir, "x.lock", "dbworker")
			if c.want != "" {
				want := strings.ReplaceAll(c.want, "DIR", dir)
				if err == nil || !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), want) {
					t.Fatalf("Acquire: %v; want ErrInUse saying %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Acquire: %v", err)
			}
			defer l.Release()
			b, _ := os.ReadFile(filepath.Join(dir, "x.lock"))
			if got, want := string(b), fmt.Sprintf("%d dbworker\n", os.Getpid()); got != want {
				t.Fatalf("lock file holds %q, want %q", got, want)
			}
		})
	}
}

// TestHolderUnknown: a lock held by a process that has not written its
// pid yet is still refused, with the pid unknown.
func TestHolderUnknown(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "x.lock", "node")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if err := l.f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(dir, "x.lock", "node")
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "another process (pid unknown)") {
		t.Fatalf("Acquire: %v; want ErrInUse with the pid unknown", err)
	}
}

// TestReleaseTwice: Release is idempotent.
func TestReleaseTwice(t *testing.T) {
	l, err := Acquire(t.TempDir(), "x.lock", "node")
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(l.Release(), l.Release()); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}
