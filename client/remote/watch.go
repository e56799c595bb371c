package remote

import (
	"context"
	"errors"
	"time"

	"github.com/stockmesh/stockmesh/internal/api"
	"github.com/stockmesh/stockmesh/internal/wait"
)

// WatchEventKind says what a WatchEvent reports.
type WatchEventKind int

// The kinds of WatchEvent.
const (
	// WatchSnapshot carries the current products; it replaces whatever the
	// watcher showed before, and follows every (re)connection.
	WatchSnapshot WatchEventKind = iota + 1
	// WatchChange carries one committed stock change.
	WatchChange
	// WatchReconnecting reports a lost connection and the wait before the
	// next attempt.
	WatchReconnecting
	// WatchFailed reports an error that retrying cannot fix (a refused token,
	// an untrusted certificate); the watch ends after it.
	WatchFailed
	// WatchReorderPoint carries a product's reorder point, changed or
	// crossed since the snapshot.
	WatchReorderPoint
)

// WatchEvent is one thing a Watch reports.
type WatchEvent struct {
	Kind       WatchEventKind
	Products   []Product          // WatchSnapshot: each carries its warehouse
	Warehouses []string           // WatchSnapshot: the ids of the warehouses it covers
	Change     StockChange        // WatchChange
	Point      ReorderPointChange // WatchReorderPoint
	Err        error              // WatchReconnecting, WatchFailed
	Attempt    int                // WatchReconnecting: 1 for the first retry
	Wait       time.Duration      // WatchReconnecting
}

// WatchScope says what a Watch follows.
type WatchScope struct {
	// SKU is the one product to follow; "" follows every product.
	SKU string
	// Warehouse is the id of the one warehouse to follow; "" follows the
	// node's own, asked of the node again on every connection.
	Warehouse string
	// All follows every warehouse the node holds, its own and its
	// replicas, as the node lists them on each connection; Warehouse is
	// then ignored.
	All bool
}

// WatchBackoff is the reconnection policy of Watch; Attempts is ignored.
func WatchBackoff() Retry {
	return Retry{Base: 500 * time.Millisecond, Max: 5 * time.Second}
}

// Watch follows the stock that scope names until ctx ends. It subscribes
// to stockChanged for that warehouse (every warehouse with scope.All) and
// sku, then loads the current products of the same warehouses, and reports
// a snapshot followed by every change. When the connection drops it reports
// WatchReconnecting, retries with backoff, and on success reports a fresh
// snapshot, so the consumer's view is exact again. A warehouse the node
// holds nothing of ends the watch with WatchFailed (see UnknownWarehouse).
// The returned channel is closed when the watch ends.
func (c *Client) Watch(ctx context.Context, scope WatchScope) <-chan WatchEvent {
	out := make(chan WatchEvent)
	go func() {
		defer close(out)
		c.watch(ctx, scope, out)
	}()
	return out
}

// watch is the reconnect loop of Watch.
func (c *Client) watch(ctx context.Context, scope WatchScope, out chan<- WatchEvent) {
	b := WatchBackoff().backoff()
	attempt := 0
	for {
		err := c.session(ctx, scope, out, &attempt)
		if ctx.Err() != nil {
			return
		}
		if permanent(err) {
			send(ctx, out, WatchEvent{Kind: WatchFailed, Err: err})
			return
		}
		if attempt == 0 { // the session delivered a snapshot (or it is the first): wait the shortest again
			b.Reset()
		}
		attempt++
		delay := b.Next()
		if !send(ctx, out, WatchEvent{Kind: WatchReconnecting, Err: err, Attempt: attempt, Wait: delay}) {
			return
		}
		if wait.For(ctx, delay) != nil {
			return
		}
	}
}

// session runs one connection: subscribe, snapshot, changes until it drops.
// It resets *attempt once the snapshot is delivered.
func (c *Client) session(ctx context.Context, scope WatchScope, out chan<- WatchEvent, attempt *int) error {
	warehouse, err := c.watchedWarehouse(ctx, scope)
	if err != nil {
		return err
	}
	s, err := c.Subscribe(ctx, warehouse, scope.SKU)
	if err != nil {
		return err
	}
	defer s.Close()
	ids := []string{warehouse}
	if scope.All { // listed after subscribing, so that none joins unseen
		if ids, err = c.WarehouseIDs(ctx); err != nil {
			return err
		}
	}
	ps, err := c.snapshot(ctx, ids, scope.SKU)
	if err != nil {
		return err
	}
	if !send(ctx, out, WatchEvent{Kind: WatchSnapshot, Products: ps, Warehouses: ids}) {
		return ctx.Err()
	}
	*attempt = 0
	points := s.Points
	for {
		select {
		case ch, ok := <-s.C:
			if !ok {
				return s.Err()
			}
			if !send(ctx, out, WatchEvent{Kind: WatchChange, Change: ch}) {
				return ctx.Err()
			}
		case p, ok := <-points:
			if !ok {
				points = nil // C closes too: its end says why
				continue
			}
			if !send(ctx, out, WatchEvent{Kind: WatchReorderPoint, Point: p}) {
				return ctx.Err()
			}
		}
	}
}

// watchedWarehouse returns the id of the warehouse scope follows: "" for
// all of them, else the one it names or the node's own.
func (c *Client) watchedWarehouse(ctx context.Context, scope WatchScope) (string, error) {
	switch {
	case scope.All:
		return "", nil
	case scope.Warehouse != "":
		return scope.Warehouse, nil
	}
	w, err := c.LocalWarehouse(ctx)
	if err != nil {
		return "", err
	}
	return w.ID, nil
}

// snapshot loads the products of sku ("" for every product) in each of the
// warehouses.
func (c *Client) snapshot(ctx context.Context, warehouses []string, sku string) ([]Product, error) {
	var all []Product
	for _, w := range warehouses {
		ps, err := c.watchedProducts(ctx, w, sku)
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
	}
	return all, nil
}

// watchedProducts loads the products of sku ("" for every product) in
// warehouse: none when sku is not there, an error when the warehouse is not.
func (c *Client) watchedProducts(ctx context.Context, warehouse, sku string) ([]Product, error) {
	if sku == "" {
		return c.Products(ctx, warehouse, "")
	}
	p, err := c.ProductIn(ctx, warehouse, sku)
	if Code(err) == api.CodeNotFound && !UnknownWarehouse(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []Product{*p}, nil
}

// permanent reports whether retrying cannot fix err: a refused token or
// request, an untrusted certificate, a warehouse the node does not hold.
func permanent(err error) bool {
	if UnknownWarehouse(err) {
		return true
	}
	switch Code(err) {
	case api.CodeUnauthenticated, api.CodeForbidden, api.CodeInvalidInput:
		return true
	}
	return errors.Is(err, ErrUntrusted)
}

// send delivers ev unless ctx ends first, and reports whether it did.
func send(ctx context.Context, out chan<- WatchEvent, ev WatchEvent) bool {
	select {
	case out <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}
