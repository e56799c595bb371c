package store

import (
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// keyedLotRequests records, on h, keyed movements naming lots (and none,
// FEFO) and a keyed relocation, and returns each request with the
// movement it recorded.
func keyedLotRequests(h *harness) (moves []*stock.MovementInput, first []*stock.Movement, rel *stock.RelocateStockInput, relFirst *stock.Movement) {
	h.t.Helper()
	h.create("K1", 0)
	tok(h, stock.OpLocationCreate, &stock.CreateLocationInput{Code: "S1"})
	moves = []*stock.MovementInput{
		{SKU: "K1", Kind: stock.KindPurchase, Quantity: 5, Lot: &stock.LotInput{Code: "L1", ExpiresOn: "2099-01-01"}, IdempotencyKey: "p1"},
		{SKU: "K1", Kind: stock.KindPurchase, Quantity: 5, Lot: &stock.LotInput{Code: "L2", ExpiresOn: "2099-02-01"}, IdempotencyKey: "p2"},
		{SKU: "K1", Kind: stock.KindSale, Quantity: 1, Lot: &stock.LotInput{Code: "L2"}, IdempotencyKey: "s-named"},
		{SKU: "K1", Kind: stock.KindSale, Quantity: 1, IdempotencyKey: "s-fefo"}, // takes from L1
	}
	for _, in := range moves {
		first = append(first, tok(h, stock.OpMovementRecord, in))
	}
	rel = &stock.RelocateStockInput{SKU: "K1", Quantity: 2, To: "S1", Lot: "L1", IdempotencyKey: "r1"}
	return moves, first, rel, tok(h, stock.OpStockRelocate, rel)
}

// checkLotKeys checks, on h, that each request retried with its key
// answers the movement first recorded and changes nothing, and that the
// same key with another lot (or none, or another relocation) is
// INVALID_INPUT.
func checkLotKeys(h *harness, moves []*stock.MovementInput, first []*stock.Movement, rel *stock.RelocateStockInput, relFirst *stock.Movement) {
	h.t.Helper()
	before := h.product("K1").Quantity
	for i, in := range moves {
		if again := tok(h, stock.OpMovementRecord, in); again.ID != first[i].ID {
			h.t.Fatalf("retrying key %s gave %s, want the first movement %s", in.IdempotencyKey, again.ID, first[i].ID)
		}
	}
	if again := tok(h, stock.OpStockRelocate, rel); again.ID != relFirst.ID {
		h.t.Fatalf("retrying the relocation's key gave %s, want the first relocation %s", again.ID, relFirst.ID)
	}
	for _, c := range []struct {
		name string
		in   stock.MovementInput
	}{
		{"a purchase into another lot", stock.MovementInput{SKU: "K1", Kind: stock.KindPurchase, Quantity: 5, Lot: &stock.LotInput{Code: "L9", ExpiresOn: "2099-01-01"}, IdempotencyKey: "p1"}},
		{"a purchase into another expiry", stock.MovementInput{SKU: "K1", Kind: stock.KindPurchase, Quantity: 5, Lot: &stock.LotInput{Code: "L1", ExpiresOn: "2099-01-02"}, IdempotencyKey: "p1"}},
		{"a purchase into no lot", stock.MovementInput{SKU: "K1", Kind: stock.KindPurchase, Quantity: 5, IdempotencyKey: "p1"}},
		{"a sale naming another lot", stock.MovementInput{SKU: "K1", Kind: stock.KindSale, Quantity: 1, Lot: &stock.LotInput{Code: "L1"}, IdempotencyKey: "s-named"}},
		{"a sale naming no lot", stock.MovementInput{SKU: "K1", Kind: stock.KindSale, Quantity: 1, IdempotencyKey: "s-named"}},
		{"a sale naming the lot FEFO took", stock.MovementInput{SKU: "K1", Kind: stock.KindSale, Quantity: 1, Lot: &stock.LotInput{Code: "L1"}, IdempotencyKey: "s-fefo"}},
	} {
		terr(h, stock.OpMovementRecord, &c.in, stock.CodeInvalidInput)
	}
	for _, other := range []stock.RelocateStockInput{
		{SKU: "K1", Quantity: 2, To: "S1", Lot: "L2", IdempotencyKey: "r1"},
		{SKU: "K1", Quantity: 2, To: "S1", IdempotencyKey: "r1"},
		{SKU: "K1", Quantity: 1, To: "S1", Lot: "L1", IdempotencyKey: "r1"},
		{SKU: "K1", Quantity: 2, From: "S1", To: "S2", Lot: "L1", IdempotencyKey: "r1"},
		{SKU: "K1", Quantity: 2, To: "S1", Lot: "L1", IdempotencyKey: "s-fefo"}, // a movement's key
	} {
		terr(h, stock.OpStockRelocate, &other, stock.CodeInvalidInput)
	}
	if after := h.product("K1").Quantity; after != before {
		h.t.Fatalf("retries changed the stock from %d to %d", before, after)
	}
}

// TestIdempotencyKeysNameTheLot: a movement's idempotency key stands for
// its request with the lot it named, and a relocation has one too; a
// node that restored the warehouse's history from the network (its
// fingerprints computed from the log entries) answers retries the same.
func TestIdempotencyKeysNameTheLot(t *testing.T) {
	origin := newHarness(t)
	moves, first, rel, relFirst := keyedLotRequests(origin)
	lines := tok(origin, stock.OpProductLines, &stock.ProductRef{SKU: "K1"}).Lines
	checkLotKeys(origin, moves, first, rel, relFirst)
	if after := tok(origin, stock.OpProductLines, &stock.ProductRef{SKU: "K1"}).Lines; len(after) != len(lines) {
		t.Fatalf("retries changed the lines from %+v to %+v", lines, after)
	}

	epoch := origin.ok(testJob{Op: stock.OpWarehouseGet}).Warehouse.Epoch
	wiped := &harness{t: t, dir: t.TempDir()}
	wiped.open()
	j := applyJob(readLog(t, origin, "MAD-1", 100))
	j.Apply.Epoch = epoch
	wiped.ok(j)
	wiped.ok(testJob{Op: stock.OpWarehouseInit, Warehouse: &stock.Warehouse{ID: "MAD-1", Name: "Madrid"}})
	checkLotKeys(wiped, moves, first, rel, relFirst)
}
