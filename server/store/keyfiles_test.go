package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// TestKeyFilesAtStart: a database that used its keys refuses to open when
// a key file is missing or is not the one it was made with, and such a
// start writes no key file (nor the log-signing key); a database that
// never used keys gets new ones.
func TestKeyFilesAtStart(t *testing.T) {
	keys := func(dir string) string { return filepath.Join(dir, sealing.Dir) }
	tests := []struct {
		name    string
		breakIt func(t *testing.T, h *harness)
		refused string // in the error; "" when Open succeeds
	}{
		{"untouched", func(*testing.T, *harness) {}, ""},
		{"index key deleted", func(t *testing.T, h *harness) { rm(t, keys(h.dir), "index.key") }, "key files missing"},
		{"index key replaced", func(t *testing.T, h *harness) { replaceKey(t, keys(h.dir), "index.key") }, "index.key: it is not the key"},
		{"index key cut short", func(t *testing.T, h *harness) {
			os.WriteFile(filepath.Join(keys(h.dir), "index.key"), []byte("short"), 0o600)
		}, "holds 5 bytes"},
		{"sealing key deleted", func(t *testing.T, h *harness) { rm(t, keys(h.dir), "seal-1.key") }, "key files missing"},
		{"keys folder deleted", func(t *testing.T, h *harness) { rm(t, h.dir, sealing.Dir) }, "key files missing"},
		{"index key replaced, database from before the check", func(t *testing.T, h *harness) {
			exec(t, h, `DELETE FROM key_check`)
			replaceKey(t, keys(h.dir), "index.key")
		}, "does not give the hashes"},
		{"database that never used keys", func(t *testing.T, h *harness) {
			exec(t, h, `DELETE FROM key_check`, `DELETE FROM sealing`, `DELETE FROM movements`,
				`DELETE FROM tokens`, `DELETE FROM audit_log`)
			rm(t, h.dir, sealing.Dir)
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.ok(testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: "A", Name: "A"}})
			h.ok(testJob{Op: stock.OpMovementRecord, Actor: "ana", Movement: &stock.MovementInput{SKU: "A",
				Kind: stock.KindPurchase, Quantity: 3, Reference: "PO-1"}})
			h.ok(testJob{Op: stock.OpTokenCreate, Token: &stock.Token{Hash: "h", Name: "ci", Role: "viewer"}})
			if err := h.s.Close(); err != nil {
				t.Fatal(err)
			}
			tt.breakIt(t, h)
			rm(t, h.dir, trust.KeyFile)
			before := files(t, h.dir)
			s, err := Open(h.dir, Options{Logger: slog.New(slog.DiscardHandler)})
			if tt.refused == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				h.s = s
				h.product("A")
				return
			}
			if err == nil {
				s.Close()
				t.Fatalf("Open succeeded, want it refused (%s)", tt.refused)
			}
			if !strings.Contains(err.Error(), tt.refused) {
				t.Errorf("Open: %v, want %q", err, tt.refused)
			}
			if after := files(t, h.dir); after != before {
				t.Errorf("a refused start changed the files:\n%s\nthen\n%s", before, after)
			}
		})
	}
}

func rm(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// replaceKey writes another key of the right size in dir/name.
func replaceKey(t *testing.T, dir, name string) {
	t.Helper()
	k := make([]byte, sealing.KeySize)
	rand.Read(k)
	if err := os.WriteFile(filepath.Join(dir, name), k, 0o600); err != nil {
		t.Fatal(err)
	}
}

// exec opens h's closed store, runs queries and closes it.
func exec(t *testing.T, h *harness, queries ...string) {
	t.Helper()
	s, err := Open(h.dir, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range queries {
		if _, err := s.wdb.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// files lists the key files and the signing key of a data folder, with
// their contents' sizes and first bytes.
func files(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{sealing.Dir + "/index.key", sealing.Dir + "/seal-1.key", sealing.Dir + "/seal-2.key", trust.KeyFile} {
		k, err := os.ReadFile(filepath.Join(dir, p))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			b.WriteString(p + ": none\n")
		case err != nil:
			t.Fatal(err)
		default:
			fmt.Fprintf(&b, "%s: %d bytes, %x…\n", p, len(k), k[:min(4, len(k))])
		}
	}
	_, err := os.Stat(filepath.Join(dir, sealing.Dir))
	b.WriteString("folder: " + map[bool]string{true: "yes", false: "no"}[err == nil])
	return b.String()
}
