package store

import (
	"slices"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestExpiringLotsOrder: expiringLots answers soonest first, then by
// warehouse, sku and lot, summing a lot's locations, whatever order the
// products were created in, and cuts at the limit in that order.
func TestExpiringLotsOrder(t *testing.T) {
	h := newHarness(t)
	for _, sku := range []string{"Z1", "A1", "M1"} { // product ids not in sku order
		h.create(sku, 0)
	}
	tok(h, stock.OpLocationCreate, &stock.CreateLocationInput{Code: "S1"})
	for _, p := range []struct {
		sku, code string
		day       stock.Date
		location  string
	}{
		{"Z1", "B", "2030-01-02", ""}, {"Z1", "A", "2030-01-02", ""}, {"A1", "C", "2030-01-02", ""},
		{"M1", "A", "2030-01-01", ""}, {"M1", "A", "2030-01-01", "S1"}, {"A1", "D", "2030-01-03", ""},
		{"A1", "E", "2031-01-01", ""},
	} {
		tok(h, stock.OpMovementRecord, &stock.MovementInput{SKU: p.sku, Kind: stock.KindPurchase, Quantity: 2,
			Lot: &stock.LotInput{Code: p.code, ExpiresOn: p.day}, Location: p.location})
	}
	lot := func(sku, code string, day stock.Date, q int64) stock.ExpiringLot {
		return stock.ExpiringLot{Warehouse: "MAD-1", SKU: sku, Code: code, ExpiresOn: day, Quantity: q}
	}
	want := []stock.ExpiringLot{lot("M1", "A", "2030-01-01", 4), lot("A1", "C", "2030-01-02", 2),
		lot("Z1", "A", "2030-01-02", 2), lot("Z1", "B", "2030-01-02", 2), lot("A1", "D", "2030-01-03", 2)}
	for _, limit := range []int{0, 1, 2, 3, 4, 5, 6} {
		got := tok(h, stock.OpLotsExpiring, &stock.ExpiringQuery{Until: "2030-12-31", Limit: limit}).Lots
		n := limit
		if n == 0 { // no limit: MaxExpiringLots
			n = len(want)
		}
		w := want[:min(len(want), n)]
		if !slices.Equal(got, w) {
			t.Fatalf("limit %d: %+v, want %+v", limit, got, w)
		}
	}
}
