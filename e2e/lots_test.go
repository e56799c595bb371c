package e2e

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// gqlLot is a lot or a movement's piece of one, as the tests read it.
type gqlLot struct {
	Code      string
	ExpiresOn *string
	Quantity  int
	Location  *string `json:",omitempty"`
}

// day returns the calendar day n days from today in the nodes' time zone
// (the test's process and its nodes share the machine's).
func day(n int) string { return time.Now().AddDate(0, 0, n).Format("2006-01-02") }

func sp(s string) *string { return &s }

const lotMovement = `mutation($in: MovementInput!) { m: recordMovement(input: $in) {
	kind quantity balance pack packQuantity location lots { code expiresOn quantity location } } }`

// gqlLotMovement is a movement with its lots.
type gqlLotMovement struct {
	Kind         string
	Quantity     int
	Balance      int
	Pack         *string
	PackQuantity *int
	Location     *string
	Lots         []gqlLot
}

// record records a movement on n and returns it, or the error's code and
// extensions.
func record(t *testing.T, n *testnode.Node, in map[string]any) (gqlLotMovement, string, map[string]any) {
	t.Helper()
	r, err := n.GraphQL(context.Background(), lotMovement, map[string]any{"in": in})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		return gqlLotMovement{}, r.Code(), r.Errors[0].Extensions
	}
	var out struct{ M gqlLotMovement }
	decode(t, r, &out)
	return out.M, "", nil
}

// productLots returns the lots of sku in warehouse as n holds them.
func productLots(t *testing.T, n *testnode.Node, sku, warehouse string) ([]gqlLot, int) {
	t.Helper()
	var out struct {
		Product struct {
			Quantity int
			Lots     []gqlLot
		}
	}
	decode(t, n.MustGraphQL(t, `query($s: ID!, $w: ID) { product(sku: $s, warehouse: $w) { quantity lots { code expiresOn quantity } } }`,
		map[string]any{"s": sku, "w": warehouse}), &out)
	return out.Product.Lots, out.Product.Quantity
}

