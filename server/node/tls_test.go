package node

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/playground"
)

// TestTLSAndHeaders: the node's HTTPS server speaks TLS 1.2 and 1.3 with
// forward-secret AEAD suites only (a TLS 1.1 client, or a TLS 1.2 client
// offering only CBC or RSA key exchange, is refused; before, Go's defaults
// took ECDHE with AES-CBC and SHA-1), and the playground's page carries a
// content security policy for the node's own assets, no framing and no
// sniffing.
func TestTLSAndHeaders(t *testing.T) {
	url, c, _, _ := startNode(t, Config{}, "h2")
	addr := strings.TrimPrefix(url, "https://")
	cases := []struct {
		name   string
		cfg    *tls.Config
		accept bool
	}{
		{"TLS 1.3", &tls.Config{MinVersion: tls.VersionTLS13}, true},
		{"TLS 1.2 AES-GCM", &tls.Config{MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}}, true},
		{"TLS 1.1", &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}, false},
		{"TLS 1.2 CBC-SHA1 only", &tls.Config{MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}, false},
		{"TLS 1.2 RSA key exchange only", &tls.Config{MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.InsecureSkipVerify = true // the handshake's parameters are under test, not the chain
			conn, err := tls.DialWithDialer(&netDialer, "tcp", addr, cfg)
			if err == nil {
				conn.Close()
			}
			if (err == nil) != tc.accept {
				t.Fatalf("handshake error %v; want accepted %v", err, tc.accept)
			}
		})
	}
	resp, err := c.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for h, want := range map[string]string{
		"Content-Security-Policy": playground.ContentSecurityPolicy,
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") ||
		!strings.Contains(csp, "script-src 'self';") {
		t.Errorf("the policy %q allows framing or scripts from elsewhere", csp)
	}
}

var netDialer = net.Dialer{Timeout: 10 * time.Second}
