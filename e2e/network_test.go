package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
	"github.com/stockmesh/stockmesh/server/peer"
	"github.com/stockmesh/stockmesh/server/pki"
)

// peerWait bounds how long members take to learn of each other: a few
// heartbeats.
const peerWait = 20 * time.Second

// TestJoinThroughMember builds a network of four: A starts it, B joins A,
// C joins through B with a token A issued (B forwards the join to A), and
// D joins through B with a token B issued (B has the CA holder sign D's
// certificate). B is restarted with its original join flags in between,
// and issues D's token while stopped. Every node then lists every other
// as online, and A's ca.crt verifies all of them; once D stops, the others
// show it offline.
func TestJoinThroughMember(t *testing.T) {
	a := testnode.Start(t, "--id", "A-1")
	b := testnode.StartJoined(t, a, a.JoinToken(t, 600), "B-1")
	if _, err := os.Stat(filepath.Join(b.DataDir, "tls", pki.CAKeyFile)); !os.IsNotExist(err) {
		t.Errorf("a joined node holds a CA key (stat: %v)", err)
	}

	tokA := strings.TrimSpace(runStockmeshd(t, "join-token", "--data", a.DataDir)) // through the running A
	c := testnode.StartJoined(t, b, tokA, "C-1")

	b.Stop()
	tokB := strings.TrimSpace(runStockmeshd(t, "join-token", "--data", b.DataDir, "--expires-in", "600")) // B stopped: offline
	b.Restart(t)                                                                                          // the same --join and the used token: it just starts
	d := testnode.StartJoined(t, b, tokB, "D-1")

	ids := []string{"A-1", "B-1", "C-1", "D-1"}
	for _, n := range []*testnode.Node{a, b, c, d} {
		ps := n.WaitPeers(t, peerWait, allOnline(ids))
		for _, p := range ps {
			if p.HoldsCA != (p.ID == "A-1") {
				t.Errorf("%s says %s holdsCA=%v", n.URL, p.ID, p.HoldsCA)
			}
		}
	}
	for _, n := range []*testnode.Node{a, b, c, d} {
		resp, err := a.Client().Get(n.URL + "/healthz") // a trusts only A's ca.crt
		if err != nil {
			t.Fatalf("A's ca.crt does not verify %s: %v", n.URL, err)
		}
		resp.Body.Close()
		id, err := pki.Identity(n.TLSFiles())
		if err != nil || !slices.Contains(ids, id) {
			t.Errorf("%s's certificate names %q (%v), want its warehouse id", n.URL, id, err)
		}
	}

	d.Stop() // missed heartbeats show it offline, still a member, last seen kept
	c.WaitPeers(t, peerWait, func(ps []testnode.Peer) bool {
		i := slices.IndexFunc(ps, func(p testnode.Peer) bool { return p.ID == "D-1" })
		return i >= 0 && !ps[i].Online && ps[i].LastSeen != nil && ps[i].Departed == nil
	})
}

// allOnline reports whether peers are exactly ids, all online.
func allOnline(ids []string) func([]testnode.Peer) bool {
	return func(ps []testnode.Peer) bool {
		if len(ps) != len(ids) {
			return false
		}
		for _, p := range ps {
			if !p.Online || !slices.Contains(ids, p.ID) {
				return false
			}
		}
		return true
	}
}

