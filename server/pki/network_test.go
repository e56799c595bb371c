package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

func TestSignCSR(t *testing.T) {
	dir := t.TempDir()
	if _, err := EnsureNode(dir, "MAD-1", nil); err != nil {
		t.Fatal(err)
	}
	ca, err := LoadCAIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	csr, _, err := NewCSR("BCN-1", []string{"mad.example", "192.0.2.9"}) // names the CA ignores
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		csr  []byte
		id   string
		ok   bool
	}{
		{"matching id", csr, "BCN-1", true},
		{"other id", csr, "VAL-1", false},
		{"garbage", []byte("not a request"), "BCN-1", false},
		{"certificate instead", ca.CertPEM(), "BCN-1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certPEM, err := ca.SignCSR(tt.csr, tt.id, []string{"BCN.example", "192.0.2.10"})
			if !tt.ok {
				if !errors.Is(err, ErrBadCSR) {
					t.Fatalf("SignCSR error = %v, want ErrBadCSR", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			certs, err := ParseCerts(certPEM)
			if err != nil {
				t.Fatal(err)
			}
			c := certs[0]
			if c.Subject.CommonName != "BCN-1" {
				t.Errorf("CommonName = %q, want BCN-1", c.Subject.CommonName)
			}
			if !slices.Equal(c.DNSNames, []string{"bcn.example"}) || len(c.IPAddresses) != 1 || c.IPAddresses[0].String() != "192.0.2.10" {
				t.Errorf("names = %v %v, want exactly bcn.example and 192.0.2.10, none of the request's", c.DNSNames, c.IPAddresses)
			}
			pool := x509.NewCertPool()
			pool.AddCert(ca.cert)
			for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
				if _, err := c.Verify(x509.VerifyOptions{Roots: pool, DNSName: "bcn.example", KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
					t.Errorf("does not verify for usage %v: %v", usage, err)
				}
			}
		})
	}
}

func TestNodeConfigServesChain(t *testing.T) {
	dir := t.TempDir()
	f, err := EnsureNode(dir, "MAD-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := NodeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	chain := cfg.Certificates[0].Certificate
	if len(chain) != 2 {
		t.Fatalf("chain has %d certificates, want node and CA", len(chain))
	}
	ca, err := LoadCAIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	last, _ := x509.ParseCertificate(chain[1])
	if Fingerprint(last) != ca.Fingerprint() {
		t.Error("the chain's second certificate is not the CA")
	}
	if cfg.ClientAuth != tls.VerifyClientCertIfGiven || cfg.ClientCAs == nil {
		t.Errorf("ClientAuth = %v, want client certificates verified when given", cfg.ClientAuth)
	}
	if id, err := Identity(f); err != nil || id != "MAD-1" {
		t.Errorf("Identity = %q, %v; want MAD-1", id, err)
	}
	if err := CheckJoined(f); err != nil {
		t.Errorf("CheckJoined: %v", err)
	}
	// A new id reissues the node certificate under the same CA.
	if _, err := EnsureNode(dir, "MAD-2", nil); err != nil {
		t.Fatal(err)
	}
	if id, _ := Identity(FilesIn(dir)); id != "MAD-2" {
		t.Errorf("after EnsureNode with another id, Identity = %q", id)
	}
	if has, _ := HasCAKey(filepath.Clean(dir)); !has {
		t.Error("HasCAKey = false on the CA's own directory")
	}
}

func TestNormalizeNames(t *testing.T) {
	many := make([]string, MaxNames+1)
	for i := range many {
		many[i] = fmt.Sprintf("n%d.example", i)
	}
	tests := []struct {
		name  string
		in    []string
		want  []string
		valid bool
	}{
		{"trimmed, lower-cased, deduplicated", []string{" BCN.example ", "bcn.example", "", "::1"}, []string{"bcn.example", "::1"}, true},
		{"wildcard", []string{"*.example"}, nil, false},
		{"path", []string{"bcn.example/x"}, nil, false},
		{"too many", many, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeNames(tt.in)
			if !tt.valid {
				if !errors.Is(err, ErrInvalidSAN) {
					t.Fatalf("NormalizeNames(%q) error = %v, want ErrInvalidSAN", tt.in, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("NormalizeNames(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
