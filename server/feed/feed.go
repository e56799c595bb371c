// Package feed is the node's one ordered stream of committed log entries
// (Stream, fed by a Sequencer) and fans its stock changes out to live
// subscribers.
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
	// ReorderPoint is, for a product's creation or update, its reorder
	// point from then on (the event moves no stock: no movement, Delta 0);
	// for a merged event, the last such of the merged ones; nil otherwise.
	ReorderPoint *int64
	// Created marks a product's creation: ReorderPoint is its first.
	Created bool
}

// PointOnly reports whether e only tells a product's reorder point (and
// its quantity), changing no stock.
func (e Event) PointOnly() bool {
	return e.ReorderPoint != nil && !e.Merged && e.MovementID == "" && !e.Deleted && e.Reserved == nil
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

// merge folds the later event next into e: the quantity, sequence, time
// and units reserved become next's, the deltas add up, Deleted is next's
// and the movement details are dropped.
func (e *Event) merge(next Event) {
	e.Quantity = next.Quantity
	e.Delta += next.Delta
	e.Seq = next.Seq
	e.At = next.At
	e.Deleted = next.Deleted
	e.Reserved = next.Reserved
	if next.ReorderPoint != nil {
		e.ReorderPoint = next.ReorderPoint
	}
	e.Created = false
	e.Merged = true
	e.MovementID, e.Kind, e.Reference, e.Note, e.Actor = "", "", "", "", ""
}