// TestLotsOnNodes: on real nodes, purchases into lots (one in packs), a
// sale by FEFO across lots, EXPIRED for an operator naming an expired lot
// and not for an admin, expiringLots, bins with a relocation that changes
// no stock, replication of all of it to a second node, and a transfer
// whose receiver gets the same lots.
func TestLotsOnNodes(t *testing.T) {
	nodes := startMesh(t, "BCN-1")
	a, b := nodes[0], nodes[1]
	decode(t, a.MustGraphQL(t, createProduct, map[string]any{"in": map[string]any{"sku": "MILK", "name": "Milk",
		"price": "1.10", "initialQuantity": 2, "unit": "l", "packs": []map[string]any{{"name": "box", "size": 12}}}}), &struct{}{})
	op := as(a.Node, issueTokens(t, a.Node)["operator"])

	past, soon, later := day(-2), day(3), day(20)
	for _, p := range []map[string]any{
		{"lot": map[string]any{"code": "A", "expiresOn": soon}, "quantity": 10},
		{"lot": map[string]any{"code": "B", "expiresOn": later}, "quantity": 10},
		{"lot": map[string]any{"code": "X", "expiresOn": past}, "quantity": 5},
	} {
		p["sku"], p["kind"] = "MILK", "PURCHASE"
		if _, code, _ := record(t, op, p); code != "" {
			t.Fatalf("purchase %v: %s", p, code)
		}
	}
	box, code, _ := record(t, op, map[string]any{"sku": "MILK", "kind": "PURCHASE", "quantity": 1, "pack": "box",
		"lot": map[string]any{"code": "B", "expiresOn": later}})
	if code != "" || box.Quantity != 12 || box.Balance != 39 || *box.Pack != "box" || *box.PackQuantity != 1 {
		t.Fatalf("1 box: %+v %s, want 12 units of the pack box", box, code)
	}

	sale, code, _ := record(t, op, map[string]any{"sku": "MILK", "kind": "SALE", "quantity": 15})
	wantLots := []gqlLot{{Code: "A", ExpiresOn: &soon, Quantity: 10}, {Code: "B", ExpiresOn: &later, Quantity: 5}}
	if code != "" || sale.Quantity != -15 || !reflect.DeepEqual(sale.Lots, wantLots) {
		t.Fatalf("FEFO sale of 15: %+v %s, want lots %+v", sale, code, wantLots)
	}
	expired := map[string]any{"sku": "MILK", "kind": "SALE", "quantity": 1, "lot": map[string]any{"code": "X"}}
	if _, code, ext := record(t, op, expired); code != "EXPIRED" || ext["lot"] != "X" || ext["expiresOn"] != past {
		t.Fatalf("an operator selling expired lot X: %s %v, want EXPIRED naming X and %s", code, ext, past)
	}
	if _, code, _ := record(t, a.Node, expired); code != "" {
		t.Fatalf("an admin selling expired lot X: %s", code)
	}
	lots, q := productLots(t, a.Node, "MILK", "")
	want := []gqlLot{{Code: "X", ExpiresOn: &past, Quantity: 4}, {Code: "B", ExpiresOn: &later, Quantity: 17}, {Code: "", Quantity: 2}}
	if q != 23 || !reflect.DeepEqual(lots, want) {
		t.Fatalf("lots %+v of %d units, want %+v of 23", lots, q, want)
	}

	var exp struct {
		ExpiringLots []struct {
			Warehouse            struct{ ID string }
			SKU, Code, ExpiresOn string
			Quantity             int
		}
	}
	decode(t, a.MustGraphQL(t, `{ expiringLots(withinDays: 30) { warehouse { id } sku code expiresOn quantity } }`, nil), &exp)
	if len(exp.ExpiringLots) != 2 || exp.ExpiringLots[0].Code != "X" || exp.ExpiringLots[1].Code != "B" ||
		exp.ExpiringLots[1].Quantity != 17 || exp.ExpiringLots[1].Warehouse.ID != "MAD-1" {
		t.Fatalf("expiringLots(30) = %+v, want X then B", exp.ExpiringLots)
	}

	for _, l := range []map[string]any{{"code": "R1", "name": "Rack 1"}, {"code": "S1", "parent": "R1"}} {
		op.MustGraphQL(t, `mutation($in: CreateLocationInput!) { createLocation(input: $in) { path } }`, map[string]any{"in": l})
	}
	var rel struct{ M gqlLotMovement }
	decode(t, op.MustGraphQL(t, `mutation($in: RelocateStockInput!) { m: relocateStock(input: $in) { kind quantity balance location lots { code quantity location } } }`,
		map[string]any{"in": map[string]any{"sku": "MILK", "quantity": 5, "to": "S1", "lot": "B"}}), &rel)
	if rel.M.Kind != "RELOCATION" || rel.M.Quantity != 5 || rel.M.Balance != 23 || *rel.M.Location != "S1" {
		t.Fatalf("relocation %+v: want RELOCATION of 5 to S1 keeping 23", rel.M)
	}
	var loc struct {
		Product struct {
			Quantity  int
			Locations []struct {
				Location *struct{ Code, Path string }
				Quantity int
			}
		}
	}
	decode(t, a.MustGraphQL(t, `{ product(sku: "MILK") { quantity locations { location { code path } quantity } } }`, nil), &loc)
	if l := loc.Product.Locations; loc.Product.Quantity != 23 || len(l) != 2 || l[0].Location != nil || l[0].Quantity != 18 ||
		l[1].Location.Path != "R1/S1" || l[1].Quantity != 5 {
		t.Fatalf("locations after the relocation %+v", loc.Product)
	}

	checkLotsREST(t, a.Node, past, later)

	tr := mustSend(t, a.Node, "MILK", "BCN-1", 3)
	waitStatus(t, b, tr.ID, "IN_TRANSIT")
	if _, code := receive(b.Node, tr.ID); code != "" {
		t.Fatalf("receiving %s: %s", tr.ID, code)
	}
	got, q := productLots(t, b.Node, "MILK", "")
	if want := []gqlLot{{Code: "B", ExpiresOn: &later, Quantity: 3}}; q != 3 || !reflect.DeepEqual(got, want) {
		t.Fatalf("receiver's lots %+v of %d, want %+v", got, q, want)
	}

	// The second node holds MAD-1's lots and locations as MAD-1 does.
	mine, _ := productLots(t, a.Node, "MILK", "")
	deadline := time.Now().Add(60 * time.Second)
	for {
		theirs, _ := productLots(t, b.Node, "MILK", "MAD-1")
		if reflect.DeepEqual(theirs, mine) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("BCN-1 holds MAD-1's lots as %+v, MAD-1 %+v", theirs, mine)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var locs struct{ Locations []struct{ Code, Path string } }
	decode(t, b.MustGraphQL(t, `{ locations(warehouse: "MAD-1") { code path } }`, nil), &locs)
	if raw, _ := json.Marshal(locs.Locations); string(raw) != `[{"Code":"R1","Path":"R1"},{"Code":"S1","Path":"R1/S1"}]` {
		t.Fatalf("BCN-1 holds MAD-1's locations as %s", raw)
	}
}

// checkLotsREST checks the REST faces of lots, bins and packs on a: the
// listing's ?lot= and ?location=, the movements export's columns and the
// stock export.
func checkLotsREST(t *testing.T, a *testnode.Node, past, later string) {
	t.Helper()
	var page struct{ Movements []struct{ Kind string } }
	status, _, body := request(t, a, "GET", "/api/v1/movements?sku=MILK&lot=X", a.Token, nil, "")
	if err := json.Unmarshal([]byte(body), &page); status != 200 || err != nil || len(page.Movements) != 2 {
		t.Fatalf("movements?lot=X: %d %s, want its purchase and its sale", status, body)
	}
	status, _, body = request(t, a, "GET", "/api/v1/movements?sku=MILK&location=S1", a.Token, nil, "")
	if err := json.Unmarshal([]byte(body), &page); status != 200 || err != nil || len(page.Movements) != 1 || page.Movements[0].Kind != "RELOCATION" {
		t.Fatalf("movements?location=S1: %d %s, want the relocation", status, body)
	}
	status, _, body = request(t, a, "GET", "/api/v1/reports/movements.csv?sku=MILK&kind=PURCHASE", a.Token, nil, "")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if status != 200 || err != nil || len(rows) != 6 {
		t.Fatalf("movements.csv: %d %v %q", status, err, body)
	}
	if got := strings.Join(rows[1][11:], ","); got != "B,"+later+",,1 box (12)" {
		t.Fatalf("the purchase of a box reads %q in movements.csv", got)
	}
	status, _, body = request(t, a, "GET", "/api/v1/stock.csv", a.Token, nil, "")
	want := "warehouse,sku,unit,lot,expires_on,location,path,quantity\r\n" +
		"MAD-1,MILK,l,X," + past + ",,,4\r\n" +
		"MAD-1,MILK,l,B," + later + ",,,12\r\n" +
		"MAD-1,MILK,l,B," + later + ",S1,R1/S1,5\r\n" +
		"MAD-1,MILK,l,,,,,2\r\n"
	if status != 200 || body != want {
		t.Fatalf("stock.csv: %d %q, want %q", status, body, want)
	}
}

// TestLotExpiring: lotExpiring fires once for a lot that enters the window
// through a purchase, not for one already in it when the subscription
// started nor for one outside it, and stockChanged carries the lots and
// location of the movement.
func TestLotExpiring(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1")
	mustCreate(t, n, "EX", 0)
	n.MustGraphQL(t, `mutation { createLocation(input: {code: "B1"}) { code } }`, nil)
	buy := func(code, expires string, location any) {
		t.Helper()
		n.MustGraphQL(t, lotMovement, map[string]any{"in": map[string]any{"sku": "EX", "kind": "PURCHASE", "quantity": 2,
			"lot": map[string]any{"code": code, "expiresOn": expires}, "location": location}})
	}
	buy("OLD", day(2), nil) // in the window before the subscription
	w, err := dialWS(t, n, "graphql-transport-ws", n.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer w.c.Close()
	w.subscribe("1", `subscription { lotExpiring(withinDays: 10) { warehouse { id } sku code expiresOn quantity } }`)
	w.subscribe("2", `subscription { stockChanged(sku: "EX") { quantity location lots { code } movement { lots { code expiresOn quantity location } location } } }`)
	waitMetric(t, n, "stockmesh_subscriptions_open", 2)
	buy("FAR", day(40), "B1")
	buy("OLD", day(2), nil)
	buy("NEW", day(5), nil)
	var changes []map[string]any
	var expiring []map[string]any
	for len(changes) < 3 {
		for k, v := range w.next() {
			if k == "lotExpiring" {
				expiring = append(expiring, v.(map[string]any))
			} else {
				changes = append(changes, v.(map[string]any))
			}
		}
	}
	first := changes[0]["movement"].(map[string]any)
	lots := first["lots"].([]any)[0].(map[string]any)
	if first["location"] != "B1" || lots["code"] != "FAR" || lots["location"] != "B1" || lots["quantity"] != 2.0 {
		t.Fatalf("stockChanged's movement %v, want lot FAR at B1", first)
	}
	if c := changes[0]; c["location"] != "B1" || c["lots"].([]any)[0].(map[string]any)["code"] != "FAR" {
		t.Fatalf("stockChanged %v, want lots and location of its movement", c)
	}
	for len(expiring) < 1 {
		if d := w.next(); d["lotExpiring"] != nil {
			expiring = append(expiring, d["lotExpiring"].(map[string]any))
		}
	}
	if e := expiring[0]; len(expiring) != 1 || e["code"] != "NEW" || e["expiresOn"] != day(5) || e["quantity"] != 2.0 ||
		e["sku"] != "EX" || e["warehouse"].(map[string]any)["id"] != "MAD-1" {
		t.Fatalf("lotExpiring fired %v, want once for NEW", expiring)
	}
}
