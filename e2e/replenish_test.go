package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// createPlanned creates sku on n with qty units, a reorder point and a
// maximum.
func createPlanned(t *testing.T, n *testnode.Node, sku string, qty, reorder, maxStock int) {
	t.Helper()
	r := n.MustGraphQL(t, `mutation($in: CreateProductInput!) { createProduct(input: $in) { maxStock } }`, map[string]any{"in": map[string]any{
		"sku": sku, "name": "Product =" + sku, "price": "2.50", "initialQuantity": qty, "reorderPoint": reorder, "maxStock": maxStock}})
	var out struct{ CreateProduct struct{ MaxStock int } }
	decode(t, r, &out)
	if out.CreateProduct.MaxStock != maxStock {
		t.Fatalf("created %s with maxStock %d, want %d", sku, out.CreateProduct.MaxStock, maxStock)
	}
}

// getText runs GET path on n with accept and returns the status and body.
func getText(t *testing.T, n *testnode.Node, path, accept string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+n.Token)
	req.Header.Set("Accept", accept)
	resp, err := n.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReplenishmentAcrossNodes: BCN-1 sells a product below its reorder
// point; replenishmentNeeded on BCN-1 suggests the units MAD-1 (whose
// product and maximum BCN-1 holds by replication) can spare, once; the
// plan says the same over GraphQL and REST (JSON and CSV), and stockLevels
// shows BCN-1's days of cover.
func TestReplenishmentAcrossNodes(t *testing.T) {
	ns := startMesh(t, "BCN-1")
	mad, bcn := ns[0], ns[1]
	createPlanned(t, mad.Node, "RP", 100, 10, 0)
	createPlanned(t, bcn.Node, "RP", 25, 20, 40)
	deadline := time.Now().Add(60 * time.Second)
	for len(levels(t, bcn.Node, "RP")) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("BCN-1 never held MAD-1's RP")
		}
		time.Sleep(100 * time.Millisecond)
	}
	ws, err := dialWS(t, bcn.Node, "graphql-transport-ws", bcn.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.c.Close()
	ws.subscribe("1", `subscription { replenishmentNeeded(warehouse: "BCN-1") { sku from { id } to { id } quantity reason } }`)
	ws.subscribe("2", `subscription { stockChanged(sku: "RP", warehouse: "BCN-1") { quantity } }`)
	waitMetric(t, bcn.Node, "stockmesh_subscriptions_open", 2) // both registered before the purchase below
	bcn.MustGraphQL(t, `mutation { recordMovement(input: {sku: "RP", kind: PURCHASE, quantity: 1}) { id } }`, nil)
	for d := ws.next(); fmt.Sprint(d) != "map[stockChanged:map[quantity:26]]"; d = ws.next() {
	} // both subscriptions run: the next change is seen
	bcn.MustGraphQL(t, `mutation { recordMovement(input: {sku: "RP", kind: SALE, quantity: 11}) { id } }`, nil)
	// 15 left of 20, 11 sold: brought to its maximum, 40, from MAD-1.
	want := "map[replenishmentNeeded:map[from:map[id:MAD-1] quantity:25 reason:BELOW_REORDER_POINT sku:RP to:map[id:BCN-1]]]"
	for d := ws.next(); fmt.Sprint(d) != want; d = ws.next() {
		if d["replenishmentNeeded"] != nil {
			t.Fatalf("replenishmentNeeded: %v, want %s", d, want)
		}
	}
	r := bcn.MustGraphQL(t, `{ replenishmentPlan(warehouse: "BCN-1") { sku from { id } to { id } quantity fromDaysOfCover toDaysOfCover }
		stockLevels(sku: "RP") { warehouse { id } daysOfCover } }`, nil)
	var out struct {
		ReplenishmentPlan []struct {
			SKU                            string
			From, To                       struct{ ID string }
			Quantity                       int
			FromDaysOfCover, ToDaysOfCover *float64
		}
		StockLevels []struct {
			Warehouse   struct{ ID string }
			DaysOfCover *float64
		}
	}
	decode(t, r, &out)
	if p := out.ReplenishmentPlan; len(p) != 1 || p[0].Quantity != 25 || p[0].From.ID != "MAD-1" || p[0].FromDaysOfCover != nil ||
		p[0].ToDaysOfCover == nil || *p[0].ToDaysOfCover != 15*30/11.0 {
		t.Fatalf("replenishmentPlan = %+v", p)
	}
	for _, l := range out.StockLevels {
		if (l.Warehouse.ID == "BCN-1") != (l.DaysOfCover != nil) {
			t.Errorf("daysOfCover of %s = %v", l.Warehouse.ID, l.DaysOfCover)
		}
	}
	if code, body := getText(t, bcn.Node, "/api/v1/replenishment?warehouse=BCN-1", "application/json"); code != 200 ||
		!strings.Contains(body, `"sku":"RP","from":"MAD-1","to":"BCN-1","quantity":25,"reason":"BELOW_REORDER_POINT","fromDaysOfCover":null`) {
		t.Errorf("GET /api/v1/replenishment: %d %s", code, body)
	}
	if code, body := getText(t, bcn.Node, "/api/v1/replenishment?warehouse=BCN-1", "text/csv"); code != 200 ||
		body != "sku,from,to,quantity,reason,fromDaysOfCover,toDaysOfCover\r\nRP,MAD-1,BCN-1,25,BELOW_REORDER_POINT,,40.9\r\n" {
		t.Errorf("GET /api/v1/replenishment as CSV: %d %q", code, body)
	}
	if code, _ := getText(t, bcn.Node, "/api/v1/replenishment?warehouse=NOPE-1", "application/json"); code != 404 {
		t.Errorf("an unknown warehouse: %d, want 404", code)
	}
}
