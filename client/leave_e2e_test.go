package main

import (
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestLeftNodeE2E: on a node that left the network, the console says so
// where it shows the network, in English and Spanish, shows the others as
// no longer followed, and a change is refused saying when it left.
func TestLeftNodeE2E(t *testing.T) {
	a := testnode.Start(t, "--id", "MAD-1")
	b := testnode.StartJoined(t, a, a.JoinToken(t, 600), "BCN-1")
	for _, n := range []*testnode.Node{a, b} {
		n.WaitPeers(t, e2eDeadline, func(ps []testnode.Peer) bool { return len(ps) == 2 })
	}
	if r := runClient(t, b, "product", "add", "--sku", "PAL", "--name", "Pallet", "--price", "12.50", "--quantity", "20"); r.code != 0 {
		t.Fatalf("product add: %d %s", r.code, r.stderr)
	}
	if r := runClient(t, b, "warehouses"); r.code != 0 || strings.Contains(r.stdout, "left the network") {
		t.Fatalf("warehouses before leaving: %d\n%s", r.code, r.stdout)
	}
	b.MustGraphQL(t, `mutation { leaveNetwork { id departed } }`, nil)

	for _, tc := range []struct{ lang, says, local, other string }{
		{"en", "This node left the network", "this node, left the network", "not followed"},
		{"es", "Este nodo salió de la red", "este nodo, salió de la red", "sin seguimiento"},
	} {
		r := runClient(t, b, "--lang", tc.lang, "warehouses")
		if r.code != 0 || !strings.Contains(r.stdout, tc.says) || !strings.Contains(r.stdout, tc.local) || !strings.Contains(r.stdout, tc.other) {
			t.Errorf("warehouses in %s on the departed node: %d\n%s%s", tc.lang, r.code, r.stdout, r.stderr)
		}
	}
	r := runClient(t, b, "move", "sale", "PAL", "1")
	if r.code != 1 || !strings.Contains(r.stderr, "Not allowed: this warehouse left the network on ") {
		t.Errorf("a sale on the departed node: exit %d\n%s", r.code, r.stderr)
	}
	if r := runClient(t, b, "product", "get", "PAL"); r.code != 0 || !strings.Contains(r.stdout, "Pallet") {
		t.Errorf("a read on the departed node: exit %d\n%s", r.code, r.stderr)
	}
}
