package store

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/stockmesh/stockmesh/server/stock"
)

// rollupSales is the independent computation the sales window must agree
// with: the SALE units of the rollup per sku and warehouse from hour on,
// summed row by row.
const rollupSales = `SELECT sku, warehouse_id, SUM(units_out) FROM movement_rollup
	WHERE kind = 'SALE' AND sku <> '' AND hour >= ? GROUP BY 1, 2`

// TestSalesWindowMatchesRollup: whatever reaches the rollup (the writer's
// own movements, in batches of several, and another warehouse's applied
// from its log), however the window moves (forward by hours or days past
// the rows, back when the setting grows, in batches that commit or roll
// back, across a reopen), the window's sums from any first hour equal the
// rollup's, and the table keeps its invariant.
func TestSalesWindowMatchesRollup(t *testing.T) {
	h, other, _ := trio(t)
	h.create("S0", 1_000_000)
	other.create("S1", 1_000_000)
	now := time.Now()
	base := now.Unix() / 3600
	skus := []string{"S0", "S1", "S2"}
	at := func(hour int64) time.Time { return time.Unix(hour*3600+1800, 0) }
	rapid.Check(t, func(rt *rapid.T) {
		rt.Repeat(map[string]func(*rapid.T){
			"sell": func(rt *rapid.T) { sell(h, "S0", rapid.Int64Range(1, 5).Draw(rt, "units")) },
			"batch": func(rt *rapid.T) { // several jobs, sales and others, in one batch
				var jobs []testJob
				for range rapid.IntRange(1, 6).Draw(rt, "jobs") {
					kind := rapid.SampledFrom([]stock.Kind{stock.KindSale, stock.KindPurchase, stock.KindReturn}).Draw(rt, "kind")
					jobs = append(jobs, move("S0", kind, rapid.Int64Range(1, 5).Draw(rt, "units")))
				}
				h.write(jobs...)
			},
			"replicate": func(rt *rapid.T) { // BCN-1's sales, of this hour or of weeks ago, reach MAD-1 by its log
				ago := time.Duration(rapid.IntRange(0, 40*24).Draw(rt, "hours ago")) * time.Hour
				writerClock = func() time.Time { return time.Now().Add(-ago) }
				sell(other, "S1", rapid.Int64Range(1, 5).Draw(rt, "units"))
				writerClock = time.Now
				pull(other, h, "BCN-1")
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
				want := windowSums(rt, h, rollupSales, since)
				// salesSince, and what a plan of every sku reads (the sums, then
				// salesGapAll), both equal the rollup's.
				for _, query := range []string{salesSince, `SELECT warehouse_id, sku, units FROM sales_window UNION ALL ` + salesGapAll} {
					if got := sinceSums(rt, h, query, skuArray(append(skus, "NONE")), since); !maps.Equal(got, want) {
						rt.Fatalf("sales since hour %d (window from %d) = %v\nthe rollup's %v\n%s", since, from, got, want, query)
					}
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

// sinceSums returns the sku@warehouse → units of query's warehouse, sku,
// units rows, summed, without zeros.
func sinceSums(rt *rapid.T, h *harness, query string, args ...any) map[string]int64 {
	got := map[string]int64{}
	rows, err := h.s.rdb.QueryContext(context.Background(), query, args...)
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
	if err := rows.Err(); err != nil {
		rt.Fatal(err)
	}
	maps.DeleteFunc(got, func(_ string, n int64) bool { return n == 0 })
	return got
}
