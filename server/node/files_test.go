package node

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/sealing"
)

// TestDataFolderIsPrivate: a node started on a data folder of mode 0755
// with files of 0644 in it, under umask 022, leaves the folder 0700 and
// every file 0600, the database's -wal and -shm included (they were
// created 0644); and it refuses to start while a secret file (a private
// key, the admin token, the queue's keys, the Pyro4 HMAC key) is open to
// others, naming the file and the chmod that fixes it.
func TestDataFolderIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(filepath.Join(dir, "tls"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DataDir: dir, Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, cfg) }()
	waitAddr(t, dir, errc)
	checkModes := func() {
		t.Helper()
		seen := map[string]bool{}
		_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return nil
			}
			seen[filepath.Base(path)] = true
			want := os.FileMode(0o600)
			if d.IsDir() {
				want = 0o700
			}
			if fi.Mode().Perm() != want && (d.IsDir() || d.Type().IsRegular()) {
				t.Errorf("%s has mode %04o, want %04o", path, fi.Mode().Perm(), want)
			}
			return nil
		})
		for _, f := range []string{"stockmesh.db-wal", "stockmesh.db-shm", "admin.token", "node.key", "keys", "seal-1.key", "index.key"} {
			if !seen[f] {
				t.Errorf("no %s in the data folder", f)
			}
		}
	}
	checkModes()
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkModes()

	hmacKey := filepath.Join(t.TempDir(), "pyro.key")
	if err := os.WriteFile(hmacKey, []byte("k"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file string
		cfg        func(*Config)
	}{
		{"node key", filepath.Join(dir, "tls", "node.key"), nil},
		{"ca key", filepath.Join(dir, "tls", "ca.key"), nil},
		{"admin token", filepath.Join(dir, AdminTokenFile), nil},
		{"sealing key", filepath.Join(dir, "keys", "seal-1.key"), nil},
		{"index key", filepath.Join(dir, "keys", "index.key"), nil},
		{"pyro hmac key", hmacKey, func(c *Config) { c.Pyro, c.PyroHMACKeyFile = "127.0.0.1:0", hmacKey }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.Chmod(tc.file, 0o640); err != nil {
				t.Fatal(err)
			}
			defer os.Chmod(tc.file, 0o600)
			c := cfg
			if tc.cfg != nil {
				tc.cfg(&c)
			}
			rctx, stop := context.WithTimeout(context.Background(), 20*time.Second) // a node that starts serves until then
			defer stop()
			err := Run(rctx, c)
			if err == nil || !strings.Contains(err.Error(), "chmod 600 "+tc.file) {
				t.Fatalf("Run with %s readable by its group: %v; want a refusal saying chmod 600 %s", tc.file, err, tc.file)
			}
		})
	}
}

// TestDataFolderCheckSkipsVanishingFiles checks that a key file written
// atomically by another process (a dbworker sharing the folder) while the
// node checks the folder is no error: its temp file may vanish between
// the listing and the check.
func TestDataFolderCheckSkipsVanishingFiles(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, sealing.Dir)
	if err := os.MkdirAll(keys, 0o700); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			tmp := filepath.Join(keys, fmt.Sprintf(".key.tmp-%d", i))
			if os.WriteFile(tmp, []byte("k"), 0o600) == nil {
				os.Remove(tmp)
			}
		}
	}()
	defer func() { close(stop); <-done }()
	for range 2000 {
		if err := secureDataDir(dir); err != nil {
			t.Fatalf("checking a folder whose key files change meanwhile: %v", err)
		}
	}
}
