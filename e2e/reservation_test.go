package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// gqlReservation is a reservation as the tests read it.
type gqlReservation struct {
	ID        string
	Warehouse struct{ ID, Name string }
	SKU       string
	Quantity  int
	Fulfilled int
	Reference string
	Status    string
	ExpiresAt *time.Time
	Sale      string
	AtRisk    bool
}

const reservationFields = `id warehouse { id name } sku quantity fulfilled reference status createdAt expiresAt sale atRisk`

// gqlCall runs q on n and decodes the field aliased r into out, returning
// the error's code ("" for none) and the first error's extensions.
func gqlCall(t *testing.T, n *testnode.Node, q string, vars map[string]any, out any) (string, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := n.GraphQL(ctx, q, vars)
	if err != nil {
		t.Fatalf("graphql: %v", err)
	}
	if len(r.Errors) > 0 {
		return r.Code(), r.Errors[0].Extensions
	}
	var data struct{ R json.RawMessage }
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatalf("decoding %s: %v", r.Data, err)
	}
	if out != nil {
		if err := json.Unmarshal(data.R, out); err != nil {
			t.Fatalf("decoding %s: %v", data.R, err)
		}
	}
	return "", nil
}

// reserve runs reserveStock on n with in, returning the reservation or
// the error code and extensions.
func reserve(t *testing.T, n *testnode.Node, in map[string]any) (gqlReservation, string, map[string]any) {
	t.Helper()
	var r gqlReservation
	code, ext := gqlCall(t, n, `mutation($in: ReserveStockInput!) { r: reserveStock(input: $in) { `+reservationFields+` } }`,
		map[string]any{"in": in}, &r)
	return r, code, ext
}

// mustReserve reserves qty units of sku with reference ref.
func mustReserve(t *testing.T, n *testnode.Node, sku string, qty int, ref string) gqlReservation {
	t.Helper()
	r, code, _ := reserve(t, n, map[string]any{"sku": sku, "quantity": qty, "reference": ref})
	if code != "" {
		t.Fatalf("reserveStock %s x%d: %s", sku, qty, code)
	}
	return r
}

// fulfil runs fulfilReservation (quantity nil: all of it).
func fulfil(t *testing.T, n *testnode.Node, id string, quantity any) (gqlReservation, string) {
	t.Helper()
	var r gqlReservation
	code, _ := gqlCall(t, n, `mutation($id: ID!, $q: Int) { r: fulfilReservation(id: $id, quantity: $q) { `+reservationFields+` } }`,
		map[string]any{"id": id, "q": quantity}, &r)
	return r, code
}

// release runs releaseReservation.
func release(t *testing.T, n *testnode.Node, id string) (gqlReservation, string) {
	t.Helper()
	var r gqlReservation
	code, _ := gqlCall(t, n, `mutation($id: ID!) { r: releaseReservation(id: $id) { `+reservationFields+` } }`,
		map[string]any{"id": id}, &r)
	return r, code
}

// stockOf is a product's stock and reservations as n holds them.
type stockOf struct{ Quantity, Reserved, Available, OverReserved int }

// productStock reads sku of warehouse ("" the local one) on n.
func productStock(t *testing.T, n *testnode.Node, warehouse, sku string) stockOf {
	t.Helper()
	var s stockOf
	vars := map[string]any{"s": sku}
	if warehouse != "" {
		vars["w"] = warehouse
	}
	if code, _ := gqlCall(t, n, `query($s: ID!, $w: ID) { r: product(sku: $s, warehouse: $w) { quantity reserved available overReserved } }`,
		vars, &s); code != "" {
		t.Fatalf("product %s: %s", sku, code)
	}
	return s
}

