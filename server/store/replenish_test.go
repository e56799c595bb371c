package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/replenish"
	"github.com/stockmesh/stockmesh/server/stock"
)

// product creates sku in h with qty units, a reorder point and a maximum.
func planProduct(h *harness, sku string, qty, reorder, maxStock int64) {
	h.t.Helper()
	tok(h, stock.OpProductCreate, &stock.CreateProductInput{SKU: sku, Name: "Product " + sku, Price: 1_0000,
		InitialQuantity: qty, ReorderPoint: reorder, MaxStock: maxStock})
}

// sell records a SALE of qty units of sku in h.
func sell(h *harness, sku string, qty int64) {
	h.t.Helper()
	tok(h, stock.OpMovementRecord, &stock.MovementInput{SKU: sku, Kind: stock.KindSale, Quantity: qty})
}

// TestReplenishmentPlanGathersLevels: the plan a node makes from its own
// ledger and its replicas is replenish.Plan over the levels each
// warehouse's own node sees (stock, reservations, units in transit to it,
// reorder point, maximum carried by replication, SALE units of the window);
// filtered by warehouse or sku it keeps only those suggestions; days of
// cover of the stock levels follow the same rule.
func TestReplenishmentPlanGathersLevels(t *testing.T) {
	mad, bcn, val := trio(t)
	planProduct(mad, "P-1", 40, 30, 0)
	sell(mad, "P-1", 30) // 10 left, 30 sold
	planProduct(mad, "P-2", 50, 5, 0)
	planProduct(bcn, "P-1", 200, 20, 0)
	sell(bcn, "P-1", 60)                                                                     // 140 left, 60 sold
	tok(bcn, stock.OpReservationReserve, &stock.ReserveStockInput{SKU: "P-1", Quantity: 40}) // 100 available
	planProduct(val, "P-1", 25, 10, 0)
	planProduct(val, "P-2", 3, 5, 0) // short, no sales: brought to its reorder point
	tok(val, stock.OpProductUpdate, &stock.ProductUpdate{SKU: "P-2", Update: stock.UpdateProductInput{MaxStock: ptr(int64(25))}})
	tok(val, stock.OpProductUpdate, &stock.ProductUpdate{SKU: "P-1", Update: stock.UpdateProductInput{MaxStock: ptr(int64(300))}})
	tr := send(val, "P-1", "MAD-1", 7) // in transit to MAD-1
	for _, origin := range []string{"BCN-1", "VAL-1"} {
		src := map[string]*harness{"BCN-1": bcn, "VAL-1": val}[origin]
		pull(src, mad, origin)
	}
	if p := tok(mad, stock.OpProductGet, &stock.ProductRef{SKU: "P-2", Warehouse: "VAL-1"}); p.MaxStock != 25 {
		t.Fatalf("VAL-1's P-2 on MAD-1: maxStock %d, want 25 (replicated)", p.MaxStock)
	}
	levels := map[string][]replenish.Level{
		"P-1": {
			{Warehouse: "BCN-1", OnHand: 140, Reserved: 40, ReorderPoint: 20, Sold: 60},
			{Warehouse: "MAD-1", OnHand: 10, InTransitIn: 7, ReorderPoint: 30, Sold: 30},
			{Warehouse: "VAL-1", OnHand: 18, ReorderPoint: 10, MaxStock: 300},
		},
		"P-2": {
			{Warehouse: "MAD-1", OnHand: 50, ReorderPoint: 5},
			{Warehouse: "VAL-1", OnHand: 3, ReorderPoint: 5, MaxStock: 25},
		},
	}
	want := append(replenish.Plan("P-1", levels["P-1"], 30, nil), replenish.Plan("P-2", levels["P-2"], 30, nil)...)
	if len(want) < 3 {
		t.Fatalf("the model plans %+v: the test means at least three suggestions", want)
	}
	got := tok(mad, stock.OpReplenishPlan, &stock.ReplenishQuery{}).Suggestions
	if !reflect.DeepEqual(got, want) {
		t.Errorf("plan = %+v\nwant %+v", got, want)
	}
	only := func(keep func(replenish.Suggestion) bool) []replenish.Suggestion {
		out := []replenish.Suggestion{}
		for _, s := range want {
			if keep(s) {
				out = append(out, s)
			}
		}
		return out
	}
	if got := tok(mad, stock.OpReplenishPlan, &stock.ReplenishQuery{Warehouse: "VAL-1"}).Suggestions; !reflect.DeepEqual(got, only(func(s replenish.Suggestion) bool { return s.To == "VAL-1" })) {
		t.Errorf("plan for VAL-1 = %+v", got)
	}
	if got := tok(mad, stock.OpReplenishPlan, &stock.ReplenishQuery{SKU: "P-1"}).Suggestions; !reflect.DeepEqual(got, only(func(s replenish.Suggestion) bool { return s.SKU == "P-1" })) {
		t.Errorf("plan for P-1 = %+v", got)
	}
	terr(mad, stock.OpReplenishPlan, &stock.ReplenishQuery{Warehouse: "NOPE-1"}, stock.CodeNotFound)
	terr(mad, stock.OpReplenishPlan, &stock.ReplenishQuery{WindowDays: 400}, stock.CodeInvalidInput)

	for _, l := range tok(mad, stock.OpStockLevels, &stock.StockLevelQuery{SKU: "P-1"}).Levels {
		var model replenish.Level
		for _, m := range levels["P-1"] {
			if m.Warehouse == l.Warehouse {
				model = m
			}
		}
		d, ok := model.DaysOfCover(30)
		switch {
		case ok != (l.DaysOfCover != nil):
			t.Errorf("%s: daysOfCover %v, want sold: %v", l.Warehouse, l.DaysOfCover, ok)
		case ok && *l.DaysOfCover != d:
			t.Errorf("%s: daysOfCover %v, want %v", l.Warehouse, *l.DaysOfCover, d)
		}
	}
	// Received, the units are on hand and no longer in transit.
	tok(mad, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID})
	levels["P-1"][1].OnHand, levels["P-1"][1].InTransitIn = 17, 0
	to := func(w string) bool { return w == "MAD-1" }
	want = replenish.Plan("P-1", levels["P-1"], 30, to)
	if got := tok(mad, stock.OpReplenishPlan, &stock.ReplenishQuery{SKU: "P-1", Warehouse: "MAD-1"}).Suggestions; !reflect.DeepEqual(got, want) {
		t.Errorf("after the receipt: plan %+v, want %+v", got, want)
	}
}

