package store

import (
	"slices"
	"testing"
	"time"

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

// TestExpiryInTheWarehouseZone: a lot expires at the end of its day in
// the warehouse's time zone (Options.Zone), not the process's: at 02:00
// UTC on 2030-01-01 a lot expiring 2029-12-31 is still sold where it is
// 15:00 the day before (UTC-11), and is EXPIRED where it is already 16:00
// on 2030-01-01 (UTC+14).
func TestExpiryInTheWarehouseZone(t *testing.T) {
	at := time.Date(2030, 1, 1, 2, 0, 0, 0, time.UTC)
	writerClock = func() time.Time { return at }
	t.Cleanup(func() { writerClock = time.Now })
	for _, c := range []struct {
		zone    *time.Location
		expired bool
	}{
		{time.FixedZone("UTC-11", -11*3600), false},
		{time.FixedZone("UTC+14", 14*3600), true},
	} {
		h := &harness{t: t, dir: t.TempDir(), zone: c.zone}
		h.open()
		h.ok(testJob{Op: stock.OpWarehouseInit, Warehouse: &stock.Warehouse{ID: "MAD-1", Name: "Madrid"}})
		h.create("Y1", 0)
		tok(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "Y1", Kind: stock.KindPurchase, Quantity: 2,
			Lot: &stock.LotInput{Code: "L1", ExpiresOn: "2029-12-31"}})
		sale := &stock.MovementInput{SKU: "Y1", Kind: stock.KindSale, Quantity: 1}
		if c.expired {
			terr(h, stock.OpMovementRecord, sale, stock.CodeExpired)
		} else if mv := tok(h, stock.OpMovementRecord, sale); len(mv.Lots) != 1 || mv.Lots[0].Code != "L1" {
			t.Fatalf("%s: the sale took %+v, want lot L1", c.zone, mv.Lots)
		}
	}
}