// TestJoinRefused checks that a join with a used or an expired token fails
// with a clear error, that a joiner refuses a server whose CA is not the
// one its token pins before it sends a request, that a data folder which
// started a network of its own cannot join another, and that a token's
// lifetime is bounded.
func TestJoinRefused(t *testing.T) {
	a := testnode.Start(t, "--id", "A-1")
	used := a.JoinToken(t, 600)
	testnode.StartJoined(t, a, used, "B-1")
	expired := a.JoinToken(t, 1)

	var requests atomic.Int32
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { requests.Add(1) }))
	other.Config.ErrorLog = log.New(io.Discard, "", 0) // the joiner's refused handshakes
	other.StartTLS()
	t.Cleanup(other.Close)
	time.Sleep(1100 * time.Millisecond) // expired is past its second

	tests := []struct {
		name, via, token, want string
	}{
		{"used token", a.URL, used, "already used"},
		{"expired token", a.URL, expired, "expired"},
		{"wrong CA", other.URL, a.JoinToken(t, 600), "does not match the join token's fingerprint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := testnode.FreeAddr(t)
			args := []string{"--data", t.TempDir(), "--listen", addr, "--id", "X-1", "--join", tt.via,
				"--join-token", tt.token, "--advertise", "https://" + addr}
			out := testnode.RunFailing(t, 60*time.Second, args...)
			if !strings.Contains(out, tt.want) {
				t.Errorf("output does not say %q:\n%s", tt.want, out)
			}
		})
	}
	t.Run("data folder with its own network", func(t *testing.T) {
		x := testnode.Start(t, "--id", "X-1")
		x.Stop()
		addr := testnode.FreeAddr(t)
		out := testnode.RunFailing(t, 60*time.Second, append([]string{"--data", x.DataDir, "--listen", addr},
			testnode.JoinArgs(a, a.JoinToken(t, 600), "X-1", addr)...)...)
		if !strings.Contains(out, "started a network of its own") {
			t.Errorf("output does not say the folder started its own network:\n%s", out)
		}
	})
	t.Run("token lifetime out of bounds", func(t *testing.T) {
		r := a.MustGraphQL(t, `mutation { createJoinToken(expiresIn: 999999999) { token } }`, nil)
		if r.Code() != "INVALID_INPUT" {
			t.Errorf("code = %q, want INVALID_INPUT", r.Code())
		}
	})
	if n := requests.Load(); n != 0 {
		t.Errorf("the joiner sent %d requests to a server with another CA", n)
	}
	ps := a.Peers(t)
	if len(ps) != 2 {
		t.Errorf("A lists %d warehouses after refused joins, want 2: %+v", len(ps), ps)
	}
}

// TestPeerEndpoints checks who may call a node-to-node endpoint: a member's
// certificate may; a user token, a self-signed certificate, a certificate
// of another network's CA and, once it left, the departed member's own
// certificate may not. It also checks that leaving marks the node departed
// on the other members.
func TestPeerEndpoints(t *testing.T) {
	a := testnode.Start(t, "--id", "A-1")
	b := testnode.StartJoined(t, a, a.JoinToken(t, 600), "B-1")
	x := testnode.Start(t, "--id", "X-1") // another network
	tests := []struct {
		name   string
		client *http.Client
		token  string
		want   int
	}{
		{"member", b.PeerClient(t), "", http.StatusOK},
		{"user token", a.Client(), a.Token, http.StatusUnauthorized},
		{"viewer token", a.Client(), viewerToken(t, a), http.StatusUnauthorized},
		{"self-signed certificate", selfSignedClient(t, a), "", http.StatusUnauthorized},
		{"another network's CA", withRoots(t, x.PeerClient(t), a), "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := heartbeat(t, tt.client, a, tt.token); got != tt.want {
				t.Errorf("heartbeat: status %d, want %d", got, tt.want)
			}
			if got := syncHeads(t, tt.client, a, tt.token); got != tt.want {
				t.Errorf("sync heads: status %d, want %d", got, tt.want)
			}
			if got := syncChanges(t, tt.client, a, tt.token); got != tt.want {
				t.Errorf("sync changes: status %d, want %d", got, tt.want)
			}
		})
	}

	runStockmeshd(t, "leave", "--data", b.DataDir) // through the running B
	a.WaitPeers(t, peerWait, func(ps []testnode.Peer) bool {
		i := slices.IndexFunc(ps, func(p testnode.Peer) bool { return p.ID == "B-1" })
		return i >= 0 && ps[i].Departed != nil && !ps[i].Online
	})
	if got := heartbeat(t, b.PeerClient(t), a, ""); got != http.StatusForbidden {
		t.Errorf("departed member: status %d, want 403", got)
	}
	if got := syncHeads(t, b.PeerClient(t), a, ""); got != http.StatusForbidden {
		t.Errorf("departed member pulling heads: status %d, want 403", got)
	}
	if got := syncChanges(t, b.PeerClient(t), a, ""); got != http.StatusForbidden {
		t.Errorf("departed member pulling changes: status %d, want 403", got)
	}
	r := a.MustGraphQL(t, `{ warehouses { id departed online url } }`, nil)
	if !strings.Contains(string(r.Data), `"id":"B-1","departed":true,"online":false`) {
		t.Errorf("warehouses after B left: %s %+v", r.Data, r.Errors)
	}
	// Both ends keep the network's changes in their audit logs: B that its
	// admin took it out, A that B joined with its token and left.
	for _, c := range []struct {
		name string
		n    *testnode.Node
		want []string
	}{
		{"B", b, []string{`"actor":"admin","action":"member.left","subject":"warehouse B-1"`}},
		{"A", a, []string{`"actor":"B-1","action":"member.left","subject":"warehouse B-1"`,
			`"actor":"B-1","action":"member.joined","subject":"warehouse B-1"`}},
	} {
		r := c.n.MustGraphQL(t, `{ auditLog(first: 20) { edges { node { actor action subject } } } }`, nil)
		for _, w := range c.want {
			if !strings.Contains(string(r.Data), w) {
				t.Errorf("%s's audit log %s lacks %s", c.name, r.Data, w)
			}
		}
	}
}

