package store

import (
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

func encodedOf(t *testing.T, v any) string {
	b, err := stock.EncodeValue(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
