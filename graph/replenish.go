package graph

import (
	"context"

	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// replenishmentNeededBuffer is how many events a replenishmentNeeded
// subscriber may fall behind before the hub merges them (a merged event
// still carries what a crossing needs, see lowStockAlertBuffer).
const replenishmentNeededBuffer = 64

// needed turns one subscription's events into the suggestions of the
// products that crossed their reorder point downwards (c finds the
// crossings, as lowStockAlert's): the first suggestion of the plan for
// that warehouse and sku, or nothing when the plan has none.
func (r *Resolver) needed(c *crossings) func(context.Context, feed.Event) *stock.TransferSuggestion {
	return func(ctx context.Context, e feed.Event) *stock.TransferSuggestion {
		a := c.alert(ctx, e)
		if a == nil || !a.Low {
			return nil
		}
		plan, err := r.Stock.ReplenishmentPlan(ctx, a.Warehouse, a.SKU)
		if err != nil || len(plan) == 0 {
			return nil
		}
		return plan[0]
	}
}
