package stock

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// heldQueue answers log.apply with held units for seq 3.
type heldQueue struct{}

func (heldQueue) Do(_ context.Context, _ Class, job []byte) ([]byte, error) {
	if meta, _, err := DecodeJob(job); err != nil || meta.Op != OpApplyChanges.Name {
		return nil, fmt.Errorf("unexpected job %q: %v", meta.Op, err)
	}
	return EncodeReply(&ApplyResult{Held: map[int64]int64{3: 4}}), nil
}

// TestApplyChangesCarriesHeld: once a run is applied, each of its
// movement entries says the units reserved right after it, as the writer
// answered (0 where it named none), and other entries say nothing, so the
// stream's stock changes carry them.
func TestApplyChangesCarriesHeld(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	mv := func(seq int64) LogEntry {
		return LogEntry{Origin: "BCN-1", Seq: seq, At: at, Type: EntryMovement, Movement: &Movement{ID: MovementID("BCN-1", seq),
			Warehouse: "BCN-1", Seq: seq, SKU: "A", Kind: KindSale, Quantity: -1, Balance: 5, CreatedAt: at}}
	}
	b := &ChangeBatch{Entries: []LogEntry{mv(2), mv(3), {Origin: "BCN-1", Seq: 4, At: at, Type: EntryWarehouseLeft}}}
	if err := NewService(heldQueue{}).ApplyChanges(auth.AsNode(context.Background()), b); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range b.Entries {
		c, ok := e.Change()
		switch {
		case !ok:
			got = append(got, "-")
		case c.Reserved == nil:
			got = append(got, "nil")
		default:
			got = append(got, fmt.Sprint(*c.Reserved))
		}
	}
	if fmt.Sprint(got) != "[0 4 -]" {
		t.Fatalf("the entries' reserved units: %v, want [0 4 -]", got)
	}
}
