// Package feed fans committed stock changes out to live subscribers.
//
// A Hub receives every committed change from one goroutine (the event pump)
// and hands each subscriber the changes its Filter selects. A slow or stuck
// subscriber never slows the publisher or the other subscribers: each one has
// a bounded buffer, and once that overflows the subscriber falls back to
// receiving the latest quantity per SKU, with Merged set, until it has caught
// up. Quantities are never wrong and the changes of one SKU always arrive in
// commit order.
package feed

import "time"

// Event is one committed stock change.
type Event struct {
	Warehouse string
	SKU       string
	// Quantity is the stock of SKU in Warehouse after the change.
	Quantity int64
	// Delta is the signed change; for a merged event, the sum of the merged deltas.
	Delta int64
	// Merged reports whether this event stands for several changes merged
	// because the subscriber fell behind.
	Merged bool
	// MovementID, Kind and Reference describe the movement; they are empty when Merged.
	MovementID string
	Kind       string
	Reference  string
	// Seq is the commit sequence in the warehouse; for a merged event, that of the last change.
	Seq int64
	// At is when the change was committed; for a merged event, when the last one was.
	At time.Time
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
// become next's, the deltas add up and the movement details are dropped.
func (e *Event) merge(next Event) {
	e.Quantity = next.Quantity
	e.Delta += next.Delta
	e.Seq = next.Seq
	e.At = next.At
	e.Merged = true
	e.MovementID, e.Kind, e.Reference = "", "", ""
}
