package stock

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

func TestPeriodStart(t *testing.T) {
	at := time.Date(2026, 12, 9, 17, 30, 0, 0, time.UTC) // a Wednesday
	cases := []struct {
		step ReportGroup
		want time.Time
	}{
		{GroupDay, time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC)},
		{GroupWeek, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)},
		{GroupMonth, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		if got := PeriodStart(c.step, at); !got.Equal(c.want) {
			t.Errorf("PeriodStart(%s, %v) = %v, want %v", c.step, at, got, c.want)
		}
	}
	if got := PeriodStart(GroupWeek, time.Date(2026, 12, 13, 23, 0, 0, 0, time.UTC)); got.Day() != 7 {
		t.Errorf("a Sunday's week starts on %v, want Monday the 7th", got)
	}
}

func TestStockHistoryNormalize(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		q       StockHistoryQuery
		wantErr bool
	}{
		{"days", StockHistoryQuery{SKU: " a-1 ", From: t0, To: t0.AddDate(0, 1, 0), Step: "day"}, false},
		{"months of ten years", StockHistoryQuery{SKU: "A", From: t0, To: t0.AddDate(10, 0, 0), Step: GroupMonth}, false},
		{"no sku", StockHistoryQuery{From: t0, To: t0.AddDate(0, 1, 0), Step: GroupDay}, true},
		{"step not a period", StockHistoryQuery{SKU: "A", From: t0, To: t0.AddDate(0, 1, 0), Step: GroupKind}, true},
		{"empty period", StockHistoryQuery{SKU: "A", From: t0, To: t0, Step: GroupDay}, true},
		{"to before from", StockHistoryQuery{SKU: "A", From: t0, To: t0.Add(-time.Hour), Step: GroupDay}, true},
		{"too many days", StockHistoryQuery{SKU: "A", From: t0, To: t0.AddDate(11, 0, 0), Step: GroupDay}, true},
		{"bad warehouse", StockHistoryQuery{SKU: "A", Warehouse: "no spaces", From: t0, To: t0.AddDate(0, 1, 0), Step: GroupDay}, true},
		{"in Madrid", StockHistoryQuery{SKU: "A", From: t0, To: t0.AddDate(0, 1, 0), Step: GroupDay, TimeZone: "Europe/Madrid"}, false},
		{"in the server's zone", StockHistoryQuery{SKU: "A", From: t0, To: t0.AddDate(0, 1, 0), Step: GroupDay, TimeZone: "Local"}, true},
		{"in no zone", StockHistoryQuery{SKU: "A", From: t0, To: t0.AddDate(0, 1, 0), Step: GroupDay, TimeZone: "Mars/Olympus"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.q.Normalize()
			if (err != nil) != c.wantErr {
				t.Fatalf("Normalize() = %v, want error: %v", err, c.wantErr)
			}
			if err != nil && CodeOf(err) != CodeInvalidInput {
				t.Errorf("code %s, want INVALID_INPUT", CodeOf(err))
			}
		})
	}
}

func TestStockSeries(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	cases := []struct {
		name    string
		q       StockHistoryQuery
		opening map[string]int64
		net     map[string]map[string]int64
		want    string
	}{
		{"days add up from the opening", StockHistoryQuery{From: day(1, 0), To: day(4, 0), Step: GroupDay},
			map[string]int64{"A": 10}, map[string]map[string]int64{"A": {"2026-03-01": -3, "2026-03-03": 5}},
			"A 2026-03-01T00:00 7|A 2026-03-02T00:00 7|A 2026-03-03T00:00 12"},
		{"a cut first day starts at from", StockHistoryQuery{From: day(1, 15), To: day(2, 6), Step: GroupDay},
			nil, map[string]map[string]int64{"A": {"2026-03-02": 4}},
			"A 2026-03-01T15:00 0|A 2026-03-02T00:00 4"},
		{"weeks by ISO key, two warehouses", StockHistoryQuery{From: day(1, 0), To: day(15, 0), Step: GroupWeek},
			map[string]int64{"B": 2}, map[string]map[string]int64{"A": {"2026-W10": 1}, "B": {"2026-W11": 3}},
			"A 2026-03-01T00:00 0|A 2026-03-02T00:00 1|A 2026-03-09T00:00 1|B 2026-03-01T00:00 2|B 2026-03-02T00:00 2|B 2026-03-09T00:00 5"},
		{"months", StockHistoryQuery{From: day(15, 0), To: time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC), Step: GroupMonth},
			map[string]int64{"A": 1}, map[string]map[string]int64{"A": {"2026-04": 9, "2026-05": -10}},
			"A 2026-03-15T00:00 1|A 2026-04-01T00:00 10|A 2026-05-01T00:00 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			whs := []string{"A"}
			if len(c.net) > 1 {
				whs = []string{"A", "B"}
			}
			var got string
			for i, p := range StockSeries(&c.q, time.UTC, whs, c.opening, c.net) {
				if i > 0 {
					got += "|"
				}
				got += fmt.Sprintf("%s %s %d", p.Warehouse, p.At.Format("2006-01-02T15:04"), p.Quantity)
			}
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestStockSeriesInZone: steps are days of the query's zone, keyed as a
// report in that zone keys them; the first starts at from.
func TestStockSeriesInZone(t *testing.T) {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	q := StockHistoryQuery{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),
		Step: GroupDay, TimeZone: "Europe/Madrid"}
	net := map[string]map[string]int64{"A": {"2026-03-01": 2, "2026-03-02": 3, "2026-03-03": 4}}
	var got string
	for _, p := range StockSeries(&q, madrid, []string{"A"}, nil, net) {
		got += fmt.Sprintf("|%s %d", p.At.UTC().Format("2006-01-02T15:04"), p.Quantity)
	}
	// Madrid is an hour ahead in March: its days start at 23:00 UTC.
	if want := "|2026-03-01T00:00 2|2026-03-01T23:00 5|2026-03-02T23:00 9"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestMe(t *testing.T) {
	cases := []struct {
		name string
		ctx  context.Context
		want string
		code Code
	}{
		{"viewer", auth.WithPrincipal(context.Background(), auth.Principal{Name: "kim", Role: auth.RoleViewer}), "kim viewer", ""},
		{"operator", auth.WithPrincipal(context.Background(), auth.Principal{Name: "ana", Role: auth.RoleOperator}), "ana operator", ""},
		{"admin", auth.WithPrincipal(context.Background(), auth.Principal{Name: "root", Role: auth.RoleAdmin}), "root admin", ""},
		{"no token", context.Background(), "", CodeUnauthenticated},
		{"unknown role", auth.WithPrincipal(context.Background(), auth.Principal{Name: "x", Role: "guest"}), "", CodeForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Me(c.ctx)
			if c.code != "" {
				if CodeOf(err) != c.code {
					t.Fatalf("Me = %v, %v; want %s", p, err, c.code)
				}
				return
			}
			if err != nil || p.Name+" "+string(p.Role) != c.want {
				t.Fatalf("Me = %+v, %v; want %s", p, err, c.want)
			}
		})
	}
}
