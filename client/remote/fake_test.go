package remote

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeNode is a GraphQL endpoint for tests: answer decides each HTTP
// reply; ws, when set, serves the websocket.
type fakeNode struct {
	srv    *httptest.Server
	caFile string

	mu       sync.Mutex
	requests []fakeRequest
	answer   func(n int, r fakeRequest, w http.ResponseWriter)
	ws       func(conn *websocket.Conn)
}

// fakeRequest is what the fake node saw.
type fakeRequest struct {
	Auth      string
	Key       string         // the Idempotency-Key header
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
}

// newFakeNode starts a TLS server and writes its CA file into a temp dir.
func newFakeNode(t *testing.T) *fakeNode {
	t.Helper()
	f := &fakeNode{}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.EnableHTTP2 = true // as the node does; websockets must still use HTTP/1.1
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	f.caFile = writeCA(t, f.srv)
	return f
}

// writeCA writes srv's certificate as a PEM CA file.
func writeCA(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.crt")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeSelfSignedCA writes a fresh CA certificate that signed nothing.
func writeSelfSignedCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "other-ca.crt")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// serve dispatches websocket upgrades and GraphQL POSTs.
func (f *fakeNode) serve(w http.ResponseWriter, r *http.Request) {
	if websocket.IsWebSocketUpgrade(r) {
		up := websocket.Upgrader{Subprotocols: []string{Subprotocol}}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		f.ws(conn)
		return
	}
	var req fakeRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	req.Auth, req.Key = r.Header.Get("Authorization"), r.Header.Get("Idempotency-Key")
	f.mu.Lock()
	f.requests = append(f.requests, req)
	n := len(f.requests)
	answer := f.answer
	f.mu.Unlock()
	answer(n, req, w)
}

// seen returns the requests received so far.
func (f *fakeNode) seen() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

// client returns a Client for the fake node with fast retries.
func (f *fakeNode) client(t *testing.T) *Client {
	t.Helper()
	c, err := NewClient(Config{
		ServerURL: f.srv.URL, Token: "secret", CAFile: f.caFile,
		Retry:          Retry{Attempts: 3, Base: 10 * time.Millisecond, Max: 20 * time.Millisecond},
		AttemptTimeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// reply writes a JSON body.
func reply(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// drop abandons the request without an answer, as a node that dies would.
func drop(http.ResponseWriter) {
	panic(http.ErrAbortHandler)
}
