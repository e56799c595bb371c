package trust

import (
	"crypto/ed25519"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
)

// TestLoadOrCreateKeyOnce: processes creating the key at once all get the
// one that was written, and later loads read it back.
func TestLoadOrCreateKeyOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), KeyFile)
	keys := make([]ed25519.PrivateKey, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	again, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if !k.Equal(again) {
			t.Errorf("caller %d got another key than the file holds", i)
		}
	}
}

// TestHeadsAndBindings: a head verifies only for its key, origin, epoch,
// seq and digest; a binding only for the id its certificate names, from
// the network's CA, with its own signature.
func TestHeadsAndBindings(t *testing.T) {
	dir := t.TempDir()
	key, err := LoadOrCreateKey(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	pub := key.Public().(ed25519.PublicKey)
	h := SignHead(key, "MAD-1", "e1", 7, strings.Repeat("ab", 32))
	heads := []struct {
		name          string
		origin, epoch string
		alter         func(*stock.SignedHead)
		want          bool
	}{
		{"as signed", "MAD-1", "e1", func(*stock.SignedHead) {}, true},
		{"another origin", "BCN-1", "e1", func(*stock.SignedHead) {}, false},
		{"another epoch", "MAD-1", "e2", func(*stock.SignedHead) {}, false},
		{"another seq", "MAD-1", "e1", func(h *stock.SignedHead) { h.Seq++ }, false},
		{"another digest", "MAD-1", "e1", func(h *stock.SignedHead) { h.Digest = strings.Repeat("cd", 32) }, false},
		{"no signature", "MAD-1", "e1", func(h *stock.SignedHead) { h.Sig = nil }, false},
	}
	for _, c := range heads {
		x := h
		x.Sig = append([]byte(nil), h.Sig...)
		c.alter(&x)
		if got := VerifyHead(pub, c.origin, c.epoch, &x); got != c.want {
			t.Errorf("head %s: verifies %v, want %v", c.name, got, c.want)
		}
	}

	tlsDir := filepath.Join(dir, "tls")
	f, err := pki.EnsureNode(tlsDir, "MAD-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	roots, err := pki.LoadCAPool(f.CACert)
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.LoadCAPool(mustCA(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Bind("MAD-1", pub, f.Cert, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := VerifyBinding(b, "MAD-1", roots)
	if err != nil || !got.Equal(pub) {
		t.Fatalf("the binding does not verify: %v", err)
	}
	forged := *b
	forged.Key = append([]byte(nil), b.Key...)
	forged.Key[0] ^= 1
	for name, check := range map[string]func() error{
		"for another id":   func() error { _, err := VerifyBinding(b, "BCN-1", roots); return err },
		"under another CA": func() error { _, err := VerifyBinding(b, "MAD-1", other); return err },
		"with another key": func() error { _, err := VerifyBinding(&forged, "MAD-1", roots); return err },
		"without a key":    func() error { _, err := VerifyBinding(&stock.KeyBinding{}, "MAD-1", roots); return err },
	} {
		if err := check(); err == nil {
			t.Errorf("a binding %s verifies", name)
		}
	}
}

// mustCA returns the certificate file of a new, unrelated CA.
func mustCA(t *testing.T) string {
	t.Helper()
	f, err := pki.EnsureNode(filepath.Join(t.TempDir(), "tls"), "X-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	return f.CACert
}
