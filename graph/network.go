package graph

import (
	"context"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/netwatch"
	"github.com/stockmesh/stockmesh/server/stock"
)

// admin returns the network for a mutation only admins may make: FORBIDDEN
// for other roles (stock.Authorize), UNAVAILABLE when the node has no
// network.
func (r *Resolver) admin(ctx context.Context) (Network, error) {
	if err := stock.Authorize(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	if r.Network == nil {
		return nil, stock.Errorf(stock.CodeUnavailable, "this node serves no network")
	}
	return r.Network, nil
}

// member returns what the network knows of the warehouse id at run time.
func (r *Resolver) member(id string) (member.Member, bool) {
	if r.Network == nil {
		return member.Member{}, false
	}
	return r.Network.Member(id)
}

// seconds converts an optional count of seconds; nil is 0, the default.
func seconds(n *int64) time.Duration {
	if n == nil {
		return 0
	}
	return time.Duration(*n) * time.Second
}

// watchNetwork turns the watcher's changed warehouses into networkChanged's
// channel, for a viewer or above, each warehouse as then read (its
// runtime fields resolved per event); it closes the channel when ctx is
// done. Without a watcher the node serves no network: UNAVAILABLE.
func watchNetwork(ctx context.Context, svc *stock.Service, w *netwatch.Watcher) (<-chan *stock.Warehouse, error) {
	if err := stock.Authorize(ctx, auth.RoleViewer); err != nil {
		return nil, err
	}
	if w == nil {
		return nil, stock.Errorf(stock.CodeUnavailable, "this node serves no network")
	}
	ids := w.Watch(ctx)
	out := make(chan *stock.Warehouse, 1)
	go func() {
		defer close(out)
		for id := range ids {
			wh, err := svc.Warehouse(ctx, id)
			if err != nil {
				continue // gone, or the handler busy: the next change reads it again
			}
			select {
			case <-ctx.Done():
				return
			case out <- wh:
			}
		}
	}()
	return out, nil
}
