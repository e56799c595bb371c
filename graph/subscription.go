package graph

import (
	"context"
	"sync/atomic"

	"github.com/stockmesh/stockmesh/graph/model"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// How many events a subscription's execution (shared by a group of
// subscribers over websockets, see gqlws) may fall behind before the hub
// merges its changes; a member whose own socket is full is merged apart
// from its group. A merged event still carries the exact quantity, so
// stockChanged could merge early, but one queue now serves a whole group
// and stands for the slack each subscriber used to have in its own socket:
// 256 events (half a second at 500 movements/s) ride out the group's
// goroutine waiting for a CPU on a busy machine. A merged event stands for
// several movements and movementRecorded skips it, so that subscription
// gets as much room.
const (
	stockChangedBuffer     = 256
	movementRecordedBuffer = 256
)

func filterOf(warehouse, sku *string) feed.Filter {
	return feed.Filter{Warehouse: deref(warehouse), SKU: deref(sku)}
}

// subscribe turns the hub's events into a subscription's channel, for a
// viewer or above (stock.Authorize). convert returns nil for events the
// subscription skips. When the websocket transport executes the subscription once for a group of subscribers
// (feed.Shared in ctx), the group's goroutine converts each event it emits;
// otherwise the hub's delivery goroutine for the subscription does, and
// closes the channel when ctx is done.
func subscribe[T any](ctx context.Context, hub *feed.Hub, f feed.Filter, buffer int, convert func(context.Context, feed.Event) *T) (<-chan *T, error) {
	if err := stock.Authorize(ctx, auth.RoleViewer); err != nil {
		return nil, err
	}
	conv := func(e feed.Event) (*T, bool) {
		v := convert(ctx, e)
		return v, v != nil
	}
	if ch, ok := feed.Share(ctx, hub, f, buffer, conv); ok {
		return ch, nil
	}
	return feed.Watch(ctx, hub, f, buffer, conv), nil
}

// recentChanges remembers the conversions of recent unmerged events, so
// that a change sent to a thousand subscriptions is converted once and its
// objects are shared: gqlgen only reads them. Slots are indexed by sequence;
// a slot holding another event is simply overwritten.
type recentChanges [256]atomic.Pointer[converted]

// converted is one event's subscription objects.
type converted struct {
	warehouse string
	seq       int64
	change    *model.StockChange
}

// of returns the converted objects of the unmerged event e, making them
// with build on a miss.
func (r *recentChanges) of(e feed.Event, build func() *model.StockChange) *model.StockChange {
	slot := &r[uint64(e.Seq)%uint64(len(r))]
	if c := slot.Load(); c != nil && c.seq == e.Seq && c.warehouse == e.Warehouse {
		return c.change
	}
	c := &converted{warehouse: e.Warehouse, seq: e.Seq, change: build()}
	slot.Store(c)
	return c.change
}

// movementOf returns the movement an unmerged event carries, or nil; a
// deletion carries none.
func movementOf(e feed.Event) *stock.Movement {
	if e.Merged || e.Deleted || e.MovementID == "" { // a reservation's change has no movement
		return nil
	}
	m := &stock.Movement{ID: e.MovementID, Warehouse: e.Warehouse, Seq: e.Seq, SKU: e.SKU,
		Kind: e.Kind, Quantity: e.Delta, Balance: e.Quantity, Reference: e.Reference, Note: e.Note,
		Actor: e.Actor, CreatedAt: e.At}
	if w := e.Where; w != nil {
		m.Lots, m.Location, m.Pack, m.PackSize = w.Lots, w.Location, w.Pack, w.PackSize
	}
	return m
}

// stockChange converts an event for stockChanged, which skips events
// that only tell a product's reorder point (see feed.Event.PointOnly).
func (r *Resolver) stockChange(ctx context.Context, e feed.Event) *model.StockChange {
	if e.PointOnly() {
		return nil
	}
	build := func() *model.StockChange {
		w, err := r.Stock.Warehouse(ctx, e.Warehouse)
		if err != nil {
			w = &stock.Warehouse{ID: e.Warehouse, Name: e.Warehouse}
		}
		c := &model.StockChange{Warehouse: w, Sku: e.SKU, Quantity: e.Quantity, Delta: e.Delta,
			Merged: e.Merged, Deleted: e.Deleted, Movement: movementOf(e), At: e.At}
		c.Held = e.Reserved
		return c
	}
	if e.Merged {
		return build()
	}
	return r.recent.of(e, build)
}

// movement converts an event for movementRecorded, which skips merged
// events (they stand for several movements) and deletions (no movement).
func (r *Resolver) movement(ctx context.Context, e feed.Event) *stock.Movement {
	if e.Merged || e.Deleted || e.MovementID == "" {
		return nil
	}
	return r.stockChange(ctx, e).Movement
}
