package store

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// newNetwork returns an origin, MAD-1, after a random load, and a node of
// BCN-1 with products of its own (P-1 among them, a sku MAD-1 may share)
// that holds MAD-1's whole log, applied with log.apply as replication
// does.
func newNetwork(t *testing.T) (origin, node *harness, log []stock.LogEntry) {
	t.Helper()
	origin = newHarness(t)
	loadRandomly(t, origin, 7, 20)
	log = readLog(t, origin, "MAD-1", 500)
	node = newReplica(t, &stock.Warehouse{ID: "BCN-1", Name: "Barcelona"})
	node.create("P-1", 5)
	node.create("LOCAL-ONLY", 2)
	node.ok(applyJob(log))
	return origin, node, log
}

// TestReadsOfReplicas: products, a product and movements of a replica
// read as the origin reads its own warehouse; omitting the warehouse (or
// naming the local one) reads the local warehouse; an unknown warehouse is
// NOT_FOUND naming it.
func TestReadsOfReplicas(t *testing.T) {
	origin, node, _ := newNetwork(t)
	all := &stock.ProductQuery{First: stock.MaxPageSize}
	want := origin.ok(testJob{Op: stock.OpProductList, Products: all}).ProductPage
	if len(want.Products) == 0 {
		t.Fatal("the origin has no live products")
	}
	got := node.ok(testJob{Op: stock.OpProductList, Products: &stock.ProductQuery{Warehouse: "MAD-1", First: stock.MaxPageSize}}).ProductPage
	if !reflect.DeepEqual(got, want) {
		t.Errorf("products of MAD-1 on the replica:\n got %+v\nwant %+v", got, want)
	}
	sku := want.Products[0].SKU
	if p := node.ok(testJob{Op: stock.OpProductGet, SKU: sku, In: "MAD-1"}).Product; !reflect.DeepEqual(p, &want.Products[0]) {
		t.Errorf("product %s of MAD-1 = %+v, want %+v", sku, p, want.Products[0])
	}
	if m, w := node.movements(stock.MovementFilter{Warehouse: "MAD-1"}), origin.movements(stock.MovementFilter{}); !reflect.DeepEqual(m, w) {
		t.Errorf("movements of MAD-1 on the replica differ from the origin's (%d, want %d)", len(m), len(w))
	}
	for _, wh := range []string{"", "BCN-1"} {
		local := node.ok(testJob{Op: stock.OpProductList, Products: &stock.ProductQuery{Warehouse: wh}}).ProductPage
		if len(local.Products) != 2 || local.Products[0].SKU != "LOCAL-ONLY" || local.Products[1].Warehouse != "BCN-1" {
			t.Errorf("products of %q = %+v, want BCN-1's LOCAL-ONLY and P-1", wh, local.Products)
		}
	}
	if m := node.movements(stock.MovementFilter{Warehouse: "BCN-1"}); len(m) != 2 || m[0].Warehouse != "BCN-1" {
		t.Errorf("movements of BCN-1 = %+v, want its two", m)
	}
	// No warehouse: every warehouse the node holds, newest first.
	every, mad := node.movements(stock.MovementFilter{}), node.movements(stock.MovementFilter{Warehouse: "MAD-1"})
	if len(every) != len(mad)+2 || !slices.IsSortedFunc(every, func(a, b stock.Movement) int { return b.CreatedAt.Compare(a.CreatedAt) }) {
		t.Errorf("movements of every warehouse: %d, want %d newest first", len(every), len(mad)+2)
	}
	if p := node.ok(testJob{Op: stock.OpProductGet, SKU: "LOCAL-ONLY"}).Product; p.Warehouse != "BCN-1" {
		t.Errorf("LOCAL-ONLY without a warehouse is %+v, want BCN-1's", p)
	}
	cases := []struct {
		name string
		job  testJob
		want string
	}{
		{"products", testJob{Op: stock.OpProductList, Products: &stock.ProductQuery{Warehouse: "NOPE-1"}}, "warehouse NOPE-1 is not known"},
		{"product", testJob{Op: stock.OpProductGet, SKU: sku, In: "NOPE-1"}, "warehouse NOPE-1 is not known"},
		{"movements", testJob{Op: stock.OpMovementList, Movements: &stock.MovementQuery{Filter: stock.MovementFilter{Warehouse: "NOPE-1"}}}, "warehouse NOPE-1 is not known"},
		{"product not in the replica", testJob{Op: stock.OpProductGet, SKU: "LOCAL-ONLY", In: "MAD-1"}, "LOCAL-ONLY"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := node.read(c.job)
			if code(r) != stock.CodeNotFound || !strings.Contains(r.Err.Message, c.want) {
				t.Errorf("reply %+v, want NOT_FOUND saying %q", r.Err, c.want)
			}
		})
	}
}

