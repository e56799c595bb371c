// Package feed fans committed stock changes out to live subscribers.
//
// A Hub receives every committed change from one goroutine (the event pump)
// and hands each subscriber the changes its Filter selects. A slow or stuck
// subscriber never slows the publisher or the other subscribers: each one has
// a bounded buffer, and once that overflows the subscriber falls back to
// receiving the latest quantity per SKU, with Merged set, until it has caught
// up. Quantities are never wrong and the changes of one SKU always arrive in
// commit order. Subscriptions take turns to hand events to their readers
// (see turns), so fanning one commit out to many subscribers never crowds
// out the goroutines that serve writers.
package feed

import "github.com/stockmesh/stockmesh/server/stock"

// Event is one committed stock change as a subscriber receives it. For a
// merged event, Quantity is the stock after the last merged change, Delta
// the sum of their deltas, Seq and At those of the last one, and the
// movement's MovementID, Kind, Reference, Note and Actor are empty; Deleted
// is the last merged change's, so a merged run ending in the product's
// deletion still says so.
type Event struct {
	stock.Change
	// Merged reports whether this event stands for several changes merged
	// because the subscriber fell behind.
	Merged bool
}

// Filter selects events by warehouse and SKU. An empty field matches any value.
type Filter struct {
	Warehouse string
	SKU       string
}

// Match reports whether f selects e.
func (f Filter) Match(e Event) bool {
	return (f.Warehouse == "" || f.Warehouse == e.Warehouse) &&
		(f.SKU == "" || f.SKU == e.SKU)
}

// key identifies the stock of one SKU in one warehouse.
type key struct {
	warehouse, sku string
}

func keyOf(e Event) key {
	return key{warehouse: e.Warehouse, sku: e.SKU}
}

// merge folds the later event next into e: the quantity, sequence and time
// become next's, the deltas add up, Deleted is next's and the movement
// details are dropped.
func (e *Event) merge(next Event) {
	e.Quantity = next.Quantity
	e.Delta += next.Delta
	e.Seq = next.Seq
	e.At = next.At
	e.Deleted = next.Deleted
	e.Merged = true
	e.MovementID, e.Kind, e.Reference, e.Note, e.Actor = "", "", "", "", ""
}