// reservationsOn lists n's reservations with the filter's arguments.
func reservationsOn(t *testing.T, n *testnode.Node, args map[string]any) []gqlReservation {
	t.Helper()
	var conn struct {
		Edges []struct{ Node gqlReservation }
	}
	if code, _ := gqlCall(t, n, `query($st: ReservationStatus, $s: ID, $w: ID) { r: reservations(status: $st, sku: $s, warehouse: $w, first: 100) {
		edges { node { `+reservationFields+` } } } }`, args, &conn); code != "" {
		t.Fatalf("reservations: %s", code)
	}
	out := make([]gqlReservation, len(conn.Edges))
	for i, e := range conn.Edges {
		out[i] = e.Node
	}
	return out
}

// TestReservationsHoldStock: a reservation holds units a plain sale or
// another reservation cannot take, a fulfilment sells them in one write,
// an adjustment below what is reserved is allowed and marks the
// reservation at risk, and bad requests change nothing.
func TestReservationsHoldStock(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1", "--name", "Madrid")
	mustCreate(t, n, "R1", 10)
	r := mustReserve(t, n, "R1", 6, "ORD-1")
	if r.Status != "ACTIVE" || r.Warehouse.ID != "MAD-1" || r.Quantity != 6 || r.Reference != "ORD-1" || r.ID == "" {
		t.Fatalf("reserveStock answered %+v", r)
	}
	if got := productStock(t, n, "", "R1"); got != (stockOf{10, 6, 4, 0}) {
		t.Fatalf("after reserving 6 of 10: %+v", got)
	}
	// A plain sale cannot take reserved units; the error says why.
	code, ext := gqlCall(t, n, recordMovement, mv("R1", "SALE", 5), nil)
	if code != "INSUFFICIENT_STOCK" || ext["inStock"] != 10.0 || ext["reserved"] != 6.0 || ext["available"] != 4.0 || ext["requested"] != 5.0 {
		t.Fatalf("sale of 5 with 4 available: %s %v", code, ext)
	}
	if _, code, ext := reserve(t, n, map[string]any{"sku": "R1", "quantity": 5}); code != "INSUFFICIENT_STOCK" || ext["available"] != 4.0 {
		t.Fatalf("reserving 5 with 4 available: %s %v", code, ext)
	}
	for _, c := range []struct {
		name string
		in   map[string]any
		code string
	}{
		{"zero", map[string]any{"sku": "R1", "quantity": 0}, "INVALID_INPUT"},
		{"negative expiry", map[string]any{"sku": "R1", "quantity": 1, "expiresIn": -1}, "INVALID_INPUT"},
		{"unknown sku", map[string]any{"sku": "NOPE", "quantity": 1}, "NOT_FOUND"},
		{"blank sku", map[string]any{"sku": " ", "quantity": 1}, "INVALID_INPUT"},
	} {
		if _, code, _ := reserve(t, n, c.in); code != c.code {
			t.Errorf("%s: reserveStock answered %q, want %s", c.name, code, c.code)
		}
	}
	if _, code := fulfil(t, n, r.ID, 7); code != "INVALID_INPUT" {
		t.Fatalf("fulfilling 7 of 6: %q", code)
	}
	if _, code := fulfil(t, n, "MAD-1:R999", nil); code != "NOT_FOUND" {
		t.Fatalf("fulfilling an unknown reservation: %q", code)
	}
	if got := productStock(t, n, "", "R1"); got != (stockOf{10, 6, 4, 0}) {
		t.Fatalf("refused requests changed the stock: %+v", got)
	}
	n.MustGraphQL(t, recordMovement, mv("R1", "SALE", 4)) // the available units sell
	f, code := fulfil(t, n, r.ID, 4)
	if code != "" || f.Status != "FULFILLED" || f.Fulfilled != 4 || f.Sale == "" {
		t.Fatalf("fulfilling 4 of 6: %q %+v", code, f)
	}
	if got := productStock(t, n, "", "R1"); got != (stockOf{2, 0, 2, 0}) {
		t.Fatalf("after selling 4 and fulfilling 4 (2 released): %+v", got)
	}
	if m := ledger(t, n, "R1")[0]; m.ID != f.Sale || m.Kind != "SALE" || m.Quantity != -4 || m.Reference != "ORD-1" {
		t.Fatalf("the fulfilment's sale is %+v, want SALE -4 ORD-1 with id %s", m, f.Sale)
	}
	if again, code := fulfil(t, n, r.ID, nil); code != "" || again.Fulfilled != 4 || again.Sale != f.Sale {
		t.Fatalf("fulfilling again: %q %+v", code, again)
	}
	if rel, code := release(t, n, r.ID); code != "" || rel.Status != "FULFILLED" {
		t.Fatalf("releasing a fulfilled reservation: %q %+v", code, rel)
	}
	checkLedger(t, n, "R1")

	// The shelf is what it is: a count below what is reserved is allowed.
	y := mustReserve(t, n, "R1", 2, "ORD-2")
	var upd struct{ Reserved, Available int }
	if code, _ := gqlCall(t, n, `mutation { r: updateProduct(sku: "R1", input: {name: "Renamed"}) { reserved available } }`, nil, &upd); code != "" ||
		upd.Reserved != 2 || upd.Available != 0 {
		t.Fatalf("updateProduct's answer: %s %+v, want 2 reserved, 0 available", code, upd)
	}
	n.MustGraphQL(t, `mutation { setStock(sku: "R1", quantity: 1) { id } }`, nil)
	if got := productStock(t, n, "", "R1"); got != (stockOf{1, 2, 0, 1}) {
		t.Fatalf("after counting 1 with 2 reserved: %+v", got)
	}
	active := reservationsOn(t, n, map[string]any{"st": "ACTIVE", "s": "R1"})
	if len(active) != 1 || active[0].ID != y.ID || !active[0].AtRisk {
		t.Fatalf("active reservations of R1: %+v, want %s at risk", active, y.ID)
	}
	if rel, code := release(t, n, y.ID); code != "" || rel.Status != "RELEASED" {
		t.Fatalf("releasing: %q %+v", code, rel)
	}
	if _, code := fulfil(t, n, y.ID, nil); code != "INVALID_INPUT" {
		t.Fatalf("fulfilling a released reservation: %q", code)
	}
	if got := productStock(t, n, "", "R1"); got != (stockOf{1, 0, 1, 0}) {
		t.Fatalf("after releasing: %+v", got)
	}
}

