package graph

import (
	"context"

	"github.com/stockmesh/stockmesh/graph/model"
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// subscriptionBuffer is how many events a subscriber may fall behind before
// the hub starts merging its changes.
const subscriptionBuffer = 64

func filterOf(warehouse, sku *string) feed.Filter {
	return feed.Filter{Warehouse: deref(warehouse), SKU: deref(sku)}
}

// subscribe turns the hub's events into a subscription's channel. convert
// returns nil for events the subscription skips. The goroutine that sends on
// the channel closes it, and sends only while ctx is live.
func subscribe[T any](ctx context.Context, hub *feed.Hub, f feed.Filter, convert func(context.Context, feed.Event) *T) (<-chan *T, error) {
	events := hub.Subscribe(ctx, f, subscriptionBuffer)
	out := make(chan *T, 1)
	go func() {
		defer close(out)
		for e := range events {
			v := convert(ctx, e)
			if v == nil {
				continue
			}
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// movementOf returns the movement an unmerged event carries, or nil.
func movementOf(e feed.Event) *stock.Movement {
	if e.Merged {
		return nil
	}
	return &stock.Movement{ID: e.MovementID, Warehouse: e.Warehouse, Seq: e.Seq, SKU: e.SKU,
		Kind: e.Kind, Quantity: e.Delta, Balance: e.Quantity, Reference: e.Reference, CreatedAt: e.At}
}

func (r *Resolver) stockChange(ctx context.Context, e feed.Event) *model.StockChange {
	w, err := r.Stock.Warehouse(ctx, e.Warehouse)
	if err != nil {
		w = &stock.Warehouse{ID: e.Warehouse, Name: e.Warehouse}
	}
	return &model.StockChange{Warehouse: w, Sku: e.SKU, Quantity: e.Quantity, Delta: e.Delta,
		Merged: e.Merged, Movement: movementOf(e), At: e.At}
}

// movement converts an event for movementRecorded, which skips merged
// events: they stand for several movements.
func (r *Resolver) movement(_ context.Context, e feed.Event) *stock.Movement {
	return movementOf(e)
}
