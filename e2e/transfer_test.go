package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/faultproxy"
	"github.com/stockmesh/stockmesh/internal/testnode"
)

// meshNode is a node of a test network with the proxies that cut it off
// both ways (nil for the first node, which is not behind any).
type meshNode struct {
	*testnode.Node
	ID      string
	in, out *faultproxy.Proxy
}

// cut cuts the node off from the network both ways.
func (m *meshNode) cut() { m.in.Cut(); m.out.Cut() }

// heal restores the node's links.
func (m *meshNode) heal() { m.in.Heal(); m.out.Heal() }

// settledSince waits until n's transfer Settler has taken the steps owed
// in a pass begun after the call (two more passes ended): a step it
// would take wrongly on what n knows now has been taken by then.
func settledSince(t *testing.T, n *testnode.Node) {
	t.Helper()
	const passes = "stockmesh_transfer_settle_passes_total"
	since := metric(t, n, passes)
	waitUntil(t, "pass of the transfer Settler", func() bool { return metric(t, n, passes) >= since+2 })
}

// startMesh starts a network of MAD-1 and, behind proxies that can cut
// them off, the other ids given.
func startMesh(t *testing.T, ids ...string) []*meshNode {
	t.Helper()
	a := testnode.Start(t, "--id", "MAD-1", "--name", "Madrid")
	nodes := []*meshNode{{Node: a, ID: "MAD-1"}}
	for _, id := range ids {
		listen := testnode.FreeAddr(t)
		in, err := faultproxy.Start(listen)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { in.Close() })
		out, err := faultproxy.StartConnect()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { out.Close() })
		args := append(testnode.JoinArgs(a, a.JoinToken(t, 600), id, in.Addr()), "--peer-proxy", out.URL(), "--name", id+" warehouse")
		nodes = append(nodes, &meshNode{Node: testnode.StartIn(t, t.TempDir(), listen, args...), ID: id, in: in, out: out})
	}
	// Every node must know every other as a member before it sends to it.
	all := append([]string{"MAD-1"}, ids...)
	for _, n := range nodes {
		n.WaitPeers(t, 60*time.Second, allOnline(all))
	}
	return nodes
}

// gqlTransfer is a transfer as the tests read it.
type gqlTransfer struct {
	ID          string
	Status      string
	SKU         string
	Quantity    int
	From, To    struct{ ID, Name string }
	Reference   string
	Note        string
	CreatedAt   time.Time
	ReceivedAt  *time.Time
	CancelledAt *time.Time
}

const transferFields = `id status sku quantity from { id name } to { id name } reference note createdAt receivedAt cancelledAt`

// sendTransfer runs transferStock on n and returns the transfer, or the
// error code ("" for none; "NET" when the request failed).
func sendTransfer(n *testnode.Node, sku, to string, qty int, key string) (gqlTransfer, string) {
	in := map[string]any{"sku": sku, "to": to, "quantity": qty, "reference": "DN-" + key, "note": "by truck"}
	if key != "" {
		in["idempotencyKey"] = key
	}
	return transferCall(n, `mutation($in: TransferInput!) { t: transferStock(input: $in) { `+transferFields+` } }`,
		map[string]any{"in": in})
}

// receive runs receiveTransfer on n.
func receive(n *testnode.Node, id string) (gqlTransfer, string) {
	return transferCall(n, `mutation($id: ID!) { t: receiveTransfer(id: $id) { `+transferFields+` } }`, map[string]any{"id": id})
}

// cancel runs cancelTransfer on n.
func cancel(n *testnode.Node, id string) (gqlTransfer, string) {
	return transferCall(n, `mutation($id: ID!) { t: cancelTransfer(id: $id) { `+transferFields+` } }`, map[string]any{"id": id})
}

// transferOn returns the transfer as n knows it, or the error code.
func transferOn(n *testnode.Node, id string) (gqlTransfer, string) {
	return transferCall(n, `query($id: ID!) { t: transfer(id: $id) { `+transferFields+` } }`, map[string]any{"id": id})
}

