package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestSettingsE2E runs the client as a new user would from a directory
// without the node's data folder: it says what it looked for and how to
// point it at a node; `config init`, run with the node's settings, writes
// the config file once, after which the client works from anywhere.
func TestSettingsE2E(t *testing.T) {
	node := testnode.Start(t)
	home, elsewhere := t.TempDir(), t.TempDir()
	bare := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8"}
	withNode := append(clientEnv(t, node), "HOME="+home) // the later HOME wins

	r := runIn(t, bare, elsewhere, "products")
	if r.code != 2 || !strings.Contains(r.stderr, "no CA certificate at data/tls/ca.crt") ||
		!strings.Contains(r.stderr, "--server URL --ca FILE --token TOKEN") || !strings.Contains(r.stderr, "stockmesh config init") {
		t.Fatalf("without settings: exit %d\n%s", r.code, r.stderr)
	}
	if r := runIn(t, withNode, elsewhere, "config", "init"); r.code != 0 || !strings.Contains(r.stdout, "Wrote "+filepath.Join(home, ".config/stockmesh/config")) {
		t.Fatalf("config init: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, withNode, elsewhere, "config", "init"); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("config init again: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, bare, elsewhere, "product", "add", "--sku", "C1", "--name", "Cog", "--price", "2"); r.code != 0 {
		t.Fatalf("with the config file only: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestLocalNodeAddressE2E runs the client beside the data folder of a node
// on a port other than 8443, without any settings: it reaches the node at
// the address the node wrote in data/node.addr, and `config init` writes
// that address.
func TestLocalNodeAddressE2E(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	node := testnode.StartIn(t, filepath.Join(dir, "data"), "127.0.0.1:0")
	home := t.TempDir()
	bare := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8"}
	if r := runIn(t, bare, dir, "product", "add", "--sku", "P1", "--name", "Pin", "--price", "1"); r.code != 0 {
		t.Fatalf("beside data/ of the node at %s: exit %d\n%s%s", node.Addr, r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, bare, dir, "config", "init"); r.code != 0 {
		t.Fatalf("config init: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	config, err := os.ReadFile(filepath.Join(home, ".config", "stockmesh", "config"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "server = https://" + node.Addr + "\n"; !strings.Contains(string(config), want) {
		t.Errorf("the config file lacks %q:\n%s", want, config)
	}
}