// TestReservationIdempotencyAndRoles: the same key answers the same
// reservation, a key reused for another request is refused, a viewer may
// list but not reserve, and REST lists what GraphQL does.
func TestReservationIdempotencyAndRoles(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1")
	mustCreate(t, n, "K1", 10)
	in := map[string]any{"sku": "K1", "quantity": 3, "reference": "ORD-7", "idempotencyKey": "k-1"}
	a, code, _ := reserve(t, n, in)
	b, code2, _ := reserve(t, n, in)
	if code != "" || code2 != "" || a.ID != b.ID {
		t.Fatalf("same key twice: %q %q, ids %s %s", code, code2, a.ID, b.ID)
	}
	in["quantity"] = 4
	if _, code, _ := reserve(t, n, in); code != "INVALID_INPUT" {
		t.Fatalf("same key, other quantity: %q", code)
	}
	if got := productStock(t, n, "", "K1"); got.Reserved != 3 {
		t.Fatalf("reserved %d, want 3 (once)", got.Reserved)
	}
	ps := issueTokens(t, n)
	viewer, operator := as(n, ps["viewer"]), as(n, ps["operator"])
	if _, code, _ := reserve(t, viewer, map[string]any{"sku": "K1", "quantity": 1}); code != "FORBIDDEN" {
		t.Fatalf("viewer reserving: %q", code)
	}
	if _, code := release(t, viewer, a.ID); code != "FORBIDDEN" {
		t.Fatalf("viewer releasing: %q", code)
	}
	if got := reservationsOn(t, viewer, nil); len(got) != 1 {
		t.Fatalf("viewer lists %d reservations, want 1", len(got))
	}
	o := mustReserve(t, operator, "K1", 1, "")
	if _, code := fulfil(t, operator, o.ID, nil); code != "" {
		t.Fatalf("operator fulfilling: %q", code)
	}

	var audit struct {
		Edges []struct {
			Node struct{ Action, Actor, Subject, Detail string }
		}
	}
	if code, _ := gqlCall(t, n, `{ r: auditLog(first: 20) { edges { node { action actor subject detail } } } }`, nil, &audit); code != "" {
		t.Fatalf("auditLog: %s", code)
	}
	seen := map[string]bool{}
	for _, e := range audit.Edges {
		if e.Node.Subject == "K1" && strings.HasPrefix(e.Node.Detail, "MAD-1:R") {
			seen[e.Node.Action+" by "+e.Node.Actor] = true
		}
	}
	if !seen["reservation.created by operator-1"] || !seen["reservation.fulfilled by operator-1"] {
		t.Fatalf("the audit log's reservation entries: %+v", audit.Edges)
	}

	req, _ := http.NewRequest(http.MethodGet, n.URL+"/api/v1/reservations?status=ACTIVE&sku=K1", nil)
	req.Header.Set("Authorization", "Bearer "+ps["viewer"])
	resp, err := n.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Reservations []struct {
			ID, Status, SKU, Reference string
			Quantity                   int
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/reservations: %d %v", resp.StatusCode, err)
	}
	if len(body.Reservations) != 1 || body.Reservations[0].ID != a.ID || body.Reservations[0].Quantity != 3 || body.Reservations[0].Reference != "ORD-7" {
		t.Fatalf("REST reservations: %+v, want %s", body.Reservations, a.ID)
	}
	bad, _ := http.NewRequest(http.MethodGet, n.URL+"/api/v1/reservations?status=SOON", nil)
	bad.Header.Set("Authorization", "Bearer "+n.Token)
	resp2, err := n.Client().Do(bad)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusBadRequest {
		t.Fatalf("an unknown status answered %d, want 400", resp2.StatusCode)
	}
}

