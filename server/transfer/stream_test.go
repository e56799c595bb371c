package transfer

import (
	"context"
	"testing"

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