// heartbeat posts an empty heartbeat to n with c (and token, when set) and
// returns the status; a refusal must carry the REST error body.
func heartbeat(t *testing.T, c *http.Client, n *testnode.Node, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, n.URL+"/api/v1/peer/heartbeat", strings.NewReader(`{"members":[]}`))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST heartbeat: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var body struct{ Error struct{ Code string } }
		if json.NewDecoder(resp.Body).Decode(&body) != nil || body.Error.Code == "" {
			t.Errorf("refusal %s without the REST error body", resp.Status)
		}
	}
	return resp.StatusCode
}

// syncHeads asks n for the heads of its logs, as a member pulling changes
// does, with c and token, and returns the status.
func syncHeads(t *testing.T, c *http.Client, n *testnode.Node, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.URL+"/api/v1/sync/heads", nil)
	req.Header.Set(peer.ProtocolHeader, strconv.Itoa(peer.Protocol))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET sync heads: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// syncChanges asks n for its own log's changes, as a member pulling them
// does, with c and token, and returns the status.
func syncChanges(t *testing.T, c *http.Client, n *testnode.Node, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.URL+"/api/v1/sync/changes?origin=A-1&after=0&limit=10", nil)
	req.Header.Set(peer.ProtocolHeader, strconv.Itoa(peer.Protocol))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET sync changes: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// viewerToken issues a viewer token on n.
func viewerToken(t *testing.T, n *testnode.Node) string {
	t.Helper()
	var out struct{ CreateToken struct{ Token string } }
	decode(t, n.MustGraphQL(t, `mutation { createToken(name: "peer-test", role: VIEWER) { token } }`, nil), &out)
	return out.CreateToken.Token
}

// selfSignedClient returns a client that trusts n's CA and presents a
// self-signed certificate naming A-1, n's own id.
func selfSignedClient(t *testing.T, n *testnode.Node) *http.Client {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "A-1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := n.TLSConfig()
	cfg.Certificates = []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}
	tr := &http.Transport{TLSClientConfig: cfg}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// withRoots makes c trust n's CA, keeping its client certificate.
func withRoots(t *testing.T, c *http.Client, n *testnode.Node) *http.Client {
	t.Helper()
	tr := c.Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.RootCAs = n.TLSConfig().RootCAs
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// runStockmeshd runs a stockmeshd subcommand to completion and returns its
// standard output; it fails the test when the command fails.
func runStockmeshd(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, testnode.Binary(t), args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("stockmeshd %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}
