package member

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/pki"
)

// members is a Directory of fixed current members.
type members map[string]bool

func (m members) Current(id string) bool { return m[id] }

// network makes a CA in a temp dir with node certificates for ids, and
// returns the CA's files and each node's.
func network(t *testing.T, ids ...string) (pki.Files, map[string]pki.Files) {
	t.Helper()
	dir := t.TempDir()
	ca, err := pki.EnsureNode(filepath.Join(dir, "ca"), "CA-NODE", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pki.LoadCAIn(filepath.Join(dir, "ca"))
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]pki.Files{}
	for _, id := range ids {
		csr, key, err := pki.NewCSR(id, nil)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := c.SignCSR(csr, id, pki.DefaultSANs())
		if err != nil {
			t.Fatal(err)
		}
		caPEM, _ := os.ReadFile(ca.CACert)
		nd := filepath.Join(dir, id)
		if err := pki.WriteJoined(nd, key, cert, caPEM); err != nil {
			t.Fatal(err)
		}
		nodes[id] = pki.FilesIn(nd)
	}
	return ca, nodes
}

func TestRequirePeer(t *testing.T) {
	caFiles, nodes := network(t, "MAD-1", "BCN-1", "OLD-1")
	_, foreign := network(t, "MAD-1")
	roots, err := pki.LoadCAPool(caFiles.CACert)
	if err != nil {
		t.Fatal(err)
	}
	g := NewGuard(roots, members{"MAD-1": true, "BCN-1": true}, nil)
	srv := httptest.NewUnstartedServer(g.RequirePeer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := PeerID(r.Context())
		_, _ = io.WriteString(w, id)
	})))
	tc, err := pki.NodeConfig(nodes["MAD-1"])
	if err != nil {
		t.Fatal(err)
	}
	tc.ClientAuth = tls.RequestClientCert
	srv.TLS = tc
	srv.StartTLS()
	t.Cleanup(srv.Close)

	tests := []struct {
		name   string
		client pki.Files // zero: no client certificate
		bearer bool
		want   int
		body   string
	}{
		{name: "member", client: nodes["BCN-1"], want: http.StatusOK, body: "BCN-1"},
		{name: "no certificate", want: http.StatusUnauthorized},
		{name: "user token", bearer: true, want: http.StatusUnauthorized},
		{name: "another network's CA", client: foreign["MAD-1"], want: http.StatusUnauthorized},
		{name: "not a current member", client: nodes["OLD-1"], want: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := pki.ClientConfig(caFiles.CACert)
			if err != nil {
				t.Fatal(err)
			}
			if tt.client.Cert != "" {
				pair, err := tls.LoadX509KeyPair(tt.client.Cert, tt.client.Key)
				if err != nil {
					t.Fatal(err)
				}
				cfg.Certificates = []tls.Certificate{pair}
			}
			tr := &http.Transport{TLSClientConfig: cfg}
			defer tr.CloseIdleConnections()
			req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
			if tt.bearer {
				req.Header.Set("Authorization", "Bearer secret")
			}
			resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, body, tt.want)
			}
			if tt.body != "" && string(body) != tt.body {
				t.Errorf("PeerID = %q, want %q", body, tt.body)
			}
			var eb struct{ Error struct{ Code string } }
			if tt.want != http.StatusOK && (json.Unmarshal(body, &eb) != nil || eb.Error.Code == "") {
				t.Errorf("refusal without the REST error body: %s", body)
			}
		})
	}
}

// TestPinned checks that a joiner's TLS configuration accepts only a
// server whose chain holds the pinned CA.
func TestPinned(t *testing.T) {
	caFiles, nodes := network(t, "MAD-1")
	fp, err := pki.FingerprintFile(caFiles.CACert)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := pki.NodeConfig(nodes["MAD-1"])
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.TLS = tc
	srv.StartTLS()
	t.Cleanup(srv.Close)
	tests := []struct {
		name string
		fp   string
		ok   bool
	}{
		{"pinned CA", fp, true},
		{"another fingerprint", fp[:62] + "00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &http.Transport{TLSClientConfig: pinned(tt.fp, "127.0.0.1")}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(srv.URL)
			if err == nil {
				resp.Body.Close()
			}
			if (err == nil) != tt.ok {
				t.Errorf("GET error = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// TestGuardAfterLeaving: a node that left refuses every peer but on the
// reads of its log, which members still pull its departure from; those
// still take a current member's certificate.
func TestGuardAfterLeaving(t *testing.T) {
	caFiles, nodes := network(t, "MAD-1", "BCN-1", "OLD-1")
	roots, err := pki.LoadCAPool(caFiles.CACert)
	if err != nil {
		t.Fatal(err)
	}
	g := NewGuard(roots, members{"MAD-1": true, "BCN-1": true}, func() bool { return false })
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	mux := http.NewServeMux()
	mux.Handle("/peer", g.RequirePeer(ok))
	mux.Handle("/sync", g.RequirePeerReading(ok))
	srv := httptest.NewUnstartedServer(mux)
	tc, err := pki.NodeConfig(nodes["MAD-1"])
	if err != nil {
		t.Fatal(err)
	}
	tc.ClientAuth = tls.RequestClientCert
	srv.TLS = tc
	srv.StartTLS()
	t.Cleanup(srv.Close)
	tests := []struct {
		name, path string
		client     pki.Files
		want       int
	}{
		{"a member's peer call", "/peer", nodes["BCN-1"], http.StatusForbidden},
		{"a member reading the log", "/sync", nodes["BCN-1"], http.StatusOK},
		{"a departed member reading the log", "/sync", nodes["OLD-1"], http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := pki.ClientConfig(caFiles.CACert)
			if err != nil {
				t.Fatal(err)
			}
			pair, err := tls.LoadX509KeyPair(tt.client.Cert, tt.client.Key)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Certificates = []tls.Certificate{pair}
			tr := &http.Transport{TLSClientConfig: cfg}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}
