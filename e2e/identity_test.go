package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/pki"
)

// TestPeerSignNeedsToken: member B, with nothing but its own certificate
// and key, asks the CA holder A to sign certificates for A's id, C's id
// and an invented one, without a token, with the token it joined with,
// with a token naming another warehouse and with fresh tokens that do not
// admit an existing member; and asks A for a rejoin token. All are
// refused: nothing signed, A's member list and certificates unchanged, and
// the token naming another warehouse still admits that warehouse after.
func TestPeerSignNeedsToken(t *testing.T) {
	a := testnode.Start(t, "--id", "A-1")
	usedByB := a.JoinToken(t, 600)
	b := testnode.StartJoined(t, a, usedByB, "B-1")
	testnode.StartJoined(t, a, a.JoinToken(t, 600), "C-1")
	forN9 := a.JoinTokenFor(t, 600, "N-9", false)
	fresh := a.JoinToken(t, 600)
	forC := a.JoinTokenFor(t, 600, "C-1", false)
	asB := b.PeerClient(t)
	issued := certificatesIssued(t, a)

	tokens := []struct{ name, token string }{
		{"no token", ""}, {"used token", usedByB}, {"token naming another warehouse", forN9},
		{"fresh token", fresh}, {"token naming C-1 without rejoin", forC},
	}
	for _, id := range []string{"A-1", "C-1", "INVENTED-1"} {
		for _, tok := range tokens {
			if id == "INVENTED-1" && (tok.token == fresh || tok.token == forC) {
				continue // a fresh token rightly admits a new id, and forC is for C-1 only
			}
			t.Run(id+"/"+tok.name, func(t *testing.T) {
				status, body := postJoin(t, asB, a.URL+"/api/v1/peer/sign", joinRequest(t, tok.token, id))
				want := http.StatusForbidden // the token does not admit id
				if tok.token == "" {
					want = http.StatusBadRequest // no token at all
				}
				if status != want || strings.Contains(body, "BEGIN CERTIFICATE") || !strings.Contains(body, `"code"`) {
					t.Errorf("B asking for %s's certificate: %d %s, want %d and nothing signed", id, status, body, want)
				}
			})
		}
	}
	r := b.MustGraphQL(t, `mutation { createJoinToken(warehouse: "C-1", rejoin: true) { token } }`, nil)
	if r.Code() != "FORBIDDEN" {
		t.Errorf("B's admin got a rejoin token for C-1 from the CA holder: %s %+v", r.Data, r.Errors)
	}
	status, body := postJoin(t, asB, a.URL+"/api/v1/peer/jointoken", map[string]any{"warehouse": "C-1", "rejoin": true})
	if status != http.StatusForbidden {
		t.Errorf("B asked A for a rejoin token for C-1: %d %s", status, body)
	}
	if got := ids(a.Peers(t)); !slices.Equal(got, []string{"A-1", "B-1", "C-1"}) {
		t.Errorf("A's members after refused signings: %v", got)
	}
	if got := certificatesIssued(t, a); got != issued {
		t.Errorf("A issued %d certificates during refused signings", got-issued)
	}

	// The token naming N-9 was refused for every other id, and so unused.
	if status, body := postJoin(t, a.Client(), a.URL+"/api/v1/join", joinRequest(t, forN9, "X-1")); status != http.StatusForbidden {
		t.Errorf("X-1 joined with a token for N-9: %d %s", status, body)
	}
	var answer member.JoinAnswer
	status, body = postJoin(t, a.Client(), a.URL+"/api/v1/join", joinRequest(t, forN9, "N-9"))
	if status != http.StatusOK || json.Unmarshal([]byte(body), &answer) != nil {
		t.Fatalf("N-9 with its token: %d %s", status, body)
	}
	certs, err := pki.ParseCerts([]byte(answer.Cert))
	if err != nil {
		t.Fatal(err)
	}
	if cn, names := certs[0].Subject.CommonName, certs[0].DNSNames; cn != "N-9" || !slices.Equal(names, []string{"n9.example", "localhost"}) ||
		len(certs[0].IPAddresses) != 0 {
		t.Errorf("N-9's certificate names %q, %v %v; want N-9 for its URL's host and the declared name only", cn, names, certs[0].IPAddresses)
	}
}

