package e2e

import (
	"crypto/ed25519"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// asMember is what a compromised member B holds: its certificate and key
// from its data folder's tls/, and its log-signing key.
type asMember struct {
	client  *http.Client
	key     ed25519.PrivateKey
	binding *stock.KeyBinding
}

// memberOf loads what member n holds to act as it.
func memberOf(t *testing.T, n *testnode.Node) asMember {
	t.Helper()
	key, err := trust.LoadOrCreateKey(filepath.Join(n.DataDir, trust.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	f := n.TLSFiles()
	id := localID(t, n)
	b, err := trust.Bind(id, key.Public().(ed25519.PublicKey), f.Cert, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	return asMember{client: n.PeerClient(t), key: key, binding: b}
}

// sign returns r signed with the member's own key and binding, whatever
// warehouse r is about.
func (m asMember) sign(r stock.MemberRecord) stock.MemberRecord {
	trust.SignRecord(&r, m.key, m.binding)
	return r
}

// beat posts a heartbeat body to n as the member, and returns the status.
func (m asMember) beat(t *testing.T, n *testnode.Node, body any) int {
	t.Helper()
	status, text := postJoin(t, m.client, n.URL+"/api/v1/peer/heartbeat", body)
	if status != http.StatusOK {
		t.Logf("heartbeat answered %d: %.200s", status, text)
	}
	return status
}

// TestMembershipHeartbeatLies: member B, with nothing but its own data
// folder, tells the CA holder A in heartbeats that C departed, that A's
// and C's addresses are B's, that it holds the CA, and that thousands of
// invented warehouses (and ids and URLs no member may have) joined, in
// today's record format and in the old member-list one. A believes none
// of it: C stays a current member at its address and takes transfers, no
// member is added, and A counts every refused record.
func TestMembershipHeartbeatLies(t *testing.T) {
	a := testnode.Start(t, "--id", "A-1")
	b := testnode.StartJoined(t, a, a.JoinToken(t, 600), "B-1")
	c := testnode.StartJoined(t, a, a.JoinToken(t, 600), "C-1")
	for _, n := range []*testnode.Node{a, b, c} {
		n.WaitPeers(t, 30*time.Second, func(ps []testnode.Peer) bool { return len(ps) == 3 })
	}
	before := a.Peers(t)
	cURL := peerOf(before, "C-1").URL
	bURL := peerOf(before, "B-1").URL
	asB := memberOf(t, b)
	now := time.Now().UTC()
	v := now.Add(time.Hour).UnixNano() // newer than anything A holds

	lies := []stock.MemberRecord{
		asB.sign(stock.MemberRecord{ID: "C-1", URL: cURL, DepartedAt: &now, Version: v}), // C departed, says B
		asB.sign(stock.MemberRecord{ID: "C-1", URL: bURL, Version: v}),                   // C's address is B's
		asB.sign(stock.MemberRecord{ID: "A-1", URL: bURL, Version: v}),                   // A's too
		asB.sign(stock.MemberRecord{ID: "B-1", URL: bURL, HoldsCA: true, Version: v}),    // B holds the CA
		asB.sign(stock.MemberRecord{ID: "../../etc", URL: bURL, Version: v}),             // a path for an id
		asB.sign(stock.MemberRecord{ID: "B-1", URL: "javascript:alert(1)", Version: v}),  // a script for a URL
		func() stock.MemberRecord { // a removal of C claimed for the CA, signed by B
			r := asB.sign(stock.MemberRecord{ID: "C-1", URL: cURL, DepartedAt: &now, Version: v})
			r.By, r.Key = stock.SignedByCA, nil
			return r
		}(),
	}
	if s := asB.beat(t, a, map[string]any{"records": lies}); s != http.StatusOK {
		t.Fatalf("B's heartbeat refused whole (%d): the lies must be refused one by one", s)
	}
	// The old format: a member list believed about anyone.
	asB.beat(t, a, map[string]any{"members": []map[string]any{
		{"id": "C-1", "departedAt": now}, {"id": "A-1", "url": bURL}, {"id": "OLD-1", "url": bURL}}})
	// 3,000 invented members: with B's binding, then without any.
	for i := 0; i < 3000; i += 500 {
		batch := make([]stock.MemberRecord, 500)
		for j := range batch {
			batch[j] = asB.sign(stock.MemberRecord{ID: fmt.Sprintf("INV-%d", i+j), URL: bURL, Version: v})
		}
		asB.beat(t, a, map[string]any{"records": batch})
	}
	unbound := make([]stock.MemberRecord, 3000)
	for i := range unbound {
		unbound[i] = stock.MemberRecord{ID: fmt.Sprintf("NOKEY-%d", i), URL: bURL, Version: v, By: stock.SignedBySelf, Sig: []byte("x")}
	}
	asB.beat(t, a, map[string]any{"records": unbound})

	// Heartbeats between the real nodes go on: A hears from B and C again
	// after the lies (twice: a heartbeat under way as they ended counts once).
	lied := time.Now()
	for range 2 {
		a.WaitPeers(t, 30*time.Second, func(ps []testnode.Peer) bool {
			for _, id := range []string{"B-1", "C-1"} {
				if p := peerOf(ps, id); p.LastSeen == nil || !p.LastSeen.After(lied) {
					return false
				}
			}
			return true
		})
		lied = time.Now()
	}
	after := a.Peers(t)
	if got := ids(after); !slices.Equal(got, []string{"A-1", "B-1", "C-1"}) {
		t.Fatalf("A's members after B's lies: %v", got)
	}
	if p := peerOf(after, "C-1"); p.Departed != nil || p.URL != cURL {
		t.Errorf("A sees C-1 as %+v, want current at %s", p, cURL)
	}
	if p := peerOf(after, "A-1"); p.URL != peerOf(before, "A-1").URL {
		t.Errorf("A's own URL became %s", p.URL)
	}
	if p := peerOf(after, "B-1"); p.HoldsCA {
		t.Error("A believes B-1 holds the CA")
	}
	for _, n := range []*testnode.Node{b, c} {
		if p := peerOf(n.Peers(t), "C-1"); p.Departed != nil || p.URL != cURL {
			t.Errorf("%s sees C-1 as %+v after relaying A's records", n.URL, p)
		}
	}
	rejected := membershipRejected(t, a)
	for reason, least := range map[string]int{"binding": 64 + 3, "signature": 1, "invalid": 3000 + 2, "limit": 3000 - 64*6} {
		if rejected[reason] < least {
			t.Errorf("stockmesh_membership_rejected_total{reason=%q} = %d, want at least %d (all: %v)", reason, rejected[reason], least, rejected)
		}
	}

	mustCreate(t, a, "LIE", 10)
	tr := mustSend(t, a, "LIE", "C-1", 3)
	deadline := time.Now().Add(60 * time.Second)
	for code := "?"; code != ""; {
		if _, code = receive(c, tr.ID); code != "" && time.Now().After(deadline) {
			t.Fatalf("C-1 cannot receive A's transfer after B's lies: %s", code)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestMembershipRemoveWarehouse: an admin of the CA holder removes a
// member gone for good; every member learns it from heartbeats and
// refuses the removed node's certificate. A non-admin, and an admin of
// another node, are refused.
func TestMembershipRemoveWarehouse(t *testing.T) {
	a := testnode.Start(t, "--id", "A-1")
	b := testnode.StartJoined(t, a, a.JoinToken(t, 600), "B-1")
	c := testnode.StartJoined(t, a, a.JoinToken(t, 600), "C-1")
	for _, n := range []*testnode.Node{a, b, c} {
		n.WaitPeers(t, 30*time.Second, func(ps []testnode.Peer) bool { return len(ps) == 3 })
	}
	const remove = `mutation($id: ID!) { removeWarehouse(id: $id) { id departed } }`
	if r := b.MustGraphQL(t, remove, map[string]any{"id": "C-1"}); r.Code() != "FORBIDDEN" {
		t.Errorf("B's admin removed C-1: %s %+v", r.Data, r.Errors)
	}
	op := as(a, issueTokens(t, a)["operator"])
	if r := op.MustGraphQL(t, remove, map[string]any{"id": "C-1"}); r.Code() != "FORBIDDEN" {
		t.Errorf("an operator removed C-1: %s %+v", r.Data, r.Errors)
	}
	if r := a.MustGraphQL(t, remove, map[string]any{"id": "A-1"}); r.Code() != "FORBIDDEN" {
		t.Errorf("A's admin removed A-1 itself: %s %+v", r.Data, r.Errors)
	}
	c.Kill() // gone for good
	var out struct {
		RemoveWarehouse struct {
			ID       string
			Departed bool
		}
	}
	decode(t, a.MustGraphQL(t, remove, map[string]any{"id": "C-1"}), &out)
	if !out.RemoveWarehouse.Departed {
		t.Fatalf("removeWarehouse answered %+v", out.RemoveWarehouse)
	}
	for _, n := range []*testnode.Node{a, b} {
		n.WaitPeers(t, 30*time.Second, func(ps []testnode.Peer) bool { return peerOf(ps, "C-1").Departed != nil })
	}
	if r := a.MustGraphQL(t, `{ auditLog(first: 20) { edges { node { action actor subject } } } }`, nil); !strings.Contains(string(r.Data), `"member.removed"`) {
		t.Errorf("A's audit log has no member.removed: %s", r.Data)
	}
	if status, _ := postJoin(t, c.PeerClient(t), b.URL+"/api/v1/peer/heartbeat", map[string]any{"records": []any{}}); status != http.StatusForbidden {
		t.Errorf("B answered the removed C-1's heartbeat with %d, want 403", status)
	}
	if r := a.MustGraphQL(t, remove, map[string]any{"id": "C-1"}); r.Code() != "FORBIDDEN" {
		t.Errorf("C-1 removed twice: %s %+v", r.Data, r.Errors)
	}
}

// peerOf returns the warehouse id of ps.
func peerOf(ps []testnode.Peer, id string) testnode.Peer {
	i := slices.IndexFunc(ps, func(p testnode.Peer) bool { return p.ID == id })
	if i < 0 {
		return testnode.Peer{}
	}
	return ps[i]
}

// membershipRejected reads stockmesh_membership_rejected_total by reason.
func membershipRejected(t *testing.T, n *testnode.Node) map[string]int {
	t.Helper()
	_, _, body := request(t, n, "GET", "/metrics", n.Token, nil, "")
	out := map[string]int{}
	re := regexp.MustCompile(`(?m)^stockmesh_membership_rejected_total\{reason="(\w+)"\} (\d+)`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out[m[1]], _ = strconv.Atoi(m[2])
	}
	return out
}
