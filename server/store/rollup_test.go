package store

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestRollupMatchesLedger: batches that mix fast movements, price changes
// between them, movements of slower jobs (a product update's adjustment,
// a deletion's), refused sales and a failed commit leave the rollup equal
// to the ledger summed again, value at each movement's recorded price.
func TestRollupMatchesLedger(t *testing.T) {
	h := newHarness(t)
	h.create("A", 10)
	h.create("B", 5)
	price := func(sku string, p stock.Price) testJob {
		return testJob{Op: stock.OpProductUpdate, SKU: sku, Update: &stock.UpdateProductInput{Price: &p}}
	}
	quantity := func(sku string, q int64) testJob {
		return testJob{Op: stock.OpProductUpdate, SKU: sku, Update: &stock.UpdateProductInput{Quantity: &q}}
	}
	batches := [][]testJob{
		{sale("A", 1), move("B", stock.KindPurchase, 3), price("A", 2_5000), sale("A", 2), sale("B", 100)},
		{sale("A", 1), quantity("A", 40), price("B", 7_0000), move("B", stock.KindPurchase, 1), sale("A", 3)},
		{price("A", 1_0000), price("A", 3_0000), sale("A", 1), {Op: stock.OpProductDelete, SKU: "B"}},
		{sale("A", 1), sale("A", 1000), move("A", stock.KindPurchase, 2)},
	}
	for _, b := range batches {
		h.write(b...)
	}
	h.failCommitsOf("BAD") // a batch that fails at its commit leaves nothing
	bad := testJob{Op: stock.OpMovementRecord, Movement: &stock.MovementInput{SKU: "A", Kind: stock.KindSale, Quantity: 1, Reference: "BAD"}}
	h.write(sale("A", 1), price("A", 9_0000), bad)
	h.write(sale("A", 1), price("A", 4_0000), sale("A", 2))
	checkRollup(t, h)
}

// checkRollup compares the rollup with the ledger summed again.
func checkRollup(t *testing.T, h *harness) {
	t.Helper()
	const want = `SELECT sku, h, warehouse_id, kind, sum(max(quantity, 0)), sum(max(-quantity, 0)), count(*), sum(abs(quantity) * price)
		FROM (SELECT sku, unixepoch(created_at) / 3600 AS h, warehouse_id, kind, quantity, price FROM movements
			UNION ALL SELECT '', unixepoch(created_at) / 3600, warehouse_id, kind, quantity, price FROM movements)
		GROUP BY sku, h, warehouse_id, kind`
	const got = `SELECT sku, hour, warehouse_id, kind, units_in, units_out, count, value FROM movement_rollup
		ORDER BY sku, hour, warehouse_id, kind`
	read := func(q string) []string {
		rows, err := h.s.wdb.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var sku, wh, kind string
			var hour, in, outs, n, value int64
			if err := rows.Scan(&sku, &hour, &wh, &kind, &in, &outs, &n, &value); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(sku, hour, wh, kind, in, outs, n, value))
		}
		return out
	}
	w, g := read(want+` ORDER BY sku, h, warehouse_id, kind`), read(got)
	if !slices.Equal(w, g) {
		t.Errorf("rollup:\n%v\nledger summed:\n%v", g, w)
	}
	if len(w) < 6 {
		t.Errorf("only %d rollup rows: the test moved too little", len(w))
	}
}
