package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// gqlRequest is a transfer request as the tests read it.
type gqlRequest struct {
	ID, Status, SKU string
	Quantity        int
	From, To        struct{ ID string }
	Reason          string
	Transfer        *struct{ ID string }
}

const requestFields = `id status sku quantity from { id } to { id } reason transfer { id }`

// requestCall runs a query or mutation whose field r is a transfer
// request on n, and returns it or the error code.
func requestCall(n *testnode.Node, q string, vars map[string]any) (gqlRequest, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := n.GraphQL(ctx, q, vars)
	if err != nil {
		return gqlRequest{}, "NET"
	}
	if len(res.Errors) > 0 {
		return gqlRequest{}, res.Code()
	}
	var out struct{ R gqlRequest }
	if err := json.Unmarshal(res.Data, &out); err != nil {
		return gqlRequest{}, "DECODE"
	}
	return out.R, ""
}

// requestOn returns request id as n lists it ("" status when n does not
// know it yet).
func requestOn(t *testing.T, n *testnode.Node, id string) gqlRequest {
	t.Helper()
	r := n.MustGraphQL(t, `{ transferRequests(first: 100) { edges { node { `+requestFields+` } } } }`, nil)
	var out struct {
		TransferRequests struct{ Edges []struct{ Node gqlRequest } }
	}
	decode(t, r, &out)
	for _, e := range out.TransferRequests.Edges {
		if e.Node.ID == id {
			return e.Node
		}
	}
	return gqlRequest{}
}

