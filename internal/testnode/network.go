package testnode

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/pki"
)

// JoinArgs returns the flags that make a new node with warehouse id join
// the network through via with token, advertising https://addr.
func JoinArgs(via *Node, token, id, addr string) []string {
	return []string{"--id", id, "--join", via.URL, "--join-token", token, "--advertise", "https://" + addr}
}

// StartJoined starts a new node with warehouse id that joins the network
// through via with token, on a free loopback port; extra flags are
// appended. Restart keeps the join flags, as a service manager would.
func StartJoined(t testing.TB, via *Node, token, id string, extra ...string) *Node {
	t.Helper()
	addr := FreeAddr(t)
	return StartIn(t, t.TempDir(), addr, append(JoinArgs(via, token, id, addr), extra...)...)
}

// RunFailing runs stockmeshd with args, expecting it to exit with an error
// within timeout, and returns its combined output; the test fails when it
// keeps running or exits with code 0.
func RunFailing(t testing.TB, timeout time.Duration, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, Binary(t), args...).CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("stockmeshd %v still ran after %v:\n%s", args, timeout, out)
	}
	if err == nil {
		t.Fatalf("stockmeshd %v succeeded, want a failure:\n%s", args, out)
	}
	return string(out)
}

// JoinToken issues a join token on n valid for expiresIn seconds, through
// the GraphQL API as n's admin: it admits one warehouse id that has never
// been a member.
func (n *Node) JoinToken(t testing.TB, expiresIn int) string {
	t.Helper()
	return n.JoinTokenFor(t, expiresIn, "", false)
}

// JoinTokenFor issues a join token on n valid for expiresIn seconds that
// admits only warehouse ("" for one that has never been a member) and,
// with rejoin, admits it though it is a member (a wiped node's recovery;
// only the node holding the CA issues such tokens).
func (n *Node) JoinTokenFor(t testing.TB, expiresIn int, warehouse string, rejoin bool) string {
	t.Helper()
	vars := map[string]any{"s": expiresIn, "w": nil, "r": rejoin}
	if warehouse != "" {
		vars["w"] = warehouse
	}
	r := n.MustGraphQL(t, `mutation($s: Int, $w: ID, $r: Boolean) {
		createJoinToken(expiresIn: $s, warehouse: $w, rejoin: $r) { token expiresAt } }`, vars)
	var data struct{ CreateJoinToken struct{ Token string } }
	if len(r.Errors) > 0 || json.Unmarshal(r.Data, &data) != nil || data.CreateJoinToken.Token == "" {
		t.Fatalf("createJoinToken: %+v", r)
	}
	return data.CreateJoinToken.Token
}

// TLSFiles returns the paths of n's certificates in DATA/tls.
func (n *Node) TLSFiles() pki.Files {
	return pki.FilesIn(filepath.Join(n.DataDir, "tls"))
}

// PeerClient returns an HTTP client that presents n's node certificate,
// as n does when it calls another member, and trusts n's CA.
func (n *Node) PeerClient(t testing.TB) *http.Client {
	t.Helper()
	cfg, err := pki.PeerConfig(n.TLSFiles())
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{TLSClientConfig: cfg}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// Peer is one warehouse of GET /api/v1/peers.
type Peer struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	URL      string     `json:"url"`
	Local    bool       `json:"local"`
	HoldsCA  bool       `json:"holdsCA"`
	Online   bool       `json:"online"`
	LastSeen *time.Time `json:"lastSeen"`
	Departed *time.Time `json:"departedAt"`
}

// Peers returns n's GET /api/v1/peers, read with the admin token.
func (n *Node) Peers(t testing.TB) []Peer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.URL+"/api/v1/peers", nil)
	req.Header.Set("Authorization", "Bearer "+n.Token)
	resp, err := n.client.Do(req)
	if err != nil {
		t.Fatalf("GET /api/v1/peers: %v", err)
	}
	defer resp.Body.Close()
	var body struct{ Warehouses []Peer }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&body) != nil {
		t.Fatalf("GET /api/v1/peers: %s", resp.Status)
	}
	return body.Warehouses
}

// WaitPeers waits up to timeout until ok holds for n's peers, and fails the
// test with the last list otherwise.
func (n *Node) WaitPeers(t testing.TB, timeout time.Duration, ok func([]Peer) bool) []Peer {
	t.Helper()
	var ps []Peer
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ps = n.Peers(t); ok(ps) {
			return ps
		}
	}
	t.Fatalf("%s: peers did not reach the expected state within %v: %+v", n.URL, timeout, ps)
	return nil
}
