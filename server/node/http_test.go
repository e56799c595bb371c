package node

import (
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteAddrOnFullDisk: on a full disk, writeAddr leaves a node.addr
// that is right alone and only warns about one it cannot update, so the
// node still starts.
func TestWriteAddrOnFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs to fill needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	path := filepath.Join(dir, AddrFile)
	if err := os.WriteFile(path, []byte("127.0.0.1:1111\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "ballast"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for err == nil {
		_, err = f.Write(buf)
	}
	f.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the disk: %v", err)
	}
	cfg := Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)}
	for _, addr := range []string{"127.0.0.1:1111", "127.0.0.1:2222"} {
		if err := writeAddr(cfg, addr); err != nil {
			t.Errorf("writeAddr(%s) on a full disk: %v", addr, err)
		}
		if b, _ := os.ReadFile(path); string(b) != "127.0.0.1:1111\n" {
			t.Errorf("after writeAddr(%s): %q", addr, b)
		}
	}
}