// TestWarehouseList: the node lists its own warehouse first, then the
// warehouses it holds replicas of.
func TestWarehouseList(t *testing.T) {
	_, node, _ := newNetwork(t)
	l := node.ok(testJob{Op: stock.OpMemberList}).Members.Warehouses
	if len(l) != 2 || l[0].ID != "BCN-1" || !l[0].Local || l[1].ID != "MAD-1" || l[1].Local {
		t.Fatalf("warehouses = %+v, want BCN-1 (local), MAD-1", l)
	}
}

// TestStockLevels: a sku's stock in every warehouse that has it live, the
// local first, a replica as of the time of the last entry applied from its
// origin; a sku nobody has gives an empty list.
func TestStockLevels(t *testing.T) {
	origin, node, log := newNetwork(t)
	if r := origin.read(testJob{Op: stock.OpProductGet, SKU: "P-1"}); code(r) == stock.CodeNotFound {
		origin.create("P-1", 9)
		log = readLog(t, origin, "MAD-1", 500)
		node.ok(applyJob(log))
	}
	mad := origin.product("P-1").Quantity
	before := time.Now().UTC()
	levels := node.ok(testJob{Op: stock.OpStockLevels, SKU: "P-1"}).Levels.Levels
	if len(levels) != 2 {
		t.Fatalf("levels of P-1 = %+v, want BCN-1 and MAD-1", levels)
	}
	if l := levels[0]; l.Warehouse != "BCN-1" || l.Quantity != 5 || l.AsOf == nil || l.AsOf.Before(before.Add(-time.Second)) {
		t.Errorf("first level = %+v, want BCN-1: 5 as of now", l)
	}
	last := log[len(log)-1].At
	if l := levels[1]; l.Warehouse != "MAD-1" || l.Quantity != mad || l.AsOf == nil || !l.AsOf.Equal(last) {
		t.Errorf("second level = %+v, want MAD-1: %d as of %v", l, mad, last)
	}
	if l := node.ok(testJob{Op: stock.OpStockLevels, SKU: "NOBODY"}).Levels.Levels; len(l) != 0 {
		t.Errorf("levels of NOBODY = %+v, want none", l)
	}
}

// TestChangesRefusedForOtherWarehouses: every change naming a replica's
// warehouse is refused as FORBIDDEN naming the node that owns it (its URL
// once known) and changes nothing; an unknown warehouse is NOT_FOUND; the
// local warehouse named explicitly is changed as when omitted.
func TestChangesRefusedForOtherWarehouses(t *testing.T) {
	_, node, log := newNetwork(t)
	sku := log[0].Product.SKU
	jobs := func(wh string) map[string]testJob {
		return map[string]testJob{
			"update":   {Op: stock.OpProductUpdate, SKU: sku, In: wh, Update: &stock.UpdateProductInput{Name: ptr("x")}},
			"delete":   {Op: stock.OpProductDelete, SKU: sku, In: wh},
			"set":      {Op: stock.OpStockSet, SKU: sku, In: wh, Quantity: 1},
			"movement": {Op: stock.OpMovementRecord, Movement: &stock.MovementInput{SKU: sku, Kind: stock.KindPurchase, Quantity: 1, Warehouse: wh}},
		}
	}
	check := func(wh string, want stock.Code, says string) {
		t.Helper()
		for name, j := range jobs(wh) {
			before := dumpAll(t, node)
			r := node.write(j)[0]
			if code(r) != want || !strings.Contains(r.Err.Message, says) {
				t.Errorf("%s in %s: %+v, want %s saying %q", name, wh, r.Err, want, says)
			}
			if d := diffLines(dumpAll(t, node), before); d != "" {
				t.Errorf("the refused %s changed the database: %s", name, d)
			}
		}
	}
	check("MAD-1", stock.CodeForbidden, "warehouse MAD-1 belongs to node of MAD-1")
	if err := node.direct().Warehouse.UpdateOneID("MAD-1").SetURL("https://mad.example:8443").Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	check("MAD-1", stock.CodeForbidden, "warehouse MAD-1 belongs to node https://mad.example:8443; ")
	check("NOPE-1", stock.CodeNotFound, "warehouse NOPE-1 is not known")
	local := jobs("BCN-1")
	for _, name := range []string{"update", "movement", "set", "delete"} {
		j := local[name]
		j.SKU = "P-1"
		if j.Movement != nil {
			j.Movement.SKU = "P-1"
		}
		node.ok(j)
	}
	checkLedger(t, node)
}
