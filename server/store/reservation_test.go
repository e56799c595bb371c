package store

import (
	"fmt"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// The lost-reply cases of the reservations' writes (see TestLostReplies).
func init() {
	lostCases[stock.OpReservationReserve.Name] = lostCase{withProduct, sends(stock.OpReservationReserve,
		fixed(&stock.ReserveStockInput{SKU: "A", Quantity: 2, Reference: "ORD-1", IdempotencyKey: "r-1"}))}
	lostCases[stock.OpReservationRelease.Name] = lostCase{withReservation, sends(stock.OpReservationRelease,
		fixed(&stock.ReservationRef{ID: "MAD-1:R3"}))}
	lostCases[stock.OpReservationFulfil.Name] = lostCase{withReservation, sends(stock.OpReservationFulfil,
		fixed(&stock.FulfilInput{ID: "MAD-1:R3"}))}
	lostCases[stock.OpReservationExpire.Name] = lostCase{withReservation, sends(stock.OpReservationExpire,
		fixed(&stock.ExpireRequest{}))}
}

// withReservation is withProduct with 2 units of A reserved: reservation
// MAD-1:R3 (product.created is seq 1, its purchase 2).
func withReservation(t *testing.T) *harness {
	h := withProduct(t)
	if r := tok(h, stock.OpReservationReserve, &stock.ReserveStockInput{SKU: "A", Quantity: 2}); r.ID != "MAD-1:R3" {
		t.Fatalf("the reservation is %s, want MAD-1:R3", r.ID)
	}
	return h
}

// TestReservationRules: what the writer refuses, with which code, and
// what stays unchanged after each refusal.
func TestReservationRules(t *testing.T) {
	h := withReservation(t) // A: 5 on hand, 2 reserved
	cases := []struct {
		name string
		run  func() *stock.Error
		code stock.Code
	}{
		{"reserve beyond available", func() *stock.Error {
			_, e := tdo(h, stock.OpReservationReserve, &stock.ReserveStockInput{SKU: "A", Quantity: 4})
			return e
		}, stock.CodeInsufficientStock},
		{"sale of reserved units", func() *stock.Error {
			_, e := tdo(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "A", Kind: stock.KindSale, Quantity: 4})
			return e
		}, stock.CodeInsufficientStock},
		{"reserve unknown sku", func() *stock.Error {
			_, e := tdo(h, stock.OpReservationReserve, &stock.ReserveStockInput{SKU: "Z", Quantity: 1})
			return e
		}, stock.CodeNotFound},
		{"fulfil more than held", func() *stock.Error {
			q := int64(3)
			_, e := tdo(h, stock.OpReservationFulfil, &stock.FulfilInput{ID: "MAD-1:R3", Quantity: &q})
			return e
		}, stock.CodeInvalidInput},
		{"release unknown", func() *stock.Error {
			_, e := tdo(h, stock.OpReservationRelease, &stock.ReservationRef{ID: "MAD-1:R99"})
			return e
		}, stock.CodeNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := c.run()
			if e == nil || e.Code != c.code {
				t.Fatalf("got %v, want %s", e, c.code)
			}
			if p := h.product("A"); p.Quantity != 5 || p.Reserved != 2 {
				t.Fatalf("after a refusal A is %d on hand, %d reserved; want 5 and 2", p.Quantity, p.Reserved)
			}
		})
	}
	_, e := tdo(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "A", Kind: stock.KindSale, Quantity: 4})
	if s := e.Shortfall; s == nil || *s != (stock.Shortfall{SKU: "A", InStock: 5, Requested: 4, Reserved: 2, Available: 3}) {
		t.Fatalf("the sale's shortfall is %+v", s)
	}
}

// TestReservationsReplicate: a replica applies a warehouse's reservation
// entries into the same rows, reads the same reserved units, and refuses
// to change them itself.
func TestReservationsReplicate(t *testing.T) {
	a := withReservation(t)
	tok(a, stock.OpReservationReserve, &stock.ReserveStockInput{SKU: "A", Quantity: 1, Reference: "ORD-2"})
	q := int64(1)
	f := tok(a, stock.OpReservationFulfil, &stock.FulfilInput{ID: "MAD-1:R3", Quantity: &q})
	if f.Status != stock.ReservationFulfilled || f.Fulfilled != 1 || f.Reserved != 1 || f.Balance != 4 {
		t.Fatalf("fulfilled %+v", f)
	}
	b := newReplica(t, &stock.Warehouse{ID: "BCN-1", Name: "Barcelona"})
	pull(a, b, "MAD-1")
	got := tok(b, stock.OpProductGet, &stock.ProductRef{SKU: "A", Warehouse: "MAD-1"})
	if got.Quantity != 4 || got.Reserved != 1 {
		t.Fatalf("the replica's A: %d on hand, %d reserved; want 4 and 1", got.Quantity, got.Reserved)
	}
	list := tok(b, stock.OpReservationList, &stock.ReservationQuery{Warehouse: "MAD-1"}).Reservations
	want := tok(a, stock.OpReservationList, &stock.ReservationQuery{}).Reservations
	if len(list) != 2 || encodedOf(t, list) != encodedOf(t, want) {
		t.Fatalf("the replica lists %+v, the origin %+v", list, want)
	}
	if _, e := tdo(b, stock.OpReservationRelease, &stock.ReservationRef{ID: list[0].ID}); e == nil || e.Code != stock.CodeForbidden {
		t.Fatalf("the replica releasing MAD-1's reservation: %v", e)
	}
}

