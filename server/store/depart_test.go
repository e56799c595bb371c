package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// leave records h's departure and returns its warehouse, departed.
func leave(h *harness) *stock.Warehouse {
	h.t.Helper()
	w := tok(h, stock.OpWarehouseLeave, &stock.Empty{})
	if w.DepartedAt == nil {
		h.t.Fatalf("left: %+v, no departure", w)
	}
	return w
}

// departedAt returns when h holds warehouse id departed, or nil.
func departedAt(h *harness, id string) *time.Time {
	h.t.Helper()
	for _, w := range tok(h, stock.OpMemberList, &stock.Empty{}).Warehouses {
		if w.ID == id {
			return w.DepartedAt
		}
	}
	h.t.Fatalf("%s not a member", id)
	return nil
}

// wantStatus fails the test unless h holds each transfer with the status.
func wantStatus(h *harness, want map[string]stock.TransferStatus) {
	h.t.Helper()
	for id, st := range want {
		if got := get(h, id); got.Status != st {
			h.t.Errorf("transfer %s: %s, want %s", id, got.Status, st)
		}
	}
}

// TestLeaveReceiverInTransit: transfers to a warehouse that leaves come
// back to their sender once, and only once the sender holds the
// receiver's log up to its departure; what the receiver decided before
// leaving stays.
func TestLeaveReceiverInTransit(t *testing.T) {
	a, b, c := trio(t)
	a.create("W1", 20)
	received := send(a, "W1", "BCN-1", 2)
	inTransit := send(a, "W1", "BCN-1", 3)
	requested := send(a, "W1", "BCN-1", 4)
	tok(a, stock.OpTransferCancel, &stock.TransferRef{ID: requested.ID})
	pull(a, b, "MAD-1")
	tok(b, stock.OpTransferReceive, &stock.TransferRef{ID: received.ID})
	w := leave(b)
	late := send(a, "W1", "BCN-1", 5) // sent before the sender learns of the departure; the receiver never saw it

	// The sender alone cannot cancel before it holds the departure.
	if got := tok(a, stock.OpTransferCancel, &stock.TransferRef{ID: inTransit.ID}); got.Status != stock.TransferCancelRequested {
		t.Fatalf("the sender cancelled before it held the departure: %s", got.Status)
	}
	if s := settle(a); len(s) != 0 {
		t.Fatalf("settled %d transfers before the departure reached the sender", len(s))
	}
	pull(b, a, "BCN-1")
	if at := departedAt(a, "BCN-1"); at == nil || !at.Equal(*w.DepartedAt) {
		t.Fatalf("the sender holds BCN-1 departed at %v, want %v", at, w.DepartedAt)
	}
	wantStatus(a, map[string]stock.TransferStatus{received.ID: stock.TransferReceived,
		inTransit.ID: stock.TransferCancelled, requested.ID: stock.TransferCancelled, late.ID: stock.TransferCancelled})
	returned := tok(a, stock.OpTransferCancel, &stock.TransferRef{ID: late.ID}) // the sender's own cancel takes it back at once
	if returned.ReturnedAt == nil || returned.ReturnMovement == "" {
		t.Fatalf("cancelling a transfer to a departed receiver: %+v, not returned", returned)
	}
	if s := settle(a); len(s) != 2 {
		t.Fatalf("settled %d transfers, want the other 2", len(s))
	}
	if s := settle(a); len(s) != 0 {
		t.Fatalf("settling twice took %d more steps", len(s))
	}
	if q := a.product("W1").Quantity; q != 18 {
		t.Fatalf("the sender holds %d units, want 18 (20 less the 2 received)", q)
	}
	// A third node that learns the departure before the late transfer
	// comes to the same.
	pull(b, c, "BCN-1")
	pull(a, c, "MAD-1")
	wantStatus(c, map[string]stock.TransferStatus{received.ID: stock.TransferReceived,
		inTransit.ID: stock.TransferCancelled, requested.ID: stock.TransferCancelled, late.ID: stock.TransferCancelled})
	for _, h := range []*harness{a, c} {
		if n := network(h, "W1"); n != 20 {
			t.Errorf("%d units in the network, want 20", n)
		}
		for _, l := range tok(h, stock.OpStockLevels, &stock.StockLevelQuery{SKU: "W1"}).Levels {
			if l.InTransit != 0 {
				t.Errorf("%d units still in transit to %s", l.InTransit, l.Warehouse)
			}
		}
	}
}

