package member

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/pki"
)

func TestVerifyServer(t *testing.T) {
	leaf := func(cn string) *x509.Certificate { return &x509.Certificate{Subject: pkix.Name{CommonName: cn}} }
	verified := func(cn string) *tls.ConnectionState {
		c := leaf(cn)
		return &tls.ConnectionState{PeerCertificates: []*x509.Certificate{c}, VerifiedChains: [][]*x509.Certificate{{c}}}
	}
	tests := []struct {
		name string
		cs   *tls.ConnectionState
		ok   bool
	}{
		{"the member", verified("BCN-1"), true},
		{"another member", verified("VAL-1"), false},
		{"a prefix of the id", verified("BCN"), false},
		{"no connection state", nil, false},
		{"no certificate", &tls.ConnectionState{}, false},
		{"not verified", &tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf("BCN-1")}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyServer(tt.cs, "BCN-1")
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrWrongServer)) {
				t.Errorf("VerifyServer = %v, want ok=%v or ErrWrongServer", err, tt.ok)
			}
		})
	}
}

// TestPostJSONChecksServer checks that a node's call to a member reaches
// only that member: a server whose certificate names another warehouse
// gets no byte of the body, whichever protocol and connection it is.
func TestPostJSONChecksServer(t *testing.T) {
	_, nodes := network(t, "MAD-1", "BCN-1")
	var received atomic.Int64
	tc, err := pki.NodeConfig(nodes["BCN-1"])
	if err != nil {
		t.Fatal(err)
	}
	tc.ClientAuth = tls.RequestClientCert
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		received.Add(n)
		_, _ = io.WriteString(w, `{}`)
	}))
	srv.TLS = tc
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, err := NewClient(nodes["MAD-1"], nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out struct{}
	for range 2 { // a new connection, then a pooled one
		if err := postJSON(ctx, c, srv.URL, "/x", "BCN-1", map[string]string{"secret": "s"}, &out); err != nil {
			t.Fatalf("calling BCN-1 at its address: %v", err)
		}
	}
	got := received.Swap(0)
	if got == 0 {
		t.Fatal("the right member received nothing")
	}
	for range 2 {
		err := postJSON(ctx, c, srv.URL, "/x", "VAL-1", map[string]string{"secret": "s"}, &out)
		if !errors.Is(err, ErrWrongServer) {
			t.Errorf("calling VAL-1 at BCN-1's address: %v, want ErrWrongServer", err)
		}
	}
	if n := received.Load(); n != 0 {
		t.Errorf("BCN-1 received %d bytes meant for VAL-1", n)
	}
}

// TestLimitJoins checks that join attempts beyond an address's budget are
// refused with 429 and the REST error body, before the body is read.
func TestLimitJoins(t *testing.T) {
	n := &Network{joins: auth.NewLimiterOf(JoinBurst, time.Hour, 10*time.Millisecond)} // no refill, short holds
	var reached atomic.Int32
	h := n.limitJoins(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	codes := map[int]int{}
	for range JoinBurst + 5 {
		w := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/api/v1/join", strings.NewReader("{}"))
		r.RemoteAddr = "192.0.2.7:4000"
		h.ServeHTTP(w, r)
		codes[w.Code]++
		if w.Code == http.StatusTooManyRequests && (w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), `"code":"UNAVAILABLE"`)) {
			t.Errorf("refusal %s without Retry-After or the REST error body", w.Body)
		}
	}
	if codes[http.StatusTooManyRequests] != 5 || reached.Load() != JoinBurst {
		t.Errorf("statuses %v, %d reached the handler; want %d through and 5 refused", codes, reached.Load(), JoinBurst)
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/api/v1/join", strings.NewReader("{}"))
	r.RemoteAddr = "192.0.2.8:4000"
	if h.ServeHTTP(w, r); reached.Load() != JoinBurst+1 {
		t.Errorf("another address was refused too: %d", w.Code)
	}
}