// TestReplenishmentPlanMovesExpiringLots: units of a lot that would
// expire where they sell slowly are suggested, EXPIRING_ELSEWHERE, to a
// warehouse that sells them in time (known by replication), no more than
// it sells before the lot expires; a lot further off than the sales
// window is not forecast.
func TestReplenishmentPlanMovesExpiringLots(t *testing.T) {
	mad, bcn, _ := trio(t)
	today := stock.DateOf(time.Now().In(time.Local))
	planProduct(mad, "L-1", 0, 0, 0)
	tok(mad, stock.OpMovementRecord, &stock.MovementInput{SKU: "L-1", Kind: stock.KindPurchase, Quantity: 100,
		Lot: &stock.LotInput{Code: "SOON", ExpiresOn: today.AddDays(10)}})
	tok(mad, stock.OpMovementRecord, &stock.MovementInput{SKU: "L-1", Kind: stock.KindPurchase, Quantity: 50,
		Lot: &stock.LotInput{Code: "LATER", ExpiresOn: today.AddDays(90)}})
	sell(mad, "L-1", 3) // from SOON: 97 left, 0.1 a day
	planProduct(bcn, "L-1", 10, 0, 0)
	sell(bcn, "L-1", 9) // 0.3 a day: 3 in 10 days (its own unit, of no lot, sells last)
	planProduct(bcn, "L-2", 90, 0, 0)
	sell(bcn, "L-2", 60) // sells fast, but no lot of it is at risk anywhere
	pull(bcn, mad, "BCN-1")
	got := tok(mad, stock.OpReplenishPlan, &stock.ReplenishQuery{WindowDays: 30}).Suggestions
	if len(got) != 1 || got[0].Reason != replenish.ExpiringElsewhere || got[0].From != "MAD-1" || got[0].To != "BCN-1" ||
		got[0].SKU != "L-1" || got[0].Quantity != 3 {
		t.Fatalf("plan = %+v, want 3 units of L-1 from MAD-1 to BCN-1, EXPIRING_ELSEWHERE", got)
	}
	if got := tok(mad, stock.OpReplenishPlan, &stock.ReplenishQuery{WindowDays: 5}).Suggestions; len(got) != 0 {
		t.Fatalf("with a 5-day window the lot expiring in 10 is not forecast: %+v", got)
	}
}

// TestReplenishmentPlanLeavesDepartedWarehouses: a warehouse that left
// the network is neither a source nor a destination of a plan, though
// its products stay.
func TestReplenishmentPlanLeavesDepartedWarehouses(t *testing.T) {
	mad, bcn, _ := trio(t)
	planProduct(mad, "D-1", 2, 10, 0)
	planProduct(bcn, "D-1", 200, 20, 0)
	planProduct(bcn, "D-2", 1, 10, 0)
	planProduct(mad, "D-2", 300, 20, 0)
	pull(bcn, mad, "BCN-1")
	got := tok(mad, stock.OpReplenishPlan, &stock.ReplenishQuery{}).Suggestions
	if len(got) != 2 || got[0].From != "BCN-1" || got[0].To != "MAD-1" || got[1].From != "MAD-1" || got[1].To != "BCN-1" {
		t.Fatalf("plan = %+v, want D-1 from BCN-1 and D-2 to it", got)
	}
	leave(bcn)
	pull(bcn, mad, "BCN-1")
	if got := tok(mad, stock.OpReplenishPlan, &stock.ReplenishQuery{}).Suggestions; len(got) != 0 {
		t.Fatalf("plan once BCN-1 left = %+v, want none", got)
	}
}
