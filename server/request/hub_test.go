package request

import (
	"context"
	"slices"
	"sync"
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

// TransferRequests lists the map's requests of q's status and warehouse,
// newest first, on one page.
func (r reader) TransferRequests(_ context.Context, q stock.TransferRequestQuery) (*stock.TransferRequestPage, error) {
	p := &stock.TransferRequestPage{}
	for _, t := range r {
		if (q.Status == "" || t.Status == q.Status) && (q.Warehouse == "" || t.From == q.Warehouse || t.To == q.Warehouse) {
			p.Requests = append(p.Requests, t)
		}
	}
	slices.SortFunc(p.Requests, func(a, b stock.TransferRequest) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return p, nil
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

// TestHub: the request an entry changed, local or another warehouse's,
// is read again as this node knows it; a watcher of one
// warehouse hears only requests from or to it; a watcher that does not
// read gets each request's latest state; cancelling the watch closes it.
func TestHub(t *testing.T) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	known := reader{"BCN-1:Q1": {ID: "BCN-1:Q1", From: "MAD-1", To: "BCN-1", Status: stock.RequestAccepted}}
	go h.Follow(ctx, known)
	all, val := h.Watch(ctx, ""), h.Watch(ctx, "VAL-1")
	h.Take(&stock.LogEntry{Origin: "BCN-1", Seq: 1, TransferRequest: &stock.TransferRequest{ID: "BCN-1:Q1", From: "MAD-1", To: "BCN-1", Status: stock.RequestOpen}})
	if r := next(t, all); r.Status != stock.RequestAccepted {
		t.Fatalf("local entry: %+v, want the state read again", r)
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
	for r := next(t, all); r.Status != stock.RequestDeclined; r = next(t, all) {
		if r.ID != "VAL-1:Q1" || r.Status != stock.RequestOpen {
			t.Fatalf("the watcher of all got %+v, want VAL-1:Q1's states", r)
		}
	}

	// MAD-1 leaves: the request its departure cancelled is published, not
	// one cancelled before (listed first, newest).
	left := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	earlier := left.Add(-time.Hour)
	known["BCN-1:Q2"] = stock.TransferRequest{ID: "BCN-1:Q2", From: "MAD-1", To: "BCN-1", Status: stock.RequestCancelled,
		CreatedAt: left.Add(-2 * time.Hour), CancelledAt: &left}
	known["BCN-1:Q3"] = stock.TransferRequest{ID: "BCN-1:Q3", From: "MAD-1", To: "BCN-1", Status: stock.RequestCancelled,
		CreatedAt: left.Add(-time.Minute), CancelledAt: &earlier}
	h.Take(&stock.LogEntry{Origin: "MAD-1", Seq: 10, Type: stock.EntryWarehouseLeft, At: left})
	if r := next(t, all); r.ID != "BCN-1:Q2" {
		t.Fatalf("after MAD-1 left: %+v, want BCN-1:Q2, which its departure cancelled", r)
	}
	cancel()
	for range all { // closed once the watch ends
	}
}

// slowReader is a reader whose first read of id answers the state the
// request was in when the read began, once release is closed: a read
// that a change overtook.
type slowReader struct {
	mu      sync.Mutex
	known   reader
	id      string
	reading chan struct{} // closed when the slow read has begun
	release chan struct{}
}

func (r *slowReader) TransferRequest(ctx context.Context, id string) (*stock.TransferRequest, error) {
	r.mu.Lock()
	q, err := r.known.TransferRequest(ctx, id)
	slow := id == r.id
	r.id = ""
	r.mu.Unlock()
	if slow {
		close(r.reading)
		<-r.release
	}
	return q, err
}

func (r *slowReader) TransferRequests(ctx context.Context, q stock.TransferRequestQuery) (*stock.TransferRequestPage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.known.TransferRequests(ctx, q)
}

// set records the request's new state.
func (r *slowReader) set(q stock.TransferRequest) {
	r.mu.Lock()
	r.known[q.ID] = q
	r.mu.Unlock()
}

// TestHubNeverGoesBack: the source accepts a request while the hub is
// still reading it again after the requester's entry; watchers never
// hear it OPEN after they heard it ACCEPTED, and hear ACCEPTED last.
func TestHubNeverGoesBack(t *testing.T) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open := stock.TransferRequest{ID: "VAL-1:Q1", From: "BCN-1", To: "VAL-1", Status: stock.RequestOpen}
	r := &slowReader{known: reader{open.ID: open}, id: open.ID, reading: make(chan struct{}), release: make(chan struct{})}
	go h.Follow(ctx, r)
	all := h.Watch(ctx, "")
	h.Take(&stock.LogEntry{Origin: "VAL-1", Seq: 1, TransferRequest: &open})
	<-r.reading
	accepted := open
	accepted.Status = stock.RequestAccepted
	r.set(accepted)
	h.Take(&stock.LogEntry{Origin: "BCN-1", Seq: 1, TransferRequest: &accepted})
	close(r.release)
	// Another request, noted after: once it is heard, so is everything
	// the hub had to publish about the first.
	other := stock.TransferRequest{ID: "VAL-1:Q2", From: "BCN-1", To: "VAL-1", Status: stock.RequestOpen}
	r.set(other)
	h.Take(&stock.LogEntry{Origin: "VAL-1", Seq: 2, TransferRequest: &other})
	var heard []stock.TransferRequestStatus
	for u := next(t, all); u.ID != other.ID; u = next(t, all) {
		heard = append(heard, u.Status)
	}
	if len(heard) == 0 || heard[len(heard)-1] != stock.RequestAccepted || slices.Index(heard, stock.RequestAccepted) != len(heard)-1 {
		t.Fatalf("VAL-1:Q1 heard as %v, want ACCEPTED last and nothing after it", heard)
	}
}
