package store

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// rollupSales is the independent computation the sales window must agree
// with: the SALE units of the rollup per sku and warehouse from hour on,
// summed row by row.
const rollupSales = `SELECT sku, warehouse_id, SUM(units_out) FROM movement_rollup
	WHERE kind = 'SALE' AND sku <> '' AND hour >= ? GROUP BY 1, 2`

// TestSalesWindowMatchesRollup: whatever reaches the rollup (the writer's
// sales, rows of any hour and kind as replication brings them), however
// the window moves (forward by hours or days, back when the setting
// grows, in batches that commit or roll back, across a reopen), the
// window's sums from any first hour equal the rollup's, and the table
// keeps its invariant.
func TestSalesWindowMatchesRollup(t *testing.T) {
	h := newHarness(t)
	h.create("S0", 1_000_000)
	now := time.Now()
	base := now.Unix() / 3600
	skus := []string{"S0", "S1", "S2"}
	at := func(hour int64) time.Time { return time.Unix(hour*3600+1800, 0) }
	rapid.Check(t, func(rt *rapid.T) {
		rt.Repeat(map[string]func(*rapid.T){
			"sell": func(rt *rapid.T) { sell(h, "S0", rapid.Int64Range(1, 5).Draw(rt, "units")) },
			"row": func(rt *rapid.T) {
				_, err := h.s.wdb.Exec(`INSERT INTO movement_rollup (sku, hour, warehouse_id, kind, units_in, units_out, count, value)
					VALUES (?, ?, ?, ?, 0, ?, 1, 0) ON CONFLICT DO UPDATE SET units_out = units_out + excluded.units_out, count = count + 1`,
					rapid.SampledFrom(append(skus, "")).Draw(rt, "sku"), base+rapid.Int64Range(-60*24, 48).Draw(rt, "hour"),
					rapid.SampledFrom([]string{"MAD-1", "BCN-1"}).Draw(rt, "warehouse"),
					rapid.SampledFrom([]string{"SALE", "PURCHASE", "TRANSFER_OUT"}).Draw(rt, "kind"), rapid.Int64Range(1, 9).Draw(rt, "units"))
				if err != nil {
					rt.Fatal(err)
				}
			},
			"move": func(rt *rapid.T) {
				h.s.salesDays = rapid.IntRange(1, 45).Draw(rt, "days")
				when := at(base + rapid.Int64Range(-2, 24*20).Draw(rt, "later"))
				m := h.s.w.mark()
				b, err := h.s.begin(false)
				if err != nil {
					rt.Fatal(err)
				}
				defer b.close()
				if err := b.advanceSalesWindow(when); err != nil {
					rt.Fatal(err)
				}
				if want := windowStart(when, h.s.salesDays); h.s.w.salesFrom != want {
					rt.Fatalf("salesFrom %d after moving to %d", h.s.w.salesFrom, want)
				}
				if rapid.Bool().Draw(rt, "roll back") {
					b.rollback()
					h.s.w.restore(m)
					return
				}
				if err := b.commit(); err != nil {
					rt.Fatal(err)
				}
				h.s.w.committed()
			},
			"reopen": func(rt *rapid.T) {
				from := h.s.w.salesFrom
				h.reopen()
				if h.s.w.salesFrom != from {
					rt.Fatalf("salesFrom %d after reopening, was %d", h.s.w.salesFrom, from)
				}
			},
			"": func(rt *rapid.T) {
				var from int64
				if err := h.s.rdb.QueryRow(`SELECT hour FROM sales_window_from`).Scan(&from); err != nil || from != h.s.w.salesFrom {
					rt.Fatalf("sales_window_from %d (%v), the writer's %d", from, err, h.s.w.salesFrom)
				}
				if kept, want := windowSums(rt, h, `SELECT sku, warehouse_id, units FROM sales_window WHERE units <> 0`),
					windowSums(rt, h, rollupSales, from); !maps.Equal(kept, want) {
					rt.Fatalf("sales_window from hour %d = %v\nthe rollup's %v", from, kept, want)
				}
				since := base + rapid.Int64Range(-50*24, 30).Draw(rt, "since")
				got := map[string]int64{}
				rows, err := h.s.rdb.QueryContext(context.Background(), salesSince, skuArray(append(skus, "NONE")), since)
				if err != nil {
					rt.Fatal(err)
				}
				defer rows.Close()
				for rows.Next() {
					var wh, sku string
					var n int64
					if err := rows.Scan(&wh, &sku, &n); err != nil {
						rt.Fatal(err)
					}
					got[sku+"@"+wh] += n
				}
				maps.DeleteFunc(got, func(_ string, n int64) bool { return n == 0 })
				if want := windowSums(rt, h, rollupSales, since); !maps.Equal(got, want) {
					rt.Fatalf("sales since hour %d (window from %d) = %v\nthe rollup's %v", since, from, got, want)
				}
			},
		})
	})
}

// windowSums returns the sku@warehouse → units rows of query, without
// zeros.
func windowSums(rt *rapid.T, h *harness, query string, args ...any) map[string]int64 {
	rows, err := h.s.rdb.Query(query, args...)
	if err != nil {
		rt.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var sku, wh string
		var n int64
		if err := rows.Scan(&sku, &wh, &n); err != nil {
			rt.Fatal(err)
		}
		if n != 0 {
			out[fmt.Sprint(sku, "@", wh)] = n
		}
	}
	return out
}