// TestDeletionReleasesReservations: deleting a product releases its
// active reservations in the same write, each logged (before the stock
// leaves and the product is deleted) and replicated, so a sku created
// again holds nothing for the old product's orders; reservations of
// other products stay.
func TestDeletionReleasesReservations(t *testing.T) {
	a := withReservation(t) // A: 5 on hand, MAD-1:R3 holds 2
	tok(a, stock.OpReservationReserve, &stock.ReserveStockInput{SKU: "A", Quantity: 1, Reference: "ORD-2"})
	a.create("B", 3)
	tok(a, stock.OpReservationReserve, &stock.ReserveStockInput{SKU: "B", Quantity: 1})
	deleted := a.ok(testJob{Op: stock.OpProductDelete, SKU: "A"}).Product
	if deleted.Reserved != 0 {
		t.Errorf("the deleted product answers %d reserved, want 0", deleted.Reserved)
	}
	var types []stock.EntryType
	entries := readLog(t, a, "MAD-1", 50)
	for _, e := range entries[len(entries)-4:] {
		types = append(types, e.Type)
	}
	want := []stock.EntryType{stock.EntryReservationReleased, stock.EntryReservationReleased, stock.EntryMovement, stock.EntryProductDeleted}
	if fmt.Sprint(types) != fmt.Sprint(want) {
		t.Fatalf("the deletion logged %v, want %v", types, want)
	}
	b := newReplica(t, &stock.Warehouse{ID: "BCN-1", Name: "Barcelona"})
	pull(a, b, "MAD-1")
	for _, h := range []*harness{a, b} {
		for _, r := range tok(h, stock.OpReservationList, &stock.ReservationQuery{Warehouse: "MAD-1"}).Reservations {
			if wantStatus := map[bool]stock.ReservationStatus{true: stock.ReservationReleased, false: stock.ReservationActive}[r.SKU == "A"]; r.Status != wantStatus {
				t.Errorf("reservation %s of %s is %s, want %s", r.ID, r.SKU, r.Status, wantStatus)
			}
		}
	}
	if p := a.create("A", 4); p.Reserved != 0 {
		t.Fatalf("A created again holds %d reserved, want 0", p.Reserved)
	}
	if r := a.write(sale("A", 4)); r[0].Err != nil {
		t.Fatalf("selling all of the new A: %v", r[0].Err)
	}
	if p := a.product("B"); p.Reserved != 1 {
		t.Errorf("B holds %d reserved, want 1", p.Reserved)
	}
}

// TestMovementsCarryReserved: each published movement says the units
// reserved right after it, whatever happens to the reservations later
// (the stream's stock changes answer reserved and available from it): on
// the origin, from the entry its writer published, and on a replica, from
// what applying the run answered.
func TestMovementsCarryReserved(t *testing.T) {
	a := withReservation(t) // A: 5 on hand, MAD-1:R3 holds 2
	a.write(sale("A", 1))
	fulfilled := tok(a, stock.OpReservationFulfil, &stock.FulfilInput{ID: "MAD-1:R3"})
	a.write(sale("A", 1))
	var got []string
	for _, c := range a.pub.changes() {
		if c.MovementID != "" && c.Reserved != nil {
			got = append(got, fmt.Sprintf("%s %d/%d", c.Kind, c.Quantity, *c.Reserved))
		} else if c.MovementID != "" {
			got = append(got, fmt.Sprintf("%s %d/?", c.Kind, c.Quantity))
		}
	}
	// The purchase of A (no reservation yet), a sale with 2 held, the
	// fulfilment's sale (its reservation still holds 2 right after it,
	// released by the entry that follows), a sale with none held.
	want := "[PURCHASE 5/0 SALE 4/2 SALE 2/2 SALE 1/0]"
	if fmt.Sprint(got) != want {
		t.Fatalf("published movements (kind, stock/reserved): %v, want %s", got, want)
	}
	if fulfilled.Reserved != 0 {
		t.Fatalf("the fulfilment's entry says %d reserved, want 0", fulfilled.Reserved)
	}

	b := newReplica(t, &stock.Warehouse{ID: "BCN-1", Name: "Barcelona"})
	page := tok(a, stock.OpChanges, &stock.ChangesQuery{Origin: "MAD-1", Limit: stock.MaxChangesLimit})
	for _, e := range page.Entries {
		if e.Reserved != nil {
			t.Fatalf("entry %d read back from the log carries reserved %d", e.Seq, *e.Reserved)
		}
	}
	res := tok(b, stock.OpApplyChanges, &stock.ChangeBatch{Entries: page.Entries})
	held := map[int64]int64{}
	for _, e := range page.Entries {
		if e.Movement != nil && e.Movement.Kind == stock.KindSale && e.Movement.Balance >= 2 {
			held[e.Seq] = 2
		}
	}
	if fmt.Sprint(res.Held) != fmt.Sprint(held) {
		t.Fatalf("applying the run answered held %v, want %v", res.Held, held)
	}
}

func encodedOf(t *testing.T, v any) string {
	b, err := stock.EncodeValue(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