// TestJoinTokenNamesWarehouse: a token naming a warehouse admits only that
// id; an existing member's id needs a token naming it with rejoin (from
// the CA holder, here from stockmeshd join-token --warehouse --rejoin); a
// token B issues is A's, and A records that B relayed the join of the
// certificate it signs.
func TestJoinTokenNamesWarehouse(t *testing.T) {
	a := testnode.Start(t, "--id", "A-1")
	b := testnode.StartJoined(t, a, a.JoinToken(t, 600), "B-1")
	tests := []struct {
		name  string
		via   *testnode.Node
		token func() string
		id    string
		want  int
	}{
		{"member's id, token naming none", a, func() string { return a.JoinToken(t, 600) }, "B-1", http.StatusForbidden},
		{"member's id, token naming it", a, func() string { return a.JoinTokenFor(t, 600, "B-1", false) }, "B-1", http.StatusForbidden},
		{"another id than the named one", a, func() string { return a.JoinTokenFor(t, 600, "V-1", false) }, "W-1", http.StatusForbidden},
		{"the CA holder's own id, rejoin", a, func() string { return a.JoinTokenFor(t, 600, "A-1", true) }, "A-1", http.StatusForbidden},
		{"the named id", a, func() string { return a.JoinTokenFor(t, 600, "V-1", false) }, "V-1", http.StatusOK},
		{"token B issued, through B", b, func() string { return tokenOf(t, b, "D-1") }, "D-1", http.StatusOK},
		{"member's id, rejoin", b, func() string {
			return strings.TrimSpace(runStockmeshd(t, "join-token", "--data", a.DataDir, "--warehouse", "B-1", "--rejoin"))
		}, "B-1", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postJoin(t, tt.via.Client(), tt.via.URL+"/api/v1/join", joinRequest(t, tt.token(), tt.id))
			if status != tt.want {
				t.Errorf("join of %s: %d %s, want %d", tt.id, status, body, tt.want)
			}
		})
	}
	if out := testnode.RunFailing(t, 30*time.Second, "join-token", "--data", a.DataDir, "--rejoin"); !strings.Contains(out, "--rejoin needs --warehouse") {
		t.Errorf("join-token --rejoin without --warehouse: %s", out)
	}
	r := a.MustGraphQL(t, `{ auditLog(first: 50) { edges { node { actor action subject detail } } } }`, nil)
	for _, want := range []string{
		`"actor":"B-1","action":"jointoken.created"`,
		`"actor":"B-1","action":"certificate.issued","subject":"warehouse D-1","detail":"for 127.0.0.1, localhost; join relayed by B-1"`,
		`"actor":"V-1","action":"certificate.issued","subject":"warehouse V-1","detail":"for 127.0.0.1, localhost"`,
	} {
		if !strings.Contains(string(r.Data), want) {
			t.Errorf("A's audit log lacks %s:\n%s", want, r.Data)
		}
	}
}

// TestJoinFlood: a flood of join attempts from one address is answered
// with 429 past the address's budget (each refusal held about a second),
// and the node keeps serving.
func TestJoinFlood(t *testing.T) {
	a := testnode.Start(t, "--id", "A-1")
	body, _ := json.Marshal(map[string]string{"token": "SMJ1.garbage", "id": "X-1"})
	// HTTP/1.1, a connection per goroutine: the held refusals overlap.
	tr := &http.Transport{TLSClientConfig: a.TLSConfig(), MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var refused, other atomic.Int32
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for range 3 {
				resp, err := client.Post(a.URL+"/api/v1/join", "application/json", bytes.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch {
				case resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "" &&
					strings.Contains(string(b), `"code":"UNAVAILABLE"`):
					refused.Add(1)
				case resp.StatusCode == http.StatusBadRequest:
					other.Add(1)
				default:
					t.Errorf("join attempt: %d %s", resp.StatusCode, b)
				}
			}
		})
	}
	wg.Wait()
	if refused.Load() < 150 || other.Load() > member.JoinBurst+5 {
		t.Errorf("%d of 192 join attempts refused with 429, %d decoded; want all past the budget of %d refused",
			refused.Load(), other.Load(), member.JoinBurst)
	}
	mustCreate(t, a, "AFTER-FLOOD", 1)
}

// joinRequest returns a join request for id with token, advertising
// https://n9.example:8443 and declaring localhost, with a certificate
// request (a fresh key) that asks for more names than that.
func joinRequest(t *testing.T, token, id string) member.JoinRequest {
	t.Helper()
	csr, _, err := pki.NewCSR(id, []string{"a.example", "c.example"})
	if err != nil {
		t.Fatal(err)
	}
	url := "https://127.0.0.1:1"
	if id == "N-9" {
		url = "https://n9.example:8443"
	}
	return member.JoinRequest{Token: token, ID: id, Name: id, URL: url, SANs: []string{"localhost"}, CSR: string(csr)}
}

// postJoin posts in as JSON with c and returns the status and body.
func postJoin(t *testing.T, c *http.Client, url string, in any) (int, string) {
	t.Helper()
	body, _ := json.Marshal(in)
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// tokenOf issues a join token for id on n through its GraphQL API.
func tokenOf(t *testing.T, n *testnode.Node, id string) string {
	t.Helper()
	return n.JoinTokenFor(t, 600, id, false)
}

// certificatesIssued counts the certificate.issued entries in n's audit log.
func certificatesIssued(t *testing.T, n *testnode.Node) int {
	t.Helper()
	r := n.MustGraphQL(t, `{ auditLog(first: 200) { edges { node { action } } } }`, nil)
	return strings.Count(string(r.Data), `"certificate.issued"`)
}

// ids returns the ids of peers.
func ids(ps []testnode.Peer) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.ID)
	}
	slices.Sort(out)
	return out
}
