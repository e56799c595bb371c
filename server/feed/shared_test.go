package feed

import (
	"context"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

func backlogEvent(sku string, qty, delta, seq int64) Event {
	return Event{Change: stock.Change{Warehouse: "W", SKU: sku, Quantity: qty, Delta: delta, Seq: seq, MovementID: "m", Kind: stock.KindPurchase}}
}

func TestBacklogMergesPerSKUInTheOrderTheyFellBehind(t *testing.T) {
	var b Backlog
	if _, ok := b.Next(); ok || b.Len() != 0 {
		t.Fatal("the zero Backlog is not empty")
	}
	b.Add(backlogEvent("B", 1, 1, 1))
	b.Add(backlogEvent("A", 5, 5, 2))
	b.Add(backlogEvent("B", 3, 2, 3))
	b.Add(backlogEvent("B", 2, -1, 4))
	if b.Len() != 2 {
		t.Fatalf("Len() = %d, want 2 (one per sku)", b.Len())
	}
	tests := []struct {
		sku          string
		qty, delta   int64
		seq          int64
		merged       bool
		movementKept bool
	}{
		{"B", 2, 2, 4, true, false},
		{"A", 5, 5, 2, false, true},
	}
	for _, tt := range tests {
		e, ok := b.Next()
		if !ok || e.SKU != tt.sku || e.Quantity != tt.qty || e.Delta != tt.delta || e.Seq != tt.seq || e.Merged != tt.merged ||
			(e.MovementID != "") != tt.movementKept {
			t.Fatalf("Next() = %+v, %v; want %s quantity %d delta %d seq %d merged %v", e, ok, tt.sku, tt.qty, tt.delta, tt.seq, tt.merged)
		}
	}
	if _, ok := b.Next(); ok {
		t.Fatal("Next() after draining returned an event")
	}
}

func TestShareBindsOnlyTheSharedInItsContext(t *testing.T) {
	h := newTestHub(t)
	identity := func(e Event) (Event, bool) { return e, e.SKU != "SKIP" }
	if _, ok := Share(context.Background(), h, Filter{}, 1, identity); ok {
		t.Fatal("Share bound without a Shared in the context")
	}
	ctx, cancel := context.WithCancel(context.Background())
	ctx, s := WithShared(ctx)
	out, ok := Share(ctx, h, Filter{SKU: "A"}, 4, identity)
	if !ok || !s.Bound() {
		t.Fatal("Share did not bind the Shared in its context")
	}
	if _, ok := Share(ctx, h, Filter{}, 1, identity); ok {
		t.Fatal("Share bound a Shared twice")
	}
	s.SetMembers(3)
	if n, x := h.Subscribers(), h.Executions(); n != 3 || x != 1 {
		t.Fatalf("Subscribers() = %d, Executions() = %d; want 3 served by 1", n, x)
	}
	h.Publish(backlogEvent("B", 1, 1, 1))
	h.Publish(backlogEvent("A", 2, 2, 2))
	e := receive(t, s.Events(), 1)[0]
	if e.SKU != "A" {
		t.Fatalf("the Shared received %+v, want only A (its filter)", e)
	}
	if !s.Emit(e) {
		t.Fatal("Emit of a converted event reported false")
	}
	if got := <-out; got.SKU != "A" {
		t.Fatalf("the stream got %+v", got)
	}
	if s.Emit(backlogEvent("SKIP", 1, 1, 3)) {
		t.Fatal("Emit of an event the conversion skips reported true")
	}
	s.SetMembers(1)
	cancel()
	for range s.Events() { // closed once the context is done
	}
	until := time.Now().Add(deadline)
	for h.Subscribers() != 0 || h.Executions() != 0 {
		if time.Now().After(until) {
			t.Fatalf("Subscribers() = %d, Executions() = %d after the cancel, want 0", h.Subscribers(), h.Executions())
		}
		time.Sleep(time.Millisecond)
	}
}
