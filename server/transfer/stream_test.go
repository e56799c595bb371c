package transfer

import (
	"context"
	"errors"
	"slices"
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
// publishes a local entry's transfer as the entry carries it and another
// warehouse's as this node knows it once applied (read again by id);
// entries without a transfer publish nothing; it is Active while watched.
func TestHubTakesTheStream(t *testing.T) {
	h := NewHub()
	h.SetLocal("BCN-1")
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
		{"a local entry, as it is", stock.LogEntry{Origin: "BCN-1", Seq: 3, Transfer: &stock.Transfer{ID: "MAD-1:8",
			From: "MAD-1", To: "BCN-1", Status: stock.TransferCancelled}}, stock.TransferCancelled},
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
		h.SetLocal("BCN-1")
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
