package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEnsureCreatesFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "tls")
	f, err := Ensure(dir, []string{"node1.example"})
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	if f != FilesIn(dir) {
		t.Errorf("Ensure returned %+v, want %+v", f, FilesIn(dir))
	}
	perms := []struct {
		name string
		path string
		want os.FileMode
	}{
		{"tls dir", dir, 0o700 | os.ModeDir},
		{"data dir", filepath.Dir(dir), 0o700 | os.ModeDir},
		{"ca key", filepath.Join(dir, CAKeyFile), 0o600},
		{"node key", f.Key, 0o600},
		{"ca cert", f.CACert, 0},
		{"node cert", f.Cert, 0},
	}
	for _, p := range perms {
		t.Run(p.name, func(t *testing.T) {
			fi, err := os.Stat(p.path)
			if err != nil {
				t.Fatalf("stat: %v", err)
			}
			if p.want != 0 && fi.Mode() != p.want {
				t.Errorf("mode = %v, want %v", fi.Mode(), p.want)
			}
		})
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Errorf("dir holds %d entries, want 4 (no temp files left): %v", len(entries), entries)
	}
}

func TestEnsureReusesFiles(t *testing.T) {
	tests := []struct {
		name     string
		issuedAt time.Duration // relative to now
		sans     []string
	}{
		{"fresh", 0, nil},
		{"31 days left", -NodeValidity + 31*24*time.Hour, nil},
		{"SANs already covered, other spelling", 0, []string{"LOCALHOST", "::0001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			mustEnsure(t, dir, nil, time.Now().Add(tt.issuedAt))
			f := FilesIn(dir)
			ca1, node1, key1 := readFile(t, f.CACert), readFile(t, f.Cert), readFile(t, f.Key)
			if _, err := Ensure(dir, tt.sans); err != nil {
				t.Fatalf("second Ensure: %v", err)
			}
			if !bytes.Equal(ca1, readFile(t, f.CACert)) {
				t.Error("second Ensure replaced the CA")
			}
			if !bytes.Equal(node1, readFile(t, f.Cert)) || !bytes.Equal(key1, readFile(t, f.Key)) {
				t.Error("second Ensure replaced a valid node certificate")
			}
		})
	}
}

func TestEnsureReissuesNodeCert(t *testing.T) {
	now := time.Now()
	otherCA, err := NewCA("other")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		sans   []string
		before func(t *testing.T, dir string) // prepares dir before the final Ensure
	}{
		{
			name:   "added SAN",
			sans:   []string{"extra.example", "10.1.2.3"},
			before: func(t *testing.T, dir string) { mustEnsure(t, dir, nil, now) },
		},
		{
			name:   "expires within 30 days",
			before: func(t *testing.T, dir string) { mustEnsure(t, dir, nil, now.Add(-NodeValidity+29*24*time.Hour)) },
		},
		{
			name: "key does not match",
			before: func(t *testing.T, dir string) {
				mustEnsure(t, dir, nil, now)
				key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				pemKey, _ := encodeKey(key)
				writeFile(t, filepath.Join(dir, NodeKeyFile), pemKey)
			},
		},
		{
			name: "signed by another CA",
			before: func(t *testing.T, dir string) {
				mustEnsure(t, dir, nil, now)
				cert, key, err := otherCA.IssueNode(DefaultSANs())
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(dir, NodeCertFile), cert)
				writeFile(t, filepath.Join(dir, NodeKeyFile), key)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.before(t, dir)
			f := FilesIn(dir)
			caBefore, nodeBefore := readFile(t, f.CACert), readFile(t, f.Cert)
			if _, err := Ensure(dir, tt.sans); err != nil {
				t.Fatalf("Ensure: %v", err)
			}
			if !bytes.Equal(caBefore, readFile(t, f.CACert)) {
				t.Error("CA was replaced")
			}
			if bytes.Equal(nodeBefore, readFile(t, f.Cert)) {
				t.Fatal("node certificate was not reissued")
			}
			cert := parseFile(t, f.Cert)
			for _, name := range append(DefaultSANs(), tt.sans...) {
				if _, err := cert.Verify(verifyOpts(t, f.CACert, name)); err != nil {
					t.Errorf("new certificate does not verify for %q: %v", name, err)
				}
			}
			if _, err := ServerConfig(f.Cert, f.Key); err != nil {
				t.Errorf("new certificate and key do not pair: %v", err)
			}
		})
	}
}

