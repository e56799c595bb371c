package request

import (
	"context"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// reader answers requests from a map.
type reader map[string]stock.TransferRequest

func (r reader) TransferRequest(_ context.Context, id string) (*stock.TransferRequest, error) {
	q, ok := r[id]
	if !ok {
		return nil, stock.ErrNotFound
	}
	return &q, nil
}

// next returns the next update of ch, failing after 10 s.
func next(t *testing.T, ch <-chan stock.TransferRequest) stock.TransferRequest {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no update within 10 s")
	}
	return stock.TransferRequest{}
}

// TestHub: a local entry's request is published as it is; another
// warehouse's is read again as this node knows it; a watcher of one
// warehouse hears only requests from or to it; a watcher that does not
// read gets each request's latest state; cancelling the watch closes it.
func TestHub(t *testing.T) {
	h := NewHub()
	h.SetLocal("BCN-1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	known := reader{"BCN-1:Q1": {ID: "BCN-1:Q1", From: "MAD-1", To: "BCN-1", Status: stock.RequestAccepted}}
	go h.Follow(ctx, known)
	all, val := h.Watch(ctx, ""), h.Watch(ctx, "VAL-1")
	h.Take(&stock.LogEntry{Origin: "BCN-1", Seq: 1, TransferRequest: &stock.TransferRequest{ID: "BCN-1:Q1", From: "MAD-1", To: "BCN-1", Status: stock.RequestOpen}})
	if r := next(t, all); r.Status != stock.RequestOpen {
		t.Fatalf("local entry: %+v", r)
	}
	h.Take(&stock.LogEntry{Origin: "MAD-1", Seq: 9, TransferRequest: &stock.TransferRequest{ID: "BCN-1:Q1", From: "MAD-1", To: "BCN-1", Status: stock.RequestCancelled}})
	if r := next(t, all); r.Status != stock.RequestAccepted {
		t.Fatalf("another warehouse's entry: %+v, want the state read again", r)
	}
	h.Take(&stock.LogEntry{Origin: "BCN-1", Seq: 2}) // not a request entry
	h.Publish(stock.TransferRequest{ID: "VAL-1:Q1", From: "MAD-1", To: "VAL-1", Status: stock.RequestOpen})
	h.Publish(stock.TransferRequest{ID: "VAL-1:Q1", From: "MAD-1", To: "VAL-1", Status: stock.RequestDeclined})
	if r := next(t, val); r.ID != "VAL-1:Q1" {
		t.Fatalf("VAL-1's watcher got %+v", r)
	}
	cancel()
	for range all { // closed once the watch ends
	}
}
