package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestLeaveWithTransfersInTransit: three real nodes, transfers on their way
// to and from BCN-1, and BCN-1 leaves. MAD-1 takes its transfer to BCN-1
// back alone (the departure, signed in BCN-1's log, cancels what BCN-1
// never received); VAL-1 still receives the one BCN-1 sent; BCN-1 refuses
// every change, saying when it left, /readyz says so, it follows no one,
// and sending to it says it left and when.
func TestLeaveWithTransfersInTransit(t *testing.T) {
	ns := startMesh(t, "BCN-1", "VAL-1")
	a, b, c := ns[0], ns[1], ns[2]
	mustCreate(t, a.Node, "PAL", 20)
	mustCreate(t, b.Node, "BOX", 10)
	toB := mustSend(t, a.Node, "PAL", "BCN-1", 5)
	fromB := mustSend(t, b.Node, "BOX", "VAL-1", 4)
	waitStatus(t, b, toB.ID, "IN_TRANSIT")
	waitStatus(t, c, fromB.ID, "IN_TRANSIT")

	runStockmeshd(t, "leave", "--data", b.DataDir)

	// The sender holds the departure: the transfer is cancelled by it, and
	// its own cancel takes the units back (the settler may have already).
	waitStatus(t, a, toB.ID, "CANCELLED")
	if got, code := cancel(a.Node, toB.ID); code != "" || got.Status != "CANCELLED" {
		t.Fatalf("MAD-1 cancelling its transfer to the departed BCN-1: %+v %s", got, code)
	}
	waitQuantity(t, a, "PAL", 20)
	if m := transferMoves(t, a.Node, "MAD-1", "PAL", toB.ID); m["TRANSFER_OUT"] != 1 || m["TRANSFER_IN"] != 1 {
		t.Fatalf("MAD-1's movements of %s: %v, want one TRANSFER_OUT and one TRANSFER_IN", toB.ID, m)
	}
	if l := levels(t, a.Node, "PAL"); l["BCN-1"].InTransit != 0 {
		t.Fatalf("levels on MAD-1 %+v: units still on their way to the departed BCN-1", l)
	}
	// The receiver of a departed sender still receives.
	if got, code := receive(c.Node, fromB.ID); code != "" || got.Status != "RECEIVED" {
		t.Fatalf("VAL-1 receiving from the departed BCN-1: %+v %s", got, code)
	}
	waitQuantity(t, c, "BOX", 4)

	checkLeftRefusesWrites(t, b.Node.URL, func(q string, vars map[string]any) (string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		r, err := b.GraphQL(ctx, q, vars)
		if err != nil || len(r.Errors) == 0 {
			return "", ""
		}
		return r.Code(), r.Errors[0].Message
	})
	if status, _, body := request(t, b.Node, "GET", "/readyz", "", nil, ""); status != http.StatusOK ||
		!strings.Contains(body, `"network":"left"`) || !strings.Contains(body, "left the network on") {
		t.Fatalf("/readyz on the departed BCN-1: %d %s", status, body)
	}
	if status, _, body := request(t, a.Node, "GET", "/readyz", "", nil, ""); status != http.StatusOK || strings.Contains(body, "left") {
		t.Fatalf("/readyz on MAD-1: %d %s", status, body)
	}
	var ws struct {
		Warehouses []struct {
			ID                      string
			Local, Online, Departed bool
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		decode(t, b.MustGraphQL(t, `{ warehouses { id local online departed } }`, nil), &ws)
		followed := ""
		for _, w := range ws.Warehouses {
			if w.Local != w.Departed || (!w.Local && w.Online) {
				followed = w.ID
			}
		}
		if followed == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("BCN-1, departed, still shows %s as followed: %+v", followed, ws.Warehouses)
		}
		time.Sleep(200 * time.Millisecond)
	}
	r := a.MustGraphQL(t, `mutation($in: TransferInput!) { transferStock(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"sku": "PAL", "to": "BCN-1", "quantity": 1}})
	if r.Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "BCN-1 left the network on") {
		t.Fatalf("sending to the departed BCN-1: %+v, want INVALID_INPUT saying it left and when", r.Errors)
	}
	converge(t, []string{"MAD-1", "BCN-1", "VAL-1"}, a.Node, c.Node)
	for _, n := range []*meshNode{a, c} {
		if u := units(t, n.Node, "PAL"); u != 20 {
			t.Errorf("%s sees %d units of PAL, want 20", n.ID, u)
		}
	}
}

// checkLeftRefusesWrites runs changes of every kind on the departed node
// at url through call (which returns the error's code and message) and
// fails unless each is FORBIDDEN, saying when the warehouse left.
func checkLeftRefusesWrites(t *testing.T, url string, call func(q string, vars map[string]any) (string, string)) {
	t.Helper()
	for _, tc := range []struct {
		name, q string
		vars    map[string]any
	}{
		{"sale", recordMovement, mv("BOX", "SALE", 1)},
		{"receipt", recordMovement, mv("BOX", "PURCHASE", 1)},
		{"count", `mutation { setStock(sku: "BOX", quantity: 9) { id } }`, nil},
		{"new product", createProduct, cp("NEW", "New", "1.00")},
		{"transfer", `mutation { transferStock(input: {sku: "BOX", to: "MAD-1", quantity: 1}) { id } }`, nil},
	} {
		code, msg := call(tc.q, tc.vars)
		if code != "FORBIDDEN" || !strings.Contains(msg, "this warehouse left the network on ") {
			t.Errorf("%s on the departed node %s: %s %q, want FORBIDDEN saying it left", tc.name, url, code, msg)
		}
	}
}