func transferCall(n *testnode.Node, q string, vars map[string]any) (gqlTransfer, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := n.GraphQL(ctx, q, vars)
	if err != nil {
		return gqlTransfer{}, "NET"
	}
	if len(r.Errors) > 0 {
		return gqlTransfer{}, r.Code()
	}
	var out struct{ T gqlTransfer }
	if err := json.Unmarshal(r.Data, &out); err != nil {
		return gqlTransfer{}, "DECODE"
	}
	return out.T, ""
}

// mustSend sends a transfer and fails the test when it is refused.
func mustSend(t *testing.T, n *testnode.Node, sku, to string, qty int) gqlTransfer {
	t.Helper()
	tr, code := sendTransfer(n, sku, to, qty, "")
	if code != "" {
		t.Fatalf("transferStock %s x%d to %s: %s", sku, qty, to, code)
	}
	return tr
}

// waitStatus waits until n knows the transfer with status.
func waitStatus(t *testing.T, n *meshNode, id, status string) gqlTransfer {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last gqlTransfer
	var code string
	for time.Now().Before(deadline) {
		if last, code = transferOn(n.Node, id); code == "" && last.Status == status {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: transfer %s is %q (error %q), want %s within 60 s", n.ID, id, last.Status, code, status)
	return last
}

// level is a stock level as the tests read it.
type level struct {
	Warehouse struct{ ID string }
	Quantity  int
	InTransit int
}

// levels returns n's stock levels of sku by warehouse.
func levels(t *testing.T, n *testnode.Node, sku string) map[string]level {
	t.Helper()
	var out struct{ StockLevels []level }
	decode(t, n.MustGraphQL(t, `query($s: ID!) { stockLevels(sku: $s) { warehouse { id } quantity inTransit } }`,
		map[string]any{"s": sku}), &out)
	m := map[string]level{}
	for _, l := range out.StockLevels {
		m[l.Warehouse.ID] = l
	}
	return m
}

// units returns, as n sees them, the units of sku in every warehouse plus
// those in transit: what only purchases, sales, returns and adjustments
// change.
func units(t *testing.T, n *testnode.Node, sku string) int {
	t.Helper()
	sum := 0
	for _, l := range levels(t, n, sku) {
		sum += l.Quantity + l.InTransit
	}
	return sum
}

// waitQuantity waits until sku's stock on n is want.
func waitQuantity(t *testing.T, n *meshNode, sku string, want int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	got := -1
	for time.Now().Before(deadline) {
		if got = quantity(t, n.Node, sku); got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: %s = %d, want %d within 60 s", n.ID, sku, got, want)
}

// transferMoves returns the movements of sku in warehouse, as n holds
// them, that carry transfer id, by kind.
func transferMoves(t *testing.T, n *testnode.Node, warehouse, sku, id string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, m := range ledgerOf(t, n, warehouse, sku) {
		if m.Reference == id {
			out[m.Kind]++
		}
	}
	return out
}

// TestTransferReceived: a transfer from MAD-1 to BCN-1 leaves MAD-1's
// stock at once, is in transit on every node, reaches BCN-1's dock live,
// and once received there (the product created from MAD-1's catalogue)
// every node agrees; receiving twice changes nothing, and the refusals
// are clear.
func TestTransferReceived(t *testing.T) {
	ns := startMesh(t, "BCN-1", "VAL-1")
	a, b, c := ns[0], ns[1], ns[2]
	mustCreate(t, a.Node, "PAL", 50)

	dock, err := dialWS(t, b.Node, "graphql-transport-ws", b.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer dock.c.Close()
	dock.subscribe("1", `subscription { transferUpdated(warehouse: "BCN-1") { id status } }`)
	stock, err := dialWS(t, b.Node, "graphql-transport-ws", b.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer stock.c.Close()
	stock.subscribe("2", `subscription { stockChanged(warehouse: "BCN-1", sku: "PAL") { quantity delta } }`)
	waitMetric(t, b.Node, "stockmesh_subscriptions_open", 2)

	tr := mustSend(t, a.Node, "PAL", "BCN-1", 12)
	if tr.Status != "IN_TRANSIT" || tr.From.ID != "MAD-1" || tr.From.Name != "Madrid" || tr.To.ID != "BCN-1" ||
		tr.Quantity != 12 || tr.Reference != "DN-" || tr.Note != "by truck" {
		t.Fatalf("transferStock answered %+v", tr)
	}
	if q := quantity(t, a.Node, "PAL"); q != 38 {
		t.Fatalf("MAD-1's PAL = %d right after sending, want 38", q)
	}
	ev := dock.next()["transferUpdated"].(map[string]any)
	if ev["id"] != tr.ID || ev["status"] != "IN_TRANSIT" {
		t.Fatalf("BCN-1's dock saw %v, want %s IN_TRANSIT", ev, tr.ID)
	}
	waitStatus(t, c, tr.ID, "IN_TRANSIT")
	if l := levels(t, c.Node, "PAL"); l["MAD-1"].Quantity != 38 || l["BCN-1"].InTransit != 12 {
		t.Fatalf("VAL-1 sees PAL as %+v, want 38 at MAD-1 and 12 on their way to BCN-1", l)
	}

	if _, code := receive(a.Node, tr.ID); code != "FORBIDDEN" {
		t.Fatalf("receiving on the sender: %q, want FORBIDDEN", code)
	}
	got, code := receive(b.Node, tr.ID)
	if code != "" || got.Status != "RECEIVED" || got.ReceivedAt == nil {
		t.Fatalf("receiveTransfer on BCN-1: %+v %s", got, code)
	}
	if ev := stock.next()["stockChanged"].(map[string]any); ev["quantity"] != 12.0 || ev["delta"] != 12.0 {
		t.Fatalf("BCN-1's stockChanged: %v, want 12 (+12)", ev)
	}
	if ev := dock.next()["transferUpdated"].(map[string]any); ev["status"] != "RECEIVED" {
		t.Fatalf("BCN-1's dock saw %v, want RECEIVED", ev)
	}
	if again, code := receive(b.Node, tr.ID); code != "" || again.Status != "RECEIVED" {
		t.Fatalf("receiving twice: %+v %s", again, code)
	}
	var p struct{ Product struct{ Name, Price string } }
	decode(t, b.MustGraphQL(t, `{ product(sku: "PAL") { name price } }`, nil), &p)
	if p.Product.Name != "Product PAL" || p.Product.Price != "9.99" || quantity(t, b.Node, "PAL") != 12 {
		t.Fatalf("BCN-1's PAL: %+v, %d units; want MAD-1's catalogue data and 12", p.Product, quantity(t, b.Node, "PAL"))
	}
	if _, code := cancel(b.Node, tr.ID); code != "INVALID_INPUT" {
		t.Fatalf("cancelling a received transfer: %q, want INVALID_INPUT", code)
	}
	for _, n := range ns {
		waitStatus(t, n, tr.ID, "RECEIVED")
		waitQuantity(t, b, "PAL", 12)
	}
	converge(t, []string{"MAD-1", "BCN-1"}, a.Node, b.Node, c.Node) // VAL-1 changed nothing: it has no log
	for _, n := range ns {
		if u := units(t, n.Node, "PAL"); u != 50 {
			t.Errorf("%s sees %d units of PAL in the network, want 50", n.ID, u)
		}
	}
	if m := transferMoves(t, c.Node, "BCN-1", "PAL", tr.ID); m["TRANSFER_IN"] != 1 || len(m) != 1 {
		t.Fatalf("BCN-1's movements of %s: %v, want one TRANSFER_IN", tr.ID, m)
	}
	var mv struct {
		Movements struct {
			Edges []struct {
				Node struct {
					Kind     string
					Transfer *struct{ ID, Status string }
				}
			}
		}
	}
	decode(t, c.MustGraphQL(t, `{ movements(filter: {warehouse: "MAD-1", sku: "PAL"}) { edges { node { kind transfer { id status } } } } }`, nil), &mv)
	if e := mv.Movements.Edges; len(e) != 2 || e[0].Node.Kind != "TRANSFER_OUT" || e[0].Node.Transfer == nil ||
		e[0].Node.Transfer.ID != tr.ID || e[1].Node.Transfer != nil {
		t.Fatalf("MAD-1's movements of PAL on VAL-1: %+v, want the TRANSFER_OUT linked to %s", e, tr.ID)
	}
	checkLedgerOf(t, a.Node, "MAD-1", "PAL")
	checkLedgerOf(t, b.Node, "BCN-1", "PAL")

	// REST lists it too.
	req, _ := http.NewRequest("GET", c.URL+"/api/v1/transfers?status=RECEIVED&warehouse=BCN-1", nil)
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var rest struct {
		Transfers []struct{ ID, Status, From, To string }
	}
	if err := json.Unmarshal(body, &rest); err != nil || resp.StatusCode != 200 || len(rest.Transfers) != 1 ||
		rest.Transfers[0].ID != tr.ID || rest.Transfers[0].From != "MAD-1" {
		t.Fatalf("GET /api/v1/transfers: %d %s", resp.StatusCode, body)
	}
}

// TestTransferRefusals: beyond the stock, to itself, to an unknown
// warehouse; the same idempotency key returns the same transfer.
func TestTransferRefusals(t *testing.T) {
	ns := startMesh(t, "BCN-1")
	a := ns[0]
	mustCreate(t, a.Node, "PAL", 5)
	for _, tc := range []struct {
		name, to string
		qty      int
		code     string
	}{
		{"beyond the stock", "BCN-1", 6, "INSUFFICIENT_STOCK"},
		{"to itself", "MAD-1", 1, "INVALID_INPUT"},
		{"to an unknown warehouse", "NOPE-1", 1, "NOT_FOUND"},
		{"of nothing", "BCN-1", 0, "INVALID_INPUT"},
	} {
		if _, code := sendTransfer(a.Node, "PAL", tc.to, tc.qty, ""); code != tc.code {
			t.Errorf("%s: %q, want %s", tc.name, code, tc.code)
		}
	}
	first, code := sendTransfer(a.Node, "PAL", "BCN-1", 2, "key-1")
	second, code2 := sendTransfer(a.Node, "PAL", "BCN-1", 2, "key-1")
	if code != "" || code2 != "" || first.ID != second.ID || quantity(t, a.Node, "PAL") != 3 {
		t.Fatalf("the same key twice: %s %s (%s %s), PAL = %d; want one transfer, 3 left", first.ID, second.ID, code, code2, quantity(t, a.Node, "PAL"))
	}
	if _, code := sendTransfer(a.Node, "PAL", "BCN-1", 1, "key-1"); code != "INVALID_INPUT" {
		t.Fatalf("the key with another request: %q, want INVALID_INPUT", code)
	}
}

// TestTransferCancelledOnReceiver: the receiver cancels; the stock returns
// to the sender once that replicates back.
func TestTransferCancelledOnReceiver(t *testing.T) {
	ns := startMesh(t, "BCN-1")
	a, b := ns[0], ns[1]
	mustCreate(t, a.Node, "PAL", 20)
	tr := mustSend(t, a.Node, "PAL", "BCN-1", 5)
	waitStatus(t, b, tr.ID, "IN_TRANSIT")
	got, code := cancel(b.Node, tr.ID)
	if code != "" || got.Status != "CANCELLED" || got.CancelledAt == nil {
		t.Fatalf("cancelTransfer on the receiver: %+v %s", got, code)
	}
	if _, code := receive(b.Node, tr.ID); code != "INVALID_INPUT" {
		t.Fatalf("receiving a cancelled transfer: %q, want INVALID_INPUT", code)
	}
	waitStatus(t, a, tr.ID, "CANCELLED")
	waitQuantity(t, a, "PAL", 20)
	if m := transferMoves(t, a.Node, "MAD-1", "PAL", tr.ID); m["TRANSFER_OUT"] != 1 || m["TRANSFER_IN"] != 1 {
		t.Fatalf("MAD-1's movements of %s: %v, want one TRANSFER_OUT and one TRANSFER_IN", tr.ID, m)
	}
	converge(t, []string{"MAD-1", "BCN-1"}, a.Node, b.Node)
	for _, n := range ns {
		if u := units(t, n.Node, "PAL"); u != 20 {
			t.Errorf("%s sees %d units of PAL, want 20", n.ID, u)
		}
	}
}

// TestTransferCancelledOnSender: a cancel on the sender is a request; the
// stock returns only after the receiver confirms it, at once when it is
// online, and once it returns when it is not.
func TestTransferCancelledOnSender(t *testing.T) {
	ns := startMesh(t, "BCN-1")
	a, b := ns[0], ns[1]
	mustCreate(t, a.Node, "PAL", 20)

	online := mustSend(t, a.Node, "PAL", "BCN-1", 3)
	waitStatus(t, b, online.ID, "IN_TRANSIT")
	got, code := cancel(a.Node, online.ID)
	if code != "" || got.Status != "CANCEL_REQUESTED" {
		t.Fatalf("cancelTransfer on the sender: %+v %s, want CANCEL_REQUESTED", got, code)
	}
	waitStatus(t, a, online.ID, "CANCELLED")
	waitQuantity(t, a, "PAL", 20)

	offline := mustSend(t, a.Node, "PAL", "BCN-1", 4)
	waitStatus(t, b, offline.ID, "IN_TRANSIT")
	b.cut()
	if got, code := cancel(a.Node, offline.ID); code != "" || got.Status != "CANCEL_REQUESTED" {
		t.Fatalf("cancelTransfer with the receiver cut off: %+v %s", got, code)
	}
	settledSince(t, a.Node) // the receiver cannot confirm: nothing may come back
	if got, _ := transferOn(a.Node, offline.ID); got.Status != "CANCEL_REQUESTED" || quantity(t, a.Node, "PAL") != 16 {
		t.Fatalf("with the receiver cut off: %s, PAL = %d; want CANCEL_REQUESTED and 16", got.Status, quantity(t, a.Node, "PAL"))
	}
	if l := levels(t, a.Node, "PAL"); l["BCN-1"].InTransit != 4 {
		t.Fatalf("levels %+v: want 4 still on their way to BCN-1", l)
	}
	b.heal()
	waitStatus(t, b, offline.ID, "CANCELLED")
	waitStatus(t, a, offline.ID, "CANCELLED")
	waitQuantity(t, a, "PAL", 20)
	converge(t, []string{"MAD-1", "BCN-1"}, a.Node, b.Node)
	if u := units(t, b.Node, "PAL"); u != 20 {
		t.Fatalf("BCN-1 sees %d units of PAL, want 20", u)
	}
}

// TestTransferCancelAndReceiveCutOff: the sender asks to cancel and the
// receiver receives, each cut off from the other; the receipt wins,
// everywhere, and nothing returns to the sender.
func TestTransferCancelAndReceiveCutOff(t *testing.T) {
	ns := startMesh(t, "BCN-1", "VAL-1")
	a, b, c := ns[0], ns[1], ns[2]
	mustCreate(t, b.Node, "PAL", 30)
	tr := mustSend(t, b.Node, "PAL", "VAL-1", 7)
	waitStatus(t, c, tr.ID, "IN_TRANSIT")
	c.cut()
	if got, code := cancel(b.Node, tr.ID); code != "" || got.Status != "CANCEL_REQUESTED" {
		t.Fatalf("cancel on the sender: %+v %s", got, code)
	}
	if got, code := receive(c.Node, tr.ID); code != "" || got.Status != "RECEIVED" {
		t.Fatalf("receive on the cut-off receiver: %+v %s", got, code)
	}
	c.heal()
	for _, n := range ns {
		waitStatus(t, n, tr.ID, "RECEIVED")
	}
	converge(t, []string{"BCN-1", "VAL-1"}, a.Node, b.Node, c.Node) // MAD-1 changed nothing: it has no log
	settledSince(t, b.Node)                                         // where a wrong return would happen
	if q := quantity(t, b.Node, "PAL"); q != 23 {
		t.Fatalf("BCN-1's PAL = %d, want 23: a received transfer never returns", q)
	}
	for _, n := range ns {
		if u := units(t, n.Node, "PAL"); u != 30 {
			t.Errorf("%s sees %d units of PAL, want 30", n.ID, u)
		}
		if got, _ := transferOn(n.Node, tr.ID); got.Status != "RECEIVED" {
			t.Errorf("%s sees %s", n.ID, got.Status)
		}
	}
}

// TestTransferToReceiverDown: a transfer sent while the receiver is down
// is received after it returns.
func TestTransferToReceiverDown(t *testing.T) {
	ns := startMesh(t, "BCN-1")
	a, b := ns[0], ns[1]
	mustCreate(t, a.Node, "PAL", 10)
	b.Kill()
	tr := mustSend(t, a.Node, "PAL", "BCN-1", 10)
	b.Restart(t)
	waitStatus(t, b, tr.ID, "IN_TRANSIT")
	if got, code := receive(b.Node, tr.ID); code != "" || got.Status != "RECEIVED" {
		t.Fatalf("receive after the restart: %+v %s", got, code)
	}
	waitStatus(t, a, tr.ID, "RECEIVED")
	if q := quantity(t, a.Node, "PAL"); q != 0 || quantity(t, b.Node, "PAL") != 10 {
		t.Fatalf("PAL: MAD-1 %d, BCN-1 %d; want 0 and 10", q, quantity(t, b.Node, "PAL"))
	}
}

// TestTransferSenderKilledAfterAck: an acknowledged transfer survives its
// sender's SIGKILL right after the answer, and is received once.
func TestTransferSenderKilledAfterAck(t *testing.T) {
	ns := startMesh(t, "BCN-1", "VAL-1")
	b, c := ns[1], ns[2]
	mustCreate(t, b.Node, "PAL", 10)
	tr := mustSend(t, b.Node, "PAL", "VAL-1", 6)
	b.Kill()
	b.Restart(t)
	if got, code := transferOn(b.Node, tr.ID); code != "" || got.Status != "IN_TRANSIT" || quantity(t, b.Node, "PAL") != 4 {
		t.Fatalf("after SIGKILL the sender holds %+v (%s) and PAL = %d; want it IN_TRANSIT and 4", got, code, quantity(t, b.Node, "PAL"))
	}
	waitStatus(t, c, tr.ID, "IN_TRANSIT")
	if _, code := receive(c.Node, tr.ID); code != "" {
		t.Fatalf("receive: %s", code)
	}
	waitStatus(t, b, tr.ID, "RECEIVED")
	if m := transferMoves(t, c.Node, "VAL-1", "PAL", tr.ID); m["TRANSFER_IN"] != 1 {
		t.Fatalf("VAL-1's movements of %s: %v", tr.ID, m)
	}
}

// TestTransferReceiverKilledInReceive: the receiver is SIGKILLed while
// receiveTransfer runs; after its restart the transfer is received exactly
// once, whatever the kill interrupted.
func TestTransferReceiverKilledInReceive(t *testing.T) {
	ns := startMesh(t, "BCN-1")
	a, b := ns[0], ns[1]
	mustCreate(t, a.Node, "PAL", 100)
	for i, delay := range []time.Duration{0, 2 * time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond} {
		tr := mustSend(t, a.Node, "PAL", "BCN-1", 1)
		waitStatus(t, b, tr.ID, "IN_TRANSIT")
		n := *b.Node
		done := make(chan string, 1)
		go func() { _, code := receive(&n, tr.ID); done <- code }()
		time.Sleep(delay)
		b.Kill()
		code := <-done
		b.Restart(t)
		got, code2 := receive(b.Node, tr.ID)
		if code2 != "" || got.Status != "RECEIVED" {
			t.Fatalf("round %d: receiving again after the kill (first answer %q): %+v %s", i, code, got, code2)
		}
		if m := transferMoves(t, b.Node, "BCN-1", "PAL", tr.ID); m["TRANSFER_IN"] != 1 {
			t.Fatalf("round %d: BCN-1's movements of %s: %v, want one TRANSFER_IN", i, tr.ID, m)
		}
		checkLedgerOf(t, b.Node, "BCN-1", "PAL")
	}
	if q := quantity(t, b.Node, "PAL"); q != 4 {
		t.Fatalf("BCN-1's PAL = %d, want 4", q)
	}
	converge(t, []string{"MAD-1", "BCN-1"}, a.Node, b.Node)
	if u := units(t, a.Node, "PAL"); u != 100 {
		t.Fatalf("MAD-1 sees %d units of PAL, want 100", u)
	}
}

// allTransfers returns every transfer n knows, by id.
func allTransfers(n *testnode.Node) (map[string]gqlTransfer, error) {
	out := map[string]gqlTransfer{}
	var after any
	for {
		r, err := n.GraphQL(context.Background(), `query($after: String) { transfers(first: 500, after: $after) {
			edges { node { `+transferFields+` } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": after})
		if err != nil {
			return nil, err
		}
		var page struct {
			Transfers struct {
				Edges    []struct{ Node gqlTransfer }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		if err := decodeErr(r, &page); err != nil {
			return nil, err
		}
		for _, e := range page.Transfers.Edges {
			out[e.Node.ID] = e.Node
		}
		if !page.Transfers.PageInfo.HasNextPage {
			return out, nil
		}
		after = page.Transfers.PageInfo.EndCursor
	}
}

// statusesOf returns each transfer's status.
func statusesOf(ts map[string]gqlTransfer) map[string]string {
	out := make(map[string]string, len(ts))
	for id, x := range ts {
		out[id] = x.Status
	}
	return out
}

// TestTransfersUnderFaults is the randomized test: three nodes send
// transfers of two skus in every direction, receive and cancel them, while
// for a bounded time random nodes are SIGKILLed and restarted and cut off
// both ways. Then everything heals, and: every node agrees on every
// transfer's status; none is left CANCEL_REQUESTED, and the units of every
// cancelled one are back with its sender; for every sku the units
// in stock plus those in transit equal what was created (only transfers
// ran); and every transfer's movements are there exactly once (its
// TRANSFER_OUT; a TRANSFER_IN at the receiver if and only if RECEIVED; at
// the sender if and only if CANCELLED).
func TestTransfersUnderFaults(t *testing.T) {
	seed := time.Now().UnixNano()
	if s, ok := seedFromEnv(); ok {
		seed = s
	}
	t.Logf("seed %d (STOCKMESH_SEED=%d replays the same schedule)", seed, seed)
	rnd := newRand(seed)
	ns := startMesh(t, "BCN-1", "VAL-1")
	ids := []string{"MAD-1", "BCN-1", "VAL-1"}
	skus := []string{"T-1", "T-2"}
	for _, n := range ns {
		for _, s := range skus {
			mustCreate(t, n.Node, s, 1000)
		}
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	for i, m := range ns {
		n, r := *m.Node, newRand(seed+int64(i)+1) // Restart rewrites the node the main goroutine holds
		go func() {
			defer func() { done <- struct{}{} }()
			transferWorker(ctx, &n, m.ID, ids, skus, r)
		}()
	}
	end := time.Now().Add(25 * time.Second)
	for time.Now().Before(end) {
		m := ns[1+rnd.IntN(2)]
		switch rnd.IntN(4) {
		case 0:
			t.Logf("cut %s off", m.ID)
			m.cut()
			time.Sleep(time.Duration(500+rnd.IntN(2000)) * time.Millisecond)
			m.heal()
		case 1:
			t.Logf("kill and restart %s", m.ID)
			m.Kill()
			m.Restart(t)
		default:
			time.Sleep(time.Duration(200+rnd.IntN(800)) * time.Millisecond)
		}
	}
	stop()
	for range ns {
		<-done
	}
	nodes := []*testnode.Node{ns[0].Node, ns[1].Node, ns[2].Node}
	var views []map[string]gqlTransfer
	deadline := time.Now().Add(90 * time.Second)
	for {
		converge(t, ids, nodes...)
		views = views[:0]
		agreed := true
		for _, n := range nodes {
			v, err := allTransfers(n)
			if err != nil {
				agreed = false
				break
			}
			views = append(views, v)
		}
		for _, v := range views[1:] {
			agreed = agreed && len(views) == 3 && fmt.Sprint(statusesOf(v)) == fmt.Sprint(statusesOf(views[0]))
		}
		for _, x := range views[0] {
			agreed = agreed && x.Status != "CANCEL_REQUESTED"
		}
		for i := range views { // every cancelled transfer's units are back with its sender
			agreed = agreed && onTheirWay(t, nodes[i], skus) == inTransitOf(views[i])
		}
		if agreed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the nodes do not agree on the transfers within 90 s of healing")
		}
		time.Sleep(500 * time.Millisecond)
	}
	count := map[string]int{}
	for _, x := range views[0] {
		count[x.Status]++
	}
	t.Logf("%d transfers: %v", len(views[0]), count)
	for _, s := range skus {
		for i, n := range nodes {
			if u := units(t, n, s); u != 3000 {
				t.Errorf("%s sees %d units of %s in stock and in transit, want 3000", ids[i], u, s)
			}
		}
	}
	for _, s := range skus {
		moves := map[string]map[string]map[string]int{} // warehouse → transfer → kind → count
		for _, w := range ids {
			moves[w] = map[string]map[string]int{}
			for _, m := range ledgerOf(t, nodes[0], w, s) {
				if m.Kind == "TRANSFER_OUT" || m.Kind == "TRANSFER_IN" {
					if moves[w][m.Reference] == nil {
						moves[w][m.Reference] = map[string]int{}
					}
					moves[w][m.Reference][m.Kind]++
				}
			}
			checkLedgerOf(t, nodes[slices.Index(ids, w)], w, s)
		}
		for id, x := range views[0] {
			if x.SKU != s {
				continue
			}
			from, to := moves[x.From.ID][id], moves[x.To.ID][id]
			wantBack := map[bool]int{true: 1}[x.Status == "CANCELLED"]
			wantIn := map[bool]int{true: 1}[x.Status == "RECEIVED"]
			if from["TRANSFER_OUT"] != 1 || from["TRANSFER_IN"] != wantBack || to["TRANSFER_IN"] != wantIn {
				t.Errorf("transfer %s (%s): sender's movements %v, receiver's %v", id, x.Status, from, to)
			}
		}
	}
}

// onTheirWay returns the units n counts in transit, by sku.
func onTheirWay(t *testing.T, n *testnode.Node, skus []string) string {
	out := map[string]int{}
	for _, s := range skus {
		for _, l := range levels(t, n, s) {
			out[s] += l.InTransit
		}
	}
	return fmt.Sprint(out)
}

// inTransitOf returns the units of the transfers still IN_TRANSIT, by
// sku: what is in transit once every cancelled transfer has returned.
func inTransitOf(ts map[string]gqlTransfer) string {
	out := map[string]int{}
	for _, x := range ts {
		out[x.SKU] += 0
		if x.Status == "IN_TRANSIT" {
			out[x.SKU] += x.Quantity
		}
	}
	return fmt.Sprint(out)
}

// transferWorker sends, receives and cancels transfers on n until ctx is
// done: sends of random size to random other warehouses (retrying with
// the same idempotency key after a failure), receipts and cancellations of
// incoming transfers, cancellations of outgoing ones.
func transferWorker(ctx context.Context, n *testnode.Node, self string, ids, skus []string, r *randSource) {
	for k := 0; ctx.Err() == nil; k++ {
		switch r.IntN(4) {
		case 0, 1:
			to := ids[r.IntN(len(ids))]
			if to == self {
				continue
			}
			key := fmt.Sprintf("%s-%d", self, k)
			sku, qty := skus[r.IntN(len(skus))], 1+r.IntN(20)
			for try := 0; try < 3; try++ {
				if _, code := sendTransfer(n, sku, to, qty, key); code != "NET" && code != "UNAVAILABLE" && code != "OUTCOME_UNKNOWN" {
					break
				}
				time.Sleep(300 * time.Millisecond)
			}
		default:
			ts, err := allTransfers(n)
			if err != nil {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			var open []gqlTransfer
			for _, x := range ts {
				if x.Status == "IN_TRANSIT" && (x.To.ID == self || x.From.ID == self) {
					open = append(open, x)
				}
			}
			if len(open) == 0 {
				continue
			}
			switch x := open[r.IntN(len(open))]; {
			case x.To.ID == self && r.IntN(3) > 0:
				receive(n, x.ID)
			case x.To.ID == self || r.IntN(3) == 0:
				cancel(n, x.ID)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// randSource is a test's source of randomness, one per goroutine.
type randSource = rand.Rand

// newRand returns a source seeded with seed.
func newRand(seed int64) *randSource { return rand.New(rand.NewPCG(uint64(seed), 13)) }

// seedFromEnv returns STOCKMESH_SEED, when set, to replay a randomized test.
func seedFromEnv() (int64, bool) {
	s, err := strconv.ParseInt(os.Getenv("STOCKMESH_SEED"), 10, 64)
	return s, err == nil
}
