package transfer

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stockmesh/stockmesh/server/stock"
)

// knownAs is a Reader that answers every transfer with status.
type knownAs stock.TransferStatus

func (k knownAs) TransfersByID(_ context.Context, ids []string) ([]stock.Transfer, error) {
	out := make([]stock.Transfer, len(ids))
	for i, id := range ids {
		out[i] = stock.Transfer{ID: id, From: "MAD-1", To: "BCN-1", Status: stock.TransferStatus(k)}
	}
	return out, nil
}

// TestHubTakesTheStream: as the stream's consumer of transfers, the hub
// publishes the transfer of every entry, local or another warehouse's, as
// this node knows it once applied (read again by id), never as the entry
// carries it; entries without a transfer publish nothing; it is Active
// while watched.
func TestHubTakesTheStream(t *testing.T) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if h.Active() {
		t.Fatal("a hub without watchers is active")
	}
	ch := h.Watch(ctx, "BCN-1")
	go h.Follow(ctx, knownAs(stock.TransferReceived))
	if !h.Active() {
		t.Fatal("a watched hub is not active")
	}
	tests := []struct {
		name   string
		entry  stock.LogEntry
		status stock.TransferStatus
	}{
		{"another warehouse's entry, as known here", stock.LogEntry{Origin: "MAD-1", Seq: 7, Transfer: &stock.Transfer{ID: "MAD-1:7",
			From: "MAD-1", To: "BCN-1", Status: stock.TransferInTransit}}, stock.TransferReceived},
		{"a local entry, as known here too", stock.LogEntry{Origin: "BCN-1", Seq: 3, Transfer: &stock.Transfer{ID: "MAD-1:8",
			From: "MAD-1", To: "BCN-1", Status: stock.TransferCancelled}}, stock.TransferReceived},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.Take(&stock.LogEntry{Origin: "BCN-1", Seq: 1, Type: stock.EntryMovement}) // no transfer: nothing
			h.Take(&tt.entry)
			got := collect(ch, 1)
			if len(got) != 1 || got[0].ID != tt.entry.Transfer.ID || got[0].Status != tt.status {
				t.Fatalf("published %+v, want %s %s", got, tt.entry.Transfer.ID, tt.status)
			}
		})
	}
}

// failing is a Reader whose first fails reads fail; then it answers as
// knownAs(RECEIVED), recording the ids it was asked for.
type failing struct {
	fails int
	asked chan []string
}

func (f *failing) TransfersByID(ctx context.Context, ids []string) ([]stock.Transfer, error) {
	if f.fails > 0 {
		f.fails--
		return nil, errors.New("database handler busy")
	}
	f.asked <- ids
	return knownAs(stock.TransferReceived).TransfersByID(ctx, ids)
}

// TestFollowRetriesFailedReads: a read of other warehouses' transfers that
// fails is tried again, after the backoff's waits, with every id noted,
// so the watchers lose no update; entries noted meanwhile are read too.
func TestFollowRetriesFailedReads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := NewHub()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		ch := h.Watch(ctx, "")
		r := &failing{fails: 3, asked: make(chan []string, 10)}
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.Follow(ctx, r)
		}()
		for _, id := range []string{"MAD-1:1", "MAD-1:2"} {
			h.Take(&stock.LogEntry{Origin: "MAD-1", Seq: 1, Transfer: &stock.Transfer{ID: id, From: "MAD-1", To: "BCN-1"}})
		}
		synctest.Wait() // Follow failed its first read and waits
		h.Take(&stock.LogEntry{Origin: "MAD-1", Seq: 3, Transfer: &stock.Transfer{ID: "MAD-1:3", From: "MAD-1", To: "BCN-1"}})
		var got []string
		for len(got) < 3 {
			tr := <-ch
			if tr.Status != stock.TransferReceived {
				t.Fatalf("published %s %s, want it as known here, RECEIVED", tr.ID, tr.Status)
			}
			got = append(got, tr.ID)
		}
		slices.Sort(got)
		if want := []string{"MAD-1:1", "MAD-1:2", "MAD-1:3"}; !slices.Equal(got, want) {
			t.Fatalf("published %v, want %v", got, want)
		}
		if r.fails != 0 {
			t.Fatalf("%d failures left: the reads were not retried", r.fails)
		}
		cancel()
		<-done
	})
}

// slowReader answers transfers from a map; its first read of id answers
// the state the transfer was in when the read began, once release is
// closed: a read that a change overtook.
type slowReader struct {
	mu      sync.Mutex
	known   map[string]stock.Transfer
	id      string
	reading chan struct{} // closed when the slow read has begun
	release chan struct{}
}

func (r *slowReader) TransfersByID(_ context.Context, ids []string) ([]stock.Transfer, error) {
	r.mu.Lock()
	out := make([]stock.Transfer, 0, len(ids))
	slow := false
	for _, id := range ids {
		out = append(out, r.known[id])
		slow = slow || id == r.id
	}
	if slow {
		r.id = ""
	}
	r.mu.Unlock()
	if slow {
		close(r.reading)
		<-r.release
	}
	return out, nil
}

// set records the transfer's new state.
func (r *slowReader) set(t stock.Transfer) {
	r.mu.Lock()
	r.known[t.ID] = t
	r.mu.Unlock()
}

// TestHubNeverGoesBack: the receiver receives a transfer while the hub is
// still reading it again after the sender's entry; watchers never hear it
// IN_TRANSIT after they heard it RECEIVED, and hear RECEIVED last.
func TestHubNeverGoesBack(t *testing.T) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sent := stock.Transfer{ID: "MAD-1:1", From: "MAD-1", To: "BCN-1", Status: stock.TransferInTransit}
	r := &slowReader{known: map[string]stock.Transfer{sent.ID: sent}, id: sent.ID, reading: make(chan struct{}), release: make(chan struct{})}
	go h.Follow(ctx, r)
	all := h.Watch(ctx, "")
	h.Take(&stock.LogEntry{Origin: "MAD-1", Seq: 1, Transfer: &sent})
	<-r.reading
	received := sent
	received.Status = stock.TransferReceived
	r.set(received)
	h.Take(&stock.LogEntry{Origin: "BCN-1", Seq: 1, Transfer: &received}) // the local receive
	close(r.release)
	// Another transfer, noted after: once it is heard, so is everything
	// the hub had to publish about the first.
	other := stock.Transfer{ID: "MAD-1:2", From: "MAD-1", To: "BCN-1", Status: stock.TransferInTransit}
	r.set(other)
	h.Take(&stock.LogEntry{Origin: "MAD-1", Seq: 2, Transfer: &other})
	var heard []stock.TransferStatus
	for u := range all {
		if u.ID == other.ID {
			break
		}
		heard = append(heard, u.Status)
	}
	if len(heard) == 0 || heard[len(heard)-1] != stock.TransferReceived || slices.Index(heard, stock.TransferReceived) != len(heard)-1 {
		t.Fatalf("MAD-1:1 heard as %v, want RECEIVED last and nothing after it", heard)
	}
}
