package stock

import "time"

// LowStockAlert tells that a product crossed its reorder point: Low when a
// change took its stock from above the point to at or below it, !Low when a
// change took it back above.
type LowStockAlert struct {
	Warehouse    string    `json:"warehouse"`
	SKU          string    `json:"sku"`
	Low          bool      `json:"low"`
	Quantity     int64     `json:"quantity"`
	ReorderPoint int64     `json:"reorderPoint"`
	At           time.Time `json:"at"`
}

// Crossing returns the alert a stock change from before to after makes
// for a reorder point, and false when it crosses nothing. A reorder point
// of 0 never triggers (see Product.BelowReorderPoint).
func Crossing(warehouse, sku string, before, after, reorderPoint int64, at time.Time) (LowStockAlert, bool) {
	a := LowStockAlert{Warehouse: warehouse, SKU: sku, Quantity: after, ReorderPoint: reorderPoint, At: at}
	switch {
	case reorderPoint <= 0:
		return a, false
	case before > reorderPoint && after <= reorderPoint:
		a.Low = true
		return a, true
	case before <= reorderPoint && after > reorderPoint:
		return a, true
	}
	return a, false
}

// PointCrossing returns the alert a change of a product's reorder point
// from before to after makes while its stock is quantity, and false when
// the stock stays on the same side: Low when the stock was above the old
// point (or the old point was 0) and is at or below the new one, !Low when
// it was at or below the old point and is above the new one (or the new
// point is 0).
func PointCrossing(warehouse, sku string, quantity, before, after int64, at time.Time) (LowStockAlert, bool) {
	a := LowStockAlert{Warehouse: warehouse, SKU: sku, Quantity: quantity, ReorderPoint: after, At: at}
	wasLow := before > 0 && quantity <= before
	a.Low = after > 0 && quantity <= after
	return a, a.Low != wasLow
}