func TestNodeCertVerifies(t *testing.T) {
	f, err := Ensure(t.TempDir(), []string{"Node-7.Example", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	cert := parseFile(t, f.Cert)
	tests := []struct {
		name string
		host string
		ok   bool
	}{
		{"localhost", "localhost", true},
		{"loopback v4", "127.0.0.1", true},
		{"loopback v6", "::1", true},
		{"extra DNS, case folded", "node-7.example", true},
		{"extra IP", "192.0.2.7", true},
		{"uncovered name", "evil.example", false},
		{"uncovered IP", "192.0.2.8", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cert.Verify(verifyOpts(t, f.CACert, tt.host))
			if (err == nil) != tt.ok {
				t.Errorf("Verify(%q) error = %v, want ok=%v", tt.host, err, tt.ok)
			}
		})
	}
}

func TestCertificateShape(t *testing.T) {
	f, err := Ensure(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ca, node := parseFile(t, f.CACert), parseFile(t, f.Cert)
	tests := []struct {
		name     string
		cert     *x509.Certificate
		validity time.Duration
		isCA     bool
	}{
		{"ca", ca, CAValidity, true},
		{"node", node, NodeValidity, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cert
			if got := c.NotAfter.Sub(c.NotBefore); got != tt.validity+ClockSkew {
				t.Errorf("validity = %v, want %v", got, tt.validity+ClockSkew)
			}
			if c.IsCA != tt.isCA {
				t.Errorf("IsCA = %v, want %v", c.IsCA, tt.isCA)
			}
			pub, ok := c.PublicKey.(*ecdsa.PublicKey)
			if !ok || pub.Curve != elliptic.P256() {
				t.Errorf("public key = %T, want ECDSA P-256", c.PublicKey)
			}
			if n := c.SerialNumber; n.Sign() <= 0 || n.BitLen() > 129 || n.BitLen() < 64 {
				t.Errorf("serial %v is not a random 128-bit number", n)
			}
		})
	}
	if ca.SerialNumber.Cmp(node.SerialNumber) == 0 {
		t.Error("CA and node share a serial number")
	}
}

func TestEnsureErrors(t *testing.T) {
	garbage := []byte("-----BEGIN CERTIFICATE-----\nnot base64 at all\n")
	tests := []struct {
		name    string
		sans    []string
		prepare func(t *testing.T, dir string)
		want    error
		mention string
	}{
		{
			name: "garbage CA cert",
			prepare: func(t *testing.T, dir string) {
				mustEnsure(t, dir, nil, time.Now())
				writeFile(t, filepath.Join(dir, CACertFile), garbage)
			},
			want:    ErrInvalidPEM,
			mention: CACertFile,
		},
		{
			name: "garbage CA key",
			prepare: func(t *testing.T, dir string) {
				mustEnsure(t, dir, nil, time.Now())
				writeFile(t, filepath.Join(dir, CAKeyFile), []byte("hello"))
			},
			want:    ErrInvalidPEM,
			mention: CAKeyFile,
		},
		{
			name: "garbage node cert",
			prepare: func(t *testing.T, dir string) {
				mustEnsure(t, dir, nil, time.Now())
				writeFile(t, filepath.Join(dir, NodeCertFile), garbage)
			},
			want:    ErrInvalidPEM,
			mention: NodeCertFile,
		},
		{
			name: "CA cert without key",
			prepare: func(t *testing.T, dir string) {
				mustEnsure(t, dir, nil, time.Now())
				if err := os.Remove(filepath.Join(dir, CAKeyFile)); err != nil {
					t.Fatal(err)
				}
			},
			want:    ErrIncompleteCA,
			mention: CAKeyFile,
		},
		{
			name:    "invalid SAN",
			sans:    []string{"has space.example"},
			prepare: func(*testing.T, string) {},
			want:    ErrInvalidSAN,
			mention: "has space.example",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.prepare(t, dir)
			_, err := Ensure(dir, tt.sans)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Ensure error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

func TestNormalizeSANs(t *testing.T) {
	got, err := normalizeSANs([]string{" LocalHost ", "", "::0001", "127.0.0.1", "localhost", "Node.Example"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"localhost", "::1", "127.0.0.1", "node.example"}
	if !slices.Equal(got, want) {
		t.Errorf("normalizeSANs = %q, want %q", got, want)
	}
}

// mustEnsure runs Ensure's core at the given time.
func mustEnsure(t *testing.T, dir string, sans []string, now time.Time) {
	t.Helper()
	all, err := normalizeSANs(append(DefaultSANs(), sans...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ensureAt(dir, "", all, now); err != nil {
		t.Fatalf("ensureAt: %v", err)
	}
}

func verifyOpts(t *testing.T, caFile, host string) x509.VerifyOptions {
	t.Helper()
	pool, err := LoadCAPool(caFile)
	if err != nil {
		t.Fatal(err)
	}
	return x509.VerifyOptions{Roots: pool, DNSName: host}
}

func parseFile(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	cert, _, err := readCert(path)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
