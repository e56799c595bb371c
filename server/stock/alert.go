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
