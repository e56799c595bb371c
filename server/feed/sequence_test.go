package feed

import (
	"context"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestSequencerPublishesDeletions: a product.deleted entry reaches
// subscribers as a deleted change with quantity 0, product.created and
// product.updated entries as the product's quantity and reorder point
// (PointOnly), movements as stock changes, all in log order.
func TestSequencerPublishesDeletions(t *testing.T) {
	h := newTestHub(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := subscribe(ctx, h, Filter{}, 16)
	s := NewSequencer(NewStream(nil, h), nil)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &stock.Product{Warehouse: "w", SKU: "a", ReorderPoint: 2}
	moved := &stock.Product{Warehouse: "w", SKU: "a", Quantity: 3, ReorderPoint: 5}
	entries := []stock.LogEntry{
		{Origin: "w", Seq: 1, Type: stock.EntryProductCreated, Product: p},
		{Origin: "w", Seq: 2, Type: stock.EntryMovement, Movement: &stock.Movement{Warehouse: "w", SKU: "a", Seq: 2, Quantity: 3, Balance: 3}},
		{Origin: "w", Seq: 3, Type: stock.EntryProductUpdated, Product: moved},
		{Origin: "w", Seq: 4, Type: stock.EntryProductDeleted, Product: p, At: at},
	}
	for i := range entries {
		if err := s.Offer(ctx, &entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	got := receive(t, ch, 4)
	tests := []struct {
		name  string
		seq   int64
		point int64 // -1: not PointOnly
		qty   int64
	}{{"created", 1, 2, 0}, {"movement", 2, -1, 3}, {"updated", 3, 5, 3}, {"deleted", 4, -1, 0}}
	for i, tt := range tests {
		e := got[i]
		if e.Seq != tt.seq || e.Quantity != tt.qty || e.PointOnly() != (tt.point >= 0) || (tt.point >= 0 && *e.ReorderPoint != tt.point) {
			t.Errorf("%s: event %+v", tt.name, e)
		}
	}
	want := Event{Change: stock.Change{Warehouse: "w", SKU: "a", Deleted: true, Seq: 4, At: at}}
	if got[3] != want {
		t.Errorf("deletion %+v, want %+v", got[3], want)
	}
}