// waitReservation waits until n holds reservation id with status.
func waitReservation(t *testing.T, n *testnode.Node, id, status string) gqlReservation {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last gqlReservation
	var code string
	for time.Now().Before(deadline) {
		code, _ = gqlCall(t, n, `query($id: ID!) { r: reservation(id: $id) { `+reservationFields+` } }`, map[string]any{"id": id}, &last)
		if code == "" && last.Status == status {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("reservation %s is %q (error %q), want %s within 60 s", id, last.Status, code, status)
	return last
}

// TestReservationsReplicate: a warehouse's reservations, their expiry by
// its own writer and its fulfilments reach the other nodes read-only;
// transfers cannot take reserved units; availability answers from the
// replicas, most available first.
func TestReservationsReplicate(t *testing.T) {
	nodes := startMesh(t, "BCN-1")
	mad, bcn := nodes[0], nodes[1]
	mustCreate(t, mad.Node, "X1", 10)
	mustCreate(t, bcn.Node, "X1", 30)
	r := mustReserve(t, mad.Node, "X1", 8, "ORD-1")
	e, code, _ := reserve(t, mad.Node, map[string]any{"sku": "X1", "quantity": 1, "expiresIn": 1})
	if code != "" || e.ExpiresAt == nil {
		t.Fatalf("reserving with an expiry: %q %+v", code, e)
	}
	if tr, code := sendTransfer(mad.Node, "X1", "BCN-1", 2, ""); code != "INSUFFICIENT_STOCK" {
		t.Fatalf("a transfer of reserved units: %q %+v", code, tr)
	}
	waitReservation(t, mad.Node, e.ID, "EXPIRED") // released by MAD-1's writer
	got := waitReservation(t, bcn.Node, e.ID, "EXPIRED")
	if got.Warehouse.ID != "MAD-1" {
		t.Fatalf("BCN-1 holds %+v", got)
	}
	waitReservation(t, bcn.Node, r.ID, "ACTIVE")
	if s := productStock(t, bcn.Node, "MAD-1", "X1"); s != (stockOf{10, 8, 2, 0}) {
		t.Fatalf("BCN-1's replica of MAD-1's X1: %+v", s)
	}
	if _, code := release(t, bcn.Node, r.ID); code != "FORBIDDEN" {
		t.Fatalf("BCN-1 releasing MAD-1's reservation: %q", code)
	}

	var levels []struct {
		Warehouse          struct{ ID string }
		Quantity, Reserved int
		Available          int
		AsOf               *time.Time
	}
	if code, _ := gqlCall(t, bcn.Node, `query { r: availability(sku: "X1", quantity: 2) { warehouse { id online } quantity reserved available asOf } }`, nil, &levels); code != "" {
		t.Fatalf("availability: %s", code)
	}
	if len(levels) != 2 || levels[0].Warehouse.ID != "BCN-1" || levels[0].Available != 30 ||
		levels[1].Warehouse.ID != "MAD-1" || levels[1].Available != 2 || levels[1].AsOf == nil {
		t.Fatalf("availability of 2 X1 on BCN-1: %+v", levels)
	}
	if code, _ := gqlCall(t, bcn.Node, `query { r: availability(sku: "X1", quantity: 3) { warehouse { id } } }`, nil, &levels); code != "" || len(levels) != 1 {
		t.Fatalf("availability of 3: %s %+v, want BCN-1 alone", code, levels)
	}
	if code, _ := gqlCall(t, bcn.Node, `query { r: availability(sku: "X1", quantity: 0) { warehouse { id } } }`, nil, nil); code != "INVALID_INPUT" {
		t.Fatalf("availability of 0: %q", code)
	}

	if _, code := fulfil(t, mad.Node, r.ID, nil); code != "" {
		t.Fatalf("fulfilling on MAD-1: %q", code)
	}
	waitReservation(t, bcn.Node, r.ID, "FULFILLED")
	deadline := time.Now().Add(60 * time.Second)
	for productStock(t, bcn.Node, "MAD-1", "X1") != (stockOf{2, 0, 2, 0}) {
		if time.Now().After(deadline) {
			t.Fatalf("BCN-1's replica of X1: %+v, want 2 on hand, none reserved", productStock(t, bcn.Node, "MAD-1", "X1"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	checkLedgerOf(t, bcn.Node, "MAD-1", "X1")
}

// TestStockChangedCarriesReservations: a reservation's change reaches
// stockChanged subscribers with the units reserved and available, and so
// does a sale after it.
func TestStockChangedCarriesReservations(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1")
	mustCreate(t, n, "S1", 10)
	w, err := dialWS(t, n, "graphql-transport-ws", n.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer w.c.Close()
	w.subscribe("1", `subscription { stockChanged(sku: "S1") { sku quantity delta reserved available movement { kind } } }`)
	waitMetric(t, n, "stockmesh_subscriptions_open", 1)
	mustReserve(t, n, "S1", 4, "")
	n.MustGraphQL(t, recordMovement, mv("S1", "SALE", 1))
	first := w.next()["stockChanged"].(map[string]any)
	if first["quantity"] != 10.0 || first["delta"] != 0.0 || first["reserved"] != 4.0 || first["available"] != 6.0 || first["movement"] != nil {
		t.Fatalf("the reservation's event: %v", first)
	}
	second := w.next()["stockChanged"].(map[string]any)
	if second["quantity"] != 9.0 || second["reserved"] != 4.0 || second["available"] != 5.0 {
		t.Fatalf("the sale's event: %v", second)
	}
}
