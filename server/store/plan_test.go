package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// queryPlan returns SQLite's plan of query, one step a line.
func queryPlan(t *testing.T, h *harness, query string, args []any) string {
	t.Helper()
	rows, err := h.s.rdb.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, "\n")
}

// checkPlan fails when a plan reads a whole table or sorts what it reads
// (a temp B-tree): every query of the reports walks an index from where
// its filter or cursor starts.
func checkPlan(t *testing.T, name, plan string) {
	t.Helper()
	for _, line := range strings.Split(plan, "\n") {
		full := strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, " USING ") && !strings.Contains(line, "VIRTUAL TABLE") ||
			strings.Contains(line, "TEMP B-TREE") || strings.HasPrefix(line, "SCAN movement_rollup")
		if full {
			t.Errorf("%s reads more than it needs:\n%s", name, plan)
			return
		}
	}
	// Only an unfiltered listing may walk the ledger's time index from its
	// newest end (and stops after a page).
	if strings.Contains(plan, "SCAN movements") && !strings.HasPrefix(name, "list {}") && !strings.Contains(name, "Kinds") {
		t.Errorf("%s walks the ledger without a bound:\n%s", name, plan)
	}
}

// TestQueryPlans: every query the reports run, for every filter they
// take, searches an index: none reads the whole ledger or rollup, none
// sorts.
func TestQueryPlans(t *testing.T) {
	h, _ := reportNode(t)
	from, to := time.Now().Add(-time.Hour), time.Now()
	pos := &stock.MovementPosition{At: to, Warehouse: "LIS-1", Seq: 9}
	filters := []stock.MovementFilter{{}, {Warehouse: "LIS-1"}, {SKU: "S-1"}, {SKU: "S-1", Warehouse: "LIS-1"},
		{Reference: "PO-1"}, {Actor: "ana"}, {Actor: "ana", Warehouse: "LIS-1"}, {Kinds: []stock.Kind{stock.KindSale}},
		{From: &from, To: &to}, {Warehouse: "LIS-1", From: &from}, {SKU: "S-1", To: &to, Kinds: []stock.Kind{stock.KindSale}}}
	for _, f := range filters {
		name := fmt.Sprintf("%+v", f)
		q, args := listingSQL(&f, nil, 51, h.s.keys)
		checkPlan(t, "list "+name, queryPlan(t, h, q, args))
		q, args = listingSQL(&f, pos, 51, h.s.keys)
		plan := queryPlan(t, h, q, args)
		checkPlan(t, "list after "+name, plan)
		if !strings.Contains(plan, "SEARCH movements") {
			t.Errorf("a page after a cursor of %s does not search from the cursor:\n%s", name, plan)
		}
		if f.From != nil || f.Reference != "" || f.Actor != "" || f.SKU != "" || f.Warehouse != "" {
			q, args = ledgerTotalsSQL(&f, h.s.keys)
			checkPlan(t, "ledger totals "+name, queryPlan(t, h, q, args))
		}
		if f.SKU == "" {
			q, args = rollupQuery(&f, 100, 200)
			plan = queryPlan(t, h, q, args)
			checkPlan(t, "rollup by sku "+name, plan)
			if !strings.Contains(plan, "SEARCH movement_rollup USING PRIMARY KEY") {
				t.Errorf("rollup by sku %s: %s", name, plan)
			}
		}
		q, args = segmentQuery(&f, "[[0,100,200],[1,200,300]]")
		plan = queryPlan(t, h, q, args)
		// It sorts the rollup rows it totals to group them (GROUP BY),
		// never the ledger.
		checkPlan(t, "rollup segments "+name, strings.ReplaceAll(plan, "USE TEMP B-TREE FOR GROUP BY", ""))
		if !strings.Contains(plan, "SEARCH r USING PRIMARY KEY (sku=? AND hour>? AND hour<?)") {
			t.Errorf("rollup segments %s: %s", name, plan)
		}
	}
	plan := queryPlan(t, h, rollupRange, nil)
	if !strings.Contains(plan, "SEARCH movement_rollup USING PRIMARY KEY (sku=?)") {
		t.Errorf("rollup range: %s", plan)
	}
	// Low stock reads the live catalogue, never the ledger.
	for _, wh := range []any{nil, "LIS-1"} {
		if plan := queryPlan(t, h, lowStockSQL, []any{wh}); strings.Contains(plan, "movements") {
			t.Errorf("lowStock reads the ledger: %s", plan)
		}
	}
	checkPlan(t, "stockAt", queryPlan(t, h, stockAtSQL, []any{"S-1", "LIS-1", to}))
	if plan := queryPlan(t, h, liveProductsSQL, []any{"LIS-1", `["S-1","S-3"]`}); !strings.Contains(plan, "SEARCH products USING INDEX") {
		t.Errorf("an import's products are not read through the live products' index:\n%s", plan)
	}
	if plan := queryPlan(t, h, stockAtSQL, []any{"S-1", "LIS-1", to}); !strings.Contains(plan, "SEARCH movements USING INDEX movement_sku_created_at") {
		t.Errorf("stockAt: %s", plan)
	}
}