// TestLeaveSender: transfers from a warehouse that left stay the
// receiver's to receive, even one whose sender asked to cancel; the
// receiver neither confirms that request nor cancels.
func TestLeaveSender(t *testing.T) {
	a, b, _ := trio(t)
	b.create("W2", 10)
	open := send(b, "W2", "MAD-1", 2)
	asked := send(b, "W2", "MAD-1", 3)
	other := send(b, "W2", "MAD-1", 1)
	tok(b, stock.OpTransferCancel, &stock.TransferRef{ID: asked.ID})
	leave(b)
	pull(b, a, "BCN-1")
	if s := settle(a); len(s) != 0 {
		t.Fatalf("the receiver settled %d transfers of a departed sender", len(s))
	}
	_, e := tdo(a, stock.OpTransferCancel, &stock.TransferRef{ID: other.ID})
	if e == nil || e.Code != stock.CodeInvalidInput || !strings.Contains(e.Message, "left the network on") {
		t.Fatalf("cancelling a departed sender's transfer: %v", e)
	}
	for _, id := range []string{open.ID, asked.ID, other.ID} {
		if got := tok(a, stock.OpTransferReceive, &stock.TransferRef{ID: id}); got.Status != stock.TransferReceived {
			t.Fatalf("receiving %s: %s", id, got.Status)
		}
	}
	if q := a.product("W2").Quantity; q != 6 {
		t.Fatalf("the receiver holds %d units, want 6", q)
	}
}

// TestLeaveRefusesWrites: a warehouse that left refuses every change of
// its own, saying when it left, and keeps answering reads.
func TestLeaveRefusesWrites(t *testing.T) {
	a, b, _ := trio(t)
	a.create("W1", 5)
	pull(a, b, "MAD-1")
	b.create("W3", 5)
	tr := send(a, "W1", "BCN-1", 1)
	pull(a, b, "MAD-1")
	w := leave(b)
	when := stock.FormatDeparture(*w.DepartedAt)
	cases := []struct {
		name string
		do   func() *stock.Error
	}{
		{"sale", func() *stock.Error {
			_, e := tdo(b, stock.OpMovementRecord, &stock.MovementInput{SKU: "W3", Kind: stock.KindSale, Quantity: 1})
			return e
		}},
		{"receipt", func() *stock.Error {
			_, e := tdo(b, stock.OpMovementRecord, &stock.MovementInput{SKU: "W3", Kind: stock.KindPurchase, Quantity: 1})
			return e
		}},
		{"count", func() *stock.Error {
			_, e := tdo(b, stock.OpStockSet, &stock.StockCount{SKU: "W3", Quantity: 9})
			return e
		}},
		{"new product", func() *stock.Error {
			_, e := tdo(b, stock.OpProductCreate, &stock.CreateProductInput{SKU: "W4", Name: "New"})
			return e
		}},
		{"product update", func() *stock.Error {
			name := "Renamed"
			_, e := tdo(b, stock.OpProductUpdate, &stock.ProductUpdate{SKU: "W3", Update: stock.UpdateProductInput{Name: &name}})
			return e
		}},
		{"product deletion", func() *stock.Error {
			_, e := tdo(b, stock.OpProductDelete, &stock.ProductRef{SKU: "W3"})
			return e
		}},
		{"transfer", func() *stock.Error {
			_, e := tdo(b, stock.OpTransferSend, &stock.TransferInput{SKU: "W3", To: "MAD-1", Quantity: 1})
			return e
		}},
		{"receipt of a transfer", func() *stock.Error {
			_, e := tdo(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID})
			return e
		}},
		{"import", func() *stock.Error {
			_, e := tdo(b, stock.OpProductImport, &stock.ProductImport{Rows: []stock.ImportRow{{Line: 2, SKU: "W5", Name: "Five"}}})
			return e
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.do()
			switch {
			case e == nil:
				t.Fatal("a departed warehouse accepted the change")
			case e.Code != stock.CodeForbidden || !errors.Is(e, stock.ErrLeft):
				t.Fatalf("refused with %s %q, want FORBIDDEN left", e.Code, e.Message)
			case !strings.Contains(e.Message, "this warehouse left the network on "+when):
				t.Fatalf("message %q does not say when it left (%s)", e.Message, when)
			}
		})
	}
	if q := b.product("W3").Quantity; q != 5 {
		t.Fatalf("the departed warehouse's stock read %d, want 5", q)
	}
	if s := settle(b); len(s) != 0 {
		t.Fatalf("a departed warehouse settled %d transfers", len(s))
	}
	again := tok(b, stock.OpWarehouseLeave, &stock.Empty{})
	if !again.DepartedAt.Equal(*w.DepartedAt) {
		t.Fatalf("leaving again moved the departure: %v, then %v", w.DepartedAt, again.DepartedAt)
	}
	// Sending to it says it left, and when.
	pull(b, a, "BCN-1")
	_, e := tdo(a, stock.OpTransferSend, &stock.TransferInput{SKU: "W1", To: "BCN-1", Quantity: 1})
	if e == nil || e.Code != stock.CodeInvalidInput || !strings.Contains(e.Message, "BCN-1 left the network on "+when) {
		t.Fatalf("sending to a departed warehouse: %v", e)
	}
}

