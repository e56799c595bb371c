package feed

import (
	"context"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestSequencerPublishesDeletions: a product.deleted entry reaches
// subscribers as a deleted change with quantity 0; other product entries
// publish nothing.
func TestSequencerPublishesDeletions(t *testing.T) {
	h := newTestHub(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := subscribe(ctx, h, Filter{}, 16)
	s := NewSequencer(h, nil)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &stock.Product{Warehouse: "w", SKU: "a"}
	entries := []stock.LogEntry{
		{Origin: "w", Seq: 1, Type: stock.EntryProductCreated, Product: p},
		{Origin: "w", Seq: 2, Type: stock.EntryMovement, Movement: &stock.Movement{Warehouse: "w", SKU: "a", Seq: 2, Quantity: 3, Balance: 3}},
		{Origin: "w", Seq: 3, Type: stock.EntryProductUpdated, Product: p},
		{Origin: "w", Seq: 4, Type: stock.EntryProductDeleted, Product: p, At: at},
	}
	for i := range entries {
		if err := s.Offer(ctx, &entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	got := receive(t, ch, 2)
	if got[0].Seq != 2 || got[0].Deleted {
		t.Errorf("first event %+v, want the movement", got[0])
	}
	want := Event{Change: stock.Change{Warehouse: "w", SKU: "a", Deleted: true, Seq: 4, At: at}}
	if got[1] != want {
		t.Errorf("second event %+v, want %+v", got[1], want)
	}
}
