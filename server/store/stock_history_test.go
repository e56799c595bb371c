package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestStockHistory: each point of a sku's stock over time equals the
// balance of its last movement before the end of the point's step (or the
// query's to), per warehouse, for steps of days, weeks and months, periods
// cut at odd moments, one warehouse or every one holding the sku; and a
// query the rollup cannot answer is refused.
func TestStockHistory(t *testing.T) {
	h, moves := reportNode(t)
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	now := time.Now().UTC()
	cases := []struct {
		name string
		q    stock.StockHistoryQuery
		whs  []string // the warehouses answered, in order
	}{
		{"days of the replica", stock.StockHistoryQuery{SKU: "S-3", Warehouse: "LIS-1", From: at("2026-03-25T00:00:00Z"), To: at("2026-04-10T00:00:00Z"), Step: stock.GroupDay}, []string{"LIS-1"}},
		{"days cut mid-hour", stock.StockHistoryQuery{SKU: "S-2", Warehouse: "LIS-1", From: at("2026-03-21T10:31:07.5Z"), To: at("2026-04-02T17:45:00Z"), Step: stock.GroupDay}, []string{"LIS-1"}},
		{"weeks", stock.StockHistoryQuery{SKU: "S-0", Warehouse: "LIS-1", From: at("2026-03-01T00:00:00Z"), To: at("2026-05-15T00:00:00Z"), Step: stock.GroupWeek}, []string{"LIS-1"}},
		{"months before and after", stock.StockHistoryQuery{SKU: "S-4", Warehouse: "LIS-1", From: at("2025-12-15T00:00:00Z"), To: at("2026-07-01T00:00:00Z"), Step: stock.GroupMonth}, []string{"LIS-1"}},
		{"every warehouse, local first", stock.StockHistoryQuery{SKU: "S-1", From: at("2026-03-01T00:00:00Z"), To: now.Add(48 * time.Hour), Step: stock.GroupMonth}, []string{"BCN-1", "LIS-1"}},
		{"the local warehouse today", stock.StockHistoryQuery{SKU: "S-1", Warehouse: "BCN-1", From: now.Add(-72 * time.Hour), To: now.Add(time.Hour), Step: stock.GroupDay}, []string{"BCN-1"}},
		{"a sku nobody holds", stock.StockHistoryQuery{SKU: "NONE", From: at("2026-03-01T00:00:00Z"), To: at("2026-04-01T00:00:00Z"), Step: stock.GroupWeek}, nil},
		{"days in Madrid", stock.StockHistoryQuery{SKU: "S-3", Warehouse: "LIS-1", From: at("2026-03-25T00:00:00Z"), To: at("2026-04-10T00:00:00Z"), Step: stock.GroupDay, TimeZone: "Europe/Madrid"}, []string{"LIS-1"}},
		{"days in New York", stock.StockHistoryQuery{SKU: "S-2", Warehouse: "LIS-1", From: at("2026-03-21T10:31:07.5Z"), To: at("2026-04-02T17:45:00Z"), Step: stock.GroupDay, TimeZone: "America/New_York"}, []string{"LIS-1"}},
		{"weeks in Tokyo", stock.StockHistoryQuery{SKU: "S-0", Warehouse: "LIS-1", From: at("2026-03-01T00:00:00Z"), To: at("2026-05-15T00:00:00Z"), Step: stock.GroupWeek, TimeZone: "Asia/Tokyo"}, []string{"LIS-1"}},
		{"months in Madrid", stock.StockHistoryQuery{SKU: "S-4", Warehouse: "LIS-1", From: at("2025-12-15T00:00:00Z"), To: at("2026-07-01T00:00:00Z"), Step: stock.GroupMonth, TimeZone: "Europe/Madrid"}, []string{"LIS-1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := c.q
			got, err := call(t, h, stock.OpStockHistory, &q)
			if err != nil {
				t.Fatal(err)
			}
			want := expectedHistory(c.q, c.whs, moves)
			if len(c.whs) > 0 && !moved(want) {
				t.Fatalf("the case shows no stock at all: %v", want)
			}
			if fmt.Sprint(got.Points) != fmt.Sprint(want) {
				t.Fatalf("got  %v\nwant %v", got.Points, want)
			}
		})
	}
	refusals := []struct {
		name string
		q    stock.StockHistoryQuery
		code stock.Code
	}{
		{"step not a period", stock.StockHistoryQuery{SKU: "S-1", From: now.Add(-time.Hour), To: now, Step: stock.GroupSKU}, stock.CodeInvalidInput},
		{"from after to", stock.StockHistoryQuery{SKU: "S-1", From: now, To: now.Add(-time.Hour), Step: stock.GroupDay}, stock.CodeInvalidInput},
		{"too many steps", stock.StockHistoryQuery{SKU: "S-1", From: now.AddDate(-11, 0, 0), To: now, Step: stock.GroupDay}, stock.CodeInvalidInput},
		{"unknown warehouse", stock.StockHistoryQuery{SKU: "S-1", Warehouse: "NOPE", From: now.Add(-time.Hour), To: now, Step: stock.GroupDay}, stock.CodeNotFound},
		{"the server's zone", stock.StockHistoryQuery{SKU: "S-1", From: now.Add(-time.Hour), To: now, Step: stock.GroupDay, TimeZone: "Local"}, stock.CodeInvalidInput},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			q := c.q
			if _, err := call(t, h, stock.OpStockHistory, &q); err == nil || err.Code != c.code {
				t.Errorf("got %v, want %s", err, c.code)
			}
		})
	}
}

// expectedHistory computes q's points from the movements one by one: the
// balance of the last movement before each step's end (or q.To).
func expectedHistory(q stock.StockHistoryQuery, whs []string, moves []priced) []stock.StockPoint {
	out := []stock.StockPoint{}
	loc, err := q.Location()
	if err != nil {
		panic(err)
	}
	for _, wh := range whs {
		for p := stock.PeriodStart(q.Step, q.From.In(loc)); p.Before(q.To); {
			next := p.AddDate(0, map[stock.ReportGroup]int{stock.GroupMonth: 1}[q.Step], map[stock.ReportGroup]int{stock.GroupDay: 1, stock.GroupWeek: 7}[q.Step])
			end := next
			if q.To.Before(end) {
				end = q.To
			}
			var qty int64
			for _, m := range moves {
				if m.m.Warehouse == wh && m.m.SKU == q.SKU && m.m.CreatedAt.Before(end) {
					qty = m.m.Balance
				}
			}
			start := p
			if start.Before(q.From) {
				start = q.From
			}
			out = append(out, stock.StockPoint{Warehouse: wh, At: start.UTC(), Quantity: qty})
			p = next
		}
	}
	return out
}

// moved reports whether some point's quantity differs from the first's.
func moved(ps []stock.StockPoint) bool {
	for _, p := range ps {
		if p.Quantity != ps[0].Quantity {
			return true
		}
	}
	return false
}
