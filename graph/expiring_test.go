package graph

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// lotsQueue answers lots.expiring with its lots and counts the reads.
type lotsQueue struct {
	mu    sync.Mutex
	lots  []stock.ExpiringLot
	reads atomic.Int64
}

func (q *lotsQueue) Do(_ context.Context, _ stock.Class, job []byte) ([]byte, error) {
	meta, _, err := stock.DecodeJob(job)
	if err != nil || meta.Op != stock.OpLotsExpiring.Name {
		return nil, errors.New("lotsQueue: only lots.expiring")
	}
	q.reads.Add(1)
	q.mu.Lock()
	defer q.mu.Unlock()
	return stock.EncodeReply(&stock.ExpiringLots{Lots: append([]stock.ExpiringLot{}, q.lots...)}), nil
}

// TestLotExpiringShared: the subscriptions of one warehouse and window
// share one watch: a lot movement costs one read of the window whatever
// their number, each subscription still sends a lot that enters the
// window once and not the lots it saw when it started, and the watch
// stops with its last subscription.
func TestLotExpiringShared(t *testing.T) {
	old := stock.ExpiringLot{Warehouse: "MAD-1", SKU: "A", Code: "OLD", ExpiresOn: "2030-01-01", Quantity: 2}
	q := &lotsQueue{lots: []stock.ExpiringLot{old}}
	hub := feed.NewHub(slog.Default())
	defer hub.Close()
	r := &Resolver{Stock: stock.NewService(q), Feed: hub}
	ctx, cancel := context.WithCancel(auth.WithPrincipal(context.Background(), auth.Principal{Name: "t", Role: auth.RoleViewer}))
	const subs = 5
	var chans []<-chan *stock.ExpiringLot
	for range subs {
		ch, err := r.watchExpiring(ctx, "MAD-1", 7)
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	if n := q.reads.Load(); n != subs {
		t.Fatalf("%d reads to start %d subscriptions, want one each", n, subs)
	}
	fresh := stock.ExpiringLot{Warehouse: "MAD-1", SKU: "A", Code: "NEW", ExpiresOn: "2030-01-02", Quantity: 3}
	q.mu.Lock()
	q.lots = append(q.lots, fresh)
	q.mu.Unlock()
	hub.Publish(feed.Event{Change: stock.Change{Warehouse: "MAD-1", SKU: "A", Delta: 3, Quantity: 5,
		Where: &stock.Where{Lots: []stock.LotQuantity{{Code: "NEW", ExpiresOn: "2030-01-02", Quantity: 3}}}}})
	for i, ch := range chans {
		select {
		case got := <-ch:
			if *got != fresh {
				t.Fatalf("subscription %d sent %+v, want %+v", i, *got, fresh)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("subscription %d sent nothing", i)
		}
	}
	if n := q.reads.Load(); n != subs+1 {
		t.Fatalf("%d reads after one lot movement, want %d: one shared read", n, subs+1)
	}
	cancel()
	for i, ch := range chans {
		for range ch { // a second lot would be a duplicate
			t.Fatalf("subscription %d sent more", i)
		}
	}
	r.expiring.mu.Lock()
	defer r.expiring.mu.Unlock()
	if len(r.expiring.m) != 0 {
		t.Fatalf("%d watches left after every subscription ended", len(r.expiring.m))
	}
}