// waitRequest waits until n knows request id with status.
func waitRequest(t *testing.T, n *meshNode, id, status string) gqlRequest {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last gqlRequest
	for time.Now().Before(deadline) {
		if last = requestOn(t, n.Node, id); last.Status == status {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: request %s is %q, want %s within 60 s", n.ID, id, last.Status, status)
	return last
}

// TestTransferRequestAcceptedWhileRequesterCutOff: BCN-1 asks MAD-1 for
// stock; MAD-1 accepts while BCN-1 is cut off, which sends the transfer at
// once; healed, BCN-1 learns the acceptance and receives the transfer.
// A second request is declined with its reason, and a request of a
// warehouse that is not a member is refused.
func TestTransferRequestAcceptedWhileRequesterCutOff(t *testing.T) {
	ns := startMesh(t, "BCN-1")
	mad, bcn := ns[0], ns[1]
	mustCreate(t, mad.Node, "PAL", 30)
	ws, err := dialWS(t, bcn.Node, "graphql-transport-ws", bcn.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.c.Close()
	ws.subscribe("1", `subscription { transferRequestUpdated(warehouse: "MAD-1") { id status transfer { id } } }`)
	ask := `mutation($in: RequestTransferInput!) { r: requestTransfer(input: $in) { ` + requestFields + ` } }`
	req, code := requestCall(bcn.Node, ask, map[string]any{"in": map[string]any{"sku": "PAL", "from": "MAD-1", "quantity": 8, "idempotencyKey": "q-1"}})
	if code != "" || req.Status != "OPEN" || req.To.ID != "BCN-1" {
		t.Fatalf("requestTransfer: %+v %s", req, code)
	}
	waitRequest(t, mad, req.ID, "OPEN")
	bcn.cut()
	accept := `mutation($id: ID!, $q: Int) { r: acceptTransferRequest(id: $id, quantity: $q) { ` + requestFields + ` } }`
	got, code := requestCall(mad.Node, accept, map[string]any{"id": req.ID, "q": 6})
	if code != "" || got.Status != "ACCEPTED" || got.Transfer == nil {
		t.Fatalf("acceptTransferRequest: %+v %s", got, code)
	}
	again, _ := requestCall(mad.Node, accept, map[string]any{"id": req.ID})
	if again.Transfer == nil || again.Transfer.ID != got.Transfer.ID {
		t.Fatalf("accepted again: %+v, want the same transfer %s", again, got.Transfer.ID)
	}
	if q := quantity(t, mad.Node, "PAL"); q != 24 {
		t.Fatalf("MAD-1's PAL = %d, want 24: one transfer of 6", q)
	}
	bcn.heal()
	waitRequest(t, bcn, req.ID, "ACCEPTED")
	// BCN-1's subscription hears the acceptance applied from MAD-1's log
	// (and, when it started in time, the request made on BCN-1 itself).
	want := fmt.Sprint(map[string]any{"transferRequestUpdated": map[string]any{"id": req.ID, "status": "ACCEPTED",
		"transfer": map[string]any{"id": got.Transfer.ID}}})
	for d := ws.next(); fmt.Sprint(d) != want; d = ws.next() {
		if u, _ := d["transferRequestUpdated"].(map[string]any); u == nil || u["status"] != "OPEN" {
			t.Fatalf("transferRequestUpdated on BCN-1: %v, want OPEN then %s", d, want)
		}
	}
	waitStatus(t, bcn, got.Transfer.ID, "IN_TRANSIT")
	if tr, code := receive(bcn.Node, got.Transfer.ID); code != "" || tr.Quantity != 6 || tr.Reference != req.ID {
		t.Fatalf("receive: %+v %s", tr, code)
	}

	second, _ := requestCall(bcn.Node, ask, map[string]any{"in": map[string]any{"sku": "PAL", "from": "MAD-1", "quantity": 3}})
	waitRequest(t, mad, second.ID, "OPEN")
	decline := `mutation($id: ID!) { r: declineTransferRequest(id: $id, reason: "stock for the fair") { ` + requestFields + ` } }`
	if got, code := requestCall(mad.Node, decline, map[string]any{"id": second.ID}); code != "" || got.Status != "DECLINED" {
		t.Fatalf("declineTransferRequest: %+v %s", got, code)
	}
	if got := waitRequest(t, bcn, second.ID, "DECLINED"); got.Reason != "stock for the fair" {
		t.Errorf("declined on BCN-1 with reason %q", got.Reason)
	}
	if _, code := requestCall(bcn.Node, ask, map[string]any{"in": map[string]any{"sku": "PAL", "from": "NOPE-1", "quantity": 1}}); code != "NOT_FOUND" {
		t.Errorf("request of a non-member: %s, want NOT_FOUND", code)
	}
}

// TestTransferRequestToWarehouseThatLeaves: MAD-1 asks BCN-1 for stock;
// BCN-1 leaves the network; the departed BCN-1 cannot accept (it refuses
// every change), and once MAD-1 knows of the departure a new request to
// BCN-1 is refused saying it left, and the open request is CANCELLED, on
// MAD-1 and to its transferRequestUpdated subscribers.
func TestTransferRequestToWarehouseThatLeaves(t *testing.T) {
	ns := startMesh(t, "BCN-1")
	mad, bcn := ns[0], ns[1]
	mustCreate(t, bcn.Node, "PAL", 10)
	ask := `mutation($in: RequestTransferInput!) { r: requestTransfer(input: $in) { ` + requestFields + ` } }`
	vars := map[string]any{"in": map[string]any{"sku": "PAL", "from": "BCN-1", "quantity": 2}}
	req, code := requestCall(mad.Node, ask, vars)
	if code != "" {
		t.Fatalf("requestTransfer: %s", code)
	}
	waitRequest(t, bcn, req.ID, "OPEN")
	ws, err := dialWS(t, mad.Node, "graphql-transport-ws", mad.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.c.Close()
	ws.subscribe("1", `subscription { transferRequestUpdated(warehouse: "BCN-1") { id status } }`)
	waitMetric(t, mad.Node, "stockmesh_subscriptions_open", 1)
	runStockmeshd(t, "leave", "--data", bcn.DataDir)
	accept := `mutation($id: ID!) { r: acceptTransferRequest(id: $id) { ` + requestFields + ` } }`
	if _, code := requestCall(bcn.Node, accept, map[string]any{"id": req.ID}); code != "FORBIDDEN" && code != "INVALID_INPUT" {
		t.Errorf("the departed BCN-1 accepting: %q, want a refusal", code)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		r, err := mad.GraphQL(ctx, ask, vars)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Errors) > 0 && r.Code() == "INVALID_INPUT" && strings.Contains(r.Errors[0].Message, "warehouse BCN-1 left the network on") {
			break
		}
		if len(r.Errors) > 0 || time.Now().After(deadline) {
			t.Fatalf("a request to the departed BCN-1: %s, want INVALID_INPUT saying it left", r.Data)
		}
		time.Sleep(200 * time.Millisecond) // MAD-1 has not learnt of the departure yet: the request was made
	}
	if got := requestOn(t, mad.Node, req.ID); got.Status != "CANCELLED" {
		t.Errorf("the first request on MAD-1: %+v, want CANCELLED by BCN-1's departure", got)
	}
	want := fmt.Sprint(map[string]any{"transferRequestUpdated": map[string]any{"id": req.ID, "status": "CANCELLED"}})
	for d := ws.next(); fmt.Sprint(d) != want; d = ws.next() {
	}
}