// TestLeaveReplica: a replica marks the warehouse departed at its entry's
// time, keeps a departure it learnt first, and refuses any entry after it.
func TestLeaveReplica(t *testing.T) {
	a, b, c := trio(t)
	b.create("W3", 5)
	w := leave(b)
	page := tok(b, stock.OpChanges, &stock.ChangesQuery{Origin: "BCN-1", Limit: stock.MaxChangesLimit})
	last := page.Entries[len(page.Entries)-1]
	if last.Type != stock.EntryWarehouseLeft || !last.At.Equal(*w.DepartedAt) {
		t.Fatalf("the log ends with %s at %v, want warehouse.left at %v", last.Type, last.At, w.DepartedAt)
	}
	pull(b, a, "BCN-1")
	if at := departedAt(a, "BCN-1"); at == nil || !at.Equal(last.At) {
		t.Fatalf("the replica holds BCN-1 departed at %v, want %v", at, last.At)
	}
	earlier := last.At.Add(-time.Hour)
	tok(c, stock.OpMemberMerge, &stock.MemberMerge{Warehouses: []stock.Warehouse{{ID: "BCN-1", DepartedAt: &earlier}}})
	pull(b, c, "BCN-1")
	if at := departedAt(c, "BCN-1"); at == nil || !at.Equal(earlier) {
		t.Fatalf("a departure learnt first was moved: %v, want %v", at, earlier)
	}
	after := stock.LogEntry{Origin: "BCN-1", Seq: last.Seq + 1, At: last.At.Add(time.Second), Type: stock.EntryProductCreated,
		Product: &stock.Product{Warehouse: "BCN-1", SKU: "LATE", Name: "Late", CreatedAt: last.At}}
	_, e := tdo(a, stock.OpApplyChanges, &stock.ChangeBatch{Entries: []stock.LogEntry{after}})
	if e == nil || !errors.Is(e, stock.ErrInvalidEntry) {
		t.Fatalf("an entry after the departure: %v, want ErrInvalidEntry", e)
	}
}
