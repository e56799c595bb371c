package graph

import (
	"context"
	"time"

	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// lowStockAlertBuffer is how many events a lowStockAlert subscriber may
// fall behind before the hub merges them: a merged event still carries the
// stock before and after, which is all a crossing needs.
const lowStockAlertBuffer = 64

// reorderPointTTL is how long a subscription trusts a reorder point it
// looked up: changes of it are not events, so it looks again after this.
const reorderPointTTL = 5 * time.Second

// crossings turns one subscription's stock changes into low-stock alerts,
// looking up each product's reorder point (a lookup job) at most once per
// reorderPointTTL. Its methods run on the subscription's one delivery
// goroutine, so it needs no lock.
type crossings struct {
	svc    *stock.Service
	points map[[2]string]reorderPoint
}

// reorderPoint is a product's reorder point as looked up at a time.
type reorderPoint struct {
	value int64
	at    time.Time
}

func newCrossings(svc *stock.Service) *crossings {
	return &crossings{svc: svc, points: map[[2]string]reorderPoint{}}
}

// alert returns the alert the change e makes, or nil.
func (c *crossings) alert(ctx context.Context, e feed.Event) *stock.LowStockAlert {
	key := [2]string{e.Warehouse, e.SKU}
	if e.Deleted {
		delete(c.points, key)
		return nil
	}
	rp, ok := c.points[key]
	if !ok || time.Since(rp.at) > reorderPointTTL {
		p, err := c.svc.Product(ctx, stock.ProductRef{SKU: e.SKU, Warehouse: e.Warehouse})
		if err != nil {
			return nil // deleted since, or unreachable: the change crosses nothing we know of
		}
		rp = reorderPoint{value: p.ReorderPoint, at: time.Now()}
		c.points[key] = rp
	}
	if a, ok := stock.Crossing(e.Warehouse, e.SKU, e.Quantity-e.Delta, e.Quantity, rp.value, e.At); ok {
		return &a
	}
	return nil
}
